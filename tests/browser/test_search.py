"""The search page in Chromium: the right pages found in both languages, the other language's results
under their own heading and marked with their language, axe at zero in every state, nothing leaving
the browser or the page, and the topic list without JavaScript; with the site's `_headers` and without."""
from __future__ import annotations

import re
import time

import pytest

from test_reader_accessibility import AXE_TAGS, VIEWS
from test_reader_safety import CSP_LISTENER

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


# Each host at one of the reader set-ups: a phone in light mode, and a desktop in dark mode
SETUPS = [("headers", PHONE, "light"), ("no-headers", DESKTOP, "dark")]


@pytest.fixture(params=SETUPS, ids=[f"{host}-{size['width']}px-{scheme}" for host, size, scheme in SETUPS])
def setup(request, served_site, served_site_without_headers) -> tuple[str, dict, str]:
    """(the site's address, served with its `_headers` or without them as GitHub Pages serves it; viewport; colour scheme)"""
    host, size, scheme = request.param
    return (served_site if host == "headers" else served_site_without_headers), size, scheme


def searched(page, query: str) -> str:
    """Type `query`, press Enter and wait for the status line that names it: its text."""
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    status = page.locator(".search__status")
    for _ in range(200):  # polled: wait_for_function evaluates code, which the site's CSP refuses
        text = status.inner_text()
        if query in text:
            return text
        time.sleep(0.025)
    raise AssertionError(f"no results for {query!r}")


def own_titles(page) -> list[str]:
    return page.locator(".search__list").first.locator(".search__link").all_inner_texts()


def open_search(browser, url: str, size=PHONE, scheme="light", **options):
    context = browser.new_context(viewport=size, color_scheme=scheme, **options)
    context.add_init_script(script=CSP_LISTENER)
    page = context.new_page()
    requests, console = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(message.text) if message.type in ("error", "warning") else None)
    page.goto(url)
    return context, page, requests, console


def test_search_finds_the_right_pages_privately(browser, setup):
    address, size, scheme = setup
    context, page, requests, console = open_search(browser, address + "search/", size, scheme)
    history = page.evaluate("history.length")
    assert "naloxone" in searched(page, "naloxone")
    assert own_titles(page)[0].startswith("Overdose")
    assert page.locator(".search__snippet mark").first.inner_text().lower().startswith("naloxone")
    assert "Medicare" in searched(page, "Medicare")
    assert own_titles(page)[0] == "Cost and insurance"
    other = page.locator(".search__other")
    assert other.is_visible() and other.locator(".search__list").get_attribute("lang") == "es-US"
    searched(page, "wished")  # the self-check's questions are not indexed: no question about suicide as a snippet
    assert not [title for title in own_titles(page) if title.startswith("Could an IOP")]
    assert other.locator("h2").inner_text() == "Results in Spanish"
    assert searched(page, "zzxqv") == "No results for ‘zzxqv’."
    assert page.locator(".search__hint").is_visible() and not own_titles(page)
    assert page.locator(".search__hint a").get_attribute("href") == "../get-help-now/"
    # the typed words trigger a search too, and focus stays in the box
    page.fill("#search-input", "")
    page.locator("#search-input").press_sequentially("naloxone", delay=20)
    page.wait_for_timeout(700)
    assert own_titles(page)[0].startswith("Overdose")
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert page.url == address + "search/" and page.evaluate("history.length") == history
    assert page.evaluate("[localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    assert context.cookies() == []
    assert page.evaluate("window.cspViolations") == [] and console == []
    assert all(url.startswith(address) for url in requests)
    assert any("/pagefind/pagefind.js" in url for url in requests)
    context.close()


def test_spanish_search_page_finds_spanish_pages_first(browser, served_site):
    context, page, _, console = open_search(browser, served_site + "es/search/")
    assert re.fullmatch(r"\d+ resultados para «naloxona»", searched(page, "naloxona"))
    assert own_titles(page)[0].startswith("Sobredosis")
    other = page.locator(".search__other")
    assert other.locator("h2").inner_text() == "Resultados en inglés"
    assert other.locator(".search__list").get_attribute("lang") == "en-US"
    assert other.locator(".search__link").first.inner_text().startswith("Overdose")
    assert page.evaluate("window.cspViolations") == [] and console == []
    context.close()


@pytest.mark.parametrize("size,scheme", VIEWS, ids=[f"{size['width']}px-{scheme}" for size, scheme in VIEWS])
def test_search_passes_axe_in_every_state(browser, served_site, axe_source, size, scheme):
    context = browser.new_context(viewport=size, color_scheme=scheme)
    context.add_init_script(script=axe_source)
    page = context.new_page()
    page.goto(served_site + "search/")
    problems = {}
    for state, query in (("empty", None), ("results", "Medicare"), ("no results", "zzxqv")):
        if query:
            searched(page, query)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        if result["violations"]:
            problems[state] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == {}
    context.close()


def test_without_javascript_the_search_page_offers_the_topic_list(browser, served_site):
    context, page, _, _ = open_search(browser, served_site + "search/", java_script_enabled=False)
    assert not page.locator(".search__form").is_visible()
    topics = page.locator(".search-topics .guide-list__link")
    assert topics.count() >= 15 and topics.first.is_visible()
    context.close()


# The smallest WebAssembly module there is: compiling it is what the Content-Security-Policy allows or refuses.
COMPILE = "WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', error => error.name)"


@pytest.mark.parametrize("host", ["served_site", "served_site_without_headers"], ids=["with _headers", "without headers"])
def test_only_the_search_pages_may_run_webassembly(browser, request, host):
    """The policy every path's header carries allows WebAssembly for Pagefind's worker; each page's own
    <meta> policy, which the browser enforces as well, refuses it everywhere but on the search pages."""
    address = request.getfixturevalue(host)
    context = browser.new_context()
    page = context.new_page()
    outcomes = {}
    for url in ("", "faq/", "es/faq/", "quiz/", "search/", "es/search/"):
        page.goto(address + url)
        outcomes[url or "/"] = page.evaluate(COMPILE)
    context.close()
    assert outcomes == {"/": "CompileError", "faq/": "CompileError", "es/faq/": "CompileError", "quiz/": "CompileError",
                        "search/": "compiled", "es/search/": "compiled"}
