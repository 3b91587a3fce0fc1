"""Page budgets for a slow phone: every page's first view, measured in Chromium with an empty cache."""
from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import site_pages

MAX_REQUESTS = 5
MAX_TOTAL_GZIP = 30 * 1024
MAX_SCRIPT_GZIP = 10 * 1024
# Each script and the element it enhances: a page that lacks the element must not load the script.
SCRIPT_NEEDS = {"quick-exit.js": "[data-quick-exit]", "quiz.js": "#quiz", "search.js": ".search"}


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))  # what a static host's default compression sends


def source_name(url: str) -> str:
    """'/static/quiz.3c20b6f0c9.js' → 'quiz.js': the file in static/ that a hashed asset was made from."""
    return re.sub(r"\.[0-9a-f]{10}(?=\.\w+$)", "", Path(urlsplit(url).path).name)


def script_is_used(page, url: str) -> bool:
    needs = SCRIPT_NEEDS.get(source_name(url))
    return needs is not None and page.locator(needs).count() > 0


def responses_of(page) -> list:
    """The responses `page` will receive, collected as they come."""
    responses = []
    page.on("response", lambda response: responses.append(response))  # a lambda: Playwright refuses list.append
    return responses


@pytest.fixture(scope="module")
def first_views(browser, site, served_site) -> dict[str, list[dict]]:
    """For every page, each response of its first view: URL, resource type, gzip size, and whether the page uses it."""
    views = {}
    for url in site_pages(site):
        context = browser.new_context()  # an empty cache, like a first visit
        page = context.new_page()
        responses = responses_of(page)
        page.goto(served_site + url, wait_until="networkidle")
        views[url] = [{"url": r.url, "type": r.request.resource_type, "gzip": gzip_size(r.body()),
                       "used": r.request.resource_type != "script" or script_is_used(page, r.url)}
                      for r in responses]
        context.close()
    return views


def test_first_view_budgets_for_every_page(first_views):
    print(f"\n{'page':28} requests  total gzip  script gzip")
    over = []
    for url, responses in first_views.items():
        total = sum(r["gzip"] for r in responses)
        scripts = sum(r["gzip"] for r in responses if r["type"] == "script")
        print(f"/{url:27} {len(responses):8}  {total / 1024:7.1f} KB  {scripts / 1024:8.1f} KB")
        if len(responses) > MAX_REQUESTS or total > MAX_TOTAL_GZIP or scripts > MAX_SCRIPT_GZIP:
            over.append((url, len(responses), total, scripts))
    assert over == []


def test_scripts_load_only_on_pages_that_use_them(first_views):
    for url, responses in first_views.items():
        scripts = [r for r in responses if r["type"] == "script"]
        assert all(r["used"] for r in scripts), url
    assert any(source_name(r["url"]) == "quiz.js" for r in first_views["quiz/"])
    assert any(source_name(r["url"]) == "search.js" for r in first_views["search/"])
    # Pagefind loads when a reader searches, never with a page
    assert not [r["url"] for responses in first_views.values() for r in responses if "/pagefind/" in r["url"]]


def test_no_web_fonts_and_nothing_from_another_origin(first_views, served_site, site):
    origin = served_site.rstrip("/")
    for url, responses in first_views.items():
        assert [r["url"] for r in responses if r["type"] == "font"] == [], url
        assert [r["url"] for r in responses if not r["url"].startswith(origin + "/")] == [], url
    stylesheets = list((site / "static").glob("*.css"))
    assert stylesheets and all("@font-face" not in css.read_text(encoding="utf-8") for css in stylesheets)
