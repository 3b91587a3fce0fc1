"""What browsers, hosts and search engines read: valid HTML and CSS, security headers, JSON-LD, sharing cards."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import language_of, read_headers_file, site_pages
from htmlscan import scan


@pytest.fixture(scope="module")
def pages(site: Path):
    return {url: scan(site / url / "index.html") for url in site_pages(site)}


def nu_check(vnu_jar: Path, files: list[Path]) -> list[dict]:
    done = subprocess.run(["java", "-jar", str(vnu_jar), "--format", "json", "--also-check-css", "--also-check-svg",
                           *map(str, files)], capture_output=True, text=True, timeout=300)
    return json.loads(done.stderr)["messages"]


@pytest.mark.slow  # the checker starts a Java virtual machine
def test_every_page_stylesheet_and_icon_passes_the_nu_html_checker(site: Path, vnu_jar: Path):
    files = sorted(p for p in site.rglob("*") if p.suffix in (".html", ".css", ".svg"))
    messages = nu_check(vnu_jar, files)
    # vnu checks files from disk, where 'self' in the policy matches nothing, so it reports every
    # stylesheet as blocked; the browser tests prove the policy blocks nothing when served.
    reported = [f"{m['url'].rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}"
                for m in messages if "Content Security Policy" not in m["message"]]
    assert len(files) >= 19
    assert reported == []


@pytest.mark.slow  # the checker starts a Java virtual machine
def test_the_checker_does_report_invalid_html(tmp_path: Path, vnu_jar: Path):
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><html lang="en"><title>x</title><p><div>x</p><input type=radio autocomplete=off>')
    assert any(m["type"] == "error" for m in nu_check(vnu_jar, [broken]))


def test_headers_file_carries_the_same_policy_as_every_page(site: Path, pages):
    headers = read_headers_file(site / "_headers")
    assert (site / "_headers").read_text().startswith("/*\n")
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    # the one exception to 'self' alone: WebAssembly, for the search page's Pagefind (render/metadata.py)
    assert policy.replace(" 'wasm-unsafe-eval'", "").count("unsafe") == 0
    for url, page in pages.items():
        meta = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
        assert len(meta) == 1, url
        # the meta tag is the header's policy minus frame-ancestors, which browsers ignore in <meta>;
        # every page but the search page also refuses WebAssembly (the browser enforces both policies)
        search_meta = policy.removesuffix("; frame-ancestors 'none'")
        strict = search_meta.replace("; script-src 'self' 'wasm-unsafe-eval'", "")
        assert meta[0]["content"] == (search_meta if url.endswith("search/") else strict), url
        assert page.all("meta", name="referrer", content="no-referrer"), url


def json_ld(page) -> list[dict]:
    blocks = page.texts("script")
    data = [json.loads(text) for text, (_, a) in zip(blocks, [t for t in page.tags if t[0] == "script"])
            if a.get("type") == "application/ld+json"]
    assert len(data) == 1
    return data[0]


def test_every_page_is_a_medical_web_page_with_its_review_date(site: Path, pages):
    for url, page in pages.items():
        graph = json_ld(page)
        web_page = graph[0]
        assert web_page["@context"] == "https://schema.org" and web_page["@type"] == "MedicalWebPage", url
        assert web_page["url"] == page.all("link", rel="canonical")[0]["href"], url
        assert web_page["name"] == page.texts("h1")[0], url
        reviewed = re.search(r'<time datetime="(\d{4}-\d\d-\d\d)"', (site / url / "index.html").read_text())
        assert reviewed and web_page["lastReviewed"] == reviewed.group(1), url
        assert web_page["citation"] and all(c["url"].startswith("https://") for c in web_page["citation"]), url


def test_the_faq_is_also_an_faq_page_with_every_question_in_each_language(site: Path, pages):
    faqs = ["faq/", "es/faq/"]
    for url in faqs:
        faq = json_ld(pages[url])
        assert [node["@type"] for node in faq] == ["MedicalWebPage", "FAQPage"]
        assert faq[0]["inLanguage"] == language_of(url).language
        questions = faq[1]["mainEntity"]
        shown = [re.sub(r"<[^>]+>", "", question) for question in
                 re.findall(r'<h2 class="faq-item__question" id="[^"]+">(.+?)</h2>', (site / url / "index.html").read_text())]
        assert len(questions) >= 10 and [q["name"] for q in questions] == shown
        assert all(q["acceptedAnswer"]["text"] and "<" not in q["acceptedAnswer"]["text"] for q in questions)
    assert all(len(json_ld(page)) == 1 for url, page in pages.items() if url not in faqs)


def test_every_page_has_a_sharing_card_favicon_and_theme_colour(site: Path, pages):
    icon = pages[""].all("link", rel="icon")[0]["href"]
    assert (site / icon).read_text().startswith("<svg")
    for url, page in pages.items():
        og = {a["property"]: a["content"] for a in page.all("meta") if a.get("property", "").startswith("og:")}
        assert og["og:title"] == page.texts("h1")[0] and og["og:url"].startswith("https://example.org/"), url
        words = language_of(url)
        assert og["og:site_name"] == words.site_name and og["og:locale"] == words.language.replace("-", "_"), url
        assert og["og:description"], url
        assert og["og:type"] == ("website" if url == "" else "article"), url
        assert page.all("meta", name="twitter:card", content="summary"), url
        assert page.all("meta", name="theme-color", content="#1d4f6e"), url
        assert page.all("link", rel="icon", type="image/svg+xml"), url


def test_reviewer_is_named_and_a_hostile_title_cannot_escape_the_data_block(project):
    project.edit("content/topic.md", "title: A topic page", 'title: "Stop </script><script>alert(1)</script>"\n'
                 "reviewed_by:\n  name: Test Reviewer\n  role: Test role\nlast_updated: 2026-01-20")
    assert project.build().code == 0
    page = scan(project.root / "output" / "topic" / "index.html")
    assert all(a.get("src") or a.get("type") == "application/ld+json" for _, a in page.tags if _ == "script")
    web_page = json_ld(page)[0]
    assert web_page["reviewedBy"] == {"@type": "Person", "name": "Test Reviewer", "jobTitle": "Test role"}
    assert web_page["name"] == "Stop </script><script>alert(1)</script>"
    assert (web_page["lastReviewed"], web_page["dateModified"]) == ("2026-01-15", "2026-01-20")
    assert "Reviewed by: Test Reviewer, Test role" in page.text
    assert "Page last reviewed: January 15, 2026 · Page last updated: January 20, 2026" in page.text
    assert "not been checked by a clinical reviewer" not in page.text


def test_a_page_without_a_reviewer_says_so_beside_its_review_date(project):
    assert project.build().code == 0
    page = scan(project.root / "output" / "topic" / "index.html")
    assert "This page has not been checked by a clinical reviewer yet." in page.text
    web_page = json_ld(page)[0]
    assert "reviewedBy" not in web_page and web_page["dateModified"] == web_page["lastReviewed"] == "2026-01-15"


def test_the_publisher_is_named_in_every_footer_and_in_the_structured_data(project):
    assert project.build().code == 0
    for url, policy_href in (("", "get-help-now/"), ("topic/", "../get-help-now/")):
        html = (project.root / "output" / url / "index.html").read_text()
        page = scan(project.root / "output" / url / "index.html")
        assert "Published by: Test Publisher, 1 Test Street, Testville" in page.text, url
        assert "Funding: Test funding" in page.text, url
        assert page.all("a", href="mailto:editors@example.org"), url
        assert f'<a href="{policy_href}">How we write and check our pages</a>' in html, url  # a page of the site
        web_page = json_ld(page)[0]
        assert web_page["publisher"] == {"@type": "Organization", "name": "Test Publisher",
                                         "address": "1 Test Street, Testville", "email": "editors@example.org"}
        assert web_page["funder"] == {"@type": "Organization", "name": "Test funding"}
        assert web_page["publishingPrinciples"] == "https://example.org/get-help-now/"
    project.edit("site_config.yaml", "  contact: editors@example.org", "  contact: https://example.org/contact")
    project.edit("site_config.yaml", "  editorial_policy: get-help-now.md", "  editorial_policy: https://example.org/policy")
    assert project.build().code == 0
    page = scan(project.root / "output" / "topic" / "index.html")
    assert page.all("a", href="https://example.org/policy") and page.all("a", href="https://example.org/contact")
    assert json_ld(page)[0]["publisher"]["url"] == "https://example.org/contact"
