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
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from tqdm import tqdm

from rag.chunking import SECTION_SEP, SentenceSpan, build_passages
from rag.config import Settings
from rag.embeddings import CachedEmbedder, Embedder, make_embedder
from rag.loaders import LoaderError, file_sha256, load_document, scan, source_name
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


def embed_text(p: Passage) -> str:
    """Text given to the embedder and to BM25: the nearest headings give a passage its topic."""
    heading = SECTION_SEP.join(p.section.split(SECTION_SEP)[-2:])
    return heading + "\n" + p.text


def _corpus_titles(corpus_dir: Path) -> dict[str, str]:
    path = corpus_dir / "manifest.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {d["file"]: d["title"] for d in data.get("documents", []) if d.get("title")}


Notify = Callable[[str], None]


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    embedder: Embedder | None = None,
    progress: bool | None = None,
    notify: Notify | None = None,
) -> IngestReport:
    """Add or update the files in ``paths`` (files or folders; default: the corpus folder).

    Files of the index that are not named stay as they are; a named folder's files that are no
    longer in it are removed, and ``notify`` is told so before any work is done.
    """
    targets = list(paths) if paths else [settings.corpus_dir]
    return _update(settings, targets, (), embedder, progress, notify)


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


@dataclass
class _Collected:
    """Passages and sentences of the new generation, in order, and what each source contributed."""

    passages: list[Passage] = field(default_factory=list)
    sentences: list[SentenceSpan] = field(default_factory=list)

    def extend(self, passages: list[Passage], sentences: list[SentenceSpan]) -> None:
        self.passages += passages
        self.sentences += sentences


def _update(settings, targets, names, embedder, progress, notify) -> IngestReport:
    started = time.perf_counter()
    notify = notify or (lambda message: log.info("%s", message))
    index = IndexDir(settings.index_dir)
    found = scan(targets)
    folders = [Path(t).resolve() for t in targets if Path(t).is_dir()]
    embedder = embedder or make_embedder(settings)
    if progress is None:
        progress = sys.stderr.isatty()
    titles = _corpus_titles(settings.corpus_dir)

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
        drop = _named_for_removal(names, old_files, settings.corpus_dir)
        report = IngestReport(generation=None, rebuild_reason=reason, skipped=found.skipped)
        collected = _Collected()
        old_by_source = _group_by_source(old) if old is not None else {}

        def keep_old(source: str) -> None:
            collected.extend(*old_by_source.get(source, ([], [])))
            manifest.files[source] = old_files[source]

        def add(path: Path, source: str) -> None:
            try:
                digest = file_sha256(path)
                prev = old_files.get(source)
                if reusable and prev and prev["sha256"] == digest:
                    report.unchanged.append(source)
                    keep_old(source)
                    return
                doc_passages, doc_sentences, entry = _load(path, settings, titles)
            except LoaderError as exc:
                log.warning("%s", exc)
                report.failed.append((str(path), exc.reason))
                if old is not None and source in old_files:
                    keep_old(source)  # keep what the index already had for a file that now fails to load
                return
            (report.changed if source in old_files else report.added).append(source)
            collected.extend(doc_passages, doc_sentences)
            manifest.files[source] = entry

        seen: set[str] = set()
        for path, why in found.broken:
            source = source_name(Path(os.path.abspath(path)), settings.corpus_dir)
            seen.add(source)
            report.failed.append((path, why))
            if old is not None and source in old_files:
                keep_old(source)
        for path in found.files:
            source = source_name(path.resolve(), settings.corpus_dir)
            seen.add(source)
            add(path, source)
        for source, entry in old_files.items():
            if source in seen:
                continue
            why = drop.get(source) or _gone_from(Path(entry["path"]), folders)
            if why is None and not reusable and not Path(entry["path"]).is_file():
                why = "its file {} no longer exists and the index is being rebuilt".format(entry["path"])
            if why is not None:
                report.removed.append(source)
                report.removed_why[source] = why
                notify("removing {} from the index: {}".format(source, why))
            elif reusable:
                report.kept.append(source)
                keep_old(source)
            else:
                add(Path(entry["path"]), source)  # a rebuild reads the file again from where it was
        report.passages = len(collected.passages)

        if reusable and not (report.added or report.changed or report.removed):
            index.prune()  # a killed ingest's folder would otherwise linger until the next change
            report.up_to_date = True
            report.generation = old_folder.name
            report.seconds = time.perf_counter() - started
            return report

        if not collected.passages:
            if report.removed and not found.files and not report.failed:
                raise ValueError("removing {} would leave the index empty; ingest other files first".format(
                    ", ".join(report.removed)))
            shown = ", ".join(str(p) for p in found.files) or ", ".join(str(t) for t in targets) or str(settings.corpus_dir)
            raise LoaderError(shown, "nothing could be ingested")

        report.generation = _write(index, old, manifest, collected, embedder, progress, report)
        report.seconds = time.perf_counter() - started
        log.info("%s", report.summary())
        return report


def _load(path: Path, settings: Settings, titles: dict[str, str]) -> tuple[list[Passage], list[SentenceSpan], dict]:
    doc = load_document(path, settings.corpus_dir)
    if doc.source in titles:
        doc = dataclasses.replace(doc, title=titles[doc.source])
    doc_passages, doc_sentences = build_passages(doc, settings.chunk_chars)
    if not doc_passages:
        raise LoaderError(str(path), "no text left after cleaning; check that it is not only figures")
    entry = {"sha256": doc.sha256, "path": doc.path, "title": doc.title, "passages": len(doc_passages)}
    return doc_passages, doc_sentences, entry


def _write(index: IndexDir, old, manifest, collected: _Collected, embedder, progress: bool, report) -> str:
    """Embed what is new, write a complete generation and switch to it; the folder's name."""
    cache_p, cache_s = ({}, {})
    if old is not None and old.manifest.embedder == embedder.name:
        cache_p, cache_s = old.vector_cache(embed_text)
    folder = index.new_generation()
    try:
        p_embedder = CachedEmbedder(embedder, cache_p)
        s_embedder = CachedEmbedder(embedder, cache_s)
        p_texts = [embed_text(p) for p in collected.passages]
        vectors = _embed_all(p_embedder, p_texts, progress, "passager")
        s_vectors = _embed_all(s_embedder, [s.text for s in collected.sentences], progress, "meningar")
        manifest.dimension = int(vectors.shape[1])
        report.embedded = p_embedder.misses + s_embedder.misses
        write_generation(
            folder, manifest, collected.passages, collected.sentences, vectors, s_vectors, p_embedder, embed_text
        )
        index.activate(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder.name


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
