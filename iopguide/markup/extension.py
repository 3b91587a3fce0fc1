"""Python-Markdown extension for the site's conventions.

- Links to other pages are written as relative `.md` paths; they become the pages' URLs.
- A task list (`- [ ] item`) becomes real checkboxes a reader can tick and print.
- Straight quotes, `--`, `---` and `...` become curly quotes, dashes and ellipses (typography.py).
- The body is also split at each `##` heading into sections, for templates that lay them out
  as components (myth/fact pairs, FAQ entries, cards on the home page).
- Footnotes (`[^source]`) are numbered citations; their list is kept apart from the sections, so
  the page template shows it once, after the text, whatever the page's layout.
"""
from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from markdown import Extension, Markdown
from markdown.extensions.toc import remove_fnrefs
from markdown.treeprocessors import Treeprocessor

from iopguide.errors import did_you_mean
from iopguide.markup import speedups
from iopguide.markup.sanitize import NO_RESERVED_IDS, ReservedIds
from iopguide.model import Heading, Section, Term
from iopguide.markup.terms import TermProcessor
from iopguide.markup.typography import TypographyProcessor

_TASK = re.compile(r"^\[([ xX])\]\s+")


@dataclass
class LinkProblem:
    """A link in a page's Markdown that leads nowhere, with a hint to mend it."""

    target: str  # exactly as the editor wrote it, to find its line
    message: str
    hint: str


@dataclass
class PageContext:
    """What the extension needs to know about the page being converted, and what it found."""

    rel_path: str
    url: str
    page_urls: dict[str, str]  # content rel_path → URL
    assets: dict[str, str]  # content rel_path of an image or other file → its published (hashed) path
    drafts: set[str] = field(default_factory=set)  # pages left out of this build
    broken: set[str] = field(default_factory=set)  # pages whose own mistakes are already reported
    reserved_ids: ReservedIds = NO_RESERVED_IDS  # ids the page's templates use, which its text may not
    language: str = ""  # the code of the page's language, whose glossary explains its terms
    terms: Mapping[str, Term] = field(default_factory=dict)  # LinkTargets.terms
    plain_words: Collection[str] = frozenset()  # LinkTargets.plain_words
    problems: list[LinkProblem] = field(default_factory=list)
    links: set[str] = field(default_factory=set)
    anchors: list[tuple[str, str, str]] = field(default_factory=list)  # (target rel_path, #fragment, as written)
    ids: set[str] = field(default_factory=set)  # every id in the converted body
    images_without_alt: list[str] = field(default_factory=list)
    intro_html: str = ""
    sections: list[Section] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    notes_html: str = ""  # the list of footnotes, shown by the page template under the heading NOTES_ID
    unexplained: list[str] = field(default_factory=list)  # abbreviations the page leaves unexplained (terms.py)


def relative_url(from_dir: str, to: str) -> str:
    """Relative href from the page at URL `from_dir` (a folder) to `to` (a folder or file below the root)."""
    rel = _relative_path(to or ".", from_dir or ".")
    if to == "" or to.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
    return quote(rel, safe="/#:%")


def _relative_path(path: str, start: str) -> str:
    """posixpath.relpath for paths below the site root, without the current folder that it asks the
    system for on every call: a page has a dozen links, and asking cost more than the rest."""
    path_parts, start_parts = _path_parts(path), _path_parts(start)
    if path_parts is None or start_parts is None:
        return posixpath.relpath(path, start)
    common = 0
    for here, there in zip(start_parts, path_parts):
        if here != there:
            break
        common += 1
    return "/".join([".."] * (len(start_parts) - common) + path_parts[common:]) or "."


def _path_parts(path: str) -> list[str] | None:
    """The folders and file of a path below the root; None for one that is absolute or climbs above it."""
    parts = [part for part in posixpath.normpath(path).split("/") if part != "."]
    return None if path.startswith("/") or ".." in parts else parts


class LinkProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        page: PageContext = self.md.page_context
        for element in root.iter():
            if element.tag == "img" and not (element.get("alt") or "").strip():
                page.images_without_alt.append(element.get("src", ""))
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute):
                element.set(attribute, self.resolve(page, element.get(attribute)))

    def resolve(self, page: PageContext, href: str) -> str:
        try:
            parts = urlsplit(href)
        except ValueError:  # an unclosed '[' reads as the start of an IPv6 address
            page.problems.append(LinkProblem(href, f"the link '{href}' is not a valid address",
                                             "a [ or ] in an address must be written %5B or %5D"))
            return href
        if not (parts.scheme or parts.netloc or parts.path) and parts.fragment:
            page.anchors.append((page.rel_path, parts.fragment, href))
        if parts.scheme or parts.netloc or not parts.path:
            return href  # external, mailto:, tel: or a same-page #anchor
        anchor = f"#{parts.fragment}" if parts.fragment else ""
        # 'my%20page.md' and <my page.md> are both how Markdown lets an editor link to 'my page.md'
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page.rel_path), unquote(parts.path)))
        if target.startswith("../") or target == ".." or parts.path.startswith("/"):
            page.problems.append(LinkProblem(href, f"the link '{href}' points outside the content folder",
                                             "link to a .md file in content/ with a relative path, like who-it-suits.md"))
            return href
        if target.endswith(".md"):
            if target in page.broken:
                return href
            if target in page.drafts:
                page.problems.append(LinkProblem(href, f"the link '{href}' goes to a draft, which is not published",
                                                 "publish that page (remove 'draft: true') or remove the link"))
                return href
            if target not in page.page_urls:
                # suggested as the page would write it: from its own folder, like a page in content/es/ does
                folder = posixpath.dirname(page.rel_path) or "."
                page.problems.append(LinkProblem(href, f"the link '{href}' goes to a page that does not exist",
                                                 did_you_mean(posixpath.relpath(target, folder),
                                                              (posixpath.relpath(path, folder) for path in page.page_urls),
                                                              "check the file name in content/ (it ends in .md)")))
                return href
            page.links.add(target)
            if parts.fragment:
                page.anchors.append((target, parts.fragment, href))
            return relative_url(page.url, page.page_urls[target]) + anchor
        if target in page.assets:
            return relative_url(page.url, page.assets[target])
        as_page = target.rstrip("/") + ".md"
        hint = (f"link to the Markdown file instead: '{as_page}'" if as_page in page.page_urls
                else "put the file in content/ and check the spelling of its name")
        page.problems.append(LinkProblem(href, f"the link '{href}' goes to a file that does not exist", hint))
        return href


class ChecklistProcessor(Treeprocessor):
    """`- [ ] item` → <input type=checkbox> with a <label>, so the list can be ticked and printed."""

    def run(self, root: etree.Element) -> None:
        count = 0
        for ul in root.iter("ul"):
            items = [li for li in ul if li.tag == "li"]
            holders = [self.text_holder(li) for li in items]
            if not items or not all(h is not None and _TASK.match(h.text or "") for h in holders):
                continue
            ul.set("class", "checklist")
            for li, holder in zip(items, holders):
                count += 1
                checked = _TASK.match(holder.text).group(1) != " "
                holder.text = _TASK.sub("", holder.text, count=1)
                label = etree.Element("label", {"class": "checklist__label", "for": f"check-{count}"})
                label.text, holder.text = holder.text, None
                label.extend(list(holder))
                for child in list(holder):
                    holder.remove(child)
                box = etree.Element("input", {"class": "checklist__box", "type": "checkbox", "id": f"check-{count}"})
                if checked:
                    box.set("checked", "checked")
                li.set("class", "checklist__item")
                holder.extend([box, label])
                if holder is not li:  # a loose list wraps the text in <p>: keep box and label together
                    li.remove(holder)
                    li.insert(0, box)
                    li.insert(1, label)
                    li.text = None

    @staticmethod
    def text_holder(li: etree.Element) -> etree.Element | None:
        if (li.text or "").strip():
            return li
        if len(li) and li[0].tag == "p":
            return li[0]
        return None


class TableProcessor(Treeprocessor):
    """Wide tables scroll sideways on a phone inside a box keyboard users can reach and scroll too.

    The box is a named region, named after the table's columns, so screen readers say what it holds.
    """

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, table in enumerate(list(parent)):
                if table.tag != "table":
                    continue
                columns = ", ".join(filter(None, (" ".join("".join(th.itertext()).split()) for th in table.iter("th"))))
                box = etree.Element("div", {"class": "table-scroll", "tabindex": "0"})
                if columns:  # a table whose header row is empty has nothing to be named by
                    box.attrib.update({"role": "region", "aria-label": columns})
                box.tail, table.tail = table.tail, None
                parent.remove(table)
                box.append(table)
                parent.insert(index, box)


NOTES_ID = "page-notes"  # the notes' heading, which the page template writes in the site's language
NOTES_BACK_ID = "page-notes-back"  # the template's words for a link from a note back to the text
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")


class EmptyNoteProcessor(Treeprocessor):
    """A note with nothing after its colon (`[^1]:`) is reported and left out: Python-Markdown gives it
    no link back, and its reordering of the notes then fails on it."""

    def run(self, root: etree.Element) -> None:
        notes = next((element for element in root if element.tag == "div" and element.get("class") == "footnote"), None)
        for numbered in notes.iter("ol") if notes is not None else ():
            for item in [item for item in numbered if item.tag == "li" and not _has_backref(item)]:
                numbered.remove(item)
                name = item.get("id", "").partition(":")[2]
                self.md.page_context.problems.append(LinkProblem(
                    f"[^{name}]:", f"the note '[^{name}]' is empty",
                    f"write its source after the colon, like '[^{name}]: Source. [Title](https://…)', or delete it"))


def _has_backref(item: etree.Element) -> bool:
    return any(link.get("class") == "footnote-backref" for link in item.iter("a"))


class FootnoteProcessor(Treeprocessor):
    """Numbered citations that screen readers announce: a reference is described by the notes'
    heading ("1, Notes"), and a link back to the text is named by the template's words rather than
    read as an arrow with an English title. A reference to a note nobody wrote, which Python-Markdown
    leaves as plain text, and a note nothing refers to, whose link back leads nowhere, are reported."""

    def run(self, root: etree.Element) -> None:
        page: PageContext = self.md.page_context
        self.report_unresolved(root, page)
        notes = next((element for element in root if element.tag == "div" and element.get("class") == "footnote"), None)
        if notes is None:
            return
        cited = set()
        for sup in root.iter("sup"):
            link = sup.find("a")
            if link is not None and link.get("class") == "footnote-ref":
                cited.add(sup.get("id"))
                link.set("aria-describedby", NOTES_ID)
        for rule in notes.findall("hr"):  # the template's heading separates the notes from the text
            notes.remove(rule)
        for item in notes.iter("li"):
            for holder in list(item.iter()):
                for back in [link for link in holder if link.get("class") == "footnote-backref"]:
                    if back.get("href", "")[1:] in cited:
                        back.attrib.pop("title", None)
                        back.set("aria-labelledby", NOTES_BACK_ID)
                    else:
                        holder.remove(back)
                        name = item.get("id", "").partition(":")[2]
                        page.problems.append(LinkProblem(f"[^{name}]:", f"the note '[^{name}]' is never cited in the text",
                                                         f"write [^{name}] after the sentence it supports, or delete the note"))

    @staticmethod
    def report_unresolved(root: etree.Element, page: PageContext) -> None:
        texts = [element.text for element in root.iter() if element.tag not in ("code", "pre")]
        texts += [element.tail for element in root.iter()]
        for found in (found for text in texts if text and "[^" in text for found in _FOOTNOTE_REF.finditer(text)):
            page.problems.append(LinkProblem(found.group(0), f"the citation '{found.group(0)}' has no note",
                                             f"add a line '{found.group(0)}: Source. [Title](https://…)' at the end of the page"))


class SectionProcessor(Treeprocessor):
    """Serialise the intro and each `##` section separately, after every other tree change.

    Each element is serialised once: the whole page is made of the same pieces, set aside in
    Python-Markdown's stash of raw HTML, which its postprocessor puts back as it does any other.
    """

    def run(self, root: etree.Element) -> etree.Element:
        page: PageContext = self.md.page_context
        page.ids = {element.get("id") for element in root.iter() if element.get("id")}
        intro: list[str] = []
        groups: list[tuple[etree.Element, str, list[str]]] = []
        pieces = []
        for element in root:
            if element.tag == "div" and element.get("class") == "footnote":
                page.notes_html = self.postprocess(self.md.serializer(element))
                continue
            piece = self.md.serializer(element)
            pieces.append(piece)
            if element.tag == "h2":
                groups.append((element, piece, []))
            else:
                (groups[-1][2] if groups else intro).append(piece)
        page.intro_html = self.postprocess("\n".join(intro))
        tokens = _flatten(getattr(self.md, "toc_tokens", []))
        page.headings = [Heading(token["level"], token["id"], token["name"]) for token in tokens]
        names = {token["id"]: token["name"] for token in tokens}
        for heading, piece, body in groups:
            page.sections.append(Section(id=heading.get("id", ""), title_html=self.inner_html(heading, piece),
                                         title_text=names.get(heading.get("id"), ""),
                                         body_html=self.postprocess("\n".join(body))))
        whole = etree.Element(root.tag)
        whole.text = (root.text or "") + self.md.htmlStash.store("".join(pieces))
        return whole

    def inner_html(self, heading: etree.Element, html: str) -> str:
        """What the heading holds, as the page shows it (`html`), less footnote marks. Not the table
        of contents' copy, which it makes before backslash escapes are written out and then writes
        back raw: there `\\"` in a link's title ends the attribute, and the rest of the title becomes
        attributes of its own."""
        if heading.find(".//sup") is not None:  # a footnote mark, whose id must stay the page's only one
            html = self.md.serializer(remove_fnrefs(heading))
        return self.postprocess(html[html.index(">") + 1: html.rindex("<")].strip()).strip()

    def postprocess(self, html: str) -> str:
        for processor in self.md.postprocessors:
            html = processor.run(html)
        return html


def _flatten(tokens: list[dict]) -> list[dict]:
    result = []
    for token in tokens:
        result.append(token)
        result.extend(_flatten(token.get("children", [])))
    return result


class SiteExtension(Extension):
    def __init__(self, shortcuts: bool = True):
        super().__init__()
        self.shortcuts = shortcuts  # False: Python-Markdown's own code throughout, as tests compare with

    def extendMarkdown(self, md: Markdown) -> None:
        md.page_context = None
        md.shortcuts = speedups.install(md) if self.shortcuts else []
        # after footnote (50) makes the notes, before footnote-reorder (19), which fails on an empty one
        md.treeprocessors.register(EmptyNoteProcessor(md), "site-empty-notes", 20)
        md.treeprocessors.register(LinkProcessor(md), "site-links", 19)
        md.treeprocessors.register(ChecklistProcessor(md), "site-checklist", 18)
        md.treeprocessors.register(TableProcessor(md), "site-tables", 17)
        # after footnote-duplicate (15), which adds a link back for each further reference to a note
        md.treeprocessors.register(FootnoteProcessor(md), "site-footnotes", 14)
        # Where smarty made quotes and dashes, so every other processor sees the text it saw then: after
        # those above, attr_list (8) reading `{#an--id}` and abbr (7) finding its words; before toc (5)
        # makes heading ids from the text.
        md.treeprocessors.register(TypographyProcessor(md), "site-typography", 6)
        # after abbr (7), so a term it marked gets its meaning after the <abbr>; after toc (5), which
        # names headings, where no meaning goes anyway
        md.treeprocessors.register(TermProcessor(md), "site-terms", 4)
        md.ESCAPED_CHARS.extend(['"', "'"])  # `\"` keeps a straight quote
        md.treeprocessors.register(SectionProcessor(md), "site-sections", -10)
