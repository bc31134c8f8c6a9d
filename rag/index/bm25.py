"""BM25 over stemmed Swedish terms (bm25s), with an optional document mask for filters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.lexical import terms

_EMPTY = "\x00empty"  # bm25s needs at least one token per document


class BM25Builder:
    """Collects documents one at a time and builds the index that ``BM25Index.build`` builds (bm25s'
    Lucene BM25, the same scores) in a fraction of the memory: a document is kept as its distinct
    term ids and their counts (6 bytes a term), and the score matrix is filled in place, a slice
    of documents at a time. bm25s' own build holds about 5 kB per passage at once (50,000
    synthetic passages: +277 MB), which a 200 MB file's 218,000 passages cannot afford."""

    K1, B = 1.5, 0.75  # bm25s' defaults, as BM25Index.build uses them

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.terms: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.lengths: list[int] = []

    def add(self, text: str) -> None:
        ids = np.fromiter(
            (self.vocab.setdefault(t, len(self.vocab)) for t in terms(text) or [_EMPTY]), dtype=np.int32
        )
        unique, counts = np.unique(ids, return_counts=True)
        self.terms.append(unique.astype(np.int32))
        self.counts.append(counts.astype(np.uint16))
        self.lengths.append(len(ids))

    def build(self, block: int = 4096) -> "BM25Index":
        import bm25s

        n_docs, n_vocab = len(self.terms), len(self.vocab)
        lengths = np.asarray(self.lengths, dtype=np.float32)
        df = np.zeros(n_vocab, dtype=np.int64)
        for t in self.terms:
            df[t] += 1
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        data = np.empty(int(indptr[-1]), dtype=np.float32)
        indices = np.empty(int(indptr[-1]), dtype=np.int32)
        free = indptr[:-1].copy()  # next free slot of each term's column
        norm = self.K1 * ((1 - self.B) + self.B * lengths / lengths.mean())
        for start in range(0, n_docs, block):
            t = np.concatenate(self.terms[start : start + block])
            tf = np.concatenate(self.counts[start : start + block]).astype(np.float32)
            sizes = [len(x) for x in self.terms[start : start + block]]
            doc = np.repeat(np.arange(start, start + len(sizes), dtype=np.int32), sizes)
            order = np.argsort(t, kind="stable")  # by term, documents in order within a term
            t, tf, doc = t[order], tf[order], doc[order]
            first = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
            run = np.diff(np.r_[first, len(t)])
            slot = free[t] + (np.arange(len(t)) - np.repeat(first, run))
            data[slot] = idf[t] * tf / (norm[doc] + tf)
            indices[slot] = doc
            free[t[first]] += run
        retriever = bm25s.BM25()
        retriever.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}
        retriever.vocab_dict = dict(self.vocab)
        retriever.unique_token_ids_set = set(self.vocab.values())
        retriever.nonoccurrence_array = None  # Lucene BM25 has none
        return BM25Index(retriever, n_docs)


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
        # Mapped, not read: a question reads only its terms' columns of the score matrix.
        return cls(bm25s.BM25.load(str(folder), mmap=True, show_progress=False), size)

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
