"""BM25 over stemmed Swedish terms (bm25s), with an optional document mask for filters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.lexical import terms

_EMPTY = "\x00empty"  # bm25s needs at least one token per document


class BM25Builder:
    """Collects documents one at a time as arrays of term ids, so a large corpus never sits in
    memory as lists of strings; ``build`` gives the same scores as ``BM25Index.build``."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.docs: list[np.ndarray] = []

    def add(self, text: str) -> None:
        ids = [self.vocab.setdefault(t, len(self.vocab)) for t in terms(text) or [_EMPTY]]
        self.docs.append(np.asarray(ids, dtype=np.int32))

    def build(self) -> "BM25Index":
        return BM25Index.build_from_ids(self.docs, self.vocab)


class BM25Index:
    def __init__(self, retriever, size: int) -> None:
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> "BM25Index":
        import bm25s

        retriever = bm25s.BM25()
        retriever.index([terms(t) or [_EMPTY] for t in texts], show_progress=False)
        return cls(retriever, len(texts))

    @classmethod
    def build_from_ids(cls, docs: list[np.ndarray], vocab: dict[str, int]) -> "BM25Index":
        import bm25s

        retriever = bm25s.BM25()
        retriever.index((docs, vocab), show_progress=False)
        return cls(retriever, len(docs))

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)
        (folder / "size.json").write_text(json.dumps({"size": self.size}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        import bm25s

        size = json.loads((folder / "size.json").read_text(encoding="utf-8"))["size"]
        return cls(bm25s.BM25.load(str(folder), show_progress=False), size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros when no term is known)."""
        query_terms = [t for t in terms(query) if t in self.retriever.vocab_dict]
        if not query_terms or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(query_terms), dtype=np.float32)

    def group_scores(self, groups: list[tuple[str, ...]]) -> np.ndarray:
        """Structured-query score of every document: per group of alternative terms, the best
        alternative's BM25 score, summed over the groups."""
        total = np.zeros(self.size, dtype=np.float32)
        for group in groups:
            known = [t for t in group if t in self.retriever.vocab_dict]
            if known and self.size:
                total += np.max([self.retriever.get_scores([t]) for t in known], axis=0)
        return total

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(document index, score) for documents with a positive score, best first."""
        query_terms = [t for t in terms(query) if t in self.retriever.vocab_dict]
        if not query_terms or self.size == 0:
            return []
        k = min(k, self.size)
        docs, scores = self.retriever.retrieve(
            [query_terms], k=k, show_progress=False, weight_mask=mask, n_threads=0
        )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
