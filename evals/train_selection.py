"""Learn the sentence scorer of ``rag.answering.selection`` and how many sentences to quote.

Every quotable sentence of the passages an answer may quote is a training example: positive when
it is part of a gold evidence quote (it covers at least half of the quote, or at least half of it
lies inside one). A logistic regression over ``rag.answering.selection.FEATURES`` is cross-validated by
question (folds of whole questions, several shuffles) over all the gold files given together, on
what the user reads: the share of gold quotes the composed answer's sentences show (the
``evidence_shown`` rule of the eval harness), whether its first chain (the lead, chosen as the
composer chooses it) shows one, and how many of its sentences are filler (in no gold quote). The
grid covers the regularisation strength, the relative and the absolute probability cut-offs of the
selection (how many sentences to show) and two feature sets: the sentence alone (its own
similarity, words and form) and the sentence in its context (its passage and heading, neighbours,
place in the report, what kind of statement it is against what is asked). The setting with the
most evidence shown less ``SENTENCE_COST`` per sentence is then fitted on all questions and written to ``rag/answering/selection_weights.py`` with the cross-validated figures,
per gold file, in its docstring, next to the weights in use when it ran (with their cut-offs), and
(``--leave-out``) each named file scored by weights fitted on all the other files.

A fold holds whole groups: a question, its English version ("dev-003", "dev-003-en") and the
questions that rephrase it (``"source": "dev-003"`` in gold_dev_setting), since they share evidence.

    python -m evals.train_selection [--gold <files> | --gold all] [--folds 5] [--shuffles 2]
        [--objective pointwise|per-question|pairwise] [--features context]
        [--leave-out independent_questions.jsonl ...] [--save F | --load F] [--dry-run]

``--gold all`` is every labelled file (``ALL_GOLD``), the test files included; unset, the two the
weights in use were fitted on. A file's figures are held out only in the cross-validation and
``--leave-out`` rows, and in the rows of the weights in use for files they were not fitted on.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import pickle
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.gold import HELD_OUT, Span, load_corpus_texts, load_gold, locate_gold
from evals.metrics import shown
from rag.answering.answer import DUPLICATE_COSINE, ExtractiveAnswerer
from rag.answering.compose import opening
from rag.config import load_settings
from rag.answering.selection import ENGLISH_MINIMUM_PROBABILITY, FEATURES, Candidate, Weights, select
from rag.answering.selection_weights import MINIMUM_PROBABILITY, RELATIVE_PROBABILITY
from rag.answering.sentence_kinds import asks_national

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rag" / "answering" / "selection_weights.py"
# What the weights in use were fitted on (``--gold`` unset).
DEFAULT_GOLD = (ROOT / "evals" / "gold_dev.jsonl", ROOT.parent / "shared" / "gold" / "independent_questions.jsonl")
# Every file with labelled answerable questions (``--gold all``), the test files included: what measures
# the product independently are the hidden sets, which are never in this repository.
ALL_GOLD = (
    *(ROOT / "evals" / "gold_{}.jsonl".format(name)
      for name in ("dev", "dev_en", "dev_hard", "dev_setting", "dev_topic", "test", "test2")),
    ROOT.parent / "shared" / "gold" / "independent_questions.jsonl",
)
C_GRID = (0.3, 1.0)  # 0.01, 0.03 and 0.1 measured too (all eight files, 380 questions): no better held out
RELATIVE_GRID = (0.0, 0.2)
MINIMUM_GRID = (0.0, 0.1, 0.2, 0.3)
NEIGHBOUR_GRID = (1.0, 0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.08)  # --neighbours; 1.0 quotes no neighbour
ENGLISH_MINIMUM_GRID = (0.02, 0.04, 0.06, 0.08, 0.1, 0.15)  # --english
# A sentence is worth reading when it shows at least this much more of the gold evidence on average:
# the setting chosen maximises evidence shown minus this per sentence shown (filler costs the reader).
# At 0.01 all six sentences were kept (CV on dev + shared gold, 128 questions: 0.680 evidence shown
# with 5.99 sentences, 81 % of them in no gold quote), though sentences four to six add under 0.02
# each; at 0.02 the answers keep 3.6 sentences and show 0.640 of the evidence, 71 % filler.
SENTENCE_COST = 0.02
# What the sentence says by itself, without its passage, neighbours, place or kind.
SENTENCE_ONLY = frozenset(
    ("dense", "dense_search", "overlap", "dense_below_best", "log_length", "question_mark", "bullet",
     "names_actors_for_who", "states_action_for_how", "gives_reason_for_why", "continues", "hubness",
     "dense_minus_hubness")
)
FEATURE_SETS = {"sentence": SENTENCE_ONLY, "context": frozenset(FEATURES)}


@dataclass
class Example:
    question_id: str
    gold_set: str
    form: str
    national: bool  # the question is about the national level
    candidates: list[Candidate]
    labels: np.ndarray
    quotes: list[tuple[Span, ...]]
    lang: str = "sv"  # the language the product read the question in (Query.lang)
    group: str = ""  # the question's fold group (``groups``); empty: its id without "-en"


@dataclass(frozen=True)
class Outcome:
    shown: float  # share of the gold quotes the answer's sentences show
    sentences: int
    lead_shows: bool  # the chain the composer opens with holds a sentence of a gold quote
    best_shows: bool  # the best-scoring chain does
    filler: int  # sentences in no gold quote


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


def groups(gold_paths: list[Path]) -> dict[str, str]:
    """Per question id, the group it shares a fold with: the id it rephrases (its ``source`` field,
    as in gold_dev_setting) or else its own, without an English version's "-en"."""
    out = {}
    for path in gold_paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out[row["id"]] = (row.get("source") or row["id"]).removesuffix("-en")
    return out


def collect(service, answerer: ExtractiveAnswerer, gold_paths: list[Path]) -> list[Example]:
    texts = load_corpus_texts(service.settings.corpus_dir)
    examples = []
    for path in gold_paths:
        gold = [g for g in load_gold(path) if g.answerable]
        spans = locate_gold(gold, texts)
        for item in gold:
            retrieved = service.retrieve(item.question)
            candidates = answerer.candidates(retrieved)
            labels = np.array([label(c, spans[item.id]) for c in candidates], dtype=int)
            examples.append(Example(item.id, path.name, retrieved.query.asks.form,
                                    asks_national(retrieved.query.standalone), candidates, labels, spans[item.id],
                                    retrieved.query.lang))
    return examples


def fit(
    examples: list[Example], c: float, features: frozenset[str] = frozenset(FEATURES), objective: str = "pointwise"
) -> Weights:
    """A logistic regression on the ``features`` named; the others get weight 0. ``pointwise``: each
    sentence against its label. ``per-question``: the same, every question's sentences weighing the
    same in all however many it has (else a question with many candidates counts more). ``pairwise``: each gold sentence against each other sentence of the
    same question (the difference of their features, both ways, every question weighing the same), so
    only the order within a question counts; its scores are then made probabilities by a logistic
    regression of the labels on them (the cut-offs of ``select`` read probabilities)."""
    from sklearn.linear_model import LogisticRegression

    keep = np.array([name in features for name in FEATURES])
    x = np.array([cand.features for ex in examples for cand in ex.candidates], dtype=float)
    y = np.concatenate([ex.labels for ex in examples])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = ((x - mean) / scale)[:, keep]
    coef = np.zeros(len(FEATURES))
    if objective not in ("pointwise", "per-question", "pairwise"):
        raise ValueError("objective {!r}: use pointwise, per-question or pairwise".format(objective))
    if objective in ("pointwise", "per-question"):
        weight = None if objective == "pointwise" else np.concatenate(
            [np.full(len(ex.candidates), 1.0 / len(ex.candidates)) for ex in examples])
        if weight is not None:
            weight *= len(weight) / weight.sum()
        model = LogisticRegression(C=c, max_iter=5000).fit(z, y, sample_weight=weight)
        coef[keep] = model.coef_[0]
        return Weights(tuple(mean), tuple(scale), tuple(float(v) for v in coef), float(model.intercept_[0]))
    differences, weights, start = [], [], 0
    for ex in examples:
        rows = z[start:start + len(ex.candidates)]
        start += len(ex.candidates)
        positive, negative = rows[ex.labels == 1], rows[ex.labels == 0]
        if len(positive) and len(negative):
            pairs = (positive[:, None, :] - negative[None, :, :]).reshape(-1, z.shape[1])
            differences.append(pairs)
            weights.append(np.full(len(pairs), 1.0 / len(pairs)))
    d, w = np.concatenate(differences), np.concatenate(weights)
    w = w * len(w) / w.sum()
    ranker = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(
        np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w])
    calibration = LogisticRegression(C=1e6, max_iter=5000).fit((z @ ranker.coef_[0])[:, None], y)
    coef[keep] = ranker.coef_[0] * calibration.coef_[0][0]
    return Weights(tuple(mean), tuple(scale), tuple(float(v) for v in coef), float(calibration.intercept_[0]))


def outcome(
    example: Example,
    weights: Weights,
    answerer: ExtractiveAnswerer,
    relative: float,
    minimum: float,
    neighbour_minimum: float | None = None,
    english_minimum: float | None = None,
) -> Outcome:
    rescored = sorted(
        (dataclasses.replace(c, score=weights.score(c.features)) for c in example.candidates), key=lambda c: -c.score
    )
    if example.lang == "en":
        minimum = ENGLISH_MINIMUM_PROBABILITY if english_minimum is None else english_minimum
    chains = select(
        rescored, answerer.scorer, answerer.settings.answer_sentences, relative, DUPLICATE_COSINE, minimum,
        neighbour_minimum=neighbour_minimum,
    )
    if not chains:
        return Outcome(0.0, 0, False, False, 0)
    positive = {c.index for c, y in zip(example.candidates, example.labels) if y}
    members = [m for ch in chains for m in ch.members]
    spans = [Span(m.hit.passage.source, m.sentence.start, m.sentence.end) for m in members]
    lead = chains[opening(chains, example.form, example.national)]
    return Outcome(
        sum(shown(group, spans) for group in example.quotes) / len(example.quotes),
        len(members),
        any(m.index in positive for m in lead.members),
        any(m.index in positive for m in chains[0].members),
        sum(1 for m in members if m.index not in positive),
    )


def cross_validate(
    examples, answerer, folds, shuffles, feature_set, objective: str = "pointwise"
) -> dict[tuple, list[tuple[str, Outcome]]]:
    """Per (C, relative, minimum): the held-out outcome of every question in every shuffle."""
    results: dict[tuple, list[tuple[str, Outcome]]] = defaultdict(list)
    for train, test in _folds(examples, folds, shuffles):
        for c in C_GRID:
            weights = fit(train, c, feature_set, objective)
            for relative, minimum in itertools.product(RELATIVE_GRID, MINIMUM_GRID):
                for i in test:
                    results[(c, relative, minimum)].append(
                        (examples[i].gold_set, outcome(examples[i], weights, answerer, relative, minimum))
                    )
    return results


def _folds(examples, folds: int, shuffles: int):
    """Per shuffle and fold: the training examples (in the shuffled order) and the held-out indexes.
    A question, its English version and its rephrasings (``Example.group``) share their evidence: one fold."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        members[ex.group or ex.question_id.removesuffix("-en")].append(i)
    for seed in range(shuffles):
        keys = sorted(members)
        random.Random(seed).shuffle(keys)
        order = [i for k in keys for i in members[k]]
        for fold in range(folds):
            test = {i for k in keys[fold::folds] for i in members[k]}
            yield [examples[i] for i in order if i not in test], test


def neighbour_grid(examples, answerer, folds, shuffles, english: bool = False) -> dict[float, list[tuple[str, Outcome]]]:
    """Per ``selection.NEIGHBOUR_MINIMUM`` of ``NEIGHBOUR_GRID`` (1.0: no neighbours), or with ``english`` per
    ``selection.ENGLISH_MINIMUM_PROBABILITY`` of ``ENGLISH_MINIMUM_GRID`` (English questions only): the
    held-out outcome of every question, with the shipped C and cut-offs otherwise and weights refitted per
    fold."""
    results: dict[float, list[tuple[str, Outcome]]] = defaultdict(list)
    for train, test in _folds(examples, folds, shuffles):
        weights = fit(train, C_GRID[0])
        for floor in ENGLISH_MINIMUM_GRID if english else NEIGHBOUR_GRID:
            for i in test:
                if english and examples[i].lang != "en":
                    continue
                results[floor].append((examples[i].gold_set, outcome(
                    examples[i], weights, answerer, RELATIVE_PROBABILITY, MINIMUM_PROBABILITY,
                    None if english else floor, floor if english else None)))
    return results


def summary(outcomes: list[Outcome]) -> dict[str, float]:
    return {
        "shown": statistics.mean(o.shown for o in outcomes),
        "sentences": statistics.mean(o.sentences for o in outcomes),
        "lead": statistics.mean(float(o.lead_shows) for o in outcomes),
        "best": statistics.mean(float(o.best_shows) for o in outcomes),
        "filler": sum(o.filler for o in outcomes) / max(sum(o.sentences for o in outcomes), 1),
    }


def describe(name: str, s: dict[str, float]) -> str:
    return "{}: evidence shown {:.3f}, lead shows evidence {:.3f} (best chain {:.3f}), {:.2f} sentences, filler {:.3f}".format(
        name, s["shown"], s["lead"], s["best"], s["sentences"], s["filler"])


def choose(results: dict[tuple, list[tuple[str, Outcome]]]) -> tuple[tuple, dict[str, float]]:
    """The setting with the most evidence shown less ``SENTENCE_COST`` per sentence: a manager reads
    every sentence, and one that adds less than a hundredth of evidence is filler."""
    summaries = {key: summary([o for _, o in rows]) for key, rows in results.items()}
    for key, s in sorted(summaries.items()):
        print("  C={} relative={} minimum={}: ".format(*key) + describe("all", s))
    key = max(summaries, key=lambda k: (summaries[k]["shown"] - SENTENCE_COST * summaries[k]["sentences"], -k[0]))
    return key, summaries[key]


def per_set(rows: list[tuple[str, Outcome]]) -> dict[str, dict[str, float]]:
    by_set: dict[str, list[Outcome]] = defaultdict(list)
    for name, o in rows:
        by_set[name].append(o)
    return {name: summary(outcomes) for name, outcomes in by_set.items()}


def write_weights(weights: Weights, relative: float, minimum: float, figure: str, path: Path = OUT) -> None:
    def row(values) -> str:
        return "(\n" + "".join("        {!r},  # {}\n".format(round(float(v), 6), n) for v, n in zip(values, FEATURES)) + "    )"

    path.write_text(
        '"""Learned weights of the sentence scorer (``rag.answering.selection``), written by ``python -m evals.train_selection``.\n\n'
        "{}\n"
        '"""\n\nfrom rag.answering.selection import Weights\n\n'
        "# Quote sentences at least this likely relative to the best one, and at least this likely at all\n"
        "# (the best one is always quoted): how many sentences an answer shows, fitted as above.\n"
        "RELATIVE_PROBABILITY = {!r}\nMINIMUM_PROBABILITY = {!r}\n\n"
        "WEIGHTS = Weights(\n    mean={},\n    scale={},\n    coef={},\n"
        "    intercept={!r},\n)\n".format(figure, relative, minimum, row(weights.mean), row(weights.scale),
                                        row(weights.coef), round(float(weights.intercept), 6)),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    from rag.service import RagService

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, nargs="+", default=list(DEFAULT_GOLD),
                        help='gold files, or "all" for every labelled file (ALL_GOLD)')
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--shuffles", type=int, default=2)
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--save", type=Path, help="also pickle the collected examples here")
    parser.add_argument("--load", type=Path, help="use examples pickled by --save (same index, same features)")
    parser.add_argument("--neighbours", action="store_true",
                        help="only print the held-out figures of selection.NEIGHBOUR_MINIMUM's grid; write nothing")
    parser.add_argument("--english", action="store_true",
                        help="only print the held-out figures of selection.ENGLISH_MINIMUM_PROBABILITY's grid")
    parser.add_argument("--objective", choices=("pointwise", "per-question", "pairwise"), default="pointwise",
                        help="fit each sentence against its label, or each gold sentence against the others of its question")
    parser.add_argument("--features", nargs="+", choices=tuple(FEATURE_SETS), default=list(FEATURE_SETS),
                        help="the feature sets to cross-validate (the weights written use the context set)")
    parser.add_argument("--leave-out", nargs="+", default=[], metavar="FILE_NAME",
                        help="also score each of these gold files (by file name) with weights fitted on all the others")
    args = parser.parse_args(argv)
    if [str(p) for p in args.gold] == ["all"]:
        args.gold = list(ALL_GOLD)
    held_out = sorted(p.name for p in args.gold if p.name in HELD_OUT)
    if held_out:
        parser.error("{}: held out (evals.gold.HELD_OUT), never fitted on".format(", ".join(held_out)))
    if "context" not in args.features:
        parser.error("--features must include context: the weights written use it")
    missing = [name for name in args.leave_out if name not in {p.name for p in args.gold}]
    if missing:
        parser.error("--leave-out {}: not among the --gold files".format(", ".join(missing)))

    service = RagService(load_settings())
    answerer = ExtractiveAnswerer(service.settings, service.generation)
    if args.load:
        with args.load.open("rb") as f:
            examples = pickle.load(f)  # noqa: S301 - a file this script wrote
    else:
        examples = collect(service, answerer, args.gold)
    if args.save:
        with args.save.open("wb") as f:
            pickle.dump(examples, f)
    group_of = groups(args.gold)
    unknown = sorted({ex.question_id for ex in examples} - set(group_of))
    if unknown:
        parser.error("{} holds questions of no --gold file ({}, ...): pass the --gold files it was saved with".format(
            args.load, ", ".join(unknown[:3])))
    for ex in examples:
        ex.group = group_of[ex.question_id]
    print("{} questions, {} candidate sentences, {} in gold evidence".format(
        len(examples), sum(len(ex.candidates) for ex in examples), int(sum(ex.labels.sum() for ex in examples))))
    if args.neighbours or args.english:
        for floor, rows in neighbour_grid(examples, answerer, args.folds, args.shuffles, args.english).items():
            s = summary([o for _, o in rows])
            print("{} {}: {}, shown - cost x sentences {:.4f}".format(
                "English minimum" if args.english else "neighbour minimum", floor, describe("all", s), s["shown"] - SENTENCE_COST * s["sentences"]))
            for gold_set, v in per_set(rows).items():
                print("    " + describe(gold_set, v))
        return 0
    lines = []
    chosen = {}
    for name, feature_set in FEATURE_SETS.items():
        if name not in args.features:
            continue
        results = cross_validate(examples, answerer, args.folds, args.shuffles, feature_set, args.objective)
        key, s = choose(results)
        chosen[name] = key
        lines.append("{} features, C={}, relative cut-off {}, minimum probability {}:".format(name, *key))
        lines.extend("    " + describe(gold_set, v) for gold_set, v in per_set(results[key]).items())
        lines.append("    " + describe("all", s))
        shipped = (key[0], RELATIVE_PROBABILITY, MINIMUM_PROBABILITY)
        if key != shipped and shipped in results:
            lines.append("  the same at the cut-offs in use (relative {}, minimum {}):".format(*shipped[1:]))
            lines.extend("    " + describe(gold_set, v) for gold_set, v in per_set(results[shipped]).items())
            lines.append("    " + describe("all", summary([o for _, o in results[shipped]])))
    c, relative, minimum = chosen["context"]
    for name in args.leave_out:
        weights = fit([ex for ex in examples if ex.gold_set != name], c, objective=args.objective)
        lines.append("context features fitted on every other file, C={}, on {} (held out):".format(c, name))
        for cut in dict.fromkeys([(relative, minimum), (RELATIVE_PROBABILITY, MINIMUM_PROBABILITY)]):
            rows = [(name, outcome(ex, weights, answerer, *cut)) for ex in examples if ex.gold_set == name]
            lines.append("    relative {}, minimum {}: ".format(*cut) + describe(name, per_set(rows)[name]))
    previous = [(ex.gold_set, outcome(ex, answerer.scorer.weights, answerer, RELATIVE_PROBABILITY, MINIMUM_PROBABILITY))
                for ex in examples]
    lines.append("the weights in use when this ran, with their cut-offs (relative {}, minimum {}; held out only on files they"
                 " were not fitted on):".format(RELATIVE_PROBABILITY, MINIMUM_PROBABILITY))
    lines.extend("    " + describe(gold_set, v) for gold_set, v in per_set(previous).items())
    figure = (
        "{} logistic regression, cross-validated ({}-fold by question group, {} shuffles) over {} ({} answerable"
        " questions); held-out figures:\n{}"
    ).format(args.objective.capitalize(), args.folds, args.shuffles, " + ".join(p.name for p in args.gold), len(examples), "\n".join(lines))
    print(figure)
    if not args.dry_run:
        write_weights(fit(examples, c, objective=args.objective), relative, minimum, figure)
        print("wrote {}".format(OUT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
