"""English → Swedish query translation.

The report is Swedish, so an English question shares no words with it and BM25
contributes nothing but noise for it. Dictionary-based query translation is the
classic remedy in cross-language retrieval: each English content word (or
two-word phrase) is looked up in a bilingual dictionary, and its Swedish
translations that the corpus actually uses form one group of alternatives. The
retriever scores a passage on a group by its best-matching alternative (a
structured query), so a word with many translations does not outweigh a word
with one. Dense search adds the vector of a Swedish rendering (one translation
per word), and the extractive answerer counts overlap through the same groups.

The dictionary is Folkets lexikon (sv→en, CC BY-SA 2.5, folkets-lexikon.csc.kth.se)
as shipped in the ``svlang`` package; it is read in reverse.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

from rag.lexical import STOPWORDS, stem, zipf_en

log = logging.getLogger(__name__)

_EN_WORD = re.compile(r"[^\W\d_]+")  # letters; "cross-functional" is two words
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_LEADING = re.compile(r"^(?:to|a|an|the|be)\s+")
_GLOSS_SPLIT = re.compile(r"[,;/]")
# English words at least this common (Zipf: about once in 1,000 words: "who", "have", "use",
# "need") say nothing about the topic and translate to dozens of Swedish words; not looked up.
EN_COMMON_ZIPF = 5.9
MAX_ALTERNATIVES = 8  # per English word; the first are the words it is the main sense of
GLOSS_RANKS = 1  # gloss positions told apart when ordering: first gloss, or any later one


@dataclass(frozen=True)
class TermGroup:
    """One English word or phrase of the question and the Swedish corpus terms it may stand for."""

    english: str
    terms: tuple[str, ...]
    in_dictionary: bool = True  # False: the dictionary lacks the word, so its absence says nothing
    words: tuple[str, ...] = ()  # the Swedish words behind ``terms``, one per term


class QueryTranslator(Protocol):
    def translate(self, question: str, vocabulary: frozenset[str]) -> list[TermGroup]:
        """Groups for the question's English content words; a group's terms are stems that occur
        in ``vocabulary``. Words without a translation in the corpus yield a group with no terms."""
        ...


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(stem(w, "english") for w in phrase.split())


def parse_folkets(lines) -> dict[tuple[str, ...], list[str]]:
    """Reverse index of Folkets lexikon lines ``swedish<TAB>english, english; …``: stemmed
    English gloss of one or two words → Swedish headwords, in dictionary order."""
    ranked: dict[tuple[str, ...], list[tuple[int, int, str]]] = {}
    for line in lines:
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        swedish, glosses = line.rstrip("\n").split("\t", 1)
        swedish = html.unescape(swedish).replace("|", "").strip().lower()
        if not swedish or " " in swedish:
            continue
        for position, gloss in enumerate(_GLOSS_SPLIT.split(html.unescape(glosses).lower())):
            gloss = _LEADING.sub("", _BRACKETS.sub(" ", gloss).strip()).strip()
            if not gloss or not re.fullmatch(r"[a-z]+(?:[ -][a-z]+)?", gloss):
                continue
            bucket = ranked.setdefault(_key(gloss.replace("-", " ")), [])
            bucket.append((min(position, GLOSS_RANKS), len(bucket), swedish))
    # Entries where the English word is the first gloss (the Swedish word's main sense) come first.
    return {key: [sv for _, _, sv in sorted(bucket)] for key, bucket in ranked.items()}


def _function_word(word: str) -> bool:
    return word in STOPWORDS or len(word) < 3 or zipf_en(word) >= EN_COMMON_ZIPF


class DictionaryTranslator:
    """Word-by-word translation with Folkets lexikon, two-word phrases first."""

    def __init__(self, index: dict[tuple[str, ...], list[str]] | None = None) -> None:
        self._index = index  # None: the bundled dictionary, read at the first English question

    @property
    def index(self) -> dict[tuple[str, ...], list[str]]:
        if self._index is None:
            self._index = _bundled_index()
        return self._index

    def warm(self) -> int:
        """Read the dictionary now (the web app does so at start); the number of English keys."""
        return len(self.index)

    def translate(self, question: str, vocabulary: frozenset[str]) -> list[TermGroup]:
        tokens = _EN_WORD.findall(question.lower())
        groups: list[TermGroup] = []
        i = 0
        while i < len(tokens):
            pair = tokens[i : i + 2]
            if len(pair) == 2 and not any(_function_word(w) for w in pair):
                found, known, words = self._lookup(_key(" ".join(pair)), vocabulary)
                if found:
                    groups.append(TermGroup(" ".join(pair), found, known, words))
                    i += 2
                    continue
            word = tokens[i]
            i += 1
            if _function_word(word):
                continue
            groups.append(TermGroup(word, *self._lookup(_key(word), vocabulary)))
        return groups

    def _lookup(
        self, key: tuple[str, ...], vocabulary: frozenset[str]
    ) -> tuple[tuple[str, ...], bool, tuple[str, ...]]:
        """(Swedish stems in the corpus, whether the dictionary knows the English words at all,
        the Swedish word behind each stem)."""
        entries = self.index.get(key, ())
        found: dict[str, str] = {}
        for swedish in entries:
            s = stem(swedish)
            if s in vocabulary and s not in found:
                found[s] = swedish
        kept = list(found.items())[:MAX_ALTERNATIVES]
        return tuple(s for s, _ in kept), bool(entries), tuple(w for _, w in kept)


@lru_cache(maxsize=1)
def _bundled_index() -> dict[tuple[str, ...], list[str]]:
    try:
        path = resources.files("svlang") / "data" / "folkets_sv_en.tsv"
        with path.open(encoding="utf-8") as fh:
            return parse_folkets(fh)
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        # Retrieval still works without it (dense search is multilingual); say so once.
        log.warning(
            "English query translation is off: Folkets lexikon not found in the svlang package (%s); "
            "reinstall the project (pip install -e .) or set RAG_TRANSLATE_QUERIES=false",
            exc,
        )
        return {}
