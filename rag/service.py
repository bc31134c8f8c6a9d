"""The library entry point: one object that answers questions from the current index.

CLI, evaluation and (later) the web app all go through ``RagService`` so they
give the same answers. It builds the index on first use when there is none, and
rebuilds it with a clear message when the manifest does not match the settings.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from rag.answer import Answerer, ExtractiveAnswerer
from rag.config import Settings
from rag.embeddings import Embedder, make_embedder
from rag.indexing import IngestReport, ingest
from rag.retrieval import HybridRetriever, Reranker
from rag.store import IndexDir, Manifest, expected_manifest, manifest_mismatch
from rag.types import Answer

log = logging.getLogger(__name__)


def _stale_reason(manifest: Manifest, settings: Settings, embedder: Embedder) -> str | None:
    diffs = manifest_mismatch(manifest, expected_manifest(embedder.name, settings.chunk_chars))
    return "; ".join("{}: index has {}, settings want {}".format(*d) for d in diffs) or None


class RagService:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        answerer: Answerer | None = None,
        reranker: Reranker | None = None,
        notify=None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self._answerer = answerer
        self.reranker = reranker
        self.notify = notify or (lambda msg: log.warning("%s", msg))
        self.ingest_report: IngestReport | None = None
        self._load()

    def _load(self) -> None:
        index = IndexDir(self.settings.index_dir)
        manifest = index.current_manifest()
        if manifest is None:
            self.notify("no index in {}: building it from {}".format(self.settings.index_dir, self.settings.corpus_dir))
            self.ingest_report = ingest(self.settings, embedder=self.embedder)
        else:
            reason = _stale_reason(manifest, self.settings, self.embedder)
            if reason:
                self.notify("index does not match the settings ({}): rebuilding".format(reason))
                paths = [Path(f["path"]) for f in manifest.files.values() if Path(f["path"]).exists()]
                self.ingest_report = ingest(self.settings, paths or None, embedder=self.embedder)
        self.generation = index.open_current()
        self.retriever = HybridRetriever(self.settings, self.embedder, self.generation, self.reranker)
        self.answerer = self._answerer or ExtractiveAnswerer(self.settings, self.generation)

    def ask(self, question: str, k: int | None = None, section: str | None = None, source: str | None = None) -> Answer:
        question = (question or "").strip()
        if not question:
            raise ValueError("question is empty; type a question")
        t0 = time.perf_counter()
        retrieved = self.retriever.search(question, k=k, section=section, source=source)
        t1 = time.perf_counter()
        answer = self.answerer.answer(question, retrieved)
        t2 = time.perf_counter()
        answer.timings_ms.update(
            {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
        )
        return answer
