#!/usr/bin/env python3
"""Build the IOP Guide website. Run `python build.py --help` for the commands."""
import sys

from iopguide.commands.cli import main

if __name__ == "__main__":
    sys.exit(main())
