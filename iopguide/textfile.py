"""Reading editors' text files: UTF-8 with or without a BOM, any line endings, up to a size limit."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import ContentError

# Far above any real page (the longest is about 20 KB); a bigger file is a mistake, like a pasted
# export or a binary saved as .md, and reading it whole would only slow the build and the preview.
MAX_FILE_BYTES = 1024 * 1024


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
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
