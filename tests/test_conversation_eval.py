"""The conversation eval on a tiny inline corpus with scripted answers, metric values worked out by hand."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from evals.conversations import format_summary, load_conversations, run_conversation_eval

SOURCE = "doc.txt"
TEXT = (
    "Strategin ska vara konkret och kopplad till kommunens mal.\n"
    "Juridiken satter inga definitiva granser for AI.\n"
    "Samverkan mellan kommuner kraver tydliga mal och resurser.\n"
    "Nyttorealisering kraver ett aktivt ansvar hos verksamhetschefen.\n"
)
QUOTE_A = "Strategin ska vara konkret"
QUOTE_B = "Samverkan mellan kommuner kraver tydliga mal"
QUOTE_C = "Juridiken satter inga definitiva granser"
QUOTE_D = "Nyttorealisering kraver ett aktivt ansvar"

CONVERSATIONS = [
    {"id": "c1", "lang": "sv", "kind": "unanswerable", "turns": [
        {"question": "Hur ska strategin se ut?", "answerable": True, "evidence": [QUOTE_A]},
        {"question": "Och juridiken där?", "answerable": True, "evidence": [QUOTE_C], "follow_up": True},
        {"question": "Vilken paragraf gäller då?", "answerable": False, "evidence": [], "follow_up": True},
    ]},
    {"id": "c2", "lang": "sv", "kind": "collaboration", "turns": [
        {"question": "Vem äger nyttorealiseringen?", "answerable": True, "evidence": [QUOTE_D]},
        {"question": "Är det vanligt att kommuner samverkar? <b>", "answerable": True, "evidence": [QUOTE_B],
         "follow_up": False},
    ]},
]


def _span(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def _passage(pid: str, line: str) -> dict:
    start, end = _span(line)
    return {"passage_id": pid, "source": SOURCE, "section": "S", "start": start, "end": end, "text": line}


LINES = TEXT.splitlines()
P_A, P_C, P_X, P_D = (_passage(pid, LINES[i]) for pid, i in (("pA", 0), ("pC", 1), ("pX", 2), ("pD", 3)))


def _response(answer: str, cited: list[dict], abstained: bool = False, rewrite: str | None = None,
              shown: list[str] = ()) -> dict:
    sentences = [{"text": q, "source": SOURCE, "start": _span(q)[0], "end": _span(q)[1]} for q in shown]
    passages = [{"rank": r, "score": 1.0, **p} for r, p in enumerate([*cited, P_X], 1)]
    return {"answer": answer, "abstained": abstained, "standalone_question": rewrite, "sentences": sentences,
            "citations": [{"n": n, **p} for n, p in enumerate(cited, 1)], "passages": passages,
            "timings_ms": {"total": 10.0}}


SCRIPT = {
    # question -> (the history it must be asked with, the response)
    "Hur ska strategin se ut?": ([], _response("Svar A", [P_A], shown=[QUOTE_A])),
    "Och juridiken där?": (
        [["Hur ska strategin se ut?", "Svar A"]],
        _response("Svar C", [P_C], rewrite="Apropå ”Hur ska strategin se ut?”: juridiken där?", shown=[QUOTE_C]),
    ),
    "Vilken paragraf gäller då?": (
        [["Hur ska strategin se ut?", "Svar A"], ["Och juridiken där?", "Svar C"]],
        _response("Rapporten tar inte upp det.", [], abstained=True, rewrite="Apropå …"),
    ),
    "Vem äger nyttorealiseringen?": ([], _response("Svar D", [P_D])),
    # A self-contained question wrongly rewritten, citing a passage that misses its quote.
    "Är det vanligt att kommuner samverkar? <b>": (
        [["Vem äger nyttorealiseringen?", "Svar D"]],
        _response("Svar X", [P_D], rewrite="Apropå …"),
    ),
}


def scripted_ask(question: str, history: list) -> dict:
    expected_history, response = SCRIPT[question]
    assert history == expected_history, question
    return response


@pytest.fixture
def workspace(tmp_path: Path) -> dict:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SOURCE).write_text(TEXT, encoding="utf-8")
    path = tmp_path / "conversations.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CONVERSATIONS), encoding="utf-8")
    return {"corpus": corpus, "conversations": path, "tmp": tmp_path}


def test_turns_are_asked_with_the_raw_earlier_questions_and_scored_by_hand_computed_values(workspace):
    out = workspace["tmp"] / "run"
    result = run_conversation_eval(workspace["conversations"], out, scripted_ask, workspace["corpus"])

    assert result["primary_metric"] == "later_turns_right"
    assert result["n_later_turns"] == 3
    assert result["later_turns_right"] == pytest.approx(2 / 3)
    assert result["detection_accuracy"] == pytest.approx(2 / 3)
    assert result["rewrites_of_self_contained"] == 1
    assert result["missed_follow_ups"] == 0
    assert result["evidence_shown"] == pytest.approx(0.5)  # turn c1#2 shows its quote, c2#2 shows nothing
    assert result["citation_evidence_recall"] == pytest.approx(0.5)
    assert result["answerable_declined"] == 0.0
    assert result["unanswerable_declined"] == 1.0
    assert result["first_turns_right"] == 1.0
    assert result["by_type"] == {
        "follow_up": {"n": 1, "right": 1.0, "detection_accuracy": 1.0},
        "self_contained": {"n": 1, "right": 0.0, "detection_accuracy": 0.0},
        "unanswerable": {"n": 1, "right": 1.0, "detection_accuracy": 1.0},
    }
    rows = {r["id"]: r for r in result["turns"]}
    assert [rows[i]["right"] for i in ("c1#1", "c1#2", "c1#3", "c2#1", "c2#2")] == [True, True, True, True, False]
    assert rows["c1#1"]["detection_right"] is None


def test_the_run_folder_has_summary_turn_rows_responses_and_an_escaped_page(workspace):
    out = workspace["tmp"] / "run"
    run_conversation_eval(workspace["conversations"], out, scripted_ask, workspace["corpus"], extra={"k": 10})

    assert {p.name for p in out.iterdir()} == {"summary.json", "turns.csv", "report.html", "responses.jsonl"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "turns" not in summary and summary["run"]["extra"] == {"k": 10}
    with open(out / "turns.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["type"], r["right"]) for r in rows] == [
        ("c1#1", "first", "True"),
        ("c1#2", "follow_up", "True"),
        ("c1#3", "unanswerable", "True"),
        ("c2#1", "first", "True"),
        ("c2#2", "self_contained", "False"),
    ]
    assert rows[1]["standalone_question"] == "Apropå ”Hur ska strategin se ut?”: juridiken där?"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "samverkar? &lt;b&gt;" in html and "<b>" not in html
    assert len((out / "responses.jsonl").read_text(encoding="utf-8").splitlines()) == 5


def test_a_failing_turn_is_recorded_and_later_turns_still_asked(workspace):
    def flaky(question: str, history: list) -> dict:
        if question == "Och juridiken där?":
            raise RuntimeError("model crashed")
        if question == "Vilken paragraf gäller då?":
            assert history[1] == ["Och juridiken där?", ""]
            return SCRIPT[question][1]
        return scripted_ask(question, history)

    result = run_conversation_eval(workspace["conversations"], workspace["tmp"] / "run", flaky, workspace["corpus"])

    rows = {r["id"]: r for r in result["turns"]}
    assert rows["c1#2"]["error"] == "RuntimeError: model crashed" and rows["c1#2"]["right"] is False
    assert rows["c1#3"]["right"] is True
    assert result["n_errors"] == 1


def test_compare_and_summary_show_the_delta(workspace):
    first = workspace["tmp"] / "base"
    run_conversation_eval(workspace["conversations"], first, scripted_ask, workspace["corpus"])

    def all_right(question: str, history: list) -> dict:
        if question.startswith("Är det vanligt"):
            return _response("Svar B", [P_X])
        return scripted_ask(question, history)

    result = run_conversation_eval(
        workspace["conversations"], workspace["tmp"] / "new", all_right, workspace["corpus"], compare=first
    )
    entry = result["comparison"]["metrics"]["later_turns_right"]
    assert (entry["this"], entry["other"]) == (1.0, pytest.approx(2 / 3))
    assert entry["delta"] == pytest.approx(1 / 3)
    assert result["comparison"]["same_conversations"] is True
    assert "+0.333" in format_summary(result, result["comparison"])


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        ({"question": "Och?", "answerable": True, "evidence": [QUOTE_A]}, "turn 2: 'follow_up' must be true or false"),
        ({"question": "Och?", "answerable": True, "evidence": [], "follow_up": True}, "needs at least one evidence"),
    ],
)
def test_a_malformed_conversation_names_file_line_and_turn(tmp_path, turn, message):
    path = tmp_path / "c.jsonl"
    bad = {**CONVERSATIONS[1], "turns": [CONVERSATIONS[1]["turns"][0], turn]}
    path.write_text(json.dumps(CONVERSATIONS[0]) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")

    with pytest.raises(ValueError, match="c.jsonl:2") as caught:
        load_conversations(path)
    assert message in str(caught.value)


def test_the_shipped_conversation_files_load():
    root = Path(__file__).resolve().parents[1] / "evals"
    dev = load_conversations(root / "conversations_dev.jsonl")
    assert len(dev) == 39 and dev[0].turns[1].id == "conv-dev-001#2" and dev[0].follow_up == (None, True)
