"""Lint gold question and conversation files: every problem at once, so a file can be fixed in one pass.

Run ``python -m evals.check_gold evals/gold_dev.jsonl evals/conversations_dev.jsonl``; it exits 1
when any file has a problem. Beyond what ``load_gold`` refuses, it checks that each evidence quote
occurs exactly once in the corpus (whitespace-insensitively), is a sensible length, and that
questions are paraphrased rather than copied from the report.

A conversation line is ``{"id", "lang", "kind", "turns": [{"question", "answerable", "evidence"},
{..., "follow_up": bool}, ...]}``: every turn is checked like a gold question; the first turn is
answerable and not a follow-up; every later turn says whether it is one; ``kind`` and ``lang`` are
those of the last turn, and a turn may carry its own ``lang`` when the conversation switches language.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from evals.gold import REQUIRED_FIELDS, count_evidence, load_corpus_texts
from rag.jsonl import read_jsonl

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
# Optional on an unanswerable question: why the report does not answer it. ``fact_missing``: the
# topic is there but the asked amount, date, name ... is not (right outcome: partial);
# ``topic_absent``: the report does not cover the topic (decline); ``near_miss``: asked in the
# report's own words, still unanswered (partial or decline).
UNANSWERABLE_KINDS = frozenset({"fact_missing", "topic_absent", "near_miss"})
# Optional on any question: how it is written, so figures can be split by phrasing.
STYLES = frozenset(
    {"setting", "two_part", "typo", "definite", "incidental", "english", "keyword", "informal"}
)
CONVERSATION_FIELDS = ("id", "lang", "kind", "turns")
TURN_FIELDS = ("question", "answerable", "evidence")
MIN_TURNS = 2
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
    """Every problem found in the gold question or conversation file at ``path``, as ``file:line: message``."""
    texts = load_corpus_texts(corpus_dir)
    corpus_shingles = set().union(*(_shingles(_fold(t), COPIED_WORDS) for t in texts.values()))
    problems: list[str] = []
    seen_ids: dict[str, int] = {}
    first_shape: tuple[bool, int] | None = None
    for line in read_jsonl(path):
        lineno, row = line.number, line.row
        where = f"{path}:{lineno}"
        if line.error is not None:
            problems.append(f"{where}: invalid JSON ({line.error.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        conversation = "turns" in row
        if first_shape is None:
            first_shape = (conversation, lineno)
        elif conversation != first_shape[0]:
            shape = "a conversation" if first_shape[0] else "a single question"
            problems.append(f"{where}: conversations and single questions mixed (line {first_shape[1]} is {shape})")
            continue
        fields = CONVERSATION_FIELDS if conversation else REQUIRED_FIELDS
        missing = [name for name in fields if name not in row]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        check = _check_conversation if conversation else _check_row
        problems.extend(f"{where}: {p}" for p in check(row, texts, corpus_shingles))
        key = str(row["id"])
        if key in seen_ids:
            problems.append(f"{where}: duplicate id {row['id']!r} (first on line {seen_ids[key]})")
        seen_ids.setdefault(key, lineno)
    return problems


def _check_row(row: dict, texts: dict[str, str], corpus_shingles: set) -> list[str]:
    problems = _check_labels(row) + _check_question(row, texts, corpus_shingles)
    if row["answerable"] is True and row["kind"] == "unanswerable":
        problems.append("kind 'unanswerable' but answerable is true")
    elif row["answerable"] is False and row["kind"] != "unanswerable":
        problems.append("unanswerable questions must have kind 'unanswerable'")
    if "unanswerable_kind" in row:
        if row["answerable"] is not False:
            problems.append("'unanswerable_kind' is only for unanswerable questions")
        elif not _one_of(row["unanswerable_kind"], UNANSWERABLE_KINDS):
            problems.append(f"unanswerable_kind {row['unanswerable_kind']!r} not one of {sorted(UNANSWERABLE_KINDS)}")
    if "style" in row:
        style = row["style"]
        if not isinstance(style, list) or not style or not all(_one_of(s, STYLES) for s in style):
            problems.append(f"'style' must be a non-empty list of {sorted(STYLES)}")
    return problems


def _check_conversation(row: dict, texts: dict[str, str], corpus_shingles: set) -> list[str]:
    problems = _check_labels(row)
    turns = row["turns"]
    if not isinstance(turns, list) or len(turns) < MIN_TURNS or not all(isinstance(t, dict) for t in turns):
        return problems + [f"'turns' must be a list of at least {MIN_TURNS} objects"]
    for number, turn in enumerate(turns, 1):
        problems.extend(f"turn {number}: {p}" for p in _check_turn(turn, number, texts, corpus_shingles))
    if turns[0].get("answerable") is False:
        problems.append("turn 1: the first turn must be answerable")
    last, where = turns[-1], f"turn {len(turns)}"
    if last.get("answerable") is True and row["kind"] == "unanswerable":
        problems.append(f"{where}: kind 'unanswerable' but the last turn is answerable")
    elif last.get("answerable") is False and row["kind"] != "unanswerable":
        problems.append(f"{where}: the last turn is unanswerable, so kind must be 'unanswerable'")
    if "lang" in last and last["lang"] != row["lang"]:
        problems.append(f"{where}: lang {last['lang']!r} differs from the conversation's lang {row['lang']!r}")
    return problems


def _check_turn(turn: dict, number: int, texts: dict[str, str], corpus_shingles: set) -> list[str]:
    missing = [name for name in TURN_FIELDS if name not in turn]
    if missing:
        return [f"missing field(s) {', '.join(missing)}"]
    problems = []
    if number == 1 and turn.get("follow_up", False) is not False:
        problems.append("the first turn cannot be a follow-up")
    elif number > 1 and "follow_up" not in turn:
        problems.append("missing field follow_up (true when the turn needs the earlier turns to be understood)")
    elif number > 1 and not isinstance(turn["follow_up"], bool):
        problems.append("'follow_up' must be true or false")
    if "lang" in turn and not _one_of(turn["lang"], LANGS):
        problems.append(f"lang {turn['lang']!r} not one of {sorted(LANGS)}")
    return problems + _check_question(turn, texts, corpus_shingles)


def _check_labels(row: dict) -> list[str]:
    problems = []
    if not isinstance(row["id"], str) or not row["id"].strip():
        problems.append("'id' must be a non-empty string")
    if not _one_of(row["lang"], LANGS):
        problems.append(f"lang {row['lang']!r} not one of {sorted(LANGS)}")
    if not _one_of(row["kind"], KINDS):
        problems.append(f"kind {row['kind']!r} not one of {sorted(KINDS)}")
    return problems


def _one_of(value: object, allowed: frozenset) -> bool:
    return isinstance(value, str) and value in allowed


def _check_question(item: dict, texts: dict[str, str], corpus_shingles: set) -> list[str]:
    """The checks a gold question and a conversation turn share: text, answerability, evidence."""
    problems = []
    if not isinstance(item["question"], str) or not item["question"].strip():
        problems.append("'question' must be a non-empty string")
    if not isinstance(item["answerable"], bool):
        problems.append("'answerable' must be true or false")
    evidence = item["evidence"]
    if not isinstance(evidence, list) or not all(
        isinstance(q, str) or (isinstance(q, list) and q and all(isinstance(a, str) for a in q)) for q in evidence
    ):
        return problems + ["'evidence' must be a list of strings (or of non-empty lists of alternative quotes)"]
    if item["answerable"] is True and not 1 <= len(evidence) <= MAX_QUOTES:
        problems.append(f"answerable questions need 1-{MAX_QUOTES} evidence quotes, got {len(evidence)}")
    elif item["answerable"] is False and evidence:
        problems.append("unanswerable questions must have no evidence")
    for entry in evidence:
        for quote in [entry] if isinstance(entry, str) else entry:
            problems.extend(_check_quote(quote, texts))
    if isinstance(item["question"], str) and _shingles(_fold(item["question"]), COPIED_WORDS) & corpus_shingles:
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
    """Held-out means held out: no id or question (or conversation turn) may appear in more than one file."""
    owners: dict[str, list[str]] = {}
    for path in paths:
        for row in _rows(path):
            keys = [f"id {row.get('id')!r}"] + [f"question {' '.join(_fold(str(q)))!r}" for q in _questions(row)]
            for key in keys:
                owners.setdefault(key, []).append(str(path))
    return [f"{key} appears in {', '.join(files)}" for key, files in owners.items() if len(set(files)) > 1]


def describe(path: str | Path) -> str:
    """One summary line: how many questions, or conversations and turns, and how many of each kind."""
    rows = list(_rows(path))
    kinds = Counter(str(row.get("kind")) for row in rows)
    per_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    turns = [t for row in rows if isinstance(row.get("turns"), list) for t in row["turns"] if isinstance(t, dict)]
    if not turns:
        return f"{path}: {len(rows)} questions; {per_kind}"
    follow_ups = sum(t.get("follow_up") is True for t in turns)
    unanswerable = sum(t.get("answerable") is False for t in turns)
    return (f"{path}: {len(rows)} conversations, {len(turns)} turns ({follow_ups} follow-ups, "
            f"{unanswerable} unanswerable); {per_kind}")


def _questions(row: dict) -> list:
    """The question of a gold line, or every turn's question of a conversation line."""
    turns = row.get("turns")
    if isinstance(turns, list):
        return [turn.get("question") for turn in turns if isinstance(turn, dict)]
    return [row.get("question")]


def _rows(path: str | Path) -> Iterator[dict]:
    # A line that is not JSON is reported by check_gold.
    for line in read_jsonl(path):
        if isinstance(line.row, dict):
            yield line.row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="gold question or conversation JSONL files")
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="corpus folder (default: %(default)s)")
    args = parser.parse_args(argv)
    problems = [p for path in args.paths for p in check_gold(path, args.corpus)]
    problems += check_disjoint(args.paths)
    for path in args.paths:
        print(describe(path))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
