"""Layout 2 of a generation folder: what it stores at write time equals what opening a layout-1
folder computes (the reference), an old folder is read correctly and rewritten by the next
ingest without embedding, and rows and vectors are read from disk by row."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, corpus_without_rag_env

from rag.answering.retrieval import SentenceRows
from rag.config import load_settings
from rag.index.bm25 import BM25Index
from rag.index.ingest import ingest
from rag.index.rows import READ_AHEAD_BYTES, StoredArray, read_ahead
from rag.index.store import LAYOUT_2_FILES, LAYOUT_VERSION, ROW_FILES, Generation, IndexDir
from rag.lexical import terms
from rag.locations import shown_title, shown_titles
from rag.service import RagService

# A copy of one passage's text under another name: near-duplicates and shared terms across files.
FILES = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN, "kopia.txt": STRATEGI.replace("Strategi för AI", "Kopia")}
QUESTIONS = ("Vem beslutar om strategin?", "Hur kan små kommuner dela på kompetens?",
             "What does the data protection regulation require?", "Vad kostar en konsekvensbedömning?")


class CountingEmbedder(HashEmbedder):
    """FAKE: the hash embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed_documents(self, texts):
        self.texts += len(texts)
        return super().embed_documents(texts)


def to_layout_1(folder: Path) -> None:
    """Make ``folder`` what the code before layout 2 wrote: no layout-2 files, no layout in the manifest."""
    for name in LAYOUT_2_FILES:
        (folder / name).unlink()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["layout"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """(settings of a layout-2 index, settings of a copy of it turned into layout 1)."""
    root = tmp_path_factory.mktemp("layout")
    with corpus_without_rag_env(root, FILES) as corpus:
        new = load_settings(index_dir=root / "index", corpus_dir=corpus)
        ingest(new, embedder=HashEmbedder(), progress=False)
        shutil.copytree(root / "index", root / "old-index")
        old = load_settings(index_dir=root / "old-index", corpus_dir=corpus)
        to_layout_1(IndexDir(old.index_dir).current())
        yield new, old


def test_stored_rows_lookups_and_terms_equal_what_layout_1_computes(indexes):
    new = IndexDir(indexes[0].index_dir).open_current()
    old = IndexDir(indexes[1].index_dir).open_current()

    assert (new.manifest.layout, old.manifest.layout) == (LAYOUT_VERSION, 1)
    assert isinstance(old.passages, list) and len(old.passages) == 5 and len(old.sentences) == 10
    assert list(new.passages) == old.passages and [new.passages[i] for i in range(5)] == old.passages
    assert new.passages[-1] == old.passages[-1] and new.passages[2:5] == old.passages[2:5]
    assert list(new.sentences) == old.sentences and [new.sentences[i] for i in range(10)] == old.sentences
    assert dict(new.index_of) == old.index_of
    assert {k: new.by_id[k] for k in new.by_id} == old.by_id
    assert dict(new.sentences_of) == old.sentences_of and len(new.sentences_of) == len(old.sentences_of)
    # The reference: each row's terms as rag.lexical.terms gives them, and the passages using each.
    assert list(new.passage_terms) == [frozenset(terms(p.text)) for p in old.passages] == old.passage_terms
    assert list(new.sentence_terms) == [frozenset(terms(s.text)) for s in old.sentences] == old.sentence_terms
    counts: dict[str, int] = {}
    for p in old.passages:
        for t in set(terms(p.text)):
            counts[t] = counts.get(t, 0) + 1
    assert new.term_frequencies == old.term_frequencies == counts
    assert counts["kommun"] == 5 and new.vocabulary == frozenset(counts)
    assert new.places.sources == old.places.sources == ["kopia.txt", "samverkan.txt", "strategi.txt"]
    assert new.places.sections == old.places.sections
    assert new.places.section_of.tolist() == old.places.section_of.tolist()


def test_sentence_rows_equal_the_per_passage_lists_they_replace(indexes):
    generation = IndexDir(indexes[0].index_dir).open_current()
    rows = SentenceRows.of(generation)
    # How SentenceRows was built before layout 2: a list of rows per passage, concatenated.
    per_passage = [generation.sentences_of.get(p.id, []) for p in generation.passages]

    assert rows.count.tolist() == [len(r) for r in per_passage]
    assert rows.rows.tolist() == [r for rs in per_passage for r in rs] == list(range(10))
    assert rows.first.tolist() == (np.cumsum(rows.count) - rows.count).tolist()


def test_a_layout_1_index_answers_exactly_as_its_layout_2_copy(indexes):
    new = RagService(indexes[0], embedder=HashEmbedder()).warm_up()
    old = RagService(indexes[1], embedder=HashEmbedder()).warm_up()

    for question in QUESTIONS:
        a, b = new.ask(question), old.ask(question)
        assert [(h.passage.id, h.score, h.dense_rank, h.bm25_rank) for h in a.hits] == \
               [(h.passage.id, h.score, h.dense_rank, h.bm25_rank) for h in b.hits]
        assert (a.text, a.citations, a.decision) == (b.text, b.citations, b.decision)
    assert new.sections() == old.sections() and new.stats().documents == old.stats().documents == 3
    assert new.search("kompetens", source="samverkan.txt")[0].passage.source == "samverkan.txt"
    cited = new.ask(QUESTIONS[0]).hits[0].passage.id
    assert new.passage_view(cited) == old.passage_view(cited)


def test_the_next_ingest_rewrites_a_layout_1_index_in_layout_2_embedding_nothing(indexes, tmp_path):
    shutil.copytree(indexes[1].index_dir, tmp_path / "index")
    settings = load_settings(index_dir=tmp_path / "index", corpus_dir=indexes[1].corpus_dir)
    before = IndexDir(settings.index_dir).open_current()
    embedder, told = CountingEmbedder(), []

    report = ingest(settings, embedder=embedder, progress=False, notify=told.append)
    after = IndexDir(settings.index_dir).open_current()

    assert embedder.texts == 0 and report.embedded == 0 and not report.up_to_date
    assert told == ["index generation {} has layout 1: writing it again in layout 2 (nothing is embedded)".format(
        before.name)]
    assert after.name != before.name and after.manifest.layout == LAYOUT_VERSION
    assert list(after.passages) == before.passages and list(after.sentences) == before.sentences
    assert np.array_equal(np.asarray(after.vectors), np.asarray(before.vectors))
    assert ingest(settings, embedder=embedder, progress=False).up_to_date  # once rewritten, left alone


def test_stored_arrays_read_rows_from_disk_and_cannot_be_written(tmp_path):
    values = np.arange(60, dtype=np.float32).reshape(12, 5) / 7
    np.save(tmp_path / "v.npy", values)
    stored = StoredArray(tmp_path / "v.npy")

    assert stored.shape == (12, 5) and len(stored) == 12 and stored.dtype == np.float32
    assert np.array_equal(stored[3], values[3]) and np.array_equal(stored[-1], values[-1])
    assert np.array_equal(stored[2:9:3], values[2:9:3]) and stored[5:2].shape == (0, 5)
    assert np.array_equal(stored[[7, 0, 7, -2]], values[[7, 0, 7, -2]])
    runs = [2, 3, 4, 9, 10, 0, 1, 2, 11, 5]  # runs of consecutive rows are read at once
    assert np.array_equal(stored[runs], values[runs]) and np.array_equal(stored[np.array(runs)], values[runs])
    assert np.array_equal(stored[np.array([], dtype=np.int64)], values[[]])
    assert np.array_equal(np.asarray(stored), values) and np.array_equal(stored.astype(np.float64), values)
    with pytest.raises(IndexError):
        stored[12]
    with pytest.raises(IndexError):
        stored[[0, 12]]
    with pytest.raises(ValueError):
        stored[3][0] = 1.0  # a row is the file's bytes, not a copy to change
    with pytest.raises(ValueError):
        np.asarray(stored)[0, 0] = 1.0



def test_stored_rows_are_read_once_each_with_one_system_call_per_run_of_consecutive_rows(tmp_path, monkeypatch):
    values = np.arange(30, dtype=np.float32).reshape(10, 3) / 7
    np.save(tmp_path / "v.npy", values)
    stored = StoredArray(tmp_path / "v.npy")
    reads: list[tuple[int, int]] = []  # (first row, rows) of each system call
    preadv = os.preadv

    def counting(fd, buffers, offset):
        reads.append(((offset - stored.offset) // stored.row_bytes, sum(map(len, buffers)) // stored.row_bytes))
        return preadv(fd, buffers, offset)

    monkeypatch.setattr(os, "preadv", counting)

    assert stored[[7, 2, 3, 3, 4, -1, 8]].tolist() == np.load(tmp_path / "v.npy")[[7, 2, 3, 3, 4, -1, 8]].tolist()
    assert reads == [(2, 3), (7, 3)]  # rows 2-4 and 7-9, each once, in file order
    reads.clear()
    assert stored[np.array([0, 1, 5])].tolist() == values[[0, 1, 5]].tolist() and reads == [(0, 2), (5, 1)]


def test_a_vector_file_cut_short_after_it_was_opened_is_an_error_naming_it(tmp_path):
    values = np.arange(30, dtype=np.float32).reshape(10, 3)
    np.save(tmp_path / "v.npy", values)
    stored = StoredArray(tmp_path / "v.npy")
    os.truncate(tmp_path / "v.npy", stored.offset + 4 * stored.row_bytes)

    assert stored[[0, 3]].tolist() == values[[0, 3]].tolist()
    with pytest.raises(OSError, match=r"v\.npy: read 0 of 12 bytes at row 6"):
        stored[[0, 6]]


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="read-ahead advice is Linux's")
def test_opening_a_generation_asks_the_kernel_to_read_its_row_files_ahead(indexes, tmp_path, monkeypatch):
    advised: list[tuple[threading.Thread, str, int, int]] = []

    def recording(fd, offset, length, advice):  # FAKE: records the advice, reads nothing
        assert advice == os.POSIX_FADV_WILLNEED
        name = Path(os.readlink("/proc/self/fd/{}".format(fd))).name
        advised.append((threading.current_thread(), name, offset, length))

    def by(thread: threading.Thread) -> list[tuple[str, int, int]]:
        thread.join(timeout=30)  # other tests' generations may still be advising in their threads
        return [advice[1:] for advice in advised if advice[0] is thread]

    monkeypatch.setattr(os, "posix_fadvise", recording)
    generation = IndexDir(indexes[0].index_dir).open_current()

    assert by(generation.reading_ahead) == [(name, 0, READ_AHEAD_BYTES) for name in ROW_FILES]
    (tmp_path / "big.npy").write_bytes(b"\0" * (2 * READ_AHEAD_BYTES + 1))
    thread = read_ahead([tmp_path / "gone.npy", tmp_path / "big.npy"])
    assert by(thread) == [("big.npy", offset, READ_AHEAD_BYTES) for offset in (0, READ_AHEAD_BYTES, 2 * READ_AHEAD_BYTES)]

def test_rows_terms_and_vectors_stay_readable_when_the_folder_is_removed(indexes, tmp_path):
    """A replica keeps answering from a generation an ingest has since pruned."""
    shutil.copytree(indexes[0].index_dir, tmp_path / "index")
    generation = IndexDir(tmp_path / "index").open_current()
    expected = (list(generation.passages), list(generation.sentences), np.asarray(generation.sentence_vectors))

    shutil.rmtree(tmp_path / "index")

    assert list(generation.passages) == expected[0] and generation.sentences[4] == expected[1][4]
    assert np.array_equal(generation.sentence_vectors[[4, 1]], expected[2][[4, 1]])
    assert generation.sentence_terms[4] == frozenset(terms(expected[1][4].text))


def test_mapped_bm25_scores_equal_those_read_into_memory(indexes):
    import bm25s

    folder = IndexDir(indexes[0].index_dir).current() / "bm25"
    mapped = BM25Index.load(folder)
    read = BM25Index(bm25s.BM25.load(str(folder), show_progress=False), mapped.size)

    assert isinstance(mapped.retriever.scores["data"], np.memmap)
    for question in QUESTIONS:
        assert mapped.scores(question).tolist() == read.scores(question).tolist()
    assert mapped.scores("kompetens").max() > 0


def test_titles_of_all_files_at_once_equal_each_files_own_title():
    files = {
        "rapport.txt": {"title": "Från insikt till handling", "curated": True},
        "kopia.md": {"title": "Fran insikt till handling!"},  # a look-alike carries its file name
        "annan/plan.pdf": {"title": "Handlingsplan för AI"},
        "utan-titel.txt": {},
    }
    expected = {"rapport.txt": "Från insikt till handling", "kopia.md": "Fran insikt till handling! (kopia.md)",
                "annan/plan.pdf": "Handlingsplan för AI", "utan-titel.txt": None}

    assert shown_titles(files) == {source: shown_title(files, source) for source in files} == expected


def test_a_row_file_changed_after_it_was_written_is_refused_naming_it(indexes, tmp_path):
    shutil.copytree(indexes[0].index_dir, tmp_path / "index")
    folder = IndexDir(tmp_path / "index").current()
    rows = (folder / "passages.jsonl").read_text(encoding="utf-8")
    (folder / "passages.jsonl").write_text(rows.replace("Kommunen", "Kommun"), encoding="utf-8")

    with pytest.raises(ValueError, match=r"passages\.jsonl has \d+ bytes but was written with \d+: .*rag ingest"):
        IndexDir(tmp_path / "index").open_current()


def test_a_dropped_generation_closes_its_files_at_once(indexes):
    """No reference cycle keeps a superseded generation's open files until the garbage collector runs."""
    import gc
    import os

    gc.disable()
    try:
        before = len(os.listdir("/proc/self/fd"))
        generation = IndexDir(indexes[0].index_dir).open_current()
        generation.reading_ahead.join(timeout=30)  # it opens each file for a moment, by path
        generation.passages[0], generation.sentences[3], generation.sentence_terms[2], generation.vectors[1]
        assert len(os.listdir("/proc/self/fd")) == before + 6  # two row files, two vector files, two term files
        del generation
        assert len(os.listdir("/proc/self/fd")) == before
    finally:
        gc.enable()
