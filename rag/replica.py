"""A running app follows the index: every ``index_poll_seconds`` it asks the store which
generation is current and, when another one is, loads it and switches (``RagService.refresh``).

The thread holds the service weakly, so a service nobody uses any more is freed and its poller
ends; an unreachable server is logged and asked again at the next poll.
"""

from __future__ import annotations

import logging
import threading
import weakref

from rag.index.store import StoreUnavailable

log = logging.getLogger(__name__)


class Poller:
    def __init__(self, service, seconds: float) -> None:
        self._service = weakref.ref(service)
        self.seconds = seconds
        self._stop = threading.Event()

    def start(self) -> "Poller":
        if self.seconds > 0:
            threading.Thread(target=self._run, name="rag-index-poll", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            service = self._service()
            if service is None:
                return
            try:
                service.refresh()
            except StoreUnavailable as exc:
                log.warning("could not check for a new index generation: %s", exc)
            except Exception:  # the app keeps answering from the generation it has
                log.exception("could not switch to the new index generation")
            del service
