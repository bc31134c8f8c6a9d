"""Hybrid retrieval: Chroma (dense) and BM25 (stemmed Swedish) fused by reciprocal rank.

Dense retrieval lets English questions find Swedish passages; BM25 catches the
exact terms (GDPR, nyttorealisering) that small embedders blur. Filters narrow
both retrievers to a source or a section before ranking, near-duplicate passages
are dropped, and a reranker can be plugged in behind a one-method protocol.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from rag.bm25 import BM25Index
from rag.config import Settings
from rag.embeddings import Embedder
from rag.lexical import terms
from rag.store import COLLECTION, Generation, chroma_client
from rag.types import Hit, Passage

log = logging.getLogger(__name__)


class Reranker(Protocol):
    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]: ...


@dataclass(frozen=True)
class Retrieved:
    hits: list[Hit]
    query_vector: np.ndarray
    best_dense: float  # cosine similarity of the best dense candidate (abstention signal)


def section_matches(section: str, wanted: str) -> bool:
    """A scope matches its own section and everything below it, compared case-insensitively.

    ``wanted`` may be a full path ("4. AI-strategin … › Juridiken …"), a chapter title, a
    chapter number ("4") or any single heading of the path.
    """
    wanted = wanted.strip().casefold()
    parts = [p.strip().casefold() for p in section.split(" › ")]
    if section.casefold().startswith(wanted):
        return True
    if wanted.rstrip(".").isdigit():
        return parts[0].split(".")[0] == wanted.rstrip(".")
    return wanted in parts


class HybridRetriever:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        generation: Generation,
        reranker: Reranker | None = None,
    ) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.embedder = embedder
        self.generation = generation
        self.passages = generation.passages
        self.reranker = reranker
        self.bm25 = BM25Index.load(generation.folder / "bm25")
        self.vectorstore = Chroma(
            collection_name=COLLECTION,
            embedding_function=embedder,
            client=chroma_client(generation.folder / "chroma"),
        )
        self._index_of = {p.id: i for i, p in enumerate(self.passages)}
        self._terms = [frozenset(terms(p.text)) for p in self.passages]

    def sections(self) -> list[str]:
        return list(dict.fromkeys(p.section for p in self.passages))

    def search(
        self,
        query: str,
        k: int | None = None,
        section: str | None = None,
        source: str | None = None,
    ) -> Retrieved:
        k = k or self.settings.k
        allowed = self._allowed(section, source)
        qv = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        dense = self._dense(qv, allowed)
        lexical = self._lexical(query, allowed)
        fused = self._fuse(dense, lexical)
        hits = self._dedupe(fused, k)
        if self.reranker is not None:
            hits = self.reranker.rerank(query, hits)
        best = dense[0][1] if dense else 0.0
        return Retrieved(hits=hits, query_vector=qv, best_dense=best)

    def _allowed(self, section: str | None, source: str | None) -> list[int] | None:
        if not section and not source:
            return None
        allowed = [
            i
            for i, p in enumerate(self.passages)
            if (not source or p.source == source) and (not section or section_matches(p.section, section))
        ]
        if not allowed:
            raise ValueError(
                "no passages match section={!r} source={!r}; known sections start with: {}".format(
                    section, source, ", ".join(sorted({p.section.split(' › ')[0] for p in self.passages}))
                )
            )
        return allowed

    def _dense(self, qv: np.ndarray, allowed: list[int] | None) -> list[tuple[int, float]]:
        where = None
        if allowed is not None:
            where = {"section": {"$in": sorted({self.passages[i].section for i in allowed})}}
            if len({self.passages[i].source for i in allowed}) == 1:
                where = {"$and": [where, {"source": self.passages[allowed[0]].source}]}
        n = min(self.settings.candidates, len(self.passages) if allowed is None else len(allowed))
        results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            qv.tolist(), k=n, filter=where
        )
        out = []
        for doc, distance in results:
            idx = self._index_of.get(doc.id)
            if idx is not None:
                out.append((idx, 1.0 - float(distance)))
        return out

    def _lexical(self, query: str, allowed: list[int] | None) -> list[tuple[int, float]]:
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.passages), dtype=np.float32)
            mask[allowed] = 1.0
        return self.bm25.search(query, self.settings.candidates, mask)

    def _fuse(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> list[tuple[int, float, int | None, int | None]]:
        rrf_k = self.settings.rrf_k
        scores: dict[int, float] = {}
        d_rank = {idx: r for r, (idx, _) in enumerate(dense, 1)}
        b_rank = {idx: r for r, (idx, _) in enumerate(lexical, 1)}
        for idx, r in d_rank.items():
            scores[idx] = scores.get(idx, 0.0) + self.settings.dense_weight / (rrf_k + r)
        for idx, r in b_rank.items():
            scores[idx] = scores.get(idx, 0.0) + self.settings.bm25_weight / (rrf_k + r)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(idx, s, d_rank.get(idx), b_rank.get(idx)) for idx, s in ranked]

    def _dedupe(self, fused, k: int) -> list[Hit]:
        hits: list[Hit] = []
        kept: list[frozenset[str]] = []
        for idx, score, d_rank, b_rank in fused:
            words = self._terms[idx]
            if any(_jaccard(words, other) >= 0.9 for other in kept):
                continue
            kept.append(words)
            hits.append(Hit(self.passages[idx], len(hits) + 1, score, d_rank, b_rank))
            if len(hits) == k:
                break
        return hits

    def passage(self, passage_id: str) -> Passage:
        return self.passages[self._index_of[passage_id]]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
