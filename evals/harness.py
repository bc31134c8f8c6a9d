"""Running a gold set through the system and writing the run folder: ``summary.json``,
``questions.csv``, ``report.html`` (``evals.report``) and ``responses.jsonl``.

Gold loading is ``evals.gold``; what each metric means and how it is counted is ``evals.metrics``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evals.csv_cells import write_csv
from evals.gold import GoldItem, load_corpus_texts, load_gold, locate_gold
from evals.metrics import HEADLINE_METRICS, METRICS_VERSION, compare_runs, evaluate
from evals.report import render_html

logger = logging.getLogger(__name__)


CSV_COLUMNS = (
    "id",
    "kind",
    "lang",
    "answerable",
    "abstained",
    "outcome",
    "first_hit_rank",
    "recall@1",
    "recall@3",
    "recall@5",
    "recall@10",
    "reciprocal_rank",
    "citation_recall",
    "evidence_shown",
    "lead_shows_evidence",
    "first_sentence_shows_evidence",
    "citation_precision",
    "n_quotes",
    "evidence_ranks",
    "n_citations",
    "n_relevant_citations",
    "n_citations_not_retrieved",
    "n_passages",
    "latency_ms",
    "mode",
    "fallback",
    "n_sentences",
    "n_supported_sentences",
    "n_invalid_citations",
    "error",
    "question",
    "answer",
)


AnswerFn = Callable[[str], dict]


def _fmt(value: Any, metric: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool) or isinstance(value, int):
        return str(value)
    if metric.startswith("latency"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def _fmt_delta(value: Any, metric: str) -> str:
    if value is None:
        return "-"
    return ("+" if value >= 0 else "") + _fmt(value, metric)


def format_summary(metrics: dict, comparison: dict | None = None) -> str:
    """A short plain-text table for the terminal: headline metrics, then recall by kind."""
    lines = [f"gold questions: {metrics.get('n')} ({metrics.get('n_answerable')} answerable), "
             f"errors: {metrics.get('n_errors')}"]
    compared = (comparison or {}).get("metrics", {})
    header = f"{'metric':<26}{'value':>10}"
    if compared:
        header += f"{'other':>10}{'delta':>10}"
    lines.append(header)
    for metric in HEADLINE_METRICS:
        name = metric + (" *" if metric == metrics.get("primary_metric") else "")
        line = f"{name:<26}{_fmt(metrics.get(metric), metric):>10}"
        if metric in compared:
            entry = compared[metric]
            line += f"{_fmt(entry['other'], metric):>10}{_fmt_delta(entry['delta'], metric):>10}"
        lines.append(line)
    if comparison and not comparison.get("same_gold"):
        lines.append("note: the other run used a different gold file; deltas are not like for like")
    by_kind = metrics.get("by_kind") or {}
    if by_kind:
        lines.append("")
        lines.append(f"{'kind':<18}{'n':>4}{'R@5':>8}{'MRR':>8}{'cit.rec':>9}{'shown':>8}{'abst.acc':>10}")
        for kind, m in by_kind.items():
            lines.append(
                f"{kind:<18}{m['n']:>4}{_fmt(m['recall@5']):>8}{_fmt(m['mrr']):>8}"
                f"{_fmt(m['citation_evidence_recall']):>9}{_fmt(m['evidence_shown']):>8}"
                f"{_fmt(m['abstention_accuracy']):>10}"
            )
    return "\n".join(lines)


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _answer_all(gold: list[GoldItem], answer_fn: AnswerFn) -> dict[str, dict]:
    """Ask every question; a failing question is recorded as an error, not a crashed run."""
    responses: dict[str, dict] = {}
    for position, item in enumerate(gold, 1):
        started = time.perf_counter()
        try:
            response = dict(answer_fn(item.question))
        except Exception as exc:  # noqa: BLE001 - one bad question must not lose the whole run
            logger.warning("question %s failed: %s: %s", item.id, type(exc).__name__, exc)
            response = {"question": item.question, "answer": "", "abstained": False, "citations": [],
                        "passages": [], "timings_ms": {}, "error": f"{type(exc).__name__}: {exc}"}
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        timings = dict(response.get("timings_ms") or {})
        # Answerers that do not time themselves still get a wall-clock latency.
        timings.setdefault("total", round(elapsed_ms, 2))
        response["timings_ms"] = timings
        responses[item.id] = response
        logger.debug("answered %d/%d %s in %.0f ms", position, len(gold), item.id, elapsed_ms)
    return responses


def run_eval(
    gold_path: str | Path,
    out_dir: str | Path,
    answer_fn: AnswerFn,
    corpus_dir: str | Path,
    compare: str | Path | None = None,
    extra: dict | None = None,
    corpus_texts: dict[str, str] | None = None,
) -> dict:
    """Answer every gold question, score the answers and write a run folder.

    The folder gets ``summary.json`` (metrics without the per-question rows, plus ``run``
    metadata and ``comparison`` when ``compare`` names another run folder),
    ``questions.csv``, ``report.html`` and ``responses.jsonl``. Returns the summary with
    the per-question rows under ``questions``.
    """

    gold = load_gold(gold_path)
    texts = corpus_texts if corpus_texts is not None else load_corpus_texts(corpus_dir)
    # Fail before the slow part: a quote the corpus lacks makes the run meaningless.
    locate_gold(gold, texts)
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    responses = _answer_all(gold, answer_fn)
    result = evaluate(gold, responses, texts)
    result["run"] = {
        "gold": str(gold_path),
        "gold_sha256": _sha256(gold_path),
        "corpus_dir": str(corpus_dir),
        "corpus_sha256": {
            source: hashlib.sha256(text.encode("utf-8")).hexdigest() for source, text in sorted(texts.items())
        },
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 2),
        "metrics_version": METRICS_VERSION,
        "extra": dict(extra or {}),
    }
    if compare is not None:
        other = json.loads((Path(compare) / "summary.json").read_text(encoding="utf-8"))
        result["comparison"] = compare_runs(result, other, compare)
        if not result["comparison"]["same_gold"]:
            logger.warning("comparing against %s, which used a different gold file", compare)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = {k: v for k, v in result.items() if k != "questions"}
    summary_text = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    (out / "summary.json").write_text(summary_text, encoding="utf-8")
    _write_csv(out / "questions.csv", result["questions"])
    with open(out / "responses.jsonl", "w", encoding="utf-8") as handle:
        for item in gold:
            record = {"id": item.id, "response": responses[item.id]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (out / "report.html").write_text(render_html(result, gold, responses), encoding="utf-8")
    logger.info("eval run written to %s", out)
    return result


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join("-" if v is None else str(v) for v in value)
    return value


def _write_csv(path: Path, rows: list[dict]) -> None:
    write_csv(path, CSV_COLUMNS, rows, _csv_value)
