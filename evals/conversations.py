"""Follow-up handling against hand-written conversations, asked turn by turn as an API client would.

A conversation file holds one conversation per line (format in ``evals/check_gold.py``). Each
conversation is asked in order through ``ask_fn(question, history)``, with ``history`` the earlier
questions as they were typed and the answers the system gave, ``[[question, answer], …]``: the
shape the web app's ``ask`` API takes. Every turn is scored with the gold-question rules of
``evals.harness`` (its evidence as a gold item), and every turn after the first is judged:

* ``right``: an answerable turn answered (not ``abstained``) with a cited passage that finds one of
  its evidence quotes (the half-coverage rule), or an unanswerable turn that ``abstained``;
* ``detected``: the answer shows a rewrite (``standalone_question`` is not null), which should
  happen exactly for the turns marked ``follow_up``.

Metrics over the later turns: ``later_turns_right`` (the primary metric), ``detection_accuracy``,
``rewrites_of_self_contained`` and ``missed_follow_ups`` (counts), ``evidence_shown`` (answerable
turns), ``answerable_declined`` and ``unanswerable_declined``, and ``right`` per turn type
(``follow_up``, ``self_contained``, ``unanswerable``). First turns are reported apart
(``first_turns_right``): they are single questions, measured by ``rag eval --gold``.

A file in the independent format of ../shared/gold/ (``turns`` as two plain questions,
``follow_up``, ``expect_any``, ``answerable``; no gold quotes) is recognised by its first line and
run by ``evals.independent_conversations``, which keeps that format's three expectations.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evals.conversation_report import render_html
from evals import independent_conversations as independent
from evals.csv_cells import write_csv
from evals.gold import GoldItem, _gold_item, load_corpus_texts, locate_gold
from evals.metrics import percentile, score_question
from rag.jsonl import read_unique

logger = logging.getLogger(__name__)

PRIMARY_METRIC = "later_turns_right"
METRICS_VERSION = 1
TURN_TYPES = ("follow_up", "self_contained", "unanswerable")

HEADLINE_METRICS = (
    "later_turns_right",
    "detection_accuracy",
    "rewrites_of_self_contained",
    "missed_follow_ups",
    "evidence_shown",
    "citation_evidence_recall",
    "recall@5",
    "answerable_declined",
    "unanswerable_declined",
    "first_turns_right",
    "latency_ms_p50",
)

CSV_COLUMNS = (
    "id",
    "conversation",
    "turn",
    "type",
    "lang",
    "follow_up",
    "detected",
    "answerable",
    "abstained",
    "right",
    "evidence_shown",
    "citation_recall",
    "recall@5",
    "first_hit_rank",
    "n_citations",
    "latency_ms",
    "error",
    "question",
    "standalone_question",
    "answer",
)

# question, history as [[question, answer], ...] -> the ``rag ask --json`` object
AskFn = Callable[[str, list[list[str]]], dict]


@dataclass(frozen=True)
class Conversation:
    id: str
    kind: str
    turns: tuple[GoldItem, ...]  # turn n has the id "<conversation id>#<n>"
    follow_up: tuple[bool | None, ...]  # per turn; None for the first


def load_conversations(path: str | Path) -> list[Conversation]:
    """Read a conversation JSONL file; a malformed line raises ValueError naming the file, line
    and turn (``python -m evals.check_gold`` lints the file in full)."""
    return read_unique(path, _conversation)


def _conversation(row: Any, where: str) -> Conversation:
    if not isinstance(row, dict) or not isinstance(row.get("turns"), list) or len(row["turns"]) < 2:
        raise ValueError('{}: expected {{"id", "lang", "kind", "turns": [two or more turns]}}'.format(where))
    for name in ("id", "lang", "kind"):
        if not isinstance(row.get(name), str) or not row[name].strip():
            raise ValueError("{}: field {!r} must be a non-empty string".format(where, name))
    turns, follow_up = [], []
    for n, turn in enumerate(row["turns"], 1):
        at = "{} turn {}".format(where, n)
        if not isinstance(turn, dict):
            raise ValueError("{}: a turn must be a JSON object".format(at))
        marked = turn.get("follow_up")
        if n > 1 and not isinstance(marked, bool):
            raise ValueError("{}: 'follow_up' must be true or false".format(at))
        kind = row["kind"] if n == len(row["turns"]) else ("unanswerable" if turn.get("answerable") is False else "turn")
        fields = {"id": "{}#{}".format(row["id"], n), "lang": turn.get("lang", row["lang"]), "kind": kind, **turn}
        turns.append(_gold_item(fields, at))
        follow_up.append(marked if n > 1 else None)
    return Conversation(row["id"], row["kind"], tuple(turns), tuple(follow_up))


def turn_type(turn: GoldItem, follow_up: bool | None) -> str:
    if not turn.answerable:
        return "unanswerable"
    return "follow_up" if follow_up else "self_contained"


def ask_conversations(conversations: list[Conversation], ask_fn: AskFn) -> dict[str, dict]:
    """Every turn asked in order with the raw earlier questions and the answers given; a failing
    turn is recorded as an error (its answer text is empty in later turns' history)."""
    responses: dict[str, dict] = {}
    for conversation in conversations:
        history: list[list[str]] = []
        for turn in conversation.turns:
            started = time.perf_counter()
            try:
                response = dict(ask_fn(turn.question, [list(h) for h in history]))
            except Exception as exc:  # noqa: BLE001 - one failing turn must not lose the run
                logger.warning("turn %s failed: %s: %s", turn.id, type(exc).__name__, exc)
                response = {"question": turn.question, "answer": "", "abstained": False, "citations": [],
                            "passages": [], "timings_ms": {}, "error": "{}: {}".format(type(exc).__name__, exc)}
            timings = dict(response.get("timings_ms") or {})
            timings.setdefault("total", round((time.perf_counter() - started) * 1000.0, 2))
            response["timings_ms"] = timings
            responses[turn.id] = response
            history.append([turn.question, str(response.get("answer") or "")])
    return responses


def score_turn(conversation: Conversation, n: int, response: dict, quotes) -> dict:
    """The row of turn ``n`` (1-based): the gold-question row plus the conversation verdicts."""
    turn = conversation.turns[n - 1]
    row = score_question(turn, response, quotes)
    detected = response.get("standalone_question") is not None
    if turn.answerable:
        right = not row["abstained"] and any(row["cited_found"])
    else:
        right = row["abstained"]
    follow_up = conversation.follow_up[n - 1]
    row.update(
        {
            "conversation": conversation.id,
            "turn": n,
            "type": "first" if n == 1 else turn_type(turn, follow_up),
            "follow_up": follow_up,
            "detected": detected,
            "detection_right": None if n == 1 else detected == follow_up,
            "right": right,
            "standalone_question": response.get("standalone_question"),
        }
    )
    return row


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def aggregate(rows: list[dict]) -> dict:
    later = [r for r in rows if r["turn"] > 1]
    answerable = [r for r in later if r["answerable"]]
    unanswerable = [r for r in later if not r["answerable"]]
    latencies = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
    metrics: dict[str, Any] = {
        "later_turns_right": _share([r["right"] for r in later]),
        "detection_accuracy": _share([r["detection_right"] for r in later]),
        "rewrites_of_self_contained": sum(1 for r in later if r["detected"] and not r["follow_up"]),
        "missed_follow_ups": sum(1 for r in later if r["follow_up"] and not r["detected"]),
        "evidence_shown": _mean([r["evidence_shown"] for r in answerable]),
        "citation_evidence_recall": _mean([r["citation_recall"] for r in answerable]),
        "recall@5": _mean([r["recall@5"] for r in answerable]),
        "answerable_declined": _share([r["abstained"] for r in answerable]),
        "unanswerable_declined": _share([r["abstained"] for r in unanswerable]),
        "first_turns_right": _share([r["right"] for r in rows if r["turn"] == 1]),
        "latency_ms_p50": percentile(latencies, 50),
        "n_conversations": len({r["conversation"] for r in rows}),
        "n_later_turns": len(later),
        "n_right": sum(1 for r in later if r["right"]),
        "n_errors": sum(1 for r in rows if r["error"]),
    }
    metrics["by_type"] = {
        t: {"n": len(group), "right": _share([r["right"] for r in group]),
            "detection_accuracy": _share([r["detection_right"] for r in group])}
        for t in TURN_TYPES
        if (group := [r for r in later if r["type"] == t])
    }
    return metrics


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def evaluate_conversations(
    conversations: list[Conversation], responses: dict[str, dict], corpus_texts: dict[str, str]
) -> dict:
    """Metrics for ``responses`` (turn id -> ``rag ask --json`` dict); ``turns`` holds the rows."""
    turns = [t for c in conversations for t in c.turns]
    missing = [t.id for t in turns if t.id not in responses]
    if missing:
        raise ValueError("no response for {} turn(s): {}".format(len(missing), ", ".join(missing[:10])))
    spans = locate_gold(turns, corpus_texts)
    rows = [
        score_turn(c, n, responses[t.id], spans[t.id]) for c in conversations for n, t in enumerate(c.turns, 1)
    ]
    return {"primary_metric": PRIMARY_METRIC, **aggregate(rows), "turns": rows}


def compare_runs(this: dict, other: dict, other_run: str | Path | None = None) -> dict:
    def row(a: Any, b: Any) -> dict:
        numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
        return {"this": a, "other": b, "delta": a - b if numeric else None}

    sha = (this.get("run") or {}).get("conversations_sha256")
    return {
        "other_run": str(other_run) if other_run is not None else None,
        "same_conversations": bool(sha) and sha == (other.get("run") or {}).get("conversations_sha256"),
        "metrics": {m: row(this.get(m), other.get(m)) for m in HEADLINE_METRICS},
    }


def format_summary(metrics: dict, comparison: dict | None = None) -> str:
    """A short plain-text table for the terminal."""
    if metrics.get("format") == independent.FORMAT:
        return independent.format_summary(metrics, comparison)
    lines = ["conversations: {}, later turns: {} ({} right), errors: {}".format(
        metrics.get("n_conversations"), metrics.get("n_later_turns"), metrics.get("n_right"), metrics.get("n_errors"))]
    compared = (comparison or {}).get("metrics", {})
    lines.append("{:<28}{:>10}".format("metric", "value") + ("{:>10}{:>10}".format("other", "delta") if compared else ""))
    for metric in HEADLINE_METRICS:
        name = metric + (" *" if metric == PRIMARY_METRIC else "")
        line = "{:<28}{:>10}".format(name, independent.fmt(metrics.get(metric)))
        if metric in compared:
            line += independent.compared_cells(compared[metric])
        lines.append(line)
    lines += independent.turn_type_lines(metrics)
    return "\n".join(lines)


def run_conversation_eval(
    path: str | Path,
    out_dir: str | Path,
    ask_fn: AskFn,
    corpus_dir: str | Path,
    compare: str | Path | None = None,
    extra: dict | None = None,
    corpus_texts: dict[str, str] | None = None,
) -> dict:
    """Ask every conversation, score it and write a run folder: ``summary.json``, ``turns.csv``
    (one row per turn), ``report.html`` and ``responses.jsonl``. Returns the summary with the
    per-turn rows under ``turns``. A file in the independent format is run by
    ``evals.independent_conversations`` (its run folder has no ``report.html``)."""
    if independent.is_independent_format(path):
        return independent.run_independent_eval(path, out_dir, ask_fn, compare=compare, extra=extra)
    conversations = load_conversations(path)
    texts = corpus_texts if corpus_texts is not None else load_corpus_texts(corpus_dir)
    # Fail before the slow part: a quote the corpus lacks makes the run meaningless.
    locate_gold([t for c in conversations for t in c.turns], texts)
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    responses = ask_conversations(conversations, ask_fn)
    result = evaluate_conversations(conversations, responses, texts)
    result["run"] = {
        "conversations": str(path),
        "conversations_sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        "corpus_dir": str(corpus_dir),
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 2),
        "metrics_version": METRICS_VERSION,
        "extra": dict(extra or {}),
    }
    if compare is not None:
        other = json.loads((Path(compare) / "summary.json").read_text(encoding="utf-8"))
        result["comparison"] = compare_runs(result, other, compare)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = {k: v for k, v in result.items() if k != "turns"}
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _write_csv(out / "turns.csv", result["turns"])
    with open(out / "responses.jsonl", "w", encoding="utf-8") as handle:
        for turn in (t for c in conversations for t in c.turns):
            handle.write(json.dumps({"id": turn.id, "response": responses[turn.id]}, ensure_ascii=False) + "\n")
    (out / "report.html").write_text(render_html(result, conversations, responses, HEADLINE_METRICS), encoding="utf-8")
    logger.info("conversation eval run written to %s", out)
    return result


def _write_csv(path: Path, rows: list[dict]) -> None:
    write_csv(path, CSV_COLUMNS, rows, lambda v: "" if v is None else v)
