"""The chat tab's conversation bookkeeping: what a follow-up is asked with, and the scope."""

from __future__ import annotations

import pytest

from rag.config import load_settings
from rag.index.store import StoreUnavailable
from rag.product.web.chat import EXAMPLES, WHOLE_REPORT, ChatUpdate, history_of, respond, section_of
from rag.product.web.messages import say
from rag.product.web.render import ChatTurn
from rag.types import Answer, Delta, Final, Turn


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


# The chat handler without a server: a deterministic fake backend and service (named so).
class FakeService:
    """Streams two pieces of text and then a one-line answer; or raises ``error`` instead."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.asked: list[tuple[str, str | None, list[Turn]]] = []

    def stream(self, question, section=None, history=()):
        self.asked.append((question, section, list(history)))
        if self.error is not None:
            raise self.error
        yield Delta("Fullmäktige ")
        yield Delta("beslutar.")
        yield Final(answer(question, "Fullmäktige beslutar."))

    def sections(self):
        return []


class FakeBackend:
    """Ready after ``ready_after`` calls of ``wait``; ``service`` returns ``svc`` or raises ``error``."""

    def __init__(self, svc=None, ready_after: int = 0, error: Exception | None = None, **settings) -> None:
        self.settings = load_settings(**settings)
        self.svc = svc or FakeService()
        self.ready_after = ready_after
        self.error = error
        self.waits: list[float] = []

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        return len(self.waits) > self.ready_after

    def waiting(self, lang: str = "sv") -> str:
        return {"sv": "Väntar på indexet: 3 av 9 avsnitt …", "en": "Waiting for the index: 3 of 9 passages …"}[lang]

    def service(self):
        if self.error is not None:
            raise self.error
        return self.svc


def test_a_question_streams_into_a_new_turn_and_clears_the_box():
    backend = FakeBackend()
    # The turn is updated in place (each update is rendered at once), so what each shows is read as it comes.
    updates, seen = [], []
    for u in respond("  Vem beslutar?  ", WHOLE_REPORT, [], backend):
        updates.append(u)
        seen.append((u.question, u.warning, u.turns[0].partial))

    assert seen == [
        ("", None, ""), ("", None, "Fullmäktige "), ("", None, "Fullmäktige beslutar."), ("", None, "Fullmäktige beslutar.")
    ]
    last = updates[-1].turns[0]
    assert (last.question, last.scope, last.answer.lead, last.error) == ("Vem beslutar?", None, "Fullmäktige beslutar.", None)
    assert backend.svc.asked == [("Vem beslutar?", None, [])]


def test_a_follow_up_is_asked_with_the_earlier_turns_and_the_scope():
    backend = FakeBackend()
    earlier = [ChatTurn("Vem beslutar?", None, answer=answer("Vem beslutar?", "Fullmäktige."))]
    updates = list(respond("Och där?", "4. Strategi", earlier, backend))

    assert [t.question for t in updates[-1].turns] == ["Vem beslutar?", "Och där?"]
    assert backend.svc.asked == [("Och där?", "4. Strategi", [Turn("Vem beslutar?", "Fullmäktige.")])]
    assert len(earlier) == 1  # the caller's list is not changed in place


@pytest.mark.parametrize(
    "text,lang,warning",
    [
        ("   ", "sv", "Skriv en fråga först."),
        ("", "en", "Type a question first."),
        ("x" * 51, "sv", "Frågan är 51 tecken lång; gränsen är 50 tecken. Texten finns kvar i rutan: korta ner den och fråga igen."),
        ("x" * 51, "en", "The question is 51 characters long; the limit is 50. Your text is still in the box: shorten it and ask again."),
    ],
)
def test_an_empty_or_too_long_question_is_refused_in_the_pages_language_and_the_text_kept(text, lang, warning):
    backend = FakeBackend(max_question_chars=50)
    earlier = [ChatTurn("Vem beslutar?", None, answer=answer("Vem beslutar?", "Fullmäktige."))]

    assert list(respond(text, WHOLE_REPORT, earlier, backend, lang=lang)) == [ChatUpdate(earlier, None, warning)]
    assert backend.svc.asked == []


def test_a_question_asked_before_the_index_is_ready_shows_the_progress_in_its_language_then_the_answer():
    backend = FakeBackend(ready_after=2)
    # The page is Swedish; the English question's turn speaks English.
    seen = [(u.turns[0].waiting, u.turns[0].partial) for u in respond("Who decides on the strategy?", WHOLE_REPORT, [], backend)]

    waiting = "Waiting for the index: 3 of 9 passages …"
    assert seen == [("", ""), (waiting, ""), (waiting, ""), ("", "Fullmäktige "), ("", "Fullmäktige beslutar."), ("", "Fullmäktige beslutar.")]
    assert backend.waits == [0, 1.0, 1.0]


@pytest.mark.parametrize(
    "backend,error",
    [
        (FakeBackend(error=RuntimeError("the index could not be loaded")), "Appen är inte redo: the index could not be loaded"),
        (FakeBackend(FakeService(ValueError("history has 30 turns"))), "Frågan kunde inte besvaras: history has 30 turns"),
        (FakeBackend(FakeService(StoreUnavailable("down"))), say("store.unavailable", "sv")),
    ],
)
def test_a_failure_is_shown_on_the_turn_with_the_question_kept(backend, error):
    updates = list(respond("Vem beslutar?", WHOLE_REPORT, [], backend))

    last = updates[-1].turns[0]
    assert (last.question, last.answer, last.error) == ("Vem beslutar?", None, error)
    assert updates[-1].question == ""


def test_a_passage_opened_from_an_english_answer_is_located_in_english():
    from types import SimpleNamespace

    from rag.product.viewer import SourceLocation
    from rag.product.web.wiring import Handlers

    location = SourceLocation("ca s. 42–43", page_start=42, page_end=43, page_estimated=True)
    service = SimpleNamespace(locate=lambda passage: location)
    handlers = Handlers(SimpleNamespace(service=lambda: service))

    assert handlers.where("p1") == "ca s. 42–43"
    assert handlers.where("p1", "en") == "approx. pp. 42–43"
    unpaged = SimpleNamespace(locate=lambda passage: SourceLocation(""))
    assert Handlers(SimpleNamespace(service=lambda: unpaged)).where("p1", "en") == ""
