"""The eval harness on a tiny inline corpus, with metric values worked out by hand."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from evals.check_gold import check_disjoint, check_gold
from evals.gold import GoldItem, load_gold, locate_evidence
from evals.harness import format_summary, run_eval
from evals.metrics import evaluate, threshold_failed

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "doc.txt"
TEXT = (
    "Strategin ska vara konkret och kopplad till kommunens mal.\n"
    "Juridiken satter inga definitiva granser for AI.\n"
    "Samverkan mellan kommuner kraver tydliga mal och resurser.\n"
    "Nyttorealisering kraver ett aktivt ansvar hos verksamhetschefen.\n"
)
QUOTE_A = "Strategin ska vara konkret"
QUOTE_B = "kopplad till kommunens mal"
QUOTE_C = "Juridiken satter inga definitiva granser"
QUOTE_D = "Nyttorealisering kraver ett aktivt ansvar"

GOLD = [
    GoldItem("q1", "Hur ska strategin se ut?", True, (QUOTE_A, QUOTE_B), "sv", "strategy"),
    GoldItem("q2", "Vad säger juridiken?", True, (QUOTE_C,), "sv", "strategy"),
    GoldItem("q3", "What does a licence cost? <script>alert(1)</script>", False, (), "en", "unanswerable"),
    GoldItem("q4", "Who owns benefits realisation?", True, (QUOTE_D,), "en", "law_data"),
]


def _span(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def _passage(pid: str, fragment: str, rank: int, source: str = SOURCE) -> dict:
    start, end = _span(fragment)
    return {"rank": rank, "score": 1.0 / rank, "passage_id": pid, "source": source,
            "section": "S", "start": start, "end": end, "page": None, "text": TEXT[start:end]}


def _cite(n: int, passage: dict) -> dict:
    return {"n": n, **{k: v for k, v in passage.items() if k not in ("rank", "score")}}


def _response(question: str, passages: list, citations: list, abstained: bool, total: float) -> dict:
    return {"question": question, "answer": "Svar.", "abstained": abstained, "citations": citations,
            "passages": passages, "timings_ms": {"retrieve": 1.0, "answer": 1.0, "total": total}}


P_A = _passage("pA", QUOTE_A, 1)
P_X1 = _passage("pX", "Samverkan mellan kommuner kraver tydliga mal och resurser.", 2)
P_B = _passage("pB", QUOTE_B, 3)
P_X2 = _passage("pX", "Samverkan mellan kommuner kraver tydliga mal och resurser.", 1)
P_C = _passage("pC", "Juridiken satter inga definitiva granser for AI.", 2)
P_D = _passage("pD", "Nyttorealisering kraver ett aktivt ansvar hos verksamhetschefen.", 1)

RESPONSES = {
    # Quote A at rank 1, quote B at rank 3; cites one relevant and one irrelevant passage.
    "q1": _response(GOLD[0].question, [P_A, P_X1, P_B], [_cite(1, P_A), _cite(2, P_X1)], False, 100),
    # The only quote at rank 2, cited.
    "q2": _response(GOLD[1].question, [P_X2, P_C], [_cite(1, P_C)], False, 200),
    # Unanswerable and correctly abstained.
    "q3": _response(GOLD[2].question, [P_X2], [], True, 300),
    # Evidence retrieved at rank 1, but the system abstained anyway.
    "q4": _response(GOLD[3].question, [P_D], [], True, 400),
}


def test_locate_evidence_across_line_breaks_and_extra_spaces():
    text = "Respondenterna upplever att\ndet  idag saknas\n\n   en vision eller mal."
    start = text.index("upplever")
    end = text.index(" eller")
    assert locate_evidence("upplever att det idag saknas en vision", text) == (start, end)
    assert locate_evidence("  upplever   att det\tidag saknas en\nvision ", text) == (start, end)
    assert locate_evidence("upplever att det idag saknas en mission", text) is None
    # Whitespace may stretch but never appear where the quote has none.
    assert locate_evidence("uppleveratt", text) is None


def test_metrics_match_hand_computed_values():
    m = evaluate(GOLD, RESPONSES, {SOURCE: TEXT})
    assert m["primary_metric"] == "recall@5"
    assert m["recall@1"] == pytest.approx(0.5)  # (1/2 + 0 + 1) / 3
    assert m["recall@3"] == pytest.approx(1.0)
    assert m["recall@5"] == pytest.approx(1.0)
    assert m["mrr"] == pytest.approx(5 / 6)  # (1 + 1/2 + 1) / 3
    assert m["citation_evidence_recall"] == pytest.approx(0.5)  # (1/2 + 1 + 0 for abstaining) / 3
    assert m["citation_precision"] == pytest.approx(2 / 3)
    assert m["citations_retrieved_rate"] == 1.0
    assert m["abstention_accuracy"] == 1.0
    assert m["false_abstention_rate"] == pytest.approx(1 / 3)
    assert m["latency_ms_p50"] == pytest.approx(250.0)
    assert m["latency_ms_p95"] == pytest.approx(385.0)
    counts = (m["n"], m["n_answerable"], m["n_unanswerable"], m["n_quotes"], m["n_citations"])
    assert counts == (4, 3, 1, 4, 3)

    assert m["by_kind"]["strategy"]["recall@1"] == pytest.approx(0.25)
    assert m["by_kind"]["strategy"]["mrr"] == pytest.approx(0.75)
    assert m["by_kind"]["strategy"]["n"] == 2
    assert m["by_kind"]["law_data"]["recall@5"] == 1.0
    assert m["by_kind"]["unanswerable"]["recall@5"] is None
    assert m["by_kind"]["unanswerable"]["abstention_accuracy"] == 1.0
    assert m["by_lang"]["en"]["n"] == 2

    rows = {r["id"]: r for r in m["questions"]}
    assert [rows[q]["first_hit_rank"] for q in ("q1", "q2", "q3", "q4")] == [1, 2, None, 1]
    assert rows["q1"]["evidence_ranks"] == [1, 3]
    assert rows["q1"]["cited_relevant"] == [True, False]
    assert rows["q1"]["citation_recall"] == 0.5
    assert rows["q4"]["citation_recall"] == 0.0
    assert rows["q3"]["recall@5"] is None


def test_generated_answers_get_support_invalid_citation_and_fallback_rates():
    plain = evaluate(GOLD, RESPONSES, {SOURCE: TEXT})
    assert (plain["supported_sentence_rate"], plain["invalid_citation_rate"], plain["fallback_rate"]) == (None, 0.0, 0.0)

    responses = dict(RESPONSES)
    responses["q1"] = {**RESPONSES["q1"], "mode": "generative", "invalid_citations": [9], "sentences": [
        {"text": "a", "citations": [1], "supported": True}, {"text": "b", "citations": [2], "supported": False}]}
    responses["q2"] = {**RESPONSES["q2"], "mode": "extractive", "fallback": "timeout: no answer within 60 s",
                       "sentences": [{"text": "c", "citations": [1], "supported": True}]}
    m = evaluate(GOLD, responses, {SOURCE: TEXT})

    assert m["supported_sentence_rate"] == pytest.approx(2 / 3)
    assert m["invalid_citation_rate"] == pytest.approx(1 / 4)  # [9] removed; 3 valid citations kept
    assert (m["fallback_rate"], m["n_fallbacks"]) == (0.25, 1)
    assert m["by_kind"]["strategy"]["supported_sentence_rate"] == pytest.approx(2 / 3)
    assert m["by_kind"]["law_data"]["supported_sentence_rate"] is None
    rows = {r["id"]: r for r in m["questions"]}
    assert (rows["q1"]["mode"], rows["q1"]["n_sentences"], rows["q1"]["n_supported_sentences"]) == ("generative", 2, 1)
    assert (rows["q1"]["n_invalid_citations"], rows["q2"]["fallback"]) == (1, "timeout: no answer within 60 s")
    assert "supported_sentence_rate" in format_summary(m)


def _single(quote_text: str, quote: str, passage: dict, cite: bool = False) -> dict:
    item = GoldItem("h1", "?", True, (quote,), "sv", "strategy")
    citations = [{"n": 1, **passage}] if cite else []
    response = {"answer": "", "abstained": False, "citations": citations, "passages": [passage],
                "timings_ms": {"total": 1}}
    return evaluate([item], {"h1": response}, {SOURCE: quote_text})


def test_half_coverage_rule_at_its_boundary():
    text = "x" * 20 + "abcdefghij" + "y" * 20  # the quote spans [20, 30)
    exactly_half = {"rank": 1, "passage_id": "p", "source": SOURCE, "start": 25, "end": 50}
    less_than_half = {**exactly_half, "start": 26}
    other_source = {**exactly_half, "source": "other.txt"}
    assert _single(text, "abcdefghij", exactly_half)["recall@1"] == 1.0
    assert _single(text, "abcdefghij", less_than_half)["recall@1"] == 0.0
    assert _single(text, "abcdefghij", other_source)["recall@1"] == 0.0


def test_citation_inside_a_quote_counts_as_relevant():
    text = "x" * 20 + "abcdefghij" + "y" * 20
    inside = {"rank": 1, "passage_id": "p", "source": SOURCE, "start": 22, "end": 24}
    half_inside = {**inside, "start": 18, "end": 22}  # 2 of its 4 characters in the quote
    mostly_outside = {**inside, "start": 17, "end": 22}  # 2 of 5
    assert _single(text, "abcdefghij", inside, cite=True)["citation_precision"] == 1.0
    assert _single(text, "abcdefghij", inside, cite=True)["citation_evidence_recall"] == 0.0
    assert _single(text, "abcdefghij", half_inside, cite=True)["citation_precision"] == 1.0
    assert _single(text, "abcdefghij", mostly_outside, cite=True)["citation_precision"] == 0.0


def test_citation_of_an_unretrieved_passage_is_counted():
    responses = dict(RESPONSES)
    ghost = {**_cite(3, P_D), "passage_id": "not-retrieved"}
    responses["q2"] = {**RESPONSES["q2"], "citations": [_cite(1, P_C), ghost]}
    m = evaluate(GOLD, responses, {SOURCE: TEXT})
    assert m["citations_retrieved_rate"] == pytest.approx(3 / 4)


def test_evaluate_requires_a_response_for_every_item():
    with pytest.raises(ValueError, match="q4"):
        evaluate(GOLD, {k: v for k, v in RESPONSES.items() if k != "q4"}, {SOURCE: TEXT})


def _write_gold(path: Path, items: list[GoldItem]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for item in items:
            row = {"id": item.id, "question": item.question, "answerable": item.answerable,
                   "evidence": list(item.evidence), "lang": item.lang, "kind": item.kind}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> dict:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SOURCE).write_text(TEXT, encoding="utf-8")
    gold = _write_gold(tmp_path / "gold.jsonl", GOLD)
    return {"corpus": corpus, "gold": gold, "tmp": tmp_path}


def _answer_fn(responses: dict[str, dict]):
    by_question = {item.question: responses[item.id] for item in GOLD}
    return lambda question: by_question[question]


def test_run_eval_writes_the_run_folder(workspace):
    out = workspace["tmp"] / "run1"
    result = run_eval(workspace["gold"], out, _answer_fn(RESPONSES), workspace["corpus"],
                      extra={"retriever": "hybrid", "k": 8})
    assert result["recall@1"] == pytest.approx(0.5)
    written = {p.name for p in out.iterdir()}
    assert written == {"summary.json", "questions.csv", "report.html", "responses.jsonl"}

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["mrr"] == pytest.approx(5 / 6)
    assert summary["run"]["extra"] == {"retriever": "hybrid", "k": 8}
    assert summary["run"]["gold"] == str(workspace["gold"])
    assert "questions" not in summary

    with open(out / "questions.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ["q1", "q2", "q3", "q4"]
    assert rows[0]["evidence_ranks"] == "1;3"
    # What the reader sees first, per question, beside the outcome (evaluators sort on these).
    assert [(r["outcome"], r["lead_shows_evidence"], r["first_sentence_shows_evidence"]) for r in rows] == [
        ("answer", "0.0", "0.0"), ("answer", "0.0", "0.0"), ("decline", "", ""), ("decline", "0.0", "0.0")]

    html = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1 and "<script>alert" not in html  # only the page's own filter script
    assert len((out / "responses.jsonl").read_text(encoding="utf-8").splitlines()) == 4


def test_run_eval_compares_with_an_earlier_run(workspace):
    first = workspace["tmp"] / "base"
    run_eval(workspace["gold"], first, _answer_fn(RESPONSES), workspace["corpus"])
    worse = {**RESPONSES, "q1": {**RESPONSES["q1"], "passages": [], "citations": []}}
    result = run_eval(workspace["gold"], workspace["tmp"] / "new", _answer_fn(worse), workspace["corpus"],
                      compare=first)
    entry = result["comparison"]["metrics"]["recall@5"]
    assert entry["this"] == pytest.approx(2 / 3)
    assert entry["other"] == 1.0
    assert entry["delta"] == pytest.approx(-1 / 3)
    assert result["comparison"]["same_gold"] is True
    assert result["comparison"]["by_kind_recall@5"]["strategy"]["delta"] == pytest.approx(-0.5)

    text = format_summary(result, result["comparison"])
    assert "delta" in text and "-0.333" in text
    html = (workspace["tmp"] / "new" / "report.html").read_text(encoding="utf-8")
    assert "other run" in html


def test_a_failing_question_is_recorded_not_fatal(workspace):
    answer = _answer_fn(RESPONSES)

    def flaky(question: str) -> dict:
        if question == GOLD[1].question:
            raise RuntimeError("model crashed")
        return answer(question)

    result = run_eval(workspace["gold"], workspace["tmp"] / "run", flaky, workspace["corpus"])
    assert result["n_errors"] == 1
    row = next(r for r in result["questions"] if r["id"] == "q2")
    assert row["error"] == "RuntimeError: model crashed"
    assert row["recall@5"] == 0.0


def test_threshold_failed():
    metrics = {"recall@5": 0.8}
    assert threshold_failed(metrics, 0.9) is True
    assert threshold_failed(metrics, 0.8) is False
    assert threshold_failed(metrics, None) is False
    assert threshold_failed({"recall@5": None}, 0.1) is True


def test_malformed_gold_line_names_file_and_line(tmp_path: Path):
    good = json.dumps({"id": "a", "question": "q", "answerable": False, "evidence": [], "lang": "sv",
                       "kind": "unanswerable"})
    broken = tmp_path / "gold.jsonl"
    broken.write_text(good + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gold\.jsonl:2: invalid JSON"):
        load_gold(broken)

    missing = tmp_path / "missing.jsonl"
    missing.write_text(json.dumps({"id": "a", "question": "q", "answerable": False, "evidence": [],
                                   "lang": "sv"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing\.jsonl:1: missing field\(s\) kind"):
        load_gold(missing)


def test_shipped_gold_files_are_clean():
    dev, test = ROOT / "evals" / "gold_dev.jsonl", ROOT / "evals" / "gold_test.jsonl"
    corpus = ROOT / "corpus"
    assert check_gold(dev, corpus) == []
    assert check_gold(test, corpus) == []
    assert check_disjoint([dev, test]) == []

    dev_items, test_items = load_gold(dev), load_gold(test)
    assert len(dev_items) >= 64 and len(test_items) >= 30
    dev_kinds = Counter(item.kind for item in dev_items)
    assert all(n >= 4 for n in dev_kinds.values()) and len(dev_kinds) == 12
    assert dev_kinds["unanswerable"] >= 10
    assert Counter(item.kind for item in test_items)["unanswerable"] >= 5


def test_an_evidence_entry_is_found_through_any_of_its_alternatives(tmp_path):
    gold = tmp_path / "gold.jsonl"
    row = {"id": "a1", "question": "Hur ska strategin se ut?", "answerable": True,
           "evidence": [[QUOTE_A, QUOTE_D], QUOTE_C], "lang": "sv", "kind": "strategy"}
    gold.write_text(json.dumps(row) + "\n", encoding="utf-8")
    [item] = load_gold(gold)
    assert item.evidence == (QUOTE_A, QUOTE_C)
    assert item.quote_groups() == [(QUOTE_A, QUOTE_D), (QUOTE_C,)]
    # The alternative (QUOTE_D) at rank 1 finds the first entry; QUOTE_C at rank 2 the second.
    response = _response(item.question, [P_D, P_C], [_cite(1, P_D)], False, 10)

    m = evaluate([item], {"a1": response}, {SOURCE: TEXT})

    assert m["questions"][0]["evidence_ranks"] == [1, 2]
    assert m["recall@1"] == pytest.approx(0.5)
    assert m["recall@3"] == 1.0
    assert m["mrr"] == 1.0
    assert m["citation_evidence_recall"] == pytest.approx(0.5)
    assert m["citation_precision"] == 1.0

    from evals.report import render_html

    html = render_html(m, [item], {"a1": response})
    # Shown as the product repairs the OCR ("kraver" → "kräver"), the raw text on hover.
    assert f"<q>{QUOTE_A}</q> or <q title='{QUOTE_D}'>{QUOTE_D.replace('kraver', 'kräver')}</q></li>" in html


@pytest.mark.parametrize("evidence", [[[]], [["quote", ""]], [["quote", 3]]])
def test_a_malformed_alternative_group_is_refused(tmp_path, evidence):
    gold = tmp_path / "gold.jsonl"
    row = {"id": "a1", "question": "?", "answerable": True, "evidence": evidence, "lang": "sv", "kind": "strategy"}
    gold.write_text(json.dumps(row) + "\n", encoding="utf-8")

    with pytest.raises(ValueError, match="gold.jsonl:1: field 'evidence' must be a list of non-empty strings"):
        load_gold(gold)


def test_check_gold_checks_every_alternative_quote(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SOURCE).write_text(TEXT, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    row = {"id": "a1", "question": "Hur ska strategin se ut?", "answerable": True,
           "evidence": [["Strategin ska vara konkret och kopplad", "Juridiken satter inga definitiva granser",
                         "Detta star inte i texten alls"]], "lang": "sv", "kind": "strategy"}
    gold.write_text(json.dumps(row) + "\n", encoding="utf-8")

    problems = check_gold(gold, corpus)

    assert problems == [
        f"{gold}:1: quote found 0 times in the corpus (want exactly 1): 'Detta star inte i texten alls'"
    ]


def test_evidence_shown_counts_what_the_answer_sentences_cover():
    text = "x" * 20 + "abcdefghij" + "y" * 20  # the quote spans [20, 30)
    item = GoldItem("h1", "?", True, ("abcdefghij",), "sv", "strategy")

    def shown_for(sentences: list[tuple[int, int]], abstained: bool = False, source: str = SOURCE) -> float:
        passage = {"rank": 1, "passage_id": "p", "source": SOURCE, "start": 0, "end": 50}
        response = {"answer": "", "abstained": abstained, "citations": [{"n": 1, **passage}], "passages": [passage],
                    "sentences": [{"text": "s", "citations": [1], "source": source, "start": a, "end": b}
                                  for a, b in sentences], "timings_ms": {"total": 1}}
        return evaluate([item], {"h1": response}, {SOURCE: text})["evidence_shown"]

    assert shown_for([(25, 40)]) == 1.0  # exactly half of the quote
    assert shown_for([(26, 40)]) == 0.0  # less than half; the cited passage still covers it all
    assert shown_for([(20, 23), (21, 24)]) == 0.0  # overlapping sentences count once: 4 of 10, not 6
    assert shown_for([(20, 23), (27, 29)]) == 1.0  # 3 + 2 characters from two sentences
    assert shown_for([(0, 50)], source="other.txt") == 0.0
    assert shown_for([(0, 50)], abstained=True) == 0.0


def test_a_partial_answer_shows_what_it_quotes_and_the_outcomes_are_counted_apart():
    text = "x" * 20 + "abcdefghij" + "y" * 20
    answerable = GoldItem("a1", "?", True, ("abcdefghij",), "sv", "strategy")
    unanswerable = GoldItem("u1", "?", False, (), "sv", "unanswerable")
    passage = {"rank": 1, "passage_id": "p", "source": SOURCE, "start": 0, "end": 50}

    def response(outcome: str) -> dict:
        quoted = outcome != "decline"
        return {"answer": "", "abstained": outcome != "answer", "outcome": outcome, "passages": [passage],
                "citations": [{"n": 1, **passage}] if quoted else [],
                "sentences": [{"text": "s", "citations": [1], "source": SOURCE, "start": 20, "end": 30}] if quoted else [],
                "timings_ms": {"total": 1}}

    partial = evaluate([answerable, unanswerable], {"a1": response("partial"), "u1": response("answer")}, {SOURCE: text})
    assert (partial["evidence_shown"], partial["answerable_partial_rate"], partial["answerable_declined_rate"]) == (1.0, 1.0, 0.0)
    assert (partial["unanswerable_answered_rate"], partial["unanswerable_declined_rate"]) == (1.0, 0.0)
    declined = evaluate([answerable, unanswerable], {"a1": response("decline"), "u1": response("decline")}, {SOURCE: text})
    assert (declined["evidence_shown"], declined["answerable_declined_rate"], declined["unanswerable_declined_rate"]) == (0.0, 1.0, 1.0)


def test_quality_gates_name_each_failed_limit():
    from evals.metrics import gates_failed

    metrics = {"recall@5": 0.8, "answerable_declined_rate": 0.05, "unanswerable_answered_rate": 0.2}
    assert gates_failed(metrics, min_recall5=0.75, max_answerable_declined=0.05, max_unanswerable_answered=0.25) == []
    assert gates_failed(metrics, min_recall5=0.85, max_answerable_declined=0.02, max_unanswerable_answered=None) == [
        "recall@5 0.800 is below --min-recall5 0.85",
        "answerable_declined_rate 0.050 is above --max-answerable-declined 0.02",
    ]


def test_lead_shows_evidence_counts_only_the_first_part_and_its_first_sentence():
    text = "x" * 20 + "abcdefghij" + "y" * 20  # the quote spans [20, 30)
    item = GoldItem("h1", "?", True, ("abcdefghij",), "sv", "strategy")

    def lead_for(spans: list[tuple[int, int]], lead: list[int], abstained: bool = False) -> float:
        passage = {"rank": 1, "passage_id": "p", "source": SOURCE, "start": 0, "end": 50}
        response = {"answer": "", "abstained": abstained, "citations": [{"n": 1, **passage}], "passages": [passage],
                    "sentences": [{"text": "s", "citations": [1], "source": SOURCE, "start": a, "end": b}
                                  for a, b in spans],
                    "parts": [{"kind": "lead", "sentences": lead},
                              {"kind": "experiences", "sentences": [i for i in range(len(spans)) if i not in lead]}],
                    "timings_ms": {"total": 1}}
        metrics = evaluate([item], {"h1": response}, {SOURCE: text})
        return metrics["lead_shows_evidence"], metrics["first_sentence_shows_evidence"]

    assert lead_for([(20, 30), (40, 50)], lead=[0]) == (1.0, 1.0)
    assert lead_for([(40, 50), (20, 30)], lead=[0]) == (0.0, 0.0)  # the quote is shown, but not first
    assert lead_for([(40, 50), (20, 30)], lead=[0, 1]) == (1.0, 0.0)  # in the lead, not its first line
    assert lead_for([(20, 30)], lead=[0], abstained=True) == (0.0, 0.0)


def test_lead_of_a_many_part_or_partial_answer_is_each_parts_lead_or_the_first_quoted_run():
    text = "x" * 20 + "abcdefghij" + "y" * 20  # the quote spans [20, 30)
    item = GoldItem("h1", "?", True, ("abcdefghij",), "sv", "strategy")

    def scored(spans: list[tuple[int, int]], parts: list[dict], outcome: str = "answer") -> tuple[float, float]:
        passage = {"rank": 1, "passage_id": "p", "source": SOURCE, "start": 0, "end": 50}
        response = {"answer": "", "abstained": outcome != "answer", "outcome": outcome,
                    "citations": [{"n": 1, **passage}], "passages": [passage],
                    "sentences": [{"text": "s", "citations": [1], "source": SOURCE, "start": a, "end": b}
                                  for a, b in spans],
                    "parts": parts, "timings_ms": {"total": 1}}
        metrics = evaluate([item], {"h1": response}, {SOURCE: text})
        return metrics["lead_shows_evidence"], metrics["first_sentence_shows_evidence"]

    two_parts = [{"kind": "question_part", "sentences": [0]}, {"kind": "analysis", "sentences": [1]},
                 {"kind": "question_part", "sentences": [2, 3]}]
    # The quote opens the second part's lead: read first under that part's heading.
    assert scored([(40, 50), (0, 10), (20, 30), (10, 20)], two_parts) == (1.0, 1.0)
    # Second in the second part's lead: in a lead, not a first line.
    assert scored([(40, 50), (0, 10), (10, 20), (20, 30)], two_parts) == (1.0, 0.0)
    # Only under the analysis between the parts: no lead shows it.
    assert scored([(40, 50), (20, 30), (10, 20), (0, 10)], two_parts) == (0.0, 0.0)
    closest = [{"kind": "closest", "sentences": [0, 1, 2], "items": [[0, 1], [2]]}]
    assert scored([(40, 50), (20, 30), (0, 10)], closest, "partial") == (1.0, 0.0)  # first run, second sentence
    assert scored([(40, 50), (0, 10), (20, 30)], closest, "partial") == (0.0, 0.0)  # a later run only
    assert scored([(20, 30)], [{"kind": "closest", "sentences": [0], "items": [[0]]}], "decline") == (0.0, 0.0)


BEFORE_Q1 = "◐ cites the passage, quotes other sentences"


def test_two_finished_runs_are_compared_with_deltas_and_changed_verdicts(workspace, capsys):
    from evals.compare import compare_folders
    from rag.cli import main

    base, new = workspace["tmp"] / "base", workspace["tmp"] / "new"
    run_eval(workspace["gold"], base, _answer_fn(RESPONSES), workspace["corpus"])
    # q1 loses its passages and its answer: worse.
    worse = {**RESPONSES, "q1": {**RESPONSES["q1"], "passages": [], "citations": [], "answer": "", "sentences": []}}
    run_eval(workspace["gold"], new, _answer_fn(worse), workspace["corpus"])

    result = compare_folders(base, new)
    assert result["metrics"]["recall@5"]["other"] == 1.0
    assert result["metrics"]["recall@5"]["delta"] == pytest.approx(-1 / 3)
    assert result["same_gold"] is True
    assert [(c.id, c.worse) for c in result["changed"]] == [("q1", True)]
    assert (result["changed"][0].before, result["changed"][0].after) == (BEFORE_Q1, "✗ evidence not shown")

    assert main(["eval", "--compare", str(base), str(new)]) == 0
    out = capsys.readouterr().out
    assert "recall@5" in out and "-0.333" in out
    assert "1 question(s) changed verdict:" in out and "worse q1:" in out

    assert main(["eval", "--compare", str(base), str(workspace["tmp"] / "missing")]) == 2
    assert "has no summary.json" in capsys.readouterr().err
    assert main(["eval", "--compare", str(base)]) == 2
