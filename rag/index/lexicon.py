"""The Swedish lexicon the OCR repair reads: word frequencies, and which words are Swedish.

* wordfreq's "sv" list gives frequencies (zipf, log10 per billion words). It also holds much
  that is not Swedish (names, English, web debris such as "anil" or "esta"), which is harmless
  for whole words but lets a glued token split into nonsense ("anilesta" into "anil" + "esta"
  rather than "än i låsta").
* simplemma's Swedish lemma table lists about 960,000 Swedish word forms, including
  inflections and compound linking forms ("nytto", "behovs", "fråge"). A part of a glued
  token must be one of them (or very common), which is how the repair knows Swedish compounds.

Measured on this machine and not chosen:
* simplemma's forms as extra repair candidates (with a low pseudo-frequency): 6.8 s to build and
  590 MB, and listed variants without a frequency ("råddighet") beat the right word.
* Hunspell's Swedish dictionary (hunspell-sv read through spylls): 4.5 s to load and about
  5 ms per lookup in pure Python; it can check a candidate but not list candidates, and its
  compound rules accept many OCR errors ("aktorer", "genomfor") as words. Only its list of
  names is read, as data, by rag/index/word_classes.py.

The lemma table itself is not kept: only a sorted array of its forms' hashes (8 bytes a form,
about 8 MB), enough to ask whether a long glued token is a listed form ("pilotprojekten") and
so no glue at all. Decoding all 960,000 keys to build a set took 8 s of the lexicon's load.
A compound's last part is its head, and a head is a word that ends many listed words: "-vägar"
ends 63, "-vågar" none, "-val" 176, "-väl" 6. ``head_count`` counts that from the frequency
list, so a glued compound takes the reading of its head that compounds are made with.
"""

from __future__ import annotations

import bisect
import logging
import math
from functools import lru_cache

import numpy as np
import wordfreq

log = logging.getLogger(__name__)

# How common a verb's present tense and past form must be to call a word in -a its infinitive:
# "premierar" 2.79 / "premierade" 1.62 pass; "villar" 2.01 and "datar" 1.4 do not.
VERB_PRESENT_ZIPF = 2.5
VERB_PAST_ZIPF = 1.5

class Lexicon:
    """Swedish word frequencies (zipf) indexed by accent-free spelling, and the set of
    known Swedish word forms."""

    _KEY_TABLE = str.maketrans("åäöéè", "aaoee")
    # Parts of a glued token must be at least this common; junk entries sit lower.
    part_zipf = 2.0
    # A word this common needs no segmentation.
    good_zipf = 2.5
    # Very frequent short words stand alone rather than head a compound.
    function_zipf = 5.5
    function_len = 5
    letter_zipf = 7.0
    inner_function_zipf = 6.5
    # Three-letter junk is common in the list ("näe"); short parts must be common words.
    short_part_zipf = 4.0
    # Long words are seldom junk, so a rare one ("realisering") may still be a part.
    long_part_len = 8
    long_part_zipf = 1.2
    # A part of a glued token must be a Swedish form, unless it is this common ("AI", "IT").
    foreign_part_zipf = 4.5

    # A head counts the listed words at least this much longer that end in it.
    head_min_extra = 3

    def __init__(
        self, zipf: dict[str, float], swedish: frozenset[str] = frozenset(), form_hashes: np.ndarray | None = None
    ) -> None:
        self.zipf = zipf
        self.swedish = swedish  # the listed words that are Swedish forms; empty: all are
        self._form_hashes = form_hashes  # sorted hashes of all Swedish forms; None: unknown
        self.by_key: dict[str, list[str]] = {}
        for word in zipf:
            self.by_key.setdefault(self.key(word), []).append(word)
        self._reversed: list[str] | None = None

    @classmethod
    def key(cls, text: str) -> str:
        return text.translate(cls._KEY_TABLE)

    def is_function_word(self, word: str, threshold: float | None = None) -> bool:
        zipf = self.zipf.get(word, 0.0)
        if len(word) == 1:
            # Single letters are mostly abbreviations; only "i" is common enough to trust.
            return zipf >= self.letter_zipf
        return len(word) <= self.function_len and zipf >= (threshold or self.function_zipf)

    def is_swedish(self, word: str) -> bool:
        """A Swedish word form, or so common that it is at home in Swedish text anyway."""
        return not self.swedish or word in self.swedish or self.zipf.get(word, 0.0) >= self.foreign_part_zipf

    def is_form(self, word: str) -> bool:
        """Whether simplemma lists ``word`` as a Swedish form, frequency list or not."""
        if self._form_hashes is None:
            return word in self.swedish
        return _contains(self._form_hashes, hash(word))

    def head_count(self, word: str) -> int:
        """How many listed words end in ``word`` and are longer by at least ``head_min_extra``."""
        if self._reversed is None:
            self._reversed = sorted(listed[::-1] for listed in self.zipf)
        suffix = word[::-1]
        low = bisect.bisect_left(self._reversed, suffix)
        high = bisect.bisect_left(self._reversed, suffix + "\uffff")
        return sum(1 for listed in self._reversed[low:high] if len(listed) >= len(word) + self.head_min_extra)

    def is_infinitive(self, word: str) -> bool:
        """A verb's infinitive in -a ("främja", "premiera", "bygga"): its present tense and a past
        form are listed too ("främjar", "främjade"; "bygger", "byggde"). Nouns in -a lack them
        ("data", "media", "villa"), which is why the present must be common."""
        if len(word) < 4 or not word.endswith("a"):
            return False
        stem = word[:-1]
        first = self.zipf.get(word + "r", 0.0) >= VERB_PRESENT_ZIPF and max(
            self.zipf.get(word + "de", 0.0), self.zipf.get(word + "t", 0.0)
        ) >= VERB_PAST_ZIPF
        second = self.zipf.get(stem + "er", 0.0) >= VERB_PRESENT_ZIPF and max(
            self.zipf.get(stem + "de", 0.0), self.zipf.get(stem + "te", 0.0)
        ) >= VERB_PAST_ZIPF + 0.5
        return first or second

    def is_imperative(self, word: str) -> bool:
        """A verb's imperative, its bare stem ("bygg" of "bygga", "främja" of itself)."""
        return self.is_infinitive(word) or self.is_infinitive(word + "a")


def _contains(sorted_hashes: np.ndarray, value: int) -> bool:
    index = int(np.searchsorted(sorted_hashes, value))
    return index < len(sorted_hashes) and int(sorted_hashes[index]) == value


@lru_cache(maxsize=1)
def load_lexicon(min_zipf: float = 1.0) -> Lexicon:
    """wordfreq's Swedish list (alphabetic words), each marked Swedish or not; loaded once."""
    zipf: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict("sv").items():
        value = math.log10(frequency) + 9.0
        if value >= min_zipf and word.isalpha():
            zipf[word] = round(value, 2)
    forms = form_hashes()
    # Only listed words are ever candidates, so only they need telling apart.
    swedish = frozenset(word for word in zipf if _contains(forms, hash(word)))
    log.info("Loaded Swedish lexicon: %d words, %d of them Swedish forms", len(zipf), len(swedish))
    return Lexicon(zipf, swedish, forms)


def form_hashes() -> np.ndarray:
    """Sorted hashes of the lowercase alphabetic Swedish word forms in simplemma's lemma table.

    Python's string hash is salted per process, so the array lives and dies with the process.
    """
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    table = DefaultDictionaryFactory().get_dictionary("sv")
    hashes = np.fromiter((hash(word) for word in table if word.isalpha() and word.islower()), dtype=np.int64)
    hashes.sort()
    return hashes
