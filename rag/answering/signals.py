"""Measured signals of whether the report answers a question, computed once per question.

The decision (``rag.answering.decision``) is a small fitted model over these numbers; nothing here
decides anything. Each signal is a number a reader can check by hand:

* how good the evidence is: the best sentence's evidence score and learned selection score, how
  far the best stands above the next ones, and whether dense and BM25 retrieval agree on the best
  passage;
* whether the question holds words the report never uses, even after inflections, compounds,
  lemmas, typos and OCR spellings are allowed for (``Vocabulary.knows``): how rare in general
  language the rarest such word is, that of the rarest that is no verb, and whether such a word is a
  name (a capitalised word, an acronym, a law). Not the share of the question such words make up:
  fitted, its weight came out positive (more of the question unknown, more likely answered) beside
  the rarest word's negative one, and a new author's topic the report lacks ("Kan AI hjälpa oss med
  vatten och avlopp?", half its content unknown) gained from it. Leaving one whole set out at a time
  (python -m evals.train_decision's signals; gold_dev_en2 and gold_dev_kw never trained on), without
  it: the two fresh sets' unanswerable answered 0.094 -> 0.062 and answerable partial 0.244 -> 0.231,
  the other sets' pooled 0.147 -> 0.147 and 0.107 -> 0.103;
* whether the question is about a particular part of the report: how far the passage nearest its
  vector stands above the report as a whole (in standard deviations of all passages' similarity,
  from the mean and covariance of the passage vectors, ``Spread``) and above the sixth nearest; a
  question on a topic the report lacks is about equally near to much of it;
* how much of the question the best sentences cover: the idf-weighted share of its known content
  terms that occur in the best few candidate sentences, and whether its rarest known word does;
* where the question lies among questions already labelled (``QuestionPrior``): a linear model of
  the question's vector, fitted on every labelled question set, that has learnt which parts of the
  question space the report answers ("Kan AI hjälpa oss med vatten och avlopp?" lies among the
  services the report never covers, although "AI" and "hjälpa" are everywhere in it).

Words that only describe the asker's setting (``Query.setting``) are not the question's content.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.answering.query import Query
from rag.answering.selection import Candidate, probability
from rag.types import Retrieved

# How many of the best candidate sentences count as "what the answer would show" for coverage.
# The composer shows up to six sentences; the lead and its continuation are the first two or three.
COVERAGE_SENTENCES = 3
# How many of the best candidates' selection probabilities are averaged (``top_selection``): the
# lead and the two sentences after it, what a reader sees first. Measured with the decision
# (python -m evals.train_decision, held out, pooled): the best one alone leaves the signal to
# ``selection``; adding the mean of three raised the held-out AUC 0.840 -> 0.853.
TOP_SELECTION = 3
# Rank of the best fused passage in each retriever's own list above which the two are said to
# agree (ranks 1-3 of 10 candidates).
AGREE_RANK = 3

SIGNALS = (
    "evidence",
    "evidence_gap",
    "selection",
    "agree",
    "unknown_rare",
    "unknown_named",
    "unknown_topic",
    "coverage",
    "rarest_covered",
    "english",
    "nearest_z",
    "nearest_gap",
    "top_selection",
    "nearest",
    "number_stated",
    "prior",
)


@dataclass(frozen=True)
class Signals:
    evidence: float  # the best candidate's evidence score (cosine + stemmed overlap)
    evidence_gap: float  # best evidence minus the mean of the next four
    selection: float  # the best candidate's learned selection probability
    agree: float  # 1.0 when dense and BM25 both rank the best passage in their top AGREE_RANK
    unknown_rare: float  # rarity weight of the rarest such word (0 when none)
    unknown_named: float  # 1.0 when such a word is a name: capitalised, an acronym, a law
    unknown_topic: float  # rarity of the rarest unknown word that is not a verb form (0 when none)
    coverage: float  # idf-weighted share of known content terms in the best sentences
    rarest_covered: float  # 1.0 when the question's rarest known word is in the best sentences
    english: float
    nearest_z: float  # how many standard deviations the nearest passage stands above the report's mean
    nearest_gap: float  # the nearest passage's cosine minus that of the sixth nearest
    top_selection: float = 0.0  # mean selection probability of the best TOP_SELECTION candidates
    nearest: float = 0.0  # the nearest passage's cosine with the question
    number_stated: float = 0.0  # 1.0 when the question asks for a number and a best sentence states it
    prior: float = 0.0  # ``QuestionPrior.score`` of the question's vector (neutral for a follow-up)
    unknown: tuple[str, ...] = ()  # the content words the report never uses, as typed

    def vector(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in SIGNALS)


@dataclass(frozen=True)
class QuestionPrior:
    """A linear score of a question's vector: how much it looks like the labelled questions the
    report answers rather than those it does not (``evals.train_decision`` fits it, out of fold, and
    the decision weighs it beside the other signals). A vector of another length (an index built
    with another embedding model) scores ``neutral``, the training questions' mean, which the decision
    weighs as nothing."""

    coef: tuple[float, ...]
    intercept: float
    neutral: float

    def score(self, vector) -> float:
        v = np.asarray(vector, dtype=np.float64).ravel()
        if len(v) != len(self.coef):
            return self.neutral
        return float(v @ np.asarray(self.coef, dtype=np.float64) + self.intercept)


# The spread of the passages' similarity to a question is estimated from at most this many passage
# vectors (all of them in the report; a fixed sample of a large index, where it is a few seconds' work).
SPREAD_SAMPLE = 5000


@dataclass(frozen=True)
class Spread:
    """Mean and covariance of the passage vectors: the mean and variance of every passage's cosine
    with a question vector q are q·mean and qᵀ·covariance·q, without touching the passages."""

    mean: np.ndarray
    covariance: np.ndarray

    @classmethod
    def of(cls, vectors: np.ndarray, sample: int = SPREAD_SAMPLE) -> "Spread":
        n = len(vectors)
        if n > sample:  # read only the sampled rows of a stored index
            rows = vectors[np.sort(np.random.default_rng(0).choice(n, sample, replace=False))]
        else:
            rows = vectors[np.arange(n)] if n else np.zeros((0, 0))
        rows = np.asarray(rows, dtype=np.float64)
        if len(rows) == 0:
            return cls(np.zeros(0), np.zeros((0, 0)))
        return cls(rows.mean(axis=0), np.cov(rows.T, bias=True).reshape(rows.shape[1], rows.shape[1]))

    def standing(self, vector: np.ndarray, nearest: float) -> float:
        """How many standard deviations ``nearest`` lies above the passages' mean cosine with ``vector``."""
        if not len(self.mean):
            return 0.0
        q = np.asarray(vector, dtype=np.float64)
        spread = float(np.sqrt(max(q @ self.covariance @ q, 1e-12)))
        return (nearest - float(q @ self.mean)) / spread


def measure(
    query: Query, retrieved: Retrieved, candidates: list[Candidate], term_sets, idf, default_idf: float,
    spread: Spread | None = None, prior: QuestionPrior | None = None, number_stated: bool = False,
) -> Signals:
    """The signals of ``query`` with its retrieved passages and scored ``candidates`` (best first);
    ``term_sets[i]`` is sentence i's set of index terms, ``idf`` the index's term weights.
    ``number_stated``: the question asks for a number and one of the best sentences states it
    (``rag.answering.decision.number_stated``). A follow-up's rewritten question is unlike the
    questions the prior was fitted on, so it scores the prior's neutral value."""
    content = [w for w in query.content if not w.setting]
    unknown = [w for w in content if not w.known]
    evidences = sorted((c.evidence for c in candidates), reverse=True)
    best = evidences[0] if evidences else 0.0
    rest = evidences[1:5]
    top_terms: set[str] = set()
    for c in candidates[:COVERAGE_SENTENCES]:
        top_terms |= term_sets[c.index]
    known = [w for w in content if w.known and w.stems]
    weights = [max(idf.get(s, default_idf) for s in w.stems) for w in known]
    covered = [bool(set(w.stems) & top_terms) for w in known]
    coverage = sum(wt for wt, c in zip(weights, covered) if c) / (sum(weights) or 1.0) if known else 0.0
    rarest = max(range(len(known)), key=lambda i: weights[i], default=None)
    nearest = retrieved.dense_top
    hits = retrieved.hits
    agree = 0.0
    if hits:
        top = hits[0]
        agree = float((top.dense_rank or 99) <= AGREE_RANK and (top.bm25_rank or 99) <= AGREE_RANK)
    return Signals(
        evidence=best,
        evidence_gap=best - (sum(rest) / len(rest) if rest else 0.0),
        selection=probability(candidates[0].score) if candidates else 0.0,
        agree=agree,
        unknown_rare=max((w.rarity for w in unknown), default=0.0),
        unknown_named=float(any(w.named for w in unknown)),
        unknown_topic=max((w.rarity for w in unknown if not w.verb), default=0.0),
        coverage=coverage,
        rarest_covered=float(covered[rarest]) if rarest is not None else 0.0,
        english=float(query.lang == "en"),
        nearest_z=spread.standing(query.search_vector, nearest[0]) if spread is not None and nearest else 0.0,
        nearest_gap=nearest[0] - nearest[-1] if len(nearest) > 1 else 0.0,
        top_selection=(sum(probability(c.score) for c in candidates[:TOP_SELECTION])
                       / len(candidates[:TOP_SELECTION])) if candidates else 0.0,
        nearest=nearest[0] if nearest else 0.0,
        number_stated=float(number_stated),
        prior=(prior.score(query.vector) if query.topic is None else prior.neutral) if prior is not None else 0.0,
        unknown=tuple(w.text for w in unknown),
    )
