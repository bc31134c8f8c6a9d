"""The independent conversation format (../shared/gold/) under ``rag eval --conversations``: scripted
responses, every verdict worked out by hand."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from evals.conversations import format_summary, run_conversation_eval
from evals.independent_conversations import is_independent_format, load_independent, outcome_of

ROWS = [
    # a follow-up, resolved and answered with a stem in a cited passage: right
    {"id": "f-ok", "turns": ["Vad säger rapporten om etik?", "Och vem ska ansvara för det?"], "follow_up": True,
     "expect_any": ["personerna involverade", "kommitt"], "answerable": True},
    # a follow-up the system did not resolve: wrong although answered with the stem
    {"id": "f-missed", "turns": ["Vad är pratsamverkan?", "Vilka risker finns med den formen då?"],
     "follow_up": True, "expect_any": ["inertia"], "answerable": True},
    # self-contained and rewritten: wrong
    {"id": "s-rewritten", "turns": ["Hur många intervjuer?", "Vilka kriterier föreslås för AI-projekt?"],
     "follow_up": False, "expect_any": ["medborgarnytta"], "answerable": True},
    # self-contained, not rewritten, but only a partial; the stem is retrieved (top 5) though not shown
    {"id": "s-partial", "turns": ["Hur många intervjuer?", "Vilken kommun har modigt ledarskap?"],
     "follow_up": False, "expect_any": ["strangn"], "answerable": True},
    # unanswerable answered as a partial: right
    {"id": "u-partial", "turns": ["Vad rekommenderas kommunchefer?", "Hur många årsarbetskrafter behövs?"],
     "follow_up": False, "expect_any": [], "answerable": False},
    # unanswerable answered as if answerable (an older response with no outcome): wrong
    {"id": "u-answered", "turns": ["Vad rekommenderas kommunchefer?", "Vad kostar en språkmodell?"],
     "follow_up": False, "expect_any": [], "answerable": False},
]


def _response(answer: str, outcome: str | None, rewrite: str | None = None, cited: str = "",
              retrieved: str = "") -> dict:
    response = {"answer": answer, "abstained": outcome not in (None, "answer"), "standalone_question": rewrite,
                "sentences": [{"text": cited}] if cited else [],
                "citations": [{"n": 1, "text": cited}] if cited else [],
                "passages": [{"rank": 1, "text": retrieved or cited}], "timings_ms": {"total": 5.0}}
    if outcome is not None:
        response["outcome"] = outcome
    return response


FIRST = _response("Första svaret", "answer", cited="Något om strategin.")
SECOND = {
    "Och vem ska ansvara för det?": _response(
        "Svar", "answer", rewrite="Apropå etik: vem ska ansvara?",
        cited="Etiken måste hanteras av personerna\ninvolverade i projekten."),
    "Vilka risker finns med den formen då?": _response("Svar", "answer", cited="collaborative inertia"),
    "Vilka kriterier föreslås för AI-projekt?": _response("Svar", "answer", rewrite="Apropå …",
                                                         cited="till exempel medborgarnytta"),
    "Vilken kommun har modigt ledarskap?": _response(
        "Rapporten anger inte det.", "partial", cited="Ledarskap är viktigt.",
        retrieved="I Strängnäs kommun har man betonat modigt ledarskap"),
    "Hur många årsarbetskrafter behövs?": _response("Rapporten anger inte det.", "partial", cited="Något nära."),
    "Vad kostar en språkmodell?": _response("Ett svar", None, cited="Något."),
}
asked: list[tuple[str, list]] = []


def scripted_ask(question: str, history: list) -> dict:
    asked.append((question, history))
    return SECOND.get(question, FIRST)


@pytest.fixture
def conversations(tmp_path: Path) -> Path:
    path = tmp_path / "independent.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return path


def test_three_expectations_scored_by_hand(tmp_path, conversations):
    asked.clear()
    out = tmp_path / "run"
    result = run_conversation_eval(conversations, out, scripted_ask, tmp_path / "no-corpus-needed")

    assert asked[1] == ("Och vem ska ansvara för det?", [["Vad säger rapporten om etik?", "Första svaret"]])
    verdicts = {r["id"]: r["right"] for r in result["turns"]}
    assert verdicts == {"f-ok": True, "f-missed": False, "s-rewritten": False, "s-partial": False,
                        "u-partial": True, "u-answered": False}
    rows = {r["id"]: r for r in result["turns"]}
    assert (rows["s-partial"]["stem_shown"], rows["s-partial"]["stem_in_top5"]) == (False, True)
    assert rows["u-answered"]["outcome"] == "answer"
    assert result["later_turns_right"] == pytest.approx(2 / 6)
    # f-missed and s-rewritten show the stem in an answer: right once detection is left out
    assert result["answer_right_ignoring_detection"] == pytest.approx(4 / 6)
    assert result["detection_accuracy"] == pytest.approx(4 / 6)  # f-missed and s-rewritten wrong
    assert (result["rewrites_of_self_contained"], result["missed_follow_ups"]) == (1, 1)
    assert result["outcomes"] == {"answerable": {"answer": 3, "partial": 1, "decline": 0},
                                  "unanswerable": {"answer": 1, "partial": 1, "decline": 0}}
    assert result["answerable_declined"] == 0.0
    assert result["unanswerable_answered"] == pytest.approx(0.5)
    assert result["stem_shown"] == pytest.approx(3 / 4)
    assert result["by_type"]["follow_up"] == {"n": 2, "right": 0.5, "detection_accuracy": 0.5}
    assert result["by_type"]["self_contained"]["right"] == 0.0
    assert result["by_type"]["unanswerable"]["right"] == 0.5

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["format"] == "independent" and summary["n_right"] == 2
    with open(out / "turns.csv", encoding="utf-8") as handle:
        assert [r["id"] for r in csv.DictReader(handle)] == [r["id"] for r in ROWS]
    assert len((out / "responses.jsonl").read_text(encoding="utf-8").splitlines()) == 12
    text = format_summary(result)
    assert "second turns right: 2" in text and "outcomes unanswerable" in text


def test_format_is_recognised_by_its_first_line(tmp_path, conversations):
    ours = tmp_path / "ours.jsonl"
    ours.write_text(json.dumps({"id": "c", "lang": "sv", "kind": "strategy",
                                "turns": [{"question": "a"}, {"question": "b"}]}) + "\n", encoding="utf-8")
    assert is_independent_format(conversations) is True
    assert is_independent_format(ours) is False


@pytest.mark.parametrize("change, message", [
    ({"turns": ["only one"]}, "field 'turns' must be two non-empty questions"),
    ({"follow_up": "yes"}, "field 'follow_up' must be true or false"),
    ({"expect_any": []}, "an answerable conversation needs at least one stem"),
    ({"answerable": False, "follow_up": True}, "an unanswerable second turn must stand alone"),
])
def test_malformed_lines_name_file_line_and_field(tmp_path, change, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + json.dumps({**ROWS[1], **change}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:2: " + message):
        load_independent(path)


def test_outcome_falls_back_to_abstained():
    assert outcome_of({"abstained": True}) == "decline"
    assert outcome_of({"abstained": False}) == "answer"
    assert outcome_of({"outcome": "partial", "abstained": True}) == "partial"


def test_shared_independent_file_loads():
    shared = Path(__file__).resolve().parents[2] / "shared" / "gold" / "independent_conversations.jsonl"
    if not shared.exists():
        pytest.skip("../shared/gold is not next to this checkout")
    loaded = load_independent(shared)
    assert len(loaded) == 18 and {c.type for c in loaded} == {"follow_up", "self_contained", "unanswerable"}
