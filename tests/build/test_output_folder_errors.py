"""A full disk or a read-only output folder: one clear line naming the folder, and the old site kept whole.

The disk is a real one: a small tmpfs mounted in the project, full or remounted read-only. As root,
chmod does not stop a write, so mounting is the way to make a folder truly unwritable; where mounting
is not allowed (no root), these tests are skipped.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PAGE_START = "---\ntitle: Extra page\ndescription: A page for this test.\nlast_reviewed: 2026-01-15\n---\n"


def mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small disk here ({done.stderr.strip()}): needs root")


@pytest.fixture
def disk(project):
    """A 256 KB disk at disk/ in the project, with the site built into disk/site."""
    folder = project.root / "disk"
    folder.mkdir()
    mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder))
    try:
        assert project.build("--output", "disk/site").code == 0
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def files_below(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def assert_old_site_kept(project, disk: Path, before: dict[str, bytes], expected: str) -> None:
    run = project.build("--output", "disk/site")
    assert run.code == 1 and "Traceback" not in run.err and "Unexpected error" not in run.err, run.err
    assert run.err.splitlines() == [expected, "Build failed: 1 problem to fix. disk/site/ was not changed."]
    assert files_below(disk / "site") == before
    assert sorted(path.name for path in disk.iterdir()) == [".site.lock", "site"]  # no half-written site left


def test_a_full_disk_is_named_and_the_old_site_is_kept(project, disk):
    before = files_below(disk / "site")
    project.write("content/extra.md", PAGE_START + ("A long line of text for a big page. " * 30 + "\n\n") * 200)

    assert_old_site_kept(project, disk, before, "disk/site: the disk is full: the new site could not be written "
                                                "in disk/ — free some space (the new site is written beside the old "
                                                "one, and the cache in .cache/), or build to another disk with "
                                                "--output DIR")

    (project.root / "content/extra.md").unlink()
    project.edit("content/topic.md", "Some text with a", "Shorter text with a")
    assert project.build("--output", "disk/site").code == 0
    assert "Shorter text" in (disk / "site/topic/index.html").read_text()


def test_a_read_only_output_folder_is_named_and_the_old_site_is_kept(project, disk):
    before = files_below(disk / "site")
    project.edit("content/topic.md", "Some text with a", "Changed text with a")
    mount("-o", "remount,ro", str(disk))

    assert_old_site_kept(project, disk, before, "disk/site: the build may not write in disk/ (Read-only file "
                                                "system) — make that folder writable, or build to another folder "
                                                "with --output DIR")

    mount("-o", "remount,rw", str(disk))
    assert project.build("--output", "disk/site").code == 0
    assert "Changed text" in (disk / "site/topic/index.html").read_text()
