"""The stemmed terms of every passage and sentence, computed once when a generation is written.

Answering needs each passage's and each sentence's set of terms (``rag.lexical.terms``: overlap,
near-duplicates, support) and how many passages use each term (idf, household names, the order of
a word's translations). Computing them at load took about 28 s for 100,000 passages, in every
replica at every start; stored as term ids in one array per kind (CSR: ``ids[start[i]:start[i+1]]``
are row ``i``'s distinct terms, sorted) only the row starts and the counts are read at load; a
row's ids are read from disk and its set made when it is asked for.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from rag.index.rows import StoredArray, kept
from rag.lexical import terms

VOCABULARY = "terms.json"
PASSAGE_COUNTS = "term_passages.npy"  # per term id: how many passages use it
KINDS = ("passage", "sentence")


class TermTableWriter:
    """Collects the distinct term ids of passages and sentences as they are written."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        # Flat arrays of 4 and 8 bytes an item: an array object per row cost about 100 bytes more
        # each, 550,000 rows at 100,000 passages.
        self._ids = {kind: array("i") for kind in KINDS}
        self._sizes = {kind: array("q") for kind in KINDS}

    def add(self, kind: str, texts: Iterable[str]) -> None:
        setdefault = self.vocab.setdefault
        for text in texts:
            ids = sorted({setdefault(t, len(self.vocab)) for t in terms(text)})
            self._ids[kind].extend(ids)
            self._sizes[kind].append(len(ids))

    def save(self, folder: Path) -> None:
        for kind in KINDS:
            sizes = np.frombuffer(self._sizes[kind], dtype=np.int64)
            start = np.zeros(len(sizes) + 1, dtype=np.int64)
            np.cumsum(sizes, out=start[1:])
            ids = np.frombuffer(self._ids[kind], dtype=np.int32) if self._ids[kind] else np.zeros(0, dtype=np.int32)
            np.save(folder / "{}_terms.npy".format(kind), ids)
            np.save(folder / "{}_terms_start.npy".format(kind), start)
            if kind == "passage":
                np.save(folder / PASSAGE_COUNTS, np.bincount(ids, minlength=len(self.vocab)).astype(np.int32))
        words = sorted(self.vocab, key=self.vocab.__getitem__)
        (folder / VOCABULARY).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")


class TermSets(Sequence):
    """Row ``i``'s distinct terms as a frozenset, made from the stored ids when asked for."""

    def __init__(self, vocabulary: list[str], ids: np.ndarray, start: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.ids = ids
        self.start = start
        # Scoring, the decision and the signals each read a candidate sentence's set: made once.
        self._row = kept(self._make)

    @classmethod
    def load(cls, folder: Path, kind: str, vocabulary: list[str]) -> "TermSets":
        """Row starts read, term ids left on disk (a row's ids are read when it is asked for)."""
        ids = StoredArray(folder / "{}_terms.npy".format(kind))
        return cls(vocabulary, ids, np.load(folder / "{}_terms_start.npy".format(kind)))

    def __len__(self) -> int:
        return len(self.start) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._row(i)

    def _make(self, i: int) -> frozenset[str]:
        return frozenset(map(self.vocabulary.__getitem__, self.ids[self.start[i] : self.start[i + 1]].tolist()))

    def __iter__(self) -> Iterator[frozenset[str]]:
        for i in range(len(self)):
            yield self[i]



def read_vocabulary(folder: Path) -> list[str]:
    return json.loads((folder / VOCABULARY).read_text(encoding="utf-8"))


def read_frequencies(folder: Path, vocabulary: list[str]) -> dict[str, int]:
    """How many passages use each term, as ``term_frequencies`` of the passages' sets gives it."""
    counts = np.load(folder / PASSAGE_COUNTS)
    return {vocabulary[t]: int(counts[t]) for t in np.flatnonzero(counts).tolist()}


def term_frequencies(term_sets: Iterable[frozenset[str]]) -> dict[str, int]:
    """How many of ``term_sets`` hold each term: ``TermSets.frequencies`` for sets computed at load."""
    counts: dict[str, int] = {}
    for row in term_sets:
        for t in row:
            counts[t] = counts.get(t, 0) + 1
    return counts
