"""The converted pages the build cache keeps, in pack files: a few per build, not one per page.

Creating a file costs a build far more than writing to one already open: in a cold build, a cache
file per page cost more than converting the pages' Markdown with the site's extensions rather
than none. So each process that converts pages appends them to a pack file of
its own, and the cache index says where each one is: the pack, the offset, the length and a
checksum of the bytes. A pack is never changed once written, only deleted once no page's record
points into it; when pages change, their old bytes stay behind as dead space, and `tidy` moves the
live ones out of packs that are mostly dead or too small to be worth a file of their own.

Anything unreadable — a missing pack, damaged bytes — counts as not cached: the page is converted
again, so a damaged cache costs time, never a wrong page. The checksum is a signature with the cache's
key (signing.py), checked before the bytes are unpickled: bytes this user's builds did not write are
never loaded, and a pack that is a link is not opened.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import MutableMapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from iopguide.signing import open_unfollowed, signature

MAX_PACKS = 16  # beyond this, the smallest packs are merged into one


class Stored(NamedTuple):
    """Where a converted page is: which pack, at what offset, and how to tell its bytes are intact."""

    pack: str
    offset: int
    length: int
    checksum: str


class PackedRecord(Protocol):
    """What tidying needs of a cache record (cache.ConversionRecord, a dataclass): where its page is."""

    stored: Stored | None


def _checksum(data: bytes) -> str:
    return signature(data).hex()


class PackWriter:
    """Appends converted pages to a new pack, one per process: forked workers each get their own."""

    def __init__(self, folder: Path | None):
        self.folder = folder  # None: no cache, nothing is kept
        self._pid: int | None = None
        self._handle: Any = None
        self._name = ""

    def store(self, converted: Any) -> Stored | None:
        """Append `converted` to this process's pack; where it is, for the page's ConversionRecord."""
        if self.folder is None:
            return None
        return self.store_bytes(pickle.dumps(converted, protocol=pickle.HIGHEST_PROTOCOL))

    def store_bytes(self, data: bytes) -> Stored:
        if self._pid != os.getpid():
            self._open()
        offset = self._handle.tell()
        self._handle.write(data)
        return Stored(self._name, offset, len(data), _checksum(data))

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._name = f"{os.urandom(8).hex()}.pack"
        # Unbuffered: a worker process ends without closing its files, and each write must be whole then.
        self._handle = open(self.folder / self._name, "xb", buffering=0)
        self._pid = os.getpid()

    def close(self) -> None:
        if self._handle is not None and self._pid == os.getpid():
            self._handle.close()
        self._handle = self._pid = None


def load(folder: Path | None, stored: Stored | None) -> Any | None:
    """The converted page stored there, or None if it cannot be read back exactly as it was written."""
    data = _read(folder, stored)
    return pickle.loads(data) if data is not None else None


def _read(folder: Path | None, stored: Stored | None) -> bytes | None:
    if folder is None or stored is None:
        return None
    try:
        with open_unfollowed(folder / stored.pack) as handle:
            handle.seek(stored.offset)
            data = handle.read(stored.length)
    except OSError:
        return None
    return data if _checksum(data) == stored.checksum else None


def tidy(folder: Path, conversions: MutableMapping[str, PackedRecord]) -> None:
    """Delete the packs no record points into, and move the live pages out of packs that are mostly
    dead space or that are among too many small ones, so the cache neither grows without end nor
    splits into a file per edit. Moving costs in proportion to the small or dead packs, never the
    whole cache at each build."""
    try:
        names = [name for name in os.listdir(folder) if not name.startswith(".")]
    except FileNotFoundError:
        return
    live: dict[str, int] = {}  # pack → bytes that records point to
    for record in conversions.values():
        if record.stored is not None:
            live[record.stored.pack] = live.get(record.stored.pack, 0) + record.stored.length
    for name in names:
        if name not in live:
            (folder / name).unlink(missing_ok=True)  # also what an older engine kept here
    sizes = {name: _size(folder / name) for name in live}
    merge = {name for name in live if live[name] * 2 < sizes[name]}  # mostly dead, or gone (size 0)
    if len(live) > MAX_PACKS:
        total = sum(live.values())
        smallest = sorted(live.keys() - merge, key=live.__getitem__)
        merge.update(smallest[:2])
        merge.update(name for name in smallest[2:] if live[name] * MAX_PACKS < total)
    if merge:
        _move_out(folder, merge, conversions)


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


def _move_out(folder: Path, packs: set[str], conversions: MutableMapping[str, PackedRecord]) -> None:
    writer = PackWriter(folder)
    try:
        for rel_path, record in list(conversions.items()):
            if record.stored is None or record.stored.pack not in packs:
                continue
            data = _read(folder, record.stored)
            if data is None:
                del conversions[rel_path]  # unreadable: the page is converted again next time
                continue
            conversions[rel_path] = replace(record, stored=writer.store_bytes(data))
    finally:
        writer.close()
    for name in packs:
        (folder / name).unlink(missing_ok=True)
