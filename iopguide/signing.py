"""Telling the cache files this machine's builds wrote from files anyone else put in .cache/.

The cache keeps pickled data and compiled templates, and loading either runs code: a crafted file in
a pull request or an archive of the project would run on every editor's machine and in CI. So each
file the cache writes is signed with a key kept outside every project (in the user's cache folder),
and a file is loaded only when its signature is right; anything else is treated as not cached.
Cache files are opened without following links, so a link placed in the cache leads nowhere.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
from pathlib import Path
from typing import BinaryIO

KEY_BYTES = 32
SIGNATURE_BYTES = hashlib.sha256().digest_size
_NO_LINKS = os.O_NOFOLLOW | os.O_CLOEXEC


def key_path() -> Path:
    """$XDG_CACHE_HOME/iopguide/key, or ~/.cache/iopguide/key: outside every project, one per user."""
    folder = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(folder) if os.path.isabs(folder) else Path.home() / ".cache"
    return base / "iopguide" / "key"


@functools.cache
def cache_key() -> bytes:
    """This user's key, made on first use. Where no key can be kept (a read-only home folder), one for
    this process alone: the cache then helps no later build, but nothing it holds is trusted either."""
    path = key_path()
    try:
        return _read_key(path) or _make_key(path)
    except OSError:
        return os.urandom(KEY_BYTES)


def _read_key(path: Path) -> bytes | None:
    try:
        data = read_unfollowed(path)
    except FileNotFoundError:
        return None
    return data if len(data) == KEY_BYTES else None


def _make_key(path: Path) -> bytes:
    """A new key, readable by this user alone. Of two builds that make one at once, the one linked into
    place first is the key of both."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = os.urandom(KEY_BYTES)
    temporary = path.with_name(f".key.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # left by a killed build that had this process id
    _write_new(temporary, key, 0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        found = _read_key(path)
        if found is not None:
            return found
        os.replace(temporary, path)  # damaged: replaced, never trusted
    except OSError:  # a file system without hard links
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return key


def signature(data: bytes | memoryview) -> bytes:
    return hmac.digest(cache_key(), data, "sha256")


def signed(data: bytes) -> bytes:
    """`data` with its signature in front, as a cache file holds it."""
    return signature(data) + data


def verified(blob: bytes | None) -> memoryview | None:
    """The data of a signed cache file's contents, or None if this user's builds did not write it.
    A view rather than a copy: the cache index grows with the site."""
    if blob is None or len(blob) < SIGNATURE_BYTES:
        return None
    data = memoryview(blob)[SIGNATURE_BYTES:]
    return data if hmac.compare_digest(blob[:SIGNATURE_BYTES], signature(data)) else None


def open_unfollowed(path: Path | str) -> BinaryIO:
    """A file opened for reading; OSError if it is a link."""
    return open(os.open(path, os.O_RDONLY | _NO_LINKS), "rb")


def read_unfollowed(path: Path | str) -> bytes:
    """A file's bytes; OSError if it is a link."""
    with open_unfollowed(path) as handle:
        return handle.read()


def read_signed(path: Path | str) -> memoryview | None:
    """What a signed cache file holds; None if it is missing, a link, or not signed by this user's builds."""
    try:
        return verified(read_unfollowed(path))
    except OSError:
        return None


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, whole; never half of one, even if the build is killed.
    Written to a new file that is then renamed into place: never through a link that is there."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # one writer per process at a time
    try:
        temporary.unlink(missing_ok=True)  # left by a killed build that had this process id
        _write_new(temporary, data, 0o666)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_new(path: Path, data: bytes, mode: int) -> None:
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINKS, mode), "wb") as handle:
        handle.write(data)
