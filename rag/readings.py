"""Which of two real Swedish words an OCR token stands for, decided by its neighbours.

The report's OCR dropped å/ä/ö and misread them as "d", so one raw token can be two real
words: "har" (has) or "här" (here), "varden" (values) or "vården" (the care), "nar" (when)
or "når" (reaches), "dar" (where) or "är" (is; "da" is a mangled "ä"). Frequency alone
picks the same reading everywhere. These rules use closed word classes of Swedish and the
shape of the clause instead; each one states the grammar it relies on.

``choose_reading(key, before, after)`` gets the accent-free raw spelling, the preceding words
of the clause (nearest last, at most ``WINDOW``) and the following words of the clause
(nearest first, ended by ``CLAUSE_END_MARK`` when the sentence ends), all lowercase and
already repaired, and returns the reading or None when it
has no opinion (the frequency choice stands).
"""

from __future__ import annotations

from typing import Callable

from rag.lexicon import load_lexicon

WINDOW = 4
# Ends ``after`` when the sentence ends within the window, so a rule can see how long it is.
CLAUSE_END_MARK = "."

_MODALS = frozenset("kan kunde ska skall skulle bör borde måste vill ville får fick behöver brukar lär".split())
_FINITE = _MODALS | frozenset("är var blir blev finns fanns går gick kommer gör gjorde står stod tar tog ser såg".split())
_SUBJECTS = frozenset("jag du han hon vi ni de man".split())
_PREPOSITIONS = frozenset("i på av för till från med om vid under efter utan mot genom inom hos kring över".split())
_DETERMINERS = frozenset("en ett den det de detta denna dessa varje deras dess sin sitt sina vår vårt våra".split())
_LOCATIVES = frozenset("i på hos kvar nära där här hemma tillsammans utomlands".split())
_PLACE_RELATIVES = frozenset("där var".split())
# Comparatives that "än" (than) completes; regular ones end in -are ("snabbare").
_COMPARATIVES = frozenset(
    "mer mera mindre fler flera färre snarare hellre annat annan andra bättre sämre större "
    "längre högre lägre äldre yngre värre tidigare senare".split()
)
# Adverbs that open a main clause; the finite verb follows them (Swedish word order is V2).
_CLAUSE_ADVERBS = frozenset(
    "således tillsammans därför därmed därtill idag nu då sedan också dessutom alltså samtidigt "
    "ofta generellt slutligen sammanfattningsvis kanske troligen fortfarande ändå dock".split()
)
# A reflexive possessive points back at the subject of its own clause, so "X når sina mål"
# (reaches) and never "när sina …" (when), which opens a new clause with a new subject.
_REFLEXIVE = frozenset("sin sitt sina".split())
_OBJECT_DETERMINERS = frozenset("en ett".split())
# "en rad", "i rad", "varje rad": the noun row; elsewhere "rad" is "råd" (advice, afford).
_ROW_WORDS = frozenset("en i varje första sista samma denna nästa".split())


def _har(before: list[str], after: list[str]) -> str | None:
    prev = before[-1] if before else None
    nxt = _next(after)
    # An auxiliary "har" never follows a modal or finite verb, nor precedes one.
    if prev in _FINITE or nxt in _FINITE or nxt is not None and _looks_finite_verb(nxt):
        return "här"
    if nxt in _PREPOSITIONS and prev is not None and _looks_finite_verb(prev):
        # "syftar här på": a present-tense verb, then the adverb.
        return "här"
    return None


def _bor(before: list[str], after: list[str]) -> str | None:
    # "bo" (live) takes a place; the modal "bör" takes a verb.
    nxt = _next(after)
    if nxt in _LOCATIVES or nxt is None and _PLACE_RELATIVES & set(before[-2:]):
        return "bor"
    return "bör"


def _stod(before: list[str], after: list[str]) -> str | None:
    # The past of "stå" follows its subject; the noun "stöd" follows anything else.
    prev = before[-1] if before else None
    return "stod" if prev in _SUBJECTS or prev == "det" else "stöd"


def _for(before: list[str], after: list[str]) -> str | None:
    return "får" if before and before[-1] in _SUBJECTS else None


def _val(before: list[str], after: list[str]) -> str | None:
    # The noun "val" after a preposition or determiner; otherwise the adverb "väl".
    prev = before[-1] if before else None
    if prev in _PREPOSITIONS or prev in _DETERMINERS or _next(after) == "av":
        return "val"
    return None


def _an(before: list[str], after: list[str]) -> str | None:
    # "än" completes a comparative ("snarare än", "bättre resultat och insikter än");
    # otherwise "an" is the particle of "knyta an", "ta sig an".
    if any(word in _COMPARATIVES or _is_regular_comparative(word) for word in before):
        return "än"
    return "an"


def _dar(before: list[str], after: list[str]) -> str | None:
    """"där" opens a clause with its own subject and verb; "är" is the verb itself."""
    prev = before[-1] if before else None
    if prev == "som":
        return "är"  # "vad som är känt": "som" is the subject, the verb follows
    if prev in _CLAUSE_ADVERBS and len(before) == 1:
        return "är"  # "Således är AI inte …": the verb comes second
    if 2 <= len(after) <= 3 and after[-1] == CLAUSE_END_MARK:
        return "är"  # "fråga/svar är ineffektivt.": too short for a clause of its own
    return None


def _nar(before: list[str], after: list[str]) -> str | None:
    nxt = _next(after)
    if nxt in _REFLEXIVE:
        return "når"
    prev = before[-1] if before else None
    if nxt in _OBJECT_DETERMINERS and prev is not None and _looks_definite_noun(prev):
        return "når"  # "lösningarna når en kritisk nivå": a subject before, an object after
    return None


def _varden(before: list[str], after: list[str]) -> str | None:
    # The definite "vården" after a preposition or "den"; the plural "värden" ("mjuka värden",
    # "nyttor och värden") elsewhere.
    prev = before[-1] if before else None
    return "vården" if prev in _PREPOSITIONS or prev == "den" else "värden"


def _rad(before: list[str], after: list[str]) -> str | None:
    prev = before[-1] if before else None
    return "rad" if prev in _ROW_WORDS else "råd"



RULES: dict[str, Callable[[list[str], list[str]], str | None]] = {
    "har": _har,
    "bor": _bor,
    "stod": _stod,
    "for": _for,
    "val": _val,
    "an": _an,
    "dar": _dar,
    "nar": _nar,
    "varden": _varden,
    "rad": _rad,
}


def _next(after: list[str]) -> str | None:
    return after[0] if after and after[0] != CLAUSE_END_MARK else None


def choose_reading(key: str, before: list[str], after: list[str]) -> str | None:
    """The reading of ambiguous ``key`` its clause calls for, or None for no opinion."""
    rule = RULES.get(key)
    return rule(before[-WINDOW:], after[:WINDOW]) if rule else None


def _is_regular_comparative(word: str) -> bool:
    """"snabbare", "tydligare": an adjective plus -are (agent nouns such as "ledare" are not)."""
    lexicon = load_lexicon()
    return len(word) >= 7 and word.endswith("are") and lexicon.zipf.get(word[:-3], 0.0) >= 3.0


def _looks_definite_noun(word: str) -> bool:
    """A definite form ("lösningarna", "kommunen") rather than a function word."""
    lexicon = load_lexicon()
    return len(word) >= 6 and word.endswith(("na", "en", "et")) and not lexicon.is_function_word(word)


def _looks_finite_verb(word: str) -> bool:
    """A present tense of a verb in -a ("syftar" from "syfta") that is no plural noun."""
    lexicon = load_lexicon()
    return (
        len(word) >= 5
        and word.endswith("ar")
        and lexicon.zipf.get(word[:-1], 0.0) >= 3.0
        and lexicon.zipf.get(word[:-2], 0.0) < 3.0
    )
