"""Choose how a follow-up's own words and its conversation's topic are mixed in retrieval.

Examples: every answerable turn marked as a follow-up in the conversation files (ours with gold
quotes, the shared independent format with ``expect_any`` stems), read as a follow-up of the turns
before it (``rag.answering.followup.as_follow_up``, so retrieval is judged apart from detection).
A passage is relevant when it finds one of the turn's quotes (the half-coverage rule of ``rag
eval``) or, in the independent format, contains one of its stems. For every example the real
``HybridRetriever.topic_parts`` gives the candidates and their four z-scores once; each grid point
(the topic's share for follow-ups that say little and for the others, the dense weight, the weight
of the "close to both" term, the weight of a candidate holding what the follow-up's form asks for,
a case for "Can you give an example?") ranks them, scored by MRR + hit@5 (a relevant passage in the
top 5). Fitted on the dev conversation files only; cross-validated two ways: leaving one file out,
and 5 folds by example (3 shuffles). Printed per file: the chosen point's figures fitted on all, the
cross-validated ones, and those of the held-out files (``--held-out``: the test and independent
conversations, never fitted on) at the point chosen on all dev files; then the form weight alone,
the other four kept as they are (how ``FORM_WEIGHT`` was chosen), on dev, left one dev file out,
and held out; then the same for the weight of a candidate next to one of the previous turn's first
passages (``BESIDE_WEIGHT``; ``--beside-top`` sets how many of them, ``BESIDE_TOP``).

    python -m evals.tune_followup_retrieval [--forms example why] [--beside-top 3]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.gold import Span, load_corpus_texts, locate_in_corpus
from evals.independent_conversations import fold
from evals.metrics import finds_any
from rag.answering.followup import as_follow_up
from rag.answering.followup_signals import says_little
from rag.answering.retrieval import BESIDE_TOP, FORM_TERM_FORMS, FORM_WEIGHT, TopicFusion, TopicParts
from rag.config import load_settings
from rag.jsonl import read_jsonl_rows
from rag.service import RagService
from rag.types import Turn

ROOT = Path(__file__).resolve().parents[1]
DEV = tuple(ROOT / "evals" / "conversations_{}.jsonl".format(n) for n in ("dev", "dev2", "dev3", "dev4"))
HELD_OUT = (ROOT / "evals" / "conversations_test.jsonl", ROOT.parent / "shared" / "gold" / "independent_conversations.jsonl")
SHARES = (0.2, 0.35, 0.5, 0.65, 0.8, 0.9)
DENSE_WEIGHTS = (0.4, 0.55, 0.7)
BOTH_WEIGHTS = (0.0, 0.25, 0.5)
FORM_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
BESIDE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
TOP = 5
# share, share when the follow-up says little, dense weight, both weight, form weight
Point = tuple[float, float, float, float, float]
# TOPIC_SHARE, TOPIC_SHARE_SAYS_LITTLE, TOPIC_FUSION_DENSE_WEIGHT, TOPIC_FUSION_BOTH_WEIGHT, no form term
IN_USE: Point = (0.35, 0.8, 0.4, 0.5, 0.0)


@dataclass(frozen=True)
class Example:
    file: str
    id: str
    question: str
    history: tuple[Turn, ...]
    quotes: tuple[tuple[Span, ...], ...] = ()  # gold quote groups (our format)
    stems: tuple[str, ...] = ()  # expected stems (the independent format)

    def relevant(self, passage) -> bool:
        if self.stems:
            text = fold(passage.text)
            return any(s in text for s in self.stems)
        span = Span(passage.source, passage.start, passage.end)
        return any(finds_any(span, group) for group in self.quotes)


def load_examples(paths, corpus_texts: dict[str, str]) -> list[Example]:
    examples = []
    for path in paths:
        if not path.exists():
            continue
        for row in read_jsonl_rows(path):
            turns = row["turns"]
            if all(isinstance(t, str) for t in turns):
                if row["follow_up"] and row["answerable"]:
                    examples.append(Example(path.name, row["id"], turns[1], (Turn(turns[0]),),
                                            stems=tuple(fold(s) for s in row["expect_any"])))
                continue
            for n, turn in enumerate(turns[1:], 2):
                if not turn.get("follow_up") or turn.get("answerable") is False:
                    continue
                groups = []
                for entry in turn["evidence"]:
                    spans = tuple(s for s in (locate_in_corpus(q, corpus_texts) for q in
                                              (entry if isinstance(entry, list) else [entry])) if s)
                    if spans:
                        groups.append(spans)
                examples.append(Example(path.name, "{}#{}".format(row["id"], n), turn["question"],
                                        tuple(Turn(t["question"]) for t in turns[: n - 1]), quotes=tuple(groups)))
    return examples


def grid() -> list[Point]:
    return [(s, b, d, w, f) for s in SHARES for b in SHARES for d in DENSE_WEIGHTS for w in BOTH_WEIGHTS
            for f in FORM_WEIGHTS]


def measure(parts: TopicParts, relevant: np.ndarray, share: float, fusion: TopicFusion) -> tuple[float, float]:
    """(reciprocal rank of the first relevant candidate, a relevant one in the top ``TOP``)."""
    order = np.argsort(-parts.scores(share, fusion), kind="stable")
    hits = np.flatnonzero(relevant[order])
    if not len(hits):
        return 0.0, 0.0
    return 1.0 / (hits[0] + 1), float(hits[0] < TOP)


def table_of(prepared, points: list[Point], forms: tuple[str, ...] = FORM_TERM_FORMS,
             beside: float = 0.0) -> np.ndarray:
    """[point, example] -> (reciprocal rank, hit@5), with ``beside`` the weight of a candidate next
    to one of the previous turn's first passages (off while the other five are fitted, as they were)."""
    out = np.zeros((len(points), len(prepared), 2))
    for p, (share, little, dense, both, form) in enumerate(points):
        fusion = TopicFusion(dense, both, form, forms, beside)
        for e, (example, parts, relevant, says) in enumerate(prepared):
            out[p, e] = measure(parts, relevant, little if says else share, fusion)
    return out


def held_out(table: np.ndarray, folds: list[list[int]]) -> tuple[np.ndarray, list[int]]:
    """Each example's figures at the point best on the other folds; the points chosen."""
    rows = np.zeros(table.shape[1:])
    chosen = []
    for test in folds:
        train = [i for i in range(table.shape[1]) if i not in set(test)]
        best = int(table[:, train].sum(2).mean(1).argmax())  # ties: the first point in grid order
        chosen.append(best)
        rows[test] = table[best, test]
    return rows, chosen


def by_file(prepared, rows: np.ndarray) -> str:
    names = sorted({p[0].file for p in prepared})
    parts = []
    for name in names + ["all"]:
        idx = [i for i, p in enumerate(prepared) if name in ("all", p[0].file)]
        parts.append("{} MRR {:.3f} hit@5 {:.3f}".format(name.replace(".jsonl", ""), *rows[idx].mean(0)))
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=Path, nargs="+", default=list(DEV))
    parser.add_argument("--held-out", type=Path, nargs="*", default=list(HELD_OUT))
    parser.add_argument("--forms", nargs="+", default=list(FORM_TERM_FORMS),
                        help="the forms the form term applies to (Asks.form)")
    parser.add_argument("--beside-weight", type=float, default=0.0,
                        help="the beside weight while the form weight alone is swept (0: as FORM_WEIGHT was first chosen)")
    parser.add_argument("--beside-top", type=int, default=BESIDE_TOP,
                        help="how many of the previous turn's first passages a neighbour is lifted beside")
    args = parser.parse_args(argv)
    service = RagService(load_settings(k=10))
    corpus = load_corpus_texts(service.settings.corpus_dir)
    forms = tuple(args.forms)
    prepared = prepare(service, load_examples(args.conversations, corpus), forms, args.beside_top)
    held = prepare(service, load_examples(args.held_out, corpus), forms, args.beside_top)
    beside_alone(prepared, held, forms, args.beside_top)
    print("{} follow-ups ({} say little): {}".format(
        len(prepared), sum(p[3] for p in prepared), dict(Counter(p[0].file for p in prepared))))
    points = grid()
    table = table_of(prepared, points, forms)
    best = int(table.sum(2).mean(1).argmax())
    print("fitted on all, point (share, share saying little, dense weight, both weight, form weight) {}: {}".format(
        points[best], by_file(prepared, table[best])))
    if held:
        held_table = table_of(held, [IN_USE, points[best]], forms)
        print("held out, the four weights in use, no form term: {}".format(by_file(held, held_table[0])))
        print("held out, the point fitted on dev: {}".format(by_file(held, held_table[1])))
    # The form term alone, the other four weights as they are: its weight chosen on dev (all and
    # leaving one file out), held-out figures beside it.
    alone = [IN_USE[:4] + (f,) for f in FORM_WEIGHTS]
    alone_table = table_of(prepared, alone, forms, args.beside_weight)
    for point, rows, held_rows in zip(alone, alone_table,
                                      table_of(held, alone, forms, args.beside_weight) if held else alone_table):
        print("form weight {} alone: dev {}{}".format(point[4], by_file(prepared, rows)[-27:],
                                                      "; held out " + by_file(held, held_rows) if held else ""))
    rows, chosen = held_out(alone_table, [[i for i, p in enumerate(prepared) if p[0].file == f]
                                          for f in sorted({p[0].file for p in prepared})])
    print("form weight alone, leave one file out: {} (chosen: {})".format(by_file(prepared, rows),
                                                                          [alone[c][4] for c in chosen]))
    files = sorted({p[0].file for p in prepared})
    rows, chosen = held_out(table, [[i for i, p in enumerate(prepared) if p[0].file == f] for f in files])
    print("leave one file out: {} (chosen: {})".format(by_file(prepared, rows), [points[c] for c in chosen]))
    for seed in range(3):
        order = list(range(len(prepared)))
        random.Random(seed).shuffle(order)
        rows, chosen = held_out(table, [order[k::5] for k in range(5)])
        print("5 folds, shuffle {}: {} (chosen: {})".format(
            seed, by_file(prepared, rows), dict(Counter(points[c] for c in chosen))))
    print("best 5 on all: " + "; ".join("{} {:.3f}".format(points[i], table[i].sum(1).mean())
                                         for i in np.argsort(-table.sum(2).mean(1))[:5]))
    return 0


def beside_alone(prepared, held, forms: tuple[str, ...], top: int) -> None:
    """The weight of a candidate next to one of the previous turn's ``top`` first passages, the
    other five weights as they are (how ``BESIDE_WEIGHT`` was chosen): on dev, leaving one dev file
    out, and held out."""
    point = IN_USE[:4] + (FORM_WEIGHT,)
    tables = np.stack([table_of(prepared, [point], forms, w)[0] for w in BESIDE_WEIGHTS])
    for w, rows in zip(BESIDE_WEIGHTS, tables):
        held_rows = table_of(held, [point], forms, w)[0] if held else None
        print("beside top {} weight {}: dev {}{}".format(top, w, by_file(prepared, rows)[-27:],
                                                       "; held out " + by_file(held, held_rows) if held else ""))
    rows, chosen = held_out(tables, [[i for i, p in enumerate(prepared) if p[0].file == f]
                                     for f in sorted({p[0].file for p in prepared})])
    print("beside weight, leave one file out: {} (chosen: {})".format(
        by_file(prepared, rows), [BESIDE_WEIGHTS[c] for c in chosen]))


def prepare(service: RagService, examples: list[Example], forms: tuple[str, ...] = FORM_TERM_FORMS,
            beside_top: int = BESIDE_TOP) -> list:
    """(example, its TopicParts with the form term read for ``forms``, which candidates are relevant,
    whether it says little) for each."""
    passages = service.generation.passages
    prepared = []
    for example in examples:
        query = service.queries.understood(example.question, as_follow_up(example.question, example.history))
        parts = service.retriever.topic_parts(query, forms=forms, beside_top=beside_top)
        relevant = np.array([example.relevant(passages[i]) for i in parts.candidates])
        prepared.append((example, parts, relevant, says_little(example.question)))
    return prepared


if __name__ == "__main__":
    raise SystemExit(main())
