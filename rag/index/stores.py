"""Where the index lives: a folder on this machine or a Chroma server, behind one seam.

Ingest, the service and retrieval see an ``IndexStore``; only ``make_store`` knows which
backend the settings name (``RAG_CHROMA_URL`` unset: ``rag.index.store.IndexDir``; set:
``rag.index.chroma_server.ServerStore``). Either way a generation is complete before it becomes
current, every reader sees the old or the new one, never a mix, and an ingest holds the
writer's lock (a file lock, or a lease in the server) from start to switch.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.config import Settings
from rag.index.store import Generation, IndexDir, Manifest
from rag.types import Passage


class Draft(Protocol):
    """A generation being written: files into ``folder``, the dense index through ``write_dense``."""

    folder: Path
    name: str

    def write_dense(self, passages: list[Passage], texts: list[str], vectors: np.ndarray) -> None: ...

    def publish(self) -> None: ...

    def discard(self) -> None: ...


class IndexStore(Protocol):
    def describe(self) -> str: ...

    def current_id(self) -> str | None: ...

    def current_manifest(self) -> Manifest | None: ...

    def open_current(self) -> Generation: ...

    def lock(self) -> AbstractContextManager: ...

    def begin(self) -> Draft: ...

    def prune(self) -> None: ...


def make_store(settings: Settings) -> IndexStore:
    if settings.chroma_url:
        from rag.index.chroma_server import ServerStore

        return ServerStore.from_settings(settings)
    return IndexDir(settings.index_dir)
