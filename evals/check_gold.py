"""Lint gold question files: every problem at once, so a file can be fixed in one pass.

Run ``python -m evals.check_gold evals/gold_dev.jsonl evals/gold_test.jsonl``; it exits 1 when
any file has a problem. Beyond what ``load_gold`` refuses, it checks that each evidence quote
occurs exactly once in the corpus (whitespace-insensitively), is a sensible length, and that
questions are paraphrased rather than copied from the report.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from evals.harness import REQUIRED_FIELDS, count_evidence, load_corpus_texts

KINDS = frozenset(
    {
        "strategy",
        "law_data",
        "scaling",
        "collaboration",
        "competence",
        "culture",
        "maturity",
        "benefits",
        "recommendations",
        "method",
        "interview_guide",
        "unanswerable",
    }
)
LANGS = frozenset({"sv", "en"})
MIN_QUOTE_WORDS = 5
MAX_QUOTE_WORDS = 45
MAX_QUOTES = 3
# A question sharing this many consecutive words with the report was copied, not paraphrased.
COPIED_WORDS = 7
DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _fold(text: str) -> list[str]:
    """Lower-case words without diacritics, so questions compare with the OCR text."""
    stripped = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", stripped)


def _shingles(words: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def check_gold(path: str | Path, corpus_dir: str | Path = DEFAULT_CORPUS) -> list[str]:
    """Every problem found in the gold file at ``path``, as ``file:line: message`` strings."""
    texts = load_corpus_texts(corpus_dir)
    corpus_shingles = set().union(*(_shingles(_fold(t), COPIED_WORDS) for t in texts.values()))
    problems: list[str] = []
    seen_ids: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        lines = handle.readlines()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        missing = [name for name in REQUIRED_FIELDS if name not in row]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        problems.extend(f"{where}: {p}" for p in _check_row(row, texts, corpus_shingles))
        if row["id"] in seen_ids:
            problems.append(f"{where}: duplicate id {row['id']!r} (first on line {seen_ids[row['id']]})")
        seen_ids.setdefault(row["id"], lineno)
    return problems


def _check_row(row: dict, texts: dict[str, str], corpus_shingles: set) -> list[str]:
    problems = []
    for name in ("id", "question"):
        if not isinstance(row[name], str) or not row[name].strip():
            problems.append(f"{name!r} must be a non-empty string")
    if row["lang"] not in LANGS:
        problems.append(f"lang {row['lang']!r} not one of {sorted(LANGS)}")
    if row["kind"] not in KINDS:
        problems.append(f"kind {row['kind']!r} not one of {sorted(KINDS)}")
    if not isinstance(row["answerable"], bool):
        problems.append("'answerable' must be true or false")
    evidence = row["evidence"]
    if not isinstance(evidence, list) or not all(
        isinstance(q, str) or (isinstance(q, list) and q and all(isinstance(a, str) for a in q)) for q in evidence
    ):
        return problems + ["'evidence' must be a list of strings (or of non-empty lists of alternative quotes)"]
    if row["answerable"] is True:
        if row["kind"] == "unanswerable":
            problems.append("kind 'unanswerable' but answerable is true")
        if not 1 <= len(evidence) <= MAX_QUOTES:
            problems.append(f"answerable questions need 1-{MAX_QUOTES} evidence quotes, got {len(evidence)}")
    elif row["answerable"] is False:
        if row["kind"] != "unanswerable":
            problems.append("unanswerable questions must have kind 'unanswerable'")
        if evidence:
            problems.append("unanswerable questions must have no evidence")
    for entry in evidence:
        for quote in [entry] if isinstance(entry, str) else entry:
            problems.extend(_check_quote(quote, texts))
    if isinstance(row["question"], str) and _shingles(_fold(row["question"]), COPIED_WORDS) & corpus_shingles:
        problems.append(f"question shares {COPIED_WORDS}+ consecutive words with the report; paraphrase it")
    return problems


def _check_quote(quote: str, texts: dict[str, str]) -> list[str]:
    shown = " ".join(quote.split())[:70]
    words = len(quote.split())
    if words == 0:
        return ["empty evidence quote"]
    problems = []
    if not MIN_QUOTE_WORDS <= words <= MAX_QUOTE_WORDS:
        problems.append(f"quote has {words} words (want {MIN_QUOTE_WORDS}-{MAX_QUOTE_WORDS}): {shown!r}")
    found = sum(count_evidence(quote, text) for text in texts.values())
    if found != 1:
        problems.append(f"quote found {found} times in the corpus (want exactly 1): {shown!r}")
    return problems


def check_disjoint(paths: list[str | Path]) -> list[str]:
    """Held-out means held out: no id or question may appear in more than one gold file."""
    owners: dict[str, list[str]] = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # reported by check_gold
                if isinstance(row, dict):
                    question = " ".join(_fold(str(row.get("question"))))
                    for key in (f"id {row.get('id')!r}", f"question {question!r}"):
                        owners.setdefault(key, []).append(str(path))
    return [f"{key} appears in {', '.join(files)}" for key, files in owners.items() if len(set(files)) > 1]


def kind_counts(path: str | Path) -> Counter:
    counts: Counter = Counter()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # reported by check_gold
            if isinstance(row, dict):
                counts[str(row.get("kind"))] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="gold JSONL files")
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="corpus folder (default: %(default)s)")
    args = parser.parse_args(argv)
    problems = [p for path in args.paths for p in check_gold(path, args.corpus)]
    problems += check_disjoint(args.paths)
    for path in args.paths:
        counts = kind_counts(path)
        per_kind = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
        print(f"{path}: {sum(counts.values())} questions; {per_kind}")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
