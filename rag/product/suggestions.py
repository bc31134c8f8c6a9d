"""Suggested follow-up questions under an answer, drawn from the report's own headings.

Nothing is generated: each suggestion names a heading of the report in a fixed question form,
so it is deterministic and always points at text the report has. Two kinds alternate: the section
that follows a cited one in its chapter ("Vad säger rapporten om ”Tydlig ansvarsfördelning”?"),
and the report's recommendations in the cited chapters, a section under a "Rekommendationer …"
heading, taken from each cited chapter in turn ("Vad innebär rådet ”Involvera verksamhetens bredd
från start”?"). Sections the answer already cites, headings that say nothing on their own
(Sammanfattning, Metod, a numbered question of the interview template, OCR debris) and questions
asked earlier in the conversation are left out.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from rag.answering.messages import say
from rag.index.chunking import SECTION_SEP
from rag.types import Answer

SUGGESTIONS_SHOWN = 3
QUESTION_FORMS = ("ui.suggestion.topic", "ui.suggestion.recommendation")
RECOMMENDATION_PREFIX = "rekommendation"
# Headings that only make sense inside their chapter, or that are not about the subject.
GENERIC_HEADINGS = frozenset({"sammanfattning", "metod", "tack", "kontaktuppgifter", "referenser", "inledning"})
# A heading a person would recognise: letters, digits, spaces and ordinary punctuation, not a
# numbered item ("1. Personlig bakgrund") and not a line of capitals (a figure's labels).
_READABLE = re.compile(r"^[^\W\d_][\w ,:–\-’'\"“”()/&]*$")
_NUMBERED = re.compile(r"^\d+\.")


def _readable(heading: str) -> bool:
    return (
        bool(_READABLE.match(heading))
        and not _NUMBERED.match(heading)
        and not heading.isupper()
        and heading.casefold() not in GENERIC_HEADINGS
        and 2 <= len(heading.split()) <= 12
    )


def _is_recommendation(section: str) -> bool:
    return any(part.casefold().startswith(RECOMMENDATION_PREFIX) for part in section.split(SECTION_SEP)[1:-1])


def _normal(question: str) -> str:
    return " ".join(question.casefold().split())


def suggestions(
    answer: Answer, sections: Sequence[str], asked: Iterable[str] = (), limit: int = SUGGESTIONS_SHOWN
) -> tuple[str, ...]:
    """Up to ``limit`` follow-up questions for ``answer``, in the answer's language.

    ``sections``: every section path of the index in reading order (``RagService.sections()``);
    ``asked``: the questions of the conversation so far, the answer's own included.
    """
    if answer.outcome == "decline" or not answer.citations:
        return ()
    cited = list(dict.fromkeys(c.passage.section for c in answer.citations))
    usable = [
        section for section in sections
        if section not in cited and _readable(section.split(SECTION_SEP)[-1].strip())
    ]
    topics = list(dict.fromkeys(t for t in (_following(section, sections, usable) for section in cited) if t))
    recommendations = _round_robin(
        [[s for s in usable if _chapter(s) == chapter and _is_recommendation(s)]
         for chapter in dict.fromkeys(_chapter(section) for section in cited)]
    )
    seen = {_normal(q) for q in asked}
    out: list[str] = []
    for kind, section in _interleave(topics, recommendations):
        question = say(QUESTION_FORMS[kind], answer.lang, heading=section.split(SECTION_SEP)[-1].strip())
        if _normal(question) not in seen:
            seen.add(_normal(question))
            out.append(question)
    return tuple(out[:limit])


def _chapter(section: str) -> str:
    return section.split(SECTION_SEP)[0]


def _following(section: str, sections: Sequence[str], usable: list[str]) -> str | None:
    """The first usable section after ``section`` in its chapter that is not a recommendation."""
    if section not in sections:
        return None
    for later in sections[sections.index(section) + 1 :]:
        if _chapter(later) != _chapter(section):
            return None
        if later in usable and not _is_recommendation(later):
            return later
    return None


def _round_robin(groups: list[list[str]]) -> list[str]:
    """One from each group in turn: [[a1, a2], [b1]] -> [a1, b1, a2]."""
    out: list[str] = []
    for i in range(max((len(g) for g in groups), default=0)):
        out += [g[i] for g in groups if i < len(g)]
    return out


def _interleave(topics: list[str], recommendations: list[str]) -> list[tuple[int, str]]:
    """Topic, recommendation, topic, …, each tagged 0 (topic) or 1 (recommendation); the longer
    list's rest at the end."""
    out: list[tuple[int, str]] = []
    for i in range(max(len(topics), len(recommendations))):
        out += [(0, topics[i])] if i < len(topics) else []
        out += [(1, recommendations[i])] if i < len(recommendations) else []
    return out
