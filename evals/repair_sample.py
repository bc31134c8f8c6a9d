"""A random sample of the OCR repair's changes to the report, for checking by hand.

``python -m evals.repair_sample [--n 300] [--seed 14] [--out evals/repair_sample.jsonl]``
repairs the shipped report, lists every token the repair changed (raw token -> repaired
text, with its line and neighbours), draws ``n`` of them with ``seed`` and writes them as
JSON lines. With ``--competing`` only changed words whose raw spelling fits another real
Swedish word are drawn (``competing`` lists them: "har" and "hår" for "här"), and of those the
words a context decides, whose competitor is about as common (``plausible``), are all kept:
``evals/competition_sample.jsonl`` holds such a sample. A person marks each line's ``verdict``: "fixed" (a misread word made right),
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

from rag.index.clean import _competitors, _normalise, _split_punct, repair_text
from rag.index.word_classes import plausible

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


def competing(row: dict) -> list[str]:
    """The other real words a changed one-word token's raw spelling fits."""
    raw_core = _split_punct(row["raw"])[1]
    core = _split_punct(row["repaired"])[1].lower()
    if " " in core or not core.isalpha():
        return []
    return _competitors(_normalise(raw_core), core)


def draw(rows: list[dict], n: int, seed: int, competing_only: bool) -> list[int]:
    """Indices of the sample, in order: ``n`` drawn with ``seed``; with ``competing_only``, every
    word a context decides plus the rest drawn from the other competing words."""
    if not competing_only:
        return sorted(random.Random(seed).sample(range(len(rows)), min(n, len(rows))))
    decided = [i for i, row in enumerate(rows) if any(plausible(other, _split_punct(row["repaired"])[1].lower()) for other in row["competing"])]
    rest = [i for i in range(len(rows)) if i not in set(decided)]
    extra = random.Random(seed).sample(rest, max(0, min(n - len(decided), len(rest))))
    return sorted(decided + extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=Path("evals/repair_sample.jsonl"))
    parser.add_argument("--competing", action="store_true", help="only words whose raw spelling fits another real word")
    args = parser.parse_args()
    rows = changes(REPORT.read_text(encoding="utf-8"))
    if args.competing:
        rows = [{**row, "competing": others} for row in rows if (others := competing(row))]
    sample = draw(rows, args.n, args.seed, args.competing)
    with open(args.out, "w", encoding="utf-8") as fh:
        for i in sample:
            fh.write(json.dumps({**rows[i], "verdict": None}, ensure_ascii=False) + "\n")
    print("{} changed tokens, {} sampled with seed {} -> {}".format(len(rows), len(sample), args.seed, args.out))


if __name__ == "__main__":
    main()
