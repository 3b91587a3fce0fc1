"""Files from content/ that are published as they are must be what their names say, and run nothing.

A host serves a file by its name: `week.png` as an image, `leaflet.pdf` as a PDF, `week.svg` as an SVG
drawing. A file that is something else — HTML or JavaScript named `.pdf` — could be loaded by a
page as a script where the host sends no `nosniff` header (GitHub Pages sends none). And an SVG
opened on its own is a document of the site: a script in it runs on the site's address. So each
image and PDF must start as its kind does, and an SVG is read with an XML parser that expands no
entities and must hold only drawing: no scripts, event attributes, HTML, or references to anything
outside the file itself but links.
"""
from __future__ import annotations

import re
import xml.parsers.expat
from pathlib import Path

from iopguide.errors import ContentError
from iopguide.model import ALLOWED_SCHEMES

# What each kind of file starts with (its "magic bytes"), read from the first HEAD_BYTES: one for each
# of source/pages.ASSET_SUFFIXES but .svg.
HEAD_BYTES = 64
SIGNATURES = {
    ".png": ("a PNG image", re.compile(rb"\x89PNG\r\n\x1a\n")),
    ".jpg": ("a JPEG image", re.compile(rb"\xff\xd8\xff")),
    ".jpeg": ("a JPEG image", re.compile(rb"\xff\xd8\xff")),
    ".gif": ("a GIF image", re.compile(rb"GIF8[79]a")),
    ".webp": ("a WebP image", re.compile(rb"RIFF.{4}WEBP", re.DOTALL)),
    ".avif": ("an AVIF image", re.compile(rb".{4}ftyp(?:.{4})*?avi[fs]", re.DOTALL)),  # a brand of its file-type box
    ".pdf": ("a PDF", re.compile(rb"%PDF-")),  # first: a browser that runs it as a script meets a syntax error
}

SVG = "http://www.w3.org/2000/svg"
HTML = "http://www.w3.org/1999/xhtml"
XML = "http://www.w3.org/XML/1998/namespace"
REFUSED_ELEMENTS = {"script", "foreignObject", "handler", "listener", "iframe", "embed", "object"}
LINK_SCHEMES = tuple(f"{scheme}:" for scheme in sorted(ALLOWED_SCHEMES))  # what an SVG's <a> may lead to, as in pages
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]*)""", re.IGNORECASE)
_NOT_IN_URLS = re.compile(r"[\x00-\x20]")  # browsers drop these from an address before reading its scheme
DRAWING_HINT = "save the drawing again as a plain SVG without scripts or links to other files, or as a PNG"


def check_content_file(path: Path, shown: str) -> ContentError | None:
    """The problem with a file to be published as it is, or None; `shown` is its path in messages."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return check_svg(path.read_bytes(), shown)
    kind, signature = SIGNATURES[suffix]
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if signature.match(head):
        return None
    return ContentError(shown, None, f"this file is not {kind}, though its name ends in {path.suffix}",
                        f"export it again as {kind[kind.index(' ') + 1:]}, or give it the ending of what it is")


class _Refused(Exception):
    def __init__(self, message: str, hint: str = DRAWING_HINT):
        super().__init__(message)
        self.message, self.hint = message, hint


def check_svg(data: bytes, shown: str) -> ContentError | None:
    """The first thing in an SVG file that could run code or fetch from elsewhere, with its line; None if none."""
    checker = _SvgChecker()
    try:
        checker.parser.Parse(data, True)
    except _Refused as refused:
        return ContentError(shown, checker.line, refused.message, refused.hint)
    except xml.parsers.expat.ExpatError as error:
        return ContentError(shown, error.lineno, f"this SVG is not well-formed XML ({xml.parsers.expat.ErrorString(error.code)})",
                            "open it in a drawing program and save it again")
    return None


class _SvgChecker:
    """Reads an SVG with expat, which loads no external entity; refuses the first thing that is not drawing.
    Each handler notes its line first: once a handler raises, the parser's position has moved on."""

    def __init__(self) -> None:
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.line = 1
        self.started = False
        self.style: list[str] | None = None  # the text of the <style> element being read
        self.style_line = 0
        self.parser.StartElementHandler = self.element
        self.parser.EndElementHandler = self.element_end
        self.parser.CharacterDataHandler = self.text
        self.parser.EntityDeclHandler = self.parser.ExternalEntityRefHandler = self.entity
        self.parser.AttlistDeclHandler = self.attribute_list
        self.parser.ProcessingInstructionHandler = self.instruction

    def _noted(self) -> None:
        self.line = self.parser.CurrentLineNumber

    def element(self, name: str, attributes: dict[str, str]) -> None:
        self._noted()
        namespace, _, tag = name.rpartition(" ")
        if not self.started and (namespace, tag) != (SVG, "svg"):
            raise _Refused(f"this file is not an SVG drawing: it starts with <{tag}>", "give it the ending of what it is")
        self.started = True
        if namespace == HTML:
            raise _Refused(f"the HTML element <{tag}> is not allowed in an SVG")
        if tag in REFUSED_ELEMENTS:
            raise _Refused(f"<{tag}> is not allowed in an SVG: it can run code when the file is opened")
        if tag == "style":
            self.style, self.style_line = [], self.line
        for attribute, value in attributes.items():
            _check_attribute(tag, attribute.rpartition(" "), value)

    def element_end(self, name: str) -> None:
        if self.style is not None and name.endswith("style"):
            # checked whole: expat hands text over in pieces, split at each character reference
            self.line = self.style_line
            _check_css("".join(self.style))
            self.style = None

    def text(self, data: str) -> None:
        if self.style is not None:
            self.style.append(data)

    def entity(self, *_: object) -> None:
        self._noted()
        raise _Refused("<!ENTITY> declarations are not allowed in an SVG: they can hide or multiply its content")

    def attribute_list(self, *_: object) -> None:
        self._noted()
        raise _Refused("<!ATTLIST> declarations are not allowed in an SVG: they can add attributes to every element")

    def instruction(self, target: str, _: str) -> None:
        self._noted()
        raise _Refused(f"the instruction <?{target} …?> is not allowed in an SVG: it can load files from elsewhere")


def _check_attribute(tag: str, attribute: tuple[str, str, str], value: str) -> None:
    namespace, _, name = attribute
    if name.lower().startswith("on"):
        raise _Refused(f"the attribute {name}= is not allowed in an SVG: it runs code")
    if (namespace, name) == (XML, "base"):
        raise _Refused("xml:base is not allowed in an SVG: it changes where every reference leads")
    if name in ("href", "src"):
        _check_reference(tag, value)
    if name == "attributeName" and (value.strip().lower().endswith("href") or value.strip().lower().startswith("on")):
        raise _Refused(f"an animation of {value.strip()} is not allowed in an SVG: it can make a link run code")
    if name == "style" or "url(" in value.lower():
        _check_css(value)


def _check_reference(tag: str, value: str) -> None:
    """Only a reference to a part of this file (#id), or on <a> a link to a web page, mail or phone number."""
    address = _NOT_IN_URLS.sub("", value).lower()
    if address.startswith("#") or (tag == "a" and address.startswith(LINK_SCHEMES)):
        return
    scheme = address.partition(":")[0] + ":" if ":" in address else ""
    if scheme in ("javascript:", "vbscript:", "data:"):
        raise _Refused(f"a {scheme} address is not allowed in an SVG: it can run code or hide content")
    raise _Refused(f"the reference '{value.strip()}' leads outside this SVG, which is not allowed",
                   "draw the part into this file, or link the other file from the page instead")


def _check_css(css: str) -> None:
    if "\\" in css:  # an escape can spell @import or url( in other letters
        raise _Refused("a backslash escape is not allowed in an SVG's styles: it can hide what they load")
    lowered = css.lower()
    for loads in ("@import", "image-set("):
        if loads in lowered:
            raise _Refused(f"{loads} is not allowed in an SVG's styles: it loads a file from elsewhere")
    for target in _CSS_URL.findall(css):
        if not target.strip().startswith("#"):
            raise _Refused(f"url({target.strip()}) is not allowed in an SVG's styles: it loads a file from elsewhere",
                           "use url(#id) for a gradient or pattern drawn in this file")
