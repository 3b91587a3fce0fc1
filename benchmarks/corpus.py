"""A benchmark site: the shared generator's corpus with the project's templates, static files and config."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "make_corpus.py"


def make_site(folder: Path, pages: int) -> Path:
    """Write a site of `pages` generated pages into `folder`; the first page, which the menus name."""
    subprocess.run([sys.executable, str(GENERATOR), str(pages), str(folder / "content")], check=True,
                   stdout=subprocess.DEVNULL)
    first = sorted((folder / "content").rglob("*.md"))[0].relative_to(folder / "content").as_posix()
    config = (ROOT / "site_config.yaml").read_text()
    config = re.sub(r"navigation:\n(  - .*\n)+", f"navigation:\n  - {first}\n", config)
    config = re.sub(r"help_page: .*", f"help_page: {first}", config)
    config = re.sub(r"editorial_policy: \S+\.md", f"editorial_policy: {first}", config)
    config = re.sub(r"  links:\n(    - .*\n)+", "  links: []\n", config)
    (folder / "site_config.yaml").write_text(config)
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copytree(ROOT / "static", folder / "static")
    return folder / "content" / first
