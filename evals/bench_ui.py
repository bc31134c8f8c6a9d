"""Speed of the web app under load: `python -m evals.bench_ui [--out runs/bench-ui] [--cold]`.

Starts ``app.py`` in a child process on a free loopback port and measures, through the
app's named ``ask`` endpoint with ``gradio_client`` (the same path a script or the page uses):

1. time to first answer after launch: from starting the process until the first ``ask``
   returns. By default the project's index is used (built first if missing); ``--cold``
   points the app at a fresh temporary index, so the figure includes the first ingest.
2. answer latency with ``--clients`` (16) simultaneous clients, each with its own
   ``gradio_client.Client``, each asking ``--rounds`` questions from the dev gold set in a
   bounded loop: p50/p95/max per answer as the client sees it, wall time, answers per
   second, errors. The queue is the app's own (``ui_concurrency`` workers, ``ui_max_queue``).
3. the app process's peak RSS (VmHWM) after the load.

Loopback only; nothing is timed inside tests. Writes ``OUT/bench_ui.json``; exits 1 only
when the app could not be measured at all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from evals.metrics import percentile
from rag.jsonl import read_jsonl_rows

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAUNCH_TIMEOUT_S = 1800.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_questions(path: Path) -> list[str]:
    return [r["question"] for r in read_jsonl_rows(path)]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far, from /proc (Linux)."""
    try:
        fields = Path("/proc/{}/stat".format(pid)).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path("/proc/{}/status".format(pid)).read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def first_answer(url: str, proc: subprocess.Popen, question: str, started: float) -> tuple[float, float]:
    """(seconds until the page answers HTTP, seconds until the first answer), both from launch."""
    from gradio_client import Client

    client = None
    while client is None:
        if proc.poll() is not None:
            raise RuntimeError("app.py exited with {} before it served".format(proc.returncode))
        try:
            client = Client(url, verbose=False)
        except Exception:
            if time.perf_counter() - started > LAUNCH_TIMEOUT_S:
                raise
            time.sleep(0.2)
    served = time.perf_counter() - started
    client.predict(question, api_name="/ask")  # waits for the index when it is being built
    return served, time.perf_counter() - started


def load(url: str, questions: list[str], clients: int, rounds: int) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    service_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def user(i: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:
            with lock:
                errors.append("connect: {}".format(exc))
            barrier.abort()
            return
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        for r in range(rounds):
            q = questions[(i * rounds + r) % len(questions)]
            t0 = time.perf_counter()
            try:
                answer = client.predict(q, api_name="/ask")
                ok = isinstance(answer, dict) and "answer" in answer
            except Exception as exc:
                ok, answer = False, exc
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                    service_ms.append(answer["timings_ms"]["total"])
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
        "clients": clients,
        "rounds_per_client": rounds,
        "answers": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "wall_s": wall,
        "answers_per_s": len(latencies) / wall if wall else None,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "max_ms": max(latencies) if latencies else None,
        # RagService's own time per answer (timings_ms.total); the rest is queueing and HTTP.
        "service_p50_ms": percentile(service_ms, 50),
        "service_p95_ms": percentile(service_ms, 95),
    }


def sequential(url: str, questions: list[str], n: int) -> dict:
    from gradio_client import Client

    client = Client(url, verbose=False)
    values, service_ms = [], []
    for q in questions[:n]:
        t0 = time.perf_counter()
        answer = client.predict(q, api_name="/ask")
        values.append((time.perf_counter() - t0) * 1000)
        service_ms.append(answer["timings_ms"]["total"])
    return {
        "answers": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "service_p50_ms": percentile(service_ms, 50),
        "service_p95_ms": percentile(service_ms, 95),
    }


def run(args: argparse.Namespace) -> dict:
    questions = read_questions(args.questions)
    load_before = os.getloadavg()[0]
    port = free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False")
    work = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    cmd = [sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)]
    if args.cold:
        cmd += ["--index-dir", str(work / "index")]
    env["RAG_FEEDBACK_PATH"] = str(work / "feedback.sqlite3")
    url = "http://127.0.0.1:{}/".format(port)
    log_path = work / "app.log"
    with open(log_path, "w", encoding="utf-8") as log_file:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            served_s, first_s = first_answer(url, proc, questions[0], started)
            seq = sequential(url, questions, 20)
            # CPU used during the load by the app and by this process's clients: on 2 cores the
            # clients compete with the app, so the split says how much of the latency is the app.
            app_cpu0, bench_cpu0 = cpu_seconds(proc.pid), cpu_seconds(os.getpid())
            loaded = load(url, questions, args.clients, args.rounds)
            app_cpu1, bench_cpu1 = cpu_seconds(proc.pid), cpu_seconds(os.getpid())
            if None not in (app_cpu0, app_cpu1, bench_cpu0, bench_cpu1):
                loaded["app_cpu_s"] = app_cpu1 - app_cpu0
                loaded["clients_cpu_s"] = bench_cpu1 - bench_cpu0
            rss = peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {
        "cold_index": args.cold,
        "page_served_s": served_s,
        "first_answer_s": first_s,
        "sequential": seq,
        "concurrent": loaded,
        "app_peak_rss_mb": rss,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # Other work on the machine inflates every figure; record how busy it was.
            "load_avg_1m_before": load_before,
            "load_avg_1m_after": os.getloadavg()[0],
        },
        "app_log_tail": log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-5:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_ui", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "bench-ui", help="folder for bench_ui.json")
    parser.add_argument("--cold", action="store_true", help="start without an index (includes the first ingest)")
    parser.add_argument("--clients", type=int, default=16, help="simultaneous clients")
    parser.add_argument("--rounds", type=int, default=5, help="questions per client")
    parser.add_argument(
        "--questions", type=Path, default=PROJECT_ROOT / "evals" / "gold_dev.jsonl", help="gold JSONL to take questions from"
    )
    args = parser.parse_args(argv)
    try:
        result = run(args)
    except Exception as exc:
        print("bench_ui: could not measure the app: {}".format(exc), file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_ui.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    c = result["concurrent"]
    print("page served after        {:.1f} s".format(result["page_served_s"]))
    print("first answer after       {:.1f} s{}".format(result["first_answer_s"], " (cold: includes ingest)" if args.cold else ""))
    q = result["sequential"]
    print("1 client  p50/p95        {:.0f} / {:.0f} ms (service alone {:.0f} / {:.0f} ms)".format(
        q["p50_ms"], q["p95_ms"], q["service_p50_ms"], q["service_p95_ms"]
    ))
    print("{} clients p50/p95/max   {:.0f} / {:.0f} / {:.0f} ms, {} answers, {} errors, {:.1f} answers/s".format(
        c["clients"], c["p50_ms"] or 0, c["p95_ms"] or 0, c["max_ms"] or 0, c["answers"], c["errors"], c["answers_per_s"] or 0
    ))
    print("   service alone p50/p95 {:.0f} / {:.0f} ms".format(c["service_p50_ms"] or 0, c["service_p95_ms"] or 0))
    if "app_cpu_s" in c:
        print("   CPU during the load   app {:.1f} s, clients {:.1f} s, over {:.1f} s wall".format(
            c["app_cpu_s"], c["clients_cpu_s"], c["wall_s"]
        ))
    print("app peak RSS             {:.0f} MB".format(result["app_peak_rss_mb"] or 0))
    print("load average (1 min)     {:.1f} before, {:.1f} after".format(
        result["machine"]["load_avg_1m_before"], result["machine"]["load_avg_1m_after"]
    ))
    print("written to {}".format(args.out / "bench_ui.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
