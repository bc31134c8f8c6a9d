"""Follow-up questions are made standalone before retrieval; streams end with the same answer as ask."""

from __future__ import annotations

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

from rag.config import load_settings
from rag.followup import KeywordCondenser, is_follow_up
from rag.service import RagService
from rag.types import Delta, Final, Turn


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("followup"), {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as s:
        settings = load_settings(
            index_dir=s.index_dir, corpus_dir=s.corpus_dir, abstain_threshold=-10.0, abstain_specific_below=-10.0
        )
        yield RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Och vad säger rapporten om juridiken där?", True),
        ("What about the law there?", True),
        ("Hur gör vi det?", True),
        ("Hur ska kommunfullmäktige besluta om strategin för artificiell intelligens?", False),
    ],
)
def test_follow_up_detection(question, expected):
    assert is_follow_up(question) is expected


def test_keyword_condenser_carries_the_previous_topic_into_a_follow_up():
    history = [Turn("Hur kan små kommuner samverka om upphandlingar?", "…")]

    condensed = KeywordCondenser().condense("Och vad kostar det?", history)

    assert condensed == "Och vad kostar det? (små kommuner samverka upphandlingar)"


def test_keyword_condenser_leaves_standalone_questions_and_empty_history_alone():
    history = [Turn("Hur kan små kommuner samverka?", "…")]
    standalone = "Hur ska kommunfullmäktige besluta om strategin för artificiell intelligens?"

    assert KeywordCondenser().condense(standalone, history) == standalone
    assert KeywordCondenser().condense("Och där?", []) == "Och där?"


def test_a_follow_up_is_answered_from_the_previous_questions_topic(service):
    first = service.ask("Hur kan små kommuner samverka om upphandlingar?")
    follow = service.ask("Och vad kostar det?", history=[Turn(first.standalone_question or first.question)])

    assert follow.question == "Och vad kostar det?"
    assert follow.standalone_question == "Och vad kostar det? (små kommuner samverka upphandlingar)"
    assert follow.hits[0].passage.source == "samverkan.txt"
    assert follow.to_dict()["standalone_question"] == follow.standalone_question
    assert service.ask("Och vad kostar det?").standalone_question is None


def test_stream_yields_the_answer_text_piece_by_piece_then_the_same_answer_as_ask(service):
    question = "Vem beslutar om strategin för AI?"

    events = list(service.stream(question))

    assert isinstance(events[-1], Final)
    assert all(isinstance(e, Delta) for e in events[:-1])
    final = events[-1].answer
    assert "".join(e.text for e in events[:-1]) == final.text
    assert len(events) == 1 + len(final.text.split("\n\n"))
    asked = service.ask(question).to_dict()
    streamed = final.to_dict()
    asked.pop("timings_ms"), streamed.pop("timings_ms")
    assert streamed == asked
    assert streamed["mode"] == "extractive" and streamed["fallback"] is None and streamed["invalid_citations"] == []


def test_search_returns_ranked_hits_without_answering(service):
    hits = service.search("upphandlingar grannkommunerna", k=2)

    assert [h.rank for h in hits] == [1, 2]
    assert hits[0].passage.source == "samverkan.txt"
    assert "1. Samverkan" in service.sections()
    with pytest.raises(ValueError, match="^query is empty; type what to search for$"):
        service.search("  ")
