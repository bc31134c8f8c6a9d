"""A stopped ingest says so (issue 20, finding 9): SIGTERM in the middle of `rag ingest` (a
service manager, `kill`) discards the half-built generation, keeps the previous index answering and
names the signal on the console, as Ctrl-C does. The signal is real, sent to this process by a FAKE
embedder half-way through embedding."""

from __future__ import annotations

import os
import signal

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder

import rag.index.ingest
from rag.cli import main


class TerminatedEmbedder(HashEmbedder):
    """FAKE embedder that sends SIGTERM to its own process on document call ``after + 1``."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.document_calls = 0

    def embed_documents(self, texts):
        self.document_calls += 1
        if self.document_calls > self.after:
            os.kill(os.getpid(), signal.SIGTERM)
        return super().embed_documents(texts)


def test_sigterm_mid_ingest_is_named_and_keeps_the_previous_index(settings, corpus_dir, monkeypatch, capsys):
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus_dir))
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    monkeypatch.setattr(rag.index.ingest, "make_embedder", lambda s: HashEmbedder())
    assert main(["ingest", "--no-progress"]) == 0
    before = (settings.index_dir / "CURRENT").read_text(encoding="utf-8")
    capsys.readouterr()

    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    monkeypatch.setattr(rag.index.ingest, "make_embedder", lambda s: TerminatedEmbedder(after=0))
    previous = signal.signal(signal.SIGTERM, _unhandled)  # a SIGTERM rag does not take fails the test, not pytest
    try:
        code = main(["ingest", "--no-progress"])
        after = signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert code == 143
    assert capsys.readouterr().err.endswith("rag: stopped by SIGTERM; the previous index is unchanged\n")
    assert (settings.index_dir / "CURRENT").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in settings.index_dir.glob("gen-*")) == [before.strip()]
    assert after is _unhandled  # rag's own handler is gone again


def _unhandled(signum, frame):
    raise RuntimeError("SIGTERM reached the test: rag did not handle it")
