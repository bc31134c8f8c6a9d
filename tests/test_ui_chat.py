"""The chat tab's conversation bookkeeping: what a follow-up is asked with, and the scope."""

from __future__ import annotations

from rag.types import Answer, Turn
from rag.product.web.chat import EXAMPLES, WHOLE_REPORT, history_of, section_of
from rag.product.web.render import ChatTurn


def answer(question: str, lead: str, standalone: str | None = None) -> Answer:
    return Answer(question, "sv", lead, (), (), (), standalone_question=standalone)


def test_history_carries_the_questions_as_typed_like_the_api_and_skips_failed_turns():
    shown = "Apropå ”Vem beslutar om strategin?”: där?"
    turns = [
        ChatTurn("Vem beslutar om strategin?", None, answer=answer("Vem beslutar om strategin?", "Fullmäktige.")),
        ChatTurn("Och där?", "4", answer=answer("Och där?", "Juristerna.", standalone=shown)),
        ChatTurn("Och sen?", "4", error="no passages match"),
        ChatTurn("Pågår", None, partial="Det här"),
    ]

    assert history_of(turns) == [
        Turn("Vem beslutar om strategin?", "Fullmäktige."),
        Turn("Och där?", "Juristerna."),
    ]


def test_whole_report_means_no_section():
    assert section_of(WHOLE_REPORT) is None
    assert section_of("") is None
    assert section_of("4. AI-strategin som grund för AI-användning") == "4. AI-strategin som grund för AI-användning"


def test_examples_cover_the_seven_themes_with_questions():
    assert list(EXAMPLES) == [
        "Strategi", "Juridik och data", "Skalning", "Samverkan", "Kompetens", "Kultur", "Nyttorealisering",
    ]
    assert all(len(qs) == 2 and all(q.endswith("?") for q in qs) for qs in EXAMPLES.values())
