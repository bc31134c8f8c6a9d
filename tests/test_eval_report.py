"""report.html: metrics first against their targets, generative metrics only for generative runs,
a table of the questions a person can scan, settings folded away at the end."""

from __future__ import annotations

import re

from test_eval_harness import GOLD, QUOTE_A, QUOTE_C, RESPONSES, SOURCE, TEXT

from evals.harness import evaluate
from evals.report import render_html


def _sentence(fragment: str) -> dict:
    start = TEXT.index(fragment)
    return {"text": fragment, "citations": [1], "source": SOURCE, "start": start, "end": start + len(fragment)}


# q1 shows one of its two quotes, q2 its only one; q3 is declined rightly, q4 wrongly.
SHOWN = {
    **RESPONSES,
    "q1": {**RESPONSES["q1"], "sentences": [_sentence(QUOTE_A)], "answer": QUOTE_A + " [1]"},
    "q2": {**RESPONSES["q2"], "sentences": [_sentence(QUOTE_C)], "answer": QUOTE_C + " [1]"},
}


def _html(extra: dict | None = None, responses: dict = SHOWN) -> str:
    result = evaluate(GOLD, responses, {SOURCE: TEXT})
    result["run"] = {"gold": "gold.jsonl", "extra": extra or {"llm": "extractive", "k": 10}}
    return render_html(result, GOLD, responses)


def _metric_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r"<tr class='metric' data-metric='([^']+)'>(.*?)</tr>", html))


def test_metrics_come_first_with_targets_and_marks():
    html = _html()
    rows = _metric_rows(html)

    assert html.index("<h2>Metrics</h2>") < html.index("<h2>By kind</h2>") < html.index("<h2>Questions</h2>")
    assert list(rows) == [
        "recall@5", "mrr", "evidence_shown", "citation_evidence_recall", "answerable_declined_rate",
        "unanswerable_answered_rate", "latency_ms_p50", "latency_ms_p95",
        "recall@1", "recall@3", "recall@10", "lead_shows_evidence", "first_sentence_shows_evidence", "citation_precision",
        "citations_retrieved_rate",
        "abstention_accuracy", "false_abstention_rate", "answerable_partial_rate", "unanswerable_declined_rate",
        "answer_sentences_mean",
    ]
    assert rows["recall@5"] == (
        "<td>recall@5 (primary)</td><td class=num>1.000</td><td class=num>≥ 0.900</td>"
        '<td><span class="ok">✓ met</span></td>'
    )
    assert rows["evidence_shown"] == (
        "<td>evidence_shown</td><td class=num>0.500</td><td class=num>≥ 0.700</td>"
        '<td><span class="bad">✗ not met</span></td>'
    )
    assert rows["answerable_declined_rate"] == (
        "<td>answerable_declined_rate</td><td class=num>0.333</td><td class=num>≤ 0.020</td>"
        '<td><span class="bad">✗ not met</span></td>'
    )
    assert rows["latency_ms_p50"] == (
        "<td>latency_ms_p50</td><td class=num>250</td><td class=num>≤ 150</td>"
        '<td><span class="bad">✗ not met</span></td>'
    )
    assert rows["recall@1"] == "<td>recall@1</td><td class=num>0.500</td><td class=num>–</td><td></td>"


def test_an_extractive_run_shows_no_generative_metrics():
    html = _html()

    for metric in ("supported_sentence_rate", "invalid_citation_rate", "fallback_rate"):
        assert metric not in html
    assert "An extractive run: metrics of generated answers are not shown." in html


def test_a_generative_run_shows_them_after_the_others():
    rows = _metric_rows(_html({"llm": "openai", "llm_model": "m"}))

    assert list(rows)[-3:] == ["supported_sentence_rate", "invalid_citation_rate", "fallback_rate"]
    assert rows["fallback_rate"] == "<td>fallback_rate</td><td class=num>0.000</td><td class=num>–</td><td></td>"
    # A run that fell back to quotes is still a generative run.
    fell_back = {**SHOWN, "q2": {**SHOWN["q2"], "fallback": "timeout"}}
    assert "fallback_rate" in _metric_rows(_html(responses=fell_back))


def test_every_question_is_a_row_with_verdict_answer_and_gold_quote():
    html = _html()
    rows = re.findall(r"<tr id='row-([^']+)'[^>]*>(.*?)</tr>", html)

    # Failures first (q4), then the partly shown (q1), then the rest in gold order.
    assert [qid for qid, _ in rows] == ["q4", "q1", "q2", "q3"]
    assert [m.group(1) for m in re.finditer(r"<section class='q [a-z]+' id='([^']+)'>", html)] == ["q4", "q1", "q2", "q3"]
    cells = {qid: re.findall(r"<td[^>]*>(.*?)</td>", row) for qid, row in rows}
    assert cells["q1"] == [
        "<a href='#q1'>q1</a>", "Hur ska strategin se ut?", "◐ shows 1 of 2 quotes", QUOTE_A + " [1]",
        "<q>Strategin ska vara konkret</q><br><q title='kopplad till kommunens mal'>kopplad till kommunens mål</q>",
    ]
    assert QUOTE_C == "Juridiken satter inga definitiva granser"
    assert cells["q2"][2:] == [
        "✓ shows the evidence", QUOTE_C + " [1]", "<q title='" + QUOTE_C + "'>Juridiken sätter inga definitiva gränser</q>"
    ]
    assert cells["q3"][1:] == [
        "What does a licence cost? &lt;script&gt;alert(1)&lt;/script&gt;", "✓ declined", "Svar.", "– (not in the report)"
    ]
    assert cells["q4"][2] == "✗ declined (should answer)"
    assert "<td class=part>◐ shows 1 of 2 quotes</td>" in html and "<td class=bad>✗ declined (should answer)</td>" in html


def test_settings_are_folded_away_at_the_end():
    html = _html()

    assert html.index("<details class=settings><summary>Run and settings</summary>") > html.index(
        "<h2>Each question in detail</h2>"
    )
    assert "<tr><th>setting: k</th><td>10</td></tr>" in html
    assert html.rstrip().endswith("</script>\n</body></html>")
    assert html.index("</table></details>") > html.index("<h2>Each question in detail</h2>")


def test_rows_carry_what_the_filters_use_and_gold_quotes_are_shown_repaired():
    html = _html()

    assert "<tr id='row-q4' data-verdict=bad data-rank=0 data-kind='" in html
    assert "<select data-filter='verdict'><option value=''>all</option><option value='bad'>✗ failed</option>" in html
    assert "<select data-filter='lang'><option value=''>all</option><option value='en'>en</option><option value='sv'>sv</option>" in html
    assert "<th data-sort=verdict>verdict</th>" in html and "<script>" in html


def test_a_raw_ocr_quote_is_shown_as_the_product_repairs_it():
    from evals.report import cleaned_quote

    assert cleaned_quote("Istdllet bor processen vara bred.") == (
        "<q title='Istdllet bor processen vara bred.'>Istället bör processen vara bred.</q>"
    )
    assert cleaned_quote("Strategin ska vara konkret") == "<q>Strategin ska vara konkret</q>"
