"""The real site in both languages, as readers and search engines meet it: every page says its
language, names its versions in the others both ways, and its language switcher never leads to a
404; the Spanish pages speak Spanish, down to the quick exit, the crisis banner and the 404 page."""
from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT, Project, language_of, real_config, site_pages
from htmlscan import scan

BASE = "https://example.org/"


@pytest.fixture(scope="module")
def pages(site: Path):
    return {url: scan(site / url / "index.html") for url in site_pages(site)}


def html_files(site: Path) -> list[str]:
    """Every HTML file of the site, the 404 pages among them, like 'es/faq/index.html'."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))


def language_of_file(rel: str):
    """The config as the file at `rel` (like 'es/404.html') sees it."""
    return language_of(rel if "/" in rel else "")


def alternates(page) -> dict[str, str]:
    """hreflang → address, from the page's <link rel="alternate"> tags."""
    return {a["hreflang"]: a["href"] for a in page.all("link", rel="alternate") if "hreflang" in a}


def resolve(site: Path, rel: str, href: str) -> Path:
    """The file a link on the file at `rel` opens: a relative, root-relative or absolute address on the site."""
    if href.startswith(BASE):
        path = href[len(BASE):]
    elif href.startswith("/"):
        path = href[1:]
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href)) + ("/" if href.endswith("/") else "")
        path = "" if path in (".", "./") else path
    return site / path / "index.html" if path == "" or path.endswith("/") else site / path


def test_hreflang_links_are_reciprocal_on_every_page(pages):
    main = real_config().language
    translated = 0
    for url, page in pages.items():
        versions = alternates(page)
        if not versions:
            continue
        translated += 1
        assert versions[language_of(url).language] == BASE + url, (url, versions)  # it lists itself
        assert versions["x-default"] == versions[main], (url, versions)  # x-default is the English version
        for language, href in versions.items():
            other = href.removeprefix(BASE)
            assert other in pages, f"/{url} names {href} for {language}, which is not a page"
            assert alternates(pages[other]) == versions, f"/{url} lists /{other}, which does not list it back the same"
    spanish = [url for url in pages if url.startswith("es/")]
    assert spanish and translated >= 2 * len(spanish)


def test_every_spanish_file_is_paired_with_the_english_file_of_the_same_name(pages):
    for source in sorted((ROOT / "content" / "es").glob("*.md")):
        slug = "" if source.stem == "index" else f"{source.stem}/"
        if f"es/{slug}" not in pages:
            continue  # a draft
        assert alternates(pages[f"es/{slug}"])["en-US"] == BASE + slug, source.name
        assert alternates(pages[slug])["es-US"] == BASE + f"es/{slug}", source.name


def test_the_language_switcher_never_leads_to_a_404(site: Path, pages):
    code_of = {real_config().language: "", **{language.language: language.code for language in real_config().other_languages}}
    for rel in html_files(site):
        page = scan(site / rel)
        own = language_of_file(rel)
        links = page.all("a", class_="language-switch__link")
        assert len(links) == len(real_config().codes) - 1, rel
        url = rel.removesuffix("index.html")
        for link in links:
            target = resolve(site, rel, link["href"])
            assert target.is_file(), f"{rel}: the switcher's {link['href']} is a 404"
            assert link["lang"] == link["hreflang"] and link["hreflang"] != own.language, rel
            # to the page's own translation when it has one, or to that language's home page
            versions = alternates(pages[url]) if url in pages else {}
            code = code_of[link["hreflang"]]
            expected = (site / versions[link["hreflang"]].removeprefix(BASE) / "index.html" if link["hreflang"] in versions
                        else site / code / "index.html")
            assert target == expected, (rel, link["href"])
        assert page.all("nav", class_="language-switch", **{"aria-label": own.ui["language_label"]}), rel


def test_every_page_and_404_says_its_language_as_its_folder_does(site: Path):
    for rel in html_files(site):
        html = (site / rel).read_text(encoding="utf-8")
        assert html.startswith(f'<!DOCTYPE html>\n<html lang="{language_of_file(rel).language}">'), rel
    assert language_of_file("es/404.html").language == "es-US"


def test_sharing_cards_name_the_pages_locale_and_its_other_languages(pages):
    for url, page in pages.items():
        og = [(a["property"], a["content"]) for a in page.all("meta") if a.get("property", "").startswith("og:locale")]
        own = language_of(url).language
        others = [language for language in alternates(page) if language not in (own, "x-default")]
        assert og == [("og:locale", own.replace("-", "_"))] + [("og:locale:alternate", o.replace("-", "_")) for o in others], url


def test_the_sitemap_lists_every_page_once_with_the_alternates_of_its_head(site: Path, pages):
    spaces = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries = ET.parse(site / "sitemap.xml").getroot().findall("s:url", spaces)
    listed = [entry.find("s:loc", spaces).text.removeprefix(BASE) for entry in entries]
    assert sorted(listed) == sorted(pages) and len(set(listed)) == len(listed)
    for url, entry in zip(listed, entries):
        links = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", spaces)}
        assert all(link.get("rel") == "alternate" for link in entry.findall("x:link", spaces)), url
        assert links == alternates(pages[url]), url


def test_the_spanish_404_page_is_in_spanish_and_lists_the_spanish_guide(site: Path):
    for rel in ("404.html", "es/404.html"):
        words = language_of_file(rel)
        page = scan(site / rel)
        assert page.texts("title")[0] == f"{words.ui['not_found_title']} | {words.site_name}", rel
        assert page.texts("h1") == [words.ui["not_found_title"]] and words.ui["not_found_text"] in page.text, rel
        assert words.ui["quick_exit"] in page.text, rel
    spanish = scan(site / "es/404.html")
    guide = [a["href"] for a in spanish.all("a") if a.get("href", "").startswith("/") and "language-switch__link" not in a.get("class", "")]
    assert guide and all(resolve(site, "es/404.html", href).is_file() for href in guide)
    assert any(href.startswith("/es/") and href != "/es/" for href in guide), guide  # the Spanish guide, not the English one


def test_every_spanish_page_says_its_translation_awaits_a_bilingual_reviewer(pages):
    sentences = {language_of(code + "/").ui["awaiting_translation_review"] for code in real_config().codes}
    for url, page in pages.items():
        words = language_of(url)
        if words.code:
            assert (words.ui["awaiting_translation_review"] in page.text
                    or f"{words.ui['translation_reviewed_by']}: " in page.text), url
        else:  # an English page is no translation
            assert not [sentence for sentence in sentences if sentence in page.text], url


def test_the_spanish_pages_show_the_spanish_crisis_banner_with_988_and_911(pages):
    lines = language_of("es/").lines_of_kind("crisis")
    for url, page in pages.items():
        if not url.startswith("es/"):
            continue
        assert page.all("aside", class_="crisis-banner", **{"aria-label": language_of(url).ui["crisis_label"]}), url
        assert page.all("a", href="tel:988") and page.all("a", href="tel:911"), url
        assert "¿Necesita ayuda ahora?" in page.text and "Llame al 988" in page.text and "Llame al 911" in page.text, url
        assert all(f"{line.name}:" in page.text for line in lines), url


def test_the_spanish_pages_use_the_spanish_words_for_every_control(pages):
    english = real_config().ui
    for url, page in pages.items():
        words = language_of(url).ui
        assert page.all("a", class_="quick-exit__button") and words["quick_exit"] in page.text, url
        assert page.all("a", class_="skip-link") and words["skip_link"] in page.text, url
        assert page.all("nav", class_="site-nav", **{"aria-label": words["nav_label"]}), url
        if url.startswith("es/"):
            assert words["quick_exit"] == "Salir de este sitio"
            for key in ("quick_exit", "quick_exit_hint", "skip_link", "crisis_more", "last_reviewed", "next_review"):
                assert english[key] not in page.text, (url, key)


def test_structured_data_says_each_pages_language(pages):
    for url, page in pages.items():
        data = [json.loads(text) for text, (_, a) in zip(page.texts("script"), [t for t in page.tags if t[0] == "script"])
                if a.get("type") == "application/ld+json"]
        assert data and all(node["inLanguage"] == language_of(url).language for node in data[0] if "inLanguage" in node), url
        assert data[0][0]["inLanguage"] == language_of(url).language, url


def test_the_site_name_on_each_page_leads_to_the_home_page_of_its_language(site: Path):
    for rel in html_files(site):
        page = scan(site / rel)
        home = page.all("a", class_="site-header__name")[0]["href"]
        code = language_of_file(rel).code
        assert resolve(site, rel, home) == site / code / "index.html", (rel, home)


def test_the_spanish_self_check_runs_the_english_rules(site: Path):
    def rules(url: str) -> dict:
        html = (site / url / "index.html").read_text(encoding="utf-8")
        return json.loads(re.search(r'class="quiz__data">(.*?)</script>', html, re.S).group(1))

    assert rules("es/quiz") == rules("quiz")


def test_the_preview_answers_a_missing_spanish_address_with_the_spanish_404(site: Path):
    from iopguide.commands.serve import PreviewApp

    app = PreviewApp(SimpleNamespace(output=site, errors=[]))
    for path, page in (("/es/missing/", "es/404.html"), ("/es/a/b/missing", "es/404.html"), ("/missing/", "404.html"),
                       ("/esp/missing/", "404.html")):
        status, kind, body = app.answer(path)
        assert (status, kind) == (404, "text/html; charset=utf-8") and body == (site / page).read_bytes(), path
    assert app.answer("/es/")[0] == 200


def run_build(root: Path, *args: str):
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=root, capture_output=True, text=True, timeout=120)


def test_new_with_lang_and_of_starts_a_spanish_translation_paired_with_its_page(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    for name in ("content", "templates", "static"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "site_config.yaml", root)
    (root / "content" / "es" / "faq.md").unlink()

    done = run_build(root, "new", "Preguntas frecuentes", "--lang", "es", "--of", "faq.md")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("Created content/es/faq.md as a draft. Write it, then remove 'draft: true' to publish it.\n"
                           "It translates content/faq.md: the language switcher and hreflang links pair them.\n")
    text = (root / "content" / "es" / "faq.md").read_text(encoding="utf-8")
    assert 'title: "Preguntas frecuentes"' in text and "draft: true" in text
    assert "template: faq\n" in text and "menu_order: 20\n" in text  # its place in the guide, as the English page's

    built = run_build(root, "--drafts")
    assert built.returncode == 0, built.stderr
    english = scan(root / "output" / "faq" / "index.html")
    assert [a["href"] for a in english.all("a", class_="language-switch__link")] == ["../es/faq/"]
    assert alternates(english)["es-US"] == BASE + "es/faq/"

    again = run_build(root, "new", "Preguntas frecuentes", "--lang", "es", "--of", "faq.md")
    assert again.returncode == 1 and "content/es/faq.md: this file already exists, so nothing was created" in again.stderr


def test_new_refuses_a_language_the_site_does_not_have(tmp_path: Path):
    project = Project(tmp_path / "minimal")  # English only
    shutil.copy(ROOT / "site_config.yaml", tmp_path / "site_config.yaml")
    wrong = run_build(tmp_path, "new", "Une page", "--lang", "xx", "--content", "minimal/content")
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "--lang: 'xx' is not one of the site's other languages — choose one of: es"
    none = run_build(project.root, "new", "Una página", "--lang", "es")
    assert none.returncode == 1
    assert none.stderr.strip() == ("--lang: 'es' is not one of the site's other languages — add the language under "
                                   "other_languages: in the config first (docs/translating.md)")
    assert not list((project.root / "content").rglob("*un*.md")) and not (project.root / "content" / "es").exists()
    alone = run_build(project.root, "new", "Preguntas", "--of", "topic.md")  # --of pairs a translation: it needs --lang
    assert alone.returncode == 1
    assert alone.stderr.strip() == ("--of: --of names the page a translation translates, so it needs --lang — add the "
                                    'language, like: build.py new "Título" --lang es --of topic.md')
