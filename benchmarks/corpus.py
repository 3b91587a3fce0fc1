"""A benchmark site: the shared generator's corpus with the project's templates, static files and config."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "make_corpus.py"


def make_site(folder: Path, pages: int, translated: bool = False) -> Path:
    """Write a site of `pages` generated pages into `folder`; the first page, which the menus name.
    `translated`: the project's other languages too, each with a copy of every page in its folder
    (their text stays the generated English: what is measured is the engine's work, not the words)."""
    subprocess.run([sys.executable, str(GENERATOR), str(pages), str(folder / "content")], check=True,
                   stdout=subprocess.DEVNULL)
    first = sorted((folder / "content").rglob("*.md"))[0].relative_to(folder / "content").as_posix()
    config = (ROOT / "site_config.yaml").read_text()
    main, _, languages = config.partition("\nother_languages:\n")
    codes = re.findall(r"^  - code: (\S+)", languages, flags=re.MULTILINE)
    config = main if not translated else config
    for indent in ("", "  ", "    ")[:3 if translated else 1]:
        config = re.sub(rf"(?m)^{indent}navigation:\n({indent}  - .*\n)+", f"{indent}navigation:\n{indent}  - {first}\n", config)
        config = re.sub(rf"(?m)^{indent}  links:\n({indent}    - .*\n)+", f"{indent}  links: []\n", config)
    config = re.sub(r"help_page: .*", f"help_page: {first}", config)
    config = re.sub(r"(?m)^ *search_page: .*\n", "", config)  # the generated pages hold no search page
    config = re.sub(r"editorial_policy: \S+\.md", f"editorial_policy: {first}", config)
    (folder / "site_config.yaml").write_text(config)
    for code in codes if translated else ():
        generated = [path for path in (folder / "content").iterdir() if path.name not in codes]
        for path in generated:
            (shutil.copytree if path.is_dir() else shutil.copy2)(path, folder / "content" / code / path.name)
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copytree(ROOT / "static", folder / "static")
    return folder / "content" / first
