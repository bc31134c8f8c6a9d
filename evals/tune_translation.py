"""Measure and choose how English questions are translated (``rag.answering.translate``) and how
the Swedish rendering joins the dense query (``TRANSLATE_DENSE_WEIGHT``).

Each variant is a translator setting plus a dense weight. Every English answerable question of the
tuning sets (``--gold``, default: evals/gold_dev_en.jsonl, the English questions of
evals/gold_dev_hard.jsonl and of ../shared/gold/independent_questions.jsonl) is answered through the
real service with each variant; rows are scored with the eval harness's own rule
(``score_question``): recall@5, MRR, and evidence shown on the questions that were answered
(declines are a separate decision and are left out of evidence shown here). The choice is
cross-validated by question (``--folds`` x ``--shuffles``): the variant with the best mean
recall@5 + MRR + evidence shown on the other folds answers the held-out fold.

    RAG_DECLINE_BELOW=-10 RAG_PARTIAL_BELOW=-10 python -m evals.tune_translation

Never point it at a held-out file.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from collections import Counter
from pathlib import Path

from evals.gold import GoldItem, load_corpus_texts, load_gold, locate_gold
from evals.metrics import score_question
from evals.tune_retrieval import cross_validate
from rag.answering.retrieval import DENSE_WEIGHT
from rag.answering.translate import DictionaryTranslator, TranslationOptions, document_frequencies
from rag.config import load_settings
from rag.service import RagService

SHARED_GOLD = Path(__file__).resolve().parents[2] / "shared" / "gold" / "independent_questions.jsonl"
DEFAULT_GOLD = (Path("evals/gold_dev_en.jsonl"), Path("evals/gold_dev_hard.jsonl"), SHARED_GOLD)
# name, translator options, dense weight, whether answer sentences are scored with the rendering too,
# whether BM25 also scores the English words as typed (as before), the fusion's dense weight
Variant = tuple[str, TranslationOptions, float, bool, bool, float]


def variants() -> list[Variant]:
    """The grid: translator options x dense weight x scoring vector x BM25 of the English words as
    typed x fusion weight, named like "att+r2 w0.5" (+score, +raw, f0.65 where they differ from the
    defaults). "before w1.0 +raw" is what main did before."""
    out: list[Variant] = []
    for name, options in TranslationOptions.grid():
        for weight in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0):
            for scoring in (False, True):
                for raw in (False, True):
                    for fusion in (0.45, DENSE_WEIGHT, 0.65):
                        out.append(("{} w{}{}{}{}".format(
                            name, weight, " +score" if scoring else "", " +raw" if raw else "",
                            "" if fusion == DENSE_WEIGHT else " f{}".format(fusion),
                        ), options, weight, scoring, raw, fusion))
    return out


# The last stage of the search (the whole grid is hours on this machine): what the defaults were
# chosen from.
LAST_STAGE = (
    "before w1.0 +raw", "att+r2 w0.5 +raw", "att+r2 w0.5", "att+r3 w0.5", "att+r2 w0.25", "att+r2 w0.75",
    "att+r2 w0.5 f0.65", "before w0.5",
)


def run_variant(service: RagService, gold: list[GoldItem], spans: dict, variant: Variant) -> dict[str, dict]:
    _, options, weight, scoring, raw, fusion = variant
    service.retriever.fusion = dataclasses.replace(service.retriever.fusion, dense_weight=fusion)
    retriever = service.retriever
    lexical = type(retriever)._lexical.__get__(retriever)
    if raw:  # as before: BM25 also scores the English words as typed
        retriever._lexical = lambda text, groups: lexical(text, groups) + retriever.bm25.scores(text) * bool(groups)
    else:
        retriever._lexical = lexical
    queries = service.queries
    frequencies = document_frequencies(service.generation.passage_terms)
    queries.translator = DictionaryTranslator(options=options, frequencies=frequencies)
    queries.translate_dense_weight = weight
    build = type(queries).build.__get__(queries)
    if scoring:
        queries.build = lambda q, h=(): _scored_with_rendering(build(q, h))
    else:
        queries.build = build
    rows = {}
    for item in gold:
        rows[item.id] = score_question(item, service.ask(item.question).to_dict(), spans[item.id])
    return rows


def _cache_query_vectors(service: RagService) -> None:
    """Every variant embeds the same questions and nearly the same renderings: embed each text once."""
    embedder = service.queries.embedder
    embed = embedder.embed_query
    cache: dict[str, list[float]] = {}

    def cached(text: str):
        if text not in cache:
            cache[text] = embed(text)
        return cache[text]

    service.queries.embedder = _Cached(cached)


class _Cached:
    def __init__(self, embed_query) -> None:
        self.embed_query = embed_query


def _scored_with_rendering(query):
    if not query.groups:
        return query
    return dataclasses.replace(query, vector=query.search_vector)


def summary(rows: list[dict]) -> dict[str, float]:
    answered = [r for r in rows if not r["abstained"]]
    return {
        "n": len(rows),
        "recall@5": statistics.mean(r["recall@5"] for r in rows),
        "mrr": statistics.mean(r["reciprocal_rank"] for r in rows),
        "shown": statistics.mean(r["evidence_shown"] for r in answered) if answered else 0.0,
        "declined": len(rows) - len(answered),
    }


def objective(rows: list[dict]) -> float:
    return statistics.mean(
        r["recall@5"] + r["reciprocal_rank"] + (0.0 if r["abstained"] else r["evidence_shown"]) for r in rows
    )


def _fmt(m: dict) -> str:
    return "n {n} recall@5 {recall@5:.3f} MRR {mrr:.3f} shown {shown:.3f} declined {declined}".format(**m)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, nargs="*", default=list(DEFAULT_GOLD))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--shuffles", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(LAST_STAGE), help="variant names to run")
    parser.add_argument("--all", action="store_true", help="run the whole grid")
    args = parser.parse_args(argv)
    if any("_test" in p.name for p in args.gold):
        parser.error("held-out files are not for tuning")

    service = RagService(load_settings())
    _cache_query_vectors(service)
    gold = [g for path in args.gold for g in load_gold(path) if g.answerable and g.lang == "en"]
    spans = locate_gold(gold, load_corpus_texts(service.settings.corpus_dir))
    grid = [v for v in variants() if args.all or v[0] in args.only]
    table = {}
    for variant in grid:
        name = variant[0]
        table[name] = run_variant(service, gold, spans, variant)
        by_set = {}
        for g in gold:
            by_set.setdefault(g.id.split("-")[0] + ("-en" if g.id.endswith("-en") else ""), []).append(
                table[name][g.id])
        print("{:28s} all: {} | {}".format(name, _fmt(summary(list(table[name].values()))), " | ".join(
            "{} {:.3f}/{:.3f}/{:.3f}".format(k, *(summary(v)[m] for m in ("recall@5", "mrr", "shown")))
            for k, v in sorted(by_set.items()))), flush=True)
    if len(table) > 1:
        held_out, chosen = cross_validate(table, [g.id for g in gold], args.folds, args.shuffles, objective)
        print("cross-validated ({} folds x {} shuffles): {}".format(args.folds, args.shuffles, _fmt(summary(held_out))))
        print("chosen: " + ", ".join("{} x{}".format(n, c) for n, c in Counter(chosen).most_common(6)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
