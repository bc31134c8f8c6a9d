"""Follow-up questions: which questions lean on the conversation, and what they carry from it.

A question is a follow-up when it cannot be understood on its own: it opens like a continuation
("Och …", "Men …", "Hur är det med …", "What about …"), it has a word pointing back at something
said before ("där", "det arbetet", "dem", "en sådan", "that team", "it"), or it is too bare to
search on ("Vad kan cheferna göra konkret?"). A dummy "det"/"it" ("Är det vanligt att …",
"How much does it cost to …") points at nothing, and a pointing word whose antecedent is in the
question itself ("Vad är en koalition och varför behövs en sådan?") is no follow-up either. These
forms, and a determined definite noun ("dom frågorna"), a plural pronoun as subject ("de ska …") and
the absence of any word rarer than everyday language ("Can you give an example?"), are measured as
``signals``; the decision is a logistic regression over them fitted with cross-validation
(``python -m evals.train_followup``), not a list of phrases. A question that stands on its own is
never rewritten.

A follow-up is searched in its own words, so the answer answers what it asks, with the topic of
the conversation beside it: the previous turn as it was understood, itself with its own topic
(``Resolution.topic``), which ``rag.answering.query`` turns into one weighted vector and ``rag.answering.retrieval``
searches next to the question. Nothing is glued onto the question, and the topic never grows:
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
from functools import lru_cache
from typing import Protocol, Sequence

from rag.lexical import STOPWORDS, detect_lang, zipf_en, zipf_sv
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


# Openings that tie a question to the one before; searching them would look for "berätta" or "och".
_TIES = (
    "hur är det med", "hur blir det med", "vad gäller", "vad sägs om", "berätta mer om", "berätta mer", "mer om",
    "och", "men", "samt", "också", "även", "så",
    "what about", "how about", "tell me more about", "tell me more", "more about", "and", "but", "also", "so", "then",
)
_TIE = re.compile(r"^\s*({})\b[\s,]*".format("|".join(_TIES)), re.I)
# Openings that mark a follow-up: the ties, and a few that are the ask itself.
_OPENERS = re.compile(r"^\s*({}|vad händer med|what else)\b".format("|".join(_TIES)), re.I)


def own_ask(question: str) -> str:
    """A follow-up's own ask, what is searched: without the words that only tie it to the turn
    before ("Och …", "Tell me more about …")."""
    rest = _TIE.sub("", question).strip()
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

_TOKEN = re.compile(r"[^\W_]+(?:[-'’:][^\W_]+)*|[,;:.!?–—]")
_PUNCTUATION = frozenset(",;:.!?–—")
_CLAUSE_BREAKS = _PUNCTUATION | frozenset("och men eller and but or".split())
# Words that always point back at something said before.
_POINTING = frozenset(
    "dem deras dessa denna detta sådan sådana sådant sån såna sånt samma han hon honom henne "
    "they them their theirs these those such same else he she him her".split()
)
# Pronouns that point back unless they are a dummy subject or introduce something in the question.
_PRONOUNS = frozenset({"det", "den", "it", "that", "this"})
# Adverbs that point back when they end the question ("Vad står data för där?", "What happens then?").
_FINAL_POINTING = frozenset({"där", "dit", "då", "här", "de", "there", "then", "one", "ones"})
# After these a "det" is a dummy subject: "Finns det …", "Behövs det …".
_EXISTENTIAL = frozenset("finns fanns förekommer saknas råder händer hände behövs krävs".split())
# A dummy "det"/"it" anticipates a clause: "Är det vanligt att …", "Is it common to …".
_CLAUSE_MARKERS_SV = frozenset("att som innan tills ifall om när".split())
_CLAUSE_MARKERS_EN = frozenset("to that whether if when".split())
_BE_EN = frozenset("is was isn't wasn't would will does did cost costs take takes be".split())
# A demonstrative before these names the report itself, not something said before.
_SELF_REFERENCE = re.compile(r"^(rapport|report|studie|study|undersökning|paper)")
# Determiners before these adjectives make a generic phrase ("den offentliga sektorn").
_GENERIC_ADJECTIVES = frozenset(
    "offentliga kommunala egna svenska nationella digitala statliga privata största första andra hela nya "
    "flesta senaste".split()
)
_PREPOSITIONS_EN = frozenset("on in of about for with to from at by into under over".split())
# Words that carry no topic of their own in a question to the report.
_GENERIC = frozenset(
    "kommun kommuner kommunen kommunerna kommunens municipality municipalities municipal göra gör gjort "
    "själva själv konkret konkreta egentligen exempel exempelvis mer more tell berätta menas betyder innebär "
    "mean means example examples annat sen sedan do make".split()
)
RARE_ZIPF = 3.0  # a word rarer than this in general language is a topic of its own ("pratsamverkan")


def says_little(question: str) -> bool:
    """A follow-up that names no topic of its own ("Why is that?", "Och vem ska ansvara för det?"):
    too bare to search on, or without a word rarer than everyday language. Its conversation's
    topic then weighs more in what is found (``rag.answering.query.TOPIC_SHARE_SAYS_LITTLE``)."""
    x = signals(question)
    return bool(x[SIGNALS.index("too_bare")] or x[SIGNALS.index("no_specific_word")])


def is_follow_up(question: str) -> bool:
    """Whether ``question`` needs the earlier turns to be understood: a logistic regression over
    ``signals`` (weights in ``rag.answering.followup_weights``, fitted by ``python -m evals.train_followup``)."""
    from rag.answering.followup_weights import FOLLOW_UP

    return FOLLOW_UP.decide(signals(question))


SIGNALS = (
    "opener",  # opens like a continuation: "Och …", "What about …"
    "pointing_word",  # a word that always points back: "dem", "sådan", "those"
    "pronoun_back",  # "det"/"it"/"that" that is no dummy subject
    "final_pointing",  # "… där?", "… then?", "… gjort så?" at the end
    "determiner_definite",  # "dom frågorna", "de områdena", "den formen": a determined definite noun
    "subject_pronoun",  # "de ska …", "they should …": a plural pronoun as subject
    "too_bare",  # at most one topic word, and a common one
    "no_specific_word",  # not one word rarer than everyday language: "Can you give an example?"
    "content_words",  # how many topic words, scaled: a long question stands on its own
    "definite_noun",  # a Swedish noun in definite form, its referent taken as known: "situationen", "ansvaret"
    "commonest_rarest",  # how common its rarest topic word is, scaled: no word of its own to search on
)


def signals(question: str) -> tuple[float, ...]:
    """The measured signals of ``question`` (names in ``SIGNALS``), each 0/1 except the last."""
    tokens = _tokens(question)
    lang = detect_lang(question)
    pointing, pronoun, final = _pointing_kinds(tokens)
    content = _content(tokens)
    zipf = zipf_sv if lang == "sv" else zipf_en
    specific = [w for w in content if "-" in w or zipf(w) < COMMON_ZIPF]
    return (
        float(bool(_OPENERS.search(question))),
        float(pointing),
        float(pronoun),
        float(final or _ends_with_so(tokens)),
        float(_determiner_definite(tokens)),
        float(_subject_pronoun(tokens)),
        float(_too_bare(tokens, lang)),
        float(not specific),
        min(len(content), 6) / 6,
        float(lang == "sv" and any(definite_noun(w) for w in content if not _SELF_REFERENCE.match(w))),
        _commonest_rarest(content, zipf),
    )


@dataclass(frozen=True)
class FollowUpModel:
    """A logistic regression over ``signals``: a follow-up when ``coef · x + intercept > 0``."""

    coef: tuple[float, ...]
    intercept: float

    def logit(self, x: tuple[float, ...]) -> float:
        return self.intercept + sum(c * v for c, v in zip(self.coef, x))

    def decide(self, x: tuple[float, ...]) -> bool:
        return self.logit(x) > 0


COMMON_ZIPF = 5.0  # a word at least this common (wordfreq Zipf) is everyday language, no topic ("give", "gjort")
_DETERMINERS = frozenset("de dom den det denna detta dessa".split())
_DEFINITE = re.compile(r"\w{3,}(na|en|et)$")
_SUBJECT_PRONOUNS = frozenset("de dom they".split())
_AUXILIARIES = frozenset(
    "ska skall kan bör borde har hade är var gör gjorde behöver måste vill brukar får "
    "should could can would will do did have has are were must need".split()
)


def _pointing_kinds(tokens: list[str]) -> tuple[bool, bool, bool]:
    """(a pointing word, a pronoun pointing back, a pointing adverb at the end), each without an
    antecedent in the question itself."""
    last_word = max((i for i, t in enumerate(tokens) if t not in _PUNCTUATION), default=-1)
    found = [False, False, False]
    for i, token in enumerate(tokens):
        if _antecedent_in_question(tokens, i):
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _POINTING and not (token == "such" and nxt == "as") and nxt not in ("som", "who", "that"):
            found[0] = found[0] or not _bound_possessive(tokens, i)
        if token in _FINAL_POINTING and i == last_word and (token != "one" or _determined_one(tokens, i)):
            found[2] = True
        if token in _PRONOUNS and _pronoun_points_back(tokens, i):
            found[1] = True
    return found[0], found[1], found[2]


_DEFINITE_ENDINGS = frozenset("en et n t na erna arna orna ena".split())


@lru_cache(maxsize=4096)
def definite_noun(word: str) -> bool:
    """A Swedish noun in definite form: its lemma plus a definite ending ("situationen" of
    "situation", "frågorna" of "fråga", "ansvaret" of "ansvar"). A definite noun the question does
    not introduce presents its referent as known, often from the turn before."""
    import simplemma

    try:
        lemma = simplemma.lemmatize(word, lang="sv").lower()
    except ValueError:
        return False
    if lemma == word:
        return False
    if word.startswith(lemma) and word[len(lemma):] in _DEFINITE_ENDINGS:  # ansvar-et, chef-erna, strategi-n
        return True
    # a lemma's final vowel gives way to the ending: fråg(a)-orna, arbet(e)-t, medborgar(e)-na
    return lemma[-1] in "ae" and word.startswith(lemma[:-1]) and word[len(lemma) - 1:] in _DEFINITE_ENDINGS


def _bound_possessive(tokens: list[str], i: int) -> bool:
    """English "their" after a plural noun of the same question ("municipalities that redefine
    their goals") refers to that noun; Swedish would say "sina" there, so "deras" still points back."""
    return tokens[i] == "their" and any(
        t.endswith("s") and not t.endswith("ss") and len(t) > 3 and t not in STOPWORDS for t in tokens[:i]
    )


def _commonest_rarest(content: list[str], zipf) -> float:
    """The Zipf frequency of the question's rarest topic word (a compound counts as rare), from
    ``RARE_ZIPF - 1`` (0) to ``COMMON_ZIPF + 1`` (1); 1 without any topic word."""
    rarest = min((0.0 if "-" in w else zipf(w) for w in content), default=COMMON_ZIPF + 1)
    low, high = RARE_ZIPF - 1, COMMON_ZIPF + 1
    return (min(max(rarest, low), high) - low) / (high - low)


def _ends_with_so(tokens: list[str]) -> bool:
    """"… som har gjort så?": a manner adverb at the end points at what was said."""
    words = [t for t in tokens if t not in _PUNCTUATION]
    return len(words) >= 2 and words[-1] == "så"


def _determiner_definite(tokens: list[str]) -> bool:
    for i in range(len(tokens) - 1):
        if tokens[i] in _DETERMINERS and _DEFINITE.match(tokens[i + 1]) and tokens[i + 1] not in _GENERIC:
            if tokens[i + 1] in _GENERIC_ADJECTIVES or _SELF_REFERENCE.match(tokens[i + 1]):
                continue
            if not _antecedent_in_question(tokens, i):
                return True
    return False


def _subject_pronoun(tokens: list[str]) -> bool:
    return any(
        t in _SUBJECT_PRONOUNS and i + 1 < len(tokens) and tokens[i + 1] in _AUXILIARIES
        and not _antecedent_in_question(tokens, i)
        for i, t in enumerate(tokens)
    )


def _tokens(question: str) -> list[str]:
    """Lower-case words and punctuation; acronyms keep their case, so "IT" is never the pronoun "it"."""
    return [t if len(t) > 1 and t.isupper() else t.lower() for t in _TOKEN.findall(question)]


def _antecedent_in_question(tokens: list[str], i: int) -> bool:
    """A clause before position ``i`` names enough for a pointing word to refer to it."""
    breaks = [j for j in range(1, i) if tokens[j] in _CLAUSE_BREAKS]
    return bool(breaks) and len(_content(tokens[: breaks[-1]])) >= 2


def _determined_one(tokens: list[str], i: int) -> bool:
    return any(t in ("the", "that", "this", "which") for t in tokens[max(0, i - 3) : i])


def _pronoun_points_back(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    prev = tokens[i - 1] if i else ""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    after = nxt if nxt not in ("här", "där") else (tokens[i + 2] if i + 2 < len(tokens) else "")
    if _SELF_REFERENCE.match(after) or nxt in _GENERIC_ADJECTIVES:
        return False
    later = set(tokens[i + 2 :])  # a marker right after the pronoun ("det som") is the same clause
    if token == "that":
        # Demonstrative after a preposition or auxiliary ("on that team", "does that mean") or at the
        # end; otherwise a conjunction or relative ("true that …", "risks that …").
        return prev in _PREPOSITIONS_EN or prev in _BE_EN or nxt in ("", "?", ".")
    if token == "this":
        return True
    if token == "it":
        return not ((prev in _BE_EN or nxt in _BE_EN) and later & _CLAUSE_MARKERS_EN)
    # "finns det …", "vad är det för …", "när det gäller …", "det som …", "det att …"
    if prev in _EXISTENTIAL or (prev in ("är", "var") and nxt == "för") or nxt == "gäller" or nxt in _CLAUSE_MARKERS_SV:
        return False
    return not (later & _CLAUSE_MARKERS_SV)


def _content(tokens: list[str]) -> list[str]:
    return [
        t for t in tokens if t not in STOPWORDS and t not in _GENERIC and t not in _CLAUSE_BREAKS and len(t) > 1
    ]


def _too_bare(tokens: list[str], lang: str) -> bool:
    """At most one topic word, and not a rare one or a compound: too little to search on its own."""
    content = _content(tokens)
    if len(content) > 1:
        return False
    zipf = zipf_sv if lang == "sv" else zipf_en
    return not any("-" in w or zipf(w) < RARE_ZIPF for w in content)


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
