"""Terms explained where they first appear: the first use of a glossary term in a page's prose gets
its plain meaning right after it, in words every reader gets — on a phone, in a screen reader, in
print — without hovering or JavaScript:

    CBT <span class="term__meaning">(cognitive behavioral therapy: a talking therapy that …)</span>

wrapped in <span class="term">. Only prose counts as a first use, not headings, links, table
headers, code or the notes; a page that spells the term out before its first use ("cognitive
behavioral therapy (CBT)") or right beside it ("CRAFT (Community …)") shows no meaning.

The same walk notes each abbreviation the page leaves unexplained — in no glossary, not a plain
word, never spelled out or defined with `*[X]:` on the page — for `check` to warn of.

The glossary is asked about through the page's LinkTargets, one word at a time, so the build cache
converts a page again exactly when an answer about a word it uses changes.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.treeprocessors import Treeprocessor

from iopguide.markup.typography import LITERAL_ELEMENTS
from iopguide.model import ABBREVIATION, Term, glossary_key

_ABBREVIATION = re.compile(rf"\b{ABBREVIATION}\b")
# The same without word edges, which a regular expression tests at every character: the cheap way to
# rule out text that holds no abbreviation, as most text does.
_MAY_HOLD_ONE = re.compile(r"[A-Z][A-Z0-9]*[A-Z]")
_URL = re.compile(r"\S+://\S+|www\.\S+")
# A use inside a longer name ("the SAMHSA National Helpline", "42 CFR Part 2", "SAMHSA’s toolkit"):
# a meaning there would split the name, so the term is explained where it is next used on its own.
# By now the typography step has written an apostrophe as `&rsquo;`.
_NAME_GOES_ON = re.compile(r"(?:['’]|&rsquo;)s\b|\s+[A-Z0-9]")
_NUMBER_BEFORE = re.compile(r"\d\s*$")
# Text the walk skips: what typography also leaves as written (code, keys, a program's output) is
# not prose, the notes name sources, and a meaning the walk added is its own.
_SKIPPED = LITERAL_ELEMENTS
# Text that counts as the page's words (spelling a term out) but where no meaning is added.
_NOT_PROSE = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "th", "sup"}
# An inline element that holds only the term: the meaning goes after it, not inside it.
_INLINE = {"strong", "em", "b", "i", "abbr", "span"}
MEANING_CLASS = "term__meaning"


class TermProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        page = self.md.page_context
        # most pages use no abbreviation at all: they skip the walk
        if page is not None and _MAY_HOLD_ONE.search("\n".join(self.md.lines)):
            _PageTerms(page).walk(root)


class _PageTerms:
    """One page's walk: its terms' first uses, and the abbreviations it leaves unexplained."""

    def __init__(self, page):  # extension.PageContext, which imports this module
        self.page, self.code = page, page.language
        self.said: list[str] = []  # the page's text so far, to tell whether a term was spelled out
        self.done: set[str] = set()  # terms whose first use has been dealt with
        self.explained: set[str] = set()  # words the page explains or needs not explain
        self.seen: dict[str, None] = {}  # every abbreviation used, in order

    def walk(self, root: etree.Element) -> None:
        search, said = _MAY_HOLD_ONE.search, self.said
        for holder, parent, attribute, prose in _slots(root):
            text = getattr(holder, attribute)
            if not text or search(text) is None:  # most text: kept only to tell what was spelled out
                said.append(text or "")
                continue
            while holder is not None:
                holder, parent, attribute = self.read(holder, parent, attribute, prose)
        self.page.unexplained = [word for word in self.seen if word not in self.explained]

    def read(self, holder: etree.Element, parent: etree.Element | None, attribute: str,
             prose: bool) -> tuple[etree.Element | None, etree.Element | None, str]:
        """Look at one piece of text (holder.text or holder.tail); when a meaning is added inside it,
        the text after it is the next piece to look at."""
        text = getattr(holder, attribute) or ""
        for found in _ABBREVIATION.finditer(_URL.sub(lambda url: " " * len(url.group()), text)):
            word = found.group()
            before, after = text[:found.start()], text[found.end():]
            if attribute == "text" and holder.tag in _INLINE and not after.strip():  # **CRAFT** (Community …
                after += holder.tail or ""
            self.seen.setdefault(word, None)
            if _spelled_beside(before, after) or (holder.tag == "abbr" and attribute == "text"):
                self.explained.add(word)
            term = self.term(word)
            if term is None or term.term in self.done or not prose or _inside_a_name(before, after):
                continue
            self.done.add(term.term)
            if self.spelled_out(term, text[:found.start()]) or _spelled_beside(before, after):
                continue
            self.said.append(text[:found.end()])
            return _add_meaning(holder, parent, attribute, found, term)
        self.said.append(text)
        return None, None, attribute

    def term(self, word: str) -> Term | None:
        """The glossary's entry for a word as written, or for its singular; None for a word it lacks
        (noted as explained when the glossary calls it plain)."""
        terms, code = self.page.terms, self.code
        for form in (word, word[:-1]) if word.endswith("s") else (word,):
            entry = terms.get(glossary_key(code, form))
            if entry is not None:
                self.explained.add(word)
                return entry
        if glossary_key(code, word) in self.page.plain_words:
            self.explained.add(word)
        return None

    def spelled_out(self, term: Term, before: str) -> bool:
        """Whether the page wrote what the term stands for before this use of it."""
        if not term.stands_for:
            return False
        long_form = _plain(term.stands_for)
        return long_form in _plain(" ".join(self.said)) or long_form in _plain(before)


def _spelled_beside(before: str, after: str) -> bool:
    """The page gives the term's long form right beside it: "… program (IOP)", "CRAFT (Community …"."""
    return before.rstrip().endswith("(") or after.lstrip().startswith("(")


def _inside_a_name(before: str, after: str) -> bool:
    return _NAME_GOES_ON.match(after) is not None or _NUMBER_BEFORE.search(before) is not None


def _plural(words: str) -> str:
    """English plural of a long form's last word: "programs", "therapies", "approaches"."""
    if re.search(r"[^aeiou]y$", words):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith(("ch", "sh", "x", "z")) else "s")


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def _slots(root: etree.Element) -> list[tuple[etree.Element, etree.Element | None, str, bool]]:
    """Every piece of text below `root` in reading order: (its holder, the holder's parent, "text"
    or "tail", whether it is prose), skipping code, the notes and meanings already added."""
    found: list[tuple[etree.Element, etree.Element | None, str, bool]] = []

    def visit(element: etree.Element, parent: etree.Element | None, prose: bool) -> None:
        if _skipped(element):
            return
        inside = prose and element.tag not in _NOT_PROSE
        found.append((element, parent, "text", inside))
        for child in element:
            visit(child, element, inside)
            found.append((child, element, "tail", inside))

    visit(root, None, True)
    return found


def _skipped(element: etree.Element) -> bool:
    kind = element.get("class") or ""
    return element.tag in _SKIPPED or kind in ("footnote", "term", MEANING_CLASS)


def _add_meaning(holder: etree.Element, parent: etree.Element | None, attribute: str, found: re.Match,
                 term: Term) -> tuple[etree.Element, etree.Element | None, str]:
    """Put the meaning after the term found in holder's text or tail; returns where the text after it is."""
    text = getattr(holder, attribute)
    wrapper = etree.Element("span", {"class": "term"})
    meaning = etree.SubElement(wrapper, "span", {"class": MEANING_CLASS})
    # "IOPs": an abbreviation takes a plural s in English only (Spanish writes "los IOP"), where the
    # long form's last word takes it too: "(intensive outpatient programs: …)"
    plural = found.group() != term.term and term.stands_for and not term.stands_for.endswith("s")
    meaning.text = f"({_plural(term.stands_for)}: {term.meaning})" if plural else f"({term.explained})"
    whole_element = attribute == "text" and holder.tag in _INLINE and len(holder) == 0 and parent is not None \
        and text.strip() == found.group()
    if whole_element:  # **CBT**: the meaning follows the bold word, in plain type
        index = list(parent).index(holder)
        parent.remove(holder)
        wrapper.tail, holder.tail = holder.tail, " "
        wrapper.insert(0, holder)
        parent.insert(index, wrapper)
        return wrapper, parent, "tail"
    wrapper.text = found.group() + " "
    setattr(holder, attribute, text[:found.start()])
    wrapper.tail = text[found.end():]
    if attribute == "text":
        holder.insert(0, wrapper)
        return wrapper, holder, "tail"
    parent.insert(list(parent).index(holder) + 1, wrapper)
    return wrapper, parent, "tail"
