"""Learned weights of the sentence scorer (``rag.selection``), written by ``python -m evals.train_selection``.

Placeholder until the first training run: the hand weights the answerer used before
(embedding similarity, 0.15 × stemmed overlap, 0.05 × passage rank prior).
"""

from rag.selection import FEATURES, Weights

WEIGHTS = Weights(
    mean=tuple(0.0 for _ in FEATURES),
    scale=tuple(1.0 for _ in FEATURES),
    coef=tuple({"dense": 1.0, "overlap": 0.15, "passage_prior": 0.05}.get(name, 0.0) for name in FEATURES),
    intercept=0.0,
)
