"""The objects that flow through the system, in the order they are made.

file -> Document -> Passage -> (index) -> Hit -> Answer

Every object a user sees carries ``source`` plus ``start``/``end``: character
offsets (end exclusive) into the decoded text of the source file, so any
passage, sentence or citation can be traced back to the exact span it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from rag.markers import literal

if TYPE_CHECKING:
    from rag.answering.query import Query


@dataclass(frozen=True)
class Page:
    """One page of a paginated source: page number (1-based) and its span in ``Document.text``.

    PDF pages are the file's own; the printed pages of an OCR text are derived from its layout
    (``rag.index.pages``), and a number that is not confirmed by the page numbers printed around it
    is ``estimated``.
    """

    number: int
    start: int
    end: int
    estimated: bool = False


@dataclass(frozen=True)
class PageSpan:
    """The pages a span of a source runs over: ``first``–``last``, estimated or not."""

    first: int
    last: int
    estimated: bool = False


@dataclass(frozen=True)
class Document:
    """A loaded source file.

    ``source`` is the stable name used in citations: the path relative to the corpus
    folder for corpus files, otherwise the path as given. ``text`` is the file's full
    text exactly as decoded (for PDFs: the page texts joined with a form feed), and
    all offsets elsewhere in the system index into it.
    """

    source: str
    path: str
    text: str
    sha256: str
    pages: tuple[Page, ...] = ()
    title: str | None = None
    # OCR output, whose words are repaired for display and search (rag.index.clean). Only a file the
    # corpus manifest marks so ("ocr": true); clean text is never "repaired" ("NordAI" stays NordAI).
    ocr: bool = False

    def page_at(self, offset: int) -> int | None:
        """The page number holding character ``offset``, or None for unpaginated text."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        if self.pages and offset == len(self.text):
            return self.pages[-1].number
        return None

    def page_span(self, start: int, end: int) -> PageSpan | None:
        """The pages holding characters ``start``..``end - 1``, or None for unpaginated text."""
        if not self.pages:
            return None
        last_char = max(start, end - 1)
        hit = [p for p in self.pages if p.start <= last_char and start < p.end] or [self.pages[-1]]
        return PageSpan(hit[0].number, hit[-1].number, any(p.estimated for p in hit))


@dataclass(frozen=True)
class Passage:
    """A retrievable unit: repaired text of one span of a source that never crosses a section."""

    id: str
    source: str
    section: str
    start: int
    end: int
    text: str
    page: int | None = None
    ordinal: int = 0
    page_end: int | None = None  # the last page, when the passage runs onto the next
    page_estimated: bool = False  # the page is derived from the layout, not printed around it

    @property
    def pages(self) -> PageSpan | None:
        if self.page is None:
            return None
        return PageSpan(self.page, self.page_end or self.page, self.page_estimated)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage_id": self.id,
            "source": self.source,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "page": self.page,
            "page_end": self.page_end,
            "page_estimated": self.page_estimated,
            "text": self.text,
        }


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence of a passage: repaired text, its source span and the page it starts on."""

    passage_id: str
    text: str
    start: int
    end: int
    page: int | None = None
    page_estimated: bool = False


@dataclass(frozen=True)
class Hit:
    """A passage returned by retrieval, with its 1-based rank and fused score. ``fused_rank``: its rank
    by fused score among every passage found, before those an answer may not quote were listed last
    (None: ``rank``)."""

    passage: Passage
    rank: int
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    fused_rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "score": round(self.score, 6), **self.passage.to_dict()}


@dataclass(frozen=True)
class TermGroup:
    """One English word or phrase of the question and the Swedish corpus terms it may stand for."""

    english: str
    terms: tuple[str, ...]
    in_dictionary: bool = True  # False: the dictionary lacks the word, so its absence says nothing
    words: tuple[str, ...] = ()  # the Swedish words behind ``terms``, one per term


@dataclass(frozen=True)
class Retrieved:
    """Ranked hits for a ``Query``. ``dense_top``: the cosine similarities of the passages nearest
    the question's search vector, best first (at most ``DENSE_TOP``), which the decision reads to
    see how far the nearest part of the report stands out (``rag.answering.signals``)."""

    query: Query
    hits: list[Hit]
    dense_top: tuple[float, ...] = ()


@dataclass(frozen=True)
class Citation:
    """Marker ``[n]`` in an answer, resolved to a retrieved passage."""

    n: int
    passage: Passage

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, **self.passage.to_dict()}


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer and the citation numbers that back it.

    Extractive sentences are quotes: ``source``/``start``/``end`` give their span. Generated
    sentences have no span; ``supported``/``support`` say whether their cited passages back them.
    """

    text: str
    citations: tuple[int, ...]
    start: int | None = None
    end: int | None = None
    source: str | None = None
    supported: bool = True
    support: float | None = None
    page: int | None = None  # printed page the quote starts on (see Passage.page)
    page_estimated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "page": self.page,
            "page_estimated": self.page_estimated,
            "supported": self.supported,
            "support": None if self.support is None else round(self.support, 4),
        }


@dataclass(frozen=True)
class AnswerPart:
    """A group of an answer's sentences under one heading. ``items`` are runs of sentences quoted
    together (a sentence with the one it continues, a lead-in with its list), each a tuple of
    indexes into ``Answer.sentences``. Kinds: "lead" (what answers first), "recommendations"
    (from the report's own recommendation sections), "analysis" (the report's own analysis,
    definitions and frameworks), "experiences" (what interviewees and municipalities told), "guide" (questions of the
    interview guide), "other_document" (a corpus file that is not the report) and "closest" (a partial
    answer's nearest sentences)."""

    kind: str
    heading: str | None
    items: tuple[tuple[int, ...], ...]

    @property
    def sentences(self) -> tuple[int, ...]:
        return tuple(i for item in self.items for i in item)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "heading": self.heading,
            "sentences": list(self.sentences),
            "items": [list(item) for item in self.items],
        }


def cited_runs(sentences: Sequence["AnswerSentence"]) -> list[tuple[list["AnswerSentence"], tuple[int, ...]]]:
    """Consecutive sentences that cite the same passages, with those citations: a run is quoted
    as one stretch with its markers once, at its end."""
    runs: list[tuple[list[AnswerSentence], tuple[int, ...]]] = []
    for sentence in sentences:
        if runs and runs[-1][1] == sentence.citations:
            runs[-1][0].append(sentence)
        else:
            runs.append(([sentence], sentence.citations))
    return runs


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation: the question as the user typed it and the answer
    given. A chain of follow-ups is resolved from these turn by turn (``rag.answering.followup``)."""

    question: str
    answer: str = ""


@dataclass(frozen=True)
class Decision:
    """Whether the report answers a question, the one source of every outcome field an answer shows.

    ``outcome``: "answer", "partial" (the report does not state exactly what was asked; the nearest
    it says is quoted) or "decline" (nothing quoted; the nearest passages are shown as such).
    ``kind`` says why it is not an answer: "not_covered", "unknown_terms" (``unknown_terms`` lists
    the names, or the words of the asked domain, the report never mentions; a decline or a partial
    answer), "missing_fact" (the kind in ``missing_fact``, see
    ``rag.answering.facts``) or "uncertain" (the evidence is too weak to call it an answer).
    ``probability``: the fitted model's probability that the report answers it (None when no model
    decided, e.g. a generated answer's own refusal).
    """

    outcome: str = "answer"
    kind: str | None = None
    evidence: float = 0.0
    probability: float | None = None
    unknown_terms: tuple[str, ...] = ()
    missing_fact: str | None = None

    @property
    def abstained(self) -> bool:
        return self.outcome != "answer"


ANSWERED = Decision()
DECLINED = Decision("decline", "not_covered")


@dataclass(frozen=True)
class Answer:
    """What the user reads: a lead line, cited sentences in parts, and the passages behind them.

    ``decision`` holds the outcome; ``abstained``, ``outcome``, ``decline_kind``,
    ``unknown_terms``, ``missing_fact`` and ``evidence`` are read from it.
    """

    question: str
    lang: str
    lead: str
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    decision: Decision = ANSWERED
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"  # "extractive" or "generative"
    fallback: str | None = None  # why a generative answer was replaced by the extractive one
    invalid_citations: tuple[int, ...] = ()  # markers that pointed at no retrieved passage, removed
    standalone_question: str | None = None  # a follow-up as understood ("Tolkad som"); None when it stands alone
    parts: tuple[AnswerPart, ...] = ()  # empty: the sentences read as one paragraph (generated answers)

    @property
    def abstained(self) -> bool:
        return self.decision.abstained

    @property
    def outcome(self) -> str:
        return self.decision.outcome

    @property
    def decline_kind(self) -> str | None:
        return self.decision.kind

    @property
    def unknown_terms(self) -> tuple[str, ...]:
        return self.decision.unknown_terms

    @property
    def missing_fact(self) -> str | None:
        return self.decision.missing_fact

    @property
    def evidence(self) -> float:
        return self.decision.evidence
    # Quoted sources the corpus manifest does not describe, i.e. not the report (``rag.answering.compose``).
    other_documents: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The answer as plain text: the lead line, then each part, a headed part as a list with one
        item per run of sentences quoted together. Markers follow each stretch from one passage; a
        bracketed number in a quoted sentence is the source's text, written ``\\[2]`` (``rag.markers``)."""
        blocks = [self.lead] if self.lead else []
        parts = self.parts or (AnswerPart("lead", None, (tuple(range(len(self.sentences))),)),)
        for part in parts:
            items = [self._item([self.sentences[i] for i in item]) for item in part.items if item]
            if part.kind == "question_part":  # one part of a question that asks several things
                blocks.append("\n".join([part.heading or "", *items]))
                continue
            if not items:
                continue
            if part.heading:
                blocks.append(part.heading + ":\n" + "\n".join("• " + item.lstrip("• ") for item in items))
            else:
                blocks.append(" ".join(items))
        return "\n\n".join(blocks)

    @staticmethod
    def _item(sentences: list["AnswerSentence"]) -> str:
        out = ""
        for run, citations in cited_runs(sentences):
            for sentence in run:
                if sentence.text.startswith("•") and out:
                    # A list item of the report keeps its own line, indented under what announced it.
                    out += "\n  " + literal(sentence.text)
                else:
                    out += (" " if out else "") + literal(sentence.text)
            out += "".join(f" [{n}]" for n in citations)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "lang": self.lang,
            "answer": self.text,
            "abstained": self.abstained,
            "evidence_score": round(self.evidence, 4),
            "mode": self.mode,
            "fallback": self.fallback,
            "invalid_citations": list(self.invalid_citations),
            "standalone_question": self.standalone_question,
            "outcome": self.outcome,
            "decline_kind": self.decline_kind,
            "unknown_terms": list(self.unknown_terms),
            "missing_fact": self.missing_fact,
            "answerable_probability": (
                None if self.decision.probability is None else round(self.decision.probability, 4)
            ),
            "other_documents": list(self.other_documents),
            "parts": [p.to_dict() for p in self.parts],
            "sentences": [s.to_dict() for s in self.sentences],
            "citations": [c.to_dict() for c in self.citations],
            "passages": [h.to_dict() for h in self.hits],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


@dataclass(frozen=True)
class Delta:
    """A piece of answer text as it is produced (streaming)."""

    text: str


@dataclass(frozen=True)
class Final:
    """The complete, validated answer; always the last event of a stream."""

    answer: Answer


AnswerEvent = Delta | Final
