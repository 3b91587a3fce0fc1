"""The command line: parse arguments, call the engine, print mistakes as path:line messages."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from iopguide.build.pipeline import BuildResult, build
from iopguide.model import BuildOptions
from iopguide.build.cache import remove_cache
from iopguide.source.pages import create_page
from iopguide.errors import BuildFailed, ContentError, display_path, terminal_safe
from iopguide.build.manifest import PublishedFile, manifest


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build the IOP Guide website from content/ into output/.",
        epilog="With no command, build.py builds: 'python build.py --drafts' is 'python build.py build --drafts'.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_build_options(commands.add_parser("build", help="build the site (the default command)",
                                          description="Build the site into the output folder."))
    check = commands.add_parser("check", help="report problems to fix before publishing",
                                description="Check every page: links and #anchors, alt text, review dates, reading "
                                            "level, descriptions, sources, pages nothing links to, duplicate titles.")
    add_source_options(check)
    check.add_argument("--strict", action="store_true", help="fail on warnings too, not only on errors")
    check.add_argument("--format", choices=("text", "json"), default="text", help="text table (default) or JSON for CI")
    serve = commands.add_parser("serve", help="preview the site and rebuild it as you save",
                                description="Build with drafts into .cache/serve/, serve it, rebuild and reload the "
                                            "browser after every save. Mistakes show in the browser.")
    add_source_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    clean = commands.add_parser("clean", help="delete the build cache (.cache/)",
                                description="Delete .cache/, where builds keep converted pages and the preview "
                                            "keeps its site. The next build starts from scratch; output/ is kept.")
    clean.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    new = commands.add_parser("new", help="create a new page", description="Create a new draft page in content/.")
    new.add_argument("title", help='the page title, in quotes: "Sleep and recovery"')
    new.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="folder of pages (default: content)")
    new.add_argument("--lang", metavar="CODE", default="",
                     help="a language of other_languages in the config, like es: the page goes in content/CODE/")
    new.add_argument("--of", metavar="FILE", default=None,
                     help="with --lang: the page in content/ this one translates, like faq.md; the new page takes "
                          "its file name, template and place in the guide, which pairs the two")
    new.add_argument("--config", type=Path, default=Path("site_config.yaml"), metavar="FILE",
                     help="site configuration, to check --lang (default: site_config.yaml)")
    return parser


COMMANDS = ("build", "check", "serve", "new", "clean")
CACHE_DIR = Path(".cache")
PREVIEW_DIR = CACHE_DIR / "serve"
BUILD_CACHE_DIR = CACHE_DIR / "build"


def with_default_command(argv: list[str]) -> list[str]:
    """`build.py` and `build.py --drafts` mean `build.py build …`; help stays the top-level help."""
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        return ["build", *argv]
    return argv


def add_build_options(parser: argparse.ArgumentParser) -> None:
    add_source_options(parser)
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="folder to write the site to (default: output)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="one summary line (default), or JSON for CI: every file with its size and sha256")
    parser.add_argument("--manifest", action="store_true",
                        help="after the summary line, list every file written: size in bytes, sha256, path")
    parser.add_argument("--no-cache", action="store_true",
                        help=f"build everything from scratch, without reading or writing {BUILD_CACHE_DIR.as_posix()}/")
    parser.add_argument("--verbose", action="store_true",
                        help="after the summary line, show the time each stage took and what it did")


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="folder of Markdown pages (default: content)")
    parser.add_argument("--config", type=Path, default=Path("site_config.yaml"), metavar="FILE",
                        help="site configuration (default: site_config.yaml)")
    parser.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--static", type=Path, default=Path("static"), metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", metavar="URL", help="address the site is published at (overrides base_url)")
    parser.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected errors")


def main(argv: list[str] | None = None) -> int:
    """Run the command; its exit status."""
    sys.stdout, sys.stderr = TerminalStream(sys.stdout), TerminalStream(sys.stderr)
    return run_command(make_parser().parse_args(with_default_command(sys.argv[1:] if argv is None else argv)))


class TerminalStream:
    """A text stream that writes control characters as text (see terminal_safe): every line the
    commands print, preview log lines included, quotes editors' text, which must not drive the
    terminal or CI log that shows it."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def run_command(args: argparse.Namespace) -> int:
    try:
        return COMMAND_RUNNERS[args.command](args)
    except BrokenPipeError:
        # The reader of our output stopped early (`build.py --format json | head`): their choice, not
        # a bug. Point stdout at nothing so Python's exit flush does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug in the engine, not an editor's mistake
        if getattr(args, "debug", False):
            raise
        print(f"Unexpected error: {type(exc).__name__}: {exc}\n"
              "This is a bug in the site builder, not in your content. "
              "Run again with --debug and report the output.", file=sys.stderr)
        return 2


def options_from(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(content_dir=args.content, output_dir=getattr(args, "output", Path("output")),
                        config_path=args.config, templates_dir=args.templates, static_dir=args.static,
                        base_url=args.base_url, drafts=args.drafts,
                        cache_dir=None if getattr(args, "no_cache", False) else BUILD_CACHE_DIR)


def print_errors(errors: list[ContentError]) -> None:
    for error in errors:
        print(error, file=sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    options = options_from(args)
    try:
        result = build(options)
    except BuildFailed as failed:
        print_errors(failed.errors)
        count = len(failed.errors)
        print(f"Build failed: {count} problem{'s' if count != 1 else ''} to fix. "
              f"{options.output_dir.as_posix()}/ was not changed.", file=sys.stderr)
        if args.format == "json":
            import json

            print(json.dumps({"errors": [asdict(error) for error in failed.errors]}, indent=2))
        return 1
    # Hashing the output reads every file back, so it is done only when a manifest is asked for.
    if args.format == "json":
        print(build_manifest_json(result, manifest(result.output_dir)))
    else:
        print(f"Built {result.pages} pages ({result.files} files) in {result.seconds:.2f} s → "
              f"{result.output_dir.as_posix()}/")
        if args.verbose:
            print(stage_report(result))
        if args.manifest:
            for file in manifest(result.output_dir):
                print(f"{file.size:>10}  {file.sha256}  {file.path}")
    return 0


def stage_report(result: BuildResult) -> str:
    """One line per stage: its time and what it did, so a slow build shows where the time goes."""
    counts = result.counts
    done = {
        "load": f"{counts.get('pages', 0)} pages",
        "plan": f"{counts.get('remade', 0)} files to make, {counts.get('kept', 0)} unchanged",
        "render": f"{counts.get('converted', 0)} pages converted, the rest taken from the cache",
        "search": (f"{counts['indexed']} pages indexed for search" if "indexed" in counts
                   else "search index taken from the cache"),
        "check": "output/ holds exactly the site's files",
    }
    lines = [f"  {name:<9}{seconds:>7.3f} s  {done.get(name, '')}".rstrip() for name, seconds in result.stages.items()]
    if "write" not in result.stages:
        lines.append(f"  {'write':<9}{0:>7.3f} s  nothing changed, so nothing was written")
    return "\n".join(lines + [f"  {note}" for note in speed_ups_off()])


def speed_ups_off() -> list[str]:
    """A line for each speed-up left out because it reaches into a package's private parts, and the
    installed version is not one it was proven on or lacks a name it uses: the same site, made more slowly."""
    from iopguide.markup.speedups import PLAIN
    from iopguide.render.templates import PARSED_AGAIN

    return [note for note in (PLAIN, PARSED_AGAIN) if note]


def run_clean(args: argparse.Namespace) -> int:
    freed = remove_cache(CACHE_DIR)
    print(f"Deleted {CACHE_DIR.as_posix()}/ ({freed / 1e6:.1f} MB)." if freed else f"No {CACHE_DIR.as_posix()}/ to delete.")
    return 0


def build_manifest_json(result: BuildResult, files: list[PublishedFile]) -> str:
    """What CI keeps or compares between builds: every published file with its size and sha256."""
    import json  # here, not at the top: only JSON output needs it, and every command loads this module

    return json.dumps({"output": result.output_dir.as_posix(), "pages": result.pages,
                       "seconds": round(result.seconds, 3), "bytes": sum(file.size for file in files),
                       "files": [asdict(file) for file in files]}, indent=2)


def run_check(args: argparse.Namespace) -> int:
    from iopguide.commands.check import check_site

    report = check_site(options_from(args), dt.date.today())
    print(report.to_json() if args.format == "json" else report.to_text())
    return 1 if report.failed(args.strict) else 0


def run_new(args: argparse.Namespace) -> int:
    try:
        if args.of and not args.lang:
            raise ContentError("--of", None, "--of names the page a translation translates, so it needs --lang",
                               f'add the language, like: build.py new "Título" --lang es --of {args.of}')
        folder = args.content / language_folder(args.config, args.lang) if args.lang else args.content
        path = create_page(folder, args.title, dt.date.today(), args.content / args.of if args.of else None)
    except ContentError as error:
        print_errors([error])
        return 1
    except BuildFailed as failed:
        print_errors(failed.errors)
        return 1
    print(f"Created {display_path(path)} as a draft. Write it, then remove 'draft: true' to publish it.")
    if args.of:
        print(f"It translates {display_path(args.content / args.of)}: the language switcher and hreflang links pair them.")
    return 0


def language_folder(config_path: Path, code: str) -> str:
    """The folder below content/ for `new --lang CODE`, once CODE is one of the config's other languages."""
    from iopguide.source.config import load_config

    codes = load_config(config_path).codes[1:]
    if code not in codes:
        raise ContentError("--lang", None, f"'{code}' is not one of the site's other languages",
                           f"choose one of: {', '.join(codes)}" if codes else
                           "add the language under other_languages: in the config first (docs/translating.md)")
    return code


def run_serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from iopguide.commands.serve import serve

    options = replace(options_from(args), output_dir=PREVIEW_DIR, drafts=True,
                      base_url=args.base_url or f"http://{args.host}:{args.port}/")
    try:
        serve(options, args.host, args.port)
    except KeyboardInterrupt:
        print("\nStopped.")
    except OSError as error:
        print(f"serve: could not listen on {args.host}:{args.port}: {error.strerror} — "
              f"choose another port with --port", file=sys.stderr)
        return 1
    return 0


COMMAND_RUNNERS = {"build": run_build, "check": run_check, "serve": run_serve, "new": run_new, "clean": run_clean}
