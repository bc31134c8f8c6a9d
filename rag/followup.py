"""Follow-up questions: make "Och vad säger rapporten om juridiken där?" standalone.

Retrieval only sees one question, so a follow-up that leans on the conversation
("där", "det", "and what about …") is rewritten before it is searched. The
default ``KeywordCondenser`` needs no LLM: when a question reads as a follow-up
it appends the topic words of the previous standalone question. ``LLMCondenser``
(generative modes) asks the chat model for the rewrite and falls back to the
keyword rewrite when the model fails or answers with something unusable.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from rag.lexical import STOPWORDS, detect_lang, words
from rag.types import Turn

log = logging.getLogger(__name__)


class Condenser(Protocol):
    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The question rewritten so that it can be understood without ``history``."""
        ...


@dataclass(frozen=True)
class Resolution:
    """A question read in its conversation: what to search, whether that is a rewrite worth
    showing, and the conversation topic a follow-up carries (None for a question on its own)."""

    standalone: str
    rewritten: bool = False
    topic: str | None = None


def resolve(condenser: Condenser, question: str, history: Sequence[Turn]) -> Resolution:
    """``question`` made standalone from ``history`` by ``condenser``."""
    question = question.strip()
    if not history:
        return Resolution(question)
    standalone = condenser.condense(question, history)
    return Resolution(standalone, rewritten=standalone != question)


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


# A rewrite far longer than the question is an answer or an explanation, not a question.
MAX_REWRITE_CHARS = 400
_QUOTES = "\"'“”«»‘’`"
_PREFIX = re.compile(r"^(fristående fråga|standalone question|omskriven fråga|rewritten question)\s*:\s*", re.I)


class LLMCondenser:
    """Rewrites a follow-up with a chat model; ``KeywordCondenser`` when that fails."""

    def __init__(self, model, timeout_s: float = 60.0, fallback: Condenser | None = None) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.fallback = fallback or KeywordCondenser()

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        from rag.generative import describe_error, message_text
        from rag.prompts import condense_messages

        question = question.strip()
        if not history:
            return question
        try:
            reply = self.model.invoke(condense_messages(question, history, detect_lang(question)))
        except Exception as exc:  # noqa: BLE001 - a failed rewrite must not cost the answer
            log.warning("follow-up rewrite failed (%s); rewriting by keywords", describe_error(exc, self.timeout_s))
            return self.fallback.condense(question, history)
        rewrite = _clean_rewrite(message_text(reply))
        if not rewrite or len(rewrite) > max(MAX_REWRITE_CHARS, 3 * len(question)):
            log.warning("follow-up rewrite unusable (%d characters); rewriting by keywords", len(rewrite))
            return self.fallback.condense(question, history)
        return rewrite


def _clean_rewrite(text: str) -> str:
    """First non-empty line of the reply, without a "Standalone question:" prefix or quotes."""
    from rag.generative import strip_thinking

    lines = [line.strip() for line in strip_thinking(text).splitlines() if line.strip()]
    if not lines:
        return ""
    return _PREFIX.sub("", lines[0]).strip(_QUOTES + " ").strip()
