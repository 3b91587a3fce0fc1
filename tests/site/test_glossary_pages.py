"""The real site explains its terms where they appear: a term's plain meaning follows its first use, as
text every phone and screen reader gets, and /glossary/ and /es/glossary/ list every entry."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from htmlscan import scan
from iopguide.source.glossary import load_glossaries


def words(html_file: Path) -> str:
    return " ".join(scan(html_file).text.split())


def test_choosing_a_provider_explains_its_terms_inline_in_both_languages(site: Path):
    english = words(site / "choosing-a-provider/index.html")
    assert "such as CBT (cognitive behavioral therapy: a talking therapy that helps you notice unhelpful thoughts" in english
    assert english.count("(cognitive behavioral therapy:") == 1  # the first use only
    spanish = words(site / "es/choosing-a-provider/index.html")
    # the Spanish page spells CBT out itself, so it adds nothing there; CARF it does not
    assert "la terapia cognitivo-conductual (CBT, por sus siglas en inglés)" in spanish
    assert "(terapia cognitivo-conductual:" not in spanish
    assert "CARF (Comisión de Acreditación de Centros de Rehabilitación: un grupo que revisa" in spanish


@pytest.mark.parametrize("code", ["", "es"], ids=["English", "Spanish"])
def test_the_glossary_page_lists_every_entry_and_every_page_links_to_it(site: Path, code: str):
    glossary = load_glossaries(ROOT / "content", ["", "es"], [])[code]
    folder = site / code if code else site
    page = scan(folder / "glossary/index.html")
    listed = [attributes["id"] for attributes in page.all("dt")]
    assert listed == [term.anchor for term in sorted(glossary.terms, key=lambda term: term.term.lower())]  # A to Z
    assert len(listed) >= 20
    text = " ".join(page.text.split())
    assert all(term.meaning in text for term in glossary.terms)
    home = (folder / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a [^>]*href="glossary/"', home)
