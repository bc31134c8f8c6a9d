"""Ingest: files -> passages -> vectors -> a new index generation, incrementally.

Unchanged files keep their passages, unchanged text keeps its vectors, a changed
file replaces only its own passages, a file no longer given disappears, and a
file that fails to load keeps whatever it had in the index before.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rag.chunking import SECTION_SEP, SentenceSpan, build_passages
from rag.config import Settings
from rag.embeddings import CachedEmbedder, Embedder, make_embedder
from rag.loaders import LoaderError, discover, file_sha256, load_document, source_name
from rag.store import MANIFEST_VERSION, Generation, IndexDir, expected_manifest, manifest_mismatch, write_generation
from rag.types import Passage

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
    failed: list[tuple[str, str]] = field(default_factory=list)
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
        lines = [head + " in {:.1f} s".format(self.seconds)]
        if self.rebuild_reason:
            lines.insert(0, "rebuilding the index: " + self.rebuild_reason)
        lines += ["FAILED {}: {}".format(src, why) for src, why in self.failed]
        return "\n".join(lines)


def embed_text(p: Passage) -> str:
    """Text given to the embedder and to BM25: the nearest headings give a passage its topic."""
    heading = SECTION_SEP.join(p.section.split(SECTION_SEP)[-2:])
    return heading + "\n" + p.text


def _corpus_documents(corpus_dir: Path) -> dict[str, dict]:
    """The documents the corpus manifest describes (the curated report), by file name: their
    title, publisher and year. Quotes from any other file are never attributed to the report."""
    path = corpus_dir / "manifest.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        d["file"]: {"title": d.get("title"), "publisher": d.get("publisher"), "year": d.get("year")}
        for d in data.get("documents", [])
        if d.get("file")
    }


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    embedder: Embedder | None = None,
    progress: bool | None = None,
) -> IngestReport:
    started = time.perf_counter()
    index = IndexDir(settings.index_dir)
    files = discover(paths or [settings.corpus_dir])
    embedder = embedder or make_embedder(settings)
    if progress is None:
        progress = sys.stderr.isatty()
    curated = _corpus_documents(settings.corpus_dir)

    with index.lock():
        old_folder = index.current()
        old_manifest = index.current_manifest()
        # An index written in another format is rebuilt from scratch, never read.
        old = Generation(old_folder) if old_manifest and old_manifest.manifest_version == MANIFEST_VERSION else None
        manifest = expected_manifest(embedder.name, settings.chunk_chars)
        manifest.dimension = old_manifest.dimension if old_manifest else 0
        reason = ", ".join("{} {} -> {}".format(*d) for d in manifest_mismatch(old_manifest, manifest)) or None
        reusable = old is not None and reason is None
        old_files = old_manifest.files if old_manifest else {}
        report = IngestReport(generation=None, rebuild_reason=reason)

        passages: list[Passage] = []
        sentences: list[SentenceSpan] = []
        seen_sources: set[str] = set()
        old_by_source = _group_by_source(old) if old is not None else {}
        for path in files:
            source = source_name(path.resolve(), settings.corpus_dir)
            seen_sources.add(source)
            try:
                digest = file_sha256(path)
                prev = old_files.get(source)
                if reusable and prev and prev["sha256"] == digest:
                    report.unchanged.append(source)
                    kept_p, kept_s = old_by_source.get(source, ([], []))
                    passages += kept_p
                    sentences += kept_s
                    manifest.files[source] = prev
                    continue
                doc = load_document(path, settings.corpus_dir)
                if curated.get(doc.source, {}).get("title"):
                    doc = dataclasses.replace(doc, title=curated[doc.source]["title"])
                doc_passages, doc_sentences = build_passages(doc, settings.chunk_chars)
                if not doc_passages:
                    raise LoaderError(str(path), "no text left after cleaning; check that it is not only figures")
            except LoaderError as exc:
                log.warning("%s", exc)
                report.failed.append((str(path), exc.reason))
                if old is not None and source in old_files:
                    # Keep what the index already had for a file that now fails to load.
                    kept_p, kept_s = old_by_source.get(source, ([], []))
                    passages += kept_p
                    sentences += kept_s
                    manifest.files[source] = old_files[source]
                continue
            (report.changed if source in old_files else report.added).append(source)
            passages += doc_passages
            sentences += doc_sentences
            manifest.files[source] = {
                "sha256": doc.sha256,
                "path": doc.path,
                "title": doc.title,
                "passages": len(doc_passages),
                "curated": source in curated,
                "publisher": curated.get(source, {}).get("publisher"),
                "year": curated.get(source, {}).get("year"),
            }
        report.removed = sorted(s for s in old_files if s not in seen_sources)
        report.passages = len(passages)

        if reusable and not (report.added or report.changed or report.removed):
            index.prune()  # a killed ingest's folder would otherwise linger until the next change
            report.up_to_date = True
            report.generation = old_folder.name
            report.seconds = time.perf_counter() - started
            return report

        if not passages:
            raise LoaderError(", ".join(str(p) for p in files) or str(settings.corpus_dir), "nothing could be ingested")

        cache_p, cache_s = ({}, {})
        if old is not None and old.manifest.embedder == embedder.name:
            cache_p, cache_s = old.vector_cache(embed_text)
        folder = index.new_generation()
        try:
            p_embedder = CachedEmbedder(embedder, cache_p)
            s_embedder = CachedEmbedder(embedder, cache_s)
            p_texts = [embed_text(p) for p in passages]
            vectors = _embed_all(p_embedder, p_texts, progress, "passager")
            s_vectors = _embed_all(s_embedder, [s.text for s in sentences], progress, "meningar")
            manifest.dimension = int(vectors.shape[1])
            report.embedded = p_embedder.misses + s_embedder.misses
            write_generation(folder, manifest, passages, sentences, vectors, s_vectors, p_embedder, embed_text)
            index.activate(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        report.generation = folder.name
        report.seconds = time.perf_counter() - started
        log.info("%s", report.summary())
        return report


def _group_by_source(generation: Generation) -> dict[str, tuple[list[Passage], list[SentenceSpan]]]:
    groups: dict[str, tuple[list[Passage], list[SentenceSpan]]] = {}
    source_of: dict[str, str] = {}
    for p in generation.passages:
        groups.setdefault(p.source, ([], []))[0].append(p)
        source_of[p.id] = p.source
    for s in generation.sentences:
        groups[source_of[s.passage_id]][1].append(s)
    return groups


def _embed_all(embedder: CachedEmbedder, texts: list[str], progress: bool, label: str, batch: int = 16) -> np.ndarray:
    missing = [t for t in dict.fromkeys(texts) if t not in embedder.cache]
    with tqdm(total=len(missing), desc="Bäddar in " + label, unit="st", disable=not progress or not missing) as bar:
        for i in range(0, len(missing), batch):
            embedder.embed_documents(missing[i : i + batch])
            bar.update(len(missing[i : i + batch]))
    return np.asarray(embedder.embed_documents(texts), dtype=np.float32).reshape(len(texts), -1)
