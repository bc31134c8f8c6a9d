"""Unit tests of the web app's HTML: both answer modes, abstentions, and escaping of every
piece of corpus, user and model text. Answers are built by hand here, so each case is exact."""

from __future__ import annotations

import dataclasses

import pytest

from rag.answering.messages import counted
from rag.types import Answer, AnswerSentence, Citation, Hit, Passage
from rag.types import DECLINED
from rag.product.web.render import (
    ChatTurn,
    answer_html,
    cited_pages,
    cited_quote,
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


def where(passage: Passage, lang: str = "sv") -> str:
    return {"p1": "s. 3", "p2": "ca s. 7–8"}[passage.id].replace("ca s.", "approx. pp." if lang == "en" else "ca s.").replace(
        "s. 3", "p. 3" if lang == "en" else "s. 3"
    )


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
    quoted = dataclasses.replace(
        extractive(), sentences=(AnswerSentence("Kommunen behöver en strategi. " + EVIL, (1,), 0, 80, "a.txt"),)
    )
    declined = dataclasses.replace(extractive(), sentences=(), citations=(), decision=DECLINED)
    html = answer_html(quoted, where) + answer_html(declined, where)

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
        decision=DECLINED,
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


def test_search_hits_show_section_page_and_escaped_start():
    long = Passage("p2", "a.txt", "2. Data <b>", 100, 900, "Data måste skyddas väl. " * 20, None, 1)

    html = hits_html([Hit(P1, 1, 0.9), Hit(long, 2, 0.8)], where)

    assert html.count('<div class="hit">') == 2
    assert "Kommunen behöver en strategi. &lt;img" in html
    assert 'data-pid="p1" data-hl=""' in html
    assert '<span class="card-section">1. Strategi</span> <span class="card-where">s. 3</span>' in html
    assert "card-n" not in html  # no rank number before "1. Strategi"
    # A long passage shows its start only, so five results fit on a screen.
    assert '<span class="card-snippet">' + ("Data måste skyddas väl. " * 9) + "…</span>" in html


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


def paged(lang: str = "sv") -> Answer:
    """Two sentences of P1 with a gap between them (on estimated page 14) and one of P2 on page 7."""
    return Answer(
        question="Vad säger rapporten?",
        lang=lang,
        lead="",
        sentences=(
            AnswerSentence("Kommunen behöver en strategi.", (1,), 0, 29, "a.txt", page=14, page_estimated=True),
            AnswerSentence("Data måste skyddas.", (2,), 100, 119, "a.txt", page=7),
            AnswerSentence("• Strategin ska förankras.", (1,), 60, 80, "a.txt", page=14),
        ),
        citations=(Citation(1, P1), Citation(2, P2)),
        hits=(Hit(P1, 1, 0.9), Hit(P2, 2, 0.5)),
    )


def test_source_cards_show_the_cited_sentences_with_section_and_page():
    html = answer_html(paged(), where)

    assert (
        '<button type="button" class="source-card" data-pid="p1" data-hl="0:29;60:80"><span class="card-n">[1]</span> '
        '<span class="card-section">1. Strategi</span> <span class="card-where">ca s. 14</span>'
        '<span class="card-snippet">Kommunen behöver en strategi. … Strategin ska förankras.</span></button>'
    ) in html
    assert (
        '<span class="card-section">2. Data &lt;b&gt;</span> <span class="card-where">s. 7</span>'
        '<span class="card-snippet">Data måste skyddas.</span>'
    ) in html
    # Not the passage start: its first words after the cited sentence are not on the card.
    assert "Kommunen behöver en strategi. &lt;img" not in html


def test_cited_quote_joins_adjacent_sentences_without_an_ellipsis():
    answer = dataclasses.replace(
        extractive(),
        sentences=(
            AnswerSentence("Kommunen behöver en strategi.", (1,), 0, 29, "a.txt"),
            AnswerSentence("Den beslutas av fullmäktige.", (1,), 30, 58, "a.txt"),
        ),
        citations=(Citation(1, P1),),
    )

    assert cited_quote(answer, 1) == "Kommunen behöver en strategi. Den beslutas av fullmäktige."
    assert cited_pages(answer, 1, "sv") == ""


def test_an_english_answer_gets_english_labels_around_it():
    turn = ChatTurn(question="What does the report say?", scope=None, answer=paged("en"), suggestions=("What next?",))

    html = turn_html(turn, 1, where)

    assert '<span class="mode-badge">Quoted from the report</span>' in html
    assert '<div class="sources-head">Sources</div>' in html
    assert 'title="Show source 1: 1. Strategi"' in html
    assert '<span class="card-where">approx. p. 14</span>' in html
    assert '<div class="suggestions"><div class="suggestions-head">Ask next</div>' in html
    assert ">✓ Good answer</button>" in html and ">✗ Poor answer</button>" in html
    assert ">Pin the answer to the draft</button>" in html
    for swedish in ("Källor", "Citat ur rapporten", "Visa källa", "Bra svar", "Fäst", "Fråga vidare"):
        assert swedish not in html

    declined = Answer(
        question="What does it cost?", lang="en", lead="The report does not cover this.", sentences=(),
        citations=(), hits=(Hit(P1, 1, 0.2),), decision=DECLINED,
        standalone_question="What does a licence cost?",
    )
    html = turn_html(ChatTurn(question="And it?", scope=None, answer=declined), 2, where)
    assert '<div class="sources-head">Nearest passages (they do not answer the question)</div>' in html
    assert '<div class="standalone">Understood as: What does a licence cost?</div>' in html
    assert "Närmaste" not in html and "Tolkad" not in html


def test_the_answers_own_buttons_carry_its_turn_and_keep_the_comment():
    turn = ChatTurn(question="q", scope=None, answer=paged(), comment='för "kort" <b>', note="Tack! Omdömet «bra» är sparat.")

    html = turn_html(turn, 3, where)

    assert (
        '<div class="answer-actions"><button type="button" class="act act-up" data-act="up" data-turn="3">✓ Bra svar</button>'
        '<button type="button" class="act act-down" data-act="down" data-turn="3">✗ Dåligt svar</button>'
        '<input type="text" class="act-comment" maxlength="1000" placeholder="Kommentar (valfri)" '
        'aria-label="Kommentar (valfri)" value="för &quot;kort&quot; &lt;b&gt;">'
        '<button type="button" class="act act-pin" data-act="pin" data-turn="3">Fäst svaret i utkastet</button></div>'
        '<div class="act-note">Tack! Omdömet «bra» är sparat.</div>'
    ) in html


def test_a_decline_can_be_rated_but_not_pinned():
    declined = Answer(
        question="Vad kostar det?", lang="sv", lead="Rapporten tar inte upp det här.", sentences=(), citations=(),
        hits=(Hit(P1, 1, 0.2),), decision=DECLINED,
    )

    html = turn_html(ChatTurn(question="Vad kostar det?", scope=None, answer=declined), 1, where)

    assert 'data-act="up"' in html and 'data-act="down"' in html
    assert 'data-act="pin"' not in html


def test_suggested_questions_are_escaped_buttons_that_ask_them():
    turn = ChatTurn(question="q", scope=None, answer=paged(), suggestions=("Vad säger rapporten om ”<i>Data</i>”?",))

    html = turn_html(turn, 1, where)

    assert (
        '<div class="suggestions"><div class="suggestions-head">Fråga vidare</div>'
        '<button type="button" class="suggestion" data-ask="Vad säger rapporten om ”&lt;i&gt;Data&lt;/i&gt;”?">'
        "Vad säger rapporten om ”&lt;i&gt;Data&lt;/i&gt;”?</button></div>"
    ) in html


def test_a_question_waiting_for_the_index_says_how_far_it_has_come():
    turn = ChatTurn(question="q", scope=None, waiting="Väntar på indexet: 40 av 98 avsnitt och 0 av 569 meningar inbäddade …")

    assert (
        '<div class="answer streaming"><span class="searching waiting">Väntar på indexet: 40 av 98 avsnitt och 0 av 569 '
        'meningar inbäddade …</span><span class="cursor" aria-hidden="true">▍</span></div>'
    ) in turn_html(turn, 1, where)


@pytest.mark.parametrize(("n", "lang", "text"), [(1, "sv", "1 del"), (2, "sv", "2 delar"), (1, "en", "1 part"), (5, "en", "5 parts")])
def test_counted_parts_are_singular_or_plural(n, lang, text):
    assert counted(n, "parts", lang) == text


def test_an_english_answer_locates_its_sources_in_english_and_marks_its_swedish_quotes():
    import dataclasses

    html = answer_html(dataclasses.replace(extractive(), lang="en", lead="What the report says:"), where)

    assert '<span class="card-where">p. 3</span>' in html
    assert '<span class="card-where">approx. pp. 7–8</span>' in html
    assert '<div class="answer-body" lang="sv">' in html


def test_a_finished_answer_is_announced_once_in_its_language():
    import dataclasses

    from rag.product.web.render import announcement

    turns = [ChatTurn("Vad säger rapporten?", None, answer=extractive())]
    assert 'data-announce="Svar 1 är klart. Det här säger rapporten:"' in conversation_html(turns, where)
    streaming = turns + [ChatTurn("How do we start?", None, partial="The")]
    assert 'data-announce=""' in conversation_html(streaming, where)
    declined = dataclasses.replace(extractive(), decision=DECLINED, lang="en", lead="The report does not cover this.")
    assert announcement([ChatTurn("How much?", None, answer=declined)]) == (
        "Answer 1: the report does not cover the question."
    )
