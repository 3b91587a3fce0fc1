"""A small reader for built pages: the elements and attributes tests look for, via the stdlib parser."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Scan:
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text_by_tag: dict[str, list[str]] = field(default_factory=dict)
    text: str = ""

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}

    def texts(self, tag: str) -> list[str]:
        return self.text_by_tag.get(tag, [])


class _Parser(HTMLParser):
    CAPTURE = {"title", "h1", "h2", "th", "script", "style", "time"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = Scan()
        self.open: list[tuple[str, list[str]]] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.scan.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in self.CAPTURE:
            self.open.append((tag, []))

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            name, parts = self.open.pop()
            self.scan.text_by_tag.setdefault(name, []).append(" ".join("".join(parts).split()))

    def handle_data(self, data):
        self.chunks.append(data)
        for _, parts in self.open:
            parts.append(data)


def scan(path: Path) -> Scan:
    return scan_text(path.read_text(encoding="utf-8"))


def scan_text(html: str) -> Scan:
    parser = _Parser()
    parser.feed(html)
    parser.scan.text = " ".join(" ".join(parser.chunks).split())
    return parser.scan
