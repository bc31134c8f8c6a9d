"""Two finished eval runs side by side (``rag eval --compare RUN_A RUN_B``): every headline
metric of both with its delta (B − A), and the questions whose verdict changed, worst news first.

Each run folder is read as ``run_eval`` wrote it: its ``summary.json`` (metrics, gold file and
corpus folder) and ``responses.jsonl``; the per-question verdicts are recomputed from those with
the same scoring (``evals.metrics.evaluate``) and the report's own ``verdict``, so a comparison
never depends on a CSV's formatting. A run whose gold file or corpus cannot be read is an error
naming the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from evals.gold import load_corpus_texts, load_gold
from evals.metrics import HEADLINE_METRICS, compare_runs, evaluate
from evals.report import VERDICT_ORDER, verdict
from rag.jsonl import read_jsonl_rows


@dataclass(frozen=True)
class Change:
    id: str
    question: str
    before: str  # verdict words in run A
    after: str  # and in run B
    worse: bool


def _run(folder: Path) -> tuple[dict, dict[str, tuple[str, str, str]]]:
    """(summary, id → (verdict class, verdict words, question)) of one run folder."""
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise ValueError("{} is not an eval run folder: it has no summary.json".format(folder))
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    run = summary.get("run") or {}
    gold = load_gold(run["gold"])
    responses = {row["id"]: row["response"] for row in read_jsonl_rows(folder / "responses.jsonl")}
    rows = {row["id"]: row for row in evaluate(gold, responses, load_corpus_texts(run["corpus_dir"]))["questions"]}
    verdicts = {}
    for item in gold:
        css, words = verdict(item, rows[item.id], responses[item.id])
        verdicts[item.id] = (css, words, item.question)
    return summary, verdicts


def compare_folders(run_a: str | Path, run_b: str | Path) -> dict:
    """{"metrics": {metric: {"this": B, "other": A, "delta": B − A}}, "same_gold", "changed": [Change]}."""
    summary_a, verdicts_a = _run(Path(run_a))
    summary_b, verdicts_b = _run(Path(run_b))
    compared = compare_runs(summary_b, summary_a, run_a)
    changed = [
        Change(qid, after[2], before[1], after[1], VERDICT_ORDER[after[0]] < VERDICT_ORDER[before[0]])
        for qid, after in verdicts_b.items()
        if qid in verdicts_a and (before := verdicts_a[qid])[1] != after[1]
    ]
    changed.sort(key=lambda c: not c.worse)
    return {"metrics": compared["metrics"], "same_gold": compared["same_gold"], "changed": changed}


def format_comparison(result: dict, run_a: str | Path, run_b: str | Path) -> str:
    lines = ["A: {}".format(run_a), "B: {}".format(run_b)]
    if not result["same_gold"]:
        lines.append("warning: the two runs used different gold files")
    lines.append("{:<28} {:>9} {:>9} {:>9}".format("metric", "A", "B", "B - A"))
    for metric in HEADLINE_METRICS:
        entry = result["metrics"].get(metric) or {}
        a, b, delta = entry.get("other"), entry.get("this"), entry.get("delta")
        lines.append("{:<28} {:>9} {:>9} {:>9}".format(metric, _num(a), _num(b), _num(delta, signed=True)))
    changed = result["changed"]
    lines.append("")
    lines.append("{} question(s) changed verdict{}".format(len(changed), ":" if changed else "."))
    for c in changed:
        lines.append("{} {}: {} -> {}  ({})".format("worse" if c.worse else "better", c.id, c.before, c.after, c.question))
    return "\n".join(lines)


def _num(value, signed: bool = False) -> str:
    if not isinstance(value, (int, float)):
        return "–"
    return ("{:+.3f}" if signed else "{:.3f}").format(value)
