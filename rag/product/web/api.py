"""The web app's named API endpoints, as plain functions over a ``RagService``.

``ask`` returns exactly ``Answer.to_dict()``, the object ``rag ask --json`` prints, so a
script gets the same JSON from the Gradio API (``gradio_client``) as from the CLI.
The functions are fully typed: Gradio derives the endpoint schema from the hints.
"""

from __future__ import annotations

from typing import Any, Callable

from rag.history import read_history
from rag.limits import check_k
from rag.types import Turn
from rag.product.viewer import passage_html

ServiceGetter = Callable[[], Any]
# More spans than any passage has sentences; bounds the work of one passage call.
MAX_HIGHLIGHTS = 200
# Passage ids are 16 hex digits; a longer "id" is not echoed back in full.
MAX_ID_CHARS = 64


def history_turns(history: list | None) -> list[Turn]:
    """The ``history`` argument of ``ask`` as conversation turns (shapes: ``rag.history``)."""
    return read_history(history)


def scope_or_none(section: str | None) -> str | None:
    if section is not None and not isinstance(section, str):
        raise ValueError("section must be text (a chapter number or heading), got {}".format(type(section).__name__))
    section = (section or "").strip()
    return section or None


def highlight_spans(highlight: list | None) -> list[tuple[int, int]]:
    """``[[start, end], …]`` as source spans, or ValueError saying what is allowed."""
    allowed = "highlight must be a list of [start, end] pairs of whole numbers with 0 <= start < end, e.g. [[120, 180]]"
    if highlight is None:
        return []
    if not isinstance(highlight, list):
        raise ValueError("{}; got {}".format(allowed, type(highlight).__name__))
    if len(highlight) > MAX_HIGHLIGHTS:
        raise ValueError("{}; at most {} pairs, got {}".format(allowed, MAX_HIGHLIGHTS, len(highlight)))
    spans = []
    for i, item in enumerate(highlight):
        ok = (
            isinstance(item, (list, tuple))
            and len(item) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in item)
            and 0 <= item[0] < item[1]
        )
        if not ok:
            raise ValueError("{}; highlight[{}] is {}".format(allowed, i, _shown(item)))
        spans.append((item[0], item[1]))
    return spans


def _shown(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def checked_passage_id(passage_id: Any) -> str:
    if not isinstance(passage_id, str) or not passage_id.strip():
        raise ValueError("passage_id must be a passage id from /ask or /search, got {}".format(_shown(passage_id)))
    if len(passage_id) > MAX_ID_CHARS:
        raise ValueError(
            "passage_id must be a passage id from /ask or /search (16 characters), got {} characters".format(
                len(passage_id)
            )
        )
    return passage_id.strip()


def make_api(get_service: ServiceGetter) -> dict[str, Callable]:
    """The endpoint functions, keyed by their API name."""

    def ask(question: str, section: str = "", history: list | None = None) -> dict:
        """Answer a question from the report. Same JSON object as `rag ask --json`.

        question: the question (Swedish or English). section: limit to a chapter or section,
        e.g. "4" or "Samverkan" (empty: the whole report). history: earlier turns of the
        conversation, oldest first, with the questions as typed: [[question, answer], ...]
        (or [{"question", "answer"}, ...] or [question, ...]) so that a follow-up is understood.
        """
        section, turns = scope_or_none(section), history_turns(history)
        service = get_service()
        return service.ask(question, section=section, history=turns).to_dict()

    def search(query: str, k: int = 5, section: str = "") -> list:
        """Passages for a query without an answer: ranked, each with passage_id, section, span, page and text."""
        k = check_k(k)
        section = scope_or_none(section)
        service = get_service()
        return [h.to_dict() for h in service.search(query, k=k, section=section)]

    def passage(passage_id: str, highlight: list | None = None) -> dict:
        """One passage in context. highlight: source spans [[start, end], ...] (an answer
        sentence's start/end) whose sentences are marked. Returns the passage, the context
        paragraphs before and after, highlight ranges within the passage text, the location
        label (page or lines) and the same HTML the app shows."""
        passage_id, spans = checked_passage_id(passage_id), highlight_spans(highlight)
        service = get_service()
        view = service.passage_view(passage_id, spans)
        return {
            **view.passage.to_dict(),
            "before": view.before,
            "after": view.after,
            "highlights": [list(h) for h in view.highlights],
            "highlighted_text": [view.passage.text[a:b] for a, b in view.highlights],
            "location": view.location,
            "line_start": view.line_start,
            "line_end": view.line_end,
            "title": view.title,
            "html": passage_html(view),
        }

    return {"ask": ask, "search": search, "passage": passage}
