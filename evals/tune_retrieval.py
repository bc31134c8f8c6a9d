"""Choose the sentence term of ``rag.answering.retrieval`` (its weight and hubness correction) on dev gold.

Every answerable question is embedded once; each grid point ranks all of them through the real
``HybridRetriever`` and scores the top 10 with the eval harness's own rule (``score_question``).
With ``--fusion`` the grid also varies the fusion constants (``Fusion``: dense_weight, hubness_alpha,
prf_weight) around their defaults, to see whether re-tuning them together holds up in CV.
The grid is cross-validated by question: for each of ``--shuffles`` shuffles and ``--folds``
folds, the grid point with the best mean MRR + recall@5 on the other folds ranks the held-out
fold (ties go to the earlier, smaller point). Printed: the plain dev grid, the pooled
cross-validated figures and which point the folds chose, and the chosen point per language.

    python -m evals.tune_retrieval [--gold evals/gold_dev.jsonl ...] [--folds 5] [--shuffles 5] [--fusion]

Several gold files are pooled (a question and its English version, ids "x" and "x-en", always fall in
the same fold) and the held-out figures are printed per file, beside those of the constants in use.

Never point it at a held-out file.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections import Counter
from pathlib import Path

from evals.gold import GoldItem, load_corpus_texts, load_gold, locate_gold
from evals.metrics import score_question
from rag.config import load_settings
from rag.answering.retrieval import SENTENCE_HUBNESS_ALPHA, SENTENCE_WEIGHT, Fusion, HybridRetriever
from rag.service import RagService

WEIGHTS = (0.0, 0.5, 0.75, 1.0, 1.25, 1.5)
HUBNESS_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
FUSION_WEIGHTS = (0.0, 0.5, 1.0, 1.5)
FUSION_HUBNESS_ALPHAS = (0.0, 0.5, 1.0)
FUSION = {"dense_weight": (0.45, 0.55, 0.65), "hubness_alpha": (0.25, 0.5, 0.75), "prf_weight": (0.0, 0.3, 0.6)}
DEPTH = 10  # passages scored per question, as `rag eval` retrieves
# sentence weight, sentence hubness alpha, then the fusion constants (dense_weight, hubness_alpha, prf_weight)
Point = tuple[float, ...]
Rows = dict[str, dict]  # question id -> the harness's per-question row


def current(fusion: bool) -> Point:
    """The constants in use, as a grid point."""
    point = (SENTENCE_WEIGHT, SENTENCE_HUBNESS_ALPHA)
    return (*point, *(getattr(Fusion(), name) for name in FUSION)) if fusion else point


def grid(fusion: bool) -> list[Point]:
    if not fusion:
        points = [(w, a) for w in WEIGHTS for a in (HUBNESS_ALPHAS if w else (0.0,))]
    else:
        sentence = [(w, a) for w in FUSION_WEIGHTS for a in (FUSION_HUBNESS_ALPHAS if w else (0.0,))]
        points = [(w, a, d, h, p) for w, a in sentence for d in FUSION["dense_weight"]
                  for h in FUSION["hubness_alpha"] for p in FUSION["prf_weight"]]
    return points + [p for p in [current(fusion)] if p not in points]


def rank_all(service: RagService, gold: list[GoldItem], point: Point, queries: dict, spans: dict) -> Rows:
    fusion = Fusion(**dict(zip(FUSION, point[2:])))
    retriever = HybridRetriever(
        service.settings, service.embedder, service.generation, fusion=fusion,
        sentence_weight=point[0], sentence_hubness_alpha=point[1],
    )
    rows = {}
    for item in gold:
        hits = retriever.search(queries[item.id], k=DEPTH).hits
        rows[item.id] = score_question(item, {"passages": [h.to_dict() for h in hits]}, spans[item.id])
    return rows


def summary(rows: list[dict]) -> dict[str, float]:
    out = {f"recall@{k}": statistics.mean(r[f"recall@{k}"] for r in rows) for k in (1, 3, 5, 10)}
    out["mrr"] = statistics.mean(r["reciprocal_rank"] for r in rows)
    return out


def objective(rows: list[dict]) -> float:
    return statistics.mean(r["reciprocal_rank"] + r["recall@5"] for r in rows)


def cross_validate(table: dict[Point, Rows], ids: list[str], folds: int, shuffles: int, objective=objective):
    """Pooled held-out rows over every shuffle and fold, and the point (a key of ``table``) each fold
    chose by ``objective`` on its training questions."""
    held_out, chosen = [], []
    points = list(table)
    groups: dict[str, list[str]] = {}
    for i in ids:  # a question and its English version ("dev-003", "dev-003-en") share a fold
        groups.setdefault(i.removesuffix("-en"), []).append(i)
    for seed in range(shuffles):
        keys = sorted(groups)
        random.Random(seed).shuffle(keys)
        order = [i for k in keys for i in groups[k]]
        for fold in range(folds):
            test = {i for k in keys[fold::folds] for i in groups[k]}
            train = [i for i in order if i not in test]
            best = max(points, key=lambda p: (objective([table[p][i] for i in train]), -points.index(p)))
            chosen.append(best)
            held_out += [(i, table[best][i]) for i in sorted(test)]
    return held_out, chosen


def _fmt(metrics: dict[str, float]) -> str:
    return " ".join("{} {:.3f}".format(k, v) for k, v in metrics.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, nargs="+", default=[Path("evals/gold_dev.jsonl")])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--shuffles", type=int, default=5)
    parser.add_argument("--fusion", action="store_true", help="also vary dense_weight, hubness_alpha, prf_weight")
    args = parser.parse_args(argv)
    for path in args.gold:
        if "_test" in path.name:
            parser.error("{} is a held-out file; tune on dev files and the shared independent set".format(path))

    service = RagService(load_settings(k=DEPTH))
    file_of = {}
    gold = []
    for path in args.gold:
        for g in load_gold(path):
            if g.answerable:
                if g.id in file_of:
                    parser.error("question id {} is in {} and {}".format(g.id, file_of[g.id], path.name))
                file_of[g.id] = path.name
                gold.append(g)
    spans = locate_gold(gold, load_corpus_texts(service.settings.corpus_dir))
    queries = {g.id: service.queries.build(g.question) for g in gold}
    points = grid(args.fusion)
    table = {point: rank_all(service, gold, point, queries, spans) for point in points}

    print("sentence weight / hubness alpha{}: MRR, recall@5 on all of {} ({} answerable)".format(
        " / " + " / ".join(FUSION) if args.fusion else "", " + ".join(p.name for p in args.gold), len(gold)))
    for point, rows in table.items():
        m = summary(list(rows.values()))
        print("  {}: {:.3f} {:.3f}".format(_point(point), m["mrr"], m["recall@5"]))
    held_out, chosen = cross_validate(table, [g.id for g in gold], args.folds, args.shuffles)
    print("cross-validated ({} folds x {} shuffles): {}".format(
        args.folds, args.shuffles, _fmt(summary([r for _, r in held_out]))))
    now = current(args.fusion)
    for name in sorted(set(file_of.values())):
        print("  {}: held out {} | in use ({}) {}".format(
            name, _fmt(summary([r for i, r in held_out if file_of[i] == name])), _point(now),
            _fmt(summary([r for i, r in table[now].items() if file_of[i] == name]))))
    print("chosen: " + ", ".join("{} x{}".format(_point(p), n) for p, n in Counter(chosen).most_common(8)))
    final = max(points, key=lambda p: (objective(list(table[p].values())), -points.index(p)))
    without = (0.0, 0.0, *(getattr(Fusion(), name) for name in FUSION)) if args.fusion else (0.0, 0.0)
    for lang in sorted({g.lang for g in gold}):
        rows = [table[final][g.id] for g in gold if g.lang == lang]
        base = [table[without][g.id] for g in gold if g.lang == lang]
        print("{} ({}): {} {} | {} {}".format(
            lang, len(rows), _point(without), _fmt(summary(base)), _point(final), _fmt(summary(rows))))
    return 0


def _point(point: Point) -> str:
    return "/".join("{:.2f}".format(v) for v in point)


if __name__ == "__main__":
    raise SystemExit(main())
