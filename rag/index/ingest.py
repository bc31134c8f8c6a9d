"""Ingest: files -> passages -> vectors -> a new index generation, incrementally.

Unchanged files keep their passages, unchanged text keeps its vectors, and a changed file
replaces only its own passages. Naming files adds or updates those files and keeps the rest of
the index; a file leaves the index only when ``remove`` names it or when a folder being
ingested no longer holds it (the output says which and why). A file that fails to load keeps
whatever it had in the index before.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from tqdm import tqdm

from rag.index.chunking import SECTION_SEP
from rag.config import Settings
from rag.embeddings import Embedder, make_embedder
from rag.index.embed_workers import EmbedWorkers
from rag.index.loaders import LoaderError, file_sha256, scan, source_name
from rag.index.segments import FilePassages, Segment, segments
from rag.index.store import (
    LAYOUT_VERSION,
    MANIFEST_VERSION,
    Generation,
    GenerationWriter,
    expected_manifest,
    manifest_mismatch,
)
from rag.index.stores import make_store
from rag.index.vector_cache import PENDING_FILE, PendingLog, ShippedPassages, VectorCache, file_key, shipped_path
from rag.types import Passage, SentenceSpan

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    generation: str | None
    up_to_date: bool = False
    rebuild_reason: str | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # not named this time, left as they were
    failed: list[tuple[str, str]] = field(default_factory=list)
    removed_why: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0
    embedded: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        if self.up_to_date:
            head = "index up to date ({} passages); nothing to embed".format(self.passages)
        else:
            head = "indexed {} passages ({} new texts embedded): {} added, {} changed, {} removed, {} unchanged".format(
                self.passages, self.embedded, len(self.added), len(self.changed), len(self.removed), len(self.unchanged)
            )
        if self.kept:
            head += ", {} kept (not named)".format(len(self.kept))
        lines = [head + " in {:.1f} s".format(self.seconds)]
        if self.rebuild_reason:
            lines.insert(0, "rebuilding the index: " + self.rebuild_reason)
        lines += ["removed {}: {}".format(src, self.removed_why.get(src, "")) for src in self.removed]
        if self.skipped:
            lines.append("skipped {} file(s) that are not indexed:".format(len(self.skipped)))
            lines += ["  {}: {}".format(path, why) for path, why in self.skipped]
        lines += ["FAILED {}: {}".format(src, why) for src, why in self.failed]
        return "\n".join(lines)


@dataclass
class IngestTally:
    """How far a running ingest has come, read from another thread (the web app's status line):
    passages and sentences read so far (a segment's count is known once it is chunked, before
    it is embedded) and how many of them have their vectors, embedded now or reused."""

    passages: int = 0
    sentences: int = 0
    passages_done: int = 0
    sentences_done: int = 0


def embed_text(p: Passage) -> str:
    """Text given to the embedder and to BM25: the nearest headings give a passage its topic."""
    heading = SECTION_SEP.join(p.section.split(SECTION_SEP)[-2:])
    return heading + "\n" + p.text


def corpus_documents(corpus_dir: Path) -> dict[str, dict]:
    """The documents the corpus manifest describes (the curated report), by file name: their
    title, publisher, year, whether they are OCR output ("ocr": true, the only files OCR repair
    runs on) and, when given, the sha256 of their bytes. Quotes from any other file are never
    attributed to the report."""
    path = corpus_dir / "manifest.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        d["file"]: {k: d.get(k) for k in ("title", "publisher", "year", "sha256", "ocr")}
        for d in data.get("documents", [])
        if d.get("file")
    }


def _described(curated: dict[str, dict], source: str | None, digest: str) -> dict | None:
    """The corpus manifest's description of ``source``, or None when it describes another file: a
    file of that name whose bytes differ from the recorded sha256 is not the report."""
    described = curated.get(source or "")
    if described is None or (described.get("sha256") and described["sha256"] != digest):
        return None
    return described


def _flags(described: dict | None) -> dict:
    """What a file's index entry records from the corpus manifest; a change to any of them makes
    the file be read again although its bytes are the same."""
    return {"curated": described is not None, "ocr": bool((described or {}).get("ocr"))}


Notify = Callable[[str], None]


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    embedder: Embedder | None = None,
    progress: bool | None = None,
    notify: Notify | None = None,
    tally: IngestTally | None = None,
) -> IngestReport:
    """Add or update the files in ``paths`` (files or folders; default: the corpus folder).

    Files of the index that are not named stay as they are; a named folder's files that are no
    longer in it are removed, and ``notify`` is told so before any work is done. ``tally``, when
    given, is kept up to date as passages and sentences are read and embedded.
    """
    targets = list(paths) if paths else [settings.corpus_dir]
    return _update(settings, targets, (), embedder, progress, notify, tally)


def remove(
    settings: Settings,
    names: Iterable[str | Path],
    embedder: Embedder | None = None,
    progress: bool | None = None,
    notify: Notify | None = None,
) -> IngestReport:
    """Remove the named files (source names as cited, or paths) from the index; ValueError
    naming any that the index does not hold. The rest keeps its passages and vectors."""
    return _update(settings, [], list(names), embedder, progress, notify)


def _update(settings, targets, names, embedder, progress, notify, tally=None) -> IngestReport:
    started = time.perf_counter()
    notify = notify or (lambda message: log.info("%s", message))
    index = make_store(settings)
    found = scan(targets)
    folders = [Path(t).resolve() for t in targets if Path(t).is_dir()]
    embedder = embedder or make_embedder(settings)
    if progress is None:
        progress = sys.stderr.isatty()

    with index.lock():
        old_manifest = index.current_manifest()
        # An index written in another format is rebuilt from scratch, never read.
        old = index.open_current() if old_manifest and old_manifest.manifest_version == MANIFEST_VERSION else None
        manifest = expected_manifest(embedder.name, settings.chunk_chars)
        reason = ", ".join("{} {} -> {}".format(*d) for d in manifest_mismatch(old_manifest, manifest)) or None
        reusable = old is not None and reason is None
        old_files = old_manifest.files if old_manifest else {}
        drop = _named_for_removal(names, old_files, settings.corpus_dir)
        report = IngestReport(generation=None, rebuild_reason=reason, skipped=found.skipped)
        plan = _plan(settings, found, folders, old_files, drop, reusable, report)
        for source in report.removed:
            notify("removing {} from the index: {}".format(source, report.removed_why[source]))

        # A generation in an older layout is written again in this one, every vector reused.
        rewrite = reusable and old.manifest.layout < LAYOUT_VERSION
        if rewrite:
            notify("index generation {} has layout {}: writing it again in layout {} (nothing is embedded)".format(
                old.name, old.manifest.layout, LAYOUT_VERSION))
        if reusable and not rewrite and not any(path for _, path in plan) and not report.removed:
            index.prune()  # a killed ingest's folder would otherwise linger until the next change
            report.up_to_date = True
            report.generation = old.name
            report.passages = sum(old_files[source]["passages"] for source, _ in plan)
            report.seconds = time.perf_counter() - started
            return report

        draft = index.begin()
        writer = GenerationWriter(draft.folder, embed_text, draft.write_dense)
        try:
            _write(settings, plan, old if reusable or _same_embedder(old, embedder) else None, reusable,
                   writer, manifest, embedder, progress, report, tally)
            report.passages = writer.passages
            if reusable and not rewrite and not (report.added or report.changed or report.removed):
                # Every file to load failed and kept its passages: the index already is what this gives.
                writer.close()
                draft.discard()
                report.up_to_date = True
                report.generation = old.name
                report.seconds = time.perf_counter() - started
                return report
            if not writer.passages:
                if report.removed and not found.files and not report.failed:
                    raise ValueError("removing {} would leave the index empty; ingest other files first".format(
                        ", ".join(report.removed)))
                shown = ", ".join(str(p) for p in found.files) or ", ".join(str(t) for t in targets)
                raise LoaderError(shown or str(settings.corpus_dir), "nothing could be ingested")
            writer.finish(manifest)
            draft.publish()
            if _pending_path(settings) is not None:
                # The new generation holds every vector the log kept for a killed ingest's sake.
                PendingLog(_pending_path(settings), embedder.name).clear()
        except BaseException:
            writer.close()
            draft.discard()
            raise
        report.generation = draft.name
        report.seconds = time.perf_counter() - started
        log.info("%s", report.summary())
        return report


def _same_embedder(old: Generation | None, embedder: Embedder) -> bool:
    return old is not None and old.manifest.embedder == embedder.name


def _plan(settings, found, folders, old_files, drop, reusable, report) -> list[tuple[str, Path | None]]:
    """(source, path to load or None to keep its old passages) in the order of the new index;
    fills the report's unchanged, kept, removed and (for unresolvable links) failed lists."""
    curated = corpus_documents(settings.corpus_dir)
    plan: list[tuple[str, Path | None]] = []
    seen: set[str] = set()
    for path, why in found.broken:
        source = source_name(Path(os.path.abspath(path)), settings.corpus_dir)
        seen.add(source)
        report.failed.append((path, why))
        if reusable and source in old_files:
            plan.append((source, None))
    for path in found.files:
        source = source_name(path.resolve(), settings.corpus_dir)
        seen.add(source)
        prev = old_files.get(source)
        try:
            digest = file_sha256(path)
            unchanged = (
                reusable and prev is not None and prev["sha256"] == digest
                and {k: prev.get(k) for k in ("curated", "ocr")} == _flags(_described(curated, source, digest))
            )
        except LoaderError as exc:
            log.warning("%s", exc)
            report.failed.append((str(path), exc.reason))
            if reusable and prev is not None:
                plan.append((source, None))
            continue
        if unchanged:
            report.unchanged.append(source)
        plan.append((source, None if unchanged else path))
    for source, entry in old_files.items():
        if source in seen:
            continue
        why = drop.get(source) or _gone_from(Path(entry["path"]), folders)
        if why is None and not reusable and not Path(entry["path"]).is_file():
            why = "its file {} no longer exists and the index is being rebuilt".format(entry["path"])
        if why is not None:
            report.removed.append(source)
            report.removed_why[source] = why
        elif reusable:
            report.kept.append(source)
            plan.append((source, None))
        else:
            plan.append((source, Path(entry["path"])))  # a rebuild reads the file again from where it was
    return plan


def _write(settings, plan, old, reusable, writer, manifest, embedder, progress, report, tally=None) -> None:
    """Every planned file into ``writer``: old passages with their vectors, or loaded and embedded
    segment by segment."""
    old_files = old.manifest.files if old is not None else {}
    rows = _rows_by_source(old) if old is not None else {}
    curated = corpus_documents(settings.corpus_dir)
    shipped = ShippedPassages(settings.corpus_dir)
    vectors = _Vectors(
        embedder, *(old.vector_cache(embed_text) if old is not None else ({}, {})), progress, tally=tally or IngestTally(),
        known=VectorCache(embedder.name, shipped_path(settings.corpus_dir, embedder.name), _pending_path(settings)),
        workers=EmbedWorkers(embedder, settings.ingest_workers),
    )
    try:
        for source, path in plan:
            if path is None:
                writer.add(*_old_rows(old, rows.get(source, ([], []))))
                manifest.files[source] = old_files[source]
                continue
            try:
                entry = _load(path, settings, curated, writer, vectors, shipped)
            except LoaderError as exc:
                log.warning("%s", exc)
                report.failed.append((str(path), exc.reason))
                if reusable and source in old_files:
                    # Keep what the index already had for a file that now fails to load.
                    writer.add(*_old_rows(old, rows.get(source, ([], []))))
                    manifest.files[source] = old_files[source]
                continue
            (report.changed if source in old_files else report.added).append(source)
            manifest.files[source] = entry
    finally:
        vectors.close()
    report.embedded = vectors.embedded


def _load(path: Path, settings: Settings, curated: dict[str, dict], writer, vectors, shipped=None) -> dict:
    """Load, repair, chunk and embed one file into ``writer``, a segment at a time (or take its
    passages from ``shipped``, the ones placed before for these very bytes); its manifest entry,
    which says whether the corpus manifest describes the file (``curated``: the report) and, if so,
    its publisher and year. LoaderError comes before anything of the file is written."""
    digest = file_sha256(path)
    placed = FilePassages(settings.chunk_chars)
    source = source_name(path.resolve(), settings.corpus_dir)
    described = _described(curated, source, digest)
    if described is None and source in curated:
        log.warning(
            "%s differs from the file corpus/manifest.json describes (sha256 %s); it is quoted under its "
            "own title, not as the report, and not OCR-repaired. Update the manifest if this is a new "
            "edition.", source, curated[source].get("sha256"),
        )
    flags = _flags(described)
    key = file_key(digest, source, settings.chunk_chars, (described or {}).get("title"), flags["ocr"])
    prebuilt = shipped.get(key) if shipped is not None else None
    # A segment's rows are collected once the next one is repaired and chunked: with worker
    # processes, embedding one overlaps reading the next.
    waiting = None
    for segment in [] if prebuilt else segments(path, settings.corpus_dir, digest):
        doc = segment.doc
        title = (described or {}).get("title") or doc.title
        segment = Segment(segment.offset, dataclasses.replace(doc, title=title, ocr=flags["ocr"]))
        passages, sentences = placed.place(segment)
        started = vectors.start(passages, sentences)
        if waiting is not None:
            writer.add(*vectors.finish(waiting))
        waiting = started
    if waiting is not None:
        writer.add(*vectors.finish(waiting))
    if prebuilt:
        placed.title, placed.passages = prebuilt.title, len(prebuilt.passages)
        writer.add(*vectors.finish(vectors.start(prebuilt.passages, prebuilt.sentences)))
    if not placed.passages:
        raise LoaderError(str(path), "no text left after cleaning; check that it is not only figures")
    return {
        "sha256": digest,
        "path": str(path.resolve()),
        "title": placed.title,
        "passages": placed.passages,
        **flags,
        "publisher": (described or {}).get("publisher"),
        "year": (described or {}).get("year"),
    }


def _pending_path(settings: Settings) -> Path | None:
    """Where an ingest logs the vectors it computes: beside a local index. An ingest into a Chroma
    server keeps no files on this machine (a replica or a build job may have no index folder)."""
    return None if settings.chroma_url else settings.index_dir / PENDING_FILE


class _Vectors:
    """Vectors for passages and sentences: reused from the previous generation by text, else from
    ``known`` (vectors shipped beside the corpus, or computed by an ingest that did not finish),
    else embedded in small batches by ``workers`` and added to ``known``'s pending log. Nothing
    else is kept between segments, so memory does not grow with the file."""

    def __init__(
        self, embedder: Embedder, passages: dict, sentences: dict, progress: bool, batch: int = 16,
        tally: IngestTally | None = None, known: VectorCache | None = None, workers: EmbedWorkers | None = None,
    ) -> None:
        self.embedder = embedder
        self.tally = tally or IngestTally()
        self.known = known or VectorCache(embedder.name, None, None)
        self.workers = workers or EmbedWorkers(embedder, 1)
        self.cache = {"p": passages, "s": sentences}
        self.batch = batch
        self.embedded = 0
        self.dimension = 0
        self.bar = tqdm(desc="Bäddar in", unit="st", disable=not progress)

    def start(self, passages: list[Passage], sentences: list[SentenceSpan]) -> tuple:
        """Look up or start embedding the rows of a segment's passages and sentences."""
        self.tally.passages += len(passages)
        self.tally.sentences += len(sentences)
        return (
            passages,
            sentences,
            self._start([embed_text(p) for p in passages], self.cache["p"], "passages_done"),
            self._start([s.text for s in sentences], self.cache["s"], "sentences_done"),
        )

    def finish(self, started: tuple) -> tuple:
        """(passages, sentences, their vectors, their sentences' vectors), waiting for the embedding."""
        passages, sentences, p_rows, s_rows = started
        return passages, sentences, self._finish(*p_rows), self._finish(*s_rows)

    def _start(self, texts: list[str], cache: dict, done: str) -> tuple:
        fresh: dict[str, np.ndarray] = {}
        missing = []
        for t in dict.fromkeys(texts):
            if t in cache:
                continue
            row = self.known.get(t)
            if row is None:
                missing.append(t)
            else:
                fresh[t] = row
        # Texts with a vector already (reused, or repeated within the segment) count as done at once.
        self._count(done, len(texts) - len(missing))
        self.embedded += len(missing)
        jobs = [self.workers.submit(missing[i : i + self.batch]) for i in range(0, len(missing), self.batch)]
        return texts, cache, done, fresh, jobs

    def _finish(self, texts: list[str], cache: dict, done: str, fresh: dict, jobs: list) -> np.ndarray:
        for job in jobs:
            rows = job.result()
            self.known.add(job.texts, rows)
            fresh.update(zip(job.texts, rows))
            self.bar.update(len(job.texts))
            self._count(done, len(job.texts))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = np.stack([fresh[t] if t in fresh else np.asarray(cache[t], dtype=np.float32) for t in texts])
        self.dimension = rows.shape[1]
        return rows

    def _count(self, done: str, n: int) -> None:
        setattr(self.tally, done, getattr(self.tally, done) + n)

    def close(self) -> None:
        self.bar.close()
        self.known.close()
        self.workers.close()


def _named_for_removal(names, old_files: dict[str, dict], corpus_dir: Path) -> dict[str, str]:
    """Source name -> reason for each file named for removal; ValueError for one not indexed."""
    by_path = {Path(entry["path"]): source for source, entry in old_files.items()}
    drop: dict[str, str] = {}
    for name in names:
        text = str(name)
        source = text if text in old_files else by_path.get(Path(os.path.abspath(text)))
        if source is None:
            source = source_name(Path(os.path.abspath(text)), corpus_dir)
        if source not in old_files:
            raise ValueError(
                "{} is not in the index, so there is nothing to remove; indexed files: {}".format(
                    text, ", ".join(sorted(old_files)) or "none"
                )
            )
        drop[source] = "removed on request"
    return drop


def _gone_from(path: Path, folders: list[Path]) -> str | None:
    """Why an indexed file that was not found is removed: a folder being ingested no longer holds it."""
    for folder in folders:
        if path == folder or folder in path.parents:
            return "no longer in {}".format(folder)
    return None


def _rows_by_source(generation: Generation) -> dict[str, tuple[list[int], list[int]]]:
    """Per source, the rows of its passages and of its sentences in the generation."""
    groups: dict[str, tuple[list[int], list[int]]] = {}
    for i, p in enumerate(generation.passages):
        groups.setdefault(p.source, ([], []))[0].append(i)
    for i, s in enumerate(generation.sentences):
        groups[generation.by_id[s.passage_id].source][1].append(i)
    return groups


def _old_rows(generation: Generation, rows: tuple[list[int], list[int]]):
    p_rows, s_rows = rows
    return (
        [generation.passages[i] for i in p_rows],
        [generation.sentences[i] for i in s_rows],
        generation.vectors[p_rows],
        generation.sentence_vectors[s_rows],
    )
