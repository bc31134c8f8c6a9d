"""Calibrate the support threshold of generated sentences on the report itself.

A generated sentence is "supported" when the passages it cites back it (``rag.answering.validate``). The
threshold has to separate a sentence that restates its cited passage from one that cites the
wrong passage, with the real embedder. Without an LLM on this machine, the sets are built from
the report's own sentences (a fixed random sample, seed 0) and a few hand-written paraphrases:

* ``quote``: a report sentence citing its own passage (an exact restatement);
* ``neighbour``: the sentence citing its own passage with the sentence itself removed from it
  (supported only by what its neighbours say: a hard positive, partly supported at best);
* ``paraphrase``: hand-written paraphrases of report sentences citing the right passage
  (``PARAPHRASES`` below);
* ``wrong_random``: a report sentence citing a random passage of another chapter;
* ``wrong_near``: a report sentence citing the most similar other passage (a plausible but
  wrong citation, the typical failure);
* ``paraphrase_wrong``: the paraphrases citing the most similar other passage.

The threshold is the one that maximises balanced accuracy between paraphrase (quotes pass at
any threshold) and wrong_near + paraphrase_wrong; the script prints each set's score
distribution and pass rates around it. Usage: ``python -m evals.calibrate_support [--n 300]``
(needs the index of ``corpus/``: ``rag ingest``).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict

import numpy as np

from rag.config import load_settings
from rag.embeddings import make_embedder
from rag.lexical import terms
from rag.index.store import IndexDir
from rag.answering.validate import LEXICAL_WEIGHT, SupportScorer

# (a fragment of the report sentence the paraphrase restates, the paraphrase)
PARAPHRASES: list[tuple[str, str]] = [
    ("knyta projektbaserad samverkan till en långsiktig strategi",
     "Samverkan i projekt bör kopplas till en långsiktig strategi."),
    ("Verksamhetspersonal, arkitekter, programmerare",
     "Verksamheten, arkitekter, utvecklare och tjänstedesigners behöver träffas och få mandat att påverka besluten."),
    ("identifierade över tusen initiativ",
     "Kartläggningen hösten 2024 hittade mer än tusen AI-initiativ i kommunerna, men mycket potential är fortfarande outnyttjad."),
    ("Fånga upp erfarenheter från projekt och piloter",
     "Kommunen bör samla in erfarenheterna från sina piloter och sprida dem i hela organisationen."),
    ("optimism om att AI kan bidra",
     "Många hoppas att AI kan frigöra tid och resurser och därmed hjälpa kommunerna med välfärdsutmaningarna."),
    ("Centralt är också upphandling och avtal",
     "Upphandlingen och avtalen med systemleverantörerna är också viktiga."),
    ("prioriterar AI-initiativ där data inte är alltför känslig",
     "Vissa kommuner väljer AI-projekt med mindre känsliga data för att slippa utdragna juridiska processer."),
    ("fokusera på bygglovsprocessen",
     "En kommun valde bygglov, där ärendena ofta är standardiserade och återkommande."),
    ("inte vara något som IT-enheten gör isolerat",
     "IT-avdelningen ska inte ta fram AI-strategin på egen hand och sedan presentera den för resten av kommunen."),
    ("Bristande AI-mognad, kompetens, resurser",
     "Vanliga hinder är låg AI-mognad, brist på kompetens och resurser samt en försiktig kultur."),
    ("prioriteringar från ledningen är nödvändiga",
     "Ledningen måste prioritera för att resurser ska kunna frigöras till AI."),
    ("rinner insatsen ut i sanden",
     "Om ingen tar ansvar för förvaltningen efteråt riskerar satsningen att rinna ut i sanden."),
    ("ha modet att sätta agendan",
     "Rådighet innebär också att våga sätta agendan och utforska AI på sina egna villkor."),
    ("Förändringsarbetet måste institutionaliseras",
     "Förändringsarbetet behöver fasta strukturer så att det pågår kontinuerligt och inte bara i projekt."),
    ("En AI-strategi är inte ett dokument",
     "Enligt rapporten är en AI-strategi snarare en process än ett dokument, där chefer och medarbetare tänker tillsammans."),
    ("Strategin blir här ett sätt att försvara innovationstiden",
     "Strategin kan användas för att skydda tiden för innovation mot kraven på produktivitet."),
]


def _chapter(section: str) -> str:
    return section.split(" › ")[0]


class LeaveOneOut(SupportScorer):
    """The scorer with one sentence hidden from its passage (the ``neighbour`` set)."""

    def __init__(self, generation, embedder) -> None:
        super().__init__(generation, embedder)
        self.sentence_texts = [s.text for s in generation.sentences]

    def support_without(self, sentence_index: int, vector: np.ndarray, text: str, passage_id: str) -> float:
        others = [i for i in self._sentences[passage_id] if i != sentence_index]
        rows = [self.sentence_vectors[i] for i in others]
        dense = float(np.max(np.asarray(rows) @ vector)) if rows else 0.0
        own = set(terms(text))
        found = set().union(*(self._sentence_terms(i) for i in others)) if others else set()
        lexical = len(own & found) / len(own) if own else 0.0
        return LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * dense

    def _sentence_terms(self, i: int) -> set[str]:
        return set(terms(self.sentence_texts[i]))


def calibrate(n: int = 300, seed: int = 0) -> dict:
    settings = load_settings()
    generation = IndexDir(settings.index_dir).open_current()
    embedder = make_embedder(settings)
    scorer = LeaveOneOut(generation, embedder)
    passages = generation.passages
    by_id = {p.id: p for p in passages}
    rng = random.Random(seed)
    candidates = [
        i for i, s in enumerate(generation.sentences)
        if len(s.text) >= 40 and len(scorer._sentences[s.passage_id]) > 1 and len(set(terms(s.text))) >= 4
    ]
    sample = rng.sample(candidates, min(n, len(candidates)))
    pv = np.asarray(generation.vectors)  # all rows at once: the generation reads them from disk by row
    index = {p.id: i for i, p in enumerate(passages)}

    def nearest_other(pid: str) -> str:
        sims = pv @ pv[index[pid]]
        sims[index[pid]] = -1.0
        return passages[int(np.argmax(sims))].id

    scores: dict[str, list[float]] = defaultdict(list)
    texts = [generation.sentences[i].text for i in sample]
    own = [generation.sentences[i].passage_id for i in sample]
    for text, pid, value in zip(texts, own, scorer.score(texts, [[p] for p in own])):
        scores["quote"].append(value)
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    for i, text, pid, vec in zip(sample, texts, own, vectors):
        scores["neighbour"].append(scorer.support_without(i, vec, text, pid))
    wrong_random = []
    for pid in own:
        others = [p.id for p in passages if _chapter(p.section) != _chapter(by_id[pid].section)]
        wrong_random.append([rng.choice(others)])
    scores["wrong_random"] = scorer.score(texts, wrong_random)
    scores["wrong_near"] = scorer.score(texts, [[nearest_other(pid)] for pid in own])

    para_texts, para_own = [], []
    for fragment, paraphrase in PARAPHRASES:
        hit = next((s for s in generation.sentences if fragment in s.text), None)
        if hit is None:
            raise ValueError("paraphrase source not in the index: {!r}".format(fragment))
        para_texts.append(paraphrase)
        para_own.append(hit.passage_id)
    if para_texts:
        scores["paraphrase"] = scorer.score(para_texts, [[p] for p in para_own])
        scores["paraphrase_wrong"] = scorer.score(para_texts, [[nearest_other(p)] for p in para_own])

    # Quotes score 1.0 by construction; what the threshold must get right is a restatement in
    # other words (paraphrase) against a plausible but wrong citation (the nearest other passage).
    positives = scores.get("paraphrase") or scores["quote"]
    negatives = scores["wrong_near"] + scores.get("paraphrase_wrong", [])
    grid = [round(float(t), 2) for t in np.arange(0.40, 0.95, 0.01)]
    best = max(grid, key=lambda t: (_rate(positives, t) + 1 - _rate(negatives, t)) / 2)
    return {
        "embedder": embedder.name,
        "n_sentences": len(sample),
        "n_paraphrases": len(para_texts),
        "threshold": best,
        "balanced_accuracy": round((_rate(positives, best) + 1 - _rate(negatives, best)) / 2, 3),
        "sets": {
            name: {
                "n": len(values),
                "p10": round(float(np.percentile(values, 10)), 3),
                "median": round(float(np.median(values)), 3),
                "p90": round(float(np.percentile(values, 90)), 3),
                "pass_rate": round(_rate(values, best), 3),
            }
            for name, values in scores.items()
        },
        "pass_rates": {
            "{:.2f}".format(t): {name: round(_rate(values, t), 3) for name, values in scores.items()}
            for t in grid[20:41:2]
        },
    }


def _rate(values: list[float], threshold: float) -> float:
    return sum(v >= threshold for v in values) / len(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="report sentences to sample")
    args = parser.parse_args()
    print(json.dumps(calibrate(args.n), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
