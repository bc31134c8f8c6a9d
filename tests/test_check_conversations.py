"""check_gold on conversation files: every turn linted like a gold question, plus the conversation rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.check_gold import check_disjoint, check_gold, describe

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "Strategin ska vara konkret och kopplad till kommunens mal.\n"
    "Juridiken satter inga definitiva granser for AI i kommunen.\n"
    "Samverkan mellan kommuner kraver tydliga mal och resurser.\n"
)
QUOTE_STRATEGY = "Strategin ska vara konkret och kopplad"
QUOTE_LAW = "Juridiken satter inga definitiva granser"


def _turn(question: str, answerable: bool = True, evidence: list | None = None, **extra) -> dict:
    if evidence is None:
        evidence = [QUOTE_STRATEGY] if answerable else []
    return {"question": question, "answerable": answerable, "evidence": evidence, **extra}


def _conversation(cid: str = "conv-1", kind: str = "law_data", lang: str = "sv", turns: list | None = None) -> dict:
    if turns is None:
        turns = [_turn("Hur ska strategin se ut?"),
                 _turn("Och vad säger juridiken där?", evidence=[QUOTE_LAW], follow_up=True)]
    return {"id": cid, "lang": lang, "kind": kind, "turns": turns}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
    return folder


def _lint(tmp_path: Path, corpus: Path, *rows: dict) -> tuple[Path, list[str]]:
    path = tmp_path / "conversations.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path, check_gold(path, corpus)


def test_a_clean_conversation_file_has_no_problems(tmp_path, corpus):
    standalone = _turn("Är det vanligt att kommuner samverkar?", evidence=["Samverkan mellan kommuner kraver tydliga"],
                       follow_up=False)
    mixed = _conversation("conv-2", kind="unanswerable", lang="en", turns=[
        _turn("Hur ska strategin se ut?", lang="sv"),
        _turn("How much does a licence cost?", answerable=False, follow_up=False, lang="en"),
    ])

    path, problems = _lint(tmp_path, corpus, _conversation(),
                           _conversation("conv-3", kind="collaboration", turns=[_turn("Strategi?"), standalone]), mixed)

    assert problems == []
    assert describe(path) == (f"{path}: 3 conversations, 6 turns (1 follow-ups, 1 unanswerable); "
                              "collaboration 1, law_data 1, unanswerable 1")


def test_first_turn_must_be_answerable_and_not_a_follow_up(tmp_path, corpus):
    turns = [_turn("Hur mycket kostar det?", answerable=False, follow_up=True), _turn("Och strategin?", follow_up=True)]

    path, problems = _lint(tmp_path, corpus, _conversation(kind="strategy", turns=turns))

    assert problems == [
        f"{path}:1: turn 1: the first turn cannot be a follow-up",
        f"{path}:1: turn 1: the first turn must be answerable",
    ]


def test_later_turns_must_say_whether_they_follow_up(tmp_path, corpus):
    turns = [_turn("Hur ska strategin se ut?"), _turn("Och juridiken?", evidence=[QUOTE_LAW]),
             _turn("Och sedan?", evidence=[QUOTE_LAW], follow_up="yes")]

    path, problems = _lint(tmp_path, corpus, _conversation(turns=turns))

    assert problems == [
        f"{path}:1: turn 2: missing field follow_up (true when the turn needs the earlier turns to be understood)",
        f"{path}:1: turn 3: 'follow_up' must be true or false",
    ]


def test_kind_and_lang_describe_the_last_turn(tmp_path, corpus):
    declined_last = _conversation("conv-1", kind="strategy", turns=[
        _turn("Hur ska strategin se ut?"), _turn("Vad kostar det?", answerable=False, follow_up=False)])
    answered_last = _conversation("conv-2", kind="unanswerable", lang="sv", turns=[
        _turn("Hur ska strategin se ut?"),
        _turn("What about the law?", evidence=[QUOTE_LAW], follow_up=True, lang="en")])

    path, problems = _lint(tmp_path, corpus, declined_last, answered_last)

    assert problems == [
        f"{path}:1: turn 2: the last turn is unanswerable, so kind must be 'unanswerable'",
        f"{path}:2: turn 2: kind 'unanswerable' but the last turn is answerable",
        f"{path}:2: turn 2: lang 'en' differs from the conversation's lang 'sv'",
    ]


def test_every_turn_gets_the_gold_question_rules(tmp_path, corpus):
    turns = [_turn("Hur ska strategin se ut?"),
             _turn("Strategin ska vara konkret och kopplad till kommunens mal?", evidence=["Detta star inte i texten"],
                   follow_up=False, lang="de"),
             _turn("Och sedan?", answerable=False, evidence=[QUOTE_LAW], follow_up=True)]

    path, problems = _lint(tmp_path, corpus, _conversation(kind="unanswerable", turns=turns))

    assert problems == [
        f"{path}:1: turn 2: lang 'de' not one of ['en', 'sv']",
        f"{path}:1: turn 2: quote found 0 times in the corpus (want exactly 1): 'Detta star inte i texten'",
        f"{path}:1: turn 2: question shares 7+ consecutive words with the report; paraphrase it",
        f"{path}:1: turn 3: unanswerable questions must have no evidence",
    ]


def test_shape_of_conversation_lines(tmp_path, corpus):
    one_turn = _conversation("conv-2", turns=[_turn("Hur ska strategin se ut?")])
    no_kind = {k: v for k, v in _conversation("conv-3").items() if k != "kind"}
    bare_turn = _conversation("conv-4", turns=[_turn("Hur ska strategin se ut?"), {"question": "Och?"}])
    question_row = {"id": "q1", "question": "Hur ska strategin se ut?", "answerable": True,
                    "evidence": [QUOTE_STRATEGY], "lang": "sv", "kind": "strategy"}

    path, problems = _lint(tmp_path, corpus, _conversation(), one_turn, no_kind, bare_turn, question_row,
                           _conversation())

    assert problems == [
        f"{path}:2: 'turns' must be a list of at least 2 objects",
        f"{path}:3: missing field(s) kind",
        f"{path}:4: turn 2: missing field(s) answerable, evidence",
        f"{path}:5: conversations and single questions mixed (line 1 is a conversation)",
        f"{path}:6: duplicate id 'conv-1' (first on line 1)",
    ]


def test_disjoint_covers_every_turn_of_a_conversation(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "q1", "question": "Och vad säger juridiken där?"}) + "\n", encoding="utf-8")
    conversations = tmp_path / "conversations.jsonl"
    conversations.write_text(json.dumps(_conversation()) + "\n", encoding="utf-8")

    assert check_disjoint([gold, conversations]) == [
        f"question 'och vad sager juridiken dar' appears in {gold}, {conversations}"
    ]


def test_shipped_second_held_out_set_and_conversations_are_clean_and_disjoint():
    evals, corpus = ROOT / "evals", ROOT / "corpus"
    new_files = [evals / name for name in ("gold_test2.jsonl", "conversations_dev.jsonl", "conversations_test.jsonl")]
    for path in new_files:
        assert check_gold(path, corpus) == [], path
    assert check_disjoint([evals / "gold_dev.jsonl", evals / "gold_test.jsonl", *new_files]) == []
