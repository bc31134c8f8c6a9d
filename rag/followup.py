"""Follow-up questions: make "Och vad säger rapporten om juridiken där?" standalone.

Retrieval only sees one question, so a follow-up that leans on the conversation
("där", "det", "and what about …") is rewritten before it is searched. The
default ``KeywordCondenser`` needs no LLM: when a question reads as a follow-up
it appends the topic words of the previous standalone question. An LLM-backed
condenser (generative mode) implements the same one-method protocol.
"""

from __future__ import annotations

import re
from typing import Protocol, Sequence

from rag.lexical import STOPWORDS, words
from rag.types import Turn


class Condenser(Protocol):
    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The question rewritten so that it can be understood without ``history``."""
        ...


# Openings and pointing words that only make sense after an earlier question.
_OPENERS = re.compile(
    r"^\s*(och|men|samt|också|även|då|så|hur är det med|vad gäller|gäller det|"
    r"and|but|also|so|then|what about|how about)\b",
    re.I,
)
_ANAPHORA = frozenset(
    "där det detta den denna dessa dem de sådan sådana dit då här sånt samma "
    "there it this that these those they them such same".split()
)
_FEW_TOPIC_WORDS = 2


def topic_words(text: str) -> list[str]:
    """Content words of a question in order, without duplicates."""
    return list(dict.fromkeys(w for w in words(text) if w not in STOPWORDS and len(w) > 2 and "-" not in w))


def is_follow_up(question: str) -> bool:
    tokens = words(question)
    return bool(
        _OPENERS.search(question)
        or any(t in _ANAPHORA for t in tokens)
        or len(topic_words(question)) <= _FEW_TOPIC_WORDS
    )


class KeywordCondenser:
    """Appends the previous question's topic words to a follow-up that needs them."""

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        question = question.strip()
        if not history or not is_follow_up(question):
            return question
        own = set(topic_words(question))
        carried = [w for w in topic_words(history[-1].question) if w not in own]
        if not carried:
            return question
        return "{} ({})".format(question, " ".join(carried))
