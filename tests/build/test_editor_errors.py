"""Every editor mistake prints `path:line: what is wrong — how to fix`, exits 1, and changes nothing."""
from __future__ import annotations

import re
import shutil

import pytest

TOPIC = "content/topic.md"


def _set(rel: str, old: str, new: str):
    return lambda project: project.edit(rel, old, new)


MISTAKES = {
    "bad YAML": (_set(TOPIC, "menu_title: Topic", "menu_title: Topic: the basics"),
                 "content/topic.md:4: YAML syntax error", "put text that contains ': ' in quotes"),
    "missing field": (_set(TOPIC, "description: A page with a table, a checklist and a link.\n", ""),
                      "content/topic.md:2: 'description' is missing", "add a line 'description:"),
    "mistyped field": (_set(TOPIC, "menu_order: 1", "menu_order: first"),
                       "content/topic.md:5: 'menu_order' must be a whole number", "write it like menu_order: 3"),
    "unknown key": (_set(TOPIC, "menu_order: 1", "menu_order: 1\ntitel: Oops"),
                    "content/topic.md:6: unknown key 'titel'", "did you mean 'title'?"),
    "bad date": (_set(TOPIC, "last_reviewed: 2026-01-15", "last_reviewed: 2026-02-30"),
                 "content/topic.md:6: 'last_reviewed' is not a real date", "check the month (01-12) and the day"),
    "date in another format": (_set(TOPIC, "last_reviewed: 2026-01-15", "last_reviewed: 15/01/2026"),
                               "content/topic.md:6: 'last_reviewed' must be a date written YYYY-MM-DD",
                               "last_reviewed: 2026-11-22"),
    "description too long": (_set(TOPIC, "description: A page", "description: " + "x" * 170 + " A page"),
                             "content/topic.md:3: 'description' is 215 characters long; the limit is 160",
                             "shorten it by at least 55 characters"),
    "broken link": (_set(TOPIC, "[link home](index.md)", "[link home](indx.md)"),
                    "content/topic.md:11: the link 'indx.md' goes to a page that does not exist",
                    "did you mean 'index.md'?"),
    "link to a URL instead of the file": (_set(TOPIC, "[link home](index.md)", "[link home](get-help-now/)"),
                                          "content/topic.md:11: the link 'get-help-now/' goes to a file that does not exist",
                                          "link to the Markdown file instead: 'get-help-now.md'"),
    "citation without a note": (_set(TOPIC, "Don't worry.", "Don't worry.[^nope]"),
                                "content/topic.md:25: the citation '[^nope]' has no note",
                                "add a line '[^nope]: Source. [Title](https://…)' at the end of the page"),
    "note nothing cites": (_set(TOPIC, "[^hours]: Example", "[^unused]: Never cited.\n[^hours]: Example"),
                           "content/topic.md:27: the note '[^unused]' is never cited in the text",
                           "write [^unused] after the sentence it supports, or delete the note"),
    "empty note": (_set(TOPIC, "[^hours]: Example", "[^empty]:\n[^hours]: Example"),
                   "content/topic.md:27: the note '[^empty]' is empty",
                   "write its source after the colon, like '[^empty]: Source. [Title](https://…)', or delete it"),
    "unknown template": (_set(TOPIC, "menu_order: 1", "menu_order: 1\ntemplate: myth"),
                         "content/topic.md:6: there is no template called 'myth'", "did you mean 'myths'?"),
    "template syntax error": (_set("templates/page.html", "{{ page.title }}</h1>", "{{ page.title }</h1>"),
                              "templates/page.html:8: template syntax error", "check that every"),
    "second main heading": (_set(TOPIC, "## A table", "# A table"),
                            "content/topic.md:13: the page has a '# ' heading", "start sections with '## '"),
    "no front matter": (lambda p: p.write("content/extra.md", "Just text\n"),
                        "content/extra.md:1: the page does not start with front matter", "put '---' on the first line"),
    "front matter not closed": (lambda p: p.write("content/extra.md", "---\ntitle: x\n"),
                                "content/extra.md:1: the front matter is never closed", "add a line with only '---'"),
    "front matter is a list": (lambda p: p.write("content/extra.md", "---\n- a\n- b\n---\nText\n"),
                               "content/extra.md:2: expected 'key: value' lines, but this is a list", "start each line"),
    "duplicate key": (_set(TOPIC, "menu_order: 1", "menu_order: 1\nmenu_order: 2"),
                      "content/topic.md:6: 'menu_order' appears twice (first on line 5)", "keep one of them"),
    "not UTF-8": (lambda p: p.write("content/extra.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1")),
                  "content/extra.md:2: this file is not UTF-8 text (byte 14 is 0xe9)", "save it as UTF-8"),
    "two pages, one address": (lambda p: p.write("content/other.md", p.read(TOPIC).replace("menu_order: 1", "slug: topic")),
                               "content/topic.md:1: this page and content/other.md both make the address /topic/",
                               "give one a different 'slug:'"),
    "bad slug": (_set(TOPIC, "menu_order: 1", "slug: ../../etc"),
                 "content/topic.md:5: 'slug' has the wrong form", "use lowercase letters, digits and single hyphens"),
    "config unknown key": (_set("site_config.yaml", "site_name:", "site_nme: x\nsite_name:"),
                           "site_config.yaml:4: unknown key 'site_nme'", "did you mean 'site_name'?"),
    "config nav names a missing page": (_set("site_config.yaml", "  - topic.md", "  - topics.md"),
                                        "site_config.yaml:16: navigation names 'topics.md', which is not a page in content/",
                                        "did you mean 'topic.md'?"),
    "config crisis line without a name": (_set("site_config.yaml", "  - name: Emergency services\n    kind:", "  - kind:"),
                                          "site_config.yaml:34: 'crisis_lines.name' is missing", "add a line 'name:"),
    "config help line without a kind": (_set("site_config.yaml", "    kind: referral\n", ""),
                                        "site_config.yaml:45: 'crisis_lines.kind' is missing", "add a line 'kind: crisis'"),
    "reviewer as plain text": (_set(TOPIC, "menu_order: 1", "menu_order: 1\nreviewed_by: Test Reviewer"),
                               "content/topic.md:6: 'reviewed_by' must be a group of 'key: value' lines",
                               "put its 'key: value' lines below 'reviewed_by:'"),
    "reviewer without a role": (_set(TOPIC, "menu_order: 1", "menu_order: 1\nreviewed_by:\n  name: Test Reviewer"),
                                "content/topic.md:6: 'reviewed_by.role' is missing", "add a line 'role:"),
    "last_updated not a date": (_set(TOPIC, "menu_order: 1", "menu_order: 1\nlast_updated: soon"),
                                "content/topic.md:6: 'last_updated' must be a date written YYYY-MM-DD",
                                "last_updated: 2026-11-22"),
    "config publisher without a name": (_set("site_config.yaml", "  name: Test Publisher\n", ""),
                                        "site_config.yaml:53: 'publisher.name' is missing", "add a line 'name:"),
    "config contact neither email nor web address": (_set("site_config.yaml", "contact: editors@example.org",
                                                          "contact: call the office"),
                                                     "site_config.yaml:56: 'publisher.contact' has the wrong form",
                                                     "write an email address, like editors@example.org"),
    "config editorial policy names a missing page": (_set("site_config.yaml", "editorial_policy: get-help-now.md",
                                                          "editorial_policy: policy.md"),
                                                     "site_config.yaml:58: publisher.editorial_policy names 'policy.md', "
                                                     "which is not a page in content/", "did you mean 'topic.md'?"),
    "config sign-off not true or false": (_set("site_config.yaml", "publisher:", "require_clinical_signoff: sometimes\npublisher:"),
                                          "site_config.yaml:53: 'require_clinical_signoff' must be true or false",
                                          "require_clinical_signoff: true"),
    "content folder missing": (lambda p: shutil.rmtree(p.root / "content"),
                               "content: the content folder does not exist", "pass --content DIR"),
    "config bad URL": (_set("site_config.yaml", "base_url: https://example.org/", "base_url: example.org"),
                       "site_config.yaml:6: 'base_url' is not a full web address", "start it with https://"),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_each_mistake_names_file_line_problem_and_fix(project, mistake):
    make, where_and_what, fix = MISTAKES[mistake]
    assert project.build().code == 0
    before = project.read("output/topic/index.html")
    make(project)

    run = project.build()

    assert run.code == 1, run.out + run.err
    lines = run.err.splitlines()
    matching = [line for line in lines if line.startswith(where_and_what)]
    assert matching, f"expected a line starting {where_and_what!r} in:\n{run.err}"
    assert " — " in matching[0] and fix in matching[0].split(" — ", 1)[1], matching[0]
    assert "Traceback" not in run.err
    assert lines[-1].startswith("Build failed:") and "output/ was not changed" in lines[-1]
    assert project.read("output/topic/index.html") == before


def test_all_mistakes_of_a_build_are_reported_together(project):
    project.edit(TOPIC, "menu_order: 1", "menu_order: one\ncolour: blue")
    project.edit("content/index.md", "[the topic page](topic.md)", "[the topic page](topik.md)")
    project.edit("content/get-help-now.md", "last_reviewed: 2026-01-15", "last_reviewed: soon")

    run = project.build()

    assert run.code == 1
    problems = [line for line in run.err.splitlines() if line.startswith("content/")]
    assert [line.split(": ")[0] for line in problems] == [
        "content/get-help-now.md:5", "content/topic.md:5", "content/topic.md:6"]
    assert "Build failed: 3 problems to fix." in run.err
    # the broken link is found once the front matter is fixed; conversion runs on valid pages only
    project.edit(TOPIC, "menu_order: one\ncolour: blue", "menu_order: 1")
    project.edit("content/get-help-now.md", "last_reviewed: soon", "last_reviewed: 2026-01-15")
    assert "content/index.md:11: the link 'topik.md'" in project.build().err


def test_debug_shows_a_traceback_only_for_engine_bugs(project):
    project.edit(TOPIC, "menu_order: 1", "menu_order: x")
    run = project.build("--debug")
    assert run.code == 1 and "Traceback" not in run.err


def test_failed_build_leaves_previous_output_and_no_leftovers(project):
    assert project.build().code == 0
    project.edit(TOPIC, "[link home](index.md)", "[link home](nowhere.md)")
    assert project.build().code == 1
    assert (project.root / "output/topic/index.html").is_file()
    assert [p.name for p in project.root.iterdir() if p.name.startswith((".output.new", ".output.old"))] == []


def test_output_folder_may_not_replace_the_project(project):
    run = project.build("--output", ".")
    assert run.code == 1
    assert "the output folder would replace" in run.err
    assert (project.root / "content/topic.md").is_file()


def test_build_killed_mid_swap_is_recovered_by_the_next_build(project):
    """Simulate a build killed after retiring output/ but before moving the new site in."""
    assert project.build().code == 0
    (project.root / "output").rename(project.root / ".output.old-12345")
    (project.root / ".output.new-abc").mkdir()
    (project.root / ".output.new-abc" / "half.html").write_text("half a site")
    project.edit(TOPIC, "[link home](index.md)", "[link home](nowhere.md)")

    assert project.build().code == 1  # a failing build does not write, but must not lose the old site either
    assert (project.root / "output/topic/index.html").is_file()
    assert not list(project.root.glob(".output.new-*")) and not list(project.root.glob(".output.old-*"))


def test_a_second_build_at_the_same_time_stops_with_a_clear_message(project):
    import fcntl

    assert project.build().code == 0
    with open(project.root / ".output.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        run = project.build()
    assert run.code == 1
    assert "output: another build is writing to this folder right now — wait for it to finish" in run.err
    assert project.build().code == 0


def test_running_outside_the_project_says_where_to_run(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1
    assert "site_config.yaml: the configuration file does not exist — run the command from the project folder" in done.stderr


PLACEHOLDER_MISTAKES = {
    "unknown in date_format": ("date_format", "{m} {day}", "'ui.date_format' can use only {month}, {day} and {year}"),
    "number in date_format": ("date_format", "{0} {year}", "'ui.date_format' can use only {month}, {day} and {year}"),
    "lone brace": ("date_format", "{day}}", "'ui.date_format' can use only {month}, {day} and {year}"),
    "attribute": ("date_format", "{month.x}", "'ui.date_format' can use only {month}, {day} and {year}"),
    # a width made every page megabytes long, and a larger one ran the build out of memory
    "huge width": ("date_format", "{day:>5000000}",
                   "'ui.date_format' has the placeholder '{day:>5000000}'; a placeholder is only a name in braces"),
    "conversion": ("quiz_question_number", "Question {number!r} of {total}",
                   "'ui.quiz_question_number' has the placeholder '{number!r}'"),
    # the quiz page crashed the build with a KeyError, and a site without a quiz never noticed
    "unknown in a quiz string": ("quiz_question_number", "Question {numbr} of {total}",
                                 "'ui.quiz_question_number' can use only {number} and {total}"),
    "unknown in quiz_guide_to_question": ("quiz_guide_to_question", "to question {n}",
                                          "'ui.quiz_guide_to_question' can use only {number}"),
}


@pytest.mark.parametrize("mistake", PLACEHOLDER_MISTAKES, ids=list(PLACEHOLDER_MISTAKES))
def test_a_ui_placeholder_other_than_a_plain_known_name_is_reported_with_its_line(project, mistake):
    key, value, expected = PLACEHOLDER_MISTAKES[mistake]
    text = project.read("site_config.yaml")
    line = next(number for number, row in enumerate(text.splitlines(), 1) if f"  {key}:" in row)
    project.write("site_config.yaml", re.sub(rf"(?m)^  {key}: .*", f'  {key}: "{value}"', text))
    run = project.build()
    assert run.code == 1 and "Traceback" not in run.err
    first = run.err.splitlines()[0]
    assert first.startswith(f"site_config.yaml:{line}: {expected}") and " — write " in first, run.err


def test_a_site_large_enough_for_worker_processes_reports_mistakes_as_a_small_one(project):
    # 130 pages: their files are read in worker processes, while the build loads Jinja and compiles
    # the templates, and each page's text is read again by the worker that converts it
    for number in range(130):
        project.write(f"content/generated-{number}.md",
                      f"---\ntitle: Page {number}\ndescription: Generated page {number}.\nlast_reviewed: 2026-01-15\n"
                      f"---\nThe text of page {number}.\n")
    assert project.build("--no-cache").code == 0
    assert "The text of page 7." in project.read("output/generated-7/index.html")

    project.edit("templates/page.html", "{{ page.title }}</h1>", "{{ page.title }</h1>")
    run = project.build()
    assert run.code == 1 and "Traceback" not in run.err
    assert "templates/page.html:8: template syntax error" in run.err

    project.edit(TOPIC, "menu_order: 1", "menu_order: first")
    run = project.build()
    assert run.code == 1 and "Traceback" not in run.err
    # the pages' own mistakes are reported first, as on a small site, however early the templates were read
    assert "content/topic.md:5: 'menu_order' must be a whole number" in run.err
    assert "template syntax error" not in run.err
