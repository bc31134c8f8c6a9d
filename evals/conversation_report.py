"""One self-contained HTML page per conversation eval run, conversation by conversation.

Questions, rewrites, answers and passages are escaped: none of them may inject markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evals.conversations import Conversation

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
section.c { border: 1px solid #ddd; border-left: 6px solid #2e9d3a; padding: .4em 1em; margin: 1em 0; }
section.c.miss { border-left-color: #d0342c; }
.turn { margin: .6em 0; } .meta { color: #666; font-size: 12px; }
.answer { white-space: pre-wrap; background: #f7f7f7; padding: .4em .6em; }
.ok { color: #176b1f; font-weight: 600; } .bad { color: #a31515; font-weight: 600; }
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (bool, int)):
        return str(value)
    return "{:.3f}".format(value)


def _mark(ok: bool, yes: str, no: str) -> str:
    return '<span class="ok">{}</span>'.format(escape(yes)) if ok else '<span class="bad">{}</span>'.format(escape(no))


def _metrics(result: dict, headline: Sequence[str]) -> str:
    compared = (result.get("comparison") or {}).get("metrics", {})
    head = "<tr><th>metric</th><th>value</th>" + ("<th>other run</th><th>delta</th>" if compared else "") + "</tr>"
    rows = []
    for metric in headline:
        label = escape(metric) + (" (primary)" if metric == result.get("primary_metric") else "")
        cells = "<td>{}</td><td class=num>{}</td>".format(label, _fmt(result.get(metric)))
        if compared:
            entry = compared.get(metric, {})
            cells += "<td class=num>{}</td><td class=num>{}</td>".format(_fmt(entry.get("other")), _fmt(entry.get("delta")))
        rows.append("<tr>{}</tr>".format(cells))
    by_type = "".join(
        "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>".format(
            escape(name), m["n"], _fmt(m["right"]), _fmt(m["detection_accuracy"])
        )
        for name, m in (result.get("by_type") or {}).items()
    )
    return "<table>{}{}</table><table><tr><th>turn type</th><th>n</th><th>right</th><th>detection</th></tr>{}</table>".format(
        head, "".join(rows), by_type
    )


def _run_meta(result: dict) -> str:
    run = result.get("run") or {}
    rows = [("conversations", run.get("conversations")), ("started", run.get("started_at")),
            ("duration (s)", run.get("duration_s"))]
    rows += [("setting: " + k, json.dumps(v, ensure_ascii=False)) for k, v in sorted((run.get("extra") or {}).items())]
    if result.get("comparison"):
        rows.append(("compared with", result["comparison"].get("other_run")))
    return "<table>{}</table>".format(
        "".join("<tr><th>{}</th><td>{}</td></tr>".format(escape(str(k)), escape(str(v))) for k, v in rows)
    )


def _turn(row: dict, response: dict) -> str:
    if row["turn"] == 1:
        verdict = "first turn · " + _mark(row["right"], "right", "not right")
    else:
        expected = "follow-up" if row["follow_up"] else "self-contained"
        verdict = "{} ({}) · {} · {}".format(
            escape(row["type"]),
            escape(expected),
            _mark(row["right"], "right", "not right"),
            _mark(row["detection_right"], "detection right", "detection wrong"),
        )
    shown = response.get("standalone_question")
    parts = [
        "<div class=turn><h4>{}. {}</h4>".format(row["turn"], escape(row["question"])),
        "<div class=meta>{} · abstained {} · evidence shown {}</div>".format(
            verdict, _fmt(row["abstained"]), _fmt(row["evidence_shown"])
        ),
    ]
    if shown:
        parts.append("<div class=meta>Tolkad som: {}</div>".format(escape(str(shown))))
    if row.get("error"):
        parts.append("<p class=bad>error: {}</p>".format(escape(str(row["error"]))))
    parts.append("<div class=answer>{}</div></div>".format(escape(str(response.get("answer") or ""))))
    return "\n".join(parts)


def render_html(
    result: dict, conversations: list[Conversation], responses: dict[str, dict], headline: Sequence[str]
) -> str:
    """The page for a run: ``headline`` names the metrics in the table, in order; the primary one is
    the summary's own ``primary_metric``."""
    rows = {(r["conversation"], r["turn"]): r for r in result["turns"]}
    sections = []
    for c in conversations:
        turn_rows = [rows[(c.id, n)] for n in range(1, len(c.turns) + 1)]
        ok = all(r["right"] and r["detection_right"] is not False for r in turn_rows[1:])
        body = "\n".join(_turn(r, responses[t.id]) for r, t in zip(turn_rows, c.turns))
        sections.append("<section class='c{}' id='{}'><h3>{} · {}</h3>{}</section>".format(
            "" if ok else " miss", escape(c.id), escape(c.id), escape(c.kind), body))
    name = escape(str((result.get("run") or {}).get("conversations", "")))
    return "\n".join(
        [
            "<!doctype html>",
            "<html lang=sv><head><meta charset=utf-8>",
            "<title>Conversations: {}</title>".format(name),
            "<style>{}</style></head><body>".format(_CSS),
            "<h1>Conversation eval: {}</h1>".format(name),
            _run_meta(result),
            "<h2>Metrics (turns after the first)</h2>",
            _metrics(result, headline),
            "<h2>Conversations</h2>",
            *sections,
            "</body></html>",
        ]
    )
