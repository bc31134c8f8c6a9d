"""The index in Chroma's own server: the same passages, spans and answers as the folder store,
one atomic switch per generation, replicas that follow it, the ingest lease, and a server that
goes away and comes back. Every server here is a real ``chroma run`` on loopback."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from fakes import HashEmbedder, InterruptingEmbedder

from rag.index import chroma_server as server_store
from rag.index.chroma_server import ServerStore
from rag.answering.selection import answer_hits
from rag.index.ingest import ingest
from rag.service import RagService
from rag.index.store import IndexBusy, StoreUnavailable
from rag.index.stores import make_store

pytestmark = pytest.mark.server

REPORT = Path(__file__).resolve().parent.parent / "corpus"
QUESTIONS = [
    "Vilka bör vi bjuda in när vi tar fram vår AI-strategi?",
    "Hur undviker vi att införa AI bara för att tekniken är spännande?",
    "Vad säger rapporten om juridiken kring personuppgifter?",
    "How can small municipalities work together on AI?",
]

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
SAMVERKAN_NY = """Samverkan mellan kommuner

1. Samverkan

Regionen erbjuder stöd till kommuner som vill pröva språkmodeller. Stödet söks en gång per år.
"""


def _answers(service: RagService) -> list[dict]:
    out = []
    for question in QUESTIONS:
        answer = service.ask(question)
        retrieved = service.retrieve(question)
        out.append({
            "passages": [(h.passage.id, h.passage.source, h.passage.start, h.passage.end) for h in answer.hits],
            # k (5) counts the passages the answer may quote; a reference list ranked among them stays too
            "quotable": len(answer_hits(retrieved.query, retrieved.hits, len(retrieved.hits))),
            "sentences": [(s.text, s.start, s.end, s.citations) for s in answer.sentences],
            "text": answer.text,
            "abstained": answer.abstained,
        })
    return out


@pytest.fixture
def report_corpus(settings):
    shutil.copytree(REPORT, settings.corpus_dir, dirs_exist_ok=True)
    return settings.corpus_dir


def test_the_report_gives_the_same_passages_spans_and_answers_from_both_stores(settings, report_corpus, chroma_server):
    # The fake embedder's scores are not what abstention is calibrated on: answer every question.
    settings = settings.model_copy(update={"decline_below": -10.0, "partial_below": -10.0})
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url})

    ingest(settings, embedder=HashEmbedder(), progress=False)
    ingest(on_server, embedder=HashEmbedder(), progress=False)

    folder, server = make_store(settings).open_current(), make_store(on_server).open_current()
    assert type(server).__name__ == "ServerGeneration"
    assert [(p.id, p.start, p.end, p.text) for p in server.passages] == [
        (p.id, p.start, p.end, p.text) for p in folder.passages
    ]
    assert [(s.passage_id, s.start, s.end) for s in server.sentences] == [
        (s.passage_id, s.start, s.end) for s in folder.sentences
    ]
    assert (server.vectors == folder.vectors).all() and (server.hubness == folder.hubness).all()
    assert server.manifest.files == folder.manifest.files
    expected = _answers(RagService(settings, embedder=HashEmbedder()))
    assert all(a["quotable"] == 5 and len(a["passages"]) >= 5 and a["sentences"] and not a["abstained"] for a in expected)
    assert _answers(RagService(on_server, embedder=HashEmbedder())) == expected


def test_a_replica_needs_no_local_index_folder(settings, corpus_dir, chroma_server, tmp_path):
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url})
    ingest(on_server, embedder=HashEmbedder(), progress=False)

    elsewhere = on_server.model_copy(update={"index_dir": tmp_path / "nothing-here"})
    service = RagService(elsewhere, embedder=HashEmbedder())

    assert service.ask("Vem beslutar strategin?").hits[0].passage.source == "strategi.txt"
    assert not (tmp_path / "nothing-here").exists()
    assert not (settings.index_dir).exists()


def test_the_switch_is_one_pointer_write_after_a_complete_generation(settings, corpus_dir, chroma_server):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    first = ingest(on_server, embedder=HashEmbedder(), progress=False)
    store = make_store(on_server)
    assert store.pointer()["generation"] == first.generation and store.pointer()["previous"] == ""

    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN_NY, encoding="utf-8")
    second = ingest(on_server, embedder=HashEmbedder(), progress=False)
    followed_up = STRATEGI + "\n3. Uppföljning\n\nNyttan följs upp varje år.\n"
    (corpus_dir / "strategi.txt").write_text(followed_up, encoding="utf-8")
    third = ingest(on_server, embedder=HashEmbedder(), progress=False)

    assert store.pointer()["generation"] == third.generation
    assert store.pointer()["previous"] == second.generation
    kept = sorted(c.name for c in store.client().list_collections() if c.name != server_store.META)
    assert kept == sorted(
        "rag-{}-{}".format(g, kind) for g in (second.generation, third.generation) for kind in ("files", "passages")
    )


def test_a_failed_count_check_switches_nothing(settings, corpus_dir, chroma_server, monkeypatch):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    first = ingest(on_server, embedder=HashEmbedder(), progress=False)
    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    # A dense index that silently lost its last passage, as a write cut short would leave it.
    original = server_store.ServerDraft.write_dense
    monkeypatch.setattr(
        server_store.ServerDraft, "write_dense", lambda self, p, t, v: original(self, p[:-1], t[:-1], v[:-1])
    )

    incomplete = r"incomplete in http://127\.0\.0\.1:\d+: holds .*'passages': 2.* written .*'passages': 3"
    with pytest.raises(RuntimeError, match=incomplete):
        ingest(on_server, embedder=HashEmbedder(), progress=False)

    store = make_store(on_server)
    assert store.current_id() == first.generation
    names = [c.name for c in store.client().list_collections()]
    assert [n for n in names if "gen-" in n and first.generation not in n] == []


def test_a_replica_switches_to_a_new_generation_and_a_question_in_flight_keeps_its_own(
    settings, corpus_dir, chroma_server
):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url, "index_poll_seconds": 0})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    first = ingest(on_server, embedder=HashEmbedder(), progress=False)
    service = RagService(on_server, embedder=HashEmbedder())
    in_flight = service.warm_up()._loaded  # what a question that started now holds
    assert service.refresh() is False

    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN_NY, encoding="utf-8")
    second = ingest(on_server, embedder=HashEmbedder(), progress=False)

    assert service.generation.name == first.generation
    assert service.refresh() is True
    assert service.generation.name == second.generation
    assert service.ask("Vad erbjuder regionen kommunerna?").hits[0].passage.text.startswith("Regionen erbjuder stöd")
    old = service._retrieve(in_flight, "Hur kan små kommuner samverka?", None, None, None, ())
    assert in_flight.generation.name == first.generation
    assert old.hits[0].passage.text.startswith("Små kommuner kan dela på kompetens")


def test_the_poller_switches_within_the_poll_interval(settings, corpus_dir, chroma_server):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url, "index_poll_seconds": 0.5})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    ingest(on_server, embedder=HashEmbedder(), progress=False)
    service = RagService(on_server, embedder=HashEmbedder())

    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    second = ingest(on_server, embedder=HashEmbedder(), progress=False)

    deadline = time.monotonic() + 10
    while service.generation.name != second.generation and time.monotonic() < deadline:
        time.sleep(0.1)
    assert service.generation.name == second.generation
    service.poller.stop()


def test_a_second_ingest_is_refused_naming_the_holder_and_expiry(settings, corpus_dir, chroma_server):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    holder = ServerStore.from_settings(on_server)

    with holder.lock() as lease:
        with pytest.raises(IndexBusy) as refused:
            ingest(on_server, embedder=HashEmbedder(), progress=False)
        until = time.strftime("%Y-%m-%d %H:%M", time.gmtime(lease._read()["expires"]))
    assert "another ingest holds the index lease in {}: {} until {}".format(
        chroma_server.url, lease.holder, until
    ) in str(refused.value)
    assert make_store(on_server).current_id() is None
    # Released on exit: the next ingest goes ahead.
    assert ingest(on_server, embedder=HashEmbedder(), progress=False).passages == 2


def test_an_expired_lease_is_taken_over_and_the_loser_of_a_race_backs_off(settings, chroma_server):
    store = ServerStore(chroma_server.url, None, lease_seconds=60)
    dead = ServerStore(chroma_server.url, None, lease_seconds=60).lock()
    dead.holder, dead.seconds = "gone-host:4242", -1  # a killed ingest whose lease ran out
    dead._write()

    with store.lock() as lease:
        assert lease._read()["holder"] == lease.holder
        rival = ServerStore(chroma_server.url, None, lease_seconds=60).lock()
        rival._write()  # a rival that read "free" just before our write and wrote after it
        with pytest.raises(IndexBusy, match="lost its lease"):
            lease.check()


def test_a_stopped_server_gives_a_clear_error_and_the_service_recovers(settings, corpus_dir, chroma_server):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url, "index_poll_seconds": 0})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    ingest(on_server, embedder=HashEmbedder(), progress=False)
    service = RagService(on_server, embedder=HashEmbedder())
    before = _one(service)

    chroma_server.stop()
    with pytest.raises(StoreUnavailable, match=r"the index server http://127\.0\.0\.1:\d+ cannot be reached"):
        service.ask("Vem beslutar strategin?")
    with pytest.raises(StoreUnavailable):
        service.refresh()

    chroma_server.start()
    assert _one(service) == before


def _one(service: RagService) -> list:
    answer = service.ask("Vem beslutar strategin?")
    return [(h.passage.id, h.passage.start, h.passage.end) for h in answer.hits]


def test_the_token_goes_in_a_header_and_never_into_messages(chroma_server, monkeypatch):
    monkeypatch.setenv("RAG_CHROMA_TOKEN", "s3cret-token")
    monkeypatch.setenv("RAG_CHROMA_URL", "http://user:pw@127.0.0.1:{}".format(chroma_server.port))
    from rag.config import load_settings

    settings = load_settings()
    store = make_store(settings)
    assert store._headers == {"Authorization": "Bearer s3cret-token"}
    assert "s3cret" not in json.dumps(settings.model_dump(mode="json"))
    assert "pw" not in store.describe() and store.describe() == "Chroma server http://user:***@127.0.0.1:{}".format(
        chroma_server.port)
    chroma_server.stop()
    with pytest.raises(StoreUnavailable) as down:
        store.current_id()
    assert "pw" not in str(down.value) and "s3cret" not in str(down.value)


def test_an_interrupted_ingest_leaves_the_current_generation_and_releases_its_lease(
    settings, corpus_dir, chroma_server
):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    first = ingest(on_server, embedder=HashEmbedder(), progress=False)
    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")

    with pytest.raises(KeyboardInterrupt):
        ingest(on_server, embedder=InterruptingEmbedder(after=1), progress=False)

    store = make_store(on_server)
    assert store.current_id() == first.generation
    assert store.meta().get(ids=["ingest-lease"])["ids"] == []
    assert sorted(c.name for c in store.client().list_collections() if c.name != server_store.META) == [
        "rag-{}-files".format(first.generation), "rag-{}-passages".format(first.generation)]
    answer = RagService(on_server, embedder=HashEmbedder()).ask("Vem beslutar strategin?")
    assert answer.hits[0].passage.source == "strategi.txt"


def test_a_prune_that_fails_after_the_switch_keeps_the_new_generation(settings, corpus_dir, chroma_server, monkeypatch):
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url})
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")

    def server_gone(self):
        raise StoreUnavailable("the index server went away")

    monkeypatch.setattr(ServerStore, "prune", server_gone)
    report = ingest(on_server, embedder=HashEmbedder(), progress=False)

    store = make_store(on_server)
    assert store.current_id() == report.generation
    assert RagService(on_server, embedder=HashEmbedder()).ask("Vem beslutar strategin?").hits[0].passage.source == (
        "strategi.txt")


def test_scratch_folders_of_dead_processes_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setattr(server_store.tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / "rag-ingest-{}-abc".format(gone.stdout.strip())
    alive = tmp_path / "rag-ingest-{}-def".format(os.getpid())
    other = tmp_path / "rag-generation-{}-ghi".format(gone.stdout.strip())
    for folder in (dead, alive, other):
        (folder / "gen-x").mkdir(parents=True)

    server_store.remove_orphans(server_store.INGEST_SCRATCH)

    assert not dead.exists() and alive.exists() and other.exists()
