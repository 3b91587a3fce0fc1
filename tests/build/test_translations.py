"""Two languages kept in step: a translation of the self-check that misses a text, adds an id or
touches a rule is refused at its line; a language block missing a word is refused at its line;
`check` warns of translations left behind; and a one-edit build in either language remakes only
what shows the change, as a clean build would make it."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, LINKED_PAGES, ROOT, Project, RealProject
from htmlscan import scan

BILINGUAL = FIXTURES / "bilingual"  # site_config.yaml with a Spanish block, and content/es/, laid over the minimal site
ES_QUIZ = "content/es/quiz.yaml"
CONFIG = "site_config.yaml"
TODAY = dt.date.today()


def in_two_languages(project: Project) -> Project:
    shutil.copytree(BILINGUAL, project.root, dirs_exist_ok=True)
    return project


@pytest.fixture
def bilingual(project: Project) -> Project:
    """The minimal site with a Spanish translation of each of its three pages."""
    return in_two_languages(project)


ES_QUIZ_PAGE = ("---\ntitle: Autoevaluación\ndescription: La autoevaluación en español.\nlast_reviewed: 2026-01-01\n"
                "template: quiz\n---\nEsto no es una prueba.\n")


@pytest.fixture
def es_quiz_project(quiz_project: Project) -> Project:
    """The fixture site with the real self-check in English and its real Spanish texts, a page that
    shows each, and Spanish stubs of the pages the quiz links to."""
    in_two_languages(quiz_project)
    quiz_project.write(ES_QUIZ, (ROOT / ES_QUIZ).read_text(encoding="utf-8"))
    quiz_project.write("content/es/quiz.md", ES_QUIZ_PAGE)
    for name in LINKED_PAGES:
        quiz_project.write(f"content/es/{name}.md",
                           f"---\ntitle: es {name}\ndescription: Página breve.\nlast_reviewed: 2026-01-01\n---\nTexto.\n")
    return quiz_project


def line_number(project: Project, path: str, text: str, after: str | None = None) -> int:
    """The number of the first line of `path` that starts with `text`, below the line `after` if given."""
    lines = project.read(path).split("\n")
    start = lines.index(after) if after is not None else 0
    return next(index for index in range(start, len(lines)) if lines[index].startswith(text)) + 1


def refused(project: Project, path: str, message: str, hint: str, line: int) -> None:
    """The build stops and says `message` at `path`:`line`, with `hint` after the dash."""
    run = project.build()
    assert run.code == 1 and "Traceback" not in run.err, run.out + run.err
    said = next((text for text in run.err.splitlines() if message in text), None)
    assert said, f"no line says {message!r} in:\n{run.err}"
    assert said.startswith(f"{path}:{line}: "), f"expected {path}:{line}, got: {said}\n{project.read(path).split(chr(10))[line - 1]!r}"
    assert " — " in said and hint in said.split(" — ", 1)[1], said


def sub(pattern: str, replacement: str):
    """An edit of the Spanish quiz texts, by their layout (ids and keys), not by their wording."""
    def edit(project: Project) -> None:
        text = project.read(ES_QUIZ)
        changed = re.sub(pattern, replacement, text, count=1)
        assert changed != text, pattern
        project.write(ES_QUIZ, changed)
    return edit


# --- the self-check in Spanish: refused with the line to fix ------------------------------------

RULES_HINT = "the rules live in content/quiz.yaml and apply to every language"
# Each mistake: the edit, what the build says, the hint, and (the line it names, the line below which it is).
QUIZ_TRANSLATION_MISTAKES = {
    "a question's text left out": (
        sub(r"(\n  who:\n)    text: .*\n", r"\1"), "'text' of 'who' is not translated", "add its text:", ("  who:", None)),
    "an answer's label left out": (
        sub(r"\n      me-teen: .*", ""), "the answer 'me-teen' is not translated", "add 'me-teen:' with its text",
        ("    options:", "  who:")),
    "a result's body left out": (
        sub(r"(\n  outpatient:\n    title: .*\n)    body: \|\n(?:      .*\n)+", r"\1"),
        "'body' of 'outpatient' is not translated", "add its body:", ("  outpatient:", None)),
    "a note left out": (
        sub(r"\n  readiness: .*", ""), "the note 'readiness' is not translated", "add 'readiness:' with its text",
        ("notes:", None)),
    "a question the main file lacks": (
        sub(r"\noutcomes:\n", '\n  later:\n    text: ¿Más tarde?\n    options:\n      "yes": "Sí"\noutcomes:\n'),
        "content/quiz.yaml has no question 'later', so a translation cannot add it",
        "translate only the questions of content/quiz.yaml: who, danger-now", ("  later:", None)),
    "an answer the main file lacks": (
        sub(r"(\n      for-adult: .*\n)", r"\1      for-friend: Para un amigo\n"),
        "content/quiz.yaml has no answer 'for-friend', so a translation cannot add it", "did you mean 'for-teen'?",
        ("      for-friend:", None)),
    "a result the main file lacks": (
        sub(r"\nnotes:\n", "\n  later:\n    title: Después\n    body: Más tarde.\nnotes:\n"),
        "content/quiz.yaml has no outcome 'later', so a translation cannot add it",
        "translate only the outcomes of content/quiz.yaml: emergency, crisis", ("  later:", None)),
    "a note the main file lacks": (
        sub(r"\nnotes:\n", "\nnotes:\n  extra: Una nota más.\n"),
        "content/quiz.yaml has no note 'extra', so a translation cannot add it",
        "translate only the notes of content/quiz.yaml: overdose", ("  extra:", None)),
    "ask_if on a question": (
        sub(r"(\n  wished-dead:\n)", r"\1    ask_if: {who: me-adult}\n"),
        "'ask_if' changes a rule, which a translation cannot do", RULES_HINT, ("    ask_if:", None)),
    "at_least on an answer": (
        sub(r"(\n      for-adult: .*\n)", r"\1      at_least: crisis\n"),
        "'at_least' changes a rule, which a translation cannot do", RULES_HINT, ("      at_least:", None)),
    "when on a note": (
        sub(r"\nnotes:\n", "\nnotes:\n  when: {who: me-teen}\n"),
        "'when' changes a rule, which a translation cannot do", RULES_HINT, ("  when:", "notes:")),
    "urgency on a result": (
        sub(r"(\n  iop:\n)", r"\1    urgency: crisis\n"),
        "'urgency' changes a rule, which a translation cannot do", RULES_HINT, ("    urgency:", None)),
    "rules of its own": (
        sub(r"\nnotes:\n", "\nrules:\n  - outcome: outpatient\nnotes:\n"),
        "'rules' changes a rule, which a translation cannot do", RULES_HINT, ("rules:", None)),
    "a checklist page of its own": (
        sub(r"\nquestions:\n", "\nchecklist_page: faq.md\nquestions:\n"),
        "'checklist_page' changes a rule, which a translation cannot do", RULES_HINT, ("checklist_page:", None)),
    "one next step more than the main file": (
        sub(r"(\n  outpatient:\n(?:    .*\n)*?    next_steps:\n)", r"\1      - Un paso más.\n"),
        "'next_steps' must list ", "translate each step, in the same order", ("    next_steps:", "  outpatient:")),
    "notes in another order": (
        sub(r"\nnotes:\n(  \S.*\n)((?:.*\n)*)", r"\nnotes:\n\2\1"),
        "the notes are not in the order of content/quiz.yaml", "list them in the same order: overdose, do-not-stop",
        ("notes:", None)),
    "a hint where the main question has none": (
        sub(r"(\n  wished-dead:\n    text: .*\n)", r"\1    hint: Una pista.\n"),
        "'hint' has no counterpart in content/quiz.yaml", "remove it, or add it to content/quiz.yaml first",
        ("    hint: Una pista.", None)),
    "the emergency result's first step without 911": (
        sub(r"(\n  emergency:\n(?:    .*\n)*?    next_steps:\n      - .*)\*\*911\*\*", r"\1el número de emergencias"),
        "'outcomes.emergency.next_steps.0' leaves out '911', which content/quiz.yaml gives",
        "keep every number and every link of the main text",
        ("      - ", "  emergency:")),
    "a note without its link": (
        sub(r"Lea \[sobre la abstinencia\]\(withdrawal\.md\)\.", "Lea sobre la abstinencia."),
        "'notes.do-not-stop' leaves out 'withdrawal.md', which content/quiz.yaml gives", "keep every number and every link",
        ("  do-not-stop:", None)),
    "an answer id YAML reads as true": (
        sub(r'\n      "yes": ', "\n      yes: "),
        "this answer id was read as true, not as text", 'put the id in quotes, like "yes":', ("      yes: ", None)),
}


def test_the_spanish_self_check_builds_with_its_own_texts_on_the_main_files_rules(es_quiz_project: Project) -> None:
    run = es_quiz_project.build()
    assert run.code == 0, run.err
    page = scan(es_quiz_project.root / "output" / "es" / "quiz" / "index.html")
    assert "¿Para quién hace esta autoevaluación?" in page.text and "Who is this self-check for?" not in page.text

    def rules(url: str) -> dict:
        html = (es_quiz_project.root / "output" / url / "index.html").read_text(encoding="utf-8")
        return json.loads(re.search(r'class="quiz__data">(.*?)</script>', html, re.S).group(1))

    assert rules("es/quiz") == rules("quiz")  # the same questions, answers, rules and notes, proven once


@pytest.mark.parametrize("mistake", QUIZ_TRANSLATION_MISTAKES, ids=list(QUIZ_TRANSLATION_MISTAKES))
def test_a_spanish_self_check_that_misses_adds_or_changes_anything_is_refused_at_its_line(es_quiz_project, mistake):
    edit, message, hint, (at, after) = QUIZ_TRANSLATION_MISTAKES[mistake]
    edit(es_quiz_project)
    refused(es_quiz_project, ES_QUIZ, message, hint, line_number(es_quiz_project, ES_QUIZ, at, after))


def test_a_spanish_self_check_without_a_spanish_checklist_page_is_refused(es_quiz_project):
    (es_quiz_project.root / "content" / "es" / "choosing-a-provider.md").unlink()
    refused(es_quiz_project, ES_QUIZ, "every result links to the provider checklist, and content/es/choosing-a-provider.md does not exist",
            "translate content/choosing-a-provider.md into content/es/choosing-a-provider.md first", 1)


def test_a_spanish_quiz_page_without_the_spanish_quiz_texts_is_refused(es_quiz_project):
    (es_quiz_project.root / ES_QUIZ).unlink()
    refused(es_quiz_project, "content/es/quiz.md", "this page shows the quiz in this language, but there is no content/es/quiz.yaml",
            "translate the texts of content/quiz.yaml into content/es/quiz.yaml",
            line_number(es_quiz_project, "content/es/quiz.md", "template: quiz"))


# --- a language block in the config: refused with the line to fix -------------------------------

def config_edit(old: str, new: str):
    return lambda project: project.edit(CONFIG, old, new)


def second_spanish_block(project: Project) -> None:
    text = project.read(CONFIG)
    project.write(CONFIG, text + text[text.index("  - code: es\n"):])


def nth_line(text: str, nth: int = 0):
    """The line that is the `nth` line of the config reading exactly `text`."""
    return lambda project: [index for index, line in enumerate(project.read(CONFIG).split("\n"), 1) if line == text][nth]


def first_line(text: str, after: str | None = None):
    return lambda project: line_number(project, CONFIG, text, after)


# Each mistake: the edit, what the build says, the hint, and where.
CONFIG_MISTAKES = {
    "the Spanish name for the language switcher missing": (
        config_edit("      language_label: Idioma\n", ""), "other_languages.0.ui.language_label is missing",
        "add language_label: under other_languages.0.ui:", first_line("    ui:", "  - code: es")),
    "the main language's name for the language switcher missing": (
        config_edit("  language_label: Language\n", ""), "ui.language_label is missing", "add language_label: under ui:",
        nth_line("ui:")),
    "the Spanish awaiting-review sentence missing": (
        lambda project: project.write(CONFIG, re.sub(r"\n      awaiting_translation_review: .*", "", project.read(CONFIG))),
        "other_languages.0.ui.awaiting_translation_review is missing", "a site in more than one language needs it",
        first_line("    ui:", "  - code: es")),
    "a language code used twice": (
        second_spanish_block, "the language code 'es' is used twice", "give each language its own code",
        nth_line("  - code: es", 1)),
    "the main language's code used again": (
        config_edit("  - code: es\n", "  - code: en\n"), "the language code 'en' is used twice",
        "give each language its own code", nth_line("  - code: en")),
    "the Spanish menu naming a page not in content/es/": (
        config_edit("    navigation:\n      - index.md\n      - topic.md\n", "    navigation:\n      - index.md\n      - topics.md\n"),
        "other_languages.0.navigation names 'topics.md', which is not a page in content/es/", "did you mean 'topic.md'?",
        nth_line("      - topics.md")),
    "a grade target no grade reaches": (
        config_edit("    readability_formula: szigriszt_pazos\n", "    readability_formula: flesch_kincaid_grade\n"),
        "readability_target is 55, but Flesch–Kincaid grade goes up to 18", "use a target from 1 to 18, like 8",
        first_line("    readability_target:")),
    "thirteen Spanish months": (
        config_edit("months: [enero,", "months: [enero, enero,"), "other_languages.0.ui.months must list the 12 month names",
        "write them in order", first_line("      months:")),
    "eleven Spanish months": (
        config_edit("months: [enero, febrero,", "months: [enero,"), "'other_languages.ui.months' needs at least 12 item(s)",
        "add them", first_line("      months:")),
}


@pytest.mark.parametrize("mistake", CONFIG_MISTAKES, ids=list(CONFIG_MISTAKES))
def test_a_language_block_missing_a_word_or_naming_a_missing_page_is_refused_at_its_line(bilingual, mistake):
    edit, message, hint, where = CONFIG_MISTAKES[mistake]
    edit(bilingual)
    refused(bilingual, CONFIG, message, hint, where(bilingual))


# --- check: translations kept in step, reading level per language --------------------------------

def check(project: Project) -> list[dict]:
    run = project.build("check", "--format", "json")
    assert "Traceback" not in run.err, run.err
    return json.loads(run.out)["findings"]


def said(findings: list[dict], level: str = "warning") -> list[str]:
    return [f"{f['path']}:{f['line']}: {f['message']} — {f['hint']}" for f in findings if f["level"] == level]


def reviewed(project: Project, rel: str, day: dt.date, updated: dt.date | None = None) -> None:
    text = re.sub(r"last_reviewed: \S+", f"last_reviewed: {day.isoformat()}", project.read(rel))
    if updated:
        text = text.replace("last_reviewed:", f"last_updated: {updated.isoformat()}\nlast_reviewed:", 1)
    project.write(rel, text)


@pytest.fixture
def reviewed_together(bilingual: Project) -> Project:
    """Every page and its translation last reviewed on the same day, a month ago."""
    for rel in ("index.md", "topic.md", "get-help-now.md"):
        reviewed(bilingual, f"content/{rel}", TODAY - dt.timedelta(days=30))
        reviewed(bilingual, f"content/es/{rel}", TODAY - dt.timedelta(days=30))
    assert not [line for line in said(check(bilingual)) if "translation" in line]
    return bilingual


def test_a_translation_whose_page_changed_after_its_review_is_a_warning_naming_both_files(reviewed_together):
    project, month_ago = reviewed_together, TODAY - dt.timedelta(days=30)
    updated, re_reviewed = TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=2)
    reviewed(project, "content/topic.md", month_ago, updated=updated)  # updated after its translation's review
    reviewed(project, "content/get-help-now.md", re_reviewed)  # reviewed again since
    warnings = [line for line in said(check(project)) if "may be out of date" in line]
    hint = "bring the translation in step, then set its last_reviewed to the day you did"
    assert warnings == [
        f"content/es/get-help-now.md:{line_number(project, 'content/es/get-help-now.md', 'last_reviewed')}: this translation "
        f"may be out of date: content/get-help-now.md was updated or reviewed on {re_reviewed}, after this page's last review "
        f"on {month_ago} — compare the two files (git log -p content/get-help-now.md), {hint}",
        f"content/es/topic.md:{line_number(project, 'content/es/topic.md', 'last_reviewed')}: this translation may be out "
        f"of date: content/topic.md was updated or reviewed on {updated}, after this page's last review on {month_ago} — "
        f"compare the two files (git log -p content/topic.md), {hint}"]
    reviewed(project, "content/es/topic.md", TODAY)  # the translator brings it in step
    reviewed(project, "content/es/get-help-now.md", TODAY)
    assert not [line for line in said(check(project)) if "may be out of date" in line]


def test_a_page_in_the_main_menu_without_a_translation_is_a_warning_at_its_menu_line(reviewed_together):
    project = reviewed_together
    project.write("content/extra.md", "---\ntitle: Extra\ndescription: An English page in the main menu, for the tests.\n"
                  f"last_reviewed: {TODAY}\nsources:\n  - title: Example source\n    url: https://example.org/source\n---\n"
                  "[Home](index.md).\n")
    project.edit(CONFIG, "  - topic.md\n", "  - topic.md\n  - extra.md\n")
    assert project.build().code == 0  # a warning, not an error: the Spanish pages link to the English page meanwhile
    assert [line for line in said(check(project)) if "translation" in line] == [
        f"site_config.yaml:{line_number(project, CONFIG, '  - extra.md')}: 'extra.md' is in the main menu but has no "
        "Español translation (content/es/extra.md) — translate it, or readers of the Español pages meet it only in English"]


HARD_SPANISH = ("La implementación interdisciplinaria de intervenciones psicoterapéuticas individualizadas "
                "necesariamente comprende consideraciones farmacológicas extraordinariamente especializadas. ") * 6
PLAIN_SPANISH = ("Un IOP es un programa de tratamiento. Usted va unas horas a la semana. Vive en su casa. Puede ir a "
                 "trabajar. Habla con un grupo y con un consejero. Su familia puede venir. Pregunte qué días hay sesiones. ") * 2
HARD_ENGLISH = ("Comprehensive multidisciplinary interventions necessitate individualized psychotherapeutic "
                "methodologies incorporating evidence-based pharmacological management considerations. ") * 6


def test_reading_level_is_scored_by_each_languages_own_formula(reviewed_together):
    project = reviewed_together
    project.edit("content/es/topic.md", "## Preguntas", HARD_SPANISH + "\n\n## Preguntas")
    project.edit("content/es/index.md", "## Aprender", PLAIN_SPANISH + "\n\n## Aprender")
    project.edit("content/topic.md", "## Questions", HARD_ENGLISH + "\n\n## Questions")
    reading = [line for line in said(check(project)) if "reading" in line]
    assert len(reading) == 2, reading
    spanish, english = sorted(reading)
    assert re.fullmatch(r"content/es/topic\.md:11: reading ease is -?\d+\.\d \(Szigriszt-Pazos, INFLESZ scale\); the target "
                        r"for this language is at least 55 — use shorter sentences and everyday words", spanish), spanish
    assert re.fullmatch(r"content/topic\.md:11: reading level is US grade \d+\.\d; the site's target is 8 — use shorter "
                        r"sentences and everyday words", english), english
    # and the plain Spanish added to the home page meets the Spanish target: no warning for content/es/index.md


# --- one edit, in either language -----------------------------------------------------------------

@pytest.fixture
def real(tmp_path: Path) -> RealProject:
    project = RealProject(tmp_path / "site")
    project.cached_build()
    return project


def showing(output: Path, words: str) -> set[str]:
    return {path.relative_to(output).as_posix() for path in output.rglob("*.html") if words in path.read_text(encoding="utf-8")}


def test_editing_a_spanish_pages_text_remakes_that_page_alone(real: RealProject) -> None:
    rewritten = real.rewritten_by(lambda: real.edit("content/es/faq.md", "\n\n", "\n\nUna primera frase nueva para la prueba.\n\n"))
    assert rewritten == {"es/faq/index.html"}
    assert "Una primera frase nueva para la prueba." in real.read("output/es/faq/index.html")
    _, made = real.cached_build()
    assert made == 0
    real.assert_same_as_clean_build()


@pytest.mark.parametrize("code", ["", "es"], ids=["English", "Spanish"])
def test_a_menu_title_edit_remakes_the_pages_that_show_it_in_its_language_and_none_in_the_other(real: RealProject, code: str):
    folder = f"content/{code}/" if code else "content/"
    rewritten = real.rewritten_by(lambda: real.write(f"{folder}what-to-expect.md", re.sub(
        r"(?m)^menu_title: .*", "menu_title: Retitled for the test", real.read(f"{folder}what-to-expect.md"), count=1)))
    shown = showing(real.root / "output", "Retitled for the test")
    # the guide lists, the neighbours' previous/next links and the 404 page show it; the switcher shows
    # language names, not titles, so the other language's pages are not touched
    assert rewritten == shown and len(shown) >= 3, (rewritten, shown)
    assert all(path.startswith("es/") == bool(code) for path in rewritten), rewritten
    real.assert_same_as_clean_build()


def switcher(html: str) -> list[str]:
    return re.findall(r'class="language-switch__link" href="([^"]*)"', html)


def hreflangs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


NEW_PAGE = "---\ntitle: {title}\ndescription: Added for the test.\nlast_reviewed: 2026-01-01\n---\n{text}\n"


def test_a_change_to_the_self_checks_rules_reaches_the_spanish_self_check_from_the_cache(real: RealProject) -> None:
    # The Spanish file holds only texts: a rule changed in content/quiz.yaml alone must still remake
    # /es/quiz/, whose no-JavaScript guide lists the rules in their order.
    text = real.read("content/quiz.yaml")
    first = "  - when: {wished-dead: [\"yes\", not-sure]}\n    outcome: urgent\n"
    second = "  - when: {better-off-dead: [\"yes\", not-sure]}\n    outcome: urgent\n"
    assert first + second in text
    written = real.rewritten_by(lambda: real.write("content/quiz.yaml", text.replace(first + second, second + first)))
    assert {"quiz/index.html", "es/quiz/index.html"} <= written
    real.assert_same_as_clean_build()


def test_adding_and_removing_a_spanish_translation_updates_the_english_pages_switcher_and_hreflang(real: RealProject) -> None:
    real.write("content/extra.md", NEW_PAGE.format(title="An extra page", text="In English."))
    real.cached_build()
    english = real.read("output/extra/index.html")
    assert switcher(english) == ["../es/"] and hreflangs(english) == {}  # to the Spanish home page, never a 404

    rewritten = real.rewritten_by(lambda: real.write("content/es/extra.md", NEW_PAGE.format(title="Una página más", text="En español.")))
    assert rewritten == {"es/extra/index.html", "extra/index.html", "sitemap.xml"}
    english = real.read("output/extra/index.html")
    assert switcher(english) == ["../es/extra/"]
    assert hreflangs(english) == {"en-US": "https://example.org/extra/", "es-US": "https://example.org/es/extra/",
                                  "x-default": "https://example.org/extra/"}
    assert hreflangs(real.read("output/es/extra/index.html")) == hreflangs(english)
    assert 'hreflang="es-US" href="https://example.org/es/extra/"' in real.read("output/sitemap.xml")
    real.assert_same_as_clean_build()

    rewritten = real.rewritten_by(lambda: (real.root / "content" / "es" / "extra.md").unlink())
    assert rewritten == {"extra/index.html", "sitemap.xml"}
    assert switcher(real.read("output/extra/index.html")) == ["../es/"] and not (real.root / "output/es/extra").exists()
    real.assert_same_as_clean_build()


def test_the_preview_after_one_edit_in_spanish_remakes_only_what_shows_it_and_equals_a_clean_build(real: RealProject, monkeypatch):
    from iopguide.build.preview import PreviewBuild
    from iopguide.model import BuildOptions

    monkeypatch.chdir(real.root)
    address = "http://127.0.0.1:8000/"
    preview = PreviewBuild(BuildOptions(output_dir=Path(".cache/serve"), drafts=True, base_url=address, cache_dir=None))
    assert not preview.rebuild().errors

    faq = real.root / "content/es/faq.md"
    real.edit("content/es/faq.md", "\n\n", "\n\nUna frase nueva en la vista previa.\n\n")
    done = preview.rebuild({faq})
    assert done.describe().startswith("content/es/faq.md → 1 page rendered in "), done.describe()

    guide_page = real.root / "content/es/what-to-expect.md"
    real.write("content/es/what-to-expect.md", re.sub(r"(?m)^menu_title: .*", "menu_title: Otro título",
                                                      real.read("content/es/what-to-expect.md"), count=1))
    done = preview.rebuild({guide_page})
    shown = showing(real.root / ".cache" / "serve", "Otro título")
    assert all(path.startswith("es/") for path in shown)
    rendered = int(re.match(r"content/es/what-to-expect\.md → (\d+) pages rendered", done.describe()).group(1))
    assert len(shown - {"es/404.html"}) <= rendered < len(list((real.root / "content" / "es").glob("*.md"))), (done.describe(), shown)
    assert os.path.isfile(real.root / ".cache/serve/es/faq/index.html")
    preview.update_search()  # as the preview's search page asks for it
    real.assert_same_as_clean_build("--drafts", "--base-url", address, output=".cache/serve")
