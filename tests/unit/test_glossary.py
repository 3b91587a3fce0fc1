"""The glossary: content/glossary.yaml refuses each mistake at its line, and a page shows a term's plain
meaning after its first use in prose only — in either language, never where the page spelled it out."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from iopguide.errors import ContentError
from iopguide.markup.convert import _convert, make_markdown
from iopguide.markup.extension import PageContext
from iopguide.model import Term, glossary_key
from iopguide.source.glossary import load_glossaries

CBT = Term("CBT", "a talking therapy", "cognitive behavioral therapy", "https://www.nimh.nih.gov/")
TCC = Term("CBT", "una terapia de conversación", "terapia cognitivo-conductual")
IOP = Term("IOP", "treatment a few days a week")
TERMS = {glossary_key("", "CBT"): CBT, glossary_key("es", "CBT"): TCC, glossary_key("", "IOP"): IOP}
MAIN = """terms:
  - term: CBT
    stands_for: cognitive behavioral therapy
    meaning: a talking therapy
  - term: IOP
    meaning: treatment a few days a week
plain_words: [AYUDA]
"""


def load(tmp_path: Path, main: str, spanish: str | None = None) -> tuple[dict, list[str]]:
    (tmp_path / "es").mkdir(exist_ok=True)
    (tmp_path / "glossary.yaml").write_text(main)
    if spanish is not None:
        (tmp_path / "es" / "glossary.yaml").write_text(spanish)
    errors: list[ContentError] = []
    glossaries = load_glossaries(tmp_path, ["", "es"], errors)
    return glossaries, [f"{Path(e.path).name}:{e.line}: {e.message} — {e.hint}" for e in errors]


def test_a_glossary_gives_each_language_its_terms_and_plain_words(tmp_path):
    glossaries, errors = load(tmp_path, MAIN, "terms:\n  - term: CBT\n    meaning: una terapia de conversación\n")
    assert errors == []
    assert glossaries[""].terms == (Term("CBT", "a talking therapy", "cognitive behavioral therapy"),
                                    Term("IOP", "treatment a few days a week"))
    assert glossaries[""].plain_words == ("AYUDA",)
    assert [term.term for term in glossaries["es"].terms] == ["CBT"]


@pytest.mark.parametrize("text, spanish, expected", [
    (MAIN.replace("a talking therapy", "a talking therapy " + "that goes on " * 10),
     None, "glossary.yaml:4: 'terms.meaning' is 147 characters long; the limit is 120 — shorten it by at least 27 characters"),
    (MAIN.replace("    stands_for:", "    stand_for:"), None,
     "glossary.yaml:3: unknown key 'stand_for' in 'terms' — did you mean 'stands_for'?"),
    (MAIN.replace("plain_words: [AYUDA]\n", "  - term: CBT\n    meaning: again\n"), None,
     "glossary.yaml:7: 'CBT' is in the glossary twice (also at line 2) — keep one entry for it and delete the other"),
    (MAIN.replace("term: IOP", "term: naloxone"), None,
     "glossary.yaml:5: 'terms.term' has the wrong form: 'naloxone' — a term is an abbreviation as pages write it: "
     "two or more capitals, like CBT or IOPs"),
    (MAIN.replace("    meaning: treatment a few days a week\n", ""), None, "glossary.yaml:5: 'terms.meaning' is missing"),
    (MAIN, "terms:\n  - term: CBT\n    meaning: una terapia\n  - term: IPO\n    meaning: un programa\n",
     "glossary.yaml:4: 'IPO' is not a term of content/glossary.yaml — did you mean 'IOP'?"),
])
def test_each_mistake_is_refused_at_its_line(tmp_path, text, spanish, expected):
    _, errors = load(tmp_path, text, spanish)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_a_spanish_glossary_without_an_english_one_is_refused(tmp_path):
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "glossary.yaml").write_text("terms:\n  - term: CBT\n    meaning: una terapia\n")
    errors: list[ContentError] = []
    assert load_glossaries(tmp_path, ["", "es"], errors)["es"].terms == ()
    assert [e.message for e in errors] == ["there is a glossary in content/es/ but none in content/"]


@pytest.fixture(scope="module")
def md():
    return make_markdown()


def convert(md, text: str, rel_path: str = "x.md") -> tuple[str, list[str]]:
    context = PageContext(rel_path, "x/", {}, {}, language="es" if rel_path.startswith("es/") else "",
                          terms=TERMS, plain_words={glossary_key("", "AYUDA")})
    return _convert(md, text, context), context.unexplained


MEANING = '<span class="term">CBT <span class="term__meaning">(cognitive behavioral therapy: a talking therapy)</span></span>'


def test_only_the_first_use_in_prose_gets_the_meaning_not_headings_links_or_code(md):
    html, _ = convert(md, "## What CBT is\n\nSee [CBT](https://example.org) and `CBT`.\n\nMany offer CBT. CBT helps.")
    assert html.count("term__meaning") == 1
    assert '<h2 id="what-cbt-is">What CBT is</h2>' in html and '<a href="https://example.org">CBT</a>' in html
    assert "<code>CBT</code>" in html
    assert f"Many offer {MEANING}. CBT helps." in html


def test_a_bold_or_abbr_term_gets_the_meaning_after_it_in_plain_type(md):
    html, _ = convert(md, "Ask about **CBT**.")
    assert '<span class="term"><strong>CBT</strong> <span class="term__meaning">(cognitive' in html


def test_no_meaning_where_the_page_spelled_the_term_out(md):
    for text in ("Cognitive behavioral therapy (CBT) helps. Ask about CBT.",
                 "Cognitive behavioral\ntherapy helps.\n\nAsk about CBT.",
                 "CBT (talking about thoughts) helps."):
        html, unexplained = convert(md, text)
        assert "term__meaning" not in html and unexplained == [], text


def test_spanish_pages_get_the_spanish_meaning_and_a_plural_its_singulars(md):
    html, _ = convert(md, "Pregunte por la CBT.", "es/x.md")
    assert '<span class="term__meaning">(terapia cognitivo-conductual: una terapia de conversación)</span>' in html
    html, _ = convert(md, "Many IOPs meet in the evening.")
    assert '<span class="term">IOPs <span class="term__meaning">(treatment a few days a week)</span></span>' in html


def test_a_use_inside_a_longer_name_waits_for_the_terms_next_use(md):
    """A meaning would split "the CBT Skills Group", "42 CBT 7" or "CBT's methods": the next use gets it."""
    for name in ("the CBT Skills Group", "rule 42 CBT", "CBT's methods", "CBT 7"):
        html, _ = convert(md, f"See {name}. Ask about CBT today.")
        assert f"Ask about {MEANING} today." in html, name
    html, _ = convert(md, "Ask about CBT care.")  # a plain word after it is no name
    assert f"Ask about {MEANING} care." in html


def test_an_english_plural_gets_the_long_form_in_the_plural(md):
    html, _ = convert(md, "Some offer CBTs.")
    assert '<span class="term">CBTs <span class="term__meaning">(cognitive behavioral therapies: a talking therapy)' in html


def test_the_abbreviations_a_page_leaves_unexplained_are_noted_for_check(md):
    _, unexplained = convert(md, "## About CMS\n\nText AYUDA. The FDA (Food and Drug Administration), "
                                 "GAO-21 and `ABC`.\n\nSee https://example.org/NBK.\n\n*[HHS]: Health\n\nHHS[^1].\n\n"
                                 "[^1]: NIDA. A source.")
    assert unexplained == ["CMS", "GAO"]


def test_the_real_glossaries_cover_the_same_terms_with_short_sourced_meanings():
    root = Path(__file__).resolve().parents[2] / "content"
    errors: list[ContentError] = []
    glossaries = load_glossaries(root, ["", "es"], errors)
    assert errors == []
    english, spanish = ([term.term for term in glossaries[code].terms] for code in ("", "es"))
    assert english == spanish and len(english) >= 20
    assert all(re.fullmatch(r"https://\S+", term.source) for term in glossaries[""].terms if term.term != "ASL")
