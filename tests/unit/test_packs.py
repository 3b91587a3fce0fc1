"""The cache's pack files: a converted page is read back exactly as written, or not at all."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from iopguide.build.cache import ConversionRecord
from iopguide.build.packs import MAX_PACKS, PackWriter, Stored, load, tidy

PAGE = {"html": "<p>Call 988 — any time.</p>", "headings": [("what-to-do", "What to do")]}


def store(folder: Path, *pages: object) -> list[Stored]:
    """`pages` written to one new pack, as one build process writes them."""
    writer = PackWriter(folder)
    try:
        return [writer.store(page) for page in pages]
    finally:
        writer.close()


def test_what_is_written_is_read_back(tmp_path: Path) -> None:
    first, second = store(tmp_path, PAGE, "<p>second</p>")
    assert first.pack == second.pack
    assert load(tmp_path, first) == PAGE
    assert load(tmp_path, second) == "<p>second</p>"


def test_without_a_cache_folder_nothing_is_kept_or_read(tmp_path: Path) -> None:
    assert PackWriter(None).store(PAGE) is None
    assert load(None, Stored("any.pack", 0, 1, "")) is None
    assert load(tmp_path, None) is None


def cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


def change_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


def replace_by_a_link_to_a_copy(path: Path) -> None:
    copy = path.with_name("copy")
    path.rename(copy)
    path.symlink_to(copy)


@pytest.mark.parametrize("damage", [cut_short, change_a_byte, Path.unlink, replace_by_a_link_to_a_copy])
def test_a_damaged_or_missing_pack_is_refused_not_loaded(tmp_path: Path, damage) -> None:
    [stored] = store(tmp_path, PAGE)
    damage(tmp_path / stored.pack)
    assert load(tmp_path, stored) is None


def test_bytes_signed_by_another_key_are_refused(tmp_path: Path) -> None:
    [stored] = store(tmp_path, PAGE)
    assert load(tmp_path, stored._replace(checksum="0" * len(stored.checksum))) is None


def records(stored: list[Stored]) -> dict[str, ConversionRecord]:
    return {f"page-{index}.md": ConversionRecord.of(f"key-{index}", {}, where) for index, where in enumerate(stored)}


def test_tidy_deletes_the_packs_no_page_points_into(tmp_path: Path) -> None:
    [kept] = store(tmp_path, PAGE)
    store(tmp_path, "<p>an old version</p>")
    conversions = records([kept])
    tidy(tmp_path, conversions)
    assert os.listdir(tmp_path) == [kept.pack]
    assert load(tmp_path, conversions["page-0.md"].stored) == PAGE


def test_tidy_keeps_at_most_max_packs_and_every_page_still_reads_back(tmp_path: Path) -> None:
    stored = [where for index in range(MAX_PACKS + 5) for where in store(tmp_path, f"<p>page {index}</p>")]
    conversions = records(stored)
    tidy(tmp_path, conversions)
    assert len(os.listdir(tmp_path)) <= MAX_PACKS
    assert [load(tmp_path, record.stored) for record in conversions.values()] == [
        f"<p>page {index}</p>" for index in range(MAX_PACKS + 5)]


def test_tidy_moves_live_pages_out_of_a_mostly_dead_pack_and_forgets_a_damaged_one(tmp_path: Path) -> None:
    stored = store(tmp_path, *[f"<p>page {index}</p>" for index in range(5)])
    conversions = records(stored[:2])  # pages 2 to 4 were edited since: their bytes are dead space
    pack = tmp_path / stored[0].pack
    with open(pack, "r+b") as handle:  # page 1's bytes changed on disk
        handle.seek(stored[1].offset + 1)
        handle.write(b"\xff")
    tidy(tmp_path, conversions)
    assert list(conversions) == ["page-0.md"]  # page 1 is converted again by the next build
    assert not pack.exists()
    assert load(tmp_path, conversions["page-0.md"].stored) == "<p>page 0</p>"
