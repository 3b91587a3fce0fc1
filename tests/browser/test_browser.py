"""Every page in a real browser: no console errors, no request leaving 127.0.0.1."""
from __future__ import annotations

from conftest import site_pages


def test_every_page_loads_cleanly_and_stays_on_this_machine(browser, site, served_site):
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    urls = site_pages(site)
    for url in urls:
        response = page.goto(served_site + url)
        assert response.ok, url
        assert page.locator("h1").count() == 1
        assert page.locator(".crisis-banner a[href='tel:988']:visible").count() >= 1, url  # 988, one tap away at any width
    context.close()
    assert problems == []
    assert requests and all(r.startswith("http://127.0.0.1:") for r in requests), \
        [r for r in requests if not r.startswith("http://127.0.0.1:")]
    assert len(urls) >= 16


def test_pages_work_without_javascript(browser, site, served_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "choosing-a-provider/")
    box = page.locator("input[type=checkbox]").first
    box.check()
    assert box.is_checked()
    page.get_by_role("link", name="More ways to get help").click()
    assert page.url.endswith("/get-help-now/")
    context.close()


def test_citations_work_on_screen_for_screen_readers_and_in_print(browser, served_site):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(served_site + "myths/")
    notes = page.get_by_role("region", name="Notes")
    expect(notes).to_be_visible()
    assert page.locator(".myth .footnote").count() == 0  # not inside the last myth's "Fact" box
    first = page.locator("a.footnote-ref").first
    expect(first).to_have_text("1")  # numbered in the order the text cites them
    expect(first).to_have_accessible_description("Notes")
    first.click()
    assert page.evaluate("location.hash") == "#fn:medicare"
    back = notes.get_by_role("link", name="Back to the text").first
    back.click()
    assert page.evaluate("location.hash") == "#fnref:medicare"
    page.emulate_media(media="print")
    cited = page.evaluate("getComputedStyle(document.querySelector('.notes a[href^=\"https\"]'), '::after').content")
    assert "https://www.medicare.gov/" in cited  # paper shows where each note points
    expect(back).to_be_hidden()  # a link back to the text means nothing on paper
    page.close()
