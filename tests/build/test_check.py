"""`build.py check` and `build.py new`: one fixture per problem an editor should hear about."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time

import pytest

TODAY = dt.date.today()
PAGES = ("content/index.md", "content/topic.md", "content/get-help-now.md")


@pytest.fixture
def clean(project):
    """The fixture site with review dates set from today and full descriptions: check --strict passes."""
    for rel in PAGES:
        text = re.sub(r"last_reviewed: \S+", f"last_reviewed: {TODAY.isoformat()}", project.read(rel))
        text = re.sub(r"description: (.*)", r"description: \1 It is written for the tests of this project.", text)
        project.write(rel, text)
    run = project.build("check", "--strict")
    assert run.code == 0, run.out
    assert run.out.strip() == "Checked 3 pages: 0 errors, 0 warnings."
    return project


def check(project, *args: str) -> tuple[int, dict]:
    run = project.build("check", "--format", "json", *args)
    return run.code, json.loads(run.out)


def only(report: dict, level: str) -> list[str]:
    return [f"{f['path']}:{f['line']}: {f['message']} — {f['hint']}" for f in report["findings"] if f["level"] == level]


def test_broken_anchor_is_an_error_with_a_suggestion(clean):
    clean.edit("content/topic.md", "get-help-now.md#what-to-do", "get-help-now.md#what-to-doo")
    code, report = check(clean)
    assert code == 1
    assert only(report, "error") == [
        "content/topic.md:11: the link 'get-help-now.md#what-to-doo' goes to a section that does not exist — did you mean 'what-to-do'?"]


def test_broken_same_page_anchor_is_an_error(clean):
    clean.edit("content/topic.md", "## Questions", "See [the table](#a-tabel).\n\n## Questions")
    assert "the link '#a-tabel' goes to a section that does not exist" in only(check(clean)[1], "error")[0]


def test_image_without_alt_text_is_an_error(clean):
    clean.write("content/week.png", b"\x89PNG\r\n\x1a\n")
    clean.edit("content/topic.md", "## A table", "![](week.png)\n\n## A table")
    assert only(check(clean)[1], "error") == [
        "content/topic.md:13: the image 'week.png' has no alt text — describe the picture between the square "
        "brackets: ![What the picture shows](week.png)"]


def test_missing_image_is_an_error(clean):
    clean.edit("content/topic.md", "## A table", "![A week](week.png)\n\n## A table")
    assert "the link 'week.png' goes to a file that does not exist" in only(check(clean)[1], "error")[0]


def test_overdue_review_is_an_error_and_due_soon_a_warning(clean):
    clean.edit("content/topic.md", f"last_reviewed: {TODAY}", "last_reviewed: 2020-01-01")
    clean.edit("content/get-help-now.md", f"last_reviewed: {TODAY}",
               f"last_reviewed: {TODAY - dt.timedelta(days=400)}\nnext_review: {TODAY + dt.timedelta(days=10)}")
    code, report = check(clean)
    assert code == 1
    assert only(report, "error") == ["content/topic.md:6: the page was due for review on 2021-01-01 — review the "
                                     "whole page, then set last_reviewed to the day you did"]
    assert only(report, "warning")[0].startswith(
        f"content/get-help-now.md:5: the page is due for review on {TODAY + dt.timedelta(days=10)}")


def test_hard_reading_level_is_a_warning_and_strict_fails_on_it(clean):
    hard = ("Comprehensive multidisciplinary interventions necessitate individualized psychotherapeutic "
            "methodologies incorporating evidence-based pharmacological management considerations. ") * 6
    clean.edit("content/topic.md", "## Questions", hard + "\n\n## Questions")
    code, report = check(clean)
    assert code == 0
    warning = only(report, "warning")[0]
    assert re.match(r"content/topic\.md:11: reading level is US grade \d+\.\d; the site's target is 8 — use shorter", warning)
    assert clean.build("check", "--strict").code == 1


def test_page_without_sources_is_an_error(clean):
    clean.edit("content/topic.md", "sources:\n  - title: Example source\n    url: https://example.org/source\n", "")
    assert only(check(clean)[1], "error") == [
        "content/topic.md:1: the page lists no sources — add 'sources:' with the title and url of each source you used"]


def test_short_description_is_a_warning(clean):
    clean.edit("content/topic.md", "description: A page with a table, a checklist and a link. It is written for the tests of this project.",
               "description: A page.")
    assert only(check(clean)[1], "warning") == [
        "content/topic.md:3: the description is only 7 characters — write one full sentence (50 to 160 characters) "
        "that says what the page covers"]


def test_page_nothing_links_to_is_a_warning(clean):
    clean.write("content/lonely.md", clean.read("content/topic.md").replace("title: A topic page", "title: Lonely")
                .replace("menu_order: 1", "slug: lonely"))
    assert "content/lonely.md:None: no other page links to this page — link to it from a related page" in only(check(clean)[1], "warning")[0]


def test_duplicate_titles_are_a_warning(clean):
    clean.write("content/again.md", clean.read("content/topic.md").replace("menu_order: 1", "slug: again")
                + "\n[Back to the topic](topic.md)\n")
    clean.edit("content/topic.md", "## Questions", "[Again](again.md)\n\n## Questions")
    warnings = only(check(clean)[1], "warning")
    assert warnings == ["content/topic.md:2: the title is the same as the title of content/again.md — give each page "
                        "its own title, so readers can tell them apart"]


def test_build_errors_are_reported_by_check_too(clean):
    clean.edit("content/topic.md", "menu_order: 1", "menu_ordr: 1")
    code, report = check(clean)
    assert code == 1 and "unknown key 'menu_ordr'" in only(report, "error")[0]


def test_link_to_a_draft_from_a_published_page_is_an_error(clean):
    clean.write("content/later.md", clean.read("content/topic.md").replace("menu_order: 1", "draft: true"))
    clean.edit("content/topic.md", "## Questions", "Soon: [more](later.md).\n\n## Questions")
    run = clean.build()
    assert run.code == 1
    assert "content/topic.md:24: the link 'later.md' goes to a draft, which is not published — publish that page" in run.err
    assert clean.build("--drafts").code == 0


def test_text_report_is_a_compact_table(clean):
    clean.edit("content/topic.md", "[link home](index.md)", "[link home](index.md#nowhere)")
    run = clean.build("check")
    assert run.code == 1
    lines = run.out.splitlines()
    assert re.fullmatch(r"WHERE\s+LEVEL    PROBLEM", lines[0])
    assert re.fullmatch(r"content/topic\.md:11\s+error    the link 'index\.md#nowhere' goes to a section that does not exist — .*", lines[1])
    assert lines[-1] == "Checked 3 pages: 1 error, 0 warnings."


def test_new_creates_a_valid_draft_and_never_overwrites(clean):
    run = clean.build("new", "Sleep & Recovery")
    assert run.code == 0
    assert run.out == "Created content/sleep-recovery.md as a draft. Write it, then remove 'draft: true' to publish it.\n"
    text = clean.read("content/sleep-recovery.md")
    assert f"last_reviewed: {TODAY.isoformat()}" in text and 'title: "Sleep & Recovery"' in text
    assert clean.build().code == 0  # a draft: valid, and left out of the site
    assert clean.build("--drafts").code == 0
    again = clean.build("new", "Sleep & Recovery")
    assert again.code == 1 and "content/sleep-recovery.md: this file already exists, so nothing was created" in again.err
    clean.edit("content/sleep-recovery.md", "draft: true\n", "")
    errors = only(check(clean)[1], "error")
    assert any("the description is still the placeholder" in e for e in errors)
    assert any("a source is still the placeholder" in e for e in errors)


def test_a_page_with_thousands_of_broken_anchors_is_checked_within_the_time_limit(project):
    # each broken #anchor looks for a 'did you mean' among the page's headings: 3,000 of each took minutes
    headings = "".join(f"## Heading {n}\n\n" for n in range(3000))
    anchors = "".join(f"[see](#missing-{n})\n" for n in range(3000))
    project.write("content/extra.md", "---\ntitle: Extra\ndescription: A page for this test.\nlast_reviewed: 2026-01-15\n"
                                      "---\n" + headings + anchors)
    started = time.monotonic()
    code, report = check(project)
    assert time.monotonic() - started < 20
    errors = only(report, "error")
    assert code == 1 and (
        "content/extra.md:6: this text takes more than 5 s to check — look for long runs" in " ".join(errors)
        or len([error for error in errors if "goes to a section that does not exist" in error]) == 3000), errors


FIGURES = """
## Figures

Most programs last 6 to 12 weeks.

Call 1-800-662-4357 or see [the 2 to 3 week plan](index.md). Type `5 days` to search.

It costs $40 a visit.[^source]

This risk is highest soon after:[^source]

- a stay of 30 days in hospital
- a week in jail

Teens aged 12 to 17 are welcome.

| Who | Hours |
| --- | --- |
| Adults | 9 hours |

[^source]: Example source. [Costs](https://example.org/source).
"""


def test_a_figure_without_a_citation_is_a_warning_at_its_line(clean):
    clean.edit("content/topic.md", "## Questions", FIGURES.strip() + "\n\n## Questions")
    warnings = only(check(clean)[1], "warning")
    hint = ("add a citation like [^source] after the sentence, and the note '[^source]: Who. [Title](https://…)' "
            "at the end of the page")
    # phone numbers, links, code, cited paragraphs and a list introduced by a citation are left alone
    assert warnings == [
        f"content/topic.md:26: this paragraph states a figure ('6 to 12 weeks') but cites no source — {hint}",
        f"content/topic.md:37: this paragraph states a figure ('aged 12') but cites no source — {hint}",
        f"content/topic.md:41: this table row states a figure ('9 hours') but cites no source — {hint}",
    ]


def test_a_table_is_covered_by_a_citation_in_the_paragraph_after_it(clean):
    clean.edit("content/topic.md", "## Questions", "| Who | Hours |\n| --- | --- |\n| Adults | 9 hours |\n\n"
               "These hours come from a guideline.[^hours]\n\n## Questions")
    assert only(check(clean, "--strict")[1], "warning") == []


def test_a_listed_source_no_note_cites_is_a_warning_at_its_line(clean):
    clean.edit("content/topic.md", "    url: https://example.org/source\n",
               "    url: https://example.org/source\n  - title: Unused guide\n    url: https://example.org/unused/\n")
    code, report = check(clean, "--strict")
    assert code == 1
    assert only(report, "warning") == [
        "content/topic.md:10: no note in the text cites the source 'Unused guide' — cite it after the sentence it "
        "supports with [^name] and a note '[^name]: … https://example.org/unused/', or add 'guidance: true' to it "
        "if it shaped the page but backs no single claim"]
    clean.edit("content/topic.md", "    url: https://example.org/unused/\n",
               "    url: https://example.org/unused/\n    guidance: true\n")
    assert check(clean, "--strict")[0] == 0


def test_clinical_sign_off_is_required_only_when_the_config_asks(clean):
    clean.edit("site_config.yaml", "publisher:", "require_clinical_signoff: true\npublisher:")
    code, report = check(clean, "--strict")
    assert code == 1
    assert only(report, "warning") == [
        f"{path}:{line}: no clinical reviewer has signed off this page, and site_config.yaml sets "
        "require_clinical_signoff: true — once a clinician has reviewed the page, add reviewed_by: with their name: "
        "and role:" for path, line in (("content/get-help-now.md", 5), ("content/index.md", 6), ("content/topic.md", 6))]
    for path in PAGES:
        clean.edit(path, "sources:", "reviewed_by:\n  name: Test Reviewer\n  role: Test role\nsources:")
    assert check(clean, "--strict")[0] == 0


def test_commands_run_in_process_give_back_their_exit_status(clean, monkeypatch):
    """main() returns each command's status and leaves the process running (only build.py's own
    entry point ends it), so one script can run several commands in turn."""
    from iopguide.commands.cli import main

    monkeypatch.chdir(clean.root)
    for stream in ("stdout", "stderr"):  # main wraps both for the terminal: put them back afterwards
        monkeypatch.setattr(sys, stream, getattr(sys, stream))
    assert main(["check", "--strict"]) == 0
    assert main(["build", "--output", "in-process"]) == 0
    assert (clean.root / "in-process" / "index.html").is_file()
    clean.edit("content/topic.md", "\n## ", "\n[A missing page](missing.md)\n\n## ")
    assert main(["check"]) == 1
    assert main(["build", "--output", "in-process"]) == 1
