"""Listing the files below a folder, which the build does for content/ and for the site every time."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator


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
