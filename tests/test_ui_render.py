"""Unit tests of the web app's HTML: both answer modes, abstentions, and escaping of every
piece of corpus, user and model text. Answers are built by hand here, so each case is exact."""

from __future__ import annotations

import pytest

from rag.types import Answer, AnswerSentence, Citation, Hit, Passage
from rag.product.web.render import (
    ChatTurn,
    answer_html,
    cited_spans,
    conversation_html,
    hits_html,
    parse_spans,
    spans_attr,
    turn_html,
)

EVIL = '<img src=x onerror="window.__pwned=1">'
P1 = Passage("p1", "a.txt", "1. Strategi", 0, 80, "Kommunen behöver en strategi. " + EVIL, None, 0)
P2 = Passage("p2", "a.txt", "2. Data <b>", 100, 160, "Data måste skyddas.", None, 1)


def where(passage: Passage) -> str:
    return {"p1": "s. 3", "p2": "ca s. 7–8"}[passage.id]


def extractive() -> Answer:
    return Answer(
        question="Vad säger rapporten?",
        lang="sv",
        lead="Det här säger rapporten:",
        sentences=(
            AnswerSentence("Kommunen behöver en strategi.", (1,), 0, 29, "a.txt"),
            AnswerSentence("Data måste skyddas.", (2,), 100, 119, "a.txt"),
        ),
        citations=(Citation(1, P1), Citation(2, P2)),
        hits=(Hit(P1, 1, 0.9), Hit(P2, 2, 0.5)),
        abstained=False,
    )


def generative(**kw) -> Answer:
    base = dict(
        question="Vad säger rapporten?",
        lang="sv",
        lead="",
        sentences=(
            AnswerSentence("Kommunen behöver en strategi.", (1,), supported=True, support=0.8),
            AnswerSentence("Alla kommuner har redan lyckats " + EVIL + ".", (2,), supported=False, support=0.12),
        ),
        citations=(Citation(1, P1), Citation(2, P2)),
        hits=(Hit(P1, 1, 0.9), Hit(P2, 2, 0.5)),
        abstained=False,
        mode="generative",
    )
    base.update(kw)
    return Answer(**base)


def test_markers_are_buttons_carrying_passage_and_cited_spans():
    html = answer_html(extractive(), where)

    assert (
        '<button type="button" class="cite" data-pid="p1" data-hl="0:29" title="Visa källa 1: 1. Strategi">[1]</button>'
        in html
    )
    assert 'data-pid="p2" data-hl="100:119" title="Visa källa 2: 2. Data &lt;b&gt;">[2]</button>' in html
    assert html.count('class="source-card"') == 2
    assert '<span class="card-where">ca s. 7–8</span>' in html
    assert "Citat ur rapporten" in html
    assert "ej belagd" not in html


def test_corpus_text_in_cards_is_escaped():
    html = answer_html(extractive(), where)

    assert EVIL not in html
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in html
    assert "<b>" not in html


def test_generative_unsupported_sentence_is_marked_in_place():
    html = answer_html(generative(), where)

    assert "Genererat svar – kontrollerat mot källorna" in html
    assert (
        '<span class="unsupported" title="Meningen stöds inte av de citerade avsnitten (stöd 0.12)">'
        "Alla kommuner har redan lyckats &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;."
    ) in html
    assert html.count("ej belagd i källorna") == 1
    assert "1 av 2 meningar stöds inte av de citerade avsnitten" in html
    assert EVIL not in html


def test_fallback_and_removed_markers_are_announced():
    answer = generative(
        fallback="endpoint <down>",
        invalid_citations=(9,),
        mode="extractive",
        sentences=(AnswerSentence("Kommunen behöver en strategi.", (1,), 0, 29, "a.txt"),),
        citations=(Citation(1, P1),),
    )

    html = answer_html(answer, where)

    assert "<b>Språkmodellens svar kunde inte användas</b> (endpoint &lt;down&gt;)" in html
    assert "Hänvisningar som inte pekade på något hämtat avsnitt togs bort: [9]." in html
    assert "Citat ur rapporten" in html
    assert "ej belagd" not in html


def test_abstention_shows_a_distinct_box_and_the_nearest_passages():
    answer = Answer(
        question="Vad kostar det?",
        lang="sv",
        lead="Rapporten tar inte upp det här.",
        sentences=(),
        citations=(),
        hits=(Hit(P1, 1, 0.2), Hit(P2, 2, 0.1)),
        abstained=True,
    )

    html = answer_html(answer, where)

    assert html.startswith('<div class="answer abstained"><div class="abstain-box">')
    assert "Närmaste avsnitt (besvarar inte frågan)" in html
    assert "Källor" not in html
    assert [part.split('"')[0] for part in html.split('data-pid="')[1:]] == ["p1", "p2"]
    assert 'class="cite"' not in html


def test_user_question_scope_and_errors_are_escaped():
    turn = ChatTurn(question="<script>window.__pwned=1</script>?", scope="<i>4</i>", error="bad <section>")

    html = turn_html(turn, 1, where)

    assert "<script>" not in html and "<i>" not in html and "<section>" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;?" in html
    assert '<div class="answer error">bad &lt;section&gt;</div>' in html


def test_streaming_text_is_escaped_until_the_final_answer():
    turn = ChatTurn(question="q", scope=None, partial="Det här säger rapporten:\n\n" + EVIL)

    html = conversation_html([turn], where)

    assert EVIL not in html
    assert 'class="answer streaming"' in html


def test_search_hits_show_full_escaped_text():
    html = hits_html([Hit(P1, 1, 0.9)], where)

    assert "Kommunen behöver en strategi. &lt;img" in html
    assert 'data-pid="p1" data-hl=""' in html


def test_spans_round_trip_and_junk_is_dropped():
    assert spans_attr([(0, 29), (100, 119)]) == "0:29;100:119"
    assert parse_spans("0:29;100:119") == [(0, 29), (100, 119)]
    assert parse_spans("0:29;x:1;;5;-1:3") == [(0, 29)]
    assert cited_spans(extractive(), 2) == [(100, 119)]
    assert cited_spans(generative()) == []


@pytest.mark.parametrize("n", [1, 2])
def test_markers_point_only_at_citations_of_the_answer(n):
    html = answer_html(extractive(), where)

    assert html.count('class="cite" data-pid="p{}"'.format(n)) == 1


def test_a_fallback_lead_notice_is_the_notice_box_not_repeated():
    notice = (
        "Obs! Språkmodellens svar kunde inte användas (tjänsten gick inte att nå). "
        "Här är rapportens egna meningar i stället."
    )
    answer = generative(
        lead=notice + "\n\nDet här säger rapporten:",
        fallback="endpoint unreachable",
        mode="extractive",
        sentences=(AnswerSentence("Kommunen behöver en strategi.", (1,), 0, 29, "a.txt"),),
        citations=(Citation(1, P1),),
    )

    html = answer_html(answer, where)

    assert html.count("Språkmodellens svar kunde inte användas") == 1
    assert '<div class="notice notice-fallback">{}</div>'.format(notice) in html
    assert '<div class="answer-lead">Det här säger rapporten:</div>' in html
    assert "endpoint unreachable" not in html
