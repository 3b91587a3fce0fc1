"""The plan: a file is made again exactly when something its template reads has changed.

The plan's inputs (loaded pages, what each template reads, the cache) are made by the build itself,
so these tests run the real build in this process on the fixture site, and tell a remade file from
a kept one by its inode and time. In the fixture, the home page's template reads `guide` (the list of
guide pages by their menu titles); the topic page is a guide page that shows no other page's title.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Project, identities
from iopguide.build.pipeline import build
from iopguide.model import BuildOptions


class PlannedProject(Project):
    """The fixture site, built in this process with a cache."""

    def build_in_process(self) -> set[str]:
        """Build; the output files that were written (made again), not kept as they were."""
        output = self.root / "output"
        before = identities(output)
        build(BuildOptions(content_dir=self.root / "content", output_dir=output, config_path=self.root / "site_config.yaml",
                           templates_dir=self.root / "templates", static_dir=self.root / "static",
                           cache_dir=self.root / ".cache" / "build"))
        after = identities(output)
        return {path for path in after if before.get(path) != after[path]}


@pytest.fixture
def planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlannedProject:
    project = PlannedProject(tmp_path / "site")
    monkeypatch.chdir(project.root)
    assert {"index.html", "topic/index.html", "404.html"} <= project.build_in_process()
    return project


def test_nothing_changed_nothing_is_made_again(planned: PlannedProject) -> None:
    assert planned.build_in_process() == set()


def test_a_guide_pages_new_menu_title_remakes_the_pages_whose_template_reads_the_guide(planned: PlannedProject) -> None:
    planned.edit("content/topic.md", "menu_title: Topic", "menu_title: Renamed topic")
    remade = planned.build_in_process()
    assert {"topic/index.html", "index.html", "404.html"} <= remade
    assert "Renamed topic" in planned.read("output/index.html")


def test_a_change_to_one_pages_text_leaves_the_pages_that_list_it_alone(planned: PlannedProject) -> None:
    planned.edit("content/topic.md", "Some text with", "Some new text with")
    remade = planned.build_in_process()
    assert "topic/index.html" in remade
    assert not remade & {"index.html", "404.html", "get-help-now/index.html"}


def test_a_template_change_remakes_every_page_that_uses_it(planned: PlannedProject) -> None:
    planned.edit("templates/base.html", "<body", "<body data-changed")
    assert {"index.html", "topic/index.html", "get-help-now/index.html", "404.html"} <= planned.build_in_process()
