"""The issue-21 gold sets: labelled unanswerable kinds, phrasing styles, clean quotes, held out from each other."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from evals.check_gold import check_disjoint, check_gold
from evals.gold import load_gold

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Strategin ska vara konkret och kopplad till kommunens mal.\n"
QUOTE = "Strategin ska vara konkret och kopplad"


def _lint(tmp_path: Path, *rows: dict) -> list[str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "doc.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return [p.split(": ", 1)[1] for p in check_gold(path, corpus)]


def _row(qid: str, answerable: bool, **extra) -> dict:
    return {"id": qid, "lang": "sv", "kind": "strategy" if answerable else "unanswerable",
            "question": "Hur ska den se ut?", "evidence": [QUOTE] if answerable else [],
            "answerable": answerable, **extra}


def test_unanswerable_kind_is_checked(tmp_path):
    assert _lint(tmp_path, _row("u1", False, unanswerable_kind="near_miss")) == []
    assert _lint(tmp_path, _row("u2", False, unanswerable_kind="unknown")) == [
        "unanswerable_kind 'unknown' not one of ['fact_missing', 'near_miss', 'topic_absent']"
    ]
    assert _lint(tmp_path, _row("a1", True, unanswerable_kind="fact_missing")) == [
        "'unanswerable_kind' is only for unanswerable questions"
    ]


def test_style_is_checked(tmp_path):
    assert _lint(tmp_path, _row("a1", True, style=["typo", "setting"])) == []
    problems = _lint(tmp_path, _row("a2", True, style=["shouting"]))
    assert len(problems) == 1 and problems[0].startswith("'style' must be a non-empty list of")


def test_unanswerable_set_has_three_kinds_of_about_twenty():
    items = [json.loads(line) for line in (ROOT / "evals" / "gold_dev_unanswerable.jsonl").open(encoding="utf-8")]
    kinds = Counter(row["unanswerable_kind"] for row in items)
    assert len(items) >= 60 and not any(row["answerable"] for row in items)
    assert set(kinds) == {"fact_missing", "topic_absent", "near_miss"} and min(kinds.values()) >= 18


def test_shipped_new_sets_are_clean_and_disjoint():
    evals, corpus = ROOT / "evals", ROOT / "corpus"
    new = sorted(p for p in evals.glob("*.jsonl") if p.name in NEW_FILES)
    assert [p.name for p in new] == sorted(NEW_FILES)
    for path in new:
        assert check_gold(path, corpus) == [], path
    old = [evals / n for n in ("gold_dev.jsonl", "gold_dev_setting.jsonl", "gold_test.jsonl", "gold_test2.jsonl",
                                "conversations_dev.jsonl", "conversations_test.jsonl")]
    assert check_disjoint([*old, *new]) == []


NEW_FILES = {
    "gold_dev_unanswerable.jsonl", "gold_dev_hard.jsonl", "gold_dev_en.jsonl", "conversations_dev2.jsonl",
    "conversations_dev3.jsonl", "conversations_dev4.jsonl", "gold_dev_topic.jsonl", "gold_test3.jsonl",
    "gold_dev_en2.jsonl", "gold_dev_kw.jsonl",
}


def test_english_set_mirrors_every_dev_question():
    dev = {item.id: item for item in load_gold(ROOT / "evals" / "gold_dev.jsonl")}
    english = load_gold(ROOT / "evals" / "gold_dev_en.jsonl")
    assert sorted(item.id for item in english) == sorted(f"{key}-en" for key in dev)
    for item in english:
        original = dev[item.id.removesuffix("-en")]
        assert item.lang == "en"
        assert (item.evidence, item.alternatives, item.answerable, item.kind) == (
            original.evidence, original.alternatives, original.answerable, original.kind)
        assert item.question.casefold() != original.question.casefold()
