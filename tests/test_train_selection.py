"""The sentence scorer's trainer (``evals.train_selection``): which questions share a fold, and the
three objectives it fits, on synthetic (deterministic, hand-made) feature vectors."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from evals.train_selection import Example, _folds, fit, groups
from rag.answering.selection import FEATURES


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_groups_join_a_question_its_english_version_and_its_rephrasings(tmp_path):
    _write(tmp_path / "dev.jsonl", [{"id": "dev-001"}, {"id": "dev-002"}])
    _write(tmp_path / "en.jsonl", [{"id": "dev-001-en"}, {"id": "dev-002-en"}])
    _write(tmp_path / "setting.jsonl", [{"id": "setting-001", "source": "dev-002"}, {"id": "setting-002"}])
    assert groups([tmp_path / "dev.jsonl", tmp_path / "en.jsonl", tmp_path / "setting.jsonl"]) == {
        "dev-001": "dev-001",
        "dev-002": "dev-002",
        "dev-001-en": "dev-001",
        "dev-002-en": "dev-002",
        "setting-001": "dev-002",
        "setting-002": "setting-002",
    }


def _example(qid: str, group: str, rows: list[list[float]], labels: list[int]) -> Example:
    width = len(FEATURES)
    candidates = [SimpleNamespace(features=tuple(r + [0.0] * (width - len(r)))) for r in rows]
    return Example(qid, "synthetic.jsonl", "what", False, candidates, np.array(labels), [], group=group)


def test_folds_never_split_a_group():
    examples = [_example("q{}".format(i), "g{}".format(i // 3), [[0.0]], [0]) for i in range(30)]
    seen = 0
    for train, test in _folds(examples, folds=5, shuffles=2):
        tested = {examples[i].group for i in test}
        trained = {ex.group for ex in train}
        assert not tested & trained
        assert len(test) == 6  # two whole groups of three per fold
        seen += len(test)
    assert seen == 2 * 30


@pytest.mark.parametrize("objective", ["pointwise", "per-question", "pairwise"])
def test_every_objective_ranks_the_gold_sentence_first_and_scores_a_probability(objective):
    # The first feature tells the gold sentence (1.0) from the others (0.0..0.3); the second is noise.
    rng = np.random.default_rng(0)
    examples = []
    for q in range(12):
        rows = [[1.0, float(rng.normal())]] + [[0.1 * k, float(rng.normal())] for k in range(4)]
        examples.append(_example("q{}".format(q), "q{}".format(q), rows, [1, 0, 0, 0, 0]))
    weights = fit(examples, 1.0, objective=objective)
    assert weights.coef[0] > 0 and abs(weights.coef[1]) < weights.coef[0]
    assert all(c == 0.0 for c in weights.coef[2:])  # constant features get no weight
    for ex in examples:
        scores = [weights.score(c.features) for c in ex.candidates]
        assert int(np.argmax(scores)) == 0
    gold = 1 / (1 + np.exp(-weights.score(examples[0].candidates[0].features)))
    other = 1 / (1 + np.exp(-weights.score(examples[0].candidates[1].features)))
    assert gold > 0.5 > other


def test_an_unknown_objective_is_refused_by_name():
    example = _example("q1", "q1", [[1.0], [0.0]], [1, 0])
    with pytest.raises(ValueError, match="objective 'listwise'"):
        fit([example], 1.0, objective="listwise")


def test_a_held_out_file_is_never_fitted_on(capsys):
    from evals.gold import HELD_OUT
    from evals.train_decision import SETS
    from evals.train_selection import ALL_GOLD, main

    with pytest.raises(SystemExit) as exit_:
        main(["--gold", "evals/gold_dev.jsonl", "evals/gold_test3.jsonl", "--dry-run"])
    assert exit_.value.code == 2
    assert "gold_test3.jsonl: held out (evals.gold.HELD_OUT), never fitted on" in capsys.readouterr().err
    assert HELD_OUT == {"gold_test3.jsonl", "gold_dev_en2.jsonl", "gold_dev_kw.jsonl"}
    assert not HELD_OUT & {p.name for p in ALL_GOLD} and not HELD_OUT & {p.name for _, p in SETS}
