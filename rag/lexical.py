"""Tokenising, Swedish stemming, language guess and sentence splitting.

Shared by the BM25 index, the extractive answerer and evaluation so that all of
them see the same words.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_SWEDISH

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
# Words that carry no topic in a municipal question; kept small and generic.
_QUESTION_NOISE = {
    "vad", "hur", "varför", "vilka", "vilken", "vilket", "när", "kan", "bör", "ska", "skall",
    "vi", "oss", "vår", "våra", "vårt", "rapporten", "rapport", "säger", "står", "enligt",
    "what", "how", "why", "which", "when", "should", "could", "does", "do", "we", "our",
    "report", "say", "says", "according",
}
STOPWORDS = frozenset(STOPWORDS_SWEDISH) | frozenset(STOPWORDS_EN) | _QUESTION_NOISE


_stemmer_lock = threading.Lock()


@lru_cache(maxsize=2)
def _stemmer(language: str):
    import Stemmer

    return Stemmer.Stemmer(language)


@lru_cache(maxsize=200_000)
def stem(word: str, language: str = "swedish") -> str:
    """Snowball stem of ``word``; English only for reading the translation dictionary."""
    with _stemmer_lock:  # PyStemmer objects are not thread-safe
        return _stemmer(language).stemWord(word)


def words(text: str) -> list[str]:
    """Lower-cased word tokens; hyphenated compounds also yield their parts."""
    out: list[str] = []
    for match in _WORD.finditer(text.lower()):
        token = match.group(0)
        out.append(token)
        if "-" in token:
            out.extend(p for p in token.split("-") if p)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content terms plus the stemmed parts of compounds: what BM25 indexes and
    what answer scoring overlaps on ("pilotstadiet" also yields the stems of "pilot" and "stadiet")."""
    out: list[str] = []
    for w in words(text):
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        out.append(stem(w))
        out.extend(stem(part) for part in decompound(w))
    return out


@lru_cache(maxsize=1)
def _zipf():
    from wordfreq import zipf_frequency

    return zipf_frequency


@lru_cache(maxsize=40_000)
def lemma(word: str, lang: str = "sv") -> str:
    """The dictionary form of ``word`` (simplemma's lemma data), lower-cased; the word itself when
    simplemma has none for ``lang``."""
    import simplemma

    try:
        return simplemma.lemmatize(word, lang=lang).lower()
    except ValueError:
        return word


def zipf_sv(word: str) -> float:
    """How common a word is in general Swedish (wordfreq Zipf scale, 0 = unseen)."""
    return _zipf()(word, "sv")


def zipf_en(word: str) -> float:
    """How common a word is in general English (wordfreq Zipf scale, 0 = unseen)."""
    return _zipf()(word, "en")


def _known(word: str) -> float:
    """Zipf frequency of a Swedish word, 0 when it is too rare to trust as a compound part."""
    if len(word) < 3:
        return 0.0
    z = _zipf()(word, "sv")
    return z if z >= 2.5 else 0.0


# The longest alphabetic word in wordfreq's Swedish list ("försvarsunderrättelseverksamheten");
# the report's longest is 29 characters. Trying every split costs time and memory in the square
# of a word's length (a 100,000-character "word" ran 15 minutes and passed 4 GB), so no longer
# word is ever split: it is no real Swedish word.
MAX_COMPOUND_CHARS = 33


@lru_cache(maxsize=200_000)
def decompound(word: str) -> tuple[str, ...]:
    """Split a Swedish compound into two frequent words (with an optional linking -s-).

    Swedish writes compounds as one word, so "pilotstadiet" and "pilotfas" share no term
    unless both are split; the split keeps the whole word too (see ``terms``).
    """
    if not 7 <= len(word) <= MAX_COMPOUND_CHARS or not word.isalpha() or _known(word) >= 4.0:
        return ()
    best: tuple[float, tuple[str, ...]] = (0.0, ())
    for i in range(3, len(word) - 2):
        head, tail = word[:i], word[i:]
        tail_z = _known(tail)
        if not tail_z:
            continue
        for h in (head, head[:-1] if head.endswith("s") else ""):
            head_z = _known(h)
            if head_z and min(head_z, tail_z) > best[0]:
                best = (min(head_z, tail_z), (h, tail))
    return best[1]


def detect_lang(text: str) -> str:
    """'sv' or 'en': each word votes by how much more common it is in one language than the
    other (wordfreq); Swedish letters count for Swedish; ties go to Swedish, the users' default."""
    zipf = _zipf()
    vote = -2.0 * len(re.findall(r"[åäöÅÄÖ]", text))
    for w in words(text):
        if "-" not in w:
            vote += zipf(w, "en") - zipf(w, "sv")
    return "en" if vote > 0 else "sv"


_ABBREVIATIONS = frozenset(
    "t.ex bl.a s.k m.m d.v.s dvs o.s.v osv etc ca jfr t.o.m p.g.a pga e.g i.e vs nr s kap resp fr.o.m".split()
)
# Linear in the length of a line: a match starts only at the first mark of a run, and the
# possessive quantifiers never give back what they took. A run of dots (a table of contents)
# or of spaces would otherwise be retried from every position, in the square of its length.
_SENT_END = re.compile(r"(?<![.!?…])[.!?…]++[\"”»’)\]]*+(?=\s++[\"“«(\[•–—-]?\s*+[A-ZÅÄÖ0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``; newlines (list items) always end a sentence."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        _split_line(line, line_start, spans)
        line_start += len(line) + 1
    return spans


def _split_line(line: str, offset: int, spans: list[tuple[int, int]]) -> None:
    start = 0
    for match in _SENT_END.finditer(line):
        end = match.end()
        before = line[start : match.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or (len(before) == 1 and last.isdigit()):
            # abbreviations, initials and list numbers ("1. Inledning") do not end a sentence
            continue
        _add_span(line, offset, start, end, spans)
        start = end
    _add_span(line, offset, start, len(line), spans)


def _add_span(line: str, offset: int, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    chunk = line[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    trail = len(chunk.rstrip())
    if trail > lead:
        spans.append((offset + start + lead, offset + start + trail))
