"""Fingerprints of a build's inputs, and the results an earlier build worked out from them.

The loaders and the build cache share these: a loader asks a `Memo` for what the last build got from
the same text, by its digest, before parsing it again.
"""
from __future__ import annotations

import hashlib
from typing import Any


def digest(*parts: Any) -> str:
    """A short fixed-length fingerprint of `parts`; equal parts always give equal digests."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        _feed(hasher, part)
    return hasher.hexdigest()


def _feed(hasher: Any, part: Any) -> None:
    # Each part is tagged with its kind and length, so ("ab", "c") and ("a", "bc") differ. Anything
    # but text is fed as its repr, which quotes the text inside it; this is a lot faster than a walk.
    if isinstance(part, bytes):
        data, kind = part, b"b"
    elif isinstance(part, str):
        data, kind = part.encode("utf-8", "surrogatepass"), b"s"
    else:
        data, kind = repr(part).encode("utf-8", "surrogatepass"), b"r"
    hasher.update(b"%s%d:" % (kind, len(data)))
    hasher.update(data)


class Memo:
    """Results of an earlier build by key; those used in this build are kept for the next one."""

    def __init__(self, earlier: dict[str, Any], kept: dict[str, Any]):
        self.earlier, self.kept = earlier, kept

    def get(self, key: str) -> Any | None:
        value = self.earlier.get(key)
        if value is not None:
            self.kept[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.kept[key] = value
