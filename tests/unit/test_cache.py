"""The build cache's own parts: what an earlier build worked out is reused only while it provably holds,
and a cache index this user's builds did not write, or cannot read, counts as no cache at all."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from iopguide.build.cache import INDEX_FILE, BuildCache, CacheIndex, ConversionRecord, Recorded, engine_version, recording
from iopguide.fingerprints import Memo
from iopguide.model import LinkTargets
from iopguide.signing import signed


def test_a_memo_answers_from_the_earlier_build_and_keeps_only_what_this_build_used() -> None:
    earlier = {"config": "parsed config", "old page": "parsed old page"}
    kept: dict[str, str] = {}
    memo = Memo(earlier, kept)
    assert memo.get("config") == "parsed config"
    assert memo.get("new page") is None
    memo.put("new page", "parsed new page")
    assert kept == {"config": "parsed config", "new page": "parsed new page"}


def test_recorded_lookups_note_each_question_and_its_answer() -> None:
    answers: dict = {}
    pages = Recorded("pages", {"faq.md": "faq/"}, answers)
    drafts = Recorded("drafts", {"draft.md"}, answers)
    assert pages["faq.md"] == "faq/"
    assert "gone.md" not in pages
    assert "draft.md" in drafts
    with pytest.raises(KeyError):
        pages["gone.md"]
    assert answers == {("pages", "faq.md"): "faq/", ("pages", "gone.md"): None, ("drafts", "draft.md"): True}


def test_a_conversion_holds_while_every_answer_it_was_given_is_still_the_same() -> None:
    answers: dict = {}
    targets = LinkTargets({"faq.md": "faq/"}, {})
    asked = recording(targets, answers)
    _ = asked.pages["faq.md"]
    _ = "faq.md" in asked.drafts
    record = ConversionRecord.of("key", answers, None)
    assert record.still_holds(targets)
    assert record.still_holds(LinkTargets({"faq.md": "faq/", "new.md": "new/"}, {}))  # never asked about
    assert not record.still_holds(LinkTargets({"faq.md": "questions/"}, {}))  # its address changed
    assert not record.still_holds(LinkTargets({"faq.md": "faq/"}, {}, drafts=frozenset({"faq.md"})))  # now a draft


def test_a_conversion_that_listed_every_page_never_holds() -> None:
    """Listing every page is what "did you mean …?" does for a broken link: such a page is converted again."""
    answers: dict = {}
    targets = LinkTargets({"faq.md": "faq/"}, {})
    list(recording(targets, answers).pages)
    assert not ConversionRecord.of("key", answers, None).still_holds(targets)


def index_file(engine: str | None = None) -> bytes:
    """A pickled cache index as a build writes it, unsigned, made by this engine unless another is named."""
    index = CacheIndex(engine or engine_version(), partial_keys={"home.html": "a key"}, written="an id")
    return pickle.dumps(index)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder holding one build's index, in a project that is not a git repository."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / INDEX_FILE).write_bytes(signed(index_file()))
    return tmp_path / ".cache"


def test_a_signed_index_of_this_engine_is_used(folder: Path) -> None:
    assert BuildCache(folder).previous.partial_keys == {"home.html": "a key"}


def test_what_one_build_saves_the_next_one_reads(folder: Path) -> None:
    cache = BuildCache(folder)
    cache.index.partial_keys["page.html"] = "another key"
    cache.save()
    assert BuildCache(folder).previous.partial_keys == {"page.html": "another key"}


def unsigned(path: Path) -> None:
    path.write_bytes(index_file())


def cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-10])


def signed_but_unreadable(path: Path) -> None:
    path.write_bytes(signed(b"not a pickle"))


def from_another_engine(path: Path) -> None:
    path.write_bytes(signed(index_file("an older engine")))


@pytest.mark.parametrize("damage", [unsigned, cut_short, signed_but_unreadable, from_another_engine, Path.unlink])
def test_an_index_that_cannot_be_trusted_or_read_is_an_empty_cache(folder: Path, damage) -> None:
    damage(folder / INDEX_FILE)
    cache = BuildCache(folder)
    assert cache.previous.partial_keys == {}
    assert cache.previous.conversions == cache.previous.outputs == {}


def test_an_unsigned_index_empties_the_folder_so_nothing_in_it_is_used(folder: Path) -> None:
    (folder / "converted").mkdir()
    (folder / "converted" / "planted.pack").write_bytes(b"anything")
    unsigned(folder / INDEX_FILE)
    BuildCache(folder)
    assert list(folder.iterdir()) == []
