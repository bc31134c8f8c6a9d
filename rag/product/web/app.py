"""The Gradio web app: cited chat, passage viewer, drafting workspace and feedback.

``build_app(backend)`` lays the page out (``layout``) and wires each area to a ``Backend``
(which owns the ``RagService``; ``wiring``). Named API endpoints ``ask``, ``search`` and
``passage`` (``rag.product.web.api``) serve scripts and ``gradio_client``; the page's own events
are private to it.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)
from gradio.utils import get_upload_folder  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from rag.product.feedback import open_feedback_store  # noqa: E402
from rag.product.login import login_options  # noqa: E402
from rag.product.web.owner import BrowserIdMiddleware  # noqa: E402
from rag.product.web.saved import Conversations, Drafts  # noqa: E402
from rag.product.work import open_work_store  # noqa: E402
from rag.product.web.errors import exception_handlers  # noqa: E402
from rag.product.web.exports import PrivateExports  # noqa: E402
from rag.product.web.guard import Guard, GuardState  # noqa: E402
from rag.product.web.layout import TITLE, build_layout  # noqa: E402
from rag.product.web.page_title import TitledPages  # noqa: E402
from rag.product.web.serve import Serving  # noqa: E402
from rag.product.web.statement import statement_route  # noqa: E402
from rag.product.web.startup import Backend  # noqa: E402
from rag.product.web.theme import CSS, QUESTION_KEYS_JS, theme  # noqa: E402
from rag.product.web.wiring import (  # noqa: E402
    Handlers,
    wire_answers,
    wire_api,
    wire_chat,
    wire_draft,
    wire_history,
    wire_status,
    wire_viewer,
)


def build_app(backend: Backend) -> gr.Blocks:
    settings = backend.settings
    store = open_work_store(settings)
    # Inside Gradio's cache, so that Gradio serves exports from there instead of copying them.
    exports = PrivateExports(Path(get_upload_folder()) / "rag-exports", settings.export_keep_seconds).warm_up()
    handlers = Handlers(backend, Conversations(store, settings.history_retention_days), Drafts(store), exports)
    page = build_layout(backend.status(), settings, handlers.where)
    with page.demo:
        wire_status(page, backend)
        wire_chat(page, backend, handlers)
        wire_viewer(page, handlers)
        wire_answers(page, handlers, open_feedback_store(backend.settings))
        wire_draft(page, handlers)
        wire_history(page, handlers)
        wire_api(page, handlers)
    page.demo.rag_exports = exports
    return page.demo


def launch(demo: gr.Blocks, settings, login: dict | None = None, prevent_thread_lock: bool = False, **kwargs):
    """Queue sized by the settings (the machine has 2 cores) and launch on the configured
    host and port behind the configured login (``login_options``, unless given); no analytics,
    no share link, system fonts only. The guard (``rag.product.web.guard``) sits in front of
    Gradio's routes; sessions end (``rag.product.sessions``); Gradio keeps at most
    ``ui_max_sessions`` sessions in memory. The accessibility statement is served beside the page,
    and every page has a title, the login form's included. Unless ``prevent_thread_lock``, serves
    until SIGTERM or Ctrl-C and then shuts down gracefully (``rag.product.web.serve``)."""
    login = login_options(settings) if login is None else login
    sessions = getattr(getattr(login.get("auth"), "__self__", None), "sessions", None)
    guard = GuardState(
        user_header=settings.trusted_user_header,
        exports=getattr(demo, "rag_exports", None),
        cookie_max_age=int(settings.session_max_seconds) if sessions is not None else None,
    )
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=settings.ui_max_queue)
    result = demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        theme=theme(),
        css=CSS,
        js=QUESTION_KEYS_JS,
        footer_links=["api"],
        # A test may set a smaller capacity to see sessions evicted.
        state_session_capacity=kwargs.pop("state_session_capacity", settings.ui_max_sessions),
        max_file_size=0,  # no uploads (the guard refuses them before Gradio reads them)
        prevent_thread_lock=True,
        app_kwargs={
            "exception_handlers": exception_handlers(list(getattr(demo, "api_params", {}))),
            "routes": [statement_route(settings)],
            # The guard first (uploads, shutdown); then a title on every page (the login form's
            # included); then, without a login, a person's work is theirs by a browser id in an
            # HttpOnly cookie (with a login it is the user's).
            "middleware": [Middleware(Guard, state=guard), Middleware(TitledPages, title=TITLE)]
            + ([] if login else [Middleware(BrowserIdMiddleware)]),
        },
        **login,
        **kwargs,
    )
    if sessions is not None:
        # Gradio's token table (a plain dict, emptied only by logout or restart) becomes one whose
        # sessions end; no login can have happened yet.
        demo.server_app.tokens = sessions
        guard.sessions = sessions
    serving = Serving(demo, settings, guard).start()
    demo.rag_serving = serving
    if not prevent_thread_lock:
        serving.block()
    return result
