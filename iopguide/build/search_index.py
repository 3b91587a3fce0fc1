"""The search bundle: Pagefind's index of the site's pages, made at build time and published in pagefind/.

The bundle is a function of the indexed pages' HTML and Pagefind's version alone, so it is keyed by
those (each page by its path and render key) and kept in the build cache: a build that changes no
indexed page neither runs Pagefind nor rewrites the bundle. What is indexed is each page's
`data-pagefind-body` (its <main>). The 404 and search pages, which have none, are neither given to
Pagefind nor part of the key, so editing them costs no new index.
"""
from __future__ import annotations

import json
import pickle
import posixpath
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from iopguide.errors import ContentError
from iopguide.fingerprints import digest
from iopguide.model import Page
from iopguide.signing import read_signed, signed, write_atomically

FOLDER = "pagefind"  # where the bundle is published, below the site root
PACKAGES = ("pagefind", "pagefind_bin")  # requirements.txt pins both; the binary is in pagefind_bin
CACHE_FILE = "search.pickle"
# Pagefind also writes its ready-made interfaces (the *-ui files) and a highlighter; the search page
# has its own small interface (static/search.js) on pagefind.js, so only these are published.
_UNUSED = ("-ui.js", "-ui.css", "pagefind-highlight.js")
_ENTRY = "pagefind-entry.json"
_GLOB_SPECIAL = re.compile(r"[\\*?$\[\]{}(),<>:#!]")  # characters a wax glob gives a meaning


def search_key(versions: list[str], pages: Mapping[str, str]) -> str:
    """What a bundle is made from: Pagefind's version and each indexed page's path and render key."""
    return digest(versions, sorted(pages.items()))


def indexed_pages(keys: Mapping[str, str], pages: list[Page]) -> dict[str, str]:
    """The output files Pagefind reads, with their render keys: every page but the 404 and search pages;
    none on a site without a search page, which would publish an index no page reads."""
    search_pages = {page.output_file for page in pages if page.meta.template == "search"}
    if not search_pages:
        return {}
    return {path: key for path, key in keys.items()
            if path.endswith(".html") and posixpath.basename(path) != "404.html" and path not in search_pages}


def cached_bundle(cache_folder: Path | None, key: str) -> dict[str, bytes] | None:
    """The bundle the last build made, if it was made from the same pages by the same Pagefind."""
    if cache_folder is None:
        return None
    data = read_signed(cache_folder / CACHE_FILE)
    try:
        stored_key, files = pickle.loads(data) if data is not None else (None, None)
    except Exception:  # damaged, or from another Python: indexing again costs time, never a wrong bundle
        return None
    return files if stored_key == key else None


def keep_bundle(cache_folder: Path | None, key: str, files: dict[str, bytes]) -> None:
    if cache_folder is not None:
        cache_folder.mkdir(parents=True, exist_ok=True)
        write_atomically(cache_folder / CACHE_FILE, signed(pickle.dumps((key, files), protocol=pickle.HIGHEST_PROTOCOL)))


def make_bundle(site: Path, pages: list[str]) -> dict[str, bytes]:
    """Run Pagefind over these pages of the site in `site`: the bundle's files by their published path.

    Pagefind is given the pages by name, a glob of them all, as the site being assembled may still
    hold pages since deleted: linking the pages into a folder of their own would cost file operations
    for each. The glob goes in Pagefind's config file, which it reads from its working folder: on a
    command line, one argument may not pass 128 KB, a few thousand pages' names.
    """
    if not pages:
        return {}
    # A temporary folder of the system's, not beside the site: the bundle is read into memory at once,
    # and the site's disk then holds it only once, in the new site.
    work = Path(tempfile.mkdtemp(prefix="iopguide-search-"))
    try:
        config = {"site": str(site.resolve()), "glob": _glob_of(pages), "output_path": "bundle"}
        (work / "pagefind.json").write_text(json.dumps(config), encoding="utf-8")
        done = subprocess.run([str(_pagefind()), "--silent"], cwd=work, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise ContentError(FOLDER, None, f"Pagefind could not index the site: {(done.stderr or done.stdout).strip()[:500]}",
                               "run the build again with --debug, and report this if it persists")
        return _published(work / "bundle")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _glob_of(pages: list[str]) -> str:
    """A glob (wax syntax) that matches exactly these paths: '{faq/index.html,es/faq/index.html}'."""
    return "{" + ",".join(_GLOB_SPECIAL.sub(r"\\\g<0>", page) for page in pages) + "}"


def _pagefind() -> Path:
    try:
        from pagefind_bin import get_executable  # here, not at the top: only a build that indexes needs it
    except ImportError:
        raise ContentError("requirements.txt", None, "Pagefind, which makes the site's search index, is not installed",
                           "install what the build needs: .venv/bin/pip install -r requirements.txt") from None
    return get_executable()


def _published(bundle: Path) -> dict[str, bytes]:
    """The files of Pagefind's output that the site publishes, by path below the site root."""
    files = {}
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.name.endswith(_UNUSED):
            files[f"{FOLDER}/{path.relative_to(bundle).as_posix()}"] = path.read_bytes()
    entry = f"{FOLDER}/{_ENTRY}"
    try:
        entry_data = json.loads(files[entry])
    except (KeyError, ValueError):  # Pagefind says nothing when it cannot write, as on a full disk
        raise ContentError(FOLDER, None, "Pagefind's search index came out incomplete",
                           "check that the disk holding the system's temporary folder has space, then build again") from None
    # Pagefind lists the languages in an order that varies from run to run; sorted, two builds of the
    # same pages are byte-identical.
    files[entry] = json.dumps(entry_data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return files
