"""Whether a question leans on the conversation: measured signals and the fitted decision over them.

A question is a follow-up when it cannot be understood on its own (see ``rag.answering.followup``).
``signals`` measures the forms that make it so: an opening that ties it to the turn before, words
pointing back, a determined or plain definite noun, a plural pronoun as subject, a question too
bare or too common in its words to search on. ``is_follow_up`` is a logistic regression over them
(``FollowUpModel``, weights in ``rag.answering.followup_weights``, fitted by ``python -m evals.train_followup``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.lexical import STOPWORDS, detect_lang, zipf_en, zipf_sv

# Openings that tie a question to the one before; searching them would look for "berätta" or "och".
TIES = (
    "hur är det med", "hur blir det med", "vad gäller", "vad sägs om", "berätta mer om", "berätta mer", "mer om",
    "och", "men", "samt", "också", "även", "så",
    "what about", "how about", "tell me more about", "tell me more", "more about", "and", "but", "also", "so", "then",
)
TIE = re.compile(r"^\s*({})\b[\s,]*".format("|".join(TIES)), re.I)
# Openings that mark a follow-up: the ties, and a few that are the ask itself.
OPENERS = re.compile(r"^\s*({}|vad händer med|what else)\b".format("|".join(TIES)), re.I)


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


def points_back(question: str) -> bool:
    """A word in ``question`` refers to something said before it: a pointing word ("dem", "deras",
    "those"), a pronoun that is no dummy subject ("Vad kunde den inte besvara?"), or a plural
    pronoun as subject ("de ska …")."""
    x = signals(question)
    return bool(x[SIGNALS.index("pointing_word")] or x[SIGNALS.index("pronoun_back")] or x[SIGNALS.index("subject_pronoun")])


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
        float(bool(OPENERS.search(question))),
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


# Swedish definite endings by what the lemma ends in: a vowel takes "-n", "-t" only after "-e"
# (strategi-n, arbete-t), "-na" (område-na); a consonant takes "-en", "-et" and the plural ones
# (situation-en, ansvar-et, chef-erna). An adjective's "-t"/"-na" (vanlig-t, allmän-na) and a
# supine (finansiera-t) fail these, so they do not read as a definite noun. An unstressed "-or",
# "-er", "-el" takes "-n" too (sektor-n, regel-n).
_VOWELS = frozenset("aeiouyåäö")
_AFTER_VOWEL = frozenset({"n", "na"})
_AFTER_E = frozenset({"t"})
_AFTER_CONSONANT = frozenset("en et erna arna orna".split())
_UNSTRESSED = frozenset({"or", "er", "el"})
# A lemma's final vowel gives way to the ending: fråg(a)-orna, medborgar(e)-na, pojk(e)-en.
_REPLACING_VOWEL = {"a": frozenset({"orna"}), "e": frozenset("na arna en ena".split())}


@lru_cache(maxsize=4096)
def definite_noun(word: str) -> bool:
    """A Swedish noun in definite form: its lemma plus a definite ending that fits how the lemma
    ends ("situationen" of "situation", "frågorna" of "fråga", "ansvaret" of "ansvar"; not
    "vanligt" of "vanlig"). A definite noun the question does not introduce presents its referent
    as known, often from the turn before."""
    import simplemma

    try:
        lemma = simplemma.lemmatize(word, lang="sv").lower()
    except ValueError:
        return False
    if lemma == word or not lemma:
        return False
    if word.startswith(lemma):
        ending = word[len(lemma):]
        if lemma[-1] in _VOWELS:
            return ending in _AFTER_VOWEL or (lemma[-1] == "e" and ending in _AFTER_E)
        return ending in _AFTER_CONSONANT or (ending == "n" and lemma[-2:] in _UNSTRESSED)
    dropped = _REPLACING_VOWEL.get(lemma[-1])
    return dropped is not None and word.startswith(lemma[:-1]) and word[len(lemma) - 1:] in dropped


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
