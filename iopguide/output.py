"""Stage 6: write the site atomically — build beside output/, swap it in only when complete."""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import ContentError


def check_output_dir(output_dir: Path, protected: list[Path]) -> None:
    """Refuse an output folder that would replace the project's own files when swapped in."""
    out = output_dir.resolve()
    for path in protected:
        path = path.resolve()
        if out == path or out in path.parents:
            raise ContentError(str(output_dir), None, f"the output folder would replace {path.name}",
                               "choose a separate folder for the built site, like output/")


@contextlib.contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """One build at a time per output folder; a second one stops at once with a clear message."""
    parent = output_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with open(parent / f".{output_dir.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ContentError(str(output_dir), None, "another build is writing to this folder right now",
                               "wait for it to finish, then run the build again") from None
        yield


@contextlib.contextmanager
def staged_site(output_dir: Path) -> Iterator[Path]:
    """A new, empty folder to assemble the site in; when the block ends without error it becomes
    output_dir in one step, and otherwise it is deleted and output_dir is left as it was."""
    parent = output_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.new-", dir=parent))
    try:
        yield staging
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must be able to read it
        _swap_in(staging, output_dir.resolve())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def site_files(output_dir: Path) -> set[str]:
    """Every file in the output folder, by path below it."""
    found = set()
    for folder, _, names in os.walk(output_dir):
        prefix = os.path.relpath(folder, output_dir)
        found.update(name if prefix == "." else f"{prefix}/{name}" for name in names)
    return found


def _swap_in(staging: Path, output_dir: Path) -> None:
    if not output_dir.exists():
        os.rename(staging, output_dir)
    elif _exchange(staging, output_dir):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the old site; a kill here leaves only that
    else:
        retired = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
        os.rename(output_dir, retired)
        os.rename(staging, output_dir)
        shutil.rmtree(retired, ignore_errors=True)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so output/ always exists, whole; False if unsupported.

    Two renames leave a moment with no output/ at all: a web server reading it then answers 404,
    and a build killed in that moment leaves the site in the retired folder until the next build.
    """
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
    """Write `data` to `target`; if the current site already has these bytes there, link that file instead,
    so an unchanged file keeps its date and a host or sync tool sees nothing new."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if previous.stat().st_size == len(data) and previous.read_bytes() == data:
            os.link(previous, target)
            return
    except OSError:
        pass  # not there before, or on another file system: write it
    target.write_bytes(data)
