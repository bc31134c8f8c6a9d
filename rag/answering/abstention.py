"""Whether the report answers a question: answer, partial answer, or decline, with a typed reason.

Three outcomes, decided in this order:

1. **decline, not covered**: no candidate sentence, or even the best sentence's evidence score
   (embedding similarity plus stemmed overlap) is below ``abstain_threshold``;
2. **decline, unknown terms**: below the higher ``abstain_specific_below``, the question is about
   something the report never names. For a Swedish question: names, numbers and words rare in
   general Swedish that occur nowhere in the report, after compounds and inflections are taken
   apart ("nyrekrytera" is known through "rekrytera"); for an English question: acronyms and
   numbers (English words never occur in the Swedish report, so their absence says nothing);
3. **partial, missing fact**: the question asks for a kind of fact (an amount, a count, a date, a
   legal article, a named product) and none of the best sentences states one; the report covers the
   topic, so the nearest it says is shown, marked as not answering exactly that;
4. otherwise **answer**.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from rag.config import Settings
from rag.lexical import STOPWORDS, decompound, stem, terms, words, zipf_en, zipf_sv
from rag.answering.query import Query
from rag.answering.selection import Candidate

RARE_ZIPF = 2.5  # below this a word is specific enough that its absence from the report matters
# An English word the dictionary knows, none of whose translations the report uses, names a missing
# topic when it is this rare in English: on dev this catches "clauses" (3.4) and spares "cope" (4.04).
EN_RARE_ZIPF = 4.0
COMMON_PART_ZIPF = 3.0  # a compound part this common in general Swedish needs no support from the report
MIN_KNOWN_PART = 4  # shortest corpus stem that makes a longer word known (a head or a tail)
FACT_SENTENCES = 8  # how many of the best sentences may state the asked-for fact
# Prefixes that make a new word of a known one without changing its topic ("nyrekrytera", "inaktuell").
_PREFIXES = ("ny", "in", "o", "om", "åter", "sam", "ut", "an", "be", "för", "över", "under", "miss", "icke")

_PROPER = re.compile(r"(?<=[\s(“\"'])[A-ZÅÄÖ][\w]+")
# A compound whose head is one of these names a particular law ("arkivlagen", "AI-förordningen").
_LEGAL_HEAD = re.compile(r"(lag|lagen|lagar|förordning|förordningen|direktiv|direktivet|balk|balken)$")
# Names of the same law: a question may name it the way the report does not.
LEGAL_ALIASES = {"dataskyddsförordningen": "gdpr", "dataskyddsförordning": "gdpr"}
_ACRONYM = re.compile(r"\b(?:[A-ZÅÄÖ]{2,}|\w*\d\w*)\b")
# How a manager says who and where they are before asking: "Jag är socialchef i Härnösand.",
# "Vi har en Microsoft-miljö, vad …", "Våra rektorer i Ale …". What such a clause names is the asker's
# setting, not what is asked about, so its absence from the report says nothing.
_FIRST_PERSON = frozenset("jag vi vår vårt våra mig oss min mitt mina i' we our us my".split())
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_ASK_AFTER_COMMA = re.compile(
    r",\s*(?=(?:hur|vad|vilk\w*|när|var|varför|vem|kan|ska|bör|borde|får|måste|finns|how|what|which|should|can)\b)",
    re.I,
)
_PLACE = re.compile(r"\b(?:i|på|från|inom|hos|in|at|from)\s+([A-ZÅÄÖ][\w-]*(?:\s+[A-ZÅÄÖ][\w-]*)*)")
_NUMBER_WORDS = (
    r"två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tjugo|trettio|fyrtio|femtio|hundra\w*|tusen\w*|"
    r"miljon\w*|miljard\w*|dussin|hälften|majoriteten"
)
# What a sentence must contain to state each kind of fact.
FACT_PATTERNS = {
    "amount": re.compile(
        r"\d[\d\s.,]*\s*(kr|kronor|sek|tkr|mkr|mnkr|miljon\w*|miljard\w*|euro|€|%|procent)\b|"
        r"\b(" + _NUMBER_WORDS + r")\s+(kronor|miljoner|miljarder|procent)\b",
        re.I,
    ),
    "count": re.compile(r"\b\d+\b|\b(" + _NUMBER_WORDS + r")\b", re.I),
    "date": re.compile(
        r"\b(19|20)\d\d\b|\b(januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|"
        r"december|våren|hösten|sommaren|vintern)\b",
        re.I,
    ),
    "legal_article": re.compile(r"\b(artikel|art\.)\s*\d+|\d+\s*(kap\.|kapitlet|§)|§\s*\d+", re.I),
    # A brand-like name ("ChatGPT", "OpenAI") or a trademark sign: the report names no product.
    "product": re.compile(r"\b[A-Z][a-z]+[A-Z]\w*|®|™"),
}


@dataclass(frozen=True)
class Decision:
    outcome: str  # "answer", "partial" or "decline"
    kind: str | None = None  # "not_covered", "unknown_terms" or "missing_fact"
    evidence: float = 0.0  # the best candidate's evidence score
    unknown_terms: tuple[str, ...] = ()
    missing_fact: str | None = None


class AbstentionPolicy:
    def __init__(self, settings: Settings, vocabulary: AbstractSet[str], unknown_share) -> None:
        self.threshold = settings.abstain_threshold
        self.specific_below = settings.abstain_specific_below
        self.unknown_share_limit = settings.abstain_unknown_share
        self.vocabulary = vocabulary
        self.unknown_share = unknown_share  # callable: share of a question's idf weight the corpus lacks

    def decide(self, query: Query, candidates: list[Candidate]) -> Decision:
        evidence = max((c.evidence for c in candidates), default=0.0)
        if evidence < self.threshold:
            return Decision("decline", "not_covered", evidence)
        if evidence < self.specific_below:
            unknown = self._unknown_terms(query)
            if unknown:
                return Decision("decline", "unknown_terms", evidence, tuple(unknown))
            if query.lang == "sv" and self.unknown_share(query.standalone) >= self.unknown_share_limit:
                return Decision("decline", "not_covered", evidence)
        relevant = [c for c in candidates[:FACT_SENTENCES] if c.overlap > 0]
        counted = _counted_forms(query)
        for kind in query.asks.facts:
            if not states_fact(kind, relevant, counted):
                return Decision("partial", "missing_fact", evidence, missing_fact=kind)
        return Decision("answer", None, evidence)

    def _unknown_terms(self, query: Query) -> list[str]:
        if query.lang == "sv" and not query.groups:
            return missing_specific_terms(query.standalone, self.vocabulary)
        return missing_acronyms(query.standalone, self.vocabulary) + missing_english_topics(query)


def states_fact(kind: str, candidates: list[Candidate], counted: frozenset[str] = frozenset()) -> bool:
    """Whether one of ``candidates`` (sentences that share words with the question) states a fact of
    ``kind``; a count must be of what the question counts (one of the ``counted`` stems occurs)."""
    pattern = FACT_PATTERNS[kind]
    for c in candidates:
        if not pattern.search(c.text):
            continue
        if kind == "count" and counted and not _mentions(c.text, counted):
            continue
        return True
    return False


def _counted_forms(query: Query) -> frozenset[str]:
    """Stems that name what a Swedish count question counts. An English question's word is not
    checked: its dictionary translations miss too often ("levels" is "fem steg" in the report)."""
    word = query.asks.counted
    if not word or query.groups:
        return frozenset()
    return frozenset({stem(word)})


def _mentions(text: str, stems: frozenset[str]) -> bool:
    return any(stem(w) in stems or any(w.startswith(s) for s in stems) for w in words(text))


def known_word(word: str, vocabulary: AbstractSet[str]) -> bool:
    """Whether the report uses ``word`` or what it is made of: its stem, both parts of a compound,
    or a known head or tail with a common word or a prefix for the rest ("prioriteringslistan",
    "tidshorisonter", "nyrekrytera", "inaktuell")."""
    if stem(word) in vocabulary:
        return True
    parts = decompound(word)
    if parts and all(stem(p) in vocabulary for p in parts):
        return True
    for cut in range(2, len(word) - MIN_KNOWN_PART + 1):
        head, tail = word[:cut], word[cut:]
        if _known_stem(tail, vocabulary) and (head in _PREFIXES or _common(head) or _known_stem(head, vocabulary)):
            return True
        if len(head) >= MIN_KNOWN_PART + 1 and _known_stem(head, vocabulary) and _common(tail):
            return True
    return False


def _known_stem(piece: str, vocabulary: AbstractSet[str]) -> bool:
    if len(piece) < MIN_KNOWN_PART:
        return False
    candidates = {stem(piece), piece}
    if piece.endswith("s") and len(piece) > MIN_KNOWN_PART:
        candidates.add(stem(piece[:-1]))  # a linking s: "prioriterings-"
    return any(c in vocabulary for c in candidates)


def _common(piece: str) -> bool:
    return len(piece) >= 3 and zipf_sv(piece) >= COMMON_PART_ZIPF


def asker_setting(question: str) -> frozenset[str]:
    """Words that only describe the asker's own setting: every word of a first-person statement
    made before the question ("Jag är socialchef i Härnösand. Hur …", "Vi har testat Copilot i en
    pilot, hur skalar vi …"), and names after "i"/"på"/"från" in a first-person clause ("Hur bygger vi
    kompetens i äldreomsorgen i Skellefteå?"). "Hur använder Kungälv AI?" keeps "Kungälv": it is asked about."""
    clauses = [c for s in _SENTENCE_END.split(question.strip()) for c in _ASK_AFTER_COMMA.split(s) if c.strip()]
    setting: set[str] = set()
    places: set[str] = set()
    for i, clause in enumerate(clauses):
        tokens = set(words(clause))
        if not tokens & _FIRST_PERSON:
            continue
        if i < len(clauses) - 1 and not clause.rstrip().endswith("?"):
            setting |= tokens
        for match in _PLACE.finditer(clause):
            places.update(words(match.group(1)))
    # A word the question itself asks about again ("Vi har Copilot. Vad kostar Copilot?") is asked about.
    asked = set(words(clauses[-1])) if clauses else set()
    return frozenset((setting - asked) | places)


def missing_specific_terms(question: str, vocabulary: AbstractSet[str]) -> list[str]:
    """Specific words of a Swedish question that the corpus never uses: names, numbers, names of
    laws and words that are rare in general Swedish. Asking about "Copilot-licenser", "eSam" or
    "arkivlagen" in a report that never mentions them is the typical question it cannot answer.
    Words that only describe the asker's own setting (``asker_setting``) do not count."""
    proper = {m.group(0).lower() for m in _PROPER.finditer(" " + question[1:])}
    setting = asker_setting(question)
    missing = []
    for w in words(question):
        if w in setting:
            continue
        if _names_a_law(w):
            if stem(LEGAL_ALIASES.get(w, w)) not in vocabulary:
                missing.append(w)
            continue
        if w in STOPWORDS or len(w) < 3 or "-" in w:
            continue
        if w in proper:
            if stem(w) in vocabulary:
                continue
        elif known_word(w, vocabulary):
            continue
        if w in proper or any(ch.isdigit() for ch in w) or zipf_sv(w) < RARE_ZIPF:
            missing.append(w)
    return missing


def _names_a_law(word: str) -> bool:
    """A compound naming a particular law: a head such as "lagen" after a modifier of its own."""
    match = _LEGAL_HEAD.search(word)
    return match is not None and match.start() >= 3 and not word.endswith(("flaggan", "slagen"))


def missing_english_topics(query: Query) -> list[str]:
    """English words of the question that the dictionary knows but the report never uses in any
    translation, when they are rare enough in English to name a topic ("clauses")."""
    return [
        g.english
        for g in query.groups
        if g.in_dictionary and not g.terms and max(zipf_en(w) for w in g.english.split()) < EN_RARE_ZIPF
    ]


def missing_acronyms(question: str, vocabulary: AbstractSet[str]) -> list[str]:
    """Acronyms and numbers of a question (any language) that the corpus never uses ("EU", "LOU",
    "2019"): they are written the same in English and Swedish, so their absence is a topic signal
    even for an English question. An acronym spelt like a stopword ("IT", "OR") is never judged: the
    vocabulary holds no stopwords, so "IT" would look unknown in a report full of "IT-enheten"."""
    setting = asker_setting(question)
    return [
        m.group(0)
        for m in _ACRONYM.finditer(question)
        if m.group(0).lower() not in STOPWORDS
        and stem(m.group(0).lower()) not in vocabulary
        and m.group(0).lower() not in setting
    ]


def idf_unknown_share(idf: dict[str, float], default_idf: float, vocabulary: AbstractSet[str]):
    """A function giving the share of a question's terms, weighted by idf, that the corpus never uses."""

    def share(question: str) -> float:
        weights = {t: idf.get(t, default_idf) for t in set(terms(question))}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t not in vocabulary) / total if total else 0.0

    return share
