"""The library entry point: one object that answers questions from the current index.

CLI, evaluation and the web app all go through ``RagService`` so they give the same
answers. Construction only stores its parts; ``warm_up()`` (called by the first request
if nobody called it before) opens the index, builds it when there is none, rebuilds it
with a clear message when the manifest does not match the settings, and reads the
translation dictionary. Callers get passages, locations and index statistics from the
service, never from the index objects behind it.

A warm service follows the store's current generation (``refresh``, called every
``index_poll_seconds`` by ``rag.replica.Poller``): a new one is loaded beside the old and
swapped in with one assignment, and every question reads the generation it started on
to the end. The passages of the last few generations it answered from stay readable (text,
sentences and file entries, no vectors), so a citation in an answer given just before a switch
still opens; an id found in none of them makes the service look for a newer generation once.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

from rag.answering.answer import Answerer, stream_answer
from rag.answering.parts import asked_by_itself, combine, split_parts
from rag.config import Settings
from rag.embeddings import Embedder, make_embedder
from rag.answering.followup import Condenser
from rag.index.ingest import IngestReport, IngestTally, ingest
from rag.limits import check_history, check_k, check_text
from rag.answering.llm import make_answerer, make_condenser
from rag.answering.query import TRANSLATE_DENSE_WEIGHT, QueryBuilder
from rag.answering.retrieval import Fusion, HybridRetriever, Reranker
from rag.index.rows import Places
from rag.index.store import Generation, Manifest, expected_manifest, manifest_mismatch
from rag.index.stores import make_store
from rag.replica import Poller
from rag.answering.translate import DictionaryTranslator, written_words
from rag.types import Answer, AnswerEvent, Final, Hit, Retrieved, Turn
from rag.product.viewer import IndexedPassages, PassageView, SourceLocation
from rag.types import Passage

log = logging.getLogger(__name__)


def _stale_reason(manifest: Manifest, settings: Settings, embedder: Embedder) -> str | None:
    diffs = manifest_mismatch(manifest, expected_manifest(embedder.name, settings.chunk_chars))
    return "; ".join("{}: index has {}, settings want {}".format(*d) for d in diffs) or None


@dataclass(frozen=True)
class IndexStats:
    """What the status line and feedback records say about the open index."""

    passages: int
    documents: int
    generation: str
    sentences: int = 0


@dataclass(frozen=True)
class Loaded:
    """Everything that answers from one generation; a question holds one from start to end."""

    generation: Generation
    queries: QueryBuilder
    retriever: HybridRetriever
    answerer: Answerer
    passages: IndexedPassages


# Generations whose passages stay readable after a switch. With only the current one readable,
# 6 of 1,227 citation clicks right after a re-ingest failed (issue 20's probe: 5 re-ingests under
# 8 asking clients). A citation is clicked seconds after its answer and a re-ingest takes longer than
# that, so one earlier generation covers a click that straddles a switch; the second covers two
# switches in quick succession. Each costs its passage and sentence text (no vectors).
EARLIER_GENERATIONS = 2


@dataclass(frozen=True)
class _Passages:
    """What the viewer and the memo read of a generation: no vectors, no search structures."""

    name: str
    manifest: Manifest
    passages: Sequence
    sentences: Sequence
    by_id: Mapping
    sentences_of: Mapping
    places: Places

    @classmethod
    def of(cls, generation: Generation) -> "_Passages":
        return cls(generation.name, generation.manifest, generation.passages, generation.sentences,
                   generation.by_id, generation.sentences_of, generation.places)


class RagService:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        answerer: Answerer | None = None,
        reranker: Reranker | None = None,
        notify=None,
        condenser: Condenser | None = None,
        tally: IngestTally | None = None,
        fusion: Fusion = Fusion(),
        translate_dense_weight: float = TRANSLATE_DENSE_WEIGHT,
    ) -> None:
        self.settings = settings
        self.fusion = fusion
        self.translate_dense_weight = translate_dense_weight
        self.embedder = embedder or make_embedder(settings)
        self._answerer = answerer
        self.condenser = condenser if condenser is not None else make_condenser(settings)
        self.reranker = reranker
        self.notify = notify or (lambda msg: log.warning("%s", msg))
        self.ingest_report: IngestReport | None = None
        self.tally = tally  # counts a first ingest for the web app's status line
        self.store = make_store(settings)
        self._warm = threading.Lock()
        self._switching = threading.Lock()
        self._loaded: Loaded | None = None
        self._earlier: collections.deque[IndexedPassages] = collections.deque(maxlen=EARLIER_GENERATIONS)
        self.poller = Poller(self, settings.index_poll_seconds)

    def warm_up(self) -> "RagService":
        """Open (or build) the index and read the translation dictionary; safe to call again.
        From then on the service follows the store's current generation."""
        with self._warm:
            if self._loaded is None:
                loaded = self._load()
                if loaded.queries.translator is not None:
                    loaded.queries.translator.warm()
                self._loaded = loaded
                self.poller.start()
        return self

    def refresh(self) -> bool:
        """Switch to the store's current generation when it is another than the one answering;
        True when it switched. A generation built with other settings is not switched to."""
        self.warm_up()
        with self._switching:
            current = self.store.current_id()
            if current is None or current == self._loaded.generation.name:
                return False
            generation = self.store.open_current()
            reason = _stale_reason(generation.manifest, self.settings, self.embedder)
            if reason:
                log.warning("not switching to index generation %s: %s", generation.name, reason)
                return False
            previous = self._loaded.generation
            self._earlier.appendleft(IndexedPassages(_Passages.of(previous), self.settings.corpus_dir))
            self._loaded = self._answering(generation)
        log.warning("now answering from index generation %s in %s", generation.name, self.store.describe())
        return True

    @property
    def generation(self) -> Generation:
        """The open index generation, for evaluation scripts and tests that look inside it."""
        return self.warm_up()._loaded.generation

    @property
    def queries(self) -> QueryBuilder:
        return self.warm_up()._loaded.queries

    @property
    def retriever(self) -> HybridRetriever:
        return self.warm_up()._loaded.retriever

    @property
    def answerer(self) -> Answerer:
        return self.warm_up()._loaded.answerer

    @answerer.setter
    def answerer(self, answerer: Answerer) -> None:
        self._answerer = answerer
        self._loaded = dataclasses.replace(self.warm_up()._loaded, answerer=answerer)

    def _load(self) -> Loaded:
        index = self.store
        manifest = index.current_manifest()
        if manifest is None:
            self.notify("no index in {}: building it from {}".format(index.describe(), self.settings.corpus_dir))
            self.ingest_report = ingest(self.settings, embedder=self.embedder, notify=self.notify, tally=self.tally)
        else:
            reason = _stale_reason(manifest, self.settings, self.embedder)
            if reason:
                self.notify("index does not match the settings ({}): rebuilding".format(reason))
                # The corpus folder again; files indexed from elsewhere are read again from where they were.
                self.ingest_report = ingest(self.settings, embedder=self.embedder, notify=self.notify, tally=self.tally)
        return self._answering(index.open_current())

    def _answering(self, generation: Generation) -> Loaded:
        queries = QueryBuilder(
            self.embedder,
            generation.vocabulary,
            self.condenser,
            translator=DictionaryTranslator(
                frequencies=generation.term_frequencies,
                report_words=lambda: written_words(generation.passages),
            )
            if self.settings.translate_queries
            else None,
            translate_dense_weight=self.translate_dense_weight,
            frequencies=generation.term_frequencies,
        )
        retriever = HybridRetriever(self.settings, self.embedder, generation, self.reranker, self.fusion)
        answerer = self._answerer or make_answerer(self.settings, generation, self.embedder)
        return Loaded(generation, queries, retriever, answerer, IndexedPassages(generation, self.settings.corpus_dir))

    def sections(self) -> list[str]:
        """Section paths in reading order (what the scope selector offers)."""
        return self.warm_up().retriever.sections()

    def stats(self) -> IndexStats:
        generation = self.generation
        return IndexStats(
            passages=len(generation.passages),
            documents=len(generation.places.sources),
            generation=generation.name,
            sentences=len(generation.sentences),
        )

    def _holding(self, passage_id: str) -> IndexedPassages:
        """The passages of the newest generation that holds ``passage_id``: the current one, one
        it answered from before the last switches, or a newer one in the store (another replica
        may have switched first); else the current one, whose lookup raises KeyError naming the id."""
        current = self.warm_up()._loaded.passages
        if passage_id in current.generation.by_id:
            return current
        for earlier in list(self._earlier):
            if passage_id in earlier.generation.by_id:
                return earlier
        if self.refresh():
            return self._loaded.passages
        return current

    def passage(self, passage_id: str) -> Passage:
        """Passage ``passage_id`` of the current index or of one answered from just before it;
        KeyError naming the id when none has it."""
        return self._holding(passage_id).passage(passage_id)

    def locate(self, passage: Passage) -> SourceLocation:
        """Where ``passage`` is in its source file (page label; lines for text files)."""
        return self._holding(passage.id).locate(passage)

    def title(self, source: str) -> str | None:
        """The title of ``source`` as the corpus manifest describes it, if it does."""
        return self.warm_up()._loaded.passages.title(source)

    def sentences(self, passage_id: str) -> list:
        """The sentences of passage ``passage_id`` in order, with source spans and pages."""
        return self._holding(passage_id).sentences(passage_id)

    def document(self, source: str) -> dict:
        """How the index describes ``source``: title, and publisher and year from the corpus manifest
        (of an earlier generation for a file the current one no longer holds)."""
        current = self.warm_up()._loaded.passages
        for passages in (current, *list(self._earlier)):
            if source in passages.generation.manifest.files:
                return passages.document(source)
        return current.document(source)

    def search(
        self, query: str, k: int | None = None, section: str | None = None, source: str | None = None
    ) -> list[Hit]:
        """Passages for ``query`` without an answer (the drafting workspace's search)."""
        return self.retrieve(query, k=k, section=section, source=source, field="query").hits

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        source: str | None = None,
        history: Sequence[Turn] = (),
        field: str = "question",
    ) -> Retrieved:
        """The question understood in its conversation (a ``Query``) and the passages found for it;
        ValueError naming the input (``field``, section, source, history, k) that is out of bounds."""
        return self._retrieve(self.warm_up()._loaded, question, k, section, source, history, field)

    def _retrieve(self, loaded: Loaded, question, k, section, source, history, field="question") -> Retrieved:
        question, k = self._checked(question, k, section, source, history, field)
        query = loaded.queries.build(question, history)
        return loaded.retriever.search(query, k=k, section=section, source=source)

    def passage_view(self, passage_id: str, highlight: Sequence[tuple[int, int]] = ()) -> PassageView:
        """Passage ``passage_id`` in its context with the sentences overlapping the source spans
        in ``highlight`` marked (see ``rag.product.viewer.passage_view``); KeyError for an unknown id."""
        return self._holding(passage_id).view(passage_id, highlight)

    def ask(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        source: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        """The complete answer to ``question``; the model (if any) is called without streaming."""
        t0 = time.perf_counter()
        loaded = self.warm_up()._loaded
        several = self._several(loaded, question, k, section, source, history)
        if several is not None:
            return self._finish(several[0], several[1], t0, time.perf_counter())
        retrieved = self._retrieve(loaded, question, k, section, source, history)
        t1 = time.perf_counter()
        return self._finish(loaded.answerer.answer(retrieved), retrieved, t0, t1)

    def _several(self, loaded: Loaded, question, k, section, source, history) -> tuple[Answer, Retrieved] | None:
        """A question asking several things (``rag.answering.parts``), extractive answers only: each
        part retrieved, decided and answered on its own, then combined. None for a single question."""
        if self.settings.llm != "extractive":
            return None
        self._checked(question, k, section, source, history)
        parts = split_parts(question)
        if len(parts) < 2:
            return None
        retrieved = [asked_by_itself(self._retrieve(loaded, p, k, section, source, history), p) for p in parts]
        answers: list[Answer] = []
        quoted: set[tuple[str, int, int]] = set()
        for r in retrieved:  # a later part quotes what the earlier ones have not, when it can
            answers.append(loaded.answerer.answer(r, frozenset(quoted)))
            quoted.update((s.source, s.start, s.end) for s in answers[-1].sentences)
        return combine(question, parts, answers), retrieved[0]

    def stream(
        self,
        question: str,
        k: int | None = None,
        section: str | None = None,
        source: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Iterator[AnswerEvent]:
        """Answer events for ``question``: text pieces as they come, then the complete answer.

        A follow-up is made standalone from ``history`` before retrieval; the answer records
        the rewrite in ``standalone_question``.
        """
        t0 = time.perf_counter()
        loaded = self.warm_up()._loaded
        several = self._several(loaded, question, k, section, source, history)
        if several is not None:
            answer = self._finish(several[0], several[1], t0, time.perf_counter())
            yield from stream_answer(answer)
            return
        retrieved = self._retrieve(loaded, question, k, section, source, history)
        t1 = time.perf_counter()
        for event in loaded.answerer.stream(retrieved):
            if isinstance(event, Final):
                yield Final(self._finish(event.answer, retrieved, t0, t1))
                return
            yield event

    def _checked(self, question, k, section, source, history, field: str = "question") -> tuple[str, int | None]:
        """The stripped question and k, or ValueError naming the input that is out of bounds."""
        limit = self.settings.max_question_chars
        question = check_text(question, limit, field)
        for name, value in (("section", section), ("source", source)):
            if value is not None:
                check_text(value, limit, name, allow_empty=True)
        check_history(
            history, self.settings.max_history_turns, self.settings.max_history_chars, limit
        )
        return question, check_k(k)

    @staticmethod
    def _finish(answer: Answer, retrieved: Retrieved, t0: float, t1: float) -> Answer:
        t2 = time.perf_counter()
        answer = dataclasses.replace(answer, standalone_question=retrieved.query.shown_rewrite)
        answer.timings_ms.update({"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000, "total": (t2 - t0) * 1000})
        return answer

