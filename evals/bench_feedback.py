"""How long a rating takes to be stored (and acknowledged) in each feedback store.

`python -m evals.bench_feedback [--url postgresql://user@host:port/db] [--ratings 200]` records
``--ratings`` ratings one after another into a fresh SQLite file and, with ``--url`` (password
from RAG_FEEDBACK_PASSWORD or PGPASSWORD), into that PostgreSQL database's ``feedback`` table
(which should be empty: the rows stay), then reads them all back. Prints p50/p95 per rating and the
time of one full read as JSON. The PostgreSQL figure includes a new connection (and its password
exchange) per rating, the price of recovering from a restarted server without a pool.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from rag.product.feedback import FeedbackStore
from rag.product.feedback_pg import PostgresFeedbackStore
from rag.product.feedback_sqlite import SqliteFeedbackStore

ANSWER = {
    "answer": "Rapporten tar inte upp det här.",
    "lang": "sv",
    "mode": "extractive",
    "abstained": True,
    "citations": [],
    "sentences": [],
    "standalone_question": None,
}


def measure(store: FeedbackStore, ratings: int) -> dict:
    times = []
    for i in range(ratings):
        started = time.perf_counter()
        store.record("Benchmarkfråga {}?".format(i), ANSWER, 1 if i % 2 else -1, "kommentar", {"k": 5}, "bench")
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    records, _ = store.read()
    read_ms = (time.perf_counter() - started) * 1000
    return {
        "store": store.location,
        "ratings": ratings,
        "record_ms_p50": round(statistics.median(times), 2),
        "record_ms_p95": round(statistics.quantiles(times, n=20)[-1], 2),
        "read_all_ms": round(read_ms, 1),
        "records_read": len(records),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="postgresql://user@host:port/db to measure beside SQLite")
    parser.add_argument("--ratings", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = [measure(SqliteFeedbackStore(Path(tmp) / "feedback.sqlite3"), args.ratings)]
    if args.url:
        results.append(measure(PostgresFeedbackStore(args.url, password=os.environ.get("RAG_FEEDBACK_PASSWORD")), args.ratings))
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
