"""Raw HTML in Markdown: editors may write plain HTML, but nothing that runs code or styles inline.

The site sends a strict Content-Security-Policy (no inline script or style), so such markup would be
dead at best and, if the policy were ever loosened, a way in. The build refuses it with the line
rather than stripping it quietly: the editor sees what happened and why.

What is checked is the HTML a page converts to, parsed by html5lib, which follows the WHATWG parsing
algorithm browsers use. So the check sees what a browser would build, including markup hidden by
odd comments, unclosed tags or entity-encoded addresses; and code blocks and code spans, which
Markdown escapes, are only text.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .lines import LineSearch, SearchText


# Elements that run code, embed another document or change how the page loads or looks.
FORBIDDEN_ELEMENTS = {
    "script": "the site runs no scripts written into pages",
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
}
# Attributes that hold an address, including SVG animation values that can set one.
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "background",
                  "cite", "longdesc", "lowsrc", "dynsrc", "ping", "values", "from", "to", "by"}
LIST_SEPARATORS = {"srcset": ",", "values": ";"}  # attributes that hold several addresses
FORBIDDEN_SCHEMES = ("javascript", "vbscript", "data")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")  # browsers skip these inside a scheme


@dataclass(frozen=True)
class Unsafe:
    """One piece of refused markup; `needles` are what it looks like in the source, to find its line."""

    needles: tuple[str, ...]
    message: str
    hint: str


def find_unsafe_html(markup: str) -> list[Unsafe]:
    """Every refused element, attribute and address in `markup`, in document order."""
    return [] if _plainly_safe(markup) else parse_for_unsafe_html(markup)


def parse_for_unsafe_html(markup: str) -> list[Unsafe]:
    """find_unsafe_html's answer, always worked out with the full parse."""
    markup = _NUMERIC_REFERENCE.sub(_shorten_reference, markup)
    import html5lib  # loaded only for pages with raw HTML: it takes longer to load than most builds' changes take

    fragment = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    found: list[Unsafe] = []
    for element in fragment.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag)
        if tag in FORBIDDEN_ELEMENTS:
            found.append(Unsafe((f"<{tag}",), f"raw HTML <{tag}> is not allowed in pages", FORBIDDEN_ELEMENTS[tag]))
        for name, value in element.attrib.items():
            found.extend(_check_attribute(_local(name), value))
    return found


# Markup as Markdown writes it: every tag in this one plain form, and text with each < escaped.
_PLAIN_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<>]*")?)*)\s*>')
_PLAIN_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)(?:="([^"<>]*)")?')
# Elements Markdown, its extensions and ours write. Any other may make a browser read what follows
# in another way (textarea, title, svg, template …), so a page using one gets the full parse.
_PLAIN_ELEMENTS = {"a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3",
                   "h4", "h5", "h6", "hr", "img", "input", "ins", "label", "li", "ol", "p", "pre", "section", "span",
                   "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}


def _plainly_safe(markup: str) -> bool:
    """True when a quick scan proves there is nothing to refuse, so the full parse can be skipped.

    Parsing like a browser costs about as much as converting the Markdown. Pages without raw HTML
    contain only tags in one plain form, which a regular expression reads exactly as a browser does;
    their attributes go through the same checks as below. Anything else — a comment, an unquoted
    attribute, an element outside the list, anything refused — answers False, and the full parse decides.
    """
    tags = _PLAIN_TAG.findall(markup)
    # A plain tag holds one '<', its first character: as many tags as '<' means no '<' outside them.
    if len(tags) != markup.count("<") or not {name for _, name, _ in tags} <= _PLAIN_ELEMENTS:
        return False
    return not any(_check_attribute(name, html.unescape(value) if "&" in value else value)
                   for _, _, attributes in tags if attributes
                   for name, value in _PLAIN_ATTRIBUTE.findall(attributes))


# html5lib turns the digits of &#...; into a Python int, which refuses more than 4300 digits
_NUMERIC_REFERENCE = re.compile(r"&#(?:([xX])0*([0-9a-fA-F]+)|0*([0-9]+))")


def _shorten_reference(match: re.Match) -> str:
    """The same character reference without leading zeros; past Unicode's range, the one browsers show."""
    hex_mark, hex_digits, decimal_digits = match.groups()
    digits = hex_digits if hex_mark else decimal_digits
    return "&#xFFFD" if len(digits) > 8 else f"&#{hex_mark or ''}{digits}"


def _check_attribute(name: str, value: str) -> list[Unsafe]:
    if name.startswith("on") or (name == "attributename" and value.strip().lower().startswith("on")):
        return [Unsafe((name,), f"the HTML attribute '{name}' is an inline script, which is not allowed",
                       "remove it: the site runs no scripts written into pages")]
    if name == "style":
        return [Unsafe(("style",), "the HTML attribute 'style' is not allowed",
                       "remove it: the site's security policy blocks styles written into pages")]
    scheme = _forbidden_scheme(value, LIST_SEPARATORS.get(name)) if name in URL_ATTRIBUTES else None
    if scheme:
        shown = value.strip()[:40]
        return [Unsafe((f"{scheme}:", value.strip()[:20], name), f"the address '{shown}' uses {scheme}:, which is not allowed",
                       "use a web address starting with https://, or link to a .md page or a file in content/")]
    return []


def _forbidden_scheme(value: str, separator: str | None) -> str | None:
    candidates = _IGNORED_IN_URLS.sub("", value).lower()
    for candidate in candidates.split(separator) if separator else [candidates]:
        scheme = candidate.partition(":")[0]
        if ":" in candidate and scheme in FORBIDDEN_SCHEMES:
            return scheme
    return None


def _local(name: str) -> str:
    """'{http://www.w3.org/2000/svg}script' → 'script': an SVG script runs too, and xlink:href is an href."""
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
