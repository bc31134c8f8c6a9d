"""Test doubles. Nothing here is fit for real retrieval: it exists so unit tests run in
milliseconds and can assert exactly how much embedding work an operation did."""

from __future__ import annotations

import pytest

from pathlib import Path

from contextlib import contextmanager

import os

import hashlib
import math

from langchain_core.embeddings import Embeddings

from rag.lexical import terms


class HashEmbedder(Embeddings):
    """FAKE embedder for tests: a hashed bag of stemmed content terms, L2-normalised.

    Texts that share words get similar vectors, so dense retrieval behaves plausibly on
    tiny corpora. ``calls`` counts calls to either method and ``texts_embedded`` counts
    document texts, so a test can assert that an operation did no embedding work.
    """

    name = "fake-hash"

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim
        self.calls = 0
        self.texts_embedded = 0
        self.queries = 0

    @property
    def dimension(self) -> int:
        return self._dim

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self._dim
        for term in terms(text):
            digest = hashlib.sha256(term.encode("utf-8")).digest()
            vec[int.from_bytes(digest[:4], "little") % self._dim] += 1.0 if digest[4] % 2 else -1.0
        norm = math.sqrt(sum(v * v for v in vec))
        if norm == 0.0:
            # A text without content terms still needs a unit vector.
            vec[0], norm = 1.0, 1.0
        return [v / norm for v in vec]

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        self.queries += 1
        return self._vector(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.texts_embedded += len(texts)
        return [self._vector(t) for t in texts]


class InterruptingEmbedder(HashEmbedder):
    """FAKE embedder that raises KeyboardInterrupt on document call number ``after + 1``,
    standing in for a user pressing Ctrl-C in the middle of an ingest."""

    def __init__(self, after: int, dim: int = 64) -> None:
        super().__init__(dim)
        self.after = after
        self.document_calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.document_calls += 1
        if self.document_calls > self.after:
            raise KeyboardInterrupt
        return super().embed_documents(texts)


@contextmanager
def corpus_without_rag_env(root: Path, files: dict[str, str]):
    """Write ``files`` into ``root/corpus`` and yield that folder, with any RAG_* variables of
    the shell hidden for the duration so that only the test's settings count."""
    corpus = root / "corpus"
    corpus.mkdir(exist_ok=True)  # an app started again over the same folder (a restart)
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.upper().startswith("RAG_"):
                mp.delenv(key)
        yield corpus


@contextmanager
def fake_index(root: Path, files: dict[str, str], **overrides):
    """Write ``files`` into ``root/corpus``, index them with the HashEmbedder and yield the
    settings (``overrides`` on top, e.g. ``chunk_chars``), with any RAG_* variables of the shell
    hidden for the duration."""
    from rag.config import load_settings
    from rag.index.ingest import ingest

    with corpus_without_rag_env(root, files) as corpus:
        settings = load_settings(index_dir=root / "index", corpus_dir=corpus, **overrides)
        ingest(settings, embedder=HashEmbedder(), progress=False)
        yield settings


class RaisingChatModel:
    """FAKE chat model whose every call raises ``error``, standing in for a failing endpoint.
    ``calls`` counts the attempts, so a test can assert that the model was (not) asked."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0

    def invoke(self, messages, *args, **kwargs):
        self.calls += 1
        raise self.error

    def stream(self, messages, *args, **kwargs):
        self.calls += 1
        raise self.error
        yield  # a generator, like a real model's stream


class RecordingChatModel:
    """FAKE chat model that answers from ``replies`` in order (LangChain's FakeListChatModel)
    and records the messages it was given."""

    def __init__(self, *replies: str) -> None:
        from langchain_core.language_models.fake_chat_models import FakeListChatModel

        self.model = FakeListChatModel(responses=list(replies))
        self.prompts: list[list] = []

    def invoke(self, messages, *args, **kwargs):
        self.prompts.append(list(messages))
        return self.model.invoke(messages, *args, **kwargs)

    def stream(self, messages, *args, **kwargs):
        self.prompts.append(list(messages))
        return self.model.stream(messages, *args, **kwargs)
