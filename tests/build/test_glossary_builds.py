"""The glossary in real builds: `check` warns of an abbreviation nothing explains, and an edit to the
glossary reaches exactly the pages that show the term — through the build cache and the preview —
while a build with the glossary unchanged converts nothing."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, RealProject

CMS_PAGE = """---
title: Paying for care
description: A page of the tests that uses an abbreviation, to see check warn of it and then not.
last_reviewed: {today}
sources:
  - title: Example source
    url: https://example.org/source
    guidance: true
---
Some programs are paid for by Medicare.

The CMS runs Medicare. Ask the CMS.
"""
WARNING = ('content/cms.md:{line}: "CMS" is an abbreviation the glossary does not explain — add it to '
           'content/glossary.yaml, or spell it out where it first appears, like "Full Name (CMS)"')


def abbreviation_warnings(project) -> list[str]:
    run = project.build("check", "--format", "json")
    return [f"{f['path']}:{f['line']}: {f['message']} — {f['hint']}" for f in json.loads(run.out)["findings"]
            if "abbreviation" in f["message"]]


def test_check_warns_of_an_abbreviation_until_the_glossary_explains_it_or_the_page_spells_it_out(project):
    project.write("content/cms.md", CMS_PAGE.format(today=dt.date.today().isoformat()))
    project.edit("content/index.md", "\n---\n", "\n---\nSee [paying for care](cms.md).\n")
    assert abbreviation_warnings(project) == [WARNING.format(line=12)]

    project.edit("content/cms.md", "The CMS runs", "The Centers for Medicare & Medicaid Services (CMS) runs")
    assert abbreviation_warnings(project) == []

    project.edit("content/cms.md", "The Centers for Medicare & Medicaid Services (CMS) runs", "The CMS runs")
    project.write("content/glossary.yaml", "terms:\n  - term: CMS\n    stands_for: Centers for Medicare & Medicaid "
                                           "Services\n    meaning: the US government agency that runs Medicare\n")
    assert abbreviation_warnings(project) == []
    assert project.build("--no-cache").code == 0
    page = project.read("output/cms/index.html")
    assert page.count("term__meaning") == 1 and "(Centers for Medicare &amp; Medicaid Services: the US government" in page


def test_check_names_the_spanish_glossary_for_a_spanish_page(project):
    shutil.copytree(FIXTURES / "bilingual", project.root, dirs_exist_ok=True)
    project.write("content/es/cms.md", CMS_PAGE.format(today=dt.date.today().isoformat()).replace("Medicare.", "Medicare, la CMS."))
    project.edit("content/es/index.md", "\n---\n", "\n---\nVea [el pago](cms.md).\n")
    assert abbreviation_warnings(project) == [WARNING.format(line=10).replace("content/cms.md", "content/es/cms.md")
                                              .replace("content/glossary.yaml", "content/es/glossary.yaml")]


@pytest.fixture
def real(tmp_path: Path) -> RealProject:
    project = RealProject(tmp_path / "site")
    project.cached_build()
    return project


OLD = "a talking therapy that helps you notice unhelpful thoughts and change how you react to them"
NEW = "a talking therapy about thoughts and habits, changed for the test"


def test_a_glossary_edit_remakes_the_pages_that_show_the_term_and_nothing_when_unchanged(real: RealProject) -> None:
    _, made = real.cached_build()
    assert made == 0  # the glossary unchanged: nothing converted or rendered again
    rewritten = real.rewritten_by(lambda: real.edit("content/glossary.yaml", OLD, NEW))
    # choosing-a-provider shows CBT's meaning inline; program-components spells CBT out, so shows none
    assert rewritten == {"choosing-a-provider/index.html", "glossary/index.html"}
    assert NEW in real.read("output/choosing-a-provider/index.html")
    _, made = real.cached_build()
    assert made == 0
    real.assert_same_as_clean_build()


def test_the_preview_follows_a_glossary_edit_and_equals_a_clean_build(real: RealProject, monkeypatch) -> None:
    from iopguide.build.preview import PreviewBuild
    from iopguide.model import BuildOptions

    monkeypatch.chdir(real.root)
    address = "http://127.0.0.1:8000/"
    preview = PreviewBuild(BuildOptions(output_dir=Path(".cache/serve"), drafts=True, base_url=address, cache_dir=None))
    assert not preview.rebuild().errors
    spanish = "una terapia de conversación que le ayuda a notar pensamientos que no le sirven y a cambiar cómo reacciona"
    real.edit("content/es/glossary.yaml", "    meaning: un grupo que revisa si los programas",
              "    meaning: un grupo, cambiado para la prueba, que revisa si los programas")
    done = preview.rebuild({real.root / "content/es/glossary.yaml"})
    assert not done.errors, done.errors
    served = real.root / ".cache/serve"
    assert "un grupo, cambiado para la prueba," in (served / "es/choosing-a-provider/index.html").read_text()
    assert "cambiado para la prueba" not in (served / "choosing-a-provider/index.html").read_text()
    assert spanish in (served / "es/glossary/index.html").read_text()
    preview.update_search()  # what the preview does when its search page asks for the index
    real.assert_same_as_clean_build("--drafts", "--base-url", address, output=".cache/serve")
