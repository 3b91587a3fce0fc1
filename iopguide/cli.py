"""The command line: parse arguments, call the engine, print mistakes as path:line messages."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .builder import BuildOptions, build
from .errors import BuildFailed


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build the IOP Guide website from content/ into output/.",
        epilog="With no command, build.py builds: 'python build.py --drafts' is 'python build.py build --drafts'.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_build_options(commands.add_parser("build", help="build the site (the default command)",
                                          description="Build the site into the output folder."))
    return parser


COMMANDS = ("build",)


def with_default_command(argv: list[str]) -> list[str]:
    """`build.py` and `build.py --drafts` mean `build.py build …`; help stays the top-level help."""
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        return ["build", *argv]
    return argv


def add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="folder of Markdown pages (default: content)")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="folder to write the site to (default: output)")
    parser.add_argument("--config", type=Path, default=Path("site_config.yaml"), metavar="FILE",
                        help="site configuration (default: site_config.yaml)")
    parser.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--static", type=Path, default=Path("static"), metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", metavar="URL", help="address the site is published at (overrides base_url)")
    parser.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected errors")


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(with_default_command(sys.argv[1:] if argv is None else argv))
    options = BuildOptions(content_dir=args.content, output_dir=args.output, config_path=args.config,
                           templates_dir=args.templates, static_dir=args.static, base_url=args.base_url,
                           drafts=args.drafts)
    try:
        result = build(options)
    except BuildFailed as failed:
        for error in failed.errors:
            print(error, file=sys.stderr)
        count = len(failed.errors)
        print(f"Build failed: {count} problem{'s' if count != 1 else ''} to fix. "
              f"{options.output_dir.as_posix()}/ was not changed.", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug in the engine, not an editor's mistake
        if args.debug:
            raise
        print(f"Unexpected error: {type(exc).__name__}: {exc}\n"
              "This is a bug in the site builder, not in your content. "
              "Run again with --debug and report the output.", file=sys.stderr)
        return 2
    print(f"Built {result.pages} pages ({result.files} files) in {result.seconds:.2f} s → "
          f"{result.output_dir.as_posix()}/")
    return 0
