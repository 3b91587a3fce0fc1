"""The GitHub Pages case: the published files with none of `_headers`, since GitHub Pages sends no
headers of the site's choosing. What readers rely on must hold there from each page itself; what
only a header can give must be said plainly in the README."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT, not_found_pages, site_pages
from iopguide.render.metadata import security_headers
from quizpage import USUAL, complete
from test_reader_safety import CSP_LISTENER, NEUTRAL

HOSTS = {"with _headers": "served_site", "GitHub Pages, no _headers": "served_site_without_headers"}
# What a page can say for itself: <meta http-equiv="Content-Security-Policy"> (all but frame-ancestors)
# and <meta name="referrer">. The rest only a host's headers can carry.
HEADER_ONLY = ("frame-ancestors", "X-Frame-Options", "X-Content-Type-Options", "Permissions-Policy")


@pytest.fixture(params=list(HOSTS.values()), ids=list(HOSTS))
def host(request) -> str:
    return request.getfixturevalue(request.param)


@pytest.fixture
def context(browser):
    """A fresh browser whose trip to the neutral site is answered here, so the test never leaves this machine."""
    context = browser.new_context()
    context.route(NEUTRAL + "**", lambda route: route.fulfill(content_type="text/html", body="<title>Weather</title>"))
    yield context
    context.close()


def test_every_page_enforces_its_policy_by_itself(context, site, host, served_site):
    context.add_init_script(script=CSP_LISTENER)
    page = context.new_page()
    for url in site_pages(site) + not_found_pages(site):
        response = page.goto(host + url)
        assert ("content-security-policy" in response.headers) == (host == served_site), url
        assert page.locator("script:not([src]):not([type='application/json']):not([type='application/ld+json'])"
                            ).count() == 0, url
        assert page.evaluate("window.cspViolations") == [], url
        assert page.evaluate("document.querySelector('meta[name=referrer]').content") == "no-referrer", url
    page.evaluate("""() => {
        const script = document.createElement('script'); script.textContent = 'window.ran = 1'; document.head.append(script);
        const style = document.createElement('style'); style.textContent = 'body { display: none }'; document.head.append(style);
    }""")
    assert page.evaluate("window.ran") is None and page.locator("body").is_visible()
    assert {found.split()[0] for found in page.evaluate("window.cspViolations")} == {"script-src-elem", "style-src-elem"}


def test_leave_this_site_hides_the_page_and_leaves(context, host):
    page = context.new_page()
    page.goto(host + "who-it-suits/")
    assert page.evaluate("""() => { document.querySelector('[data-quick-exit]').click();
                                    return [document.body.hidden, document.title]; }""") == [True, ""]
    page.wait_for_url(NEUTRAL)
    page.go_back()
    assert "127.0.0.1" not in page.url


def test_the_quiz_shows_crisis_lines_and_gives_a_result(context, host):
    page = context.new_page()
    page.goto(host + "quiz/")
    page.check("#q-who-me-adult")
    page.click("#quiz-continue")
    page.check("#q-danger-now-not-sure")
    assert page.locator("#quiz-alert-crisis a[href='tel:988']").first.is_visible()
    page.check("#q-danger-now-no")
    page.click("#quiz-continue")
    complete(page, {**USUAL, "weekly-therapy": "not-enough"})
    assert page.locator("#outcome-iop").is_visible() and page.locator("#quiz-alert-crisis").is_hidden()


def test_only_the_headers_stop_a_page_being_framed(context, host, served_site):
    """frame-ancestors and X-Frame-Options cannot be set from a page: without `_headers`, any site can
    show this one inside its own (to overlay it, or to watch which page a reader opens). The frame is
    made from the site's own robots.txt here: Chromium keeps other sites' pages from framing 127.0.0.1
    at all, and the two headers refuse every framer alike."""
    page = context.new_page()
    page.goto(host + "robots.txt")
    page.evaluate("""() => new Promise(loaded => { const frame = document.createElement('iframe');
        frame.onload = loaded; frame.src = 'faq/'; document.body.append(frame); })""")
    framed = [frame for frame in page.frames[1:] if frame.url == host + "faq/" and frame.locator("h1").count() == 1]
    assert bool(framed) == (host != served_site)


def test_the_readme_says_what_github_pages_cannot_send():
    """The README must not promise on GitHub Pages what only `_headers` can give."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    github_pages = re.search(r"^### GitHub Pages\n(.*?)^#", readme, re.MULTILINE | re.DOTALL)[1]
    assert [name for name in HEADER_ONLY if name not in github_pages] == []
    assert set(HEADER_ONLY) - {"frame-ancestors"} <= set(security_headers())
    assert "frame-ancestors" in security_headers()["Content-Security-Policy"]
    for host in ("Netlify", "Cloudflare Pages"):
        assert host in github_pages, f"say which hosts do send `_headers`: {host}"
