"""What the chat tab knows besides layout: example questions, the scope choices, and the
conversation as the service sees it (follow-ups are asked with the earlier turns)."""

from __future__ import annotations

from typing import Any

from rag.types import Turn
from rag.product.web.render import ChatTurn

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

