"""Start-up of the web app: the page is served at once while the service loads behind it.

Building the index on a first start takes a while (the report's passages and sentences are
embedded on the CPU). Instead of a silent wait before the port opens, ``Backend`` loads the
``RagService`` in a background thread, counts the texts embedded so far, and exposes a status
line that the page polls and the console logs. Every request waits for the service to be ready.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from rag.config import Settings
from rag.embeddings import Embedder, WrappedEmbedder, make_embedder
from rag.answering.messages import say

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 3600.0
PROGRESS_EVERY_S = 10.0
STORE_RETRY_S = 5.0


class ProgressEmbedder(WrappedEmbedder):
    """Passes every call to ``inner`` and counts the document texts embedded, so that a first
    ingest can report progress."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.inner.embed_documents(texts)
        self.embedded += len(texts)
        return vectors


class Backend:
    """Owns the ``RagService`` of the app. ``start()`` loads it in a thread; ``service()``
    blocks until it is ready and raises with the load error if loading failed."""

    def __init__(self, settings: Settings, factory: Callable[..., object] | None = None, embedder=None) -> None:
        self.settings = settings
        self._factory = factory
        self._embedder = ProgressEmbedder(embedder or make_embedder(settings))
        self._ready = threading.Event()
        self._service = None
        self._error: str | None = None
        self._message = "Startar …"
        self._building = False
        self._waiting = False
        self._started_at = time.monotonic()

    def start(self) -> "Backend":
        threading.Thread(target=self._load, name="rag-backend-load", daemon=True).start()
        threading.Thread(target=self._report, name="rag-backend-progress", daemon=True).start()
        return self

    def _report(self) -> None:
        # The console line for a first ingest, next to tqdm's bar (which only shows on a terminal).
        while not self._ready.wait(PROGRESS_EVERY_S):
            if self._building:
                log.warning("%s", self.status()[0])

    def _notify(self, message: str) -> None:
        # The service reports "no index: building it" or "index does not match: rebuilding".
        self._building = True
        self._message = message
        log.warning("%s", message)

    def _load(self) -> None:
        from rag.service import RagService

        factory = self._factory or RagService
        self._started_at = time.monotonic()
        try:
            # warm_up also reads the translation dictionary now rather than at the first English question.
            self._service = self._when_store_answers(factory)
        except Exception as exc:  # any failure must reach the page, not only the console
            log.exception("the service could not be loaded")
            self._error = "{}: {}".format(type(exc).__name__, exc)
        finally:
            self._ready.set()
        if self._service is not None:
            log.warning("ready: %s", self.status()[0])

    def _when_store_answers(self, factory):
        """The service, made again every ``STORE_RETRY_S`` while the index server does not answer,
        so an app started before its server (or during a restart) comes up by itself."""
        from rag.index.store import StoreUnavailable

        while True:
            try:
                return factory(self.settings, embedder=self._embedder, notify=self._notify).warm_up()
            except StoreUnavailable as exc:
                self._waiting = True
                log.warning("%s; trying again in %.0f s", exc, STORE_RETRY_S)
                time.sleep(STORE_RETRY_S)

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._service is not None

    def status(self) -> tuple[str, bool, bool]:
        """(text, ready, failed) for the status line."""
        if self._error:
            return "Kunde inte starta: {}".format(self._error), False, True
        if self.ready:
            stats = self._service.stats()
            return (
                "Redo · {} avsnitt ur {} dokument · allt körs lokalt på den här datorn".format(stats.passages, stats.documents),
                True,
                False,
            )
        elapsed = time.monotonic() - self._started_at
        if self._waiting:
            return say("store.waiting", "sv", seconds=elapsed), False, False
        if self._building and not self._embedder.embedded:
            return "Bygger sökindex ur rapporten: läser och reparerar texten … {:.0f} s".format(elapsed), False, False
        if self._building:
            return (
                "Bygger sökindex ur rapporten: {} texter inbäddade efter {:.0f} s "
                "(bara vid första start eller ändrade inställningar) …".format(self._embedder.embedded, elapsed),
                False,
                False,
            )
        return "Läser in sökindex … {:.0f} s".format(elapsed), False, False

    def service(self, timeout: float = READY_TIMEOUT_S):
        if not self._ready.wait(timeout):
            raise TimeoutError("the search index is still being built; try again in a minute")
        if self._service is None:
            raise RuntimeError("the app could not load the search index: {}".format(self._error))
        return self._service
