"""The labelled answer parts and their eval: exact figures on inline rows, the shipped file's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.part_accuracy import LABELS, PARTS, evaluate, evaluate_halves, half, load_labels

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _row(text: str, section: str, part: str, start: int) -> dict:
    return {"text": text, "source": "report.txt", "start": start, "end": start + len(text), "section": section, "part": part}


def test_accuracy_and_confusion_count_each_item_under_its_gold_and_predicted_part():
    rows = [
        _row("Kommunchefen bör leda arbetet.", "5. Rekommendationer riktade till kommunchefer", "recommendations", 0),
        _row("Flera kommuner beskriver att arbetet tog tid.", "4. AI-strategin som grund", "experiences", 10),
        _row("Vi vet att god data är avgörande.", "3. Insikter från kommunernas AI-initiativ", "experiences", 20),
    ]
    metrics = evaluate(rows)
    assert metrics["accuracy"] == pytest.approx(2 / 3)
    assert metrics["confusion"] == {
        "recommendations": {"recommendations": 1},
        "experiences": {"experiences": 1, "analysis": 1},
        "analysis": {},
        "guide": {},
    }
    assert [(e["start"], e["predicted"]) for e in metrics["errors"]] == [(20, "analysis")]


def test_the_half_depends_on_source_and_offset_only():
    a = _row("En mening.", "2. Inledning", "analysis", 0)
    b = _row("En helt annan mening.", "5. Samverkan", "experiences", 0)
    assert half(a) == half(b) == "test"
    assert half(_row("En mening.", "2. Inledning", "analysis", 2)) == "dev"


def test_the_shipped_labels_cover_every_part_and_point_into_the_corpus():
    rows = load_labels(LABELS)
    assert len(rows) == 232
    assert {r["part"] for r in rows} == set(PARTS)
    halves = evaluate_halves(rows)
    assert (halves["dev"]["n"], halves["test"]["n"]) == (110, 122)
    for row in rows:
        source = (CORPUS / row["source"]).read_text(encoding="utf-8")
        assert 0 <= row["start"] < row["end"] <= len(source), row
        assert row["reason"]


def test_a_label_outside_the_parts_is_refused_with_its_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"text": "x", "source": "s", "start": 0, "end": 1, "section": "s", "part": "advice"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels.jsonl:1: part must be one of"):
        load_labels(path)
