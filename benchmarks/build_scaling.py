#!/usr/bin/env python3
"""How the build scales: cold, warm and one-edit builds at 100, 1,000 and 10,000 pages, beside the
floor (a bare Python-Markdown + Jinja2 loop) and, with --peers, Hugo, Eleventy, Pelican and MkDocs.
Prints a table; asserts nothing.

    .venv/bin/python benchmarks/build_scaling.py [--sizes 100 1000 10000] [--repeat 3] [--peers] [--scratch DIR]

Every number comes from this one run, so ratios compare like with like on a shared machine. The
floors and the cold build take turns, --repeat times, and each keeps its fastest run: on a shared
machine a slow run measures the neighbours, not the build. Each round's own cold ÷ floor ratio is
printed too, with its median: the cold build runs right after the default floor. CPU seconds (user
and system, with the worker processes) are shown beside wall seconds, as they depend much less on
the neighbours.
- floor: benchmarks/bare_loop.py with 2 processes — default Markdown (what `markdown.markdown()`
  does), and Python-Markdown's own extensions for what the site's pages contain ("site md": tables,
  footnotes, contents ids … and smarty for the typography the site makes with its own faster pass);
- cold: `build.py` with no cache (no .cache/ folder) and no output folder;
- warm: `build.py` again, nothing changed;
- one edit: a sentence added to one page, then `build.py` (the median of three edits);
- peers: one clean build each of the same corpus, with its own default Markdown (benchmarks/peers.py
  installs them into the scratch folder, never into the project).
Peak RSS is the largest single process of the build (workers are forked and share their memory).
Child processes are run without PYTHONDONTWRITEBYTECODE, as on an editor's machine.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import ROOT, make_site

PYTHON = sys.executable
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Timing:
    seconds: float
    peak_mb: float
    cpu_seconds: float = float("nan")


def timed(command: list[str], cwd: Path) -> Timing:
    """Wall time, CPU time and the peak RSS of the biggest process in the run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    process.stderr.close()
    process.returncode = 0
    return Timing(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def our_build(site: Path) -> Timing:
    return timed([PYTHON, str(ROOT / "build.py")], site)


def set_aside(path: Path, trash: Path) -> None:
    """Move an earlier run's files out of the way, to be deleted once the size is measured.

    Deleting them just before a build would slow that build down for the harness's sake: for a
    minute or more, ext4 skips the inodes it freed when it makes new files, one by one. perf showed
    15 % of a 10,000-page cold build's time in the kernel that way (recently_deleted, find_inode_bit),
    against 4 % when the earlier site had been moved aside instead.
    """
    if path.exists():
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")


def set_aside_folder(folder: Path) -> Path:
    """Where the runs in `folder` set their earlier files aside (on the same disk, so moving is a rename)."""
    return folder.with_name(f"{folder.name}-set-aside")


def floor(site: Path, markdown: str) -> Timing:
    set_aside(site / "bare-output", set_aside_folder(site))
    return timed([PYTHON, str(ROOT / "benchmarks" / "bare_loop.py"), "content", "bare-output", "--processes", "2",
                  "--markdown", markdown], site)


def cold_build(site: Path) -> Timing:
    set_aside(site / "output", set_aside_folder(site))
    set_aside(site / ".cache", set_aside_folder(site))
    return our_build(site)


def fastest(runs: list[Timing]) -> Timing:
    return min(runs, key=lambda timing: timing.seconds)


def one_edit(site: Path, page: Path, number: int) -> Timing:
    text = page.read_text()
    page.write_text(text.replace("\n\n", f"\n\nAn edit for the benchmark, number {number}.\n\n", 1))
    return our_build(site)


def measure_size(pages: int, scratch: Path, peers: list,
                 repeat: int) -> tuple[list[tuple[str, Timing]], list[float]]:
    site = scratch / f"site-{pages}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(set_aside_folder(site), ignore_errors=True)
    site.mkdir(parents=True)
    make_site(site, pages)
    files = sorted((site / "content").rglob("*.md"))
    edited = files[len(files) // 2]  # not the first page, which every page's menus show
    runs: dict[str, list[Timing]] = {"default": [], "site": [], "cold": []}
    for _ in range(repeat):
        # the cold build right after the floor it is compared with, so both meet the machine alike
        runs["default"].append(floor(site, "default"))
        runs["cold"].append(cold_build(site))
        runs["site"].append(floor(site, "site"))
    shutil.rmtree(site / "bare-output")
    rows = [("floor: bare loop, default Markdown", fastest(runs["default"])),
            ("floor: bare loop, the site's Markdown", fastest(runs["site"])),
            ("ours: cold (no cache)", fastest(runs["cold"])),
            ("ours: warm (nothing changed)", fastest([our_build(site) for _ in range(3)]))]
    edits = [one_edit(site, edited, number) for number in range(3)]
    rows.append(("ours: one page edited", sorted(edits, key=lambda t: t.seconds)[1]))
    for peer in peers:
        rows.append((peer.name, time_peer(peer, site / "content", scratch / f"peer-{pages}")))
    shutil.rmtree(site)
    shutil.rmtree(set_aside_folder(site), ignore_errors=True)
    rounds = [cold.seconds / default.seconds for cold, default in zip(runs["cold"], runs["default"])]
    return rows, rounds


def time_peer(tool, corpus: Path, workdir: Path) -> Timing:
    from peers import prepare

    peer = prepare(tool, corpus, workdir)
    peer.clean()
    subprocess.run(peer.command, cwd=peer.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    for folder in (peer.output, *peer.caches):  # the first run warmed the disk cache and the tool's start-up files
        set_aside(folder, set_aside_folder(workdir))
    timing = timed(peer.command, peer.workdir)
    built = peer.pages_built()
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.rmtree(set_aside_folder(workdir), ignore_errors=True)
    return timing if built else Timing(float("nan"), 0)


def print_table(pages: int, rows: list[tuple[str, Timing]], rounds: list[float]) -> None:
    floors = rows[0][1].seconds, rows[1][1].seconds
    print(f"\n{pages:,} pages")
    print(f"  {'build':<38} {'seconds':>8} {'pages/s':>8} {'× floor':>8} {'× floor':>8} {'CPU s':>7} {'peak RSS':>9}")
    print(f"  {'':<38} {'':>8} {'':>8} {'default':>8} {'site md':>8} {'':>7} {'':>9}")
    for name, timing in rows:
        print(f"  {name:<38} {timing.seconds:>8.2f} {pages / timing.seconds:>8,.0f} "
              f"{timing.seconds / floors[0]:>8.2f} {timing.seconds / floors[1]:>8.2f} {timing.cpu_seconds:>7.2f} "
              f"{timing.peak_mb:>7.0f} MB")
    # Each round's own ratio: the machine's speed drifts from minute to minute, and a floor and cold
    # build run back to back meet the same speed more often than the fastest of each do.
    print(f"  cold ÷ default floor, round by round: {' '.join(f'{ratio:.2f}' for ratio in rounds)}"
          f"   (median {statistics.median(rounds):.2f})")
    named = dict(rows)
    for peer in ("Hugo", "Eleventy", "Pelican", "MkDocs"):
        found = next((timing for name, timing in rows if name.startswith(peer)), None)
        if found:
            print(f"  warm ÷ {peer}: {named['ours: warm (nothing changed)'].seconds / found.seconds:.2f}   "
                  f"cold ÷ {peer}: {named['ours: cold (no cache)'].seconds / found.seconds:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--peers", action="store_true", help="also time Hugo, Eleventy, Pelican and MkDocs")
    parser.add_argument("--skip-peers-above", type=int, default=1000,
                        help="time the slow peers (Pelican, MkDocs) only up to this many pages (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floors and the cold build (the fastest counts)")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/iopguide-bench"))
    args = parser.parse_args()
    tools = []
    if args.peers:
        from peers import install_peers

        tools, notes = install_peers(args.scratch / "peers")
        for note in notes:
            print(note)
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; {time.strftime('%Y-%m-%d %H:%M')}")
    for pages in args.sizes:
        chosen = [tool for tool in tools if pages <= args.skip_peers_above or tool.name.split()[0] in ("Hugo", "Eleventy")]
        print_table(pages, *measure_size(pages, args.scratch, chosen, args.repeat))


if __name__ == "__main__":
    main()
