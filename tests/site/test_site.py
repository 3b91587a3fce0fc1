"""The real site, built from the repository's content: every page complete, every link working."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import language_of, site_pages
from htmlscan import scan

# Each topic the guide promises, with words a reader of that page must find.
TOPICS = {
    "": ["intensive outpatient", "988"],
    "what-is-an-iop/": ["9 hours", "virtual", "evening"],
    "who-it-suits/": ["withdrawal", "crisis"],
    "levels-of-care/": ["partial hospitalization", "residential", "outpatient"],
    "program-components/": ["group", "family", "CBT", "DBT", "aftercare", "relapse"],
    "what-to-expect/": ["week", "aftercare"],
    "myths/": [],
    "choosing-a-provider/": ["Joint Commission", "CARF", "licens", "insurance"],
    "challenges/": ["transport", "childcare", "stigma"],
    "getting-the-most/": [],
    "families/": ["988"],
    "cost-and-insurance/": ["Medicare", "2024", "insurance"],
    "faq/": [],
    "get-help-now/": ["911", "988", "1-800-662-4357"],
    "about/": ["not medical advice", "cookies"],
    "browsing-safely/": ["private", "history"],
}


def test_every_topic_page_exists_with_its_key_content(site: Path):
    for url, words in TOPICS.items():
        page = site / url / "index.html"
        assert page.is_file(), f"/{url} is missing"
        text = scan(page).text.lower()
        for word in words:
            assert word.lower() in text, f"/{url} does not mention {word!r}"


def test_levels_of_care_is_a_real_table(site: Path):
    page = scan(site / "levels-of-care/index.html")
    headers = " ".join(page.texts("th"))
    assert page.all("table") and len(page.all("tr")) >= 5
    assert "Level of care" in headers and "Hours a week" in headers  # a reader can tell what each column is


def test_myths_page_has_at_least_six_paired_myths(site: Path):
    html = (site / "myths/index.html").read_text()
    assert html.count('<section class="myth"') >= 6
    assert html.count('<section class="myth"') == html.count('class="myth__fact"')


def test_provider_checklist_is_real_checkboxes(site: Path):
    page = scan(site / "choosing-a-provider/index.html")
    boxes = page.all("input", type="checkbox")
    labels = {a.get("for") for a in page.all("label")}
    assert len(boxes) >= 8
    assert all(box["id"] in labels for box in boxes)


def test_faq_has_questions_as_headings(site: Path):
    page = scan(site / "faq/index.html")
    questions = [h for h in page.texts("h2") if h.endswith("?")]
    assert len(questions) >= 8


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, object]:
    return {url: scan(site / url / "index.html") for url in site_pages(site)}


def test_every_page_has_title_description_dates_sources_and_crisis_lines(pages):
    assert len(pages) >= len(TOPICS)
    for url, page in pages.items():
        words = language_of(url)
        assert page.texts("title")[0].endswith(f"| {words.site_name}") or url == (f"{words.code}/" if words.code else ""), url
        description = page.all("meta", name="description")
        assert description and 0 < len(description[0]["content"]) <= 160, url
        assert len(page.all("time")) in (2, 3) and words.ui["last_reviewed"] in page.text and words.ui["next_review"] in page.text, url
        assert page.all("section", class_="sources") and page.all("li", class_="sources__item"), url
        banner = page.all("aside", class_="crisis-banner")
        assert banner and page.all("a", href="tel:988") and page.all("a", href="sms:988"), url
        assert page.all("a", href="tel:911"), url
        assert page.all("link", rel="canonical"), url


def test_every_page_is_well_formed_semantic_html(pages, site: Path):
    for url, page in pages.items():
        html = (site / url / "index.html").read_text()
        assert html.startswith(f"<!DOCTYPE html>\n<html lang=\"{language_of(url).language}\">"), url
        assert len(page.all("h1")) == 1, url
        assert page.all("main") and page.all("nav") and page.all("header") and page.all("footer"), url
        assert page.all("a", class_="skip-link", href="#main-content") and "main-content" in page.ids(), url
        levels = [int(t[1]) for t, _ in page.tags if re.fullmatch(r"h[1-6]", t)]
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{url} skips a heading level: {levels}"
        # strict CSP: no inline scripts, styles or event handlers
        assert not page.all("style") and not [a for t, a in page.tags if "style" in a], url
        # scripts are files; inline <script>s are only JSON data blocks, which never run
        assert all(a.get("src") or a.get("type") in ("application/json", "application/ld+json")
                   for a in page.all("script")), url
        assert not [a for t, a in page.tags if any(k.startswith("on") for k in a)], url


def test_every_internal_link_and_anchor_resolves(site: Path, pages):
    for url, page in pages.items():
        for attrs in page.tags:
            tag, a = attrs
            target = a.get("href") if tag in ("a", "link") else a.get("src") if tag in ("img", "script") else None
            if not target or urlsplit(target).scheme or target.startswith("//"):
                continue
            parts = urlsplit(target)
            path = posixpath.normpath(posixpath.join("/" + url, unquote(parts.path))) if parts.path else "/" + url
            file = site / path.lstrip("/")
            if parts.path.endswith("/") or not parts.path or file.is_dir():
                file = file / "index.html"
            assert file.is_file(), f"/{url} links to {target}, which does not exist"
            if parts.fragment and file.suffix == ".html":
                assert parts.fragment in scan(file).ids(), f"/{url} links to #{parts.fragment}, missing in {file}"


def test_sitemap_robots_and_404(site: Path, pages):
    sitemap = (site / "sitemap.xml").read_text()
    assert sorted(re.findall(r"<loc>https://example.org/(.*?)</loc>", sitemap)) == sorted(pages)
    assert "Sitemap: https://example.org/sitemap.xml" in (site / "robots.txt").read_text()
    not_found = (site / "404.html").read_text()
    assert "Page not found" in not_found and re.search(r'href="/static/site\.[0-9a-f]{10}\.css"', not_found)


def test_no_page_loads_anything_from_another_site(site: Path, pages):
    for url, page in pages.items():
        for tag, a in page.tags:
            if tag in ("script", "img", "iframe") or (tag == "link" and a.get("rel") in ("stylesheet", "icon")):
                source = a.get("src") or a.get("href") or ""
                assert not urlsplit(source).scheme and not source.startswith("//"), f"/{url} loads {source}"
