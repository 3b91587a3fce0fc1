"""Fingerprinted assets: stylesheets, scripts and images are published under names that carry a hash of
their bytes (`static/site.3f2a9c1e07.css`), so a host can let browsers keep them for a year and a new
version still reaches readers at once. Only files that a page or a published stylesheet refers to
are published.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from iopguide.errors import BuildFailed, ContentError, display_path
from iopguide.files import files_below, read_text
from iopguide.render.metadata import headers_file

HASH_LENGTH = 10
# A published asset name: `site.3f2a9c1e07.css`. Finding these in the rendered text tells which
# assets are used, whichever template, page or stylesheet refers to them and however it is quoted.
_HASHED_NAME = re.compile(rf"\.([0-9a-f]{{{HASH_LENGTH}}})\.[A-Za-z0-9]+\b")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


@dataclass(frozen=True)
class Asset:
    """A file from static/ or content/ as the site publishes it, under a name that changes with its bytes."""

    source: Path
    published: str  # its path in the output, with the hash in its name
    digest: str
    text: str | None = None  # a stylesheet, with its url(...) references rewritten; None: copied as it is


def static_files(static_dir: Path) -> dict[str, Path]:
    """Every file below static/ by its path below the site root. A link is refused, not followed: the
    site would publish whatever it leads to, such as a private file elsewhere on the computer."""
    if not static_dir.is_dir():
        return {}
    found = sorted(files_below(static_dir))
    links = [ContentError(display_path(entry.path), None, "this is a link (symbolic link), which is not followed",
                          "copy what it leads to into static/ instead") for _, entry in found if entry.is_symlink()]
    if links:
        raise BuildFailed(links)
    return {f"static/{rel}": Path(entry.path) for rel, entry in found if entry.is_file(follow_symlinks=False)}


def hashed_name(rel: str, digest: str) -> str:
    """'static/site.css' → 'static/site.3f2a9c1e07.css'."""
    folder, name = posixpath.split(rel)
    stem, dot, suffix = name.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot and stem else f"{name}.{digest}"
    return posixpath.join(folder, hashed)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


class AssetMap:
    """Where each asset (by its path below the site root, e.g. 'static/site.css') is published."""

    def __init__(self, assets: dict[str, Asset]):
        self.assets = assets

    def published(self, rel: str) -> str:
        """The published path of an asset; anything else (a page's URL) is returned as it is."""
        asset = self.assets.get(rel)
        return asset.published if asset else rel

    def content_urls(self, content_assets: dict[str, Path]) -> dict[str, str]:
        """Content files (images, PDFs) as Markdown links name them → where they are published."""
        return {rel: self.published(rel) for rel in content_assets}

    def extras_for(self, digests: Iterable[set[str]], outputs: Iterable[str],
                   search_files: Iterable[str] = ()) -> tuple[dict[str, str], dict[str, Path], str]:
        """What a site of these output files (and this search bundle) publishes besides them: the assets
        they refer to (each file's hashed names, by digest) as `published_for` gives them, and
        `_headers`, which lets hosts keep those assets for a year while pages are always revalidated."""
        texts, copies = self.published_for(set().union(*digests))
        pages = sorted(path.removesuffix("index.html") for path in outputs if path.endswith(".html"))
        return texts, copies, headers_file(pages, sorted([*texts, *copies]), search_files)

    def published_for(self, digests: set[str]) -> tuple[dict[str, str], dict[str, Path]]:
        """The assets with these digests, and those their stylesheets refer to: (stylesheets as rewritten
        text, other files to copy), both by published path."""
        by_digest: dict[str, list[Asset]] = {}
        for asset in self.assets.values():
            by_digest.setdefault(asset.digest, []).append(asset)
        used: dict[str, Asset] = {}
        pending = set(digests)
        while pending:
            for asset in by_digest.get(pending.pop(), []):
                if asset.published not in used:
                    used[asset.published] = asset
                    if asset.text is not None:
                        pending |= digests_in(asset.text)
        texts = {rel: asset.text for rel, asset in used.items() if asset.text is not None}
        copies = {rel: asset.source for rel, asset in used.items() if asset.text is None}
        return texts, copies


def digests_in(text: str) -> set[str]:
    """The digests of the hashed asset names in a rendered file."""
    return set(_HASHED_NAME.findall(text))


def fingerprint_assets(content_assets: dict[str, Path], static_dir: Path) -> AssetMap:
    """Hash every static file and content asset; stylesheets last, because their hash must cover
    the hashed names they refer to."""
    sources = {**content_assets, **static_files(static_dir)}
    assets: dict[str, Asset] = {}
    for rel in sorted(sources, key=lambda rel: (rel.endswith(".css"), rel)):
        source = sources[rel]
        if rel.endswith(".css"):
            text = rewrite_css_urls(read_text(source, display_path(source)), rel, AssetMap(assets))
            digest = _digest(text.encode("utf-8"))
        else:
            text, digest = None, _digest(source.read_bytes())
        assets[rel] = Asset(source, hashed_name(rel, digest), digest, text)
    return AssetMap(assets)


def rewrite_css_urls(css: str, css_rel: str, assets: AssetMap) -> str:
    """Point each `url(...)` in a stylesheet at the hashed name of the asset it names."""
    folder = posixpath.dirname(css_rel)

    def rewrite(match: re.Match) -> str:
        quote_mark, reference = match.groups()
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return match.group(0)  # data:, another site, or a #fragment: nothing to publish
        target = posixpath.normpath(posixpath.join(folder, parts.path))
        if target not in assets.assets:
            return match.group(0)
        new_path = posixpath.relpath(assets.published(target), folder or ".")
        return f"url({quote_mark}{new_path}{reference[len(parts.path):]}{quote_mark})"

    return _CSS_URL.sub(rewrite, css)
