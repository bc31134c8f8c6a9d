"""Retrieval and citation quality of the whole system against hand-written gold questions.

Gold items carry verbatim evidence quotes from the corpus; a quote is located once,
whitespace-insensitively, and from then on it is a character span of its source. A passage
(or citation) FINDS a quote when it comes from the same source and its ``[start, end)`` span
covers at least half of the quote's span. An evidence entry may also be a list of quotes: the
first is the quote, the others are places where the report states the same thing again (a
chapter summary repeating a recommendation), and finding any one of them finds the entry.
Everything else is counted from that one rule:

* ``recall@k``: per answerable question, the fraction of its quotes found by the top-k
  passages; averaged over answerable questions. ``recall@5`` is the primary metric.
* ``mrr``: 1 / rank of the first passage finding any quote (0 when none does), averaged over
  answerable questions.
* ``citation_evidence_recall``: per answerable question, the fraction of its quotes found by
  the cited passages, 0 when the system abstained; averaged over answerable questions.
* ``evidence_shown``: per answerable question, the fraction of its quotes that the answer's own
  sentences show: the union of the sentence spans covers at least half of the quote (or of one of
  its alternatives); 0 when the system declined. This is what the user reads, where the two
  metrics above are about what the system found.
* ``citation_precision``: over all citations of answerable questions, the fraction that are
  relevant: the cited passage finds a quote, or a quote covers at least half of the passage.
* ``citations_retrieved_rate``: over all citations, the fraction whose ``passage_id`` is among
  the returned passages (an answer may only cite what was retrieved, so this must be 1.0).
* ``abstention_accuracy``: fraction of unanswerable questions answered with ``abstained``.
* ``false_abstention_rate``: fraction of answerable questions answered with ``abstained``.
* ``latency_ms_p50`` / ``latency_ms_p95``: linear-interpolated percentiles of
  ``timings_ms.total`` over all questions.
* ``supported_sentence_rate``: over all answer sentences, the fraction marked ``supported``
  (extractive sentences are quotes and always are; generated ones are checked).
* ``invalid_citation_rate``: over all distinct citation numbers the answers used, the fraction
  that pointed at no retrieved passage and were removed (``invalid_citations``).
* ``fallback_rate``: fraction of questions whose generated answer was replaced by the
  extractive one (``fallback`` set).

A metric with nothing to average over (no citations, no unanswerable questions) is None.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PRIMARY_METRIC = "recall@5"
RECALL_KS = (1, 3, 5, 10)
REQUIRED_FIELDS = ("id", "question", "answerable", "evidence", "lang", "kind")
ANSWER_PREVIEW_CHARS = 300
# Bumped when a metric definition changes, so comparisons across versions can be flagged.
METRICS_VERSION = 1

# The scalar metrics shown first and compared between runs, in display order.
HEADLINE_METRICS = (
    "recall@1",
    "recall@3",
    "recall@5",
    "recall@10",
    "mrr",
    "citation_evidence_recall",
    "evidence_shown",
    "citation_precision",
    "citations_retrieved_rate",
    "abstention_accuracy",
    "false_abstention_rate",
    "answer_sentences_mean",
    "latency_ms_p50",
    "latency_ms_p95",
    "supported_sentence_rate",
    "invalid_citation_rate",
    "fallback_rate",
)

CSV_COLUMNS = (
    "id",
    "kind",
    "lang",
    "answerable",
    "abstained",
    "first_hit_rank",
    "recall@1",
    "recall@3",
    "recall@5",
    "recall@10",
    "reciprocal_rank",
    "citation_recall",
    "evidence_shown",
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


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answerable: bool
    evidence: tuple[str, ...]
    lang: str
    kind: str
    # Per evidence quote, other quotes that state the same thing elsewhere in the report.
    alternatives: tuple[tuple[str, ...], ...] = ()

    def quote_groups(self) -> list[tuple[str, ...]]:
        """Each evidence quote followed by its alternatives."""
        extra = self.alternatives or tuple(() for _ in self.evidence)
        return [(quote, *alts) for quote, alts in zip(self.evidence, extra)]


@dataclass(frozen=True)
class Span:
    """A character span ``[start, end)`` of one source's decoded text."""

    source: str
    start: int
    end: int

    def __len__(self) -> int:
        return max(0, self.end - self.start)


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read a gold JSONL file; a malformed line raises ValueError naming the file and line."""
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
            item = _gold_item(row, where)
            if item.id in seen:
                raise ValueError(f"{where}: duplicate id {item.id!r} (first on line {seen[item.id]})")
            seen[item.id] = lineno
            items.append(item)
    return items


def _gold_item(row: Any, where: str) -> GoldItem:
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(row).__name__}")
    missing = [name for name in REQUIRED_FIELDS if name not in row]
    if missing:
        raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    for name in ("id", "question", "lang", "kind"):
        if not isinstance(row[name], str) or not row[name].strip():
            raise ValueError(f"{where}: field {name!r} must be a non-empty string")
    if not isinstance(row["answerable"], bool):
        raise ValueError(f"{where}: field 'answerable' must be true or false")
    evidence = row["evidence"]
    if not isinstance(evidence, list) or not all(_quote_group(q) for q in evidence):
        raise ValueError(
            f"{where}: field 'evidence' must be a list of non-empty strings "
            "(or of non-empty lists of them: a quote and where the report says the same again)"
        )
    groups = [(q,) if isinstance(q, str) else tuple(q) for q in evidence]
    if row["answerable"] and not evidence:
        raise ValueError(f"{where}: an answerable question needs at least one evidence quote")
    if not row["answerable"] and evidence:
        raise ValueError(f"{where}: an unanswerable question must have no evidence")
    return GoldItem(
        id=row["id"],
        question=row["question"],
        answerable=row["answerable"],
        evidence=tuple(g[0] for g in groups),
        lang=row["lang"],
        kind=row["kind"],
        alternatives=tuple(g[1:] for g in groups),
    )


def _quote_group(entry: Any) -> bool:
    """An evidence entry: a non-empty quote, or a non-empty list of them."""
    quotes = [entry] if isinstance(entry, str) else entry
    return isinstance(quotes, list) and bool(quotes) and all(isinstance(q, str) and q.strip() for q in quotes)


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A regex matching ``quote`` with every run of whitespace matching any run of whitespace."""
    tokens = quote.split()
    if not tokens:
        raise ValueError("empty evidence quote")
    return re.compile(r"\s+".join(re.escape(token) for token in tokens))


def locate_evidence(quote: str, text: str) -> tuple[int, int] | None:
    """The ``(start, end)`` of the first whitespace-insensitive match of ``quote`` in ``text``."""
    match = quote_pattern(quote).search(text)
    return (match.start(), match.end()) if match else None


def count_evidence(quote: str, text: str) -> int:
    return sum(1 for _ in quote_pattern(quote).finditer(text))


def locate_in_corpus(quote: str, corpus_texts: dict[str, str]) -> Span | None:
    """The quote's span in the first source (by name) that contains it."""
    for source in sorted(corpus_texts):
        found = locate_evidence(quote, corpus_texts[source])
        if found:
            return Span(source, *found)
    return None


def load_corpus_texts(corpus_dir: str | Path) -> dict[str, str]:
    """Source name -> decoded text, read by the system's own loader so offsets agree."""
    from rag.index.loaders import discover, load_document

    documents = (load_document(path, Path(corpus_dir)) for path in discover([Path(corpus_dir)]))
    return {doc.source: doc.text for doc in documents}


def _overlap(a: Span, b: Span) -> int:
    if a.source != b.source:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def finds(passage: Span | None, quote: Span) -> bool:
    """The half-coverage rule: the passage covers at least half of the quote's characters."""
    return passage is not None and 2 * _overlap(passage, quote) >= len(quote) > 0


def covered(quote: Span, spans: Iterable[Span | None]) -> int:
    """Characters of ``quote`` inside the union of ``spans`` (overlapping spans count once)."""
    inside = sorted(
        (max(s.start, quote.start), min(s.end, quote.end))
        for s in spans
        if s is not None and s.source == quote.source and s.start < quote.end and s.end > quote.start
    )
    total, reach = 0, quote.start
    for start, end in inside:
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    return total


def shown(group: tuple[Span, ...], spans: list[Span | None]) -> bool:
    """The answer's sentences show an evidence entry: together they cover at least half of the
    quote or of one of its alternatives (the half-coverage rule of ``finds``)."""
    return any(2 * covered(q, spans) >= len(q) > 0 for q in group)


def finds_any(passage: Span | None, group: tuple[Span, ...]) -> bool:
    """The passage finds an evidence entry: the quote or one of its alternatives."""
    return any(finds(passage, q) for q in group)


def _relevant(passage: Span | None, groups: Iterable[tuple[Span, ...]]) -> bool:
    """A cited passage is relevant if it finds a quote or is itself at least half inside one."""
    if passage is None or len(passage) == 0:
        return False
    return any(finds(passage, q) or 2 * _overlap(passage, q) >= len(passage) for g in groups for q in g)


def _span_of(entry: dict) -> Span | None:
    try:
        return Span(str(entry["source"]), int(entry["start"]), int(entry["end"]))
    except (KeyError, TypeError, ValueError):
        return None


def _rank_key(passage: dict) -> float:
    rank = passage.get("rank")
    return float(rank) if isinstance(rank, (int, float)) else float("inf")


def ranked_passages(response: dict) -> list[dict]:
    """Passages best first; the sort is stable, so unranked ones keep their given order."""
    return sorted(response.get("passages") or [], key=_rank_key)


def locate_gold(gold: list[GoldItem], corpus_texts: dict[str, str]) -> dict[str, list[tuple[Span, ...]]]:
    """Every item's evidence entries as spans (the quote, then its alternatives); a quote missing
    from the corpus is a broken gold file."""
    spans: dict[str, list[tuple[Span, ...]]] = {}
    for item in gold:
        spans[item.id] = []
        for group in item.quote_groups():
            located = []
            for quote in group:
                span = locate_in_corpus(quote, corpus_texts)
                if span is None:
                    raise ValueError(f"{item.id}: evidence quote not found in the corpus: {quote[:80]!r}")
                located.append(span)
            spans[item.id].append(tuple(located))
    return spans


def score_question(item: GoldItem, response: dict, quotes: list[tuple[Span, ...]]) -> dict:
    """One per-question row: ranks, recall, citation scores and a short answer preview.
    ``quotes`` holds one entry per evidence quote: its span, then its alternatives' spans."""
    passages = ranked_passages(response)
    passage_spans = [_span_of(p) for p in passages]
    evidence_ranks = [
        next((pos for pos, span in enumerate(passage_spans, 1) if finds_any(span, q)), None)
        for q in quotes
    ]
    hit_ranks = [rank for rank in evidence_ranks if rank is not None]
    first_hit_rank = min(hit_ranks) if hit_ranks else None

    citations = list(response.get("citations") or [])
    sentences = list(response.get("sentences") or [])
    cited_spans = [_span_of(c) for c in citations]
    retrieved_ids = {p.get("passage_id") for p in passages}
    abstained = bool(response.get("abstained"))
    cited_relevant = [_relevant(span, quotes) for span in cited_spans]
    cited_found = [any(finds_any(span, q) for span in cited_spans) for q in quotes]
    sentence_spans = [_span_of(s) for s in sentences]
    shown_found = [shown(q, sentence_spans) for q in quotes]
    not_retrieved = sum(1 for c in citations if c.get("passage_id") not in retrieved_ids)
    answerable = item.answerable

    row: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "lang": item.lang,
        "answerable": item.answerable,
        "abstained": abstained,
        "first_hit_rank": first_hit_rank,
    }
    for k in RECALL_KS:
        found = sum(1 for r in evidence_ranks if r is not None and r <= k)
        row[f"recall@{k}"] = found / len(quotes) if answerable else None
    row.update(
        {
            "reciprocal_rank": (1.0 / first_hit_rank if first_hit_rank else 0.0) if answerable else None,
            "citation_recall": (0.0 if abstained else sum(cited_found) / len(quotes)) if answerable else None,
            "evidence_shown": (0.0 if abstained else sum(shown_found) / len(quotes)) if answerable else None,
            "citation_precision": sum(cited_relevant) / len(citations) if answerable and citations else None,
            "n_quotes": len(quotes),
            "evidence_ranks": evidence_ranks,
            "cited_found": cited_found,
            "cited_relevant": cited_relevant,
            "n_citations": len(citations),
            "n_relevant_citations": sum(cited_relevant),
            "n_citations_not_retrieved": not_retrieved,
            "n_passages": len(passages),
            "latency_ms": _latency(response),
            "mode": response.get("mode"),
            "fallback": response.get("fallback"),
            "n_sentences": len(sentences),
            "n_supported_sentences": sum(1 for s in sentences if s.get("supported", True)),
            "n_invalid_citations": len(response.get("invalid_citations") or []),
            "error": response.get("error"),
            "question": item.question,
            "answer": _preview(str(response.get("answer") or "")),
        }
    )
    return row


def _latency(response: dict) -> float | None:
    total = (response.get("timings_ms") or {}).get("total")
    return float(total) if isinstance(total, (int, float)) else None


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ANSWER_PREVIEW_CHARS else text[: ANSWER_PREVIEW_CHARS - 1] + "…"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default method)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def aggregate(rows: list[dict]) -> dict:
    """Metrics over a set of per-question rows (all questions, one kind, one language)."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    n_cited_answerable = sum(r["n_citations"] for r in answerable)
    n_citations = sum(r["n_citations"] for r in rows)
    latencies = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
    n_sentences = sum(r["n_sentences"] for r in rows)
    n_invalid = sum(r["n_invalid_citations"] for r in rows)
    metrics: dict[str, Any] = {
        f"recall@{k}": _mean([r[f"recall@{k}"] for r in answerable]) for k in RECALL_KS
    }
    metrics.update(
        {
            "mrr": _mean([r["reciprocal_rank"] for r in answerable]),
            "citation_evidence_recall": _mean([r["citation_recall"] for r in answerable]),
            "evidence_shown": _mean([r["evidence_shown"] for r in answerable]),
            "citation_precision": (
                sum(r["n_relevant_citations"] for r in answerable) / n_cited_answerable
                if n_cited_answerable
                else None
            ),
            "citations_retrieved_rate": (
                1.0 - sum(r["n_citations_not_retrieved"] for r in rows) / n_citations if n_citations else None
            ),
            "abstention_accuracy": _mean([1.0 if r["abstained"] else 0.0 for r in unanswerable]),
            "false_abstention_rate": _mean([1.0 if r["abstained"] else 0.0 for r in answerable]),
            "answer_sentences_mean": _mean([float(r["n_sentences"]) for r in answerable if not r["abstained"]]),
            "latency_ms_p50": percentile(latencies, 50),
            "latency_ms_p95": percentile(latencies, 95),
            "supported_sentence_rate": (
                sum(r["n_supported_sentences"] for r in rows) / n_sentences if n_sentences else None
            ),
            "invalid_citation_rate": n_invalid / (n_citations + n_invalid) if n_citations + n_invalid else None,
            "fallback_rate": _mean([1.0 if r["fallback"] else 0.0 for r in rows]),
            "n": len(rows),
            "n_answerable": len(answerable),
            "n_unanswerable": len(unanswerable),
            "n_quotes": sum(r["n_quotes"] for r in answerable),
            "n_citations": n_citations,
            "n_abstained": sum(1 for r in rows if r["abstained"]),
            "n_errors": sum(1 for r in rows if r["error"]),
            "n_fallbacks": sum(1 for r in rows if r["fallback"]),
        }
    )
    return metrics


def evaluate(gold: list[GoldItem], responses: dict[str, dict], corpus_texts: dict[str, str]) -> dict:
    """Metrics for ``responses`` (gold id -> ``rag ask --json`` dict); ``questions`` holds the rows."""
    missing = [item.id for item in gold if item.id not in responses]
    if missing:
        raise ValueError(f"no response for {len(missing)} gold item(s): {', '.join(missing[:10])}")
    spans = locate_gold(gold, corpus_texts)
    rows = [score_question(item, responses[item.id], spans[item.id]) for item in gold]
    metrics: dict[str, Any] = {"primary_metric": PRIMARY_METRIC, **aggregate(rows)}
    metrics["by_kind"] = _grouped(rows, "kind")
    metrics["by_lang"] = _grouped(rows, "lang")
    metrics["questions"] = rows
    return metrics


def _ordered(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _grouped(rows: list[dict], key: str) -> dict[str, dict]:
    """Metrics per value of ``key``, in the order the values first appear in the gold file."""
    values = _ordered(r[key] for r in rows)
    return {value: aggregate([r for r in rows if r[key] == value]) for value in values}


def compare_runs(this: dict, other: dict, other_run: str | Path | None = None) -> dict:
    """Headline metrics and per-kind recall@5 of two runs side by side, ``delta = this - other``."""

    def row(a: Any, b: Any) -> dict:
        numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
        return {"this": a, "other": b, "delta": a - b if numeric else None}

    this_run, that_run = this.get("run") or {}, other.get("run") or {}
    gold_sha = this_run.get("gold_sha256")
    kinds = _ordered([*this.get("by_kind", {}), *other.get("by_kind", {})])
    return {
        "other_run": str(other_run) if other_run is not None else None,
        "same_gold": bool(gold_sha) and gold_sha == that_run.get("gold_sha256"),
        "same_metrics_version": this_run.get("metrics_version") == that_run.get("metrics_version"),
        "metrics": {m: row(this.get(m), other.get(m)) for m in HEADLINE_METRICS},
        "by_kind_recall@5": {
            kind: row(
                this.get("by_kind", {}).get(kind, {}).get(PRIMARY_METRIC),
                other.get("by_kind", {}).get(kind, {}).get(PRIMARY_METRIC),
            )
            for kind in kinds
        },
    }


def threshold_failed(metrics: dict, min_recall5: float | None) -> bool:
    """True when a minimum recall@5 is set and the run is below it (or has no recall at all)."""
    if min_recall5 is None:
        return False
    value = metrics.get(PRIMARY_METRIC)
    return value is None or value < min_recall5


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
    from evals.report import render_html

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
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(row.get(k)) for k in CSV_COLUMNS})
