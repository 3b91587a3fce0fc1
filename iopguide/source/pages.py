"""Every Markdown page below content/ as a Page, its front matter checked; the files published as
they are; and the self-check."""
from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from iopguide.fingerprints import Memo, digest
from iopguide.errors import ContentError, display_path
from iopguide.source.schema import Bool, Date, Int, ListOf, Record, Str, Url, check_document
from iopguide.model import QUIZ_FILE, Glossary, Page, PageListing, PageMeta, Reviewer, SiteConfig, Source
from iopguide.files import MAX_FILE_BYTES, files_below, read_text
from iopguide.workers import map_forked, worker_count
from iopguide.source.yaml_lines import load_parser, parse_yaml

if TYPE_CHECKING:
    from iopguide.source.quiz import Quiz

SOURCE = Record({"title": Str(required=True), "url": Url(required=True), "guidance": Bool(default=False)},
                build=Source)

def reviewer() -> Record:
    """A person who checked the page: a clinician (reviewed_by), or a bilingual health reviewer of a translation."""
    return Record({"name": Str(required=True, max_length=120), "role": Str(required=True, max_length=120)}, build=Reviewer)


FRONT_MATTER = Record({
    "title": Str(required=True, max_length=90),
    "description": Str(required=True, max_length=160),
    "last_reviewed": Date(required=True),
    "menu_title": Str(max_length=30),
    "menu_order": Int(min=0, max=9999),
    "next_review": Date(),
    "reviewed_by": reviewer(),
    "translation_reviewed_by": reviewer(),
    "last_updated": Date(),
    "sources": ListOf(SOURCE, default=[]),
    "draft": Bool(default=False),
    "template": Str(default="page", pattern=r"[a-z0-9][a-z0-9_-]*",
                    pattern_hint="use the name of a file in templates/ without .html, like page"),
    "slug": Str(pattern=r"[a-z0-9]+(-[a-z0-9]+)*",
                pattern_hint="use lowercase letters, digits and single hyphens, like what-to-expect"),
})

# The files published as they are; each is checked to be what its name says (source/content_files.py).
ASSET_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".pdf"}
_FENCE = re.compile(r"^---[ \t]*$")


def find_sources(content_dir: Path, errors: list[ContentError]) -> tuple[list[str], list[str]]:
    """Markdown pages and asset files below content_dir, as posix paths below it, in a stable order;
    hidden files are skipped.

    A symbolic link that leads outside content_dir is refused: the build would otherwise publish
    whatever it points at, such as a private file elsewhere on the computer.
    """
    root = content_dir.resolve()
    pages, assets = [], []
    for rel_path, entry in sorted(files_below(content_dir, hidden=(".", "_")), key=lambda found: found[0].split("/")):
        problem = _link_problem(Path(entry.path), root) if entry.is_symlink() else None
        if problem:
            errors.append(ContentError(display_path(entry.path), None, problem,
                                       "copy the file into content/ instead of linking to it"))
            continue
        if not entry.is_file():
            continue
        suffix = os.path.splitext(rel_path)[1].lower()
        if suffix == ".md":
            pages.append(rel_path)
        elif suffix in ASSET_SUFFIXES:
            assets.append(rel_path)
    return pages, assets


def _link_problem(link: Path, root: Path) -> str | None:
    """What is wrong with a link in content/, or None when it leads to a file inside content/."""
    try:
        target = link.resolve()
    except (RuntimeError, OSError):  # a loop: Python before 3.13 raises RuntimeError for one
        return "this is a link that leads round in a loop"
    if target.exists() and (target == root or root in target.parents):
        return None
    return f"this is a link to '{os.readlink(link)}', which is outside content/ or missing"


@dataclass
class LoadedContent:
    """Everything read from content/: the pages, the quiz and the files copied as they are."""

    pages: list[Page]
    drafts: set[str] = field(default_factory=set)  # rel_paths of drafts left out of this build
    broken: set[str] = field(default_factory=set)  # rel_paths of pages whose mistakes are already reported
    assets: dict[str, Path] = field(default_factory=dict)  # rel_path → file, copied as they are
    quizzes: dict[str, Quiz] = field(default_factory=dict)  # language code → the self-check in that language
    quiz_files: set[str] = field(default_factory=set)  # the language codes whose folder has a quiz.yaml
    glossaries: dict[str, Glossary] = field(default_factory=dict)  # language code → its glossary (source/glossary.py, read by load_site)

    @property
    def quiz(self) -> Quiz | None:
        """The self-check in the site's main language."""
        return self.quizzes.get("")


@dataclass
class SinceLastLoad:
    """For the preview, which watches content/: the files its watcher saw change since its last load,
    and what that load found. A file not in `changed` is taken as it was, without a look at the disk,
    as the build takes a file whose stat data is unchanged."""

    changed: set[str] | None = None  # paths below content/; None: any file may have changed
    found: tuple[list[str], list[str]] | None = None  # what find_sources found: pages, assets
    files: tuple[list[str], list[PageFile]] = ([], [])  # the page files among them
    pages: dict[str, Page] = field(default_factory=dict)  # rel_path → the page loaded from it


@dataclass(frozen=True)
class Remembered:
    """What earlier loads worked out, so unchanged files are not read or parsed again: configs and
    proven quizzes by a digest of what they were made from, page records by path (the build keeps
    them in its cache, the preview in memory), and for the preview what its last load found and
    which files changed since."""

    configs: Memo | None = None
    sources: Memo | None = None
    quizzes: Memo | None = None
    since: SinceLastLoad | None = None


NOTHING_REMEMBERED = Remembered()  # check, tests, and a build without its cache


def load_content(content_dir: Path, config: SiteConfig, include_drafts: bool, errors: list[ContentError],
                 remembered: Remembered = NOTHING_REMEMBERED, while_reading: Callable[[], object] | None = None) -> LoadedContent:
    """Every page, asset and the quiz below content_dir; mistakes go to `errors`, the page is left out.

    `while_reading` is called while worker processes read the page files, if it comes to that: work
    that does not need the pages can be done then, on a core that would wait otherwise.
    """
    if not content_dir.is_dir():
        raise ContentError(display_path(content_dir), None, "the content folder does not exist",
                           "run the command from the project folder, or pass --content DIR")
    known, since = remembered.sources, remembered.since or SinceLastLoad()
    page_files, asset_files = _sources(content_dir, errors, since)
    loaded = LoadedContent([], assets={rel_path: content_dir / rel_path for rel_path in asset_files})
    shown_dir = display_path(content_dir)
    if loaded.assets:
        from iopguide.source.content_files import check_content_file  # only sites with such files pay for loading an XML parser

        errors.extend(filter(None, (check_content_file(path, posixpath.normpath(f"{shown_dir}/{rel_path}"))
                                    for rel_path, path in loaded.assets.items())))
    if since.files[0] is not page_files:
        since.files = (page_files, [PageFile(content_dir / rel_path, rel_path, posixpath.normpath(f"{shown_dir}/{rel_path}"))
                                    for rel_path in page_files])
    for rel_path, page in zip(page_files, load_pages(since.files[1], config, errors, known, while_reading, since)):
        if page is None:
            loaded.broken.add(rel_path)
        elif page.meta.draft and not include_drafts:
            loaded.drafts.add(rel_path)
        else:
            loaded.pages.append(page)
    _check_unique_urls(loaded.pages, errors)
    loaded.quiz_files = {code for code in config.codes if quiz_file(content_dir, code).is_file()}
    if "" in loaded.quiz_files:
        loaded.quizzes = _quizzes(content_dir, sorted(loaded.quiz_files),
                                  frozenset(page.rel_path for page in loaded.pages) | loaded.broken, errors, remembered.quizzes)
    return loaded


def quiz_file(content_dir: Path, code: str) -> Path:
    """Where the self-check of language `code` is: content/quiz.yaml, or its texts in content/<code>/quiz.yaml."""
    return content_dir / code / QUIZ_FILE if code else content_dir / QUIZ_FILE


def _sources(content_dir: Path, errors: list[ContentError], since: SinceLastLoad) -> tuple[list[str], list[str]]:
    """find_sources, or the preview's last answer while it still holds."""
    if not _found_still_holds(content_dir, since):
        before = len(errors)
        since.found = find_sources(content_dir, errors)
        if len(errors) > before:  # links to refuse: look again next time, so they are reported until fixed
            found, since.found = since.found, None
            return found
    return since.found


def _found_still_holds(content_dir: Path, since: SinceLastLoad) -> bool:
    """Whether no page or asset was added or removed since find_sources last looked: each changed path
    was found exactly when it is a plain file (a new folder or link is looked at in full)."""
    if since.changed is None or since.found is None:
        return False
    found = {*since.found[0], *since.found[1]}
    for rel_path in since.changed:
        path = content_dir / rel_path
        if path.is_symlink() or path.is_dir() or (rel_path in found) != path.is_file():
            return False
    return True


def _quizzes(content_dir: Path, codes: list[str], page_paths: frozenset[str], errors: list[ContentError],
             known: Memo | None) -> dict[str, Quiz]:
    """The self-check in every language that has one ("" first): loaded, proven and answered as every
    person in its scenarios; the translations put their texts on the same rules, and are answered as
    the same people. With `known`, the ones an earlier load made from the same files and pages."""
    # only sites with a quiz pay for loading its code
    from iopguide.source.quiz_scenarios import SCENARIO_FILE, load_quiz_with_scenarios, run_scenarios
    from iopguide.source.quiz_translation import translate_quiz

    main = quiz_file(content_dir, "")
    files = [main, main.with_name(SCENARIO_FILE), *(quiz_file(content_dir, code) for code in codes if code)]
    key = _quiz_key(files, page_paths) if known else None
    quizzes = known.get(key) if key else None
    if quizzes is None:
        before = len(errors)
        quiz = load_quiz_with_scenarios(main, page_paths, errors)
        quizzes = {"": quiz} if quiz else {}
        for code in codes[1:] if quiz else ():
            translated = translate_quiz(quiz, quiz_file(content_dir, code), code, page_paths, errors)
            # Its rules are the main quiz's own objects, so this cannot find what the main run did not;
            # it is the scenario file answered in every language, and it stops a build at once should a
            # later change ever let a translation reach a rule. The browser tests prove each page.
            if translated is not None and main.with_name(SCENARIO_FILE).is_file():
                run_scenarios(translated, main.with_name(SCENARIO_FILE), errors)
            if translated is not None:
                quizzes[code] = translated
        if key and len(errors) == before:  # ones with mistakes are loaded again, to show them
            known.put(key, quizzes)
    return quizzes


def _quiz_key(files: list[Path], page_paths: frozenset[str]) -> str | None:
    """What the proven quizzes follow from: the files' bytes, where they are and the pages there are.
    None for a file too large to read whole, which loading reports."""
    found = [path for path in files if path.is_file()]
    if any(path.stat().st_size > MAX_FILE_BYTES for path in found):
        return None
    return digest([(display_path(path), path.read_bytes()) for path in found], sorted(page_paths))


# A file last changed this close to when it was read could change again within the same clock tick
# without its time or size changing, so it is read again next time (as git does with its index).
RACY_NANOSECONDS = 2_000_000_000


@dataclass(frozen=True)
class SourceRecord:
    """What loading a page file gave, and the file's stat data then: while that is the same, the file is too."""

    status: tuple[int, int, int, int]  # size, modification and change times, inode
    read_at: int  # time.time_ns() when it was read
    review_months: int  # the config setting next_review defaults from
    meta: PageMeta
    front_lines: dict[tuple, int]
    body_line: int
    front_digest: str
    body_digest: str
    url: str
    listing_key: str  # digest of the page's PageListing, what other pages' templates see of it

    def still_describes(self, status: os.stat_result, review_months: int) -> bool:
        return (self.status == _status_key(status) and self.review_months == review_months
                and self.read_at - status.st_mtime_ns > RACY_NANOSECONDS)


def _status_key(status: os.stat_result) -> tuple[int, int, int, int]:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


@dataclass(frozen=True)
class PageFile:
    """A page file to load: where it is, its path below content/, and its path as messages show it."""

    path: Path
    rel_path: str
    shown: str


# Below this many files to read, starting worker processes costs more than reading them here.
MIN_READS_PER_WORKER = 64


def load_pages(files: list[PageFile], config: SiteConfig, errors: list[ContentError],
               known: Memo | None = None, while_reading: Callable[[], object] | None = None,
               since: SinceLastLoad | None = None) -> list[Page | None]:
    """The page in each file, in order (None for a file with mistakes, which go to `errors`).

    With `known` (earlier builds' SourceRecords by path), an unchanged file is not read at all: its
    body is read only if the page has to be converted again. With `since` (the preview's last load and
    the files its watcher saw change since), the others are not even looked at. The files that must
    be read are shared out to worker processes when there are enough: reading them and parsing their front matter is
    most of a first build's work before its pages can be converted, and left a core idle; the build
    process does `while_reading` meanwhile. The workers send back each page's record, not its body.
    """
    earlier = [known.get(file.rel_path) if known else None for file in files]
    changed = since.changed if since else None
    checked = range(len(files)) if changed is None else {
        index for index, (file, record) in enumerate(zip(files, earlier))
        if record is None or file.rel_path in changed or record.review_months != config.review_months}
    statuses = {index: files[index].path.stat() for index in checked}
    unread = [index for index in checked
              if earlier[index] is None or not earlier[index].still_describes(statuses[index], config.review_months)]

    def read(index: int) -> tuple[tuple[SourceRecord, str] | None, list[ContentError]]:
        mistakes: list[ContentError] = []
        try:
            return _read_page_file(files[index], statuses[index], config, mistakes, earlier[index]), mistakes
        except ContentError as error:
            return None, [*mistakes, error]

    def read_record(index: int) -> tuple[tuple[SourceRecord, None] | None, list[ContentError]]:
        # The body stays behind: the worker that converts the page reads the file again (checked
        # against the record's digest), which costs less than sending every body through a pipe to
        # this process, which on a big site was a large share of this stage.
        done, mistakes = read(index)
        return (done[0], None) if done else None, mistakes

    workers = worker_count(len(unread), MIN_READS_PER_WORKER)
    if workers >= 2:
        load_parser()
        reads = dict(zip(unread, map_forked(read_record, unread, workers, while_reading)))
    else:
        reads = {index: read(index) for index in unread}
    last = since.pages if since and changed is not None else {}
    pages: list[Page | None] = []
    for index, file in enumerate(files):
        record, body_text = earlier[index], None
        if index not in checked and file.rel_path in last:
            pages.append(last[file.rel_path])  # the same file, so the same page
            continue
        if index in reads:
            done, mistakes = reads[index]
            errors.extend(mistakes)
            if done is None:
                pages.append(None)
                continue
            record, body_text = done
            if known:
                known.put(file.rel_path, record)
        pages.append(_page(file, record, body_text))
    if since:
        since.pages = {page.rel_path: page for page in pages if page is not None}
    return pages


def _page(file: PageFile, record: SourceRecord, body_text: str | None) -> Page:
    return Page(rel_path=file.rel_path, display_path=file.shown, url=record.url,
                meta=record.meta, body_line=record.body_line, listing_key=record.listing_key,
                front_lines=record.front_lines, body_digest=record.body_digest, body_text=body_text,
                read_body=lambda: read_body(file.path, file.shown, record.front_digest, record.body_digest))


def _read_page_file(file: PageFile, status: os.stat_result, config: SiteConfig, errors: list[ContentError],
                    earlier: SourceRecord | None) -> tuple[SourceRecord, str] | None:
    """Read a page file: its new record and its body; None if its front matter is wrong.

    Front matter that is the `earlier` record's, as after an edit to the text, is not parsed again:
    parsing it is what loads the YAML parser, which costs more than the rest of loading a page.
    """
    read_at = time.time_ns()
    text = read_text(file.path, file.shown)
    front, body, body_line = split_front_matter(text, file.shown)
    front_digest = digest(front)
    if earlier and (earlier.front_digest, earlier.review_months) == (front_digest, config.review_months):
        meta, front_lines, url, listing_key = earlier.meta, earlier.front_lines, earlier.url, earlier.listing_key
    else:
        parsed = parse_front_matter(front, file.shown, config, errors)
        if parsed is None:
            return None
        meta, front_lines = parsed
        url = page_url(file.rel_path, meta.slug)
        listing_key = digest(PageListing(file.rel_path, url, meta))
    return SourceRecord(_status_key(status), read_at, config.review_months, meta, front_lines, body_line, front_digest,
                        digest(body), url, listing_key), body


def read_body(path: Path, shown: str, front_digest: str, body_digest: str) -> str:
    """The body of a page file that was found unchanged, checked to be what was found: the front
    matter the page was planned with, and the body the plan's keys stand for."""
    text = read_text(path, shown)
    try:
        front, body, _ = split_front_matter(text, shown)
        unchanged = digest(front) == front_digest and digest(body) == body_digest
    except ContentError:  # its front matter was taken away meanwhile
        unchanged = False
    if not unchanged:
        raise ContentError(shown, None, "this file changed while the build was running", "run the build again")
    return body


def parse_front_matter(front: str, shown: str, config: SiteConfig,
                       errors: list[ContentError]) -> tuple[PageMeta, dict[tuple, int]] | None:
    """The checked front matter and the line of each key; None, with the mistakes in `errors`, if wrong."""
    before = len(errors)
    doc = parse_yaml(front, shown, first_line=2)
    values = check_document(FRONT_MATTER, doc, errors)
    if values is None or len(errors) > before:
        return None
    if values["next_review"] is None:
        values["next_review"] = add_months(values["last_reviewed"], config.review_months)
    elif values["next_review"] <= values["last_reviewed"]:
        errors.append(ContentError(shown, doc.line(("next_review",)), "next_review is not after last_reviewed",
                                   "set next_review to a later date, or remove it to use the default"))
        return None
    return PageMeta(**values), doc.lines


def split_front_matter(text: str, shown: str) -> tuple[str, str, int]:
    """(front matter, body, line the body starts on); the front matter sits between two '---' lines."""
    first_break = text.find("\n")
    if not _FENCE.match(text if first_break < 0 else text[:first_break]):
        raise ContentError(shown, 1, "the page does not start with front matter",
                           "put '---' on the first line, then title:, description: and last_reviewed:, then '---'")
    # Line by line up to the closing fence only: the body, most of the file, is never split into lines.
    front_start = start = first_break + 1
    number = 2
    while start > 0:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if _FENCE.match(line) or line.rstrip() == "...":
            body = "" if end < 0 else text[end + 1:]
            return text[front_start:max(start - 1, front_start)], body, number + 1
        start, number = end + 1, number + 1
    raise ContentError(shown, 1, "the front matter is never closed", "add a line with only '---' after the last key")


def add_months(day: dt.date, months: int) -> dt.date:
    import calendar  # here, not at the top: it loads locale, and most builds parse no front matter

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def slugify(name: str) -> str:
    """A URL-safe segment: 'Cost & Insurance' → 'cost-insurance', 'Über uns' → 'uber-uns'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if slug:
        return slug
    # a name in a non-Latin script keeps its letters; hrefs are percent-encoded where written
    return re.sub(r"[^\w]+", "-", name.lower(), flags=re.UNICODE).strip("-") or "page"


def page_url(rel_path: str, slug: str | None) -> str:
    """Pretty URL below the site root: 'a/b.md' → 'a/b/', 'a/index.md' → 'a/', 'index.md' → ''."""
    parts = rel_path[: -len(".md")].split("/")
    folders = [slugify(part) for part in parts[:-1]]
    name = parts[-1]
    if name == "index" and not slug:
        return "".join(f"{part}/" for part in folders)
    return "".join(f"{part}/" for part in folders + [slug or slugify(name)])


def _check_unique_urls(pages: list[Page], errors: list[ContentError]) -> None:
    seen: dict[str, Page] = {}
    for page in pages:
        if page.url in seen:
            other = seen[page.url]
            errors.append(ContentError(page.display_path, 1,
                                       f"this page and {other.display_path} both make the address /{page.url}",
                                       "rename one of the files or give one a different 'slug:'"))
        else:
            seen[page.url] = page


PLACEHOLDER_DESCRIPTION = "Say in one plain sentence what this page covers (at most 160 characters)."
PLACEHOLDER_SOURCE_URL = "https://example.org/replace-with-the-real-address"


def create_page(content_dir: Path, title: str, today: dt.date, translates: Path | None = None) -> Path:
    """A new draft page with valid front matter; never overwrites an existing file. A translation of
    the page at `translates` takes its file name, template and place in the guide."""
    title = " ".join(title.split())
    slug = slugify(title)
    if not title or not slug:
        raise ContentError("new", None, "the title is empty", 'write it in quotes: build.py new "Sleep and recovery"')
    path = content_dir / (translates.name if translates else f"{slug}.md")
    kept = _kept_for_translation(translates) if translates else ""
    if path.exists():
        raise ContentError(display_path(path), None, "this file already exists, so nothing was created",
                           "choose another title, or edit the existing file")
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n"
        f'title: "{quoted}"\n'
        f"description: {PLACEHOLDER_DESCRIPTION}\n"
        f"last_reviewed: {today.isoformat()}\n"
        f"{kept}"
        "draft: true\n"
        "sources:\n"
        '  - title: "Name of a source you used"\n'
        f"    url: {PLACEHOLDER_SOURCE_URL}\n"
        "---\n"
        "Start with a short paragraph that says who this page is for.\n\n"
        "## A first section\n\n"
        "Write in short sentences. Link to other pages by their file name, like [the home page](index.md).\n",
        encoding="utf-8")
    return path


def _kept_for_translation(source: Path) -> str:
    """The front matter lines a translation keeps from the page it translates: template and menu_order."""
    shown = display_path(source)
    if not source.is_file():
        raise ContentError(shown, None, "there is no such page to translate",
                           "name a file in content/, like --of faq.md")
    front, _, _ = split_front_matter(read_text(source, shown), shown)
    values = parse_yaml(front, shown, first_line=2).data or {}
    return "".join(f"{key}: {values[key]}\n" for key in ("template", "menu_order") if isinstance(values, dict) and key in values)
