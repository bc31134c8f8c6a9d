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
  its alternatives); 0 when the system declined (a partial answer's quoted sentences count: the
  reader sees them under its caveat; before metrics version 2 they counted 0). This is what the user reads, where the two
  metrics above are about what the system found.
* ``lead_shows_evidence``: per answerable question, 1 when what the reader reads first shows at
  least one of the quotes by the same rule, else 0 (and 0 when the system declined): the answer's
  ``lead``; in an answer to a question of several parts, the lead of any part (each opens its own
  heading); in a partial answer, its first run of quoted sentences (``lead_sentences``; before
  metrics version 3 the last two counted 0 whatever they showed).
* ``first_sentence_shows_evidence``: the same for a lead's first sentence alone: the first line
  a manager reads (in an answer of several parts, the first line under any part's heading).
* ``citation_precision``: over all citations of answerable questions, the fraction that are
  relevant: the cited passage finds a quote, or a quote covers at least half of the passage.
* ``citations_retrieved_rate``: over all citations, the fraction whose ``passage_id`` is among
  the returned passages (an answer may only cite what was retrieved, so this must be 1.0).
* ``abstention_accuracy``: fraction of unanswerable questions answered with ``abstained``
  (a partial answer or a decline).
* ``false_abstention_rate``: fraction of answerable questions answered with ``abstained``.
* the three outcomes apart: ``answerable_declined_rate`` and ``answerable_partial_rate`` (answerable
  questions declined, or given only a partial answer), ``unanswerable_answered_rate`` (unanswerable
  questions answered as if answerable) and ``unanswerable_declined_rate``. A partial answer is not
  a decline.
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

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evals.gold import GoldItem, Span, locate_gold


PRIMARY_METRIC = "recall@5"


RECALL_KS = (1, 3, 5, 10)


ANSWER_PREVIEW_CHARS = 300


# Bumped when a metric definition changes, so comparisons across versions can be flagged.
METRICS_VERSION = 3


# The scalar metrics shown first and compared between runs, in display order.
HEADLINE_METRICS = (
    "recall@1",
    "recall@3",
    "recall@5",
    "recall@10",
    "mrr",
    "citation_evidence_recall",
    "evidence_shown",
    "lead_shows_evidence",
    "first_sentence_shows_evidence",
    "citation_precision",
    "citations_retrieved_rate",
    "abstention_accuracy",
    "false_abstention_rate",
    "answerable_declined_rate",
    "answerable_partial_rate",
    "unanswerable_answered_rate",
    "unanswerable_declined_rate",
    "answer_sentences_mean",
    "latency_ms_p50",
    "latency_ms_p95",
    "supported_sentence_rate",
    "invalid_citation_rate",
    "fallback_rate",
)


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


def lead_sentences(response: dict) -> list[list[int]]:
    """The sentence indexes of what the reader reads first, one list per lead: the ``lead`` part of a
    one-part answer; each part's own lead under its heading in an answer to a question of several
    parts (``question_part``, one per part); the first run of quoted sentences of a partial answer
    (``closest``, under its caveat)."""
    parts = response.get("parts") or []
    lead = [p.get("sentences") or [] for p in parts if p.get("kind") == "lead"]
    if lead:
        return lead[:1]
    per_part = [p.get("sentences") or [] for p in parts if p.get("kind") == "question_part"]
    if per_part:
        return per_part
    closest = next((p for p in parts if p.get("kind") == "closest"), None)
    if closest is not None:
        items = closest.get("items") or []
        return [list(items[0])] if items else [closest.get("sentences") or []]
    return []


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
    # A partial answer quotes the nearest sentences under its caveat: what they show is read.
    declined = (response.get("outcome") or ("decline" if abstained else "answer")) == "decline"
    cited_relevant = [_relevant(span, quotes) for span in cited_spans]
    cited_found = [any(finds_any(span, q) for span in cited_spans) for q in quotes]
    sentence_spans = [_span_of(s) for s in sentences]
    shown_found = [shown(q, sentence_spans) for q in quotes]
    leads = [[sentence_spans[i] for i in lead if 0 <= i < len(sentence_spans)] for lead in lead_sentences(response)]
    lead_found = any(shown(q, [span for lead in leads for span in lead]) for q in quotes)
    first_found = any(shown(q, [lead[0] for lead in leads if lead]) for q in quotes)
    not_retrieved = sum(1 for c in citations if c.get("passage_id") not in retrieved_ids)
    answerable = item.answerable

    row: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "lang": item.lang,
        "answerable": item.answerable,
        "abstained": abstained,
        "outcome": response.get("outcome") or ("decline" if abstained else "answer"),
        "first_hit_rank": first_hit_rank,
    }
    for k in RECALL_KS:
        found = sum(1 for r in evidence_ranks if r is not None and r <= k)
        row[f"recall@{k}"] = found / len(quotes) if answerable else None
    row.update(
        {
            "reciprocal_rank": (1.0 / first_hit_rank if first_hit_rank else 0.0) if answerable else None,
            "citation_recall": (0.0 if declined else sum(cited_found) / len(quotes)) if answerable else None,
            "evidence_shown": (0.0 if declined else sum(shown_found) / len(quotes)) if answerable else None,
            "lead_shows_evidence": (0.0 if declined else float(lead_found)) if answerable else None,
            "first_sentence_shows_evidence": (0.0 if declined else float(first_found)) if answerable else None,
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
            "lead_shows_evidence": _mean([r["lead_shows_evidence"] for r in answerable]),
            "first_sentence_shows_evidence": _mean([r["first_sentence_shows_evidence"] for r in answerable]),
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
            "answerable_declined_rate": _mean([float(r["outcome"] == "decline") for r in answerable]),
            "answerable_partial_rate": _mean([float(r["outcome"] == "partial") for r in answerable]),
            "unanswerable_answered_rate": _mean([float(r["outcome"] == "answer") for r in unanswerable]),
            "unanswerable_declined_rate": _mean([float(r["outcome"] == "decline") for r in unanswerable]),
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
    return bool(gates_failed(metrics, min_recall5=min_recall5))


# The quality gates ``rag eval`` can enforce: option name -> (metric, True when it is a minimum).
GATES = {
    "min_recall5": (PRIMARY_METRIC, True),
    "max_answerable_declined": ("answerable_declined_rate", False),
    "max_unanswerable_answered": ("unanswerable_answered_rate", False),
}


def gates_failed(metrics: dict, **limits: float | None) -> list[str]:
    """One line per gate that is set and not met (a metric with nothing to measure fails its gate)."""
    failed = []
    for option, limit in limits.items():
        if limit is None:
            continue
        metric, minimum = GATES[option]
        value = metrics.get(metric)
        if value is None or (value < limit if minimum else value > limit):
            shown = "none" if value is None else f"{value:.3f}"
            failed.append(f"{metric} {shown} is {'below' if minimum else 'above'} --{option.replace('_', '-')} {limit}")
    return failed
