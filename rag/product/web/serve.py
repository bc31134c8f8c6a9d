"""Running the launched app: a graceful end on SIGTERM or Ctrl-C, and slow connections closed.

Gradio runs uvicorn in a thread and installs no signal handlers, so SIGTERM killed the process at
once, cutting every answer in flight. ``Serving.block`` waits instead: on the first SIGTERM or
SIGINT the guard refuses new work (503), answers already queued or running finish for at most
``shutdown_grace_seconds``, their result streams get ``FLUSH_S`` to deliver them, and then the server
closes. A second signal ends the wait at once.

uvicorn closes idle keep-alive connections, but not one that never finishes sending its request
head (a slow or half-open client holds its socket for ever), and Gradio gives no way to change
uvicorn's protocol; ``Serving`` closes such connections after ``request_header_seconds``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from typing import Any

from rag.product.web.guard import GuardState

log = logging.getLogger(__name__)

# After the last answer is computed, its result stream gets this long to carry it to the client.
FLUSH_S = 2.0
# uvicorn's own wait for open connections once the queue is empty (page heartbeats stay open).
CLOSE_CONNECTIONS_S = 2
POLL_S = 0.1


def queue_busy(demo: Any) -> tuple[int, int]:
    """(events queued or running, events whose result has not reached its client) in Gradio's queue."""
    queue = demo._queue
    running = sum(len(job) for job in queue.active_jobs if job)
    waiting = sum(len(q.queue) for q in queue.event_queue_per_concurrency_id.values())
    undelivered = sum(len(ids) for ids in queue.pending_event_ids_session.values())
    return running + waiting, undelivered


class Serving:
    """The launched ``demo`` under ``settings``' shutdown and connection bounds."""

    def __init__(self, demo: Any, settings: Any, guard: GuardState) -> None:
        self.demo = demo
        self.settings = settings
        self.guard = guard
        self.stop = threading.Event()
        self._signals = 0
        self._watchdog = threading.Thread(target=self._close_slow_connections, name="slow-connections", daemon=True)

    def start(self) -> "Serving":
        self._watchdog.start()
        return self

    def block(self) -> None:
        """Serve until SIGTERM or SIGINT, then shut down gracefully (main thread only)."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not self.stop.wait(0.5):
                if not self.demo.is_running:
                    return
            self.shutdown()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum, frame) -> None:
        self._signals += 1
        if self._signals > 1:
            log.warning("second signal: stopping without waiting for answers in flight")
            self.guard.draining.set()
            raise SystemExit(1)
        self.stop.set()

    def shutdown(self) -> None:
        grace = self.settings.shutdown_grace_seconds
        self.guard.draining.set()
        computing, undelivered = queue_busy(self.demo)
        log.warning(
            "shutting down: no new work; waiting up to %.0f s for %d answer(s) in flight", grace, max(computing, undelivered)
        )
        started = time.monotonic()
        deadline = started + grace
        while queue_busy(self.demo)[0] and time.monotonic() < deadline:
            time.sleep(POLL_S)
        flush_until = min(deadline, time.monotonic() + FLUSH_S)
        while queue_busy(self.demo)[1] and time.monotonic() < flush_until:
            time.sleep(POLL_S)
        computing, undelivered = queue_busy(self.demo)
        if computing:
            log.warning("%d answer(s) still running after %.0f s are cut off", computing, grace)
        server = getattr(self.demo, "server", None)
        if server is not None:
            server.config.timeout_graceful_shutdown = CLOSE_CONNECTIONS_S
        self.demo.close(verbose=False)
        log.warning("stopped after %.1f s", time.monotonic() - started)

    def _close_slow_connections(self) -> None:
        limit = self.settings.request_header_seconds
        first_seen: dict[tuple[int, int], float] = {}
        while self.demo.is_running:
            time.sleep(min(1.0, limit / 4))
            server = getattr(self.demo, "server", None)
            if server is None:
                continue
            now = time.monotonic()
            waiting = {}
            for conn in list(server.server_state.connections):
                if not _waiting_for_request_head(conn):
                    continue
                key = (id(conn), id(conn.cycle))
                waiting[key] = first_seen.get(key, now)
                if now - waiting[key] > limit:
                    conn.loop.call_soon_threadsafe(conn.transport.close)
            first_seen = waiting


def _waiting_for_request_head(conn: Any) -> bool:
    """True for an HTTP connection that is reading a request head: connected with no request yet, or
    sending its next request on a kept-alive connection (uvicorn's keep-alive timer is then off)."""
    if not hasattr(conn, "cycle") or not hasattr(conn, "timeout_keep_alive_task"):
        return False  # a WebSocket, or a protocol this check does not know
    if conn.transport is None or conn.transport.is_closing():
        return False
    cycle = conn.cycle
    return cycle is None or (cycle.response_complete and conn.timeout_keep_alive_task is None)
