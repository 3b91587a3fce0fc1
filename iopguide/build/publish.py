"""Writing the site atomically — build beside output/, swap it in only when complete."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Iterable, Iterator

from iopguide.errors import ContentError, display_path
from iopguide.files import files_below

if TYPE_CHECKING:
    import ctypes


def check_output_dir(output_dir: Path, protected: list[Path]) -> None:
    """Refuse an output folder that would replace the project's own files when swapped in."""
    out = output_dir.resolve()
    for path in protected:
        path = path.resolve()
        if out == path or out in path.parents:
            raise ContentError(str(output_dir), None, f"the output folder would replace {path.name}",
                               "choose a separate folder for the built site, like output/")


@contextlib.contextmanager
def disk_errors_explained(output_dir: Path) -> Iterator[None]:
    """A full disk, or a folder the build may not write to, is for whoever runs the build to fix:
    say so in one line that names the folder, rather than as an internal error."""
    try:
        yield
    except OSError as error:
        parent = output_dir.resolve().parent
        folder = display_path(parent)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            # a write names no file; the cache's disk may be the full one
            raise ContentError(str(output_dir), None, f"the disk is full: the new site could not be written in {folder}/",
                               "free some space (the new site is written beside the old one, and the cache in "
                               ".cache/), or build to another disk with --output DIR") from None
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM) and _below(error.filename, parent):
            raise ContentError(str(output_dir), None, f"the build may not write in {folder}/ ({error.strerror})",
                               "make that folder writable, or build to another folder with --output DIR") from None
        raise


def _below(filename: str | bytes | None, folder: Path) -> bool:
    """True when the file an error names is in `folder` or below it: reading a source the build may
    not read is another problem."""
    return filename is not None and Path(os.fsdecode(filename)).resolve().is_relative_to(folder)


@contextlib.contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """One build at a time per output folder; a second one stops at once with a clear message."""
    parent = output_dir.resolve().parent
    with disk_errors_explained(output_dir):
        parent.mkdir(parents=True, exist_ok=True)
        handle = open(parent / f".{output_dir.name}.lock", "w")
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ContentError(str(output_dir), None, "another build is writing to this folder right now",
                               "wait for it to finish, then run the build again") from None
        yield


@dataclass
class NewSite:
    """The folder a new site is assembled in before it replaces output/."""

    folder: Path  # where the new site is being assembled
    reused: bool  # it holds the site from an earlier build, to be brought up to date, rather than nothing


@contextlib.contextmanager
def new_site(output_dir: Path, spare: Path | None) -> Iterator[NewSite]:
    """A folder to assemble the new site in; when the block ends without error it replaces output_dir
    in one step, and otherwise output_dir is left as it was.

    With a `spare` folder (in the build cache), the site that is replaced is kept there, and the next
    build starts from it: most of its files are already right, so only the changed ones are written.
    Making a folder per page and deleting the old site afterwards would otherwise cost more than the
    whole of a build that changes one page.
    """
    parent = output_dir.resolve().parent
    with disk_errors_explained(output_dir):
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.new-", dir=parent))
    reused = spare is not None and _move(spare, staging)
    try:
        with disk_errors_explained(output_dir):
            yield NewSite(staging, reused)
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must be able to read it
            _swap_in(staging, output_dir.resolve())
    except BaseException:
        if not (spare is not None and _move(staging, spare)):
            shutil.rmtree(staging, ignore_errors=True)
        raise
    if staging.exists():  # it now holds the old site
        if not (spare is not None and _move(staging, spare)):
            shutil.rmtree(staging, ignore_errors=True)


def _move(source: Path, target: Path) -> bool:
    """Rename a folder onto a missing or empty one; False, with both left as they were, if that cannot
    be done (`source` is missing, or on another disk)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)  # replaces an empty folder at `target` in the same step
        return True
    except OSError:
        return False


def site_inodes(output_dir: Path) -> dict[str, int]:
    """Every file in the output folder, by path below it, with its inode as the folder lists it (no stat)."""
    return {rel_path: entry.inode() for rel_path, entry in files_below(output_dir)}


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Put the new site in place; afterwards `staging` holds the old site, if there was one."""
    if not output_dir.exists():
        os.rename(staging, output_dir)
    elif not _exchange(staging, output_dir):
        retired = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
        os.rename(output_dir, retired)
        os.rename(staging, output_dir)
        os.rename(retired, staging)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so output/ always exists, whole; False if unsupported.

    Two renames leave a moment with no output/ at all: a web server reading it then answers 404,
    and a build killed in that moment leaves the site in the retired folder until the next build.
    """
    import ctypes  # here, not at the top: only a build that swaps a new site in needs it

    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # an old kernel, or a file system without it
        return False
    raise OSError(error, os.strerror(error), str(second))


@functools.cache
def _libc() -> ctypes.CDLL:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def recover_output(output_dir: Path) -> None:
    """Run first in every build. A build that was killed may have left its staging or retired folder behind.

    Killed between the two renames of the swap, it left no output folder at all: the retired
    one is then the last complete site, so it is put back rather than deleted.
    """
    parent, name = output_dir.resolve().parent, output_dir.name
    if not parent.is_dir():
        return
    for leftover in parent.glob(f".{name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    retired = sorted(parent.glob(f".{name}.old-*"), key=lambda path: path.stat().st_mtime)
    if retired and not (parent / name).exists():
        os.rename(retired.pop(), parent / name)
    for leftover in retired:
        shutil.rmtree(leftover, ignore_errors=True)


def write_or_keep(data: bytes, target: Path, previous: Path) -> None:
    """Write `data` to `target`, replacing what is there; if the current site already has these bytes
    at `previous`, link that file instead, so an unchanged file keeps its date and a host or sync tool
    sees nothing new."""
    try:
        same = previous.stat().st_size == len(data) and previous.read_bytes() == data
    except OSError:
        same = False  # not there before
    if same and keep_file(previous, target):
        return
    _write_new_file(data, target)


def _write_new_file(data: bytes, target: Path) -> None:
    """Write `data` to a new file at `target`, never through the file that may be there: in a reused
    site that file is a link to one the live site still serves.

    Tried in the order that costs the fewest system calls in a cold build, where each page's folder
    is new: metadata calls are the slowest part of writing a file on this kind of disk.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        handle = os.open(target, flags, 0o666)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(target, flags, 0o666)
    except FileExistsError:
        os.unlink(target)
        handle = os.open(target, flags, 0o666)
    with open(handle, "wb") as file:
        file.write(data)


def keep_file(current: Path | str, target: Path | str, current_inode: int | None = None) -> bool:
    """Make `target` the very file `current` is (a hard link), unless it already is; False if it cannot be.

    `current_inode`, when the caller knows it, saves a stat: most files of a reused site already are
    the current ones, and checking that is all this does for them.
    """
    try:
        if os.stat(target).st_ino == (os.stat(current).st_ino if current_inode is None else current_inode):
            return True
        os.unlink(target)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(current, target)
        return True
    except OSError:  # a file system without hard links, or `current` is gone
        return False


def remove_unwanted(folder: Path, found: Iterable[str], wanted: Collection[str]) -> None:
    """Delete the `found` files below `folder` that are not `wanted`, and the folders that leaves empty."""
    for path in found:
        if path in wanted:
            continue
        (folder / path).unlink()
        parent = (folder / path).parent
        while parent != folder and not os.listdir(parent):
            parent.rmdir()
            parent = parent.parent
