"""Start-up of the web app: the page is served at once while the service loads behind it.

Building the index on a first start takes a while (the report's passages and sentences are
embedded on the CPU). Instead of a silent wait before the port opens, ``Backend`` loads the
``RagService`` in a background thread with an ``IngestTally`` that the ingest keeps up to date,
and exposes a status line that the page polls, a waiting question shows and the console logs
(at INFO, in English like every other log line; the page is Swedish). Every request waits for
the service to be ready.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from rag.answering.messages import say
from rag.config import Settings
from rag.embeddings import make_embedder
from rag.index.ingest import IngestTally

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 3600.0
PROGRESS_EVERY_S = 10.0
STORE_RETRY_S = 5.0


class Backend:
    """Owns the ``RagService`` of the app. ``start()`` loads it in a thread; ``service()``
    blocks until it is ready and raises with the load error if loading failed."""

    def __init__(self, settings: Settings, factory: Callable[..., object] | None = None, embedder=None) -> None:
        self.settings = settings
        self._factory = factory
        self._embedder = embedder or make_embedder(settings)
        self.tally = IngestTally()
        self._ready = threading.Event()
        self._service = None
        self._error: str | None = None
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
                log.info("%s", self.status("en")[0])

    def _notify(self, message: str) -> None:
        # The service reports "no index: building it" or "index does not match: rebuilding".
        self._building = True
        log.info("%s", message)

    def _load(self) -> None:
        from rag.service import RagService

        factory = self._factory or RagService
        self._started_at = time.monotonic()
        try:
            # warm_up also reads the translation dictionary now rather than at the first English question.
            self._service = self._when_store_answers(factory)
            log.info("%s", self._ready_line("en"))
        except Exception as exc:  # any failure must reach the page, not only the console
            log.exception("the service could not be loaded")
            self._error = "{}: {}".format(type(exc).__name__, exc)
        finally:
            self._ready.set()

    def _when_store_answers(self, factory):
        """The warm service, made again every ``STORE_RETRY_S`` while the index server does not
        answer, so an app started before its server (or during a restart) comes up by itself."""
        from rag.index.store import StoreUnavailable

        while True:
            try:
                service = factory(self.settings, embedder=self._embedder, notify=self._notify, tally=self.tally)
                return service.warm_up()
            except StoreUnavailable as exc:
                self._waiting = True
                log.warning("%s; trying again in %.0f s", exc, STORE_RETRY_S)
                time.sleep(STORE_RETRY_S)

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._service is not None

    def status(self, lang: str = "sv") -> tuple[str, bool, bool]:
        """(text, ready, failed): the page's status line ("sv") or the console's ("en")."""
        if self._error:
            return say("startup.failed", lang, error=self._error), False, True
        if self.ready:
            return self._ready_line(lang), True, False
        elapsed = time.monotonic() - self._started_at
        if self._waiting:
            return say("store.waiting", lang, seconds=elapsed), False, False
        if self._building:
            return say("startup.building", lang, progress=self.progress(lang), seconds=elapsed), False, False
        return say("startup.loading", lang, seconds=elapsed), False, False

    def _ready_line(self, lang: str) -> str:
        return ready_line(self._service.stats(), shared=bool(self.settings.chroma_url), lang=lang)

    def progress(self, lang: str = "sv") -> str:
        """How far a first ingest has come ("40 av 98 avsnitt och 0 av 569 meningar inbäddade"),
        or that the text is still being read and repaired, before anything is embedded."""
        t = self.tally
        if not t.passages:
            return say("startup.reading", lang)
        return say(
            "startup.embedded", lang, passages_done=t.passages_done, passages=t.passages,
            sentences_done=t.sentences_done, sentences=t.sentences,
        )

    def waiting(self, lang: str = "sv") -> str:
        """What a question asked before the service is ready shows while it waits."""
        if self._building:
            return say("startup.waiting", lang, progress=self.progress(lang))
        return say("startup.waiting_load", lang)

    def wait(self, timeout: float) -> bool:
        """True once loading has ended (ready or failed), waiting up to ``timeout`` seconds."""
        return self._ready.wait(timeout)

    def service(self, timeout: float = READY_TIMEOUT_S):
        if not self._ready.wait(timeout):
            raise TimeoutError("the search index is still being built; try again in a minute")
        if self._service is None:
            raise RuntimeError("the app could not load the search index: {}".format(self._error))
        return self._service


def ready_line(stats, shared: bool, lang: str = "sv") -> str:
    """The status line once the index is open; it says where questions are searched."""
    key = "startup.ready_shared" if shared else "startup.ready"
    return say(key, lang, passages=stats.passages, sentences=stats.sentences, documents=stats.documents)
