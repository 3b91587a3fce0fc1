"""The build cache never shows a reader an old page: after any change, a build that used the cache
publishes exactly the bytes a build from scratch publishes, and it remakes only what the change touches."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, RealProject, Run, identities, rewritten, tree

PAGE_COUNT = len(list((ROOT / "content").rglob("*.md")))
LANGUAGES = len([path for path in (ROOT / "content").iterdir() if path.is_dir()]) + 1  # content/es/ …, and the main language
ALL_FILES = PAGE_COUNT + LANGUAGES + 2  # every page, a 404.html per language, sitemap.xml, robots.txt


@pytest.fixture
def real(tmp_path: Path) -> RealProject:
    project = RealProject(tmp_path / "site")
    _, made = project.cached_build()
    assert made == ALL_FILES
    return project


def test_a_second_build_with_nothing_changed_writes_nothing(real: RealProject) -> None:
    before = identities(real.root / "output")
    run, made = real.cached_build()
    assert made == 0
    assert "nothing was written" in run.out
    assert identities(real.root / "output") == before
    real.assert_same_as_clean_build()


def test_editing_one_pages_text_remakes_that_page_alone_and_leaves_other_files_untouched(real: RealProject) -> None:
    before = identities(real.root / "output")
    real.edit("content/faq.md", "\n\n", "\n\nA new first sentence for the cache test.\n\n")
    _, made = real.cached_build()
    assert made == 1
    after = identities(real.root / "output")
    assert rewritten(before, after) == {"faq/index.html"}
    assert "A new first sentence for the cache test." in real.read("output/faq/index.html")
    real.assert_same_as_clean_build()


def add_slug(project: RealProject) -> None:
    """Give a page that other pages link to a new address: their links must follow it."""
    text = project.read("content/levels-of-care.md")
    project.write("content/levels-of-care.md", text.replace("---\n", "---\nslug: care-levels\n", 1))


def edit_text_and_menu_title(project: RealProject, page: str) -> None:
    project.edit(page, "menu_title: ", "menu_title: New ")
    project.edit(page, "\n---\n", "\n---\nNew first line.\n\n")


# Each change, and how many files a correct build remakes after it: (at least, at most). Every case
# is then compared, byte for byte, with a build from scratch.
CHANGES = {
    "a template": (lambda p: p.edit("templates/components/site_footer.html", "</footer>", "<!-- x --></footer>"),
                   (ALL_FILES, ALL_FILES)),
    "the config": (lambda p: p.edit("site_config.yaml", "site_name: ", "site_name: Changed "), (ALL_FILES, ALL_FILES)),
    "a stylesheet": (lambda p: p.edit("static/site.css", ":root {", ":root {\n  --unused-for-test: 0;"),
                     (ALL_FILES, ALL_FILES)),
    "a guide page's title": (lambda p: p.edit("content/what-to-expect.md", "title: ", "title: Changed "),
                             (4, ALL_FILES - 1)),
    "a linked page's address": (add_slug, (2, ALL_FILES - 1)),
    "the quiz": (lambda p: p.edit("content/quiz.yaml", "Not sure", "Unsure"), (1, 1)),
    # moves every default next review date, though no page's front matter changed
    "the config's review months": (lambda p: p.edit("site_config.yaml", "review_months: 12", "review_months: 6"),
                                   (ALL_FILES, ALL_FILES)),
    "a page's text and front matter": (lambda p: edit_text_and_menu_title(p, "content/faq.md"), (2, ALL_FILES - 1)),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_after_each_kind_of_change_the_cached_build_equals_a_clean_build(real: RealProject, change: str) -> None:
    make_change, (at_least, at_most) = CHANGES[change]
    make_change(real)
    _, made = real.cached_build()
    assert at_least <= made <= at_most
    real.assert_same_as_clean_build()


NEW_PAGE = "---\ntitle: A page added for the test\ndescription: Added.\nlast_reviewed: 2026-01-01\n---\nFirst text.\n"

# A series of changes, one build after each: every build must equal a build from scratch. The spare
# site and the planning memo carry over from one build to the next, so a build's shortcuts are
# checked after builds that changed other files, the same file, and the pages' listings.
SERIES = {
    "one page's text": lambda p: p.edit("content/faq.md", "\n\n", "\n\nA first edit.\n\n"),
    "the same page's text again": lambda p: p.edit("content/faq.md", "A first edit.", "A second edit."),
    "two pages' text": lambda p: (p.edit("content/faq.md", "A second edit.", "A third edit."),
                                  p.edit("content/myths.md", "\n\n", "\n\nAn edit to another page.\n\n")),
    "a page added": lambda p: p.write("content/added.md", NEW_PAGE),
    "the added page's text": lambda p: p.edit("content/added.md", "First text.", "Second text."),
    "a guide page's title": lambda p: p.edit("content/what-to-expect.md", "title: ", "title: Retitled "),
    "the added page deleted": lambda p: (p.root / "content" / "added.md").unlink(),
    "nothing": lambda p: None,
    "a page's text back as it was": lambda p: p.edit("content/faq.md", "\n\nA third edit.\n\n", "\n\n"),
}


def test_after_a_series_of_changes_every_cached_build_equals_a_clean_build(real: RealProject) -> None:
    for change, make_change in SERIES.items():
        before = identities(real.root / "output")
        make_change(real)
        run, made = real.cached_build()
        after = identities(real.root / "output")
        written = rewritten(before, after)
        assert len(written) <= made + 1, (change, written)  # what was made, and _headers
        real.assert_same_as_clean_build()


def test_on_a_site_large_enough_for_worker_processes_a_changed_title_reaches_every_page_that_shows_it(
        tmp_path: Path) -> None:
    # With this many pages, the first build reads them in worker processes and meanwhile compiles
    # the templates, learning from that what each template reads: a name missed there would leave
    # the old title on the pages that list it.
    project = RealProject(tmp_path / "site")
    for number in range(150):
        project.write(f"content/extra-{number:03}.md", NEW_PAGE.replace("A page added", f"Page {number} added"))
    _, made = project.cached_build()
    assert made == ALL_FILES + 150
    project.edit("content/what-to-expect.md", "title: ", "title: Changed ")
    _, made = project.cached_build()
    assert 4 <= made < ALL_FILES
    project.assert_same_as_clean_build()


def test_editing_one_page_twice_between_builds_publishes_the_last_text(real: RealProject) -> None:
    for number in range(3):
        real.edit("content/faq.md", "\n\n", f"\n\nEdit number {number}.\n\n")
        _, made = real.cached_build()
        assert made == 1
        assert f"Edit number {number}." in real.read("output/faq/index.html")
    real.assert_same_as_clean_build()


def test_a_build_with_another_base_url_equals_a_clean_build_with_it(real: RealProject) -> None:
    for base_url in ("https://example.org/guide/", "https://example.net/"):
        assert real.build("--base-url", base_url).code == 0
        clean = real.build("--no-cache", "--output", "clean", "--base-url", base_url)
        assert clean.code == 0, clean.err
        assert tree(real.root / "output") == tree(real.root / "clean")
        shutil.rmtree(real.root / "clean")


def test_a_link_to_a_deleted_page_is_reported_even_though_the_linking_page_is_cached(real: RealProject) -> None:
    linking = [path for path in (real.root / "content").glob("*.md") if "(levels-of-care.md" in path.read_text()]
    assert linking
    (real.root / "content" / "levels-of-care.md").unlink()
    run = real.build()
    assert run.code == 1
    for path in linking:
        assert f"content/{path.name}:" in run.err
    assert "levels-of-care.md" in run.err


def test_a_changed_engine_starts_from_an_empty_cache(tmp_path: Path) -> None:
    engine = tmp_path / "engine"
    shutil.copytree(ROOT / "iopguide", engine / "iopguide", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", engine)
    project = RealProject(tmp_path / "site")

    def build_with_copy() -> int:
        done = subprocess.run([sys.executable, str(engine / "build.py"), "--verbose"], cwd=project.root,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return int(re.search(r"(\d+) files to make", done.stdout).group(1))

    assert build_with_copy() == ALL_FILES
    assert build_with_copy() == 0
    render = engine / "iopguide" / "render" / "templates.py"  # a module in a stage's folder counts too
    render.write_text(render.read_text() + "\n# a change to the engine\n")
    assert build_with_copy() == ALL_FILES


def test_a_damaged_cache_costs_time_not_correctness(real: RealProject) -> None:
    cache = real.root / ".cache" / "build"
    (cache / "index.pickle").write_bytes(b"not a pickle")
    for pack in (cache / "converted").glob("*.pack"):
        pack.write_bytes(pack.read_bytes()[:20])
    real.edit("content/faq.md", "\n\n", "\n\nChanged after the cache was damaged.\n\n")
    _, made = real.cached_build()
    assert made == ALL_FILES
    real.assert_same_as_clean_build()


def converted_count(run: Run) -> int:
    return int(re.search(r"(\d+) pages converted", run.out).group(1))


@pytest.mark.parametrize("damage", ["cut short", "bytes changed", "deleted"])
def test_damaged_converted_pages_are_converted_again_not_published(real: RealProject, damage: str) -> None:
    for pack in (real.root / ".cache" / "build" / "converted").glob("*.pack"):
        data = pack.read_bytes()
        if damage == "cut short":
            pack.write_bytes(data[: len(data) // 2])
        elif damage == "bytes changed":
            pack.write_bytes(data.replace(b"IOP", b"XYZ"))
        else:
            pack.unlink()
    real.edit("templates/base.html", "</body>", "<!-- a template change: every page is rendered again -->\n</body>")
    run, made = real.cached_build()
    assert made == ALL_FILES
    # the pages whose bytes were damaged are converted again; the others still come from the cache
    assert (converted_count(run) == PAGE_COUNT) if damage == "deleted" else (0 < converted_count(run) < PAGE_COUNT)
    real.assert_same_as_clean_build()


def test_the_cache_keeps_converted_pages_in_a_few_files_however_many_builds_add_to_it(real: RealProject) -> None:
    from iopguide.build.packs import MAX_PACKS

    packs = real.root / ".cache" / "build" / "converted"
    assert len(list(packs.iterdir())) <= (os.cpu_count() or 1)  # one per process that converted pages
    fresh = sum(path.stat().st_size for path in packs.iterdir())
    pages = sorted(path.name for path in (real.root / "content").glob("*.md"))
    for number in range(MAX_PACKS + 4):  # each build converts one page, and keeps it in a new pack
        real.edit(f"content/{pages[number % 3]}", "\n\n", f"\n\nEdit number {number}.\n\n")
        run, _ = real.cached_build()
        assert converted_count(run) == 1
        assert len(list(packs.iterdir())) <= MAX_PACKS
    assert sum(path.stat().st_size for path in packs.iterdir()) < 2 * fresh  # old versions do not pile up
    real.edit("templates/base.html", "</body>", "<!-- every page from the cache -->\n</body>")
    run, _ = real.cached_build()
    assert converted_count(run) == 0
    real.assert_same_as_clean_build()


def test_the_cache_index_written_as_changes_damaged_or_left_from_an_older_index_costs_time_not_correctness(
        real: RealProject) -> None:
    changes = real.root / ".cache" / "build" / "index-changes.pickle"
    real.edit("content/faq.md", "\n\n", "\n\nA first edit.\n\n")
    real.cached_build()
    assert changes.is_file()  # a one-page edit writes the index's changes, not the whole index
    older = changes.read_bytes()
    real.edit("content/faq.md", "A first edit.", "A second edit.")
    real.cached_build()
    changes.write_bytes(older)  # as if the build that wrote the second edit's had been killed
    real.edit("content/myths.md", "\n\n", "\n\nAn edit to another page.\n\n")
    real.cached_build()
    real.assert_same_as_clean_build()
    changes.write_bytes(older[: len(older) // 2])
    real.edit("content/faq.md", "A second edit.", "A third edit.")
    real.cached_build()
    real.assert_same_as_clean_build()


def test_changes_made_to_output_by_hand_are_undone(real: RealProject) -> None:
    output = real.root / "output"
    (output / "faq" / "index.html").write_text("edited by hand")
    (output / "about" / "index.html").unlink()
    (output / "stray.html").write_text("left behind")
    _, made = real.cached_build()
    assert made == 2
    assert not (output / "stray.html").exists()
    real.assert_same_as_clean_build()


def test_no_cache_keeps_nothing_and_clean_deletes_the_cache(real: RealProject) -> None:
    cache = real.root / ".cache"
    shutil.rmtree(cache)
    assert real.build("--no-cache").code == 0
    assert not cache.exists()
    real.cached_build()
    assert (cache / "build" / "CACHEDIR.TAG").is_file()
    run = real.build("clean")
    assert run.code == 0 and "Deleted .cache/" in run.out
    assert not cache.exists()
    assert (real.root / "output" / "index.html").is_file()  # the published site is left alone
    assert "No .cache/ to delete." in real.build("clean").out


def test_verbose_shows_the_time_of_each_stage(real: RealProject) -> None:
    real.edit("content/faq.md", "\n\n", "\n\nOne more sentence.\n\n")
    run, _ = real.cached_build()
    stages = re.findall(r"^  (\w+) +(\d+\.\d{3}) s", run.out, flags=re.MULTILINE)
    assert [name for name, _ in stages] == ["load", "plan", "render", "write", "search", "check"]


def test_a_new_source_date_reaches_every_file_even_when_nothing_else_changed(real: RealProject, monkeypatch) -> None:
    for epoch in (1_700_000_000, 1_800_000_000):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        real.cached_build()
        times = {path.stat().st_mtime for path in (real.root / "output").rglob("*") if path.is_file()}
        assert times == {epoch}


def test_a_file_rewritten_with_the_same_size_and_time_is_still_read_again(real: RealProject) -> None:
    page = real.root / "content" / "faq.md"
    before = page.stat()
    text = page.read_text()
    assert "week" in text
    page.write_text(text.replace("week", "WEEK", 1))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a tool that restores times would
    assert page.stat().st_size == before.st_size and page.stat().st_mtime_ns == before.st_mtime_ns
    _, made = real.cached_build()
    assert made == 1 and "WEEK" in real.read("output/faq/index.html")
    real.assert_same_as_clean_build()


def test_a_quiz_the_cache_proved_is_proven_again_when_a_scenario_changes(real: RealProject) -> None:
    """The proven quiz is kept by its two files and the pages: a scenario that no longer holds stops
    the next build, though quiz.yaml itself did not change, and the build after the fix is clean."""
    real.cached_build()
    real.edit("content/quiz-scenarios.yaml", "    result: crisis", "    result: outpatient")
    run = real.build()
    assert run.code == 1 and "content/quiz-scenarios.yaml:" in run.err, run.err
    real.edit("content/quiz-scenarios.yaml", "    result: outpatient", "    result: crisis")
    real.cached_build()
    real.assert_same_as_clean_build()
