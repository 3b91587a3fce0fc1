#!/usr/bin/env python3
"""Build the IOP Guide website. Run `python build.py --help` for the commands."""
import os
import sys

from iopguide.commands.cli import main


def exit_now(code: int) -> None:
    """End the process without Python's teardown. By now the command has saved and closed everything it
    opened, and freeing a large build's objects one by one would take longer than writing a one-page
    change. Done here, at the outermost edge, so that code calling main() in-process gets its status back."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader stopped early (`build.py --format json | head`): their choice, not a bug
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
