"""The build cache in .cache/build/: what an earlier build already worked out, and proof it still holds.

Three things are kept, each with the inputs it was made from:
- what loading each page file gave, with the file's stat data: a file whose size, times and inode
  are unchanged is not read again (its text's digest stands for it), as git trusts its index; and
  the parsed config, by its text, so YAML is parsed only when it changed;
- each page's converted Markdown, with every answer the conversion got about other files
  ("does faq.md exist, and at what address?"). A cached conversion is used only when its page text,
  address, Markdown settings and engine are the same and every one of those answers still is;
- each output file's render key (a digest of everything its template reads) with the size, time and
  inode of the file written, so an unchanged file is neither rendered nor rewritten.

All but the converted pages sit in one index (index.pickle), read at the start of a build; a build
that changes little of it writes only its changes (index-changes.pickle). The converted pages are
in pack files (packs.py), and the index says where each one is.

The engine's own source and the versions of the libraries it runs are part of every key: upgrading
either starts from an empty cache rather than trusting what older code made. A cache that cannot
be read (damaged, or from another version of Python) is treated as empty: the cost is time, never a
wrong page.

Loading pickled data runs code, so the cache trusts only what this user's builds wrote: every file is
signed with a key kept outside the project (signing.py), and a cache whose index is not is emptied
before the build uses any of it — the copy of the last site included, whose folders the next build
writes into. A cache folder that git tracks is refused, as is one that is a link; links inside it
are removed, never followed.
"""
from __future__ import annotations

import os
import pickle
import shutil
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from iopguide.fingerprints import Memo, digest
from iopguide.errors import ContentError, display_path
from iopguide.build.packs import Stored, tidy
from iopguide.model import LinkTargets
from iopguide.signing import read_signed, signed, write_atomically

ENGINE_PACKAGES = ("Markdown", "Jinja2", "MarkupSafe", "html5lib", "PyYAML")
CACHE_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
             "# This folder is a cache made by the IOP Guide build (build.py); delete it with 'build.py clean'.\n")


def engine_version() -> str:
    """A digest of the engine's source files and the versions of the libraries that shape its output."""
    package = Path(__file__).parents[1]  # every module of iopguide, in every stage's folder
    sources = [(path.relative_to(package).as_posix(), path.read_bytes()) for path in sorted(package.rglob("*.py"))]
    return digest(sources, installed_versions(ENGINE_PACKAGES))


def installed_versions(names: tuple[str, ...]) -> list[str]:
    """The installed releases of these packages, as their `name-version.dist-info` folders say.

    Read from folder names rather than with importlib.metadata, which takes longer to load than a
    build with nothing to do takes to run.
    """
    wanted = {name.lower() for name in names}
    found = []
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            name, _, version = entry.removesuffix(".dist-info").partition("-")
            if entry.endswith(".dist-info") and name.lower() in wanted:
                found.append(f"{name.lower()} {version}")
    return sorted(found)


MISSING = None  # no stored answer is None: addresses are strings, set members answer True


class Recorded(Mapping):
    """A read-only view of a mapping or set that notes every lookup and what it answered.

    Conversion asks about link targets through these views; the answers are stored with the result,
    and the result is reused only while every answer is still the same.
    """

    def __init__(self, name: str, data: Collection[str], answers: dict[tuple[str, str], Any]):
        self._name, self._data, self._answers = name, data, answers

    def __contains__(self, key: object) -> bool:
        return self._note(key) is not MISSING

    def __getitem__(self, key: str) -> Any:
        value = self._note(key)
        if value is MISSING:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        # Listing every key is what "did you mean …?" does for a broken link: such a page is never
        # cached, so the answer needs no recording.
        self._answers[("*", self._name)] = MISSING
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def _note(self, key: object) -> Any:
        value = answer(self._data, key)
        self._answers[(self._name, key)] = value
        return value


def recording(targets: LinkTargets, answers: dict[tuple[str, str], Any]) -> LinkTargets:
    """The same link targets, every lookup in which notes its answer in `answers`."""
    return LinkTargets(**{name: Recorded(name, getattr(targets, name), answers) for name in LinkTargets.names()})


def answer(data: Collection[str], key: object) -> Any:
    """What a lookup of `key` gives: the value, True for a set member, or MISSING."""
    if isinstance(data, (set, frozenset)):  # checked first: telling a Mapping takes an ABC check, much slower
        return True if key in data else MISSING
    return data.get(key, MISSING)


@dataclass
class OutputRecord:
    """An output file as the last build wrote it, to tell whether it is still there and still current."""

    key: str  # the render key it was made with
    size: int
    mtime_ns: int
    inode: int
    assets: frozenset[str] = frozenset()  # digests of the hashed assets it refers to

    def matches(self, path: str | Path) -> bool:
        try:
            status = os.stat(path)
        except OSError:
            return False
        return (status.st_size, status.st_mtime_ns, status.st_ino) == (self.size, self.mtime_ns, self.inode)

    @classmethod
    def of(cls, path: Path, key: str, assets: frozenset[str]) -> OutputRecord:
        status = path.stat()
        return cls(key, status.st_size, status.st_mtime_ns, status.st_ino, assets)


@dataclass
class ConversionRecord:
    """What one page's conversion was made from: the key of its input and the answers it was given."""

    key: str  # digest of the page's Markdown, address, settings and engine
    # Every lookup the conversion made and its answer, pickled on their own: the index holds a record
    # per page, but a build looks at the answers of only the pages it plans in full, and one bytes
    # object loads many times faster than the tuples inside it.
    packed_answers: bytes
    digest: str  # stands for the converted HTML: equal digests mean equal HTML
    stored: Stored | None = None  # where the cache keeps the converted page (packs.py)

    @classmethod
    def of(cls, key: str, answers: Mapping[tuple[str, str], Any], stored: Stored | None) -> ConversionRecord:
        ordered = tuple(sorted(answers.items(), key=repr))
        return cls(key, pickle.dumps(ordered, protocol=pickle.HIGHEST_PROTOCOL), digest(key, ordered), stored)

    def still_holds(self, targets: LinkTargets) -> bool:
        return all(name != "*" and answer(getattr(targets, name), key) == value
                   for (name, key), value in pickle.loads(self.packed_answers))


@dataclass
class CacheIndex:
    """The small part of the cache, read whole at the start of a build and written at its end (see IndexChanges)."""

    engine: str
    configs: dict[str, Any] = field(default_factory=dict)  # digest of the config's text and options → SiteConfig
    sources: dict[str, Any] = field(default_factory=dict)  # page rel_path → source/pages.SourceRecord
    conversions: dict[str, ConversionRecord] = field(default_factory=dict)  # page rel_path → its last conversion
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # output path → the file the last build wrote
    template_reads: dict[str, Any] = field(default_factory=dict)  # digest of the templates → names each one reads
    quizzes: dict[str, Any] = field(default_factory=dict)  # digest of the quiz's files and pages → proven Quiz
    plan_context: str = ""  # what every output's partial key was worked out from, besides the page itself
    partial_keys: dict[str, str] = field(default_factory=dict)  # listing key, or template name → partial key
    written: str = ""  # a random id given when the index was written whole, which its changes name


TABLES = ("configs", "sources", "quizzes", "conversions", "outputs", "template_reads", "partial_keys")  # CacheIndex's dicts
INDEX_FILE, CHANGES_FILE = "index.pickle", "index-changes.pickle"


@dataclass
class IndexChanges:
    """An index written as its changes to the last index written whole.

    Pickling the whole index takes longer than the rest of a build that changes one page, which
    changes a few of its entries; so while the changes are few, only they are written.
    """

    base: str  # the `written` id of the whole index these changes apply to
    index: CacheIndex  # the new index, its tables holding only the entries that are not the base's
    removed: dict[str, set[str]]  # table → keys the base has and the new index has not

    def applied(self, base: CacheIndex) -> CacheIndex:
        for table in TABLES:
            merged = {key: value for key, value in getattr(base, table).items() if key not in self.removed[table]}
            merged.update(getattr(self.index, table))
            setattr(self.index, table, merged)
        return self.index

    @classmethod
    def between(cls, base: CacheIndex, index: CacheIndex) -> IndexChanges:
        """What `index` changed of `base`; an entry the build took from the base unchanged is the very same object."""
        tables = {table: {key: value for key, value in getattr(index, table).items()
                          if getattr(base, table).get(key) is not value} for table in TABLES}
        removed = {table: getattr(base, table).keys() - getattr(index, table).keys() for table in TABLES}
        return cls(base.written, replace(index, **tables), removed)

    def size(self) -> int:
        return sum(len(getattr(self.index, table)) + len(self.removed[table]) for table in TABLES)


class BuildCache:
    """The cache folder; `None` folder means no cache: nothing is read and nothing is kept."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.engine = engine_version()
        if folder is not None:
            _refuse_links_to(folder)
            _refuse_tracked(folder)
            _remove_links_in(folder)
        self.previous, self.base = self._read_index()
        self.index = CacheIndex(self.engine, template_reads=self.previous.template_reads)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def sources(self) -> Memo:
        return Memo(self.previous.sources, self.index.sources)

    def configs(self) -> Memo:
        return Memo(self.previous.configs, self.index.configs)

    def quizzes(self) -> Memo:
        return Memo(self.previous.quizzes, self.index.quizzes)

    def _read_index(self) -> tuple[CacheIndex, CacheIndex]:
        """(the index the last build left, the index last written whole, which it is based on)."""
        empty = CacheIndex(self.engine)
        if self.folder is None:
            return empty, empty
        index = read_signed(self.folder / INDEX_FILE)
        if index is None:  # none yet, or not written by this user's builds: nothing in the folder is theirs
            _empty(self.folder)
            return empty, empty
        base = _unpickle(index)
        if not (isinstance(base, CacheIndex) and base.engine == self.engine):
            return empty, empty
        changes = _unpickle(read_signed(self.folder / CHANGES_FILE))
        if isinstance(changes, IndexChanges) and changes.base == base.written and changes.index.engine == self.engine:
            return changes.applied(base), base
        return base, base

    @property
    def packs(self) -> Path | None:
        """The folder of the converted pages' pack files."""
        return self.folder / "converted" if self.folder else None

    def save(self) -> None:
        """Write the index, and delete the converted pages it no longer points to."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tag = self.folder / "CACHEDIR.TAG"  # tells backup tools the folder need not be kept
        if not os.path.lexists(tag):
            write_atomically(tag, CACHE_TAG.encode())
        tidy(self.packs, self.index.conversions)
        changes = IndexChanges.between(self.base, self.index)
        # Written whole again once the changes are a tenth of the index: reading them costs time too.
        if self.base.written and changes.size() * 10 <= sum(len(getattr(self.base, table)) for table in TABLES):
            write_atomically(self.folder / CHANGES_FILE, signed(pickle.dumps(changes, protocol=pickle.HIGHEST_PROTOCOL)))
            return
        self.index.written = os.urandom(8).hex()
        write_atomically(self.folder / INDEX_FILE, signed(pickle.dumps(self.index, protocol=pickle.HIGHEST_PROTOCOL)))
        (self.folder / CHANGES_FILE).unlink(missing_ok=True)  # they name the index just replaced


def _unpickle(data: memoryview | None) -> Any:
    """What a signed cache file holds; None for no data, or data an older Python or engine wrote."""
    try:
        return pickle.loads(data) if data is not None else None
    except Exception:  # start again: the cost is time, never a wrong page
        return None


def _refuse_links_to(folder: Path) -> None:
    """Refuse a cache folder that is a link, or below one: the build would write wherever it leads."""
    steps = [folder] if folder.is_absolute() else [Path(*folder.parts[:count]) for count in range(1, len(folder.parts) + 1)]
    for path in steps:
        if path.is_symlink():
            raise ContentError(display_path(path), None, "this cache folder is a link (symbolic link), which the build does not follow",
                               "delete the link with: build.py clean")


def _refuse_tracked(folder: Path) -> None:
    """Refuse a cache folder that git tracks: whoever can commit could then put files in it, and every
    build would take them for its own. The git index is searched for the folder's name first, so a
    build in a repository that ignores the cache, as this one does, starts no git process."""
    top = folder if folder.is_absolute() else Path(folder.parts[0])
    index = _git_index(Path.cwd())
    # A version 4 index shortens each path by what it shares with the one before, so git is asked.
    if index is None or (index[4:8] != b"\0\0\0\x04" and os.fsencode(top.name) not in index):
        return
    tracked = _tracked_by_git(top)
    if tracked:
        raise ContentError(display_path(tracked), None, "this cache file is tracked by git, so a commit could change what the build trusts",
                           f"remove the cache from git with: git rm -r --cached {display_path(top)} (the files stay on disk)")


def _git_index(start: Path) -> bytes | None:
    """The index file of the git repository `start` is in, or None outside one."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        try:
            if dot_git.is_dir():
                return (dot_git / "index").read_bytes()
            if dot_git.is_file():  # a worktree or submodule: the file names the real folder
                return (folder / dot_git.read_text().partition("gitdir:")[2].strip() / "index").read_bytes()
        except OSError:  # no index yet, or unreadable: git tracks nothing there that a build could read
            return None
    return None


def _tracked_by_git(top: Path) -> str | None:
    """The first file below `top` that git tracks, or None."""
    import subprocess  # here, not at the top: only a repository whose index names the folder needs it

    try:
        done = subprocess.run(["git", "ls-files", "-z", "--", str(top)], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):  # no git here: nothing checked out by it either
        return None
    first = done.stdout.split(b"\0", 1)[0]
    return os.fsdecode(first) if done.returncode == 0 and first else None


def _remove_links_in(folder: Path) -> None:
    """Remove the links among the cache's own files and folders: each would lead the build's reads and
    writes wherever it points. Files deeper down are opened without following links (signing.py, packs.py)."""
    try:
        with os.scandir(folder) as entries:
            links = [entry.path for entry in entries if entry.is_symlink()]
    except FileNotFoundError:
        return
    for path in links:
        os.unlink(path)


def _empty(folder: Path) -> None:
    """Delete everything in a cache folder, without following any link in it."""
    try:
        with os.scandir(folder) as entries:
            found = [(entry.path, entry.is_dir(follow_symlinks=False)) for entry in entries]
    except FileNotFoundError:
        return
    for path, is_folder in found:
        if is_folder:
            shutil.rmtree(path)
        else:
            os.unlink(path)


def remove_cache(folder: Path) -> int:
    """Delete the cache folder; the number of bytes it held."""
    if folder.is_symlink():
        folder.unlink()  # the link alone, never what it leads to
        return 0
    if not folder.exists():
        return 0
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
    shutil.rmtree(folder)
    return size
