"""The search page's first query: milliseconds from pressing Enter to the results shown, each run in a
fresh browser context (an empty cache, Pagefind not yet loaded), at 390 px, served with `_headers`.

    .venv/bin/python benchmarks/search_first_query.py [runs]
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM_ARGS, read_header_rules, serving  # noqa: E402

# Noted in the page itself: the time of the submit, and of the first change of the status line after it.
TIMER = """
window.searchTimes = {};
document.addEventListener('submit', () => { window.searchTimes.submitted = performance.now(); }, true);
new MutationObserver(() => {
  const status = document.querySelector('.search__status');
  if (status && status.textContent.includes('‘') && !window.searchTimes.shown) window.searchTimes.shown = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def first_query_ms(browser, address: str, query: str) -> tuple[float, int]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(script=TIMER)
    page = context.new_page()
    requests = []
    page.goto(address + "search/", wait_until="networkidle")
    page.on("request", lambda request: requests.append(request.url))
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    for _ in range(400):
        times = page.evaluate("window.searchTimes")
        if "shown" in times:
            break
        time.sleep(0.01)
    context.close()
    return times["shown"] - times["submitted"], len(requests)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "output"
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-cache", "--output", str(output)], cwd=ROOT, check=True,
                       capture_output=True)
        with serving(output, {}, read_header_rules(output / "_headers")) as address, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for query in ("naloxone", "Medicare"):
                results = [first_query_ms(browser, address, query) for _ in range(runs)]
                times = [ms for ms, _ in results]
                print(f"{query!r}: first query {statistics.median(times):.0f} ms median "
                      f"(min {min(times):.0f}, max {max(times):.0f}, {runs} runs), {results[0][1]} requests")
            browser.close()


if __name__ == "__main__":
    main()
