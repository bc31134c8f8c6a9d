"""The chat's rating buttons: store a thumbs up/down with who gave it, and say in Swedish how it went.

A store that cannot be reached (a PostgreSQL server down or restarting) costs only that rating:
the person gets a Swedish message, the comment stays in its box to try again, the page keeps
working, and the next rating reaches the server again by itself (a new connection per rating).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import gradio as gr

from rag.product.feedback import FeedbackError, FeedbackStore, FeedbackUnavailable
from rag.product.web.render import ChatTurn

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "**Omdömet kunde inte sparas:** databasen för omdömen svarar inte just nu. Kommentaren finns kvar; "
    "försök igen om en stund."
)


def user_of(request: gr.Request | None) -> str:
    """The signed-in user (login form or trusted proxy header); empty without a login."""
    return (getattr(request, "username", None) or "") if request is not None else ""


def rate(
    store: FeedbackStore,
    service: Callable[[], Any],
    turns: list[ChatTurn],
    index: Any,
    note: str,
    rating: int,
    user: str,
) -> tuple[Any, str]:
    """(the message under the buttons, what stays in the comment box) for rating answer ``index``."""
    if index is None or not 0 <= int(index) < len(turns) or turns[int(index)].answer is None:
        gr.Warning("Välj först vilket svar omdömet gäller.")
        return gr.update(), note
    turn = turns[int(index)]
    svc = service()
    extra = svc.settings.model_dump(mode="json")
    extra["index_generation"] = svc.stats().generation
    try:
        store.record(turn.question, turn.answer.to_dict(), rating, note or "", settings=extra, user=user)
    except FeedbackUnavailable as exc:
        log.warning("feedback not saved: %s", exc)
        return UNAVAILABLE, note
    except (FeedbackError, ValueError) as exc:
        log.warning("feedback not saved: %s", exc)
        # The comment stays in its box, so nothing typed is lost.
        return "**Omdömet kunde inte sparas:** {}".format(exc), note
    label = "bra" if rating > 0 else "dåligt"
    return "Tack! Omdömet *{}* om svar {} är sparat.".format(label, int(index) + 1), ""
