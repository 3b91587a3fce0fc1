"""site_config.yaml, read and checked into a SiteConfig."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from iopguide.fingerprints import Memo, digest
from iopguide.errors import BuildFailed, ContentError, display_path
from iopguide.source.schema import Bool, Int, Invalid, ListOf, Record, Str, Template, Url, check_document
from iopguide.model import LINE_KINDS, READABILITY_FORMULAS, CrisisLine, Footer, Language, PageRef, Publisher, SiteConfig
from iopguide.files import read_text
from iopguide.source.yaml_lines import parse_yaml



def page_ref(**kwargs) -> Record:
    """A content file named by its path below content/, with an optional shorter title."""
    field = Record({"page": Str(required=True), "title": Str(max_length=40)}, build=PageRef, shorthand="page", **kwargs)
    field.example = "what-is-an-iop.md"
    return field


def line_kind() -> Str:
    """crisis or referral; the hint for a missing kind shows the first."""
    field = Str(required=True, choices=LINE_KINDS)
    field.example = LINE_KINDS[0]
    return field


CRISIS_LINE = Record({
    "name": Str(required=True),
    "kind": line_kind(),
    "when": Str(required=True),
    "call": Str(pattern=r"[0-9+() -]{2,24}", pattern_hint="write the number with digits and dashes, like 1-800-662-4357"),
    "text": Str(pattern=r"[0-9+() -]{2,24}", pattern_hint="write the number with digits only, like 988"),
    "tty": Str(pattern=r"[0-9+() -]{2,24}", pattern_hint="write the number with digits and dashes"),
    "chat": Url(),
    "url": Url(),
}, build=CrisisLine)

def publisher(**kwargs) -> Record:
    return Record({
    "name": Str(required=True, max_length=120),
    "address": Str(max_length=200),
    "contact": Str(pattern=r"[^@\s/:]+@[^@\s]+\.[^@\s]+|https?://\S+",
                   pattern_hint="write an email address, like editors@example.org, or a web address starting https://"),
    "funding": Str(max_length=200),
    "editorial_policy": Str(pattern=r"[^:\s]+\.md|https?://\S+",
                            pattern_hint="write the file name of a page in content/, like about.md, "
                                         "or a web address starting https://"),
}, build=Publisher, **kwargs)

UI_STRINGS = (
    "skip_link", "quick_exit", "quick_exit_hint", "nav_label", "menu", "home", "crisis_label", "crisis_heading", "crisis_more",
    "crisis_all_lines", "call", "text", "chat", "tty", "or", "emergency_note", "last_reviewed", "next_review", "reviewed_by", "sources_heading",
    "notes_heading", "notes_back",
    "last_updated", "awaiting_review", "published_by", "contact", "funding", "editorial_policy",
    "on_this_page", "myth_label", "fact_label", "pagination_label", "previous_page", "next_page",
    "guide_contents", "not_found_title", "not_found_text", "footer_label", "date_format",
    "quiz_question_number", "quiz_continue", "quiz_back", "quiz_go_on", "quiz_instant_heading", "quiz_change",
    "quiz_restart", "quiz_print", "quiz_error_title",
    "quiz_error_missing", "quiz_error_inline", "quiz_alert_heading", "quiz_alert_text", "quiz_result_heading",
    "quiz_results_heading", "quiz_assessment", "quiz_next_steps", "quiz_checklist_link", "quiz_notes_heading",
    "quiz_no_js", "quiz_guide_heading", "quiz_guide_intro", "quiz_guide_step", "quiz_guide_if",
    "quiz_guide_to_question", "quiz_guide_and", "quiz_guide_otherwise", "quiz_guide_result", "quiz_guide_notes",
    "quiz_guide_note_if", "quiz_alert_emergency_text", "quiz_referral_heading", "quiz_ask_if", "quiz_guide_instant",
)
# The search page's words (templates/components/search_box.html); static/search.js fills in their placeholders
SEARCH_UI_STRINGS = ("search_label", "search_button", "search_results", "search_one_result", "search_no_results",
                     "search_hint", "search_searching", "search_failed", "search_other_language")
UI_STRINGS += SEARCH_UI_STRINGS
# The ui strings only a site in more than one language shows: every language needs the first, and
# each other language the others (checked in _language).
LANGUAGE_UI_STRINGS = ("language_label", "awaiting_translation_review", "translation_reviewed_by")
# The ui strings the build fills in, and the placeholders each may use (quiz.js fills quiz_error_missing's)
UI_PLACEHOLDERS = {
    "date_format": ("month", "day", "year"),
    "quiz_question_number": ("number", "total"),
    "quiz_error_missing": ("number",),
    "quiz_guide_step": ("number",),
    "quiz_guide_to_question": ("number",),
}
UI_PLACEHOLDERS.update(search_results=("count", "query"), search_one_result=("query",), search_no_results=("query",))
UI = Record({**{key: Template(UI_PLACEHOLDERS[key], required=True) if key in UI_PLACEHOLDERS else Str(required=True)
                for key in UI_STRINGS},
             **{key: Str() for key in LANGUAGE_UI_STRINGS},
             "months": ListOf(Str(), min_items=12, required=True)}, required=True)


def readability_formula() -> Str:
    field = Str(choices=tuple(READABILITY_FORMULAS))
    field.example = next(iter(READABILITY_FORMULAS))
    return field


LANGUAGE_TAG = dict(pattern=r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", pattern_hint="use a language code like es or es-US")

# What every language names for itself, in site_config.yaml's top level and in each other_languages entry.
LANGUAGE_PAGES_AND_LINES = {
    "navigation": ListOf(page_ref(), min_items=1, required=True),
    "help_page": page_ref(required=True),
    "search_page": page_ref(),
    "footer": Record({"disclaimer": Str(required=True), "links": ListOf(page_ref(), default=[])},
                     build=Footer, required=True),
    "crisis_lines": ListOf(CRISIS_LINE, min_items=1, required=True),
}

# Another language: its own words, menus and help lines. Its pages are in content/<code>/.
LANGUAGE = Record({
    "code": Str(required=True, pattern=r"[a-z]{2,3}", pattern_hint="use a two- or three-letter language code, like es"),
    "language": Str(required=True, **LANGUAGE_TAG),
    "language_name": Str(required=True, max_length=40),
    "site_name": Str(required=True, max_length=60),
    "tagline": Str(max_length=120),
    "readability_formula": readability_formula(),
    "readability_target": Int(min=1, max=100),
    **LANGUAGE_PAGES_AND_LINES,
    "publisher": publisher(),
    "ui": UI,
})

CONFIG = Record({
    "site_name": Str(required=True, max_length=60),
    "tagline": Str(max_length=120),
    "base_url": Url(required=True),
    "language": Str(required=True, pattern=LANGUAGE_TAG["pattern"], pattern_hint="use a language code like en or en-US"),
    "language_name": Str(max_length=40, default="English"),
    "readability_formula": readability_formula(),
    "review_months": Int(min=1, max=60, default=12),
    "readability_target": Int(min=1, max=100),  # a grade or an ease score: the formula says which, and its range
    "theme_color": Str(pattern=r"#[0-9a-fA-F]{6}", pattern_hint="use a colour like #1d4f6e", default="#1d4f6e"),
    "quick_exit_url": Url(required=True),
    **LANGUAGE_PAGES_AND_LINES,
    "publisher": publisher(required=True),
    "require_clinical_signoff": Bool(default=False),
    "ui": UI,
    "other_languages": ListOf(LANGUAGE, default=[]),
})


def load_config(path: Path, base_url: str | None = None, known: Memo | None = None) -> SiteConfig:
    """Read the config file; raise BuildFailed listing every mistake in it. With `known` (earlier
    builds' configs by a digest of what they were made from), an unchanged file is not parsed again."""
    shown = display_path(path)
    if not path.is_file():
        raise BuildFailed([ContentError(shown, None, "the configuration file does not exist",
                                        "run the command from the project folder, or pass --config FILE")])
    try:
        text = read_text(path, shown)
    except ContentError as error:
        raise BuildFailed([error]) from None
    key = digest(text, shown, base_url)
    config = known.get(key) if known else None
    if config is None:
        config = _parse_config(text, shown, base_url)
        if known:
            known.put(key, config)
    return config


def base_url_problem(url: str, from_command_line: bool) -> tuple[str, str] | None:
    """What makes base_url more than a plain https origin and path, as (message, hint), or None. Every
    canonical link, the sitemap and the 404 page start with it, so nothing may ride along: no second
    host behind `\\`, `@` or `//`, no query or fragment. The command line may use http too: the
    preview passes its own address."""
    parts = urlsplit(url)
    hint = "write only https://, the host and the path, like https://example.org/iop-guide/"
    if parts.scheme != "https" and not (from_command_line and parts.scheme == "http"):
        problem = "must start with https://"
        hint = "every host this site is published on serves https; " + hint
    elif "\\" in url:
        problem = "must not contain a backslash, which browsers read as /"
    elif "@" in parts.netloc:
        problem = "must not contain a user name or password (@)"
    elif "?" in url or "#" in url:
        problem = "must not contain a query (?) or a fragment (#)"
    elif "//" in parts.path:
        problem = "must not contain an empty folder (//), which browsers read as another host"
    elif any(char.isspace() or not char.isprintable() or char in '"<>^`{|}' for char in url):
        problem = "must not contain spaces, quotes, < or > or other characters a web address cannot hold"
    else:
        return None
    return f"'base_url' {problem} ({url!r})", hint  # repr: a control character is shown, never run


def _parse_config(text: str, shown: str, base_url: str | None) -> SiteConfig:
    errors: list[ContentError] = []
    try:
        doc = parse_yaml(text, shown)
    except ContentError as error:
        raise BuildFailed([error]) from None
    values = check_document(CONFIG, doc, errors)
    if values is None or errors:
        raise BuildFailed(errors)
    if base_url:
        try:
            values["base_url"] = Url().convert(base_url)
        except Invalid as exc:
            raise BuildFailed([ContentError("--base-url", None, exc.message.replace("{key}", "--base-url"),
                                            "pass a full address, like https://example.org/iop-guide/")]) from None
    problem = base_url_problem(values["base_url"], from_command_line=bool(base_url))
    if problem:
        raise BuildFailed([ContentError(*(("--base-url", None) if base_url else (shown, doc.line(("base_url",)))),
                                        *problem)])
    if not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    errors += _month_problems(values["ui"], ("ui",), shown, doc)
    languages = values.pop("other_languages")
    values["readability_formula"] = values["readability_formula"] or "flesch_kincaid_grade"
    values["readability_target"] = _readability_target(values, (), shown, doc, errors)
    config = SiteConfig(**values, path=shown, lines=doc.lines)
    codes = [language["code"] for language in languages]
    config = replace(config, other_languages=tuple(_language(config, index, language, codes[:index], shown, doc, errors)
                                                   for index, language in enumerate(languages)))
    if errors:
        raise BuildFailed(errors)
    return config


def _month_problems(ui: dict, keypath: tuple, shown: str, doc) -> list[ContentError]:
    if len(ui["months"]) == 12:
        return []
    return [ContentError(shown, doc.line((*keypath, "months")), f"{'.'.join(map(str, keypath))}.months must list the 12 month names",
                         "write them in order, January first")]


def _language(config: SiteConfig, index: int, values: dict, earlier: list[str], shown: str, doc,
              errors: list[ContentError]) -> Language:
    """One of `other_languages`, checked against the main language; its page references made paths below
    content/ (navigation: [index.md] under code es names content/es/index.md)."""
    keypath = ("other_languages", index)
    code = values["code"]
    if code in earlier or code == config.language.split("-")[0]:
        errors.append(ContentError(shown, doc.line((*keypath, "code")), f"the language code '{code}' is used twice",
                                   "give each language its own code"))
    errors.extend(_month_problems(values["ui"], (*keypath, "ui"), shown, doc))
    needed = [(("ui",), config.ui, "language_label")] if index == 0 else []  # the main language's, said once
    needed += [((*keypath, "ui"), values["ui"], key) for key in LANGUAGE_UI_STRINGS]
    for where, ui, key in needed:
        if not ui.get(key):
            dotted = ".".join(map(str, where))
            errors.append(ContentError(shown, doc.line(where), f"{dotted}.{key} is missing",
                                       f"a site in more than one language needs it: add {key}: under {dotted}: "
                                       "(docs/translating.md lists these words)"))

    def in_folder(ref: PageRef) -> PageRef:
        return replace(ref, page=f"{code}/{ref.page}")

    values["readability_formula"] = values["readability_formula"] or config.readability_formula
    if not values["readability_target"] and values["readability_formula"] == config.readability_formula:
        values["readability_target"] = config.readability_target
    target = _readability_target(values, keypath, shown, doc, errors)
    return Language(
        code=code, language=values["language"], language_name=values["language_name"], site_name=values["site_name"],
        tagline=values["tagline"], navigation=[in_folder(ref) for ref in values["navigation"]],
        help_page=in_folder(values["help_page"]),
        search_page=values["search_page"] and in_folder(values["search_page"]),
        footer=replace(values["footer"], links=[in_folder(ref) for ref in values["footer"].links]),
        crisis_lines=values["crisis_lines"], ui=values["ui"],
        publisher=_publisher_in(values["publisher"] or config.publisher, code),
        readability_formula=values["readability_formula"], readability_target=target)


def _publisher_in(publisher: Publisher, code: str) -> Publisher:
    """The publisher as a language shows it: an editorial policy that is a page is that language's page."""
    return replace(publisher, editorial_policy=f"{code}/{publisher.policy_page}") if publisher.policy_page else publisher



def _readability_target(values: dict, keypath: tuple, shown: str, doc, errors: list[ContentError]) -> int:
    """The target for the formula: as written, or the formula's own; a grade above 18 is a mistake."""
    formula = READABILITY_FORMULAS[values["readability_formula"]]
    target = values["readability_target"] or formula.default_target
    if target > formula.highest_target:
        errors.append(ContentError(shown, doc.line((*keypath, "readability_target")),
                                   f"readability_target is {target}, but {formula.name} goes up to {formula.highest_target}",
                                   f"use a target from 1 to {formula.highest_target}, like {formula.default_target}"))
    return target
