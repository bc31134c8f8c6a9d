"""OCR repair for Swedish text, line by line, with an offset map back to the source.

The report's OCR lost or mangled å/ä/ö, read "l" as "I"/"[" /"|", "AI" as "Al", and
glued words together. Repair is a noisy channel: each token is rewritten to the most
probable Swedish word (wordfreq's "sv" list) that the OCR could have turned into it,
given per-character confusions; tokens that are already good words stay unless a
candidate is clearly more frequent, and glued tokens are split into known words, each
a Swedish word form (rag/index/lexicon.py), so that Swedish compounds form and foreign debris
does not. Where the raw token fits two real words (har/här, an/än, dar: där/är, nar:
när/når, varden: värden/vården, rad/råd), a second pass picks the reading its clause calls
for (rag/index/readings.py); the clause may run over a line break, never over a blank line.
Every repaired character maps back to a source character, so citations stay exact.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from rag.index.lexicon import Lexicon, load_lexicon
from rag.index.readings import CLAUSE_END_MARK, GROUP_OF, WINDOW, choose_reading
from rag.index.word_classes import choose_by_class, choose_name

log = logging.getLogger(__name__)

# Recorded in the index manifest; a different value makes the next ingest rebuild. Bump it when a
# change to this module, rag/index/lexicon.py or rag/index/readings.py (or to the word lists they
# read) changes the repaired text of any input; never for comments, names or a pure refactor.
# rag/index/word_classes.py and the hunspell-sv names it reads count too.
CLEANER_VERSION = "repair-v2"

# Channel costs, in zipf units (log10 frequency), tuned on evals/ocr_gold_dev.jsonl.
# A plain vowel standing for å/ä/ö is cheap: this OCR dropped diacritics very often.
ACCENT_DROP = 0.35
D_FOR_VOWEL = 0.6
GLYPH_FOR_VOWEL = 0.1
PAIR_FOR_VOWEL = 0.2
PAIR_WITH_A = 1.5
# Rarer misreadings of ö and å: "innovationsmajligheter", "Mgojliggorare", "andamadalsenliga".
A_FOR_O = 1.2
RUN_FOR_VOWEL = 1.5
# An å whose ring was read as an "i": as likely as a "d" for a vowel.
RING_AS_I = 0.6
# An "i" for a second l, or a stray one after "ll" (see GLYPH_RUNS).
STRAY_I = 1.0
# Boundaries inside a glued token, in log10 probability: spaces are the stronger claim.
SPACE_PENALTY = 4.0
JOIN_PENALTY = 2.0
# After a glued acronym ("Aliden") the OCR has dropped a space already; more are likely.
GLUED_SPACE_PENALTY = 1.5
LINKING_BONUS = 0.5
STEM_CUT = 1.0
STEM_MIN_SCORE = 3.0
DOUBLE_I = 0.5
DOUBLE_L = 1.0
# A word that is already in the lexicon is kept unless a repair beats it by this much.
KEEP_MARGIN = 0.0
# Single-word repairs below this zipf are too rare to trust over the raw token.
MIN_REPAIR_ZIPF = 1.0
# A compound's later part takes, among readings within HEAD_RANGE of the best, the one that
# ends the most listed words, each tenfold worth HEAD_WEIGHT zipf: "vänlig" ends 26 words and
# "vanlig" 3, which outweighs vanlig's 0.96 higher score.
HEAD_RANGE = 1.5
HEAD_WEIGHT = 1.5
HEAD_MIN_LEN = 3
# Listed forms at least this long are words; shorter listed forms include glue ("isig").
FORM_MIN_LEN = 8
# A listed form the frequency list lacks counts as a rare word, from its cheapest of this many
# spellings.
FORM_ZIPF = 2.0
FORM_SPELLINGS = 32
# "lintervjuerna" is "I intervjuerna" only when the rest is an everyday word.
GLUED_I_REST_ZIPF = 2.5
# Longer tokens are kept as they are: about two of the longest Swedish words glued together
# (wordfreq's longest is 33 characters; the longest token repaired in the report is 29). The
# search over readings and the alignment grow with the square of a token's length, so a
# 100,000-character token would otherwise stall an ingest.
MAX_REPAIR_CHARS = 64
# Entries per memo of token repairs, so that a large file's new words cannot grow memory without
# end (100,000 each held about 500 MB on a 50 MB file). The report fills 26,000 entries of the
# largest memo and at most 15,000 of the others, and is repaired as fast with 20,000.
CACHE_ENTRIES = 20_000

# What each OCR glyph may stand for: (intended text, cost). "ı" marks an uppercase I,
# which in this OCR is as often a misread "l" as a real "I".
CHANNEL: dict[str, tuple[tuple[str, float], ...]] = {
    "a": (("a", 0.0), ("ä", ACCENT_DROP), ("å", ACCENT_DROP)),
    "o": (("o", 0.0), ("ö", ACCENT_DROP)),
    "d": (("d", 0.0), ("ä", D_FOR_VOWEL), ("å", D_FOR_VOWEL), ("ö", D_FOR_VOWEL + 0.2)),
    "é": (("é", 0.0), ("ö", GLYPH_FOR_VOWEL), ("å", GLYPH_FOR_VOWEL), ("ä", GLYPH_FOR_VOWEL), ("e", 0.5)),
    "è": (("è", 0.0), ("ö", GLYPH_FOR_VOWEL), ("å", GLYPH_FOR_VOWEL), ("ä", GLYPH_FOR_VOWEL), ("e", 0.5)),
    "&": (("å", 0.0), ("ä", GLYPH_FOR_VOWEL)),
    "6": (("ö", 0.0),),
    "0": (("ö", 0.3),),
    "ı": (("i", 0.0), ("l", GLYPH_FOR_VOWEL)),
    # An uppercase G inside a lowercase word is a mangled å/ä/ö ("sGdana").
    "ǧ": (("å", GLYPH_FOR_VOWEL), ("ä", GLYPH_FOR_VOWEL), ("ö", GLYPH_FOR_VOWEL), ("g", 0.5)),
    # A bar before an l is a stray glyph ("|larandeorienterat"); elsewhere it is an l.
    "|": (("l", 0.0), ("", DOUBLE_L)),
    "[": (("l", 0.0),),
    "l": (("l", 0.0), ("ll", DOUBLE_L)),
}
# Two glyphs that together stand for one å/ä ("mdanga", "fréan", "pd&").
PAIR_GLYPHS = frozenset("dé&aè")
PAIR_TARGETS = ("å", "ä")
# Glyph runs for one vowel, seen on the dev lines: "andamadalsenliga" (ändamålsenliga),
# "Mgojliggorare" (Möjliggörare), "innovationsmajligheter" (-möjligheter). An "a" stands for
# "ö" only before "j": anywhere else it opens too many look-alikes ("harni" -> "hörni").
# The ring of an å is often read as an "i" beside the glyph for the letter ("ifrdin",
# "fréin", "frain", "méinga", "sdisom", "Utifrédin"), or alone ("Iingsiktiga": lå); the
# dots of an ö as an extra "o" or "é" ("maojligheter", "maéjligheter", "forskningsréon") or
# a "dé" ("klargdéra").
GLYPH_RUNS: dict[str, tuple[tuple[str, float], ...]] = {
    "ada": (("å", RUN_FOR_VOWEL), ("ä", RUN_FOR_VOWEL)),
    "go": (("ö", RUN_FOR_VOWEL),),
    "aj": (("öj", A_FOR_O),),
    "di": (("å", RING_AS_I),),
    "ai": (("å", RING_AS_I),),
    "éi": (("å", RING_AS_I),),
    "édi": (("å", RING_AS_I),),
    "ıi": (("lå", RING_AS_I),),
    "ao": (("ö", RUN_FOR_VOWEL),),
    "aé": (("ö", RUN_FOR_VOWEL),),
    "éo": (("ö", RUN_FOR_VOWEL),),
    "dé": (("ö", RUN_FOR_VOWEL),),
    # A doubled l, the second read as a capital I: "Al-lIosningar" (AI-lösningar).
    "lı": (("l", DOUBLE_L),),
    # Before "n", a second l read as "i", or a stray "i" after "ll": "Forhaliningssattet",
    # "forhalliningssatt" (förhållningssätt). Not at a word's end, where "i" is the glued
    # preposition ("dinrolli": din roll i).
    "lin": (("lln", STRAY_I),),
    "llin": (("lln", STRAY_I),),
}
_RUNS_FROM: dict[str, list[tuple[str, tuple[tuple[str, float], ...]]]] = {}
for _run, _targets in GLYPH_RUNS.items():
    _RUNS_FROM.setdefault(_run[0], []).append((_run, _targets))
# Vowels that link the parts of a compound in place of a stem's final a.
LINKING_VOWELS = "ou"
# How linking forms end ("nytto-", "gatu-", "fråge-", "behovs-"), and how rare a Swedish one
# may be and still open a compound ("fråge" has zipf 1.82).
LINKING_ENDINGS = ("o", "u", "e", "s")
LINKING_FORM_ZIPF = 1.5
# Endings of adjectives, base and inflected, that never open a compound.
ADJECTIVE_ENDINGS = ("lig", "isk", "igt", "iga", "iskt", "iska")
# Closed-class words (pronouns, prepositions, conjunctions, quantifiers) are never part of a
# compound: "strategini" is "strategin i", not "strategi" + "ni"; "fleraled" is "flera led".
STANDALONE_WORDS = frozenset(
    "i på av för till från med om vid hos mot in ut och att som men eller samt än när där då så "
    "jag du han hon vi ni de den det denna detta dessa man sig sin sitt sina oss er dem "
    "en ett flera många alla varje några någon något inga ingen inget".split()
)

_TOKEN = re.compile(r"\S+")
_LEAD_PUNCT = "“”\"'‘’(«»*"
_TRAIL_PUNCT = ".,;:!?)”\"'’»"
# A bullet read as "e" or "o" before a capitalised word.
_BULLET = re.compile(r"^(\s*)[eo](\s+)(?=[A-ZÅÄÖ])")
_MISREAD_ACRONYM = re.compile(r"^[A-ZÅÄÖ]{2,}l$")


@dataclass(frozen=True)
class RepairedText:
    """Repaired text plus, for every repaired character, its index in the source text."""

    text: str
    offsets: tuple[int, ...]

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map the repaired span ``[start, end)`` to the source span that produced it."""
        source_start = self.offsets[start]
        if end <= start:
            return source_start, source_start
        source_end = max(self.offsets[end], self.offsets[end - 1] + 1)
        return source_start, source_end


def repair_text(text: str) -> RepairedText:
    """Repair every line of ``text``; line i of the result repairs line i of the input.

    Tokens are repaired one by one, then words that fit two readings are re-decided from
    their clause, which may run over a line break (never over a blank line).
    """
    # A form feed (a PDF page break) separates like a newline, so it survives the repair.
    lines = _lines_and_separators(text)
    tokens = [list(_TOKEN.finditer(line)) for line, _ in lines]
    raw: list[str] = []
    repairs: list[str] = []
    paragraph_starts: set[int] = set()
    line_starts: set[int] = set()
    for (line, _), line_tokens in zip(lines, tokens):
        if not line_tokens:
            paragraph_starts.add(len(raw))
        line_starts.add(len(raw))
        bullet = _BULLET.match(line)
        item = bullet or line_tokens and line_tokens[0].group() == "•"
        for number, match in enumerate(line_tokens):
            raw.append(match.group())
            if number == 0 and bullet:
                repairs.append("•")
            elif number == 1 and item:
                repairs.append(_split_leading_imperative(match.group()))
            else:
                repairs.append(_repair_token(match.group()))
    repairs = _resolve_in_context(raw, repairs, paragraph_starts, line_starts)
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    next_token = 0
    for (line, separator), line_tokens in zip(lines, tokens):
        line_repairs = repairs[next_token : next_token + len(line_tokens)]
        next_token += len(line_tokens)
        repaired, line_offsets = _assemble_line(line_tokens, line_repairs)
        pieces.append(repaired)
        offsets.extend(position + offset for offset in line_offsets)
        position += len(line)
        pieces.append(separator)
        offsets.append(position)
        position += 1
    pieces.pop()
    offsets.pop()
    offsets.append(len(text))
    return RepairedText("".join(pieces), tuple(offsets))


def _lines_and_separators(text: str) -> list[tuple[str, str]]:
    parts = re.split(r"([\n\f])", text)
    return [(parts[i], parts[i + 1] if i + 1 < len(parts) else "\n") for i in range(0, len(parts), 2)]


def repair_line(line: str) -> str:
    """Repair one line (or any text); the same as ``repair_text(line).text``."""
    return repair_text(line).text


def _assemble_line(tokens: list[re.Match], repairs: list[str]) -> tuple[str, list[int]]:
    """Repaired line and, per repaired character, its index in the source line."""
    out: list[str] = []
    offsets: list[int] = []
    for number, match in enumerate(tokens):
        if number:
            # A run of spaces collapses to one, mapped to the run's first space so a
            # token's span ends where its source token ends.
            out.append(" ")
            offsets.append(tokens[number - 1].end())
        token = match.group()
        repaired = repairs[number]
        out.append(repaired)
        offsets.extend(match.start() + index for index in _align(token, repaired))
    return "".join(out), offsets


_CLAUSE_END = ".;:!?,"
_SENTENCE_END = ".;:!?"
# A dash standing alone ends a clause as a comma does.
_DASHES = frozenset("—–-")
# A cited author keeps the spelling unless the accented word is this common: "Vången" (1.71)
# is the name "Vangen".
NAME_ZIPF = 3.0
# A reading this rare is not worth a rule's say ("invanda" has zipf 2.69).
READING_MIN_ZIPF = 2.5


def _resolve_in_context(
    raw: list[str], repairs: list[str], paragraph_starts: set[int] = frozenset(), line_starts: set[int] = frozenset()
) -> list[str]:
    """Re-decide repaired words whose raw spelling fits two real words, from their clause.

    The clause is the neighbouring repaired words up to punctuation or a blank line; a token the
    repair split ("avenisvara": "även i svara") counts as its words. A bar read as "I" inside a
    sentence (not opening a line, where a heading may end above it) is the preposition "i"; a
    cited author keeps the spelling. A group's own rule (rag/index/readings.py) speaks first,
    then the word-class rules (rag/index/word_classes.py).
    """
    words, owner, raw_words = _words_of(raw, repairs)
    firsts: dict[int, int] = {}
    for index, token in enumerate(owner):
        firsts.setdefault(token, index)
    word_paragraphs = {firsts[token] for token in paragraph_starts if token in firsts}
    word_lines = {firsts[token] for token in line_starts if token in firsts}
    result = [lead + core + trail for lead, core, trail in words]
    for index, (lead, core, trail) in enumerate(words):
        whole = firsts[owner[index]] == index and (index + 1 == len(words) or owner[index + 1] != owner[index])
        fixed = _resolve_word(words, index, raw_words[index], whole, word_paragraphs, word_lines)
        if fixed is not None:
            result[index] = fixed
    pieces: list[list[str]] = [[] for _ in repairs]
    for index, word in enumerate(result):
        pieces[owner[index]].append(word)
    return [" ".join(words_of_token) if words_of_token else repair for words_of_token, repair in zip(pieces, repairs)]


def _words_of(raw: list[str], repairs: list[str]) -> tuple[list[tuple[str, str, str]], list[int], list[str]]:
    """The repaired words as (lead, core, trail), the token each came from, and each word's raw
    spelling: the whole raw token's core for a one-word repair, else the raw characters the
    word's characters align with."""
    words: list[tuple[str, str, str]] = []
    owner: list[int] = []
    raw_words: list[str] = []
    for token, repaired in enumerate(repairs):
        pieces = repaired.split(" ")
        raw_core = _split_punct(raw[token])[1]
        mapping = _align(raw[token], repaired) if len(pieces) > 1 else []
        start = 0
        for piece in pieces:
            split = _split_punct(piece)
            words.append(split)
            owner.append(token)
            if len(pieces) == 1:
                raw_words.append(raw_core)
            else:
                begin = start + len(split[0])
                end = begin + len(split[1])
                raw_words.append(raw[token][mapping[begin] : mapping[end - 1] + 1] if end > begin else "")
            start += len(piece) + 1
    return words, owner, raw_words


def _resolve_word(
    words: list[tuple[str, str, str]],
    index: int,
    raw_core: str,
    whole: bool,
    paragraph_starts: set[int],
    line_starts: set[int],
) -> str | None:
    """The word at ``index`` as its context reads it, or None to keep the repair."""
    lead, core, trail = words[index]
    # Inside a sentence and a line: neither a sentence's first word nor a heading's.
    inside = index not in line_starts and not _opens_sentence(words, index, paragraph_starts)
    if whole:
        if core == "Ali" and _next_is_lowercase(words, index, trail, paragraph_starts):
            return lead + "AI i" + trail  # "AI" glued to "i": "införa AI i verksamheten"
        if inside and not lead + trail and raw_core in ("|", "Il", "I|"):
            return "i"  # "som skapar värde |\nverksamheterna": the preposition
        if _is_cited_name(words, index) and _only_accented(raw_core, core):
            return lead + raw_core + trail  # "(Huxham & Vangen, 2013)", not "Vången"
    if "-" in core and core.count("-") == raw_core.count("-"):
        # A later part of a hyphenated name: "Sundsvall-Ånge".
        parts = core.split("-")
        raw_parts = raw_core.split("-")
        named = [parts[0]] + [_as_name(part, raw_part) or part for part, raw_part in zip(parts[1:], raw_parts[1:])]
        return lead + "-".join(named) + trail if named != parts else None
    if not core.isalpha():
        return None
    lower = core.lower()
    if inside and core[:1].isupper() and core[1:].islower():
        name = _as_name(core, raw_core)
        if name is not None:
            return lead + name + trail
    group = GROUP_OF.get(lower)
    norm = _normalise(raw_core)
    competitors = _competitors(norm, lower)
    if group is None and not competitors:
        return None  # most words fit no other word: no clause to read
    before = _clause_before(words, index, paragraph_starts)
    after = _clause_after(words, index, paragraph_starts)
    choice = choose_reading(group, before, after) if group is not None else None
    if choice is None and competitors:
        choice = choose_by_class(lower, competitors, before, after)
    if choice is None or choice == lower:
        return None
    # Only a reading the OCR could have produced from the raw token.
    if _channel_cost(norm, choice) is None or load_lexicon().zipf.get(choice, 0.0) < READING_MIN_ZIPF:
        return None
    return lead + _restore_case(core, choice) + trail


@lru_cache(maxsize=CACHE_ENTRIES)
def _competitors(norm: str, word: str) -> tuple[str, ...]:
    """The other real words the OCR could have read as ``norm``: the same letters but for
    å/ä/ö, listed as Swedish, at least READING_MIN_ZIPF common."""
    lexicon = load_lexicon()
    spellings = lexicon.by_key.get(Lexicon.key(word), ())
    if not spellings or list(spellings) == [word]:
        return ()
    others = [
        other
        for other in spellings
        if other != word
        and lexicon.zipf[other] >= READING_MIN_ZIPF
        and lexicon.is_swedish(other)
        and _channel_cost(norm, other) is not None
    ]
    return tuple(sorted(others, key=lambda other: -lexicon.zipf[other]))


def _as_name(part: str, raw_part: str) -> str | None:
    """A capitalised word as the name hunspell-sv lists, when it is not a name as repaired."""
    if not (part[:1].isupper() and part[1:].islower() and part.isalpha()):
        return None
    competitors = _competitors(_normalise(raw_part), part.lower())
    if not competitors:
        return None  # most names ("Vinnova") fit no other word, and need no dictionary
    name = choose_name(part.lower(), [part.lower(), *competitors])
    return None if name is None else _restore_case(part, name)


def _clause_before(split: list[tuple[str, str, str]], index: int, paragraph_starts: set[int]) -> list[str]:
    before: list[str] = []
    for back in range(index - 1, max(index - 1 - WINDOW, -1), -1):
        if back + 1 in paragraph_starts or any(mark in split[back][2] for mark in _CLAUSE_END):
            break
        if split[back][1] in _DASHES:
            break
        before.insert(0, split[back][1].lower())
    return before


def _clause_after(split: list[tuple[str, str, str]], index: int, paragraph_starts: set[int]) -> list[str]:
    """The following words of the clause; a sentence end within reach is marked with "."."""
    after: list[str] = []
    trail = split[index][2]
    for ahead in range(index + 1, min(index + 1 + WINDOW, len(split) + 1)):
        if any(mark in trail for mark in _SENTENCE_END) or ahead in paragraph_starts:
            after.append(CLAUSE_END_MARK)
            break
        if any(mark in trail for mark in _CLAUSE_END) or ahead == len(split):
            break
        after.append(split[ahead][1].lower())
        trail = split[ahead][2]
    return after


def _opens_sentence(split: list[tuple[str, str, str]], index: int, paragraph_starts: set[int]) -> bool:
    return index == 0 or index in paragraph_starts or any(mark in split[index - 1][2] for mark in _SENTENCE_END)


def _is_cited_name(split: list[tuple[str, str, str]], index: int) -> bool:
    """An author in a citation: after "&" or before the year ("Huxham & Vangen, 2013")."""
    core = split[index][1]
    if not (core[:1].isupper() and core[1:].islower()):
        return False
    after_ampersand = index > 0 and split[index - 1][1] == "&"
    before_year = index + 1 < len(split) and re.fullmatch(r"(19|20)\d\d", split[index + 1][1]) is not None
    return after_ampersand or before_year


def _only_accented(raw: str, repaired: str) -> bool:
    """The repair only gave the raw word accents, and made a rare word of it ("Vången")."""
    return (
        raw.isalpha()
        and repaired != raw
        and Lexicon.key(repaired.lower()) == raw.lower()
        and load_lexicon().zipf.get(repaired.lower(), 0.0) < NAME_ZIPF
    )


def _next_is_lowercase(split: list[tuple[str, str, str]], index: int, trail: str, paragraph_starts: set[int]) -> bool:
    following = index + 1
    if trail or following >= len(split) or following in paragraph_starts:
        return False
    return split[following][1][:1].islower()


@lru_cache(maxsize=CACHE_ENTRIES)
def _repair_token(token: str) -> str:
    """Repair one whitespace-delimited token, keeping its surrounding punctuation."""
    if len(token) > MAX_REPAIR_CHARS:
        return token
    if token in ("|", "Il", "I|"):
        return "I"  # the capital I, bar and all; mid-sentence it is "i" (see _resolve_in_context)
    if token.endswith("™") and len(token) > 1:
        return _repair_token(token[:-1]) + "”"  # a closing quote read as a trademark sign
    lead, core, trail = _split_punct(token)
    if not core:
        return token
    # "kompetensbehovet;i": a semicolon glued to the next word.
    if ";" in core:
        return lead + "; ".join(_repair_token(part) for part in core.split(";")) + trail
    # "frédga/svar": each side of a slash is a word of its own.
    if "/" in core.strip("/"):
        return lead + "/".join(_repair_token(part) for part in core.split("/")) + trail
    parts = core.split("-")
    fixed = [_repair_compound_part(part, first=index == 0) for index, part in enumerate(parts)]
    return lead + "-".join(fixed) + trail


@lru_cache(maxsize=CACHE_ENTRIES)
def _split_leading_imperative(token: str) -> str:
    """Repair the first word of a list item, where the report puts an imperative: a glued token
    that opens with a verb's imperative is that verb and a word ("Byggintern" is "Bygg intern",
    "Byggorganisatoriskt" is "Bygg organisatoriskt"), though "bygg" opens many compounds."""
    repaired = _repair_token(token)
    lead, core, trail = _split_punct(token)
    lexicon = load_lexicon()
    norm = _normalise(core)
    if " " in repaired or not core[:1].isupper() or not core.isalpha() or _best_candidate(norm, lexicon):
        return repaired
    for cut in range(3, len(core) - 2):
        head = _best_candidate(norm[:cut], lexicon)
        if head is None or not lexicon.is_imperative(head[0]):
            continue
        rest = _repair_word(core[cut:])
        if lexicon.zipf.get(rest, 0.0) >= lexicon.part_zipf:
            return lead + _restore_case(core, head[0]) + " " + rest + trail
    return repaired


def _split_punct(token: str) -> tuple[str, str, str]:
    start = 0
    while start < len(token) and token[start] in _LEAD_PUNCT:
        start += 1
    # "[" or "|" opening a word is a misread "l" unless it brackets an insertion.
    if start < len(token) and token[start] == "[" and "]" in token:
        start += 1
    end = len(token)
    while end > start and token[end - 1] in _TRAIL_PUNCT + ("]" if "[" in token[:start] else ""):
        end -= 1
    return token[:start], token[start:end], token[end:]


def _repair_compound_part(part: str, first: bool) -> str:
    """Repair one hyphen-separated piece; a colon suffix ("AI:s", "DNA:et") is kept."""
    if ":" in part:
        head, _, tail = part.partition(":")
        return _repair_word(head) + ":" + tail
    return _repair_word(part)


@lru_cache(maxsize=CACHE_ENTRIES)
def _repair_word(word: str) -> str:
    if not word or not any(char.isalpha() for char in word):
        return word
    if word in ("Al", "AlI"):
        return "AI"
    if _MISREAD_ACRONYM.match(word):
        return word[:-1] + "I"  # "KPl:er": the acronym's final I read as l
    lexicon = load_lexicon()
    if _is_glued_capital_i(word, lexicon):
        return "I " + _repair_word(word[1:])  # "lintervjuerna": a sentence's "I" glued to the next word
    if word.startswith("Al") and len(word) > 2 and word.lower() not in lexicon.zipf:
        # "Alinom", "Aliden": the acronym glued to the next words.
        rest = _segment(_normalise(word[2:]), lexicon, GLUED_SPACE_PENALTY)
        if rest is not None:
            return "AI " + rest[0]
    if word.isupper() and word.isalpha() and len(word) > 1:
        return word  # an acronym; "D&" and "P&" are "Då" and "På" with a misread å
    if any(char.isdigit() for char in word) and not re.search(r"[A-Za-zåäöÅÄÖ][06]|[06][a-zåäö]", word):
        return word
    norm = _normalise(word)
    repaired = _best_repair(norm, lexicon)
    return _restore_case(word, repaired)


def _is_glued_short_word(plain: str, known: float, lexicon: Lexicon) -> bool:
    """A short token such as "gai" ("gå i"): listed by wordfreq, but no Swedish form and rare,
    ending in the preposition "i" that this OCR glues to the word before."""
    return len(plain) == 3 and plain.endswith("i") and known < lexicon.good_zipf and not lexicon.is_swedish(plain)


def _is_glued_capital_i(word: str, lexicon: Lexicon) -> bool:
    rest = word[1:]
    return (
        word[:1] == "l"
        and len(rest) >= 4
        and rest[0] in "aeiouyåäö"
        and lexicon.zipf.get(word, 0.0) < lexicon.part_zipf
        and lexicon.zipf.get(rest, 0.0) >= GLUED_I_REST_ZIPF
    )


def _normalise(word: str) -> str:
    """Lowercase, keeping an uppercase I distinct because it may be a misread l, and an
    uppercase G inside a word because it is a mangled vowel."""
    return "".join(
        "ı" if char == "I" and index + 1 < len(word) else "ǧ" if char == "G" and index else char.lower()
        for index, char in enumerate(word)
    )


def _restore_case(original: str, repaired: str) -> str:
    if not repaired or not original[0].isupper():
        return repaired
    if original[0] == "I" and repaired[0] == "l":
        return repaired
    return repaired[0].upper() + repaired[1:]


def _best_repair(norm: str, lexicon: Lexicon) -> str:
    plain = norm.replace("ı", "i").replace("ǧ", "g")
    known = lexicon.zipf.get(plain, 0.0)
    best = _best_candidate(norm, lexicon)
    if _is_glued_short_word(plain, known, lexicon):
        # The final "i" is the preposition, not the ring of an å: "gai takt" is "gå i takt".
        head = _best_candidate(norm[:-1], lexicon)
        if head is not None and head[2] >= lexicon.short_part_zipf:
            return head[0] + " i"
    if known >= 2.0 and (best is None or best[1] <= known + KEEP_MARGIN):
        return plain
    if not known and best is None and len(plain) >= FORM_MIN_LEN and plain == norm and lexicon.is_form(plain):
        # A long word the frequency list lacks but simplemma lists is an inflected compound
        # ("pilotprojekten"), not glue: cutting off "en" would break a correct word.
        return plain
    if best is not None and best[2] >= MIN_REPAIR_ZIPF and best[1] > known + KEEP_MARGIN:
        single_word, single_score = best[0], best[1]
    else:
        single_word, single_score = plain, known if known else -math.inf
    if len(norm) >= 4 and single_score < lexicon.good_zipf:
        segmented = _segment(norm, lexicon)
        if segmented is not None and segmented[1] > single_score - 9.0:
            return segmented[0]
    return single_word


@lru_cache(maxsize=CACHE_ENTRIES)
def _best_candidate(norm: str, lexicon: Lexicon) -> tuple[str, float, float] | None:
    """The lexicon word the OCR most probably produced ``norm`` from: (word, score, zipf)."""
    candidates = _candidates(norm, lexicon)
    return candidates[0] if candidates else None


@lru_cache(maxsize=CACHE_ENTRIES)
def _candidates(norm: str, lexicon: Lexicon) -> tuple[tuple[str, float, float], ...]:
    """Every lexicon word the OCR could have produced ``norm`` from, best first."""
    found = []
    for key in _keys(norm):
        for word in lexicon.by_key.get(key, ()):
            cost = _channel_cost(norm, word)
            if cost is not None:
                zipf = lexicon.zipf[word]
                found.append((word, zipf - cost, zipf))
    return tuple(sorted(found, key=lambda candidate: (-candidate[1], candidate[0])))


@lru_cache(maxsize=CACHE_ENTRIES)
def _head_candidate(norm: str, lexicon: Lexicon) -> tuple[str, float, float] | None:
    """The reading of a compound's later part: among readings close to the best, the one that
    ends the most listed words, because compounds are made with it ("beslutsvägar", not
    "-vågar"; "projektval", not "-väl"; "experimentvänlig", not "-vanlig")."""
    candidates = _candidates(norm, lexicon)
    if not candidates or candidates[0][0] in STANDALONE_WORDS:
        return candidates[0] if candidates else None  # "så" stands alone; it heads nothing
    close = [candidate for candidate in candidates if candidate[1] >= candidates[0][1] - HEAD_RANGE]
    if len(close) == 1:
        return close[0]
    return max(close, key=lambda candidate: candidate[1] + HEAD_WEIGHT * math.log10(1 + lexicon.head_count(candidate[0])))


def _keys(norm: str, limit: int = 2048) -> set[str]:
    """All lexicon keys (accent-free spellings) the channel can reach from ``norm``."""
    options: list[list[tuple[str, int]]] = []
    for index, char in enumerate(norm):
        here = {(Lexicon.key(target), 1) for target, _ in CHANNEL.get(char, ((char, 0.0),))}
        pair = norm[index : index + 2]
        if len(pair) == 2 and set(pair) <= PAIR_GLYPHS and pair != "aa":
            here.add(("a", 2))
        for run, targets in _RUNS_FROM.get(norm[index], ()):
            if norm.startswith(run, index):
                here.update((Lexicon.key(target), len(run)) for target, _ in targets)
        options.append(sorted(here))
    keys: set[str] = set()
    stack = [(0, "")]
    while stack and len(keys) < limit:
        index, prefix = stack.pop()
        if index == len(norm):
            keys.add(prefix)
            continue
        for piece, width in options[index]:
            stack.append((index + width, prefix + piece))
    return keys


@lru_cache(maxsize=CACHE_ENTRIES)
def _channel_cost(norm: str, word: str) -> float | None:
    """Cheapest way for the channel to turn ``word`` into ``norm``; None if impossible."""

    @lru_cache(maxsize=None)
    def cost(i: int, j: int) -> float:
        if i == len(norm):
            return 0.0 if j == len(word) else math.inf
        best = math.inf
        for target, price in CHANNEL.get(norm[i], ((norm[i], 0.0),)):
            if word.startswith(target, j):
                best = min(best, price + cost(i + 1, j + len(target)))
        pair = norm[i : i + 2]
        if j < len(word) and len(pair) == 2:
            if set(pair) <= PAIR_GLYPHS and pair != "aa" and word[j] in PAIR_TARGETS:
                price = PAIR_WITH_A if "a" in pair else PAIR_FOR_VOWEL
                best = min(best, price + cost(i + 2, j + 1))
        for run, targets in _RUNS_FROM.get(norm[i], ()):
            if norm.startswith(run, i):
                for target, price in targets:
                    if word.startswith(target, j):
                        best = min(best, price + cost(i + len(run), j + len(target)))
        return best

    result = cost(0, 0)
    return None if math.isinf(result) else result


@lru_cache(maxsize=CACHE_ENTRIES)
def _segment(norm: str, lexicon: Lexicon, space_penalty: float = SPACE_PENALTY) -> tuple[str, float] | None:
    """Split a glued token into known words: (text, log10 probability) or None.

    Function words (very frequent, short) stand apart with a space; other neighbours
    join into a compound, as Swedish writes them. Every boundary costs something, a
    space more than a join, so an inflected compound ("kompetensbristen") is not cut
    into a word plus a look-alike function word ("kompetensbrist en"). Where the OCR is
    known to have glued words already, ``space_penalty`` is lower: after an acronym, and
    after the first space of a token ("kanisig" is "kan i sig", not "kan isig").
    """
    n = len(norm)
    # best[i][(spaced, bound)]: (score, parts) for norm[:i]; spaced: a space is placed already;
    # bound: the last part is a bound form
    best: list[dict[tuple[bool, bool], tuple[float, tuple[str, ...]]]] = [{} for _ in range(n + 1)]
    best[0][(False, False)] = (0.0, ())
    for end in range(1, n + 1):
        for start in range(max(0, end - 24), end):
            if not best[start]:
                continue
            for word, part_score, is_bound in _part_options(norm[start:end], lexicon, end == n, start > 0):
                for (spaced_yet, last_bound), (score, parts) in best[start].items():
                    if parts and _is_linking_form(parts[-1], lexicon) and len(word) < 5:
                        # A linking form ("nytto-") heads a compound, not a short piece.
                        continue
                    spaced = bool(parts) and _spaced(parts, word, lexicon)
                    if spaced and last_bound:
                        continue  # a bound form ("seri" of "serie") never stands before a space
                    score += part_score - 9.0
                    if spaced:
                        score -= min(space_penalty, GLUED_SPACE_PENALTY) if spaced_yet else space_penalty
                    elif parts:
                        score -= JOIN_PENALTY
                    state = (spaced or spaced_yet, is_bound)
                    if state not in best[end] or score > best[end][state][0]:
                        best[end][state] = (score, parts + (word,))
    finished = [entry for (_, bound), entry in best[n].items() if not bound]
    if not finished:
        return None
    score, parts = max(finished, key=lambda entry: entry[0])
    text = parts[0]
    for index in range(1, len(parts)):
        text += (" " if _spaced(parts[:index], parts[index], lexicon) else "") + parts[index]
    return text, score


def _is_linking_form(part: str, lexicon: Lexicon) -> bool:
    """A compound's first part that is only a linking form, not a word of its own."""
    return part[-1] in LINKING_VOWELS and lexicon.zipf.get(part, 0.0) < lexicon.part_zipf


def _spaced(before: tuple[str, ...], right: str, lexicon: Lexicon) -> bool:
    """Whether a space (not a compound join) separates ``before[-1]`` from ``right``.

    A glued token's first word may be any common function word ("dessa", "bli"); later
    ones must be very common, or compound parts such as "hem" and "se" would split off.
    """
    left = before[-1]
    left_threshold = lexicon.function_zipf if len(before) == 1 else lexicon.inner_function_zipf
    return (
        lexicon.is_function_word(left, left_threshold)
        or lexicon.is_function_word(right, lexicon.inner_function_zipf)
        or left in STANDALONE_WORDS
        or right in STANDALONE_WORDS
        or _is_adjective_form(left)
        or lexicon.is_infinitive(left)
    )


def _is_adjective_form(word: str) -> bool:
    """An adjective ("tydlig", "digital", "praktisk", "dåligt", "tillräckliga") stands before its
    noun or verb; Swedish does not open a compound with it ("tydlig målsättning", not
    "tydligmålsättning"), nor with a verb's infinitive ("premiera initiativ")."""
    return len(word) >= 5 and word.endswith(ADJECTIVE_ENDINGS)


@lru_cache(maxsize=CACHE_ENTRIES)
def _part_options(piece: str, lexicon: Lexicon, final: bool, inner: bool) -> tuple[tuple[str, float, bool], ...]:
    """What a piece of a glued token may be: (word, score, bound) for the best free word and,
    if it scores higher, the best bound form, which only opens a compound and never stands
    before a space. Empty if nothing fits.

    Short pieces count only as function words. A compound's inner part may end in a
    linking s ("behovs" + "driven") or drop a stem's final e/a ("medarbetar" + "kompetens").
    A long last piece the frequency list lacks may be a form simplemma lists.
    """
    if piece == "ii" and final:
        # "omii", "organisationerii": OCR read " i" as "ii".
        return (("i", lexicon.zipf["i"] - DOUBLE_I, False),)
    free: list[tuple[str, float]] = []
    bound: list[tuple[str, float]] = []
    candidate = _head_candidate(piece, lexicon) if inner and len(piece) >= HEAD_MIN_LEN else _best_candidate(piece, lexicon)
    if candidate is not None:
        word, score, zipf = candidate
        if lexicon.is_function_word(word):
            free.append((word, score))
        elif lexicon.is_swedish(word) and (
            len(word) >= 4 and zipf >= lexicon.part_zipf
            or len(word) >= lexicon.long_part_len and zipf >= lexicon.long_part_zipf
            or len(word) == 3 and zipf >= lexicon.short_part_zipf
        ):
            free.append((word, score))
        elif not final and len(word) >= 4 and word.endswith(LINKING_ENDINGS) and zipf >= LINKING_FORM_ZIPF and lexicon.is_swedish(word):
            # A compound's first part may be a rare linking form ("fråge-" in "frågemall").
            bound.append((word, score))
    elif final and len(piece) >= FORM_MIN_LEN:
        form = _listed_form(piece, lexicon)
        if form is not None:
            free.append(form)
    if not final and len(piece) >= 4:
        if piece.endswith("s"):
            stem = _best_candidate(piece[:-1], lexicon)
            if stem is not None and stem[2] >= lexicon.part_zipf and len(stem[0]) >= 3:
                # Inside a compound the linking reading beats a look-alike verb form.
                bound.append((stem[0] + "s", stem[1] + LINKING_BONUS))
        for vowel in "e":
            stem = _best_candidate(piece + vowel, lexicon)
            if stem is not None and stem[1] >= STEM_MIN_SCORE and stem[0].endswith(vowel):
                bound.append((stem[0][:-1], stem[1] - STEM_CUT))
        if piece[-1] in LINKING_VOWELS:
            # A linking vowel in place of a stem's final a: "nytto-" (nytta), "gatu-" (gata).
            stem = _best_candidate(piece[:-1] + "a", lexicon)
            # The linking form must itself be attested (as in "nytto- och"), or any word
            # in -a would grow one ("frågo", "hårdu").
            linked = stem[0][:-1] + piece[-1] if stem is not None else ""
            if stem is not None and stem[1] >= STEM_MIN_SCORE and stem[0].endswith("a") and linked in lexicon.zipf:
                bound.append((linked, stem[1] - STEM_CUT))
    if final and piece.endswith("ande") and len(piece) >= 7:
        # A present participle of a verb in -a: "säkrande" (säkra).
        stem = _best_candidate(piece[:-3], lexicon)
        if stem is not None and stem[1] >= STEM_MIN_SCORE and stem[0].endswith("a"):
            free.append((stem[0] + "nde", stem[1] - STEM_CUT))
    options: list[tuple[str, float, bool]] = []
    best_free = max(free, key=lambda option: option[1], default=None)
    best_bound = max(bound, key=lambda option: option[1], default=None)
    if best_free is not None:
        options.append((*best_free, False))
    if best_bound is not None and (best_free is None or best_bound[1] > best_free[1]):
        options.append((*best_bound, True))
    return tuple(options)


@lru_cache(maxsize=CACHE_ENTRIES)
def _listed_form(piece: str, lexicon: Lexicon) -> tuple[str, float] | None:
    """The cheapest spelling of a long piece that simplemma lists as a Swedish form, scored as a
    rare word: (word, score). "tvarfunktionellt" is "tvärfunktionellt", a form the frequency
    list lacks."""
    for cost, spelling in _spellings(piece, FORM_SPELLINGS):
        if lexicon.is_form(spelling):
            return spelling, FORM_ZIPF - cost
    return None


def _spellings(norm: str, limit: int) -> list[tuple[float, str]]:
    """The ``limit`` cheapest spellings the channel can read ``norm`` as, cheapest first."""
    steps: list[list[tuple[str, float, int]]] = []
    for index, char in enumerate(norm):
        here = [(target, price, 1) for target, price in CHANNEL.get(char, ((char, 0.0),))]
        pair = norm[index : index + 2]
        if len(pair) == 2 and set(pair) <= PAIR_GLYPHS and pair != "aa":
            price = PAIR_WITH_A if "a" in pair else PAIR_FOR_VOWEL
            here.extend((target, price, 2) for target in PAIR_TARGETS)
        for run, targets in _RUNS_FROM.get(norm[index], ()):
            if norm.startswith(run, index):
                here.extend((target, price, len(run)) for target, price in targets)
        steps.append(here)
    found: list[tuple[float, str]] = []
    queue = [(0.0, 0, "")]
    while queue and len(found) < limit:
        cost, index, prefix = heapq.heappop(queue)
        if index == len(norm):
            found.append((cost, prefix))
            continue
        for target, price, width in steps[index]:
            heapq.heappush(queue, (cost + price, index + width, prefix + target))
    return found


def _align(source: str, target: str) -> list[int]:
    """For each character of ``target``, the index in ``source`` it came from."""
    if source == target or len(source) == len(target):
        return list(range(len(target)))
    return list(_align_cached(source, target))


@lru_cache(maxsize=CACHE_ENTRIES)
def _align_cached(source: str, target: str) -> tuple[int, ...]:
    rows, cols = len(source), len(target)
    dist = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows + 1):
        dist[i][0] = i
    for j in range(cols + 1):
        dist[0][j] = j
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            same = source[i - 1].lower() == target[j - 1].lower()
            dist[i][j] = min(dist[i - 1][j] + 1, dist[i][j - 1] + 1, dist[i - 1][j - 1] + (0 if same else 1))
    mapping = [0] * cols
    i, j = rows, cols
    while j > 0:
        if i > 0:
            same = source[i - 1].lower() == target[j - 1].lower()
            if dist[i][j] == dist[i - 1][j - 1] + (0 if same else 1):
                mapping[j - 1] = i - 1
                i, j = i - 1, j - 1
                continue
            if dist[i][j] == dist[i - 1][j] + 1:
                i -= 1
                continue
        # An inserted character maps to the source character that follows it.
        mapping[j - 1] = min(i, rows - 1) if rows else 0
        j -= 1
    if mapping:
        # A repaired token starts where its source token starts, even if the first glyph was dropped.
        mapping[0] = 0
    return tuple(mapping)
