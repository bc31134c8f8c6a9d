"""Launch the real web app on loopback for API and browser tests.

The app is built exactly as ``app.py`` builds it (``Backend`` + ``build_app`` + ``launch``),
over a tiny corpus written into a temporary folder; the backend ingests it on start, as on a
first start of the real app. Only the embedder is chosen by the test.
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from fakes import corpus_without_rag_env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(
    root: Path, files: dict[str, str], embedder, ready: bool = True, env: dict[str, str] | None = None,
    launch_options: dict | None = None, **overrides
):
    """Yield (url, backend) of the app serving ``files``; closes the server afterwards.
    ``ready``: wait until the first index is built before serving (False: serve at once, as
    app.py does). ``env``: RAG_* variables set meanwhile (secrets such as RAG_FEEDBACK_PASSWORD
    come only from there). ``launch_options``: further arguments of Gradio's ``launch``.
    ``overrides`` are further settings."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from rag.config import load_settings
    from rag.product.web.app import build_app, launch
    from rag.product.web.startup import Backend

    with corpus_without_rag_env(root, files) as corpus, pytest.MonkeyPatch.context() as mp:
        for key, value in (env or {}).items():
            mp.setenv(key, value)
        settings = load_settings(
            index_dir=root / "index",
            corpus_dir=corpus,
            port=free_port(),
            feedback_path=root / "feedback" / "feedback.sqlite3",
            work_path=root / "feedback" / "work.sqlite3",
            **overrides,
        )
        backend = Backend(settings, embedder=embedder).start()
        if ready:
            backend.service(timeout=300)
        demo = build_app(backend)
        launch(demo, settings, prevent_thread_lock=True, quiet=True, **(launch_options or {}))
        try:
            yield "http://127.0.0.1:{}/".format(settings.port), backend
        finally:
            demo.close()


class GatedEmbedder:
    """Passes every call to the real ``inner`` embedder, but holds document call number
    ``hold_at`` (1-based) until ``gate`` is set: an ingest that stops half-way, so that a test can
    look at the app while its first index is being built."""

    def __init__(self, inner, hold_at: int, gate: threading.Event) -> None:
        self.inner = inner
        self.hold_at = hold_at
        self.gate = gate
        self.calls = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls == self.hold_at:
            self.gate.wait(300)
        return self.inner.embed_documents(texts)
