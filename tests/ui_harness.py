"""Launch the real web app on loopback for API and browser tests.

The app is built exactly as ``app.py`` builds it (``Backend`` + ``build_app`` + ``launch``),
over a tiny corpus written into a temporary folder; the backend ingests it on start, as on a
first start of the real app. Only the embedder is chosen by the test.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path

from fakes import corpus_without_rag_env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(root: Path, files: dict[str, str], embedder, **overrides):
    """Yield (url, backend) of the app serving ``files``; closes the server afterwards.
    ``overrides`` are further settings."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from rag.config import load_settings
    from rag.product.web.app import build_app, launch
    from rag.product.web.startup import Backend

    with corpus_without_rag_env(root, files) as corpus:
        settings = load_settings(
            index_dir=root / "index",
            corpus_dir=corpus,
            port=free_port(),
            feedback_path=root / "feedback" / "feedback.sqlite3",
            **overrides,
        )
        backend = Backend(settings, embedder=embedder).start()
        backend.service(timeout=300)
        demo = build_app(backend)
        launch(demo, settings, prevent_thread_lock=True, quiet=True)
        try:
            yield "http://127.0.0.1:{}/".format(settings.port), backend
        finally:
            demo.close()
