"""The web app's start-up: the service loads in the background and the status line says how far
a first ingest has come, then that it is ready, or why it failed. FAKE embedder throughout."""

from __future__ import annotations

import logging
import threading

import pytest

from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder

from rag.index.ingest import IngestTally
from rag.product.web.startup import Backend, ready_line
from rag.service import IndexStats


@pytest.fixture
def corpus_settings(settings):
    (settings.corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    (settings.corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    return settings


def test_first_start_ingests_and_counts_passages_and_sentences(corpus_settings, caplog):
    caplog.set_level(logging.INFO, logger="rag.product.web.startup")
    embedder = HashEmbedder()
    backend = Backend(corpus_settings, embedder=embedder).start()

    service = backend.service(timeout=120)

    text, ready, failed = backend.status()
    assert (text, ready, failed) == (
        "Redo · 3 avsnitt och 6 meningar ur 2 dokument · allt körs lokalt på den här datorn",
        True,
        False,
    )
    # The tally the ingest kept agrees with the index it built and with the embedder's work.
    assert (backend.tally.passages, backend.tally.sentences) == (3, 6)
    assert (backend.tally.passages_done, backend.tally.sentences_done) == (3, 6)
    assert embedder.texts_embedded == service.ingest_report.embedded == 9
    # The English dictionary is read before the app reports ready, not at the first question.
    assert service.queries.translator._index is not None
    # Console lines are INFO and English (a progress line every 10 s between these two);
    # the ready line counts what the page counts.
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "rag.product.web.startup"]
    assert [lines[0], lines[-1]] == [
        ("INFO", "no index in {}: building it from {}".format(corpus_settings.index_dir, corpus_settings.corpus_dir)),
        ("INFO", "ready: 3 passages and 6 sentences from 2 document(s), all local"),
    ]
    assert {level for level, _ in lines} == {"INFO"}
    assert all(text.startswith("building the search index: ") for _, text in lines[1:-1])


def test_the_ready_line_says_the_index_is_shared_when_it_is_in_a_chroma_server():
    stats = IndexStats(passages=99, documents=1, generation="g", sentences=467)

    assert ready_line(stats, shared=True) == (
        "Redo · 99 avsnitt och 467 meningar ur 1 dokument · sökindexet finns i en delad indexserver"
    )
    assert ready_line(stats, shared=True, lang="en") == (
        "ready: 99 passages and 467 sentences from 1 document(s), index in a shared Chroma server"
    )
    assert ready_line(stats, shared=False).endswith("· allt körs lokalt på den här datorn")


def test_status_and_a_waiting_question_show_real_ingest_progress(corpus_settings):
    from rag.service import RagService

    notified, step, building, gate = (threading.Event() for _ in range(4))

    def slow_service(settings, embedder, notify, tally):
        notify("no index: building it")
        notified.set()
        step.wait(60)
        # What the ingest does to the tally: a segment read (98 passages, 569 sentences), 40 embedded.
        tally.passages, tally.sentences, tally.passages_done = 98, 569, 40
        building.set()
        gate.wait(60)
        return RagService(settings, embedder=embedder, notify=notify)

    backend = Backend(corpus_settings, factory=slow_service, embedder=HashEmbedder()).start()
    assert notified.wait(60)
    assert backend.status()[0].startswith("Bygger sökindex ur rapporten: läser och reparerar texten efter ")
    assert backend.waiting() == "Väntar på indexet: läser och reparerar texten …"
    step.set()
    assert building.wait(60)

    text, ready, failed = backend.status()
    assert text.startswith("Bygger sökindex ur rapporten: 40 av 98 avsnitt och 0 av 569 meningar inbäddade efter ")
    assert (ready, failed) == (False, False)
    assert backend.waiting() == "Väntar på indexet: 40 av 98 avsnitt och 0 av 569 meningar inbäddade …"
    assert backend.status("en")[0].startswith(
        "building the search index: 40 of 98 passages and 0 of 569 sentences embedded after "
    )
    with pytest.raises(TimeoutError, match="still being built"):
        backend.service(timeout=0.01)

    gate.set()
    backend.service(timeout=120)
    assert backend.status()[1] is True


def test_a_load_failure_reaches_the_status_line_and_every_request(corpus_settings):
    def broken(settings, embedder, notify, tally):
        raise ValueError("index folder is not writable")

    backend = Backend(corpus_settings, factory=broken, embedder=HashEmbedder()).start()

    with pytest.raises(RuntimeError, match="could not load the search index: ValueError: index folder is not writable"):
        backend.service(timeout=60)
    assert backend.status() == ("Kunde inte starta: ValueError: index folder is not writable", False, True)


def test_ingest_tally_counts_reused_and_new_vectors(corpus_settings):
    from rag.index.ingest import ingest

    first = IngestTally()
    ingest(corpus_settings, embedder=HashEmbedder(), tally=first)
    (corpus_settings.corpus_dir / "samverkan.txt").write_text(SAMVERKAN + "\nEtt nytt stycke om samverkan i regionen.\n", encoding="utf-8")
    again = IngestTally()
    embedder = HashEmbedder()
    report = ingest(corpus_settings, embedder=embedder, tally=again)

    assert first == IngestTally(passages=3, sentences=6, passages_done=3, sentences_done=6)
    # Only the changed file is read again; its unchanged sentences reuse their vectors and count as done.
    assert again == IngestTally(passages=1, sentences=3, passages_done=1, sentences_done=3)
    assert embedder.texts_embedded == report.embedded == 2
