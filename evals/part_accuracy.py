"""How often ``rag.answering.sentence_kinds.part_of`` files a quoted sentence under the right part.

``evals/part_labels.jsonl`` holds 232 distinct items the shipped answers actually quoted under a part
(collected by running ``rag ask --json --questions`` over gold_dev, gold_test, gold_dev_hard and the
independent questions of ../shared/gold/), each labelled by reading it in its place in the report:
``recommendations`` (the report's advice: its recommendation sections and lists, and sentences in
its own voice that advise with "bör" or an imperative), ``experiences`` (what interviewees and
municipalities said or did), ``analysis`` (the report's own analysis, definitions, frameworks,
method and background; a necessity stated with "behöver"/"måste"/"krävs" is analysis, not advice)
or ``guide`` (a question of the interview guide). An item is what the composer files as one: a
sentence or a chain of consecutive sentences; a chain is labelled by its opening sentence.

The set is split once, before any error was read, by a hash of the item's first character offset
(items opening on the same sentence share a half): errors are studied on ``dev`` only, ``test``
judges whether a change generalised. Run ``python -m evals.part_accuracy`` (``--errors`` lists the
dev half's misfilings).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

from rag.answering.sentence_kinds import part_of

LABELS = Path(__file__).with_name("part_labels.jsonl")
PARTS = ("recommendations", "experiences", "analysis", "guide")


def load_labels(path: Path = LABELS) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            row = json.loads(line)
            if row.get("part") not in PARTS:
                raise ValueError("{}:{}: part must be one of {}, got {!r}".format(path, number, PARTS, row.get("part")))
            rows.append(row)
    return rows


def half(row: dict) -> str:
    """"dev" or "test", fixed by the item's source and first offset (never by its label or text)."""
    digest = hashlib.sha1("{}:{}".format(row["source"], row["start"]).encode("utf-8")).hexdigest()
    return "dev" if int(digest, 16) % 2 == 0 else "test"


def evaluate(rows: list[dict]) -> dict:
    """Accuracy (the primary metric) and the confusion matrix (gold part → predicted part → count)."""
    confusion: dict[str, Counter] = {part: Counter() for part in PARTS}
    errors = []
    for row in rows:
        predicted = part_of(row["text"], row["section"])
        confusion[row["part"]][predicted] += 1
        if predicted != row["part"]:
            errors.append({**row, "predicted": predicted})
    right = sum(confusion[part][part] for part in PARTS)
    return {
        "accuracy": right / len(rows) if rows else 0.0,
        "n": len(rows),
        "confusion": {gold: dict(confusion[gold]) for gold in PARTS},
        "errors": errors,
    }


def evaluate_halves(rows: list[dict]) -> dict[str, dict]:
    return {name: evaluate([r for r in rows if half(r) == name]) for name in ("dev", "test")}


def format_confusion(metrics: dict) -> str:
    width = max(len(p) for p in PARTS) + 2
    lines = ["gold \\ predicted".ljust(width) + "".join(p[:5].rjust(7) for p in PARTS)]
    for gold in PARTS:
        cells = metrics["confusion"][gold]
        lines.append(gold.ljust(width) + "".join(str(cells.get(p, 0)).rjust(7) for p in PARTS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--errors", action="store_true", help="list the dev half's misfilings (never the test half's)")
    args = parser.parse_args(argv)
    halves = evaluate_halves(load_labels(args.labels))
    for name, metrics in halves.items():
        print("{}: accuracy {:.3f} ({} items)".format(name, metrics["accuracy"], metrics["n"]))
        print(format_confusion(metrics))
        print()
    if args.errors:
        for error in halves["dev"]["errors"]:
            print("{} → {} [{}] {}\n    ({})".format(error["part"], error["predicted"], error["section"], error["text"], error["reason"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
