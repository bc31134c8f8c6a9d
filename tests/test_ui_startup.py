"""The web app's start-up: the service loads in the background and the status line says how far
a first ingest has come, then that it is ready, or why it failed. FAKE embedder throughout."""

from __future__ import annotations

import threading

import pytest

from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder

from rag.product.web.startup import Backend, ProgressEmbedder


@pytest.fixture
def corpus_settings(settings):
    (settings.corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    (settings.corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    return settings


def test_first_start_ingests_through_the_counting_embedder(corpus_settings):
    backend = Backend(corpus_settings, embedder=HashEmbedder()).start()

    service = backend.service(timeout=120)

    text, ready, failed = backend.status()
    assert (text, ready, failed) == ("Redo · 3 avsnitt ur 2 dokument · allt körs lokalt på den här datorn", True, False)
    # Every text the ingest embedded went through the wrapper whose count the status line shows.
    assert backend._embedder.embedded == service.ingest_report.embedded == 9
    assert service.embedder is backend._embedder
    # The English dictionary is read before the app reports ready, not at the first question.
    assert service.queries.translator._index is not None


def test_status_while_building_counts_texts_then_turns_ready(corpus_settings):
    from rag.service import RagService

    notified, step, building, gate = (threading.Event() for _ in range(4))

    def slow_service(settings, embedder, notify):
        notify("no index: building it")
        notified.set()
        step.wait(60)
        embedder.embed_documents(["ett", "två", "tre"])
        building.set()
        gate.wait(60)
        return RagService(settings, embedder=embedder, notify=notify)

    backend = Backend(corpus_settings, factory=slow_service, embedder=HashEmbedder()).start()
    assert notified.wait(60)
    assert backend.status()[0].startswith("Bygger sökindex ur rapporten: läser och reparerar texten … ")
    step.set()
    assert building.wait(60)

    text, ready, failed = backend.status()
    assert text.startswith("Bygger sökindex ur rapporten: 3 texter inbäddade efter ")
    assert (ready, failed) == (False, False)
    with pytest.raises(TimeoutError, match="still being built"):
        backend.service(timeout=0.01)

    gate.set()
    backend.service(timeout=120)
    assert backend.status()[1] is True


def test_a_load_failure_reaches_the_status_line_and_every_request(corpus_settings):
    def broken(settings, embedder, notify):
        raise ValueError("index folder is not writable")

    backend = Backend(corpus_settings, factory=broken, embedder=HashEmbedder()).start()

    with pytest.raises(RuntimeError, match="could not load the search index: ValueError: index folder is not writable"):
        backend.service(timeout=60)
    assert backend.status() == ("Kunde inte starta: ValueError: index folder is not writable", False, True)


def test_progress_embedder_passes_through_and_keeps_the_name():
    inner = HashEmbedder(dim=16)
    wrapped = ProgressEmbedder(inner)

    vectors = wrapped.embed_documents(["kommun", "strategi"])

    assert (wrapped.name, wrapped.dimension, wrapped.embedded) == ("fake-hash", 16, 2)
    assert vectors == inner.embed_documents(["kommun", "strategi"])
    assert wrapped.embed_query("kommun") == inner.embed_query("kommun")
    assert wrapped.embedded == 2
