"""Signed-in sessions that end: idle and absolute expiry, and revocation from the users file.

Gradio keeps its login tokens in ``app.tokens`` (a dict token -> user name, consulted on every
request and never emptied but by a logout or a restart). ``SessionTokens`` is a drop-in mapping for
it: a token stops answering once it has been unused for ``idle_seconds``, once it is older than
``max_seconds``, or as soon as its user's line in the users file is gone or changed (``rag users
remove``, a new password). The users file is shared by every replica of the app, and its identity
(inode, modification time, size) is checked on each lookup, one ``stat`` call, so a removal takes
effect on every replica at their next request.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping

log = logging.getLogger(__name__)

# The most tokens kept at once; beyond it the least recently used go (each is a few hundred bytes,
# and a script logging in in a loop must not grow the app without bound).
MAX_SESSIONS = 10_000


@dataclass
class _Session:
    user: str
    stamp: str | None
    started: float
    seen: float


class UserStamps:
    """What revokes a session: each user's current password hash in the users file, re-read only
    when the file's identity changes. An unreadable file gives no stamps (every session ends)."""

    def __init__(self, path: Path, load: Callable[[], Mapping[str, str]]) -> None:
        self.path = Path(path)
        self._load = load
        self._seen: tuple[int, int, int] | None = None
        self._stamps: Mapping[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self) -> Mapping[str, str]:
        try:
            info = os.stat(self.path)
            identity = (info.st_ino, info.st_mtime_ns, info.st_size)
        except OSError:
            identity = None
        with self._lock:
            if identity != self._seen or identity is None:
                self._seen = identity
                try:
                    self._stamps = dict(self._load()) if identity is not None else {}
                except ValueError as exc:
                    log.error("every session ends until the users file can be read again: %s", exc)
                    self._stamps = {}
            return self._stamps


class SessionTokens(MutableMapping):
    """token -> user name, for as long as the session is valid. ``stamps`` gives each user's
    current stamp (None: sessions are never revoked); ``clock`` is injectable for tests."""

    def __init__(
        self,
        idle_seconds: float,
        max_seconds: float,
        stamps: Callable[[], Mapping[str, str]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self.stamps = stamps
        self.clock = clock
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def __setitem__(self, token: str, user: str) -> None:
        now = self.clock()
        stamp = self.stamps().get(user) if self.stamps else None
        with self._lock:
            self._sessions.pop(token, None)
            self._sessions[token] = _Session(user, stamp, now, now)
            if len(self._sessions) > MAX_SESSIONS:
                self._sweep(now)
            while len(self._sessions) > MAX_SESSIONS:
                oldest = min(self._sessions, key=lambda t: self._sessions[t].seen)
                del self._sessions[oldest]

    def __getitem__(self, token: str) -> str:
        now = self.clock()
        current = self.stamps() if self.stamps else None
        with self._lock:
            session = self._sessions.get(token) if isinstance(token, str) else None
            if session is None:
                raise KeyError(token)
            why = self._ended(session, now, current)
            if why:
                del self._sessions[token]
                log.info("session of %s ended: %s", session.user, why)
                raise KeyError(token)
            session.seen = now
            return session.user

    def __delitem__(self, token: str) -> None:
        with self._lock:
            del self._sessions[token]

    def __iter__(self) -> Iterator[str]:
        # Ended sessions are dropped first: Gradio's logout reads every token it iterates.
        now = self.clock()
        with self._lock:
            self._sweep(now)
            return iter(list(self._sessions))

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _ended(self, session: _Session, now: float, current: Mapping[str, str] | None) -> str:
        if now - session.seen > self.idle_seconds:
            return "unused for {:.0f} s".format(now - session.seen)
        if now - session.started > self.max_seconds:
            return "older than {:.0f} s".format(self.max_seconds)
        if current is not None and current.get(session.user) != session.stamp:
            return "removed or given a new password in the users file"
        return ""

    def _sweep(self, now: float) -> None:
        current = self.stamps() if self.stamps else None
        for token in [t for t, s in self._sessions.items() if self._ended(s, now, current)]:
            del self._sessions[token]
