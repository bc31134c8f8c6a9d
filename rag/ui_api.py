"""The web app's named API endpoints, as plain functions over a ``RagService``.

``ask`` returns exactly ``Answer.to_dict()``, the object ``rag ask --json`` prints, so a
script gets the same JSON from the Gradio API (``gradio_client``) as from the CLI.
The functions are fully typed: Gradio derives the endpoint schema from the hints.
"""

from __future__ import annotations

from typing import Any, Callable

from rag.history import read_history
from rag.types import Turn
from rag.viewer import passage_html, passage_view

ServiceGetter = Callable[[], Any]


def history_turns(history: list | None) -> list[Turn]:
    """The ``history`` argument of ``ask`` as conversation turns (shapes: ``rag.history``)."""
    return read_history(history)


def scope_or_none(section: str | None) -> str | None:
    section = (section or "").strip()
    return section or None


def make_api(get_service: ServiceGetter) -> dict[str, Callable]:
    """The endpoint functions, keyed by their API name."""

    def ask(question: str, section: str = "", history: list | None = None) -> dict:
        """Answer a question from the report. Same JSON object as `rag ask --json`.

        question: the question (Swedish or English). section: limit to a chapter or section,
        e.g. "4" or "Samverkan" (empty: the whole report). history: earlier turns of the
        conversation, oldest first, with the questions as typed: [[question, answer], ...]
        (or [{"question", "answer"}, ...] or [question, ...]) so that a follow-up is understood.
        """
        service = get_service()
        answer = service.ask(question, section=scope_or_none(section), history=history_turns(history))
        return answer.to_dict()

    def search(query: str, k: int = 5, section: str = "") -> list:
        """Passages for a query without an answer: ranked, each with passage_id, section, span, page and text."""
        service = get_service()
        return [h.to_dict() for h in service.search(query, k=int(k), section=scope_or_none(section))]

    def passage(passage_id: str, highlight: list | None = None) -> dict:
        """One passage in context. highlight: source spans [[start, end], ...] (an answer
        sentence's start/end) whose sentences are marked. Returns the passage, the context
        paragraphs before and after, highlight ranges within the passage text, the location
        label (page or lines) and the same HTML the app shows."""
        service = get_service()
        spans = [(int(a), int(b)) for a, b in (highlight or [])]
        view = passage_view(service, passage_id, spans)
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
