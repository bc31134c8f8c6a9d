"""Generative answers from any LangChain chat model, checked before they are shown.

The model gets the top passages, numbered, and writes an answer with ``[n]`` markers
(``rag.answering.prompts``). Its text streams out as ``Delta`` events while it is written; once complete
it is validated (``rag.answering.validate``): invalid markers are removed and listed, and every sentence
is scored for support by the passages it cites. The ``Final`` answer carries that verdict per
sentence.

The extractive answer is computed first. It decides abstention (a question the report does not
cover never reaches the model) and it is what the user gets, with a visible notice and
``fallback`` set to the reason, whenever the generated answer cannot be trusted: the endpoint is
down, slow or failing, the reply is empty, it cites no retrieved passage, or too few of its
sentences are supported. No model failure reaches the user as an exception. When the model
fails after some text has streamed, the ``Final`` answer replaces that text.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Iterator

from rag.answering.answer import ExtractiveAnswerer, stream_answer
from rag.config import Settings
from rag.embeddings import Embedder
from rag.answering.messages import Reason, say
from rag.answering.prompts import answer_messages
from rag.answering.replies import describe_error, message_text, strip_thinking
from rag.answering.selection import answer_hits
from rag.index.store import Generation
from rag.types import Answer, AnswerEvent, Citation, Decision, Delta, Final, Retrieved
from rag.answering.validate import SUPPORT_THRESHOLD, SupportScorer, validate

if TYPE_CHECKING:  # importing langchain's model classes costs half a second at every start
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)


def notice(lang: str, reason: Reason) -> str:
    """The visible line above a fallback answer, in the answer's language."""
    return say("generative.fallback", lang, reason=reason.text(lang))


class GenerativeAnswerer:
    """``Answerer`` backed by a chat model; see the module docstring."""

    mode = "generative"

    def __init__(
        self,
        settings: Settings,
        generation: Generation,
        embedder: Embedder,
        model: BaseChatModel,
        extractive: ExtractiveAnswerer | None = None,
    ) -> None:
        self.settings = settings
        self.model = model
        self.extractive = extractive or ExtractiveAnswerer(settings, generation)
        self.scorer = SupportScorer(generation, embedder)

    def answer(self, retrieved: Retrieved, quoted: frozenset[tuple[str, int, int]] = frozenset()) -> Answer:
        # The model writes one answer to the whole question; parts are answered extractively only.
        final = None
        for event in self._run(retrieved, streaming=False):
            if isinstance(event, Final):
                final = event.answer
        assert final is not None
        return final

    def stream(self, retrieved: Retrieved) -> Iterator[AnswerEvent]:
        yield from self._run(retrieved, streaming=True)

    def _run(self, retrieved: Retrieved, streaming: bool) -> Iterator[AnswerEvent]:
        started = time.perf_counter()
        base = self.extractive.answer(retrieved)
        if base.abstained:
            # Weak evidence: the model is not asked to make something of it.
            yield from stream_answer(dataclasses.replace(base, mode=self.mode))
            return
        lang = base.lang  # of the user's own words, not of the standalone rewrite
        hits = answer_hits(retrieved.query, retrieved.hits, self.settings.answer_passages)
        # A follow-up searched in its own words is given to the model with what it follows on from.
        messages = answer_messages(retrieved.query.shown_rewrite or retrieved.query.standalone, hits, lang)
        parts: list[str] = []
        try:
            if streaming:
                for chunk in self.model.stream(messages):
                    text = message_text(chunk)
                    if text:
                        parts.append(text)
                        yield Delta(text)
            else:
                parts.append(message_text(self.model.invoke(messages)))
        except Exception as exc:  # noqa: BLE001 - any model failure means the extractive answer, not a crash
            reason = describe_error(exc, self.settings.llm_timeout_s)
            log.warning("generative answer failed (%s); using the extractive answer", reason)
            yield Final(self._fallback(base, reason))
            return
        llm_ms = (time.perf_counter() - started) * 1000
        raw = strip_thinking("".join(parts))
        answer, reason = self._checked(lang, raw, retrieved, base)
        if reason:
            log.warning("generated answer rejected (%s); using the extractive answer", reason)
            answer = self._fallback(base, reason)
        answer.timings_ms.update({"llm": llm_ms, "answer": (time.perf_counter() - started) * 1000})
        yield Final(answer)

    def _checked(
        self, lang: str, raw: str, retrieved: Retrieved, base: Answer
    ) -> tuple[Answer, Reason | None]:
        """The validated answer, and a reason when it must be replaced by ``base``."""
        hits = answer_hits(retrieved.query, retrieved.hits, self.settings.answer_passages)
        if not raw:
            return base, Reason("empty")
        checked = validate(raw, hits, lang, self.scorer, SUPPORT_THRESHOLD)
        common = dict(question=retrieved.query.text, lang=lang, hits=tuple(retrieved.hits), mode=self.mode)
        if checked.abstained:
            # The model's own refusal: declined, with the extractive evidence score kept for the record.
            return Answer(
                lead=say("decline.weak_evidence", lang), sentences=(), citations=(),
                decision=Decision("decline", "not_covered", base.evidence), **common,
            ), None
        if not checked.cited:
            return base, Reason("no_citation")
        if checked.supported_share < self.settings.min_supported_share:
            supported, total = checked.support_counts
            return base, Reason("low_support", {"supported": supported, "total": total})
        answer = Answer(
            lead=say("generative.lead", lang),
            sentences=checked.sentences,
            citations=tuple(Citation(n, hits[n - 1].passage) for n in sorted(checked.cited)),
            decision=Decision("answer", None, base.evidence, base.decision.probability),
            invalid_citations=checked.invalid,
            **common,
        )
        return answer, None

    def _fallback(self, base: Answer, reason: Reason) -> Answer:
        lead = "\n\n".join(p for p in (notice(base.lang, reason), base.lead) if p)
        return dataclasses.replace(base, lead=lead, fallback=str(reason), timings_ms=dict(base.timings_ms))

