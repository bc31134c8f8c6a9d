"""Exported memos private to the person who exported them, and gone soon after.

An export is written to a temporary folder; ``claim`` moves its files into a fresh folder inside
Gradio's file cache (so Gradio serves them from there instead of copying them into a shared,
world-readable place), readable by this process only (folder 0700, files 0600), and remembers
whose they are. The web app's guard lets only that user fetch them, and they are deleted
``DOWNLOADED_GRACE_S`` after their first complete download (a second click still works) or
``keep_seconds`` after the export, whichever comes first; what an earlier run left is deleted at
start.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

log = logging.getLogger(__name__)

# A download that failed half-way, or a second click on the link, still finds the file for a minute.
DOWNLOADED_GRACE_S = 60.0
FOLDER_PREFIX = "memo-"


@dataclass
class _Export:
    owner: str
    delete_at: float


class PrivateExports:
    """Export files by owner under ``root`` (a folder of its own inside Gradio's cache)."""

    def __init__(self, root: Path, keep_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.root = Path(root)
        self.keep_seconds = keep_seconds
        self.clock = clock
        self._files: dict[str, _Export] = {}
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    def warm_up(self) -> "PrivateExports":
        """Create the root (0700) and delete what an earlier run of the app left in it."""
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        cutoff = time.time() - self.keep_seconds
        for folder in self.root.glob(FOLDER_PREFIX + "*"):
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue
        return self

    def claim(self, paths: Sequence[Path], owner: str) -> list[Path]:
        """Move ``paths`` (one export) into a private folder of ``owner``'s; the new paths. The
        folder the files came from is removed when they leave it empty."""
        self.sweep()
        folder = self.root / (FOLDER_PREFIX + secrets.token_urlsafe(16))
        folder.mkdir(mode=0o700, parents=True)
        moved = []
        for path in map(Path, paths):
            target = folder / path.name
            shutil.move(str(path), target)
            os.chmod(target, 0o600)
            moved.append(target)
            try:
                path.parent.rmdir()
            except OSError:
                pass
        delete_at = self.clock() + self.keep_seconds
        with self._lock:
            for target in moved:
                self._files[str(target)] = _Export(owner, delete_at)
        self._start_sweeper()
        return moved

    def owner_of(self, path: str) -> str | None:
        """Who may fetch ``path``; None when it is not an export of this app (or already gone)."""
        with self._lock:
            entry = self._files.get(os.path.abspath(path))
        return entry.owner if entry else None

    def downloaded(self, path: str) -> None:
        """``path`` was fetched in full: delete it soon."""
        with self._lock:
            entry = self._files.get(os.path.abspath(path))
            if entry:
                entry.delete_at = min(entry.delete_at, self.clock() + DOWNLOADED_GRACE_S)

    def sweep(self) -> int:
        """Delete the exports whose time is up; how many files were deleted."""
        now = self.clock()
        with self._lock:
            due = [p for p, e in self._files.items() if e.delete_at <= now]
            for path in due:
                del self._files[path]
        for path in due:
            Path(path).unlink(missing_ok=True)
            try:
                Path(path).parent.rmdir()
            except OSError:
                pass
        return len(due)

    def _start_sweeper(self) -> None:
        with self._lock:
            if self._sweeper is not None:
                return
            self._sweeper = threading.Thread(target=self._sweep_forever, name="memo-export-sweeper", daemon=True)
        self._sweeper.start()

    def _sweep_forever(self) -> None:
        period = max(1.0, min(DOWNLOADED_GRACE_S, self.keep_seconds) / 4)
        while True:
            time.sleep(period)
            try:
                self.sweep()
            except OSError as exc:
                log.warning("could not delete an exported memo: %s", exc)
