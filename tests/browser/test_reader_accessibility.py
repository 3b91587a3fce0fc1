"""WCAG 2.2 AA and axe's best practices in a real browser: axe-core on every page and quiz state, reflow, text size, targets, focus, motion."""
from __future__ import annotations

import pytest

from conftest import not_found_pages, site_pages
from quizpage import USUAL, complete

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWS = [(PHONE, "light"), (PHONE, "dark"), (DESKTOP, "light"), (DESKTOP, "dark")]


@pytest.fixture(params=VIEWS, ids=[f"{size['width']}px-{scheme}" for size, scheme in VIEWS])
def axe_page(request, browser, axe_source):
    """A tab at one of the four reader set-ups, with axe-core loaded into every page it opens."""
    size, scheme = request.param
    context = browser.new_context(viewport=size, color_scheme=scheme)
    context.add_init_script(script=axe_source)  # injected by the browser itself, so the site's CSP still holds
    yield context.new_page()
    context.close()


def axe_violations(page) -> list[str]:
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}"
            for v in result["violations"]]


def test_every_page_passes_axe_at_both_widths_in_both_themes(axe_page, site, served_site):
    problems = {}
    for url in site_pages(site) + not_found_pages(site):
        axe_page.goto(served_site + url)
        if violations := axe_violations(axe_page):
            problems[url or "/"] = violations
    assert problems == {}


@pytest.mark.parametrize("quiz", ["quiz/", "es/quiz/"], ids=["English", "Spanish"])
def test_the_quiz_passes_axe_in_every_state(axe_page, served_site, quiz):
    axe_page.goto(served_site + quiz)
    states = {"first question": axe_violations(axe_page)}
    axe_page.click("#quiz-continue")  # unanswered: error summary and inline error
    assert axe_page.locator(".error-summary").is_visible()
    states["error"] = axe_violations(axe_page)
    axe_page.check("#q-who-me-adult")
    axe_page.click("#quiz-continue")
    axe_page.check("#q-danger-now-yes")  # the crisis alert while answering
    states["alert"] = axe_violations(axe_page)
    axe_page.click("#quiz-continue")
    assert axe_page.locator("#outcome-crisis").is_visible()
    states["help right now"] = axe_violations(axe_page)
    axe_page.click("#quiz-go-on")
    complete(axe_page, USUAL)
    assert axe_page.locator("#outcome-crisis").is_visible()
    states["result"] = axe_violations(axe_page)
    assert states == {state: [] for state in states}


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window: anything above 0 means sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_every_page_reflows_at_320px_without_sideways_scrolling(browser, site, served_site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    widths = {}
    for url in site_pages(site):
        page.goto(served_site + url)
        widths[url or "/"] = overflow(page)
    context.close()
    assert {url: px for url, px in widths.items() if px > 0} == {}


def test_text_at_200_percent_fits_without_sideways_scrolling(browser, site, served_site):
    """The browser's own text-size setting doubled (as a reader with low vision sets it), not a CSS trick."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    problems = {}
    for url in site_pages(site):
        page.goto(served_site + url)
        body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert body_px >= 32, f"/{url}: text did not grow with the browser setting ({body_px}px)"
        if overflow(page) > 0:
            problems[url or "/"] = overflow(page)
    context.close()
    assert problems == {}


CONTROLS = "button, input, select, textarea, summary, .quick-exit__button, .site-nav a, .pagination__link, .skip-link"


def test_every_control_is_at_least_24_by_24_pixels(browser, site, served_site):
    """WCAG 2.5.8: buttons, form inputs and menu links (links inside sentences are exempt, and axe checks their spacing)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    small = []
    for url in site_pages(site):
        page.goto(served_site + url)
        page.focus(".skip-link")  # shown only on focus
        for size in page.eval_on_selector_all(CONTROLS, """els => els
                .filter(el => el.getClientRects().length)
                .map(el => { const r = el.getBoundingClientRect();
                             return [el.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)]; })"""):
            if size[1] < 24 or size[2] < 24:
                small.append((url, *size))
    context.close()
    assert small == []


def test_nothing_moves_when_the_reader_asks_for_reduced_motion(browser, site, served_site):
    context = browser.new_context(viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    moving = {}
    for url in site_pages(site):
        page.goto(served_site + url)
        moving[url] = page.evaluate("""() => {
            const found = [];
            for (const el of [document.documentElement, ...document.querySelectorAll('*')]) {
              const style = getComputedStyle(el);
              const durations = (style.transitionDuration + ',' + style.animationDuration).split(',');
              if (durations.some(d => parseFloat(d) > 0) || style.scrollBehavior === 'smooth') {
                found.push(el.tagName + '.' + el.className);
              }
            }
            return found; }""")
    context.close()
    assert {url: found for url, found in moving.items() if found} == {}


# For each element that gets keyboard focus: is its focus ring visible, and is it not hidden behind
# the sticky "Leave this site" bar (WCAG 2.4.7 and 2.4.11)?
FOCUS_STATE = """() => {
  const el = document.activeElement;
  window.focusVisited = window.focusVisited || new WeakSet();
  if (!el || el === document.body || window.focusVisited.has(el)) return null;  // wrapped round: page done
  window.focusVisited.add(el);
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 10), r.top + r.height / 2);
  const seen = !!hit && (el === hit || el.contains(hit) || hit.contains(el) || (el.labels && [...el.labels].some(l => l.contains(hit))));
  return {name: el.outerHTML.slice(0, 80), ring, seen};
}"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_every_focusable_element_shows_a_visible_focus_ring_and_is_not_hidden(browser, site, served_site, size):
    context = browser.new_context(viewport=size)
    page = context.new_page()
    problems, visited = [], 0
    for url in site_pages(site):
        page.goto(served_site + url)
        for _ in range(300):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_STATE)
            if state is None:
                break
            visited += 1
            if not (state["ring"] and state["seen"]):
                problems.append((url, state))
    context.close()
    assert visited > 17 * 10, "the Tab key should reach every link and control"
    assert problems == []
