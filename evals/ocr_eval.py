"""Word accuracy of the OCR repair against hand-corrected gold lines.

Gold files are JSON lines ``{"line", "raw", "gold"}``; ``raw`` is the exact corpus line
and ``gold`` the line as the report's authors wrote it. Word accuracy is
``1 - word edit distance / gold words``, so split and merged words count as errors too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rag.index.clean import repair_line
from rag.jsonl import read_jsonl_rows


def _edit_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two token sequences."""
    previous = list(range(len(b) + 1))
    for i, token_a in enumerate(a, 1):
        current = [i]
        for j, token_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (token_a != token_b)))
        previous = current
    return previous[-1]


def word_accuracy(pairs) -> dict:
    """Word accuracy over ``(hypothesis, gold)`` line pairs; tokens are whitespace-split."""
    errors = 0
    total = 0
    for hypothesis, gold in pairs:
        gold_tokens = gold.split()
        errors += _edit_distance(hypothesis.split(), gold_tokens)
        total += len(gold_tokens)
    accuracy = 1.0 - errors / total if total else 1.0
    return {"word_accuracy": accuracy, "word_errors": errors, "gold_words": total}


def load_gold(gold_path: str | Path) -> list[dict]:
    return read_jsonl_rows(gold_path)


def evaluate_ocr(gold_path: str | Path) -> dict:
    """Repair every gold line's raw text and score it against the gold."""
    rows = load_gold(gold_path)
    repaired = [repair_line(row["raw"]) for row in rows]
    repaired_score = word_accuracy(zip(repaired, (row["gold"] for row in rows)))
    raw_score = word_accuracy((row["raw"], row["gold"]) for row in rows)
    errors = [
        (row["raw"], fixed, row["gold"])
        for row, fixed in zip(rows, repaired)
        if fixed.split() != row["gold"].split()
    ]
    return {
        "primary_metric": "word_accuracy",
        "word_accuracy": repaired_score["word_accuracy"],
        "raw_word_accuracy": raw_score["word_accuracy"],
        "word_errors": repaired_score["word_errors"],
        "gold_words": repaired_score["gold_words"],
        "lines": len(rows),
        "errors": errors[:30],
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m evals.ocr_eval GOLD.jsonl")
    print(json.dumps(evaluate_ocr(sys.argv[1]), ensure_ascii=False, indent=2))
