"""Follow-up questions: which questions lean on the conversation, and what they carry from it.

A question is a follow-up when it cannot be understood on its own: it opens like a continuation
("Och …", "Men …", "Hur är det med …", "What about …"), it has a word pointing back at something
said before ("där", "det arbetet", "dem", "en sådan", "that team", "it"), or it is too bare to
search on ("Vad kan cheferna göra konkret?"). A dummy "det"/"it" ("Är det vanligt att …",
"How much does it cost to …") points at nothing, and a pointing word whose antecedent is in the
question itself ("Vad är en koalition och varför behövs en sådan?") is no follow-up either. These
forms, and a determined definite noun ("dom frågorna"), a plural pronoun as subject ("de ska …"), a
Swedish noun in definite form ("situationen"), the absence of any word rarer than everyday language
("Can you give an example?") and how common the rarest word is, are measured as ``signals``; the decision is a logistic regression over them fitted with cross-validation
(``python -m evals.train_followup``), not a list of phrases. A question that stands on its own is
never rewritten.

A follow-up is searched in its own words, so the answer answers what it asks, with the topic of
the conversation beside it: the previous turn as it was understood, itself with its own topic
(``Resolution.topic``), which ``rag.answering.query`` turns into a ``Topic`` and ``rag.answering.retrieval``
scores apart from the question's own words, so that what is found is about the topic and answers
the question; the topic weighs more when the follow-up ``says_little`` of its own ("Why is that?").
Nothing is glued onto the question, and the topic never grows:
each turn carries exactly one resolution, the previous turn's. What "Tolkad som" shows is a
question in the user's language that names what it follows on from ("Apropå ”Hur går vi från
pilotprojekt till storskalig användning av AI?”: vad säger rapporten om kompetens där?").

In generative modes ``LLMCondenser`` asks the chat model for a standalone rewrite instead; when
the model fails, the follow-up carries the topic as above.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from rag.lexical import STOPWORDS, detect_lang
from rag.answering.followup_signals import TIE, is_follow_up
from rag.answering.messages import say
from rag.answering.prompts import condense_messages
from rag.answering.replies import describe_error, message_text, strip_thinking
from rag.types import Turn

log = logging.getLogger(__name__)


class Condenser(Protocol):
    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """A standalone rewrite of the follow-up ``question``, or None to search it in its own
        words with the conversation's topic beside it."""
        ...


@dataclass(frozen=True)
class Resolution:
    """A question read in its conversation.

    ``standalone``: what is searched and scored (the question as typed, or a model's rewrite);
    ``shown``: what "Tolkad som" shows, None for a question that stands on its own;
    ``topic``: for a follow-up searched in its own words, the previous turn as it was understood.
    """

    standalone: str
    shown: str | None = None
    topic: "Resolution | None" = None
    typed: str | None = None  # the question as typed, when ``standalone`` is a follow-up's own ask

    @property
    def question(self) -> str:
        return self.typed or self.standalone

    @property
    def anchor(self) -> str:
        """The question that started this chain of follow-ups."""
        return self.topic.anchor if self.topic is not None else self.standalone


# A follow-up's topic reaches back at most this many turns; an older one weighs too little to count.
MAX_CARRIED_TURNS = 4


def resolve(question: str, history: Sequence[Turn], condenser: Condenser | None = None) -> Resolution:
    """``question`` read in the conversation ``history`` (oldest first, questions as typed).
    Without a ``condenser`` (or when it declines) a follow-up carries the topic."""
    question = question.strip()
    history = [t for t in history if t.question.strip()][-MAX_CARRIED_TURNS:]
    if not history or not is_follow_up(question):
        return Resolution(question)
    rewrite = condenser.condense(question, history) if condenser is not None else None
    if rewrite and rewrite.strip() != question:
        return Resolution(rewrite.strip(), shown=rewrite.strip())
    return as_follow_up(question, history)


def as_follow_up(question: str, history: Sequence[Turn]) -> Resolution:
    """``question`` read as a follow-up of the last turn of ``history`` (not empty), carrying its
    topic, whatever ``is_follow_up`` says (evaluation reads marked follow-ups this way)."""
    question = question.strip()
    history = [t for t in history if t.question.strip()][-MAX_CARRIED_TURNS:]
    previous = resolve(history[-1].question, history[:-1])
    ask = own_ask(question)
    return Resolution(ask, shown=framed(question, previous), topic=previous, typed=question if ask != question else None)


def own_ask(question: str) -> str:
    """A follow-up's own ask, what is searched: without the words that only tie it to the turn
    before ("Och …", "Tell me more about …")."""
    rest = TIE.sub("", question).strip()
    return rest if re.search(r"\w", rest) else question


def framed(question: str, previous: Resolution) -> str:
    """The follow-up as a question in its own language that names what it follows on from: the
    question that started the conversation's thread and, when the previous turn was itself a
    follow-up, that one too (never more than these two)."""
    quoted = [previous.anchor]
    if previous.topic is not None:
        quoted.append(previous.question)
    lang = detect_lang(question)
    marks = ["”{}”".format(q) if lang == "sv" else "“{}”".format(q) for q in quoted]
    return say("followup.framed", lang, earlier=" {} ".format(say("and", lang)).join(marks), question=_continued(question))


_LEADING_CONJUNCTION = re.compile(r"^(och|men|samt|and|but|so|also)\s+(?=\S)", re.I)


def _continued(question: str) -> str:
    """The follow-up as the continuation of a sentence: without a leading "och"/"and", and with a
    lower-case first word unless that is a name ("Sundsvall") or an acronym ("AI")."""
    text = _LEADING_CONJUNCTION.sub("", question.strip())
    first = text.split(maxsplit=1)[0] if text else ""
    if first and first.rstrip("?,.!").lower() in STOPWORDS | _QUESTION_WORDS:
        text = text[0].lower() + text[1:]
    return text


# Words a question opens with that are not names, so they are lower-cased after "Apropå …:".
_QUESTION_WORDS = frozenset(
    "vem vems när finns fanns har hade kan ska bör är var blir gäller går behöver måste får vill brukar "
    "who whom where is are was were does do did can could should would will has have tell give explain "
    "describe list".split()
)

# A rewrite far longer than the question is an answer or an explanation, not a question.
MAX_REWRITE_CHARS = 400
_QUOTES = "\"'“”«»‘’`"
_PREFIX = re.compile(r"^(fristående fråga|standalone question|omskriven fråga|rewritten question)\s*:\s*", re.I)


class LLMCondenser:
    """Rewrites a follow-up with a chat model; None (carry the topic) when that fails."""

    def __init__(self, model, timeout_s: float = 60.0) -> None:
        self.model = model
        self.timeout_s = timeout_s

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        question = question.strip()
        if not history:
            return None
        try:
            reply = self.model.invoke(condense_messages(question, history, detect_lang(question)))
        except Exception as exc:  # noqa: BLE001 - a failed rewrite must not cost the answer
            log.warning("follow-up rewrite failed (%s); carrying the topic instead", describe_error(exc, self.timeout_s))
            return None
        rewrite = _clean_rewrite(message_text(reply))
        if not rewrite or len(rewrite) > max(MAX_REWRITE_CHARS, 3 * len(question)):
            log.warning("follow-up rewrite unusable (%d characters); carrying the topic instead", len(rewrite))
            return None
        return rewrite


def _clean_rewrite(text: str) -> str:
    """First non-empty line of the reply, without a "Standalone question:" prefix or quotes."""
    lines = [line.strip() for line in strip_thinking(text).splitlines() if line.strip()]
    if not lines:
        return ""
    return _PREFIX.sub("", lines[0]).strip(_QUOTES + " ").strip()
