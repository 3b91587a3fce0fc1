"""Reading editors' text files: UTF-8 with or without a BOM, any line endings."""
from __future__ import annotations

from pathlib import Path

from .errors import ContentError


def read_text(path: Path, shown: str) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(shown, line, f"this file is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x})",
                           "save it as UTF-8 in your editor (often under Save As → Encoding)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
