"""Work a fresh clone need not do again: vectors by embedder and exact text, passages by file.

Two stores answer ``VectorCache.get`` before the embedder is asked:

- **shipped**: ``<corpus>/.prebuilt/vectors-<embedder>.npz``, committed beside the report, so
  a fresh clone's first ingest embeds nothing that the project already embedded. Rows are
  float32 (see ``SHIPPED_DTYPE``). ``python -m rag.index.vector_cache`` writes it again, and
  ``passages.jsonl.gz`` beside it, from the current index.
- **pending**: ``<index>/pending-vectors.bin``, an append-only log of every vector the running
  ingest computes, one write per batch. An ingest that is killed leaves its vectors there and
  the next one reuses them; a published generation holds them itself, so the log is then emptied.

A key is the first 16 bytes of sha256(embedder name, text): a changed text (a new cleaner, a
changed file) has another key and is embedded as before, never served a stale vector.

``ShippedPassages`` does the same for the repaired text: a file's passages and sentences by
its sha256 and everything else that the index's build key says shapes them (cleaner and chunker
versions, chunk size, source name, title), so repairing the report's OCR text (seconds, and the
lexicon it loads) is skipped too. A changed file, cleaner or chunker misses and is read as before.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Iterable

import numpy as np

log = logging.getLogger(__name__)

KEY_BYTES = 16
SHIPPED_FOLDER = ".prebuilt"
PASSAGES_FILE = "passages.jsonl.gz"
PENDING_FILE = "pending-vectors.bin"
# Measured 2026-12-06 with `rag eval --gold evals/gold_dev.jsonl` on an index built from the
# shipped rows: float32 (808 kB) answers all 104 dev questions exactly as an ordinary build;
# float16 (403 kB) keeps every passage ranking but changes one answer (dev-066 quotes one more
# sentence, citation precision 0.389 -> 0.387) and 8 evidence scores in the fourth decimal.
SHIPPED_DTYPE = np.float32


def text_key(embedder: str, text: str) -> bytes:
    return hashlib.sha256("{}\x1f{}".format(embedder, text).encode("utf-8", "surrogatepass")).digest()[:KEY_BYTES]


def shipped_path(corpus_dir: Path, embedder: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", embedder).strip("-")
    return Path(corpus_dir) / SHIPPED_FOLDER / ("vectors-" + slug + ".npz")


def read_shipped(path: Path, embedder: str) -> dict[bytes, np.ndarray]:
    """Key -> vector from a shipped file; empty (with a warning) when it is unreadable or for another embedder."""
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["embedder"]) != embedder:
                log.warning("%s holds vectors of %s, not %s; not used", path, data["embedder"], embedder)
                return {}
            keys, rows = data["keys"], data["vectors"].astype(np.float32)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("cannot read the shipped vectors %s (%s); embedding instead", path, exc)
        return {}
    return {bytes(k): row for k, row in zip(keys, rows)}


def write_shipped(path: Path, embedder: str, items: Iterable[tuple[str, np.ndarray]]) -> int:
    """Write (text, vector) pairs, each text once, in the order given; the number written."""
    rows: dict[bytes, np.ndarray] = {}
    for text, vector in items:
        rows.setdefault(text_key(embedder, text), np.asarray(vector, dtype=np.float32))
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(-1, KEY_BYTES)
    vectors = np.stack(list(rows.values())).astype(SHIPPED_DTYPE) if rows else np.zeros((0, 0), SHIPPED_DTYPE)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, embedder=np.array(embedder), keys=keys, vectors=vectors)
    os.replace(tmp, path)
    return len(rows)


class PendingLog:
    """The vectors an ingest has computed and not yet published, appended as they come.

    The file starts with one JSON line naming the embedder and the vector size; then records of
    key + float32 row. A record cut off by a kill is dropped when the file is read."""

    def __init__(self, path: Path, embedder: str) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self._fh = None
        self._dimension = 0

    def read(self) -> dict[bytes, np.ndarray]:
        if not self.path.is_file():
            return {}
        with open(self.path, "rb") as fh:
            head = fh.readline()
            try:
                meta = json.loads(head)
                dimension = int(meta["dimension"])
            except (ValueError, KeyError, TypeError):
                return {}
            if meta.get("embedder") != self.embedder or dimension <= 0:
                return {}
            body = fh.read()
        record = KEY_BYTES + 4 * dimension
        whole = len(body) // record
        out: dict[bytes, np.ndarray] = {}
        for i in range(whole):
            chunk = body[i * record : (i + 1) * record]
            out[chunk[:KEY_BYTES]] = np.frombuffer(chunk, dtype=np.float32, offset=KEY_BYTES).copy()
        self._dimension = dimension
        self._whole = whole
        return out

    def append(self, texts: list[str], vectors: np.ndarray) -> None:
        if not texts:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self._fh is None:
            self._open(vectors.shape[1])
        if vectors.shape[1] != self._dimension:
            return  # another vector size than the log's: not cached, still used by this ingest
        self._fh.write(b"".join(text_key(self.embedder, t) + v.tobytes() for t, v in zip(texts, vectors)))
        self._fh.flush()

    def _open(self, dimension: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = self.read() if self.path.is_file() else None
        if existing is None or self._dimension != dimension:
            with open(self.path, "wb") as fh:
                fh.write(json.dumps({"embedder": self.embedder, "dimension": dimension}).encode() + b"\n")
            self._whole = 0
        else:
            # Cut a record a kill left half written, so new records stay aligned.
            with open(self.path, "rb") as fh:
                head = len(fh.readline())
            os.truncate(self.path, head + self._whole * (KEY_BYTES + 4 * dimension))
        self._dimension = dimension
        self._fh = open(self.path, "ab")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def clear(self) -> None:
        """The vectors are in a published generation now."""
        self.close()
        self.path.unlink(missing_ok=True)


class VectorCache:
    """Vectors by text for one embedder: pending log first, then the shipped file; new vectors
    go to the pending log."""

    def __init__(self, embedder: str, shipped: Path | None, pending: Path | None) -> None:
        self.embedder = embedder
        self.pending = PendingLog(pending, embedder) if pending is not None else None
        self.rows: dict[bytes, np.ndarray] = {}
        if shipped is not None:
            self.rows.update(read_shipped(shipped, embedder))
        self.shipped = len(self.rows)
        if self.pending is not None:
            self.rows.update(self.pending.read())
        self.hits = 0

    def get(self, text: str) -> np.ndarray | None:
        row = self.rows.get(text_key(self.embedder, text))
        if row is not None:
            self.hits += 1
        return row

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        if self.pending is not None:
            self.pending.append(texts, vectors)

    def published(self) -> None:
        if self.pending is not None:
            self.pending.clear()

    def close(self) -> None:
        if self.pending is not None:
            self.pending.close()


def file_key(digest: str, source: str, chunk_chars: int, title: str | None, ocr: bool) -> str:
    """What a file's passages depend on besides the code: its bytes, name, chunk size, title and
    whether it is OCR output (repaired or kept as written)."""
    from rag.index.chunking import CHUNKER_VERSION
    from rag.index.clean import CLEANER_VERSION

    parts = (digest, source, str(chunk_chars), title or "", "ocr" if ocr else "as-written", CHUNKER_VERSION,
             CLEANER_VERSION)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclasses.dataclass(frozen=True)
class FileRows:
    """A file's passages and sentences as an ingest places them, and the title it found."""

    title: str | None
    passages: list
    sentences: list


class ShippedPassages:
    """``<corpus>/.prebuilt/passages.jsonl.gz``: one line per file, found by ``file_key``."""

    def __init__(self, corpus_dir: Path) -> None:
        self.path = Path(corpus_dir) / SHIPPED_FOLDER / PASSAGES_FILE
        self._lines: dict[str, dict] | None = None

    def get(self, key: str) -> FileRows | None:
        from rag.types import Passage, SentenceSpan

        if self._lines is None:
            self._lines = self._read()
        row = self._lines.get(key)
        if row is None:
            return None
        return FileRows(row["title"], [Passage(**p) for p in row["passages"]],
                        [SentenceSpan(**s) for s in row["sentences"]])

    def _read(self) -> dict[str, dict]:
        if not self.path.is_file():
            return {}
        try:
            with gzip.open(self.path, "rt", encoding="utf-8") as fh:
                return {row["key"]: row for row in map(json.loads, fh)}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cannot read the shipped passages %s (%s); reading the files instead", self.path, exc)
            return {}

    def write(self, rows: dict[str, FileRows]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        # mtime=0: the same passages give the same bytes, so regenerating changes no committed file.
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            for key, item in sorted(rows.items()):
                line = {"key": key, "title": item.title, "passages": [dataclasses.asdict(p) for p in item.passages],
                        "sentences": [dataclasses.asdict(x) for x in item.sentences]}
                fh.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
        os.replace(tmp, self.path)
        self._lines = None


def regenerate(settings, embedder=None) -> tuple[Path, int]:
    """Write the shipped vectors of ``settings.corpus_dir`` from its current index (ingesting the
    corpus first, as ``rag ingest`` would): every passage and sentence of a file in the corpus folder."""
    from rag.embeddings import make_embedder
    from rag.index.ingest import corpus_documents, embed_text, ingest
    from rag.index.stores import make_store

    embedder = embedder or make_embedder(settings)
    ingest(settings, embedder=embedder, progress=sys.stderr.isatty())
    generation = make_store(settings).open_current()
    corpus = Path(settings.corpus_dir).resolve()
    inside = {
        source for source, entry in generation.manifest.files.items()
        if corpus in Path(entry["path"]).resolve().parents
    }
    rows = [i for i, p in enumerate(generation.passages) if p.source in inside]
    ids = {generation.passages[i].id for i in rows}
    s_rows = [i for i, s in enumerate(generation.sentences) if s.passage_id in ids]
    items = [(embed_text(generation.passages[i]), generation.vectors[i]) for i in rows]
    items += [(generation.sentences[i].text, generation.sentence_vectors[i]) for i in s_rows]
    path = shipped_path(settings.corpus_dir, embedder.name)
    written = write_shipped(path, embedder.name, items)
    curated = corpus_documents(settings.corpus_dir)
    files: dict[str, FileRows] = {}
    for source in sorted(inside):
        entry = generation.manifest.files[source]
        key = file_key(entry["sha256"], source, settings.chunk_chars, curated.get(source, {}).get("title"),
                       bool(entry.get("ocr")))
        ids = {p.id for p in generation.passages if p.source == source}
        files[key] = FileRows(entry.get("title"), [p for p in generation.passages if p.source == source],
                              [s for s in generation.sentences if s.passage_id in ids])
    ShippedPassages(settings.corpus_dir).write(files)
    return path, written


def main(argv: list[str] | None = None) -> int:
    from rag.cli import add_settings_args, settings_from_args

    parser = argparse.ArgumentParser(
        prog="python -m rag.index.vector_cache",
        description="Write <corpus>/.vectors/<embedder>.npz from the index of the corpus folder, so a "
        "fresh clone's first ingest reuses these vectors instead of embedding the report again.",
    )
    add_settings_args(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path, n = regenerate(settings_from_args(args))
    print("wrote {} vectors to {}".format(n, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
