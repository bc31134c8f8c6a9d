"""The Gradio web app: cited chat, passage viewer, drafting workspace and feedback.

``build_app(backend)`` lays the page out (``layout``) and wires each area to a ``Backend``
(which owns the ``RagService``; ``wiring``). Named API endpoints ``ask``, ``search`` and
``passage`` (``rag.product.web.api``) serve scripts and ``gradio_client``; the page's own events
are private to it.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)
from starlette.middleware import Middleware  # noqa: E402

from rag.product.feedback import open_feedback_store  # noqa: E402
from rag.product.login import login_options  # noqa: E402
from rag.product.web.errors import exception_handlers  # noqa: E402
from rag.product.web.layout import TITLE, build_layout  # noqa: E402
from rag.product.web.page_title import TitledPages  # noqa: E402
from rag.product.web.statement import statement_route  # noqa: E402
from rag.product.web.startup import Backend  # noqa: E402
from rag.product.web.theme import CSS, QUESTION_KEYS_JS, theme  # noqa: E402
from rag.product.web.wiring import (  # noqa: E402
    Handlers,
    wire_answers,
    wire_api,
    wire_chat,
    wire_draft,
    wire_status,
    wire_viewer,
)


def build_app(backend: Backend) -> gr.Blocks:
    handlers = Handlers(backend)
    page = build_layout(backend.status(), backend.settings, handlers.where)
    with page.demo:
        wire_status(page, backend)
        wire_chat(page, backend, handlers)
        wire_viewer(page, handlers)
        wire_answers(page, handlers, open_feedback_store(backend.settings))
        wire_draft(page, handlers)
        wire_api(page, handlers)
    return page.demo


def launch(demo: gr.Blocks, settings, login: dict | None = None, **kwargs):
    """Queue sized by the settings (the machine has 2 cores) and launch on the configured
    host and port behind the configured login (``login_options``, unless given); no analytics,
    no share link, system fonts only; the accessibility statement served beside the page, and a
    title on every page, the login form's included."""
    login = login_options(settings) if login is None else login
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=settings.ui_max_queue)
    return demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        theme=theme(),
        css=CSS,
        js=QUESTION_KEYS_JS,
        footer_links=["api"],
        app_kwargs={
            "exception_handlers": exception_handlers(list(getattr(demo, "api_params", {}))),
            "routes": [statement_route(settings)],
            "middleware": [Middleware(TitledPages, title=TITLE)],
        },
        **login,
        **kwargs,
    )
