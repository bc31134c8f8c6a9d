"""A random sample of the OCR repair's changes to the report, for checking by hand.

``python -m evals.repair_sample [--n 300] [--seed 14] [--out evals/repair_sample.jsonl]``
repairs the shipped report, lists every token the repair changed (raw token -> repaired
text, with its line and neighbours), draws ``n`` of them with ``seed`` and writes them as
JSON lines. A person marks each line's ``verdict``: "fixed" (a misread word made right),
"still_wrong" (changed, still not the author's word) or "broke" (a correct word changed into
another word). Changes are listed in the order they occur, so the same seed and code draw
the same sample.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from rag.index.clean import repair_text

REPORT = Path(__file__).resolve().parents[1] / "corpus" / "fran-insikt-till-handling-ai-sweden-2025.txt"


def changes(text: str) -> list[dict]:
    """Every raw token whose repair differs from it, with its line number and context."""
    repaired = repair_text(text)
    rows = []
    for number, line in enumerate(text.split("\n"), 1):
        for match in re.finditer(r"\S+", line):
            start = sum(len(l) + 1 for l in text.split("\n")[: number - 1]) + match.start()
            rows.append((number, match.group(), start, start + len(match.group())))
    out = []
    source_to_repaired = {}
    for index, source in enumerate(repaired.offsets[:-1]):
        source_to_repaired.setdefault(source, index)
    for number, raw, start, end in rows:
        a = source_to_repaired.get(start)
        b = next((source_to_repaired[o] for o in range(end, end + 3) if o in source_to_repaired), len(repaired.text))
        if a is None:
            continue
        fixed = repaired.text[a:b].strip()
        if fixed != raw:
            out.append({"line": number, "raw": raw, "repaired": fixed, "context": text.split("\n")[number - 1].strip()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=Path("evals/repair_sample.jsonl"))
    args = parser.parse_args()
    rows = changes(REPORT.read_text(encoding="utf-8"))
    sample = sorted(random.Random(args.seed).sample(range(len(rows)), min(args.n, len(rows))))
    with open(args.out, "w", encoding="utf-8") as fh:
        for i in sample:
            fh.write(json.dumps({**rows[i], "verdict": None}, ensure_ascii=False) + "\n")
    print("{} changed tokens, {} sampled with seed {} -> {}".format(len(rows), len(sample), args.seed, args.out))


if __name__ == "__main__":
    main()
