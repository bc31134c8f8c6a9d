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
  compound rules accept many OCR errors ("aktorer", "genomfor") as words.
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache

import wordfreq

log = logging.getLogger(__name__)

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

    def __init__(self, zipf: dict[str, float], swedish: frozenset[str] = frozenset()) -> None:
        self.zipf = zipf
        self.swedish = swedish  # the listed words that are Swedish forms; empty: all are
        self.by_key: dict[str, list[str]] = {}
        for word in zipf:
            self.by_key.setdefault(self.key(word), []).append(word)

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


@lru_cache(maxsize=1)
def load_lexicon(min_zipf: float = 1.0) -> Lexicon:
    """wordfreq's Swedish list (alphabetic words), each marked Swedish or not; loaded once."""
    zipf: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict("sv").items():
        value = math.log10(frequency) + 9.0
        if value >= min_zipf and word.isalpha():
            zipf[word] = round(value, 2)
    # Only listed words are ever candidates, so only they need telling apart.
    swedish = frozenset(word for word in swedish_forms() if word in zipf)
    log.info("Loaded Swedish lexicon: %d words, %d of them Swedish forms", len(zipf), len(swedish))
    return Lexicon(zipf, swedish)


def swedish_forms() -> frozenset[str]:
    """Lowercase alphabetic Swedish word forms from simplemma's lemma table."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    table = DefaultDictionaryFactory().get_dictionary("sv")
    forms = set()
    for key in table.keys():
        word = key.decode("utf-8") if isinstance(key, bytes) else key
        if word.isalpha() and word.islower():
            forms.add(word)
    return frozenset(forms)
