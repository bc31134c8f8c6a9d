"""Which of two real Swedish words an OCR token stands for, decided by its neighbours.

The report's OCR dropped å/ä/ö and misread them as "d", so one raw token can be two real
words: "har" (has) or "här" (here), "varden" (values) or "vården" (the care), "nar" (when)
or "når" (reaches), "dar" or "ddr" (där, where, or är, is), "vaga" (vague) or "våga"
(dare), "starka" (strong) or "stärka" (strengthen). Frequency alone picks the same reading
everywhere. These rules use closed word classes of Swedish and the shape of the clause
instead; each one states the grammar it relies on.

``choose_reading(group, before, after)`` gets the group of competing readings (``GROUP_OF``
maps each reading to it), the preceding words of the clause (nearest last, at most
``WINDOW``) and the following words of the clause (nearest first, ended by
``CLAUSE_END_MARK`` when the sentence ends), all lowercase and already repaired, and returns
the reading or None when it has no opinion (the frequency choice stands). The caller keeps a
reading only if the raw token could have produced it.
"""

from __future__ import annotations

from typing import Callable

from rag.index.lexicon import load_lexicon

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
# Verbs after which a predicative adjective, not an infinitive, follows ("förblir vaga").
_COPULAS = frozenset("är var blir blev förblir förblev vara bli förbli verkar verkade känns kändes framstår".split())
# What the motion verb "går" takes and "gör" (does) does not: a direction or a manner.
_MOTION_WORDS = frozenset("till bortom vidare framåt över mot ut in igenom tillbaka".split())
# Words after which an adjective qualifies a noun ("effektiv och säker datahantering").
_BEFORE_ADJECTIVE = frozenset("och eller mer mest så helt mycket en ett".split())
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
    # The past of "stå" follows its subject and its infinitive "att" or a modal; the noun or
    # imperative "stöd" anything else ("Stöd och uppmuntra kollegialt samarbete").
    prev = before[-1] if before else None
    if prev in _SUBJECTS or prev == "det":
        return "stod"
    return "stå" if prev == "att" or prev in _MODALS else "stöd"


def _stark(before: list[str], after: list[str]) -> str | None:
    # An adjective never stands bare before a definite noun; the imperative "stärk" does
    # ("Stärk kopplingen mellan AI-strategi och …").
    nxt = _next(after)
    if not before and nxt is not None and (nxt in _DETERMINERS or _looks_definite_noun(nxt)):
        return "stärk"
    return None


def _starka(before: list[str], after: list[str]) -> str | None:
    # After "att" or a modal comes an infinitive: "behöver stärka sin förmåga".
    prev = before[-1] if before else None
    return "stärka" if prev == "att" or prev in _MODALS else None


def _mata(before: list[str], after: list[str]) -> str | None:
    # "mata" (feed) takes its particle ("mata in data"); in a report on organisations the
    # verb without it is "mäta" ("definiera, mäta och följa upp").
    return "mata" if _next(after) == "in" else "mäta"


def _mats(before: list[str], after: list[str]) -> str | None:
    # A passive verb follows its subject: "resultaten mäts mot relevanta effektmål".
    prev = before[-1] if before else None
    return "mäts" if prev is not None and (prev == "som" or _looks_definite_noun(prev)) else None


def _vaga(before: list[str], after: list[str]) -> str | None:
    # A copula takes an adjective ("resultaten förblir vaga"), never the verb "våga".
    return "vaga" if before and before[-1] in _COPULAS else None


def _vart(before: list[str], after: list[str]) -> str | None:
    # "vart" (where to) opens a clause: a subject or verb follows. "vårt" (our) comes before
    # its noun or adjective ("vårt övergripande mål").
    nxt = _next(after)
    if nxt is None:
        return None
    if nxt in _SUBJECTS or nxt in _FINITE or nxt in _DETERMINERS:
        return "vart"
    return "vårt" if not load_lexicon().is_function_word(nxt) else None


def _saker(before: list[str], after: list[str]) -> str | None:
    # Between a coordinator or degree word and a noun, the adjective: "effektiv och säker
    # datahantering"; "rätt saker." stays the noun.
    prev = before[-1] if before else None
    return "säker" if prev in _BEFORE_ADJECTIVE and _is_content_word(_next(after)) else None


def _svara(before: list[str], after: list[str]) -> str | None:
    # Between a preposition or determiner and a noun, the adjective: "i svåra frågor".
    prev = before[-1] if before else None
    qualifies = prev in _PREPOSITIONS or prev in _DETERMINERS or prev in _BEFORE_ADJECTIVE
    return "svåra" if qualifies and _is_content_word(_next(after)) else None


def _gar(before: list[str], after: list[str]) -> str | None:
    # "går" takes a direction or a manner ("utvecklingen går långsamt"); "gör" an object.
    nxt = _next(after)
    return "går" if nxt in _MOTION_WORDS or nxt is not None and nxt.endswith("samt") else None


def _invanda(before: list[str], after: list[str]) -> str | None:
    # Before a noun the adjective "invanda" (habitual): "ändra invanda arbetssätt"; the verb
    # "invända" (object) takes "att", "mot" or a pronoun.
    return "invanda" if _is_content_word(_next(after)) else None


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
    if not before and _next(after) is not None:
        # A clause opened after a comma or dash ("Sundsvall-Ånge, där man …", "— där varje
        # nytt AI-projekt måste …"): a statement never opens with its verb.
        return "där"
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



GROUPS: dict[str, tuple[frozenset[str], Callable[[list[str], list[str]], str | None]]] = {
    "har": (frozenset(("har", "här")), _har),
    "bor": (frozenset(("bor", "bör")), _bor),
    "stod": (frozenset(("stod", "stöd", "stå")), _stod),
    "for": (frozenset(("för", "får")), _for),
    "val": (frozenset(("val", "väl")), _val),
    "an": (frozenset(("an", "än")), _an),
    "dar": (frozenset(("där", "är")), _dar),
    "nar": (frozenset(("när", "når")), _nar),
    "varden": (frozenset(("värden", "vården")), _varden),
    "rad": (frozenset(("rad", "råd")), _rad),
    "stark": (frozenset(("stark", "stärk")), _stark),
    "starka": (frozenset(("starka", "stärka")), _starka),
    "mata": (frozenset(("mata", "mäta")), _mata),
    "mats": (frozenset(("mats", "mäts")), _mats),
    "vaga": (frozenset(("vaga", "våga")), _vaga),
    "vart": (frozenset(("vart", "vårt")), _vart),
    "saker": (frozenset(("saker", "säker")), _saker),
    "svara": (frozenset(("svara", "svåra")), _svara),
    "gar": (frozenset(("går", "gör")), _gar),
    "invanda": (frozenset(("invanda", "invända")), _invanda),
}
# The group each competing reading belongs to.
GROUP_OF: dict[str, str] = {reading: group for group, (readings, _) in GROUPS.items() for reading in readings}


def _next(after: list[str]) -> str | None:
    return after[0] if after and after[0] != CLAUSE_END_MARK else None


def choose_reading(group: str, before: list[str], after: list[str]) -> str | None:
    """The reading of ``group`` its clause calls for, or None for no opinion."""
    if group not in GROUPS:
        return None
    return GROUPS[group][1](before[-WINDOW:], after[:WINDOW])


def _is_content_word(word: str | None) -> bool:
    """A noun, adjective or verb rather than a function word or the clause's end."""
    return word is not None and word.isalpha() and not load_lexicon().is_function_word(word)


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
