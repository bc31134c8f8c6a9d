"""Suggested follow-up questions under an answer, drawn from the report's own headings.

Nothing is generated: each suggestion names a heading of the report in a fixed question form,
so it is deterministic and always points at text the report has. For the chapters the answer
cites, the report's recommendations come first (a section under a "Rekommendationer …" heading:
"Vad innebär rådet ”Involvera verksamhetens bredd från start”?"), then the section that follows
a cited one ("Vad säger rapporten om ”Tydlig ansvarsfördelning”?"). Sections the answer already
cites, headings that say nothing on their own (Sammanfattning, Metod, a numbered question of the
interview template, OCR debris) and questions asked earlier in the conversation are left out.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from rag.answering.messages import say
from rag.index.chunking import SECTION_SEP
from rag.types import Answer

SUGGESTIONS_SHOWN = 3
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
    cited = [c.passage.section for c in answer.citations]
    cited_set = set(cited)
    chapters = list(dict.fromkeys(section.split(SECTION_SEP)[0] for section in cited))
    candidates: list[tuple[str, str]] = []
    for chapter in chapters:
        for section in sections:
            if section.split(SECTION_SEP)[0] == chapter and _is_recommendation(section):
                candidates.append(("ui.suggestion.recommendation", section))
    order = {section: i for i, section in enumerate(sections)}
    for section in cited:
        i = order.get(section)
        if i is not None and i + 1 < len(sections):
            following = sections[i + 1]
            if following.split(SECTION_SEP)[0] == section.split(SECTION_SEP)[0]:
                candidates.append(("ui.suggestion.topic", following))
    seen = {_normal(q) for q in asked}
    # A section is suggested in one form only, even when that form was asked already.
    considered = set(cited_set)
    out: list[str] = []
    for key, section in candidates:
        heading = section.split(SECTION_SEP)[-1].strip()
        if section in considered or not _readable(heading):
            continue
        considered.add(section)
        question = say(key, answer.lang, heading=heading)
        if _normal(question) in seen:
            continue
        seen.add(_normal(question))
        out.append(question)
        if len(out) == limit:
            break
    return tuple(out)
