"""evals.train_followup: examples grouped by conversation, so cross-validation never splits one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from evals.train_followup import cross_validate, load_examples, load_grouped


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _turn(question: str, follow_up: bool) -> dict:
    return {"question": question, "answerable": True, "evidence": [], "follow_up": follow_up}


def test_later_turns_of_one_conversation_share_a_group(tmp_path):
    ours = _write(tmp_path / "ours.jsonl", [
        {"id": "c1", "lang": "sv", "kind": "strategy", "turns": [
            _turn("Hur ska strategin se ut?", False), _turn("Och vem skriver den?", True),
            _turn("Hur lång ska den vara?", True)]},
        {"id": "c2", "lang": "sv", "kind": "strategy", "turns": [
            _turn("Vad är pratsamverkan?", False), _turn("Och vem skriver den?", True)]},  # a duplicate: kept once
    ])
    shared = _write(tmp_path / "shared.jsonl", [
        {"id": "w1", "turns": ["Vad är AI-huset?", "Vilka av de områdena gäller kultur?"], "follow_up": True,
         "expect_any": ["kultur"], "answerable": True},
    ])
    single = _write(tmp_path / "single.jsonl", [{"id": "f1", "question": "Why is that?", "follow_up": True}])

    grouped = load_grouped((ours, tmp_path / "missing.jsonl", shared), (single,))

    assert grouped == [
        ("ours.jsonl", "ours.jsonl:c1", "Och vem skriver den?", True),
        ("ours.jsonl", "ours.jsonl:c1", "Hur lång ska den vara?", True),
        ("shared.jsonl", "shared.jsonl:w1", "Vilka av de områdena gäller kultur?", True),
        ("single.jsonl", "single.jsonl:f1", "Why is that?", True),
    ]
    assert load_examples((ours, shared), (single,)) == [(f, q, y) for f, _, q, y in grouped]


def test_cross_validation_by_conversation_reports_each_file_and_all():
    # one signal separates the classes; two turns per conversation
    x = np.array([[1.0], [1.0], [0.0], [0.0]] * 5)
    y = np.array([1, 1, 0, 0] * 5)
    names = ["a.jsonl", "a.jsonl", "b.jsonl", "b.jsonl"] * 5
    groups = [g for k in range(10) for g in (k, k)]

    scores = cross_validate(x, y, names, 10.0, groups, folds=5, shuffles=2)

    assert scores == {"a.jsonl": 1.0, "b.jsonl": 1.0, "all": 1.0}
