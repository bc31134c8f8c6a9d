"""Two-turn conversations in the independent format of ../shared/gold/ (no gold quotes per turn).

One object a line::

    {"id": "w2-c03", "turns": ["first question", "second question"], "follow_up": true,
     "expect_any": ["kompetens"], "answerable": true}

The first turn is asked only to build the history; the second is judged against the format's
three expectations:

* ``follow_up: true``: the second turn needs the first. It is right when the system resolved it
  (``standalone_question`` is not null), answered it, and one of ``expect_any`` appears in what
  the answer shows (its cited passages or its sentences);
* ``follow_up: false, answerable: true``: the second turn stands alone. It is right when it was
  NOT rewritten, was answered, and an ``expect_any`` stem appears in what the answer shows;
* ``answerable: false``: the second turn stands alone and the report does not answer it. It is
  right when it was not answered as if answerable: declined, or partial ("the report does not
  state that", then the nearest it says).

"Answered" reads the response's ``outcome`` ("answer" / "partial" / "decline"); a response
without one (an older run, a generated answer) counts as answered when ``abstained`` is false.
``expect_any`` holds lowercase ASCII stems; a text matches when, lower-cased with diacritics and
runs of whitespace folded, it contains one of them (the OCR text has lost most å/ä/ö anyway).

Metrics: ``later_turns_right`` (primary) and ``right`` per turn type,
``answer_right_ignoring_detection`` (the same verdict without the rewrite half), ``detection_accuracy``
(rewritten exactly when ``follow_up``), ``rewrites_of_self_contained``, ``missed_follow_ups``, the
three outcomes for answerable and unanswerable second turns, ``stem_in_top5`` (an expected stem in
the top five retrieved passages: could retrieval have found it) and latency.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evals.metrics import percentile
from rag.jsonl import read_jsonl, read_unique

logger = logging.getLogger(__name__)

PRIMARY_METRIC = "later_turns_right"
METRICS_VERSION = 1
FORMAT = "independent"
TURN_TYPES = ("follow_up", "self_contained", "unanswerable")
OUTCOMES = ("answer", "partial", "decline")
TOP_K = 5

HEADLINE_METRICS = (
    "later_turns_right",
    "answer_right_ignoring_detection",
    "detection_accuracy",
    "rewrites_of_self_contained",
    "missed_follow_ups",
    "answerable_answered",
    "answerable_declined",
    "unanswerable_answered",
    "stem_shown",
    "stem_in_top5",
    "latency_ms_p50",
)

CSV_COLUMNS = (
    "id", "type", "follow_up", "answerable", "detected", "outcome", "answered", "stem_shown",
    "stem_in_top5", "right", "answer_right", "latency_ms", "error", "first", "second", "standalone_question", "answer",
)

AskFn = Callable[[str, list[list[str]]], dict]


@dataclass(frozen=True)
class IndependentConversation:
    id: str
    first: str
    second: str
    follow_up: bool
    answerable: bool
    expect_any: tuple[str, ...]

    @property
    def type(self) -> str:
        if not self.answerable:
            return "unanswerable"
        return "follow_up" if self.follow_up else "self_contained"


def is_independent_format(path: str | Path) -> bool:
    """True when the file's first object has ``turns`` as plain strings (this format)."""
    for line in read_jsonl(path):
        row = line.row
        if isinstance(row, dict) and isinstance(row.get("turns"), list) and row["turns"]:
            return all(isinstance(t, str) for t in row["turns"])
        return False
    return False


def load_independent(path: str | Path) -> list[IndependentConversation]:
    """Read the file; a malformed line raises ValueError naming the file, line and field."""
    return read_unique(path, _conversation)


def _conversation(row: Any, where: str) -> IndependentConversation:
    if not isinstance(row, dict):
        raise ValueError("{}: expected a JSON object".format(where))
    if not isinstance(row.get("id"), str) or not row["id"].strip():
        raise ValueError("{}: field 'id' must be a non-empty string".format(where))
    turns = row.get("turns")
    if not isinstance(turns, list) or len(turns) != 2 or not all(isinstance(t, str) and t.strip() for t in turns):
        raise ValueError("{}: field 'turns' must be two non-empty questions".format(where))
    for name in ("follow_up", "answerable"):
        if not isinstance(row.get(name), bool):
            raise ValueError("{}: field {!r} must be true or false".format(where, name))
    expect = row.get("expect_any")
    if not isinstance(expect, list) or not all(isinstance(s, str) and s.strip() for s in expect):
        raise ValueError("{}: field 'expect_any' must be a list of stems".format(where))
    if row["answerable"] and not expect:
        raise ValueError("{}: an answerable conversation needs at least one stem in 'expect_any'".format(where))
    if not row["answerable"] and row["follow_up"]:
        raise ValueError("{}: an unanswerable second turn must stand alone ('follow_up': false)".format(where))
    return IndependentConversation(
        id=row["id"], first=turns[0], second=turns[1], follow_up=row["follow_up"], answerable=row["answerable"],
        expect_any=tuple(fold(s) for s in expect),
    )


def fold(text: str) -> str:
    """Lower case, no diacritics, whitespace runs as one space: how stems meet the OCR text."""
    ascii_text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", ascii_text).strip()


def outcome_of(response: dict) -> str:
    """The response's outcome; older responses without one are read from ``abstained``."""
    outcome = response.get("outcome")
    if outcome in OUTCOMES:
        return outcome
    return "decline" if response.get("abstained") else "answer"


def _has_stem(texts: list[str], stems: tuple[str, ...]) -> bool:
    folded = [fold(t) for t in texts if t]
    return any(stem in text for stem in stems for text in folded)


def score(conversation: IndependentConversation, response: dict) -> dict:
    """The row of one conversation's second turn."""
    outcome = outcome_of(response)
    answered = outcome == "answer" and not response.get("error")
    detected = response.get("standalone_question") is not None
    shown_texts = [c.get("text", "") for c in response.get("citations") or []]
    shown_texts += [s.get("text", "") for s in response.get("sentences") or []]
    top = sorted(response.get("passages") or [], key=lambda p: p.get("rank", 0))[:TOP_K]
    stem_shown = answered and _has_stem(shown_texts, conversation.expect_any)
    stem_top = _has_stem([p.get("text", "") for p in top], conversation.expect_any)
    # What the reader gets, whether or not the rewrite was shown: the detection half apart.
    answer_right = not answered if not conversation.answerable else answered and stem_shown
    right = answer_right and (not conversation.answerable or detected == conversation.follow_up)
    return {
        "id": conversation.id,
        "type": conversation.type,
        "follow_up": conversation.follow_up,
        "answerable": conversation.answerable,
        "detected": detected,
        "detection_right": detected == conversation.follow_up,
        "outcome": outcome,
        "answered": answered,
        "stem_shown": stem_shown if conversation.answerable else None,
        "stem_in_top5": stem_top if conversation.answerable else None,
        "right": right,
        "answer_right": answer_right,
        "latency_ms": (response.get("timings_ms") or {}).get("total"),
        "error": response.get("error"),
        "first": conversation.first,
        "second": conversation.second,
        "standalone_question": response.get("standalone_question"),
        "answer": response.get("answer", ""),
    }


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def aggregate(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    latencies = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
    metrics: dict[str, Any] = {
        "later_turns_right": _share([r["right"] for r in rows]),
        "answer_right_ignoring_detection": _share([r["answer_right"] for r in rows]),
        "detection_accuracy": _share([r["detection_right"] for r in rows]),
        "rewrites_of_self_contained": sum(1 for r in rows if r["detected"] and not r["follow_up"]),
        "missed_follow_ups": sum(1 for r in rows if r["follow_up"] and not r["detected"]),
        "answerable_answered": _share([r["outcome"] == "answer" for r in answerable]),
        "answerable_declined": _share([r["outcome"] == "decline" for r in answerable]),
        "unanswerable_answered": _share([r["outcome"] == "answer" for r in unanswerable]),
        "stem_shown": _share([bool(r["stem_shown"]) for r in answerable]),
        "stem_in_top5": _share([bool(r["stem_in_top5"]) for r in answerable]),
        "latency_ms_p50": percentile(latencies, 50),
        "outcomes": {
            "answerable": {o: sum(1 for r in answerable if r["outcome"] == o) for o in OUTCOMES},
            "unanswerable": {o: sum(1 for r in unanswerable if r["outcome"] == o) for o in OUTCOMES},
        },
        "n_conversations": len(rows),
        "n_later_turns": len(rows),
        "n_right": sum(1 for r in rows if r["right"]),
        "n_errors": sum(1 for r in rows if r["error"]),
    }
    metrics["by_type"] = {
        t: {"n": len(group), "right": _share([r["right"] for r in group]),
            "detection_accuracy": _share([r["detection_right"] for r in group])}
        for t in TURN_TYPES
        if (group := [r for r in rows if r["type"] == t])
    }
    return metrics


def ask_all(conversations: list[IndependentConversation], ask_fn: AskFn) -> dict[str, dict]:
    """Each conversation's second turn asked with the first and its answer as history; a failing
    turn is recorded as an error, never fatal."""
    responses: dict[str, dict] = {}
    for conversation in conversations:
        history: list[list[str]] = []
        for n, question in enumerate((conversation.first, conversation.second), 1):
            started = time.perf_counter()
            try:
                response = dict(ask_fn(question, [list(h) for h in history]))
            except Exception as exc:  # noqa: BLE001 - one failing turn must not lose the run
                logger.warning("conversation %s turn %d failed: %s: %s", conversation.id, n, type(exc).__name__, exc)
                response = {"question": question, "answer": "", "abstained": False, "citations": [],
                            "passages": [], "timings_ms": {}, "error": "{}: {}".format(type(exc).__name__, exc)}
            timings = dict(response.get("timings_ms") or {})
            timings.setdefault("total", round((time.perf_counter() - started) * 1000.0, 2))
            response["timings_ms"] = timings
            responses["{}#{}".format(conversation.id, n)] = response
            history.append([question, str(response.get("answer") or "")])
    return responses


def evaluate(conversations: list[IndependentConversation], responses: dict[str, dict]) -> dict:
    missing = [c.id for c in conversations if "{}#2".format(c.id) not in responses]
    if missing:
        raise ValueError("no second-turn response for {} conversation(s): {}".format(len(missing), ", ".join(missing[:10])))
    rows = [score(c, responses["{}#2".format(c.id)]) for c in conversations]
    return {"format": FORMAT, "primary_metric": PRIMARY_METRIC, **aggregate(rows), "turns": rows}


def format_summary(metrics: dict, comparison: dict | None = None) -> str:
    """A short plain-text table for the terminal."""
    lines = ["conversations (independent format): {}, second turns right: {}, errors: {}".format(
        metrics.get("n_conversations"), metrics.get("n_right"), metrics.get("n_errors"))]
    compared = (comparison or {}).get("metrics", {})
    lines.append("{:<34}{:>10}".format("metric", "value") + ("{:>10}{:>10}".format("other", "delta") if compared else ""))
    for metric in HEADLINE_METRICS:
        line = "{:<34}{:>10}".format(metric + (" *" if metric == PRIMARY_METRIC else ""), fmt(metrics.get(metric)))
        if metric in compared:
            line += compared_cells(compared[metric])
        lines.append(line)
    for group, counts in (metrics.get("outcomes") or {}).items():
        lines.append("{:<34}{}".format("outcomes " + group, ", ".join("{} {}".format(o, counts[o]) for o in OUTCOMES)))
    lines += turn_type_lines(metrics)
    return "\n".join(lines)


def compared_cells(entry: dict) -> str:
    """The "other" and "delta" columns of a compared metric (both conversation formats' tables)."""
    delta = entry["delta"]
    return "{:>10}{:>10}".format(fmt(entry["other"]), "-" if delta is None else ("+" if delta >= 0 else "") + fmt(delta))


def turn_type_lines(metrics: dict) -> list[str]:
    """A blank line and the per-turn-type table (both conversation formats' tables)."""
    lines = ["", "{:<16}{:>4}{:>8}{:>11}".format("turn type", "n", "right", "detection")]
    for name, m in (metrics.get("by_type") or {}).items():
        lines.append("{:<16}{:>4}{:>8}{:>11}".format(name, m["n"], fmt(m["right"]), fmt(m["detection_accuracy"])))
    return lines


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (bool, int)):
        return str(value)
    return "{:.3f}".format(value)


def _compare(this: dict, other: dict, other_run: str | Path) -> dict:
    def row(a: Any, b: Any) -> dict:
        numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
        return {"this": a, "other": b, "delta": a - b if numeric else None}

    sha = (this.get("run") or {}).get("conversations_sha256")
    return {
        "other_run": str(other_run),
        "same_conversations": bool(sha) and sha == (other.get("run") or {}).get("conversations_sha256"),
        "metrics": {m: row(this.get(m), other.get(m)) for m in HEADLINE_METRICS},
    }


def run_independent_eval(
    path: str | Path, out_dir: str | Path, ask_fn: AskFn, compare: str | Path | None = None,
    extra: dict | None = None,
) -> dict:
    """Ask every conversation, score its second turn and write a run folder: ``summary.json``,
    ``turns.csv`` (one row per conversation) and ``responses.jsonl`` (both turns)."""
    conversations = load_independent(path)
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    responses = ask_all(conversations, ask_fn)
    result = evaluate(conversations, responses)
    result["run"] = {
        "conversations": str(path),
        "conversations_sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 2),
        "metrics_version": METRICS_VERSION,
        "extra": dict(extra or {}),
    }
    if compare is not None:
        other = json.loads((Path(compare) / "summary.json").read_text(encoding="utf-8"))
        result["comparison"] = _compare(result, other, compare)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = {k: v for k, v in result.items() if k != "turns"}
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with open(out / "turns.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in result["turns"]:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in CSV_COLUMNS})
    with open(out / "responses.jsonl", "w", encoding="utf-8") as handle:
        for key, response in responses.items():
            handle.write(json.dumps({"id": key, "response": response}, ensure_ascii=False) + "\n")
    logger.info("independent conversation eval run written to %s", out)
    return result
