"""Reading editors' text files and listing the files below a folder.

Text: UTF-8 with or without a BOM, any line endings, up to a size limit. Listing: the build lists
content/ and the site it writes every time.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

from iopguide.errors import ContentError

# Far above any real page; a bigger file is a mistake, like a pasted
# export or a binary saved as .md, and reading it whole would only slow the build and the preview.
MAX_FILE_BYTES = 1024 * 1024
# Python's int() refuses more than 4300 digits, and html.unescape, Python-Markdown and html5lib each
# hand it a character reference's digits. No character needs more than 7, so a longer one is a mistake.
MAX_REFERENCE_DIGITS = 32
_LONG_REFERENCE = re.compile(rf"&#(?:[xX]([0-9a-fA-F]{{{MAX_REFERENCE_DIGITS + 1},}})|([0-9]{{{MAX_REFERENCE_DIGITS + 1},}}))")


def read_text(path: Path, shown: str) -> str:
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size  # of the file opened, not a second look-up of its path
        if size > MAX_FILE_BYTES:
            raise ContentError(shown, 1, f"this file is {size / 1024 / 1024:.1f} MB; the limit is "
                                         f"{MAX_FILE_BYTES // 1024 // 1024} MB",
                               "split it into several pages, or remove what was pasted into it by mistake")
        data = file.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(shown, line, f"this file is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x})",
                           "save it as UTF-8 in your editor (often under Save As → Encoding)") from None
    # most files have no carriage return: checking costs a fraction of the two replacements (each page is read twice)
    text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    if "&#" in text:
        _refuse_long_references(text, shown)
    return text


def _refuse_long_references(text: str, shown: str) -> None:
    found = _LONG_REFERENCE.search(text)
    if found:
        digits = len(found.group(1) or found.group(2))
        raise ContentError(shown, text.count("\n", 0, found.start()) + 1,
                           f"this character reference (&#{found.group(0)[2:12]}…) has {digits} digits; "
                           "no character needs more than 7",
                           "write the character itself, or its number, like &#8212; for —")



def files_below(folder: Path | str, hidden: tuple[str, ...] = ()) -> Iterator[tuple[str, os.DirEntry]]:
    """Every entry below `folder` but folders, with its posix path below it. Names starting with one of
    `hidden` are left out, with all below them.

    Plain os.scandir rather than os.walk or pathlib: its entries know their type without a stat, and
    a site has a folder per page.
    """
    pending = [""]
    while pending:
        prefix = pending.pop()
        with os.scandir(os.path.join(folder, prefix)) as entries:
            for entry in entries:
                if hidden and entry.name.startswith(hidden):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(f"{prefix}{entry.name}/")
                else:
                    yield prefix + entry.name, entry
