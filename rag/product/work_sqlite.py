"""Users' work in one SQLite file: the default, for one machine.

Every call opens its own connection, like the feedback file (``rag.product.feedback_sqlite``);
a versioned write reads and writes inside one ``BEGIN IMMEDIATE`` transaction, so two writers
based on the same version cannot both succeed, across threads and processes alike.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from rag.product.work import KINDS, Stored, VersionConflict, WorkError, check_key, decode, encode, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS work (
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (owner, kind)
)
"""


class SqliteWorkStore:
    """Conversations and drafts in the SQLite file ``path``, created on first use."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._clock = clock
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are begun explicitly (BEGIN IMMEDIATE).
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise self._error(exc) from None
        if not self._ready:
            with self._lock:
                try:
                    conn.execute(_SCHEMA)
                except sqlite3.DatabaseError as exc:
                    conn.close()
                    raise self._error(exc) from None
                self._ready = True
        return conn

    def _error(self, exc: Exception) -> WorkError:
        reason = getattr(exc, "strerror", None) or str(exc)
        return WorkError(
            "cannot use the file {} for saved conversations and drafts ({}); set RAG_WORK_PATH to a writable "
            "file".format(self.path, reason)
        )

    def load(self, owner: str, kind: str) -> Stored:
        check_key(owner, kind)
        with closing(self._connect()) as conn:
            try:
                row = conn.execute(
                    "SELECT data, version, updated_at FROM work WHERE owner = ? AND kind = ?", (owner, kind)
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
        return self._stored(row, owner, kind)

    def _stored(self, row, owner: str, kind: str) -> Stored:
        if row is None:
            return Stored({}, 0)
        return Stored(decode(row[0], owner, kind, self.location), int(row[1]), datetime.fromisoformat(row[2]))

    def save(self, owner: str, kind: str, data: dict[str, Any], based_on: int) -> Stored:
        check_key(owner, kind)
        text = encode(data)
        now = self._clock()
        with closing(self._connect()) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    row = conn.execute(
                        "SELECT data, version, updated_at FROM work WHERE owner = ? AND kind = ?", (owner, kind)
                    ).fetchone()
                    current = int(row[1]) if row else 0
                    if current != based_on:
                        raise VersionConflict(kind, based_on, self._stored(row, owner, kind))
                    conn.execute(
                        "INSERT INTO work (owner, kind, version, updated_at, data) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (owner, kind) DO UPDATE SET version = excluded.version, "
                        "updated_at = excluded.updated_at, data = excluded.data",
                        (owner, kind, current + 1, now.isoformat(), text),
                    )
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
        return Stored(data, current + 1, now)

    def delete(self, owner: str, kinds: tuple[str, ...] = KINDS) -> None:
        for kind in kinds:
            check_key(owner, kind)
        with closing(self._connect()) as conn:
            try:
                conn.executemany("DELETE FROM work WHERE owner = ? AND kind = ?", [(owner, k) for k in kinds])
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None

    def purge(self, kind: str, before: datetime) -> int:
        with closing(self._connect()) as conn:
            try:
                rows = conn.execute("SELECT owner, updated_at FROM work WHERE kind = ?", (kind,)).fetchall()
                # Compared as datetimes, not ISO text: offsets written by other clocks still order right.
                old = [(owner, kind) for owner, at in rows if datetime.fromisoformat(at) < before]
                conn.executemany("DELETE FROM work WHERE owner = ? AND kind = ?", old)
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
        return len(old)
