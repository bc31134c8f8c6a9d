"""What the chat tab knows besides layout: example questions, the scope choices, the
conversation as the service sees it (follow-ups are asked with the earlier turns), and
``respond``, the chat handler itself: a question in, a stream of page updates out, with no
Gradio in it, so that unit tests call it directly and the wiring only binds it to events."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterator, Protocol

from rag.index.store import StoreUnavailable
from rag.limits import recent_history
from rag.product.suggestions import suggestions
from rag.product.web.messages import say
from rag.product.web.render import ChatTurn, turn_lang
from rag.types import Delta, Final, Turn

log = logging.getLogger(__name__)

# How often a question asked before the first index is ready shows the ingest's progress.
WAIT_UPDATE_S = 1.0

WHOLE_REPORT = "Hela rapporten"

EXAMPLES: dict[str, list[str]] = {
    "Strategi": [
        "Hur undviker vi att införa AI bara för att tekniken är spännande?",
        "Hur kopplar vi AI-arbetet till kommunens övergripande mål och strategier?",
    ],
    "Juridik och data": [
        "Vad behöver vi tänka på kring dataskydd och juridik när vi använder AI?",
        "Hur får vi med juristerna tidigt i våra AI-projekt?",
    ],
    "Skalning": [
        "Hur tar vi oss från pilotprojekt till AI i ordinarie drift?",
        "Varför stannar många AI-projekt vid en pilot?",
    ],
    "Samverkan": [
        "Hur kan mindre kommuner samarbeta med andra kring AI?",
        "Vilka bör vi bjuda in när vi tar fram vår AI-strategi?",
    ],
    "Kompetens": [
        "Vilken kompetens behöver vi bygga upp internt för att arbeta med AI?",
        "Hur ökar vi förståelsen för AI bland chefer och medarbetare?",
    ],
    "Kultur": [
        "Hur hanterar vi oro och motstånd mot AI bland medarbetarna?",
        "Hur skapar vi en kultur där vi vågar prova nya arbetssätt?",
    ],
    "Nyttorealisering": [
        "Hur följer vi upp att våra AI-satsningar faktiskt ger nytta?",
        "Hur kopplar vi våra digitala investeringar till mätbara mål?",
    ],
}


# The same themes and questions in English, in the same order, for a page shown in English.
EXAMPLES_EN: dict[str, list[str]] = {
    "Strategy": [
        "How do we avoid introducing AI just because the technology is exciting?",
        "How do we link the AI work to the municipality's overall goals and strategies?",
    ],
    "Law and data": [
        "What do we need to consider about data protection and law when we use AI?",
        "How do we involve the lawyers early in our AI projects?",
    ],
    "Scaling": [
        "How do we get from pilot projects to AI in everyday operation?",
        "Why do many AI projects stop at a pilot?",
    ],
    "Collaboration": [
        "How can smaller municipalities collaborate with others on AI?",
        "Whom should we invite when we draw up our AI strategy?",
    ],
    "Competence": [
        "What competence do we need to build internally to work with AI?",
        "How do we increase the understanding of AI among managers and staff?",
    ],
    "Culture": [
        "How do we handle worry and resistance to AI among the staff?",
        "How do we create a culture where we dare to try new ways of working?",
    ],
    "Benefits realisation": [
        "How do we follow up that our AI investments actually bring benefits?",
        "How do we link our digital investments to measurable goals?",
    ],
}


def examples(lang: str) -> list[tuple[str, list[str]]]:
    """(theme, questions) in ``lang``, in the page's order."""
    return list((EXAMPLES if lang == "sv" else EXAMPLES_EN).items())


def chapters(service: Any) -> list[str]:
    """Chapter headings in reading order: the first part of each section path."""
    return list(dict.fromkeys(s.split(" › ")[0] for s in service.sections()))


def section_of(scope: str | None) -> str | None:
    return None if not scope or scope == WHOLE_REPORT else scope


def history_of(turns: list[ChatTurn]) -> list[Turn]:
    """Earlier answered turns as the service expects them: the questions as they were typed and
    the answer text, exactly what an API client sends, so the page and the API answer alike (a
    chain of follow-ups is resolved turn by turn by ``rag.answering.followup``)."""
    return [Turn(t.question, t.answer.text) for t in turns if t.answer is not None and t.error is None]



class ChatBackend(Protocol):
    """What ``respond`` needs of ``rag.product.web.startup.Backend``."""

    settings: Any

    def wait(self, timeout: float) -> bool: ...

    def waiting(self, lang: str = "sv") -> str: ...

    def service(self) -> Any: ...


@dataclass(frozen=True)
class ChatUpdate:
    """One state of the page while a question is handled: the conversation, what the question
    box holds next (None: leave what the user typed) and a message to show as a toast."""

    turns: list[ChatTurn]
    question: str | None = ""
    warning: str | None = None


def refusal(text: str, limit: int, lang: str) -> str | None:
    """Why a typed question is not sent (empty, or over ``limit`` characters), or None. The
    service checks the same bounds (``rag.limits``); here the page says it in the user's language
    before anything is added to the conversation, and the text stays in the box."""
    if not text:
        return say("chat.empty", lang)
    if len(text) > limit:
        return say("chat.too_long", lang, length=len(text), limit=limit)
    return None


def respond(
    question: str | None, scope: str | None, turns: list[ChatTurn], backend: ChatBackend, lang: str = "sv"
) -> Iterator[ChatUpdate]:
    """Handle one question: refuse it with a message (the text kept), or add a turn and stream it
    (waiting for a first index if need be) until the answer, or an error, is complete. ``lang`` is
    the page's language, for a refusal; the turn itself speaks the question's language."""
    settings = backend.settings
    text = (question or "").strip()
    refused = refusal(text, settings.max_question_chars, lang)
    if refused:
        yield ChatUpdate(list(turns), None, refused)
        return
    # The chat builds the history itself, so it sends what fits the limits instead of failing.
    history = recent_history(history_of(turns), settings.max_history_turns, settings.max_history_chars)
    turn = ChatTurn(question=text, scope=section_of(scope))
    turns = list(turns) + [turn]
    # From here on the turn speaks the question's language, as its answer will.
    lang = turn_lang(turn)
    yield ChatUpdate(turns)
    # While a first index is built, the question says how far the ingest has come.
    while not backend.wait(WAIT_UPDATE_S if turn.waiting else 0):
        turn.waiting = backend.waiting(lang)
        yield ChatUpdate(turns)
    turn.waiting = ""
    try:
        service = backend.service()
    except (TimeoutError, RuntimeError) as exc:
        turn.error = say("chat.not_ready", lang, error=exc)
        yield ChatUpdate(turns)
        return
    yield from _answer(service, turn, turns, history, lang)


def _answer(service, turn: ChatTurn, turns: list[ChatTurn], history: list[Turn], lang: str) -> Iterator[ChatUpdate]:
    try:
        for event in service.stream(turn.question, section=turn.scope, history=history):
            if isinstance(event, Delta):
                turn.partial += event.text
                yield ChatUpdate(turns)
            elif isinstance(event, Final):
                turn.answer = event.answer
    except ValueError as exc:
        turn.error = say("chat.not_answered", lang, error=exc)
    except StoreUnavailable as exc:
        log.warning("question not answered: %s", exc)
        turn.error = say("store.unavailable", lang)
    if turn.answer is not None:
        turn.suggestions = suggestions(turn.answer, service.sections(), [t.question for t in turns])
    yield ChatUpdate(turns)
