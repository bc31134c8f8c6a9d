"""A generation's passages and sentences read by row, without holding them all as objects.

At 100,000 passages the generation holds about 450,000 sentences; read as dataclasses, with every
vector read into memory, they made most of a replica's 2.8 GB. Written since layout 2,
``passages.jsonl`` and ``sentences.jsonl`` have beside them the byte offset of every line
(``*.offsets.npy``), so a row is parsed when it is asked for; the lookups readers need for every
row (passage id -> row, a passage's sentence rows) are small arrays stored at write time, and
``StoredArray`` reads rows of the vector files.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Generic, Iterable, Iterator, TypeVar

import numpy as np

T = TypeVar("T")
log = logging.getLogger(__name__)
# Rows kept parsed per file, the most recently read: about 6 MB of passages (1.5 kB each), a
# bounded cost whatever the size of the index.
ROWS_KEPT = 4096


def kept(method: Callable[[int], T]) -> Callable[[int], T]:
    """``method`` behind a cache of its last ``ROWS_KEPT`` results that holds its object only
    weakly: no reference cycle, so the object and its open file go as soon as nobody uses it."""
    ref = weakref.WeakMethod(method)
    return lru_cache(maxsize=ROWS_KEPT)(lambda i: ref()(i))


class JsonlRows(Sequence, Generic[T]):
    """Row ``i`` of a JSONL file as ``make(**row)``, parsed on each access. ``offsets[i]`` is where
    line ``i`` starts and ``offsets[-1]`` the file's size. Reads use ``os.pread``, so questions
    answered in several threads share one file descriptor safely."""

    def __init__(self, path: Path, offsets: np.ndarray, make: Callable[..., T]) -> None:
        self.path = path
        self.offsets = offsets
        self.make = make
        self._fd = os.open(path, os.O_RDONLY)
        size = os.fstat(self._fd).st_size
        if size != (int(offsets[-1]) if len(offsets) else 0):
            raise ValueError("{} has {} bytes but was written with {}: it was changed afterwards; run `rag ingest` "
                             "again".format(path, size, int(offsets[-1]) if len(offsets) else 0))
        # A question reads the same few rows several times (retrieval, scoring, composing); rows
        # are frozen dataclasses, so one object can be handed out again.
        self._row = kept(self._parse)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("row {} of {} rows in {}".format(i, n, self.path.name))
        return self._row(i)

    def _parse(self, i: int) -> T:
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.make(**json.loads(os.pread(self._fd, end - start, start)))

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # equal to a list of the same rows, so unhashable like one

    def __iter__(self, block: int = 1024) -> Iterator[T]:
        # Through the open descriptor, never the path: a superseded generation's folder may be gone.
        for first in range(0, len(self), block):
            last = min(first + block, len(self))
            base = int(self.offsets[first])
            data = os.pread(self._fd, int(self.offsets[last]) - base, base)
            for start, end in zip(self.offsets[first:last].tolist(), self.offsets[first + 1 : last + 1].tolist()):
                yield self.make(**json.loads(data[start - base : end - base]))


class RowsById(Mapping):
    """``rows[index_of[id]]`` by id: the passages as a mapping from id, no object held per row."""

    def __init__(self, rows: Sequence, index_of: Mapping[str, int]) -> None:
        self.rows = rows
        self.index_of = index_of

    def __getitem__(self, key: str):
        return self.rows[self.index_of[key]]

    def __contains__(self, key) -> bool:
        return key in self.index_of

    def __iter__(self) -> Iterator[str]:
        return iter(self.index_of)

    def __len__(self) -> int:
        return len(self.index_of)


class RowGroups:
    """The rows of each passage's sentences, in order, from the passage row of each sentence
    (``owner``; -1 for a sentence of no passage): ``rows[start[i]:start[i+1]]`` are passage
    ``i``'s, one array for all (CSR) rather than a list per passage."""

    def __init__(self, owner: np.ndarray, size: int) -> None:
        owner = np.asarray(owner, dtype=np.int64)
        kept = np.flatnonzero(owner >= 0)
        self.rows = kept[np.argsort(owner[kept], kind="stable")]
        self.start = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner[kept], minlength=size), out=self.start[1:])

    @property
    def count(self) -> np.ndarray:
        return np.diff(self.start)

    def by_key(self, index_of: Mapping[str, int]) -> "GroupsById":
        return GroupsById(self, index_of)


class GroupsById(Mapping):
    """Passage id -> the rows of its sentences in order; only passages with sentences are keys."""

    def __init__(self, groups: RowGroups, index_of: Mapping[str, int]) -> None:
        self.groups = groups
        self.index_of = index_of

    def __getitem__(self, key: str) -> list[int]:
        start = self.groups.start
        i = self.index_of[key]
        if start[i + 1] == start[i]:
            raise KeyError(key)
        return self.groups.rows[start[i] : start[i + 1]].tolist()

    def __contains__(self, key) -> bool:
        i = self.index_of.get(key)
        return i is not None and self.groups.start[i + 1] > self.groups.start[i]

    def __iter__(self) -> Iterator[str]:
        return (key for key in self.index_of if key in self)

    def __len__(self) -> int:
        return int(np.count_nonzero(self.groups.count))


@dataclass(frozen=True)
class Places:
    """Source and section of every passage as codes into lists of their distinct values, in
    order of first use: what filters, the section list and the document count read, without a
    passage object each."""

    sources: list[str]
    source_of: np.ndarray
    sections: list[str]
    section_of: np.ndarray

    @classmethod
    def of(cls, passages: Iterable) -> "Places":
        sources: dict[str, int] = {}
        sections: dict[str, int] = {}
        source_of, section_of = [], []
        for p in passages:
            source_of.append(sources.setdefault(p.source, len(sources)))
            section_of.append(sections.setdefault(p.section, len(sections)))
        return cls(list(sources), np.array(source_of, dtype=np.int32), list(sections),
                   np.array(section_of, dtype=np.int32))


# Read-ahead advice per 2 MB: one call for a whole 660 MB file brought 3 MB into the page cache
# here, calls per 2 MB all of it (0.23 s, in the background).
READ_AHEAD_BYTES = 2 * 1024 * 1024


def read_ahead(paths: Iterable[Path]) -> threading.Thread:
    """Ask the kernel, from a background thread, to bring ``paths`` into the page cache, so the
    first questions after a start read rows from memory, not the disk (on this machine, files not
    read for a while leave the page cache: at 100,099 passages, 45 minutes after they were written,
    155 of 660 MB of sentence vectors were left in it). The pages are the kernel's to drop again:
    nothing is added to the process's memory and opening does not wait."""

    def advise() -> None:
        if not hasattr(os, "posix_fadvise"):  # not on macOS: rows are read from disk until cached
            return
        for path in paths:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue  # a superseded generation's folder may be gone already
            try:
                size = os.fstat(fd).st_size
                for offset in range(0, size, READ_AHEAD_BYTES):
                    os.posix_fadvise(fd, offset, READ_AHEAD_BYTES, os.POSIX_FADV_WILLNEED)
            except OSError as exc:
                log.debug("no read-ahead for %s: %s", path, exc)
            finally:
                os.close(fd)

    thread = threading.Thread(target=advise, name="read-ahead", daemon=True)
    thread.start()
    return thread


class StoredArray:
    """A C-ordered .npy array left on disk: ``a[i]``, ``a[i:j]`` and ``a[[i, j, …]]`` (along the
    first axis) read just those rows, ``np.asarray(a)`` reads it all.

    Not a memory map: the kernel maps a whole page-cache folio at each fault (up to 2 MB on this
    machine's ext4), so the first question at 20,000 passages, reading about 550 scattered rows,
    brought 94 of the 139 MB of sentence vectors into the process (MADV_RANDOM did not change
    that). A row read with ``os.pread`` costs a system call and nothing stays in the process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(fh)
            self.offset = fh.tell()
        if fortran or dtype.hasobject:
            raise ValueError("{} is not a C-ordered array of numbers; run `rag ingest` again".format(path))
        self.shape: tuple[int, ...] = tuple(shape)
        self.dtype = dtype
        self.row_bytes = dtype.itemsize * int(np.prod(self.shape[1:], dtype=np.int64))
        self._fd = os.open(path, os.O_RDONLY)
        # Answer scoring reads a candidate sentence's vector several times; rows are read-only.
        self._row = kept(self._one)

    def _one(self, i: int) -> np.ndarray:
        return self._read(i, i + 1)[0]

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def _read(self, start: int, stop: int) -> np.ndarray:
        data = os.pread(self._fd, (stop - start) * self.row_bytes, self.offset + start * self.row_bytes)
        return np.frombuffer(data, dtype=self.dtype).reshape((stop - start, *self.shape[1:]))

    def __getitem__(self, key):
        n = len(self)
        if isinstance(key, (int, np.integer)):
            i = int(key) + n if key < 0 else int(key)
            if not 0 <= i < n:
                raise IndexError("row {} of {} in {}".format(key, n, self.path.name))
            return self._row(i)
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            rows = self._read(start, max(start, stop))
            return rows[::step] if step != 1 else rows
        rows = np.asarray(key)
        if rows.dtype == bool or rows.ndim != 1:
            return np.asarray(self)[key]
        rows = np.where(rows < 0, rows + n, rows).astype(np.int64, copy=False)
        if len(rows) and (rows.min() < 0 or rows.max() >= n):
            raise IndexError("rows out of range 0..{} in {}".format(n - 1, self.path.name))
        if len(rows) < 2 or bool(np.all(rows[1:] > rows[:-1])):
            return self._read_rows(rows)
        # Rows asked for in any order or more than once: each distinct row read once, in file order.
        distinct, where = np.unique(rows, return_inverse=True)
        return self._read_rows(distinct)[where.reshape(-1)]

    def _read_rows(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` (increasing) read with one system call per run of consecutive rows, straight
        into the array returned: a passage's sentences are stored one after another."""
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        if not len(rows):
            return out
        cuts = np.flatnonzero(np.diff(rows) != 1) + 1
        starts = np.concatenate(([0], cuts))
        stops = np.concatenate((cuts, [len(rows)]))
        flat = memoryview(out.reshape(-1).view(np.uint8))
        row_bytes, fd, offset = self.row_bytes, self._fd, self.offset
        for start, stop, first in zip(starts.tolist(), stops.tolist(), rows[starts].tolist()):
            want = (stop - start) * row_bytes
            got = os.preadv(fd, [flat[start * row_bytes : stop * row_bytes]], offset + first * row_bytes)
            if got != want:
                raise OSError("{}: read {} of {} bytes at row {}; was the file cut short?".format(
                    self.path, got, want, first))
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self._read(0, n) if (n := len(self)) else np.zeros(self.shape, dtype=self.dtype)
        return whole if dtype is None else whole.astype(dtype)

    def __iter__(self):
        return iter(np.asarray(self))

    def __eq__(self, other):
        return np.asarray(self) == np.asarray(other)

    __hash__ = None

    def astype(self, dtype) -> np.ndarray:
        return np.asarray(self, dtype=dtype)

    def tolist(self) -> list:
        return np.asarray(self).tolist()
