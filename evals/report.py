"""One self-contained HTML page per eval run, for a person to read question by question.

The page opens with the metrics, each beside its target and a met / not met mark (the targets
are README's, under Evaluation and Benchmark), then the breakdowns, a table of every question a
person can scan (question, verdict, the answer as it reads, the gold quotes as the product's OCR
repair shows them, the raw OCR on hover), failures first, with filters by verdict, kind and
language and sortable columns, the details per question in the same order, and the run's
settings folded away at the end. It fits a 1366 px screen. Metrics of generated answers
(supported sentences, invalid citations, fallbacks) appear only for a generative run: on an
extractive run they are 1.000 and 0.000 by construction and would read as achievements.

Everything that comes from gold files, answers or passages is HTML-escaped: answers are
model output and passages are OCR text, and neither should be able to inject markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from evals.gold import GoldItem
from evals.metrics import HEADLINE_METRICS, ranked_passages
from rag.index.clean import repair_text

PASSAGE_PREVIEW_CHARS = 700
LOWER_IS_BETTER = ("false_abstention_rate", "invalid_citation_rate", "fallback_rate")
RETRIEVED_SHOWN = 5
GENERATIVE_METRICS = ("supported_sentence_rate", "invalid_citation_rate", "fallback_rate")


@dataclass(frozen=True)
class Target:
    """What README promises for a metric: at least (``at_least``) or at most ``bound``."""

    metric: str
    bound: float
    at_least: bool = True

    def met(self, value: Any) -> bool | None:
        if value is None:
            return None
        return value >= self.bound if self.at_least else value <= self.bound

    @property
    def text(self) -> str:
        return "{} {}".format("≥" if self.at_least else "≤", _fmt(self.bound, self.metric))


# README, Evaluation ("Against the targets on dev") and Benchmark (warm ask latency).
TARGETS = (
    Target("recall@5", 0.90),
    Target("mrr", 0.80),
    Target("evidence_shown", 0.70),
    Target("citation_evidence_recall", 0.85),
    Target("answerable_declined_rate", 0.02, at_least=False),
    Target("unanswerable_answered_rate", 0.10, at_least=False),
    Target("latency_ms_p50", 150, at_least=False),
    Target("latency_ms_p95", 300, at_least=False),
)

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1280px; padding: 0 12px; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.breakdown { width: 100%; table-layout: fixed; } table.breakdown th { font-size: 12px; }
table.questions { width: 100%; table-layout: fixed; }
table.questions th:nth-child(1) { width: 6%; } table.questions th:nth-child(2) { width: 22%; }
table.questions th:nth-child(3) { width: 14%; } table.questions th:nth-child(4) { width: 33%; }
table.questions th[data-sort] { cursor: pointer; text-decoration: underline dotted; }
.filters { display: flex; gap: 1em; flex-wrap: wrap; align-items: center; margin: .5em 0; }
q[title] { text-decoration: underline dotted #999; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pos { color: #176b1f; } .neg { color: #a31515; }
section.q { border: 1px solid #ddd; border-left: 6px solid #999; padding: .4em 1em; margin: 1em 0; }
section.q.hit { border-left-color: #2e9d3a; } section.q.miss { border-left-color: #d0342c; }
section.q.partial { border-left-color: #e0a020; }
.meta { color: #666; font-size: 12px; }
.answer, .passage { white-space: pre-wrap; background: #f7f7f7; padding: .4em .6em; }
.passage { font-size: 12px; }
.ok { color: #176b1f; font-weight: 600; } .bad { color: #a31515; font-weight: 600; }
.part { color: #8a5a00; font-weight: 600; }
table.questions td.answer-cell { white-space: pre-wrap; font-size: 13px; }
table.questions td.gold { font-size: 13px; }
details.settings { margin-top: 2em; }
"""


def _fmt(value: Any, metric: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, (bool, int)):
        return str(value)
    if metric.startswith("latency"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def _mark(ok: bool, yes: str = "yes", no: str = "no") -> str:
    return f'<span class="ok">{yes}</span>' if ok else f'<span class="bad">{no}</span>'


def is_generative(result: dict, responses: dict[str, dict]) -> bool:
    """A run whose answers a language model wrote (or tried to: a fallback counts)."""
    llm = ((result.get("run") or {}).get("extra") or {}).get("llm")
    if llm not in (None, "extractive"):
        return True
    return any(r.get("mode") == "generative" or r.get("fallback") for r in responses.values())


def shown_metrics(generative: bool) -> list[str]:
    """Metrics with a target first (the primary one leading), then the rest, in harness order."""
    metrics = [m for m in HEADLINE_METRICS if generative or m not in GENERATIVE_METRICS]
    targeted = [t.metric for t in TARGETS if t.metric in metrics]
    return targeted + [m for m in metrics if m not in targeted]


def _headline(result: dict, generative: bool) -> str:
    compared = (result.get("comparison") or {}).get("metrics", {})
    targets = {t.metric: t for t in TARGETS}
    head = "<tr><th>metric</th><th>value</th><th>target</th><th>met</th>"
    head += "<th>other run</th><th>delta</th></tr>" if compared else "</tr>"
    rows = []
    for metric in shown_metrics(generative):
        label = escape(metric) + (" (primary)" if metric == result.get("primary_metric") else "")
        value = result.get(metric)
        target = targets.get(metric)
        met = target.met(value) if target else None
        mark = "" if met is None else _mark(met, "✓ met", "✗ not met")
        cells = (
            f"<td>{label}</td><td class=num>{_fmt(value, metric)}</td>"
            f"<td class=num>{escape(target.text) if target else '–'}</td><td>{mark}</td>"
        )
        if compared:
            entry = compared.get(metric, {})
            delta = entry.get("delta")
            css = "" if not delta else (" pos" if delta > 0 else " neg")
            # Lower is better for these, so the colour flips.
            if metric.startswith("latency") or metric in LOWER_IS_BETTER:
                css = {" pos": " neg", " neg": " pos"}.get(css, css)
            sign = "+" if delta is not None and delta >= 0 else ""
            shown = "-" if delta is None else sign + _fmt(delta, metric)
            cells += f"<td class=num>{_fmt(entry.get('other'), metric)}</td><td class='num{css}'>{shown}</td>"
        rows.append(f"<tr class='metric' data-metric='{escape(metric)}'>{cells}</tr>")
    return f"<table class=metrics>{head}{''.join(rows)}</table>"


def _breakdown(groups: dict, label: str) -> str:
    columns = ("n", "n_answerable", "recall@1", "recall@5", "mrr", "citation_evidence_recall",
               "citation_precision", "abstention_accuracy", "false_abstention_rate")
    head = f"<tr><th>{escape(label)}</th>" + "".join(f"<th>{escape(c)}</th>" for c in columns) + "</tr>"
    body = "".join(
        f"<tr><td>{escape(name)}</td>"
        + "".join(f"<td class=num>{_fmt(m.get(c), c)}</td>" for c in columns)
        + "</tr>"
        for name, m in groups.items()
    )
    return f"<table class=breakdown>{head}{body}</table>"


def _run_meta(result: dict) -> str:
    run = result.get("run") or {}
    rows = [("gold", run.get("gold")), ("started", run.get("started_at")), ("duration (s)", run.get("duration_s"))]
    settings = sorted((run.get("extra") or {}).items())
    rows += [(f"setting: {k}", json.dumps(v, ensure_ascii=False)) for k, v in settings]
    comparison = result.get("comparison")
    if comparison:
        rows.append(("compared with", comparison.get("other_run")))
        if not comparison.get("same_gold"):
            rows.append(("warning", "the other run used a different gold file"))
    body = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f"<details class=settings><summary>Run and settings</summary><table>{body}</table></details>"


def _passage_block(entry: dict, label: str, verdict: str) -> str:
    text = str(entry.get("text") or "")
    if len(text) > PASSAGE_PREVIEW_CHARS:
        text = text[:PASSAGE_PREVIEW_CHARS] + "…"
    where = "{} · {} · {}–{}".format(
        entry.get("passage_id"), entry.get("section") or "", entry.get("start"), entry.get("end")
    )
    return (
        f"<div class=meta>{escape(label)} {verdict} <code>{escape(where)}</code></div>"
        f"<div class=passage>{escape(text)}</div>"
    )


def verdict(item: GoldItem, row: dict, response: dict) -> tuple[str, str]:
    """(css class, words) of how a question went, as a person judges it: for an answerable one,
    whether the answer shows the gold evidence; for an unanswerable one, whether it declined."""
    if row.get("error"):
        return "bad", "✗ error"
    if not item.answerable:
        if not row["abstained"]:
            return "bad", "✗ answered (should decline)"
        partial = response.get("outcome") == "partial"
        return "ok", "✓ partial: says what is missing" if partial else "✓ declined"
    if row["abstained"]:
        return "bad", "✗ declined (should answer)"
    shown = row.get("evidence_shown") or 0.0
    if shown >= 1.0:
        return "ok", "✓ shows the evidence"
    found = round(shown * row["n_quotes"])
    if found:
        return "part", "◐ shows {} of {} quotes".format(found, row["n_quotes"])
    if row.get("citation_recall"):
        return "part", "◐ cites the passage, quotes other sentences"
    return "bad", "✗ evidence not shown"


# Failures first: what a person reading the report should look at.
VERDICT_ORDER = {"bad": 0, "part": 1, "ok": 2}
VERDICT_NAMES = {"bad": "✗ failed", "part": "◐ partly", "ok": "✓ passed"}


def failures_first(gold: list[GoldItem], rows: dict, responses: dict[str, dict]) -> list[GoldItem]:
    """The gold items ordered by verdict (failed, partly, passed), in gold order within each."""
    return sorted(gold, key=lambda item: VERDICT_ORDER[verdict(item, rows[item.id], responses[item.id])[0]])


def cleaned_quote(quote: str) -> str:
    """A gold quote as the product shows the report (its own OCR repair); the raw OCR on hover."""
    clean = repair_text(quote).text
    if clean == quote:
        return f"<q>{escape(quote)}</q>"
    return f"<q title='{escape(quote, quote=True)}'>{escape(clean)}</q>"


def _filters(gold: list[GoldItem]) -> str:
    def select(name: str, options: list[tuple[str, str]]) -> str:
        shown = "".join(f"<option value='{escape(v)}'>{escape(t)}</option>" for v, t in options)
        return f"<label>{escape(name)} <select data-filter='{escape(name)}'><option value=''>all</option>{shown}</select></label>"

    kinds = sorted({item.kind for item in gold})
    langs = sorted({item.lang for item in gold})
    return "<div class=filters>{}{}{}<span class=meta data-count></span></div>".format(
        select("verdict", list(VERDICT_NAMES.items())), select("kind", [(k, k) for k in kinds]),
        select("lang", [(v, v) for v in langs]),
    )


def _questions_table(gold: list[GoldItem], rows: dict, responses: dict[str, dict]) -> str:
    head = (
        "<tr><th data-sort=id>id</th><th data-sort=question>question</th><th data-sort=verdict>verdict</th>"
        "<th>answer</th><th>gold quote</th></tr>"
    )
    body = []
    for item in failures_first(gold, rows, responses):
        css, words = verdict(item, rows[item.id], responses[item.id])
        quotes = "<br>".join(cleaned_quote(group[0]) for group in item.quote_groups()) or "– (not in the report)"
        body.append(
            f"<tr id='row-{escape(item.id)}' data-verdict={css} data-rank={VERDICT_ORDER[css]} "
            f"data-kind='{escape(item.kind)}' data-lang='{escape(item.lang)}'>"
            f"<td><a href='#{escape(item.id)}'>{escape(item.id)}</a></td>"
            f"<td>{escape(item.question)}</td><td class={css}>{escape(words)}</td>"
            f"<td class=answer-cell>{escape(str(responses[item.id].get('answer') or ''))}</td>"
            f"<td class=gold>{quotes}</td></tr>"
        )
    return f"{_filters(gold)}<table class=questions>{head}{''.join(body)}</table>"


# Filters hide rows and their detail sections; a click on a header sorts the table by it.
_SCRIPT = """
const rows = [...document.querySelectorAll('table.questions tr[data-verdict]')];
const filters = [...document.querySelectorAll('select[data-filter]')];
function apply() {
  let shown = 0;
  for (const row of rows) {
    const ok = filters.every(f => !f.value || row.dataset[f.dataset.filter] === f.value);
    row.hidden = !ok;
    const section = document.getElementById(row.id.slice(4));
    if (section) section.hidden = !ok;
    shown += ok;
  }
  document.querySelector('[data-count]').textContent = shown + ' of ' + rows.length + ' questions';
}
filters.forEach(f => f.addEventListener('change', apply));
document.querySelectorAll('th[data-sort]').forEach((th, column) => th.addEventListener('click', () => {
  const key = th.dataset.sort;
  const value = r => key === 'verdict' ? Number(r.dataset.rank) : r.cells[column].innerText;
  const sorted = rows.slice().sort((a, b) => (value(a) > value(b)) - (value(a) < value(b)));
  if (th.dataset.dir === 'up') sorted.reverse();
  th.dataset.dir = th.dataset.dir === 'up' ? 'down' : 'up';
  sorted.forEach(r => r.parentNode.appendChild(r));
}));
apply();
"""


def _question(item: GoldItem, row: dict, response: dict) -> str:
    if not item.answerable:
        status = "hit" if row["abstained"] else "miss"
        verdict = _mark(row["abstained"], "abstained (correct)", "answered (should abstain)")
    else:
        recall = row["recall@5"]
        status = "hit" if recall == 1.0 else ("partial" if recall else "miss")
        verdict = f"first hit rank {_fmt(row['first_hit_rank'])}, recall@5 {_fmt(recall)}"
        if row["abstained"]:
            verdict += " · " + _mark(False, no="abstained (should answer)")
    parts = [
        f"<section class='q {status}' id='{escape(item.id)}'>",
        f"<h3>{escape(item.id)}: {escape(item.question)}</h3>",
        f"<div class=meta>{escape(item.kind)} · {escape(item.lang)} · {verdict} · "
        f"{_fmt(row['latency_ms'], 'latency')} ms</div>",
    ]
    if row.get("error"):
        parts.append(f"<p class=bad>error: {escape(str(row['error']))}</p>")
    if response.get("fallback"):
        parts.append(f"<p class=bad>fallback to the extractive answer: {escape(str(response['fallback']))}</p>")
    parts.append(f"<div class=answer>{escape(str(response.get('answer') or ''))}</div>")
    unsupported = [s for s in response.get("sentences") or [] if not s.get("supported", True)]
    if unsupported or response.get("invalid_citations"):
        items = "".join(
            f"<li>{_mark(False, no='unsupported')} ({_fmt(s.get('support'))}): {escape(str(s.get('text')))}</li>"
            for s in unsupported
        )
        invalid = response.get("invalid_citations") or []
        if invalid:
            items += f"<li>{_mark(False, no='removed markers')}: {escape(', '.join(map(str, invalid)))}</li>"
        parts.append(f"<ul>{items}</ul>")
    if item.evidence:
        quotes = "".join(
            f"<li>{_mark(rank is not None, f'retrieved at rank {rank}', 'not retrieved')}"
            f" · {_mark(cited, 'cited', 'not cited')}: {cleaned_quote(group[0])}"
            + "".join(f" or {cleaned_quote(alt)}" for alt in group[1:])
            + "</li>"
            for group, rank, cited in zip(item.quote_groups(), row["evidence_ranks"], row["cited_found"])
        )
        parts.append(f"<p>Evidence:</p><ul>{quotes}</ul>")
    citations = list(response.get("citations") or [])
    if citations:
        parts.append("<p>Cited passages:</p>")
        for citation, relevant in zip(citations, row["cited_relevant"]):
            verdict = _mark(relevant, "relevant", "not relevant") if item.answerable else ""
            parts.append(_passage_block(citation, f"[{citation.get('n')}]", verdict))
    passages = ranked_passages(response)
    if passages:
        hit_positions = {rank for rank in row["evidence_ranks"] if rank is not None}
        shown = "".join(
            f"<li><code>{escape(str(p.get('passage_id')))}</code> {escape(str(p.get('section') or ''))}"
            f" <span class=meta>{_fmt(p.get('score'))}</span>"
            f"{' <span class=ok>evidence</span>' if position in hit_positions else ''}</li>"
            for position, p in enumerate(passages[:RETRIEVED_SHOWN], 1)
        )
        parts.append(f"<details><summary>top {min(len(passages), RETRIEVED_SHOWN)} of "
                     f"{len(passages)} retrieved</summary><ol>{shown}</ol></details>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(result: dict, gold: list[GoldItem], responses: dict[str, dict]) -> str:
    """The run as one HTML page: metrics against their targets, breakdowns, the questions as a
    table, each question in detail, and the settings folded away at the end."""
    rows = {row["id"]: row for row in result["questions"]}
    details = "\n".join(_question(item, rows[item.id], responses[item.id]) for item in failures_first(gold, rows, responses))
    gold_name = (result.get("run") or {}).get("gold", "")
    generative = is_generative(result, responses)
    return "\n".join(
        [
            "<!doctype html>",
            "<html lang=sv><head><meta charset=utf-8>",
            f"<title>Eval: {escape(str(gold_name))}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<h1>Eval run: {escape(str(gold_name))}</h1>",
            "<h2>Metrics</h2>",
            _headline(result, generative),
            "" if generative else "<p class=meta>An extractive run: metrics of generated answers are not shown.</p>",
            "<h2>By kind</h2>",
            _breakdown(result.get("by_kind") or {}, "kind"),
            "<h2>By language</h2>",
            _breakdown(result.get("by_lang") or {}, "lang"),
            "<h2>Questions</h2>",
            _questions_table(gold, rows, responses),
            "<h2>Each question in detail</h2>",
            details,
            _run_meta(result),
            f"<script>{_SCRIPT}</script>",
            "</body></html>",
        ]
    )
