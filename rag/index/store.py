"""The on-disk index: Chroma vectors, a BM25 index and a manifest that describes them.

Layout of ``index_dir``::

    CURRENT                 name of the active generation (switched atomically)
    gen-<time>-<pid>/       one complete, immutable index
        manifest.json       embedder, dimension, chunker, code fingerprint, per-file hashes
        passages.jsonl      every passage with its source span
        hubness.npy         per passage: mean similarity to its nearest passages (see retrieval)
        sentence_hubness.npy  the same per sentence
        sentences.jsonl     every sentence with its source span
        passages.offsets.npy, sentences.offsets.npy   byte offset of each line (layout 2)
        passage_ids.json    passage id of each row (layout 2)
        sentence_passages.npy  passage row of each sentence (layout 2)
        terms.json, {passage,sentence}_terms[_start].npy   stemmed terms of each row (layout 2)
        vectors.npy         passage vectors (row i = passages.jsonl line i)
        sentence_vectors.npy
        chroma/             Chroma persistent store of the passage vectors
        bm25/               bm25s index over stemmed repaired text

An ingest writes a new generation next to the active one and only then points
``CURRENT`` at it, so a crash or Ctrl-C at any moment leaves the previous index
fully queryable. Vectors of unchanged text are reused from the previous
generation, so only new or changed passages are embedded.

A generation is opened without reading it all: vectors stay on disk and are read by row,
passages and sentences are parsed by row when asked for, and the lookups and stemmed terms
answering needs for every row were stored when it was written (``LAYOUT_VERSION``).
"""

from __future__ import annotations

import atexit
import fcntl
import itertools
import json
import logging
import os
import shutil
import stat
import tempfile
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import __version__
from rag.index.chunking import CHUNKER_VERSION
from rag.index.clean import CLEANER_VERSION
from rag.index.rows import JsonlRows, Places, RowGroups, RowsById, StoredArray, read_ahead
from rag.index.term_table import TermSets, TermTableWriter, read_frequencies, read_vocabulary, term_frequencies
from rag.types import Passage, SentenceSpan
from rag.jsonl import read_jsonl_rows

log = logging.getLogger(__name__)

# 3: each file entry says whether the corpus manifest describes it (curated), with publisher and year.
MANIFEST_VERSION = 3
# Which files get OCR repair: only those the corpus manifest marks as OCR output ("ocr": true).
# Indexes written before it repaired every file, clean text included; their manifests have ""
# here, so the next ingest rebuilds them once, reusing every vector whose text is unchanged.
REPAIR_SCOPE = "ocr-marked"
COLLECTION = "passages"
# What a generation folder holds beside passages, sentences and vectors. 2: line offsets, passage
# ids, each sentence's passage row and the stemmed terms of every row, so opening it parses
# nothing per row (100,099 passages: RagService load 24.0 -> 1.0 s, query process peak RSS
# 2,831 -> 701 MB, README "Memory and load at scale"). A layout-1
# generation is still read, computing all of that at load as before, and the next ingest
# rewrites it (reusing its vectors); the layout is no part of the build key.
LAYOUT_VERSION = 2
LAYOUT_2_FILES = (
    "passages.offsets.npy", "sentences.offsets.npy", "passage_ids.json", "sentence_passages.npy", "terms.json",
    "term_passages.npy", "passage_terms.npy", "passage_terms_start.npy", "sentence_terms.npy",
    "sentence_terms_start.npy",
)

# The files a question reads rows of, by size at 100,099 passages (660, 147, 107, 83, 26, 7 MB).
ROW_FILES = ("sentence_vectors.npy", "vectors.npy", "sentences.jsonl", "passages.jsonl", "sentence_terms.npy",
             "passage_terms.npy")


class IndexBusy(RuntimeError):
    """Another ingest holds the index lock."""


class IndexMissing(RuntimeError):
    """There is no index yet: run ``rag ingest``."""


class StoreUnavailable(RuntimeError):
    """The server holding the index cannot be reached right now; the message says which."""


@dataclass
class Manifest:
    embedder: str
    dimension: int
    chunker_version: str
    chunk_chars: int
    package_version: str
    # Empty in manifests written before it existed, so those indexes are rebuilt once.
    cleaner_version: str = ""
    repair_scope: str = ""
    files: dict[str, dict] = field(default_factory=dict)  # source -> {sha256, path, passages, title, curated, …}
    passages: int = 0
    created_at: str = ""
    manifest_version: int = MANIFEST_VERSION
    layout: int = 1  # manifests written before layouts were numbered have none: layout 1

    def build_key(self) -> dict:
        """What must match for passages and vectors of this index to be reused."""
        return {
            "embedder": self.embedder,
            "dimension": self.dimension,
            "chunker_version": self.chunker_version,
            "chunk_chars": self.chunk_chars,
            "cleaner_version": self.cleaner_version,
            "repair_scope": self.repair_scope,
            "manifest_version": self.manifest_version,
        }

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {f for f in cls.__dataclass_fields__}
        data.setdefault("manifest_version", 0)
        return cls(**{k: v for k, v in data.items() if k in known})

    def write(self, path: Path) -> None:
        _write_atomic(path, json.dumps(asdict(self), ensure_ascii=False, indent=2))


def expected_manifest(embedder_name: str, chunk_chars: int) -> Manifest:
    """The manifest an index built now with this embedder and chunk size would carry."""
    return Manifest(
        embedder=embedder_name,
        dimension=0,
        chunker_version=CHUNKER_VERSION,
        chunk_chars=chunk_chars,
        package_version="",
        cleaner_version=CLEANER_VERSION,
        repair_scope=REPAIR_SCOPE,
    )


def manifest_mismatch(have: Manifest | None, want: Manifest) -> list[tuple[str, object, object]]:
    """(setting, index has, wanted) for each build setting that differs; empty when the index
    can be reused. The dimension follows from the embedder and is not compared on its own."""
    if have is None:
        return []
    old_key, new_key = have.build_key(), want.build_key()
    return [(k, old_key.get(k), v) for k, v in new_key.items() if k != "dimension" and old_key.get(k) != v]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def open_chroma(path: Path):
    """A Chroma client for reading a generation's store.

    Chroma writes even to read: every start adds a row to ``acquire_write`` in chroma.sqlite3
    and a query rewrites the HNSW segment's length.bin, and it has no read-only client
    (chroma-core/chroma#1438), so on a read-only disk or copy it fails with "attempt to write
    a readonly database". A store this process cannot write is therefore opened from a private
    temporary copy, removed when the process exits; the index itself is never changed.
    """
    if _writable(path):
        return chroma_client(path)
    scratch = Path(tempfile.mkdtemp(prefix="rag-chroma-"))
    atexit.register(shutil.rmtree, scratch, True)
    copy = scratch / "chroma"
    shutil.copytree(path, copy, copy_function=shutil.copyfile)
    for item in [copy, *copy.rglob("*")]:
        item.chmod(item.stat().st_mode | stat.S_IWUSR)
    log.info("%s is read-only: reading its vectors from a private copy in %s", path, copy)
    return chroma_client(copy)


def _writable(path: Path) -> bool:
    return all(os.access(item, os.W_OK) for item in [path, *path.rglob("*")])


def chroma_client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )


def hubness(vectors: np.ndarray, neighbours: int = 10, sample: int = 4000, seed: int = 0) -> np.ndarray:
    """Mean cosine similarity of each vector to its nearest neighbours (within a fixed sample
    for large indexes, which keeps this O(n · sample)). A vector is never its own neighbour."""
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=np.float32)
    ref_ids = np.random.default_rng(seed).choice(n, sample, replace=False) if n > sample else np.arange(n)
    ref = vectors[ref_ids]
    position = np.full(n, -1, dtype=np.int64)  # column of each vector in ``ref``, -1 if not sampled
    position[ref_ids] = np.arange(len(ref_ids))
    k = min(neighbours, len(ref) - 1)
    out = np.empty(n, dtype=np.float32)
    for i in range(0, n, 2048):
        rows = np.arange(i, min(i + 2048, n))
        sims = vectors[rows] @ ref.T
        own = position[rows]
        sims[np.nonzero(own >= 0)[0], own[own >= 0]] = -1.0
        top = np.partition(sims, -k, axis=1)[:, -k:]
        out[rows] = top.mean(axis=1)
    return out


class Generation:
    """Read access to one complete generation folder.

    ``passages`` and ``sentences`` are sequences (rows parsed when asked for in layout 2),
    ``by_id`` and ``sentences_of`` mappings, ``vectors`` and ``sentence_vectors`` arrays left on
    disk whose rows are read when asked for (``StoredArray``; ``np.asarray`` reads all)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = Manifest.read(folder / "manifest.json")
        self.vectors = StoredArray(folder / "vectors.npy")
        self.sentence_vectors = StoredArray(folder / "sentence_vectors.npy")
        self.hubness = np.load(folder / "hubness.npy")
        self._stored_terms: tuple[TermSets, TermSets] | None = None
        if self.manifest.layout >= 2:
            self._open_rows()
        else:
            log.warning("index generation %s has layout %d: opening it reads every passage and computes its "
                        "terms (slow for a large index); the next `rag ingest` rewrites it in layout %d",
                        folder.name, self.manifest.layout, LAYOUT_VERSION)
            self._read_rows()

    def _open_rows(self) -> None:
        folder = self.folder
        self.passages = JsonlRows(folder / "passages.jsonl", np.load(folder / "passages.offsets.npy"), Passage)
        self.sentences = JsonlRows(folder / "sentences.jsonl", np.load(folder / "sentences.offsets.npy"),
                                   SentenceSpan)
        ids = json.loads((folder / "passage_ids.json").read_text(encoding="utf-8"))
        self.index_of = {pid: i for i, pid in enumerate(ids)}
        self.by_id = RowsById(self.passages, self.index_of)
        self.sentence_groups = RowGroups(np.load(folder / "sentence_passages.npy"), len(ids))
        self.sentences_of = self.sentence_groups.by_key(self.index_of)
        vocabulary = read_vocabulary(folder)
        self._stored_terms = (TermSets.load(folder, "passage", vocabulary), TermSets.load(folder, "sentence", vocabulary))
        self.term_frequencies = read_frequencies(folder, vocabulary)  # now: the folder may go once superseded
        self.reading_ahead = read_ahead([folder / name for name in ROW_FILES])

    def _read_rows(self) -> None:
        """Layout 1: every row read as an object, the lookups computed (as before layout 2)."""
        self.passages = [Passage(**row) for row in read_jsonl_rows(self.folder / "passages.jsonl")]
        self.sentences = [SentenceSpan(**row) for row in read_jsonl_rows(self.folder / "sentences.jsonl")]
        self.index_of = {p.id: i for i, p in enumerate(self.passages)}
        self.by_id = {p.id: p for p in self.passages}
        sentences_of: dict[str, list[int]] = {}
        for i, s in enumerate(self.sentences):
            sentences_of.setdefault(s.passage_id, []).append(i)
        self.sentences_of = sentences_of
        owner = np.array([self.index_of.get(s.passage_id, -1) for s in self.sentences], dtype=np.int64)
        self.sentence_groups = RowGroups(owner, len(self.passages))

    @cached_property
    def sentence_hubness(self) -> np.ndarray:
        """Per sentence: mean similarity to its nearest sentences. A sentence close to many others
        says something general (an introduction, a summary); retrieval and answers prefer specific
        ones. Computed here for a generation written before it was stored."""
        path = self.folder / "sentence_hubness.npy"
        if path.exists():
            return np.load(path)
        return hubness(np.asarray(self.sentence_vectors, dtype=np.float32))

    @cached_property
    def passage_terms(self) -> Sequence[frozenset[str]]:
        """Stemmed terms of each passage (``rag.lexical.terms`` of its text): stored since layout 2,
        computed once here for an older generation."""
        if self._stored_terms is not None:
            return self._stored_terms[0]
        from rag.lexical import terms

        return [frozenset(terms(p.text)) for p in self.passages]

    @cached_property
    def sentence_terms(self) -> Sequence[frozenset[str]]:
        """Stemmed terms of each sentence, as ``passage_terms``."""
        if self._stored_terms is not None:
            return self._stored_terms[1]
        from rag.lexical import terms

        return [frozenset(terms(s.text)) for s in self.sentences]

    @cached_property
    def term_frequencies(self) -> dict[str, int]:
        """How many passages use each stemmed term: stored since layout 2, counted here before."""
        return term_frequencies(self.passage_terms)

    @cached_property
    def places(self) -> Places:
        """Source and section of every passage (read in one pass the first time they are needed)."""
        return Places.of(self.passages)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every stemmed term of the passages."""
        return frozenset(self.term_frequencies)

    @property
    def name(self) -> str:
        """The generation's id: its folder's name, the same in every store."""
        return self.folder.name

    def load_bm25(self):
        from rag.index.bm25 import BM25Index

        return BM25Index.load(self.folder / "bm25")

    def vectorstore(self, embedder: Embeddings):
        """The passages' dense index (langchain-chroma) for candidate search."""
        from langchain_chroma import Chroma

        client = open_chroma(self.folder / "chroma")
        return Chroma(collection_name=COLLECTION, embedding_function=embedder, client=client)

    def vector_cache(self, embed_text) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Text -> vector (a row of this generation's arrays) for every passage and sentence."""
        passages = dict(zip((embed_text(p) for p in self.passages), self.vectors))
        sentences = dict(zip((s.text for s in self.sentences), self.sentence_vectors))
        return passages, sentences


class IndexDir:
    """Generations under one folder, the ``CURRENT`` pointer and the writer lock."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def describe(self) -> str:
        return str(self.root)

    def current_id(self) -> str | None:
        folder = self.current()
        return folder.name if folder else None

    def current(self) -> Path | None:
        if not self.pointer.exists():
            return None
        folder = self.root / self.pointer.read_text(encoding="utf-8").strip()
        return folder if (folder / "manifest.json").exists() else None

    def current_manifest(self) -> Manifest | None:
        folder = self.current()
        return Manifest.read(folder / "manifest.json") if folder else None

    def open_current(self) -> Generation:
        folder = self.current()
        if folder is None:
            raise IndexMissing("no index in {}; run `rag ingest` first".format(self.root))
        return Generation(folder)

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        # Microseconds: two ingests in one process within a second need distinct folders.
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        folder = self.root / "gen-{}-{}".format(stamp, os.getpid())
        folder.mkdir()
        return folder

    def begin(self) -> "FolderDraft":
        return FolderDraft(self, self.new_generation())

    def activate(self, folder: Path) -> None:
        _write_atomic(self.pointer, folder.name)
        self._prune(keep=folder)

    def prune(self) -> None:
        """Remove what interrupted ingests left behind; only call with the writer lock held."""
        current = self.current()
        if current is not None:
            self._prune(keep=current)

    def _prune(self, keep: Path) -> None:
        """Remove unfinished and superseded generations, keeping the newest previous one
        for processes that may still be reading it."""
        gens = sorted(p for p in self.root.glob("gen-*") if p.is_dir() and p != keep)
        finished = [p for p in gens if (p / "manifest.json").exists()]
        keep_previous = finished[-1:] if finished else []
        for folder in gens:
            if folder not in keep_previous:
                shutil.rmtree(folder, ignore_errors=True)

    def lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        return _FileLock(self.root / ".ingest.lock")


class FolderDraft:
    """A generation being written into its folder; ``publish`` makes it current."""

    def __init__(self, index: IndexDir, folder: Path) -> None:
        self.index = index
        self.folder = folder
        self.name = folder.name

    def write_dense(self, passages: list[Passage], texts: list[str], vectors: np.ndarray) -> None:
        write_chroma(self.folder / "chroma", passages, texts, vectors)

    def publish(self) -> None:
        self.index.activate(self.folder)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = None

    def __enter__(self):
        self.fh = open(self.path, "w")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise IndexBusy(
                "another ingest is running on {}; wait for it to finish and try again".format(self.path.parent)
            ) from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


class GenerationWriter:
    """Writes one generation a batch at a time, so that memory stays bounded whatever the size of
    the corpus: passages.jsonl and sentences.jsonl grow line by line, vectors go to raw files, and
    BM25 keeps only term ids. ``finish`` writes the .npy files, the hubness scores, BM25, Chroma
    (read back from passages.jsonl and the vectors in batches) and, last, the manifest that marks
    the generation complete."""

    def __init__(
        self,
        folder: Path,
        embed_text: Callable[[Passage], str],
        write_dense: Callable[[list[Passage], list[str], np.ndarray], None] | None = None,
    ) -> None:
        from rag.index.bm25 import BM25Builder

        self.folder = folder
        self.embed_text = embed_text
        # Where the passages' dense index goes: the folder's own Chroma store, or a Chroma server.
        self.write_dense = write_dense or self._write_own_chroma
        self.passages = 0
        self.sentences = 0
        self.dimension = 0
        self._bm25 = BM25Builder()
        self._terms = TermTableWriter()
        self._ids: list[str] = []  # of each passage row
        self._row_of: dict[str, int] = {}  # passage id -> row
        self._line_ends: dict[str, list[np.ndarray]] = {"passages": [], "sentences": []}
        self._sentence_passages: list[np.ndarray] = []
        self._files = {
            "passages": open(folder / "passages.jsonl", "wb"),
            "sentences": open(folder / "sentences.jsonl", "wb"),
            "vectors": open(folder / "vectors.f32", "wb"),
            "sentence_vectors": open(folder / "sentence_vectors.f32", "wb"),
        }

    def _write_own_chroma(self, passages: list[Passage], texts: list[str], vectors: np.ndarray) -> None:
        write_chroma(self.folder / "chroma", passages, texts, vectors)

    def add(
        self,
        passages: list[Passage],
        sentences: list[SentenceSpan],
        vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> None:
        """Append passages and sentences with their vectors (row i belongs to item i)."""
        if not passages and not sentences:
            return
        self.dimension = int(vectors.shape[1] if len(passages) else sentence_vectors.shape[1])
        for j, p in enumerate(passages):
            self._ids.append(p.id)
            self._row_of[p.id] = self.passages + j
        try:
            owners = np.array([self._row_of[s.passage_id] for s in sentences], dtype=np.int32)
        except KeyError as exc:
            raise ValueError("sentence of passage {} added before its passage".format(exc.args[0])) from None
        self._sentence_passages.append(owners)
        self._write_lines("passages", passages)
        self._write_lines("sentences", sentences)
        self._files["vectors"].write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
        self._files["sentence_vectors"].write(np.ascontiguousarray(sentence_vectors, dtype=np.float32).tobytes())
        for p in passages:
            self._bm25.add(self.embed_text(p))
        self._terms.add("passage", (p.text for p in passages))
        self._terms.add("sentence", (x.text for x in sentences))
        self.passages += len(passages)
        self.sentences += len(sentences)

    def finish(self, manifest: "Manifest", batch: int = 4000) -> None:
        """Write the rest of the generation; the manifest goes last and marks it complete.

        BM25 is built and let go before Chroma is filled: each holds several kilobytes per
        passage while it is built, and one after the other keeps the peak to the larger of them.
        """
        self.close()
        vectors = _npy_from_raw(self.folder / "vectors.f32", self.folder / "vectors.npy", self.dimension)
        sentence_vectors = _npy_from_raw(
            self.folder / "sentence_vectors.f32", self.folder / "sentence_vectors.npy", self.dimension
        )
        np.save(self.folder / "hubness.npy", hubness(np.load(vectors, mmap_mode="r")))
        np.save(self.folder / "sentence_hubness.npy", hubness(np.load(sentence_vectors, mmap_mode="r")))
        self._bm25.build().save(self.folder / "bm25")
        self._bm25 = None
        self._save_lookups()
        # Read, not mapped: pages of a mapped file count in the process's memory while mapped.
        rows = np.load(vectors, mmap_mode="r")
        offset, width = rows.offset, rows.shape[1]
        del rows
        with open(self.folder / "passages.jsonl", encoding="utf-8") as fh, open(vectors, "rb") as vh:
            vh.seek(offset)
            while chunk := [Passage(**json.loads(line)) for line in itertools.islice(fh, batch)]:
                texts = [self.embed_text(p) for p in chunk]
                block = np.fromfile(vh, dtype=np.float32, count=len(chunk) * width).reshape(len(chunk), width)
                self.write_dense(chunk, texts, block)
        manifest.dimension = self.dimension
        manifest.passages = self.passages
        manifest.created_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        manifest.package_version = __version__
        manifest.layout = LAYOUT_VERSION
        manifest.write(self.folder / "manifest.json")

    def _write_lines(self, name: str, items: list) -> None:
        lines = [(json.dumps(asdict(x), ensure_ascii=False) + "\n").encode("utf-8") for x in items]
        self._files[name].writelines(lines)
        self._line_ends[name].append(np.array([len(line) for line in lines], dtype=np.int64))

    def _save_lookups(self) -> None:
        """What layout 2 stores so that opening the generation parses no row (see ``Generation``)."""
        for name in ("passages", "sentences"):
            sizes = np.concatenate(self._line_ends[name]) if self._line_ends[name] else np.zeros(0, np.int64)
            offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
            np.cumsum(sizes, out=offsets[1:])
            np.save(self.folder / "{}.offsets.npy".format(name), offsets)
        (self.folder / "passage_ids.json").write_text(json.dumps(self._ids, ensure_ascii=False), encoding="utf-8")
        owners = np.concatenate(self._sentence_passages) if self._sentence_passages else np.zeros(0, np.int32)
        np.save(self.folder / "sentence_passages.npy", owners)
        self._terms.save(self.folder)
        self._terms = None

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()


def _npy_from_raw(raw: Path, out: Path, dimension: int) -> Path:
    """The rows of float32 in ``raw`` as a .npy file, copied in blocks (never all in memory)."""
    rows = raw.stat().st_size // (4 * dimension) if dimension else 0
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False,
              "shape": (rows, dimension)}
    with open(out, "wb") as fh, open(raw, "rb") as src:
        np.lib.format.write_array_header_1_0(fh, header)
        shutil.copyfileobj(src, fh, 16 * 1024 * 1024)
    raw.unlink()
    return out


def write_generation(
    folder: Path,
    manifest: Manifest,
    passages: list[Passage],
    sentences: list[SentenceSpan],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    embed_text,
) -> None:
    """Write a whole generation from lists already in memory (the scale benchmark's way)."""
    writer = GenerationWriter(folder, embed_text)
    writer.add(passages, sentences, vectors, sentence_vectors)
    writer.finish(manifest)


class _GivenVectors(Embeddings):
    """Hands Chroma the vectors already computed for the texts it is adding, in order."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.start = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        rows = self.vectors[self.start : self.start + len(texts)]
        self.start += len(texts)
        return rows.tolist()

    def embed_query(self, text: str) -> list[float]:
        raise RuntimeError("a store being written is not queried")


def write_chroma(path: Path, passages: list[Passage], texts: list[str], vectors: np.ndarray, batch: int = 4000) -> None:
    """Add passages to the Chroma collection at ``path`` through langchain-chroma, with their vectors."""
    from langchain_chroma import Chroma

    store = Chroma(
        collection_name=COLLECTION,
        embedding_function=_GivenVectors(vectors),
        client=chroma_client(path),
        collection_metadata={"hnsw:space": "cosine"},
    )
    for i in range(0, len(passages), batch):
        chunk = passages[i : i + batch]
        store.add_texts(
            texts=texts[i : i + batch], metadatas=[_metadata(p) for p in chunk], ids=[p.id for p in chunk]
        )


def _metadata(p: Passage) -> dict:
    meta = {
        "source": p.source,
        "section": p.section,
        "chapter": p.section.split(" › ")[0],
        "start": p.start,
        "end": p.end,
        "ordinal": p.ordinal,
    }
    if p.page is not None:
        meta["page"] = p.page
    return meta
