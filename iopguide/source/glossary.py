"""The glossary: content/glossary.yaml (and content/<code>/glossary.yaml for another language) gives
each abbreviation the pages use a short plain meaning, which a page shows after the term's first use
(markup/terms.py) and the glossary page lists.

    terms:
      - term: CBT                                   # as pages write it: two or more capitals
        stands_for: cognitive behavioral therapy    # optional: what the letters stand for
        meaning: a talking therapy that …           # one short plain phrase
        source: https://www.nimh.nih.gov/…          # optional: where the meaning was checked
    plain_words:                                    # optional: words in capitals that need no explanation
      - AYUDA

Another language's glossary explains the same abbreviations as the main one: the site writes the
names of US programs and agencies the same in every language ("CBT", "SAMHSA"), so each of its terms
must be one of the main glossary's; its words are its own.
"""
from __future__ import annotations

from pathlib import Path

from iopguide.errors import ContentError, did_you_mean, display_path
from iopguide.model import ABBREVIATION, GLOSSARY_FILE, Glossary, Term
from iopguide.source.schema import ListOf, Record, Str, Url, check_document
from iopguide.source.yaml_lines import read_yaml_file

MEANING_LIMIT = 120  # one short phrase, which a page shows in the middle of a sentence
STANDS_FOR_LIMIT = 90
_WORD_HINT = "a term is an abbreviation as pages write it: two or more capitals, like CBT or IOPs"

GLOSSARY = Record({
    "terms": ListOf(Record({
        "term": Str(required=True, max_length=20, pattern=ABBREVIATION, pattern_hint=_WORD_HINT),
        "stands_for": Str(max_length=STANDS_FOR_LIMIT),
        "meaning": Str(required=True, max_length=MEANING_LIMIT),
        "source": Url(),
    }), min_items=1, required=True),
    "plain_words": ListOf(Str(max_length=20, pattern=ABBREVIATION, pattern_hint=_WORD_HINT), default=[]),
})


def glossary_file(content_dir: Path, code: str) -> Path:
    return content_dir / code / GLOSSARY_FILE if code else content_dir / GLOSSARY_FILE


def load_glossaries(content_dir: Path, codes: list[str], errors: list[ContentError]) -> dict[str, Glossary]:
    """Each language's glossary, by code ("" first); a language without a file, or whose file has
    mistakes, has an empty one."""
    main_file = glossary_file(content_dir, "")
    main = load_glossary(main_file, errors) if main_file.is_file() else None
    glossaries = {"": main or Glossary()}
    for code in codes[1:]:
        path, translated = glossary_file(content_dir, code), None
        if path.is_file() and not main_file.is_file():
            errors.append(ContentError(display_path(path), 1, f"there is a glossary in content/{code}/ but none in content/",
                                       f"write the terms in content/{GLOSSARY_FILE} first: every language's glossary "
                                       "explains the same abbreviations"))
        elif path.is_file():  # held to the main glossary's terms, unless that has mistakes of its own
            translated = load_glossary(path, errors, {term.term for term in main.terms} if main else None)
        glossaries[code] = translated or Glossary()
    return glossaries


def load_glossary(path: Path, errors: list[ContentError], allowed: set[str] | None = None) -> Glossary | None:
    """One glossary file, every mistake with its line; None when it has any. With `allowed`, it may
    hold only those terms (another language's glossary: the main one's)."""
    doc = read_yaml_file(path, errors)
    if doc is None:
        return None
    before = len(errors)
    values = check_document(GLOSSARY, doc, errors)
    if values is None:
        return None
    first_line: dict[str, int] = {}
    for index, entry in enumerate(values["terms"]):
        line = doc.line(("terms", index, "term"))
        term = entry["term"]
        if term in first_line:
            errors.append(ContentError(doc.path, line, f"'{term}' is in the glossary twice (also at line {first_line[term]})",
                                       "keep one entry for it and delete the other"))
        first_line.setdefault(term, line)
        if allowed is not None and term not in allowed:
            errors.append(ContentError(doc.path, line, f"'{term}' is not a term of content/{GLOSSARY_FILE}",
                                       did_you_mean(term, allowed, f"add it to content/{GLOSSARY_FILE} first: every "
                                                    "language's glossary explains the same abbreviations")))
    if len(errors) > before:
        return None
    terms = tuple(Term(entry["term"], entry["meaning"], entry["stands_for"] or "", entry["source"] or "")
                  for entry in values["terms"])
    return Glossary(terms, tuple(sorted(set(values["plain_words"]))))
