"""What a build published: every output file with its size and sha256, and timestamps that do not
depend on when the build ran."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from iopguide.errors import ContentError


@dataclass(frozen=True)
class PublishedFile:
    """One file of the built site, as the publishing manifest lists it."""

    path: str  # below the output folder, with / separators
    size: int
    sha256: str


def manifest(output_dir: Path) -> list[PublishedFile]:
    """Every file in the output folder, sorted by path."""
    files = []
    for path in sorted(output_dir.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files.append(PublishedFile(path.relative_to(output_dir).as_posix(), len(data),
                                       hashlib.sha256(data).hexdigest()))
    return files


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org): the time to give every output file, if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ContentError("SOURCE_DATE_EPOCH", None, f"'{value}' is not a number of seconds since 1970",
                           "set it to a whole number, like the last commit's time: git log -1 --format=%ct")
    return int(value)


def set_file_times(output_dir: Path, epoch: int) -> None:
    """Give every output file and folder the same modification time, so archives of two builds match."""
    for path in [*output_dir.rglob("*"), output_dir]:
        os.utime(path, (epoch, epoch), follow_symlinks=False)
