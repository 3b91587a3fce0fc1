"""Raw HTML in Markdown: editors may write plain HTML from a short list; nothing that runs code,
styles inline, embeds another document or hides where a link goes.

The check is an allowlist — elements, attributes and address schemes that are known to be plain —
and what is published is the checked tree written out again, never the text the editor wrote. So a
difference between the parser here and a reader's browser (what `<noscript>`, `<select>` or
foreign SVG markup hold, say) cannot carry markup past the check: the published text holds only
allowed tags with every `<`, `&` and quote in text and attribute values escaped, and none of the
allowed elements makes a browser read what follows in another way.

The build refuses what the list does not allow with the line, rather than stripping it quietly: the
editor sees what happened and why.

What is checked is the HTML a page converts to, parsed by html5lib, which follows the WHATWG parsing
algorithm browsers use: markup hidden by odd comments, unclosed tags or entity-encoded addresses is
seen as a browser sees it; code blocks and code spans, which Markdown escapes, are only text.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

from iopguide.markup.error_lines import LineSearch, SearchText
from iopguide.model import ALLOWED_SCHEMES

# What editors may write. Every element here is read by a browser in one way, wherever it stands:
# none switches the parser to raw text (script, style, textarea, title, noscript …), to foreign
# content (svg, math), or drops what it holds (select, template), so the checked tree, written out
# again, is read as the same tags with the same attributes.
ALLOWED_ELEMENTS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul", "var", "wbr"})
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "role", "tabindex", "translate"})  # and aria-*
ELEMENT_ATTRIBUTES = {
    "a": {"href", "hreflang"}, "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "input": {"type", "checked", "disabled"},  # the checklist's boxes
    "label": {"for"}, "td": {"colspan", "rowspan", "headers"}, "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "ol": {"start", "reversed", "type"}, "li": {"value"}, "col": {"span"}, "colgroup": {"span"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "details": {"open"},
}
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
INPUT_TYPES = frozenset({"checkbox"})
# Hints for elements editors reach for; any other element gets DEFAULT_ELEMENT_HINT.
ELEMENT_HINTS = {
    "script": "the site runs no scripts written into pages",
    "noscript": "the site runs no scripts, so there is nothing to write for readers without them; remove it",
    "iframe": "link to the page instead, like [Watch the video](https://example.org/video)",
    "frame": "link to the page instead",
    "frameset": "link to the page instead",
    "object": "link to the file instead, like [the leaflet (PDF)](leaflet.pdf)",
    "embed": "link to the file instead, like [the leaflet (PDF)](leaflet.pdf)",
    "applet": "link to the page instead",
    "style": "the site's security policy blocks styles written into pages; ask a developer for a CSS class",
    "link": "link to other pages with Markdown, like [the FAQ](faq.md)",
    "meta": "page settings go in the front matter between the '---' lines",
    "base": "links are worked out by the build; remove it",
    "svg": "save the picture as a file in content/ and show it with ![What it shows](picture.svg)",
    "math": "write the formula as text, or as a picture in content/",
    "form": "pages take no input; link to the service's own page instead",
    "select": "pages take no input; write the choices as a list",
}
DEFAULT_ELEMENT_HINT = "write it with Markdown, or with a plain element such as <p>, <span>, <abbr>, <details> or <kbd>"
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")  # browsers skip these inside a scheme
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_AUTHORITY_END = re.compile(r"[/\\?#]")
# The site's templates, beside this package: a page is converted (in a worker, or from the cache)
# without knowing the build's folders, and the site has this one set of templates.
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_TEMPLATE_ID = re.compile(r'\bid="([^"{]*)(\{\{)?')


@dataclass(frozen=True)
class Unsafe:
    """One piece of refused markup; `needles` are what it looks like in the source, to find its line."""

    needles: tuple[str, ...]
    message: str
    hint: str


@dataclass(frozen=True)
class Checked:
    """Markup as it is published — the checked tree written out — and what the check refused in it."""

    html: str
    refused: list[Unsafe]


@dataclass(frozen=True)
class ReservedIds:
    """Ids a page's templates give their own parts: whole ones, and the starts of those made with a
    value (id="outcome-{{ outcome.id }}"). A page's element with one of them would be found first by
    the site's scripts and links instead of the template's own."""

    ids: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def __contains__(self, value: str) -> bool:
        return value in self.ids or value.startswith(self.prefixes)


NO_RESERVED_IDS = ReservedIds()
_TEMPLATE_USES = re.compile(r'\{%-?\s*(?:extends|include|import|from)\s+"([^"]+)"')


@functools.lru_cache(maxsize=None)
def template_ids(template: str, folder: Path = TEMPLATES) -> ReservedIds:
    """The ids the template `template` ("page", "quiz" …) and every template it uses write."""
    exact, prefixes, seen, waiting = set(), set(), set(), [f"{template}.html"]
    while waiting:
        name = waiting.pop()
        if name in seen or not (folder / name).is_file():
            continue
        seen.add(name)
        text = (folder / name).read_text(encoding="utf-8")
        waiting.extend(_TEMPLATE_USES.findall(text))
        for start, templated in _TEMPLATE_ID.findall(text):
            if not templated:
                exact.add(start)
            elif start:  # id="{{ section.id }}" is the page's own heading
                prefixes.add(start)
    return ReservedIds(frozenset(exact), tuple(sorted(prefixes)))


def check_html(markup: str, reserved: ReservedIds = NO_RESERVED_IDS) -> Checked:
    """`markup` checked against the allowlist, and against the ids its page's templates use; its `html`
    is the text to publish, which holds nothing refused."""
    return Checked(markup, []) if _plainly_safe(markup, reserved) else check_parsed(markup, reserved)


def check_parsed(markup: str, reserved: ReservedIds = NO_RESERVED_IDS) -> Checked:
    """check_html's answer, always worked out with the full parse."""
    markup = _NUMERIC_REFERENCE.sub(_shorten_reference, markup)
    import html5lib  # loaded only for pages with raw HTML: it takes longer to load than most builds' changes take

    fragment = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    refused: list[Unsafe] = []
    _check_children(fragment, refused, reserved)
    published = _serialize(fragment)
    # written out as it was written: then its reading is the one just checked
    return Checked(published if published == markup else _settled(published), refused)


_SETTLE_ROUNDS = 3


def _settled(published: str) -> str:
    """`published` written out until it reads back the same, so a browser builds what it says.

    Misnested markup, such as a heading inside a heading, is kept nested by the parser but read flat
    the next time. Only allowed tags are left, each read as the same tag with the same attributes
    whatever its place, so a second reading needs no second check.
    """
    import html5lib

    for _ in range(_SETTLE_ROUNDS):
        again = _serialize(html5lib.parseFragment(published, treebuilder="etree", namespaceHTMLElements=False))
        if again == published:
            break
        published = again
    return published


def _check_children(parent, refused: list[Unsafe], reserved: ReservedIds) -> None:
    """Check every element below `parent`, in document order; take out what is refused, and comments,
    keeping the text after them."""
    kept = []
    for element in list(parent):
        if isinstance(element.tag, str) and _check_element(element, refused, reserved):
            kept.append(element)
        elif element.tail:
            if kept:
                kept[-1].tail = (kept[-1].tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
    parent[:] = kept


def _check_element(element, refused: list[Unsafe], reserved: ReservedIds) -> bool:
    """Check one element, its attributes and what it holds; False when it is refused, and goes whole.

    A refused element is reported alone, not its attributes too. Below a refused SVG or MathML
    element nothing more is reported; below a refused HTML element, such as <select>, the check goes
    on, since what it holds is markup the editor may keep.
    """
    tag = _local(element.tag)
    foreign = "}" in element.tag
    if foreign or tag not in ALLOWED_ELEMENTS:
        refused.append(Unsafe((f"<{tag}",), f"raw HTML <{tag}> is not allowed in pages",
                              ELEMENT_HINTS.get(tag, DEFAULT_ELEMENT_HINT)))
        if not foreign:
            _check_children(element, refused, reserved)
        return False
    for name, value in list(element.attrib.items()):
        problems = _check_attribute(tag, name, value, reserved)
        refused.extend(problems)
        if problems:
            del element.attrib[name]
    _check_children(element, refused, reserved)
    return True


def _serialize(fragment) -> str:
    import html5lib
    from html5lib.serializer import HTMLSerializer

    serializer = HTMLSerializer(quote_attr_values="always", quote_char='"', minimize_boolean_attributes=False,
                                use_trailing_solidus=False, escape_lt_in_attrs=True, omit_optional_tags=False)
    return serializer.render(_keep_first_newline(html5lib.getTreeWalker("etree")(fragment)))


def _keep_first_newline(tokens):
    """A browser drops a newline just after <pre>; one written there must be doubled to be kept."""
    after_pre = False
    for token in tokens:
        if after_pre and token["type"] in ("Characters", "SpaceCharacters") and token["data"].startswith("\n"):
            token = {**token, "data": "\n" + token["data"]}
        after_pre = token["type"] == "StartTag" and token["name"] == "pre"
        yield token


# Markup as Markdown writes it: every tag in this one plain form, and text with each < escaped.
# Whitespace as HTML means it inside a tag: Python's \s also takes no-break and other spaces, which a
# browser reads as part of the tag's name.
_PLAIN_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:[ \t\n\f\r]+[a-z][a-z0-9-]*(?:="[^"<>]*")?)*)[ \t\n\f\r]*>')
_PLAIN_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)(?:="([^"<>]*)")?')
# Elements Markdown, its extensions and ours write, all of them allowed.
_PLAIN_ELEMENTS = {"a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3",
                   "h4", "h5", "h6", "hr", "img", "input", "ins", "label", "li", "ol", "p", "pre", "section", "span",
                   "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}


def _plainly_safe(markup: str, reserved: ReservedIds = NO_RESERVED_IDS) -> bool:
    """True when a quick scan proves there is nothing to refuse, so the text can be published as it is.

    Parsing like a browser costs about as much as converting the Markdown. Pages without raw HTML
    contain only tags in one plain form, which a regular expression reads exactly as a browser does;
    their attributes go through the same checks as below. Anything else — a comment, an unquoted
    attribute, an element outside the list, anything refused — answers False, and the full parse decides.
    """
    if "<" not in markup:  # text alone, like most headings' names
        return True
    tags = _PLAIN_TAG.findall(markup)
    # A plain tag holds one '<', its first character: as many tags as '<' means no '<' outside them.
    if len(tags) != markup.count("<") or not {name for _, name, _ in tags} <= _PLAIN_ELEMENTS:
        return False
    if not _nested(tags):
        return False
    return not any(_check_attribute(tag, name, html.unescape(value) if "&" in value else value, reserved)
                   for _, tag, attributes in tags if attributes
                   for name, value in _PLAIN_ATTRIBUTE.findall(attributes))


_VOID_ELEMENTS = {"br", "hr", "img", "input"}


def _nested(tags: list[tuple[str, str, str]]) -> bool:
    """Every element closed, in order: markup left open, or closing more than it opened, would take in
    or close the template's own elements around it. The full parse closes what it opened, and no more."""
    open_elements = []
    for closing, name, _ in tags:
        if not closing:
            if name not in _VOID_ELEMENTS:
                open_elements.append(name)
        elif not open_elements or open_elements.pop() != name:
            return False
    return not open_elements


# html5lib turns the digits of &#...; into a Python int, which refuses more than 4300 digits
_NUMERIC_REFERENCE = re.compile(r"&#(?:([xX])0*([0-9a-fA-F]+)|0*([0-9]+))")


def _shorten_reference(match: re.Match) -> str:
    """The same character reference without leading zeros; past Unicode's range, the one browsers show."""
    hex_mark, hex_digits, decimal_digits = match.groups()
    digits = hex_digits if hex_mark else decimal_digits
    return "&#xFFFD" if len(digits) > 8 else f"&#{hex_mark or ''}{digits}"


def _check_attribute(tag: str, name: str, value: str, reserved: ReservedIds) -> list[Unsafe]:
    if name.startswith("on"):
        return [Unsafe((name,), f"the HTML attribute '{name}' is an inline script, which is not allowed",
                       "remove it: the site runs no scripts written into pages")]
    if name == "style":
        return [Unsafe(("style",), "the HTML attribute 'style' is not allowed",
                       "remove it: the site's security policy blocks styles written into pages")]
    if not (name in GLOBAL_ATTRIBUTES or name in ELEMENT_ATTRIBUTES.get(tag, ()) or name.startswith("aria-")):
        allowed = ", ".join(sorted(ELEMENT_ATTRIBUTES.get(tag, set()) | GLOBAL_ATTRIBUTES))
        return [Unsafe((name,), f"the HTML attribute '{name}' is not allowed on <{tag}>",
                       f"remove it; <{tag}> may have {allowed} and aria-* attributes")]
    if name in URL_ATTRIBUTES:
        return _check_address(name, value)
    if name in ("id", "for") and value in reserved:
        # a heading's id is made from its words: 'main-content' is found as '## Main content'
        return [Unsafe((value, value.replace("-", " "), name), f"the id '{value}' is one the site's templates use for their own parts",
                       "choose another; a heading takes one written after it, like '## Main content {#in-short}'")]
    if tag == "input" and name == "type" and value.strip().lower() not in INPUT_TYPES:
        return [Unsafe((value, name), f"an <input type=\"{value}\"> is not allowed: pages take no input",
                       "for a checklist, write '- [ ] item' lines")]
    return []


def _check_address(name: str, value: str) -> list[Unsafe]:
    """Only https, http, mailto and tel addresses, and addresses within the site; and no 'name@' before a site."""
    if "@" not in value and (":" not in value or value.startswith(("https://", "http://"))):
        return []  # most addresses: within the site, or a plain web address
    compact = _IGNORED_IN_URLS.sub("", value)
    shown = value.strip()[:40]
    scheme = _SCHEME.match(compact)
    scheme_name = scheme.group(1).lower() if scheme else ""
    if scheme and scheme_name not in ALLOWED_SCHEMES:
        return [Unsafe((f"{scheme_name}:", value.strip()[:20], name),
                       f"the address '{shown}' uses {scheme_name}:, which is not allowed",
                       "use a web address starting with https://, or link to a .md page or a file in content/")]
    after_scheme = compact[scheme.end():] if scheme else compact
    # a web address names its site after '//' (browsers also take '\' and no slashes at all after http:)
    names_a_site = scheme_name in ("http", "https") or re.match(r"[/\\]{2}", after_scheme)
    if names_a_site and "@" in _AUTHORITY_END.split(after_scheme.lstrip("/\\"), 1)[0]:
        return [Unsafe((value.strip()[:20], "@", name),
                       f"the address '{shown}' has a name and '@' before its site, so it goes somewhere else than it seems",
                       "write the site's own address, like https://988lifeline.org/ — a link goes to the part after '@'")]
    return []


def _local(name: str) -> str:
    """'{http://www.w3.org/2000/svg}script' → 'script'."""
    return name.rpartition("}")[2].lower()


def mask_code(markdown_text: str) -> str:
    """The text with fenced code blocks and `code spans` blanked out, line breaks kept.

    Used only to find the line of a refused piece of markup: HTML written as code is shown as text,
    so an example in a code block above must not be taken for the real thing below it.
    """
    lines, fence = [], ""
    for line in markdown_text.split("\n"):
        marker = re.match(r"\s*(`{3,}|~{3,})", line)
        if fence:
            if marker and marker.group(1).startswith(fence):
                fence = ""
            lines.append("")
        elif marker:
            fence = marker.group(1)
            lines.append("")
        else:
            lines.append(re.sub(r"(`+)(.+?)\1", lambda m: " " * len(m.group(0)), line))
    return "\n".join(lines)


class LineFinder:
    """Finds the source lines of refused markup, in order, so two refusals of the same kind get two lines.

    Lines are searched with character references decoded, as the parser decoded them: an address
    written &#106;avascript: is found by 'javascript:'; then as written, for a needle decoding hides
    (an attribute named on&#99;lick).
    """

    def __init__(self, text: str, first_line: int):
        self.first_line = first_line
        self._search = LineSearch(first_line, lambda: _decoded_and_written(text))

    def line_of(self, unsafe: Unsafe) -> int:
        return self._search.line_of(*(needle.lower() for needle in unsafe.needles))


def _decoded_and_written(text: str) -> list[SearchText]:
    written = mask_code(text).lower().split("\n")
    return [SearchText([html.unescape(line) for line in written]), SearchText(written)]
