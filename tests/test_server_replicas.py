"""Two replicas in two processes on one Chroma server, an ingest through the CLI from a third,
and the same ingest killed with SIGKILL half-way. Real ``chroma run``, the real bundled embedder
(the CLI's), real processes; loopback only."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import HashEmbedder

from rag.config import load_settings
from rag.index.ingest import ingest
from rag.index.store import IndexBusy
from rag.index.stores import make_store

pytestmark = [pytest.mark.server, pytest.mark.models, pytest.mark.subprocess]

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent / "corpus" / "fran-insikt-till-handling-ai-sweden-2025.txt"
POLL_S = 1.0
LEASE_S = 15.0
QUESTION = "Vem beslutar strategin för AI?"
STRATEGI = """Strategi för AI

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin beslutas av kommunfullmäktige.
"""
STRATEGI_NY = STRATEGI.replace("kommunfullmäktige", "kommunstyrelsen efter samråd med nämnderna")


class Replica:
    def __init__(self, env: dict) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "replica_child.py")], env=env, text=True, encoding="utf-8",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.ready = self._line()["ready"]

    def _line(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            pytest.fail("the replica exited with {}".format(self.process.wait(timeout=30)))
        return json.loads(line)

    def ask(self, question: str = QUESTION) -> dict:
        self.process.stdin.write(question + "\n")
        self.process.stdin.flush()
        return self._line()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def deployment(tmp_path, chroma_server, monkeypatch):
    """Environment of a shared deployment: the corpus folder, the server, a short poll interval."""
    for key in list(os.environ):
        if key.upper().startswith("RAG_"):
            monkeypatch.delenv(key)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    env = dict(
        os.environ, ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(HERE), RAG_CORPUS_DIR=str(corpus),
        RAG_INDEX_DIR=str(tmp_path / "no-local-index"), RAG_CHROMA_URL=chroma_server.url,
        RAG_INDEX_POLL_SECONDS=str(POLL_S), RAG_INGEST_LEASE_SECONDS=str(LEASE_S),
    )
    assert _ingest(env).returncode == 0
    replicas = [Replica(env), Replica(env)]
    yield env, corpus, replicas
    for replica in replicas:
        replica.close()


def _ingest(env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest"], env=env, capture_output=True, text=True, timeout=600, **kwargs
    )


def _store(env: dict):
    return make_store(load_settings(chroma_url=env["RAG_CHROMA_URL"]))


def test_two_replicas_answer_alike_and_both_follow_a_cli_reingest(deployment):
    env, corpus, replicas = deployment
    first = [r.ask() for r in replicas]
    assert first[0] == first[1]
    assert first[0]["hits"][0][1] == "strategi.txt" and "kommunfullmäktige" in first[0]["text"]

    (corpus / "strategi.txt").write_text(STRATEGI_NY, encoding="utf-8")
    done = _ingest(env)
    assert done.returncode == 0, done.stderr
    new = _store(env).current_id()
    assert new != first[0]["generation"]

    switched = time.monotonic()
    answers = [r.ask() for r in replicas]
    while any(a["generation"] != new for a in answers) and time.monotonic() - switched < 10 * POLL_S + 20:
        time.sleep(POLL_S / 2)
        answers = [r.ask() for r in replicas]
    assert [a["generation"] for a in answers] == [new, new]
    assert answers[0] == answers[1]
    assert "kommunstyrelsen efter samråd" in answers[0]["text"]


def test_a_killed_ingest_leaves_both_answering_and_its_lease_expires(deployment):
    env, corpus, replicas = deployment
    before = [r.ask() for r in replicas]
    store = _store(env)
    current = store.current_id()
    # The report takes the embedder about 40 s: long enough to be killed half-way.
    (corpus / REPORT.name).write_text(REPORT.read_text(encoding="utf-8"), encoding="utf-8")
    killed = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _lease(store) and time.monotonic() < deadline:
        time.sleep(0.2)
    holder = _lease(store)
    assert holder["holder"].endswith(":{}".format(killed.pid))
    time.sleep(3)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)

    assert store.current_id() == current
    assert [r.ask() for r in replicas] == before
    settings = load_settings(chroma_url=env["RAG_CHROMA_URL"], corpus_dir=corpus, index_dir=corpus.parent / "unused")
    with pytest.raises(IndexBusy, match="another ingest holds the index lease in {}: {} until".format(
            env["RAG_CHROMA_URL"], re.escape(holder["holder"]))):
        ingest(settings, embedder=HashEmbedder(), progress=False)

    time.sleep(max(0.0, holder["expires"] - time.time()) + 0.5)
    (corpus / REPORT.name).unlink()
    (corpus / "strategi.txt").write_text(STRATEGI_NY, encoding="utf-8")
    after = _ingest(env)
    assert after.returncode == 0, after.stderr
    assert store.current_id() != current
    assert not _lease(store)


def _lease(store) -> dict:
    got = store.meta().get(ids=["ingest-lease"], include=["metadatas"])
    return got["metadatas"][0] if got["ids"] else {}
