"""The build cache never runs code and never writes outside itself, whatever a repository or an archive
puts in .cache/: what the cache holds is trusted only when it carries this machine's key, a cache that
git tracks is refused, and links inside the cache are never followed."""
from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from jinja2.bccache import bc_magic

from conftest import Project


class _RunsCode:
    """Unpickling this runs `code`: what a crafted cache file in a pull request would do."""

    def __init__(self, code: str):
        self.code = code

    def __reduce__(self):
        return exec, (self.code,)


def crafted_pickle(marker: Path) -> bytes:
    return pickle.dumps(_RunsCode(f"open({str(marker)!r}, 'w').close()"))


def made(project: Project, *args: str) -> int:
    """Build with the cache; how many files the build had to make."""
    run = project.build("--verbose", *args)
    assert run.code == 0, run.err
    return int(re.search(r"(\d+) files to make", run.out).group(1))


def built(project: Project) -> Project:
    made(project)
    project.edit("content/topic.md", "\n\n", "\n\nA first edit, so the index is also written as changes.\n\n")
    made(project)
    return project


def cache(project: Project) -> Path:
    return project.root / ".cache" / "build"


@pytest.mark.parametrize("file", ["index.pickle", "index-changes.pickle"])
def test_a_crafted_cache_index_runs_no_code(project: Project, tmp_path: Path, file: str) -> None:
    built(project)
    marker = tmp_path / "code-ran"
    (cache(project) / file).write_bytes(crafted_pickle(marker))
    project.edit("content/topic.md", "A first edit", "A second edit")
    made(project)
    assert not marker.exists()
    assert "A second edit" in project.read("output/topic/index.html")


def test_crafted_compiled_templates_run_no_code(project: Project, tmp_path: Path) -> None:
    built(project)
    marker = tmp_path / "code-ran"
    compiled = list((cache(project) / "templates").iterdir())
    assert compiled
    for path in compiled:  # Jinja's own format: a header, then a pickled checksum, then marshalled code
        path.write_bytes(bc_magic + crafted_pickle(marker))
    project.edit("content/topic.md", "A first edit", "A second edit")  # the page's templates are loaded again
    made(project)
    assert not marker.exists()
    assert "A second edit" in project.read("output/topic/index.html")


def test_a_cache_from_another_machine_is_not_trusted_and_the_build_equals_a_clean_one(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in CI, which starts with a fresh home folder: the cache it is handed costs a full build, no more."""
    built(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-home"))
    project.edit("content/topic.md", "A first edit", "A second edit")
    assert made(project) == 6  # every page, 404.html, sitemap.xml, robots.txt
    assert made(project) == 0  # and the new key's cache is trusted from then on
    key = tmp_path / "another-home" / "iopguide" / "key"
    assert key.stat().st_mode & 0o777 == 0o600


def git(project: Project, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project.root, check=True, capture_output=True)


def test_a_cache_tracked_by_git_is_refused_with_a_clear_line(project: Project) -> None:
    built(project)
    git(project, "init", "-q")
    git(project, "add", "content", "site_config.yaml")
    git(project, "add", "-f", ".cache/build/index.pickle")
    run = project.build()
    assert run.code == 1
    assert ".cache/build/index.pickle: this cache file is tracked by git" in run.err
    assert "git rm -r --cached .cache" in run.err
    git(project, "rm", "-q", "-r", "--cached", ".cache")
    assert project.build().code == 0


def test_a_git_repository_that_ignores_the_cache_builds_from_the_cache(project: Project) -> None:
    project.write(".gitignore", "/.cache/\n/output/\n")
    project.write("content/.cache-notes/readme.txt", "a tracked file whose name looks like the cache\n")
    git(project, "init", "-q")
    git(project, "add", ".")
    made(project)
    assert made(project) == 0


def test_links_inside_the_cache_are_never_followed(project: Project, tmp_path: Path) -> None:
    built(project)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("an editor's file")
    folder = cache(project)
    for name in ("converted", "templates"):
        shutil.rmtree(folder / name)
        (outside / name).mkdir()
        (outside / name / "precious.txt").write_text("an editor's file")
        os.symlink(outside / name, folder / name)
    (folder / "CACHEDIR.TAG").unlink()
    os.symlink(outside / "tag-written-through-a-link", folder / "CACHEDIR.TAG")
    (outside / "index").write_bytes(crafted_pickle(tmp_path / "code-ran"))
    (folder / "index-changes.pickle").unlink(missing_ok=True)
    os.symlink(outside / "index", folder / "index-changes.pickle")
    project.edit("content/topic.md", "A first edit", "A second edit")
    made(project)
    assert sorted(path.relative_to(outside).as_posix() for path in outside.rglob("*")) == [
        "converted", "converted/precious.txt", "index", "precious.txt", "templates", "templates/precious.txt"]
    assert not (tmp_path / "code-ran").exists()
    assert made(project) == 0  # the cache is whole again


def test_a_cache_from_an_archive_cannot_make_the_build_write_outside_output(project: Project, tmp_path: Path) -> None:
    """The kept copy of the last site is reused by the next build; one that came with the project is not."""
    built(project)
    outside = tmp_path / "outside"
    outside.mkdir()
    spare = cache(project) / "spare-site"
    assert spare.is_dir()
    shutil.rmtree(spare / "topic")
    os.symlink(outside, spare / "topic")
    (cache(project) / "index.pickle").write_bytes(b"an index this machine did not write")
    project.edit("content/topic.md", "A first edit", "A second edit")
    made(project)
    assert list(outside.iterdir()) == []
    assert "A second edit" in project.read("output/topic/index.html")


def test_clean_deletes_a_cache_folder_that_is_a_link_without_following_it(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("an editor's file")
    os.symlink(elsewhere, project.root / ".cache")
    run = project.build()
    assert run.code == 1
    assert ".cache: this cache folder is a link" in run.err
    assert project.build("clean").code == 0
    assert not (project.root / ".cache").exists() and (elsewhere / "precious.txt").exists()
    assert project.build().code == 0
