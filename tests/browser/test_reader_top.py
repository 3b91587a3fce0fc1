"""The top of every page on a phone: the page's own heading on the first screen, the crisis line and
"Leave this site" still there, every help line and the menu one tap away, with or without JavaScript;
a wider screen keeps every line and menu link in view."""
from __future__ import annotations

import pytest

from conftest import language_of, site_pages

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
JAVASCRIPT = [True, False]


@pytest.fixture(params=JAVASCRIPT, ids=["with JavaScript", "without JavaScript"])
def phone(request, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def test_every_pages_heading_starts_in_the_first_300_pixels_of_a_phone(phone, site, served_site):
    tops = {}
    for url in site_pages(site):
        phone.goto(served_site + url)
        tops[url or "/"] = round(phone.locator("h1").bounding_box()["y"])
    assert {url: top for url, top in tops.items() if top > 300} == {}, f"highest: {max(tops.values())} px"


@pytest.mark.parametrize("url", ["", "es/"], ids=["English", "Spanish"])
def test_on_a_phone_988_is_one_tap_away_and_every_help_line_two(phone, served_site, url):
    phone.goto(served_site + url)
    language = language_of(url)
    banner = phone.locator(".crisis-banner")
    assert banner.locator("a[href='tel:988']:visible").count() == 1
    assert banner.locator("a[href='sms:988']:visible").count() == 1
    names = [line.name for line in language.lines_of_kind("crisis")]
    assert all(not banner.get_by_text(name).is_visible() for name in names)  # folded: the heading comes first
    toggle = banner.get_by_text(language.ui["crisis_all_lines"], exact=True)
    toggle.focus()
    phone.keyboard.press("Enter")
    assert all(banner.get_by_text(name).is_visible() for name in names)
    assert banner.get_by_role("link", name=language.ui["crisis_more"]).is_visible()


@pytest.mark.parametrize("url", ["faq/", "es/faq/"], ids=["English", "Spanish"])
def test_on_a_phone_the_menu_folds_and_opens_with_the_keyboard(phone, served_site, url):
    phone.goto(served_site + url)
    language = language_of(url)
    menu = phone.get_by_role("navigation", name=language.ui["nav_label"])
    assert not menu.is_visible()
    phone.get_by_text(language.ui["menu"], exact=True).focus()
    phone.keyboard.press("Enter")
    links = menu.get_by_role("link")
    assert links.count() == len(language.navigation) and all(link.is_visible() for link in links.all())
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.closest('nav') !== null")
    current = menu.locator("[aria-current=page]")
    assert current.count() == 1 and current.is_visible()


@pytest.mark.parametrize("javascript", JAVASCRIPT, ids=["with JavaScript", "without JavaScript"])
def test_a_wider_screen_shows_every_help_line_and_menu_link_without_a_tap(browser, served_site, javascript):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    page = context.new_page()
    for url in ("", "es/"):
        page.goto(served_site + url)
        language = language_of(url)
        banner = page.locator(".crisis-banner")
        assert all(banner.get_by_text(line.name).is_visible() for line in language.lines_of_kind("crisis")), url
        assert not page.get_by_text(language.ui["crisis_all_lines"], exact=True).is_visible()
        assert not page.get_by_text(language.ui["menu"], exact=True).is_visible()
        menu = page.get_by_role("navigation", name=language.ui["nav_label"]).get_by_role("link")
        assert menu.count() == len(language.navigation) and all(link.is_visible() for link in menu.all()), url
        # the name, the search link and the other languages share one row above the menu's, as before search
        row = [page.locator(selector).bounding_box() for selector in (".site-header__name", ".site-header__search", ".language-switch")]
        assert max(box["y"] for box in row) < min(box["y"] + box["height"] for box in row), f"/{url}: {row}"
        assert page.locator(".site-nav").bounding_box()["y"] >= row[0]["y"] + row[0]["height"]
    context.close()
