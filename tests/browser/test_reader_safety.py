"""A way out, help on paper, and a policy that holds: quick exit, printing, and the CSP in a real browser."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT, language_of, not_found_pages, site_pages

NEUTRAL = yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))["quick_exit_url"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def tab(browser):
    """A fresh tab whose trip to the neutral site is answered here, so the test never leaves this machine."""
    context = browser.new_context(viewport=PHONE)
    context.route(NEUTRAL + "**", lambda route: route.fulfill(content_type="text/html", body="<title>Weather</title>"))
    yield context.new_page()
    context.close()


def test_leave_this_site_hides_the_page_at_once_and_back_does_not_return(tab, served_site):
    tab.goto(served_site + "who-it-suits/")
    hidden_at_click = tab.evaluate("""() => {
        document.querySelector('[data-quick-exit]').click();
        return [document.body.hidden, document.title]; }""")
    assert hidden_at_click == [True, ""]  # nothing readable is left while the next page loads
    tab.wait_for_url(NEUTRAL)
    tab.go_back()
    assert "127.0.0.1" not in tab.url  # the page was replaced in history, not added to it


def test_pressing_shift_three_times_leaves_but_typing_capitals_does_not(tab, served_site):
    tab.goto(served_site + "faq/")
    exit_link = tab.get_by_role("link", name="Leave this site", exact=True)
    assert exit_link.get_attribute("aria-describedby") == "quick-exit-hint"  # screen readers hear the shortcut
    for key in ["Shift", "Shift", "a", "Shift", "Shift", "b"]:
        tab.keyboard.press(key)
    tab.wait_for_timeout(300)
    assert tab.url == served_site + "faq/"
    for _ in range(3):
        tab.keyboard.press("Shift")
    tab.wait_for_url(NEUTRAL)


def test_without_javascript_leave_this_site_is_a_plain_link(browser, served_site):
    context = browser.new_context(java_script_enabled=False)
    context.route(NEUTRAL + "**", lambda route: route.fulfill(content_type="text/html", body="<title>Weather</title>"))
    page = context.new_page()
    page.goto(served_site)
    # the Shift shortcut needs JavaScript, so it is neither shown nor announced
    assert page.locator("#quick-exit-hint").is_hidden()
    assert page.get_by_role("link", name="Leave this site", exact=True).get_attribute("aria-describedby") is None
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(NEUTRAL)
    context.close()


def test_leave_this_site_is_at_the_top_of_every_page_on_a_phone_and_stays_there(tab, site, served_site):
    for url in site_pages(site):
        tab.goto(served_site + url)
        button = tab.get_by_role("link", name=language_of(url).ui["quick_exit"], exact=True)
        assert button.bounding_box()["y"] < 60, url
        tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        box = button.bounding_box()
        assert 0 <= box["y"] < 60 and button.is_visible(), f"/{url}: the button scrolls out of reach"


def test_browsing_safely_page_explains_private_browsing_and_clearing_history(site: Path):
    text = (site / "browsing-safely" / "index.html").read_text(encoding="utf-8").lower()
    assert "private" in text and "history" in text and "leave this site" in text
    for url in site_pages(site):
        assert 'browsing-safely/"' in (site / url / "index.html").read_text(encoding="utf-8"), url


def test_every_page_prints_every_crisis_line_without_menus_or_buttons(browser, site, served_site):
    """Printed from a phone, where the screen folds the lines behind a disclosure: paper shows them all."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.emulate_media(media="print")
    for url in site_pages(site):
        page.goto(served_site + url)
        banner = page.locator(".crisis-banner")
        assert banner.is_visible(), url
        for line in language_of(url).lines_of_kind("crisis"):
            assert banner.get_by_text(line.name).is_visible(), f"/{url}: {line.name} does not print"
        for hidden in (".quick-exit", ".site-header__tools", ".language-switch", ".skip-link", "button", "summary"):
            assert all(not element.is_visible() for element in page.locator(hidden).all()), f"/{url}: {hidden} prints"
    context.close()


def test_the_printed_checklist_has_tickable_boxes_crisis_lines_and_link_addresses(browser, served_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served_site + "choosing-a-provider/")
    items = page.locator(".checklist__label").all_inner_texts()
    page.emulate_media(media="print")
    boxes = page.eval_on_selector_all(".checklist__box", """els => els.map(el => {
        const s = getComputedStyle(el), r = el.getBoundingClientRect();
        return r.width >= 12 && r.height >= 12 && parseFloat(s.borderTopWidth) >= 1 && s.visibility === 'visible'; })""")
    external = page.eval_on_selector_all(".prose a[href^='http'], .sources a", "els => els.map(a => a.href)")
    pdf = PdfReader(io.BytesIO(page.pdf(format="Letter")))
    context.close()
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in pdf.pages))  # ﬁ → fi
    flat = "".join(text.split())
    assert len(boxes) >= 10 and all(boxes)
    assert 2 <= len(pdf.pages) <= 6, len(pdf.pages)
    assert all("".join(item.split()) in flat for item in items), "every checklist item is on paper"
    assert "988" in text and "1-800-662-4357" in text
    assert "Leave this site" not in text and "Skip to main content" not in text and "Main menu" not in text
    assert external and all("".join(href.split()) in flat for href in external), "link addresses are printed"


CSP_LISTENER = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_no_page_breaks_the_content_security_policy(browser, site, served_site):
    context = browser.new_context()
    context.add_init_script(script=CSP_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    for url in site_pages(site) + not_found_pages(site):
        response = page.goto(served_site + url)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
        if url == "quiz/":  # the quiz's own script runs under the policy too
            page.click("#quiz-continue")
            assert page.locator(".error-summary").is_visible()
        assert page.evaluate("window.cspViolations") == [], url
    assert [text for text in console if "Content Security Policy" in text or "Refused" in text] == []
    # and the policy is really enforced: injected inline script is refused
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.head.append(s); }")
    assert page.evaluate("window.ran") is None
    assert page.evaluate("window.cspViolations")[0].startswith("script-src")
    context.close()
