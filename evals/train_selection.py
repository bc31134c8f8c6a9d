"""Learn the sentence scorer of ``rag.answering.selection`` from the dev gold evidence.

Every quotable sentence of the passages an answer may quote is a training example: positive when
it is part of a gold evidence quote (it covers at least half of the quote, or at least half of it
lies inside one). A logistic regression over ``rag.answering.selection.FEATURES`` is cross-validated by
question (folds of whole questions, several shuffles) on what the user reads: the share of gold
quotes the composed answer's own sentences show (the ``evidence_shown`` rule of the eval harness),
for each regularisation strength and each relative-probability cut-off of the selection. The setting
with the shortest answers among those within 0.01 of the best is then fitted on all dev questions and written to ``rag/answering/selection_weights.py`` with the
cross-validated figures in its docstring.

    python -m evals.train_selection [--gold evals/gold_dev.jsonl] [--folds 5] [--shuffles 4] [--dry-run]

Never point it at a held-out file.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.gold import Span, load_corpus_texts, load_gold, locate_gold
from evals.metrics import shown
from rag.answering.answer import DUPLICATE_COSINE, ExtractiveAnswerer
from rag.config import load_settings
from rag.answering.selection import FEATURES, Candidate, Weights, select

OUT = Path(__file__).resolve().parents[1] / "rag" / "answering" / "selection_weights.py"
C_GRID = (0.03, 0.1, 0.3, 1.0)
RELATIVE_GRID = (0.0, 0.05, 0.1, 0.2)
TOLERANCE = 0.01


@dataclass
class Example:
    question_id: str
    candidates: list[Candidate]
    labels: np.ndarray
    quotes: list[tuple[Span, ...]]


def _inside(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start)) if a.source == b.source else 0


def label(candidate: Candidate, quotes: list[tuple[Span, ...]]) -> int:
    span = Span(candidate.hit.passage.source, candidate.sentence.start, candidate.sentence.end)
    for group in quotes:
        for quote in group:
            overlap = _inside(span, quote)
            if overlap and (2 * overlap >= len(span) or 2 * overlap >= len(quote)):
                return 1
    return 0


def collect(service, answerer: ExtractiveAnswerer, gold_path: Path) -> list[Example]:
    gold = [g for g in load_gold(gold_path) if g.answerable]
    spans = locate_gold(gold, load_corpus_texts(service.settings.corpus_dir))
    examples = []
    for item in gold:
        candidates = answerer.candidates(service.retrieve(item.question))
        labels = np.array([label(c, spans[item.id]) for c in candidates], dtype=int)
        examples.append(Example(item.id, candidates, labels, spans[item.id]))
    return examples


def fit(examples: list[Example], c: float) -> Weights:
    from sklearn.linear_model import LogisticRegression

    x = np.array([cand.features for ex in examples for cand in ex.candidates], dtype=float)
    y = np.concatenate([ex.labels for ex in examples])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return Weights(tuple(mean), tuple(scale), tuple(float(v) for v in model.coef_[0]), float(model.intercept_[0]))


def shown_share(example: Example, weights: Weights, answerer: ExtractiveAnswerer, relative: float) -> tuple[float, int]:
    """(share of the gold quotes the selected sentences show, number of sentences quoted)."""
    rescored = sorted(
        (dataclasses.replace(c, score=weights.score(c.features)) for c in example.candidates), key=lambda c: -c.score
    )
    chains = select(rescored, answerer.scorer, answerer.settings.answer_sentences, relative, DUPLICATE_COSINE)
    spans = [Span(m.hit.passage.source, m.sentence.start, m.sentence.end) for ch in chains for m in ch.members]
    return sum(shown(group, spans) for group in example.quotes) / len(example.quotes), len(spans)


def cross_validate(examples, answerer, c, relative, folds, shuffles) -> tuple[float, float]:
    """Mean evidence shown and mean answer length over held-out folds and shuffles."""
    shares, lengths = [], []
    for seed in range(shuffles):
        order = list(range(len(examples)))
        random.Random(seed).shuffle(order)
        for fold in range(folds):
            test = set(order[fold::folds])
            weights = fit([examples[i] for i in order if i not in test], c)
            for i in test:
                share, length = shown_share(examples[i], weights, answerer, relative)
                shares.append(share)
                lengths.append(length)
    return statistics.mean(shares), statistics.mean(lengths)


def write_weights(weights: Weights, c: float, relative: float, figure: str, path: Path = OUT) -> None:
    def row(values) -> str:
        return "(\n" + "".join("        {!r},  # {}\n".format(round(float(v), 6), n) for v, n in zip(values, FEATURES)) + "    )"

    path.write_text(
        '"""Learned weights of the sentence scorer (``rag.answering.selection``), written by ``python -m evals.train_selection``.\n\n'
        "{}\n"
        '"""\n\nfrom rag.answering.selection import Weights\n\n'
        "# Quote sentences at least this likely, relative to the best one.\nRELATIVE_PROBABILITY = {!r}\n\n"
        "WEIGHTS = Weights(\n    mean={},\n    scale={},\n    coef={},\n"
        "    intercept={!r},\n)\n".format(figure, relative, row(weights.mean), row(weights.scale), row(weights.coef),
                                      round(float(weights.intercept), 6)),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    from rag.service import RagService

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path("evals/gold_dev.jsonl"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--shuffles", type=int, default=4)
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args(argv)
    if "test" in args.gold.name:
        parser.error("train on a dev file, never on a held-out one")

    service = RagService(load_settings())
    answerer = ExtractiveAnswerer(service.settings, service.generation)
    examples = collect(service, answerer, args.gold)
    positives = int(sum(ex.labels.sum() for ex in examples))
    print("{} questions, {} candidate sentences, {} in gold evidence".format(
        len(examples), sum(len(ex.candidates) for ex in examples), positives))
    results = {}
    for c in C_GRID:
        for relative in RELATIVE_GRID:
            results[(c, relative)] = cross_validate(examples, answerer, c, relative, args.folds, args.shuffles)
            print("C={:<5} relative={:<4} evidence shown {:.3f}, {:.2f} sentences".format(c, relative, *results[(c, relative)]))
    # The shortest answers whose evidence shown is within TOLERANCE of the best: a manager reads every
    # sentence, and a sentence that adds a hundredth of evidence is not worth reading.
    best = max(share for share, _ in results.values())
    (c, relative), (share, length) = min(
        ((key, value) for key, value in results.items() if value[0] >= best - TOLERANCE), key=lambda kv: (kv[1][1], -kv[1][0])
    )
    figure = (
        "Chosen by {}-fold cross-validation by question on {} ({} questions, {} shuffles): C={}, relative\n"
        "probability cut-off {} (``RELATIVE_PROBABILITY``); the held-out folds' answers show {:.3f} of\n"
        "the gold evidence with {:.2f} sentences on average, where the previous hand weights showed {:.3f}."
    ).format(args.folds, args.gold.name, len(examples), args.shuffles, c, relative, share, length,
             statistics.mean(shown_share(ex, answerer.scorer.weights, answerer, relative)[0] for ex in examples))
    print(figure)
    if not args.dry_run:
        write_weights(fit(examples, c), c, relative, figure)
        print("wrote {}".format(OUT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
