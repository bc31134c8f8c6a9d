"""Feedback in one SQLite file: the default, for one machine.

Safe to share between threads (and processes): every call opens its own connection and SQLite
serialises the writes. A file written before ratings carried a user gets the column on the next
rating; reading never changes the file.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from rag.product.feedback import COLUMNS, FeedbackError, FeedbackUnavailable, decode_row, new_row, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    lang TEXT,
    mode TEXT,
    abstained INTEGER NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    citations TEXT NOT NULL,
    sentences TEXT NOT NULL,
    standalone_question TEXT,
    settings TEXT NOT NULL,
    "user" TEXT NOT NULL DEFAULT ''
)
"""
# Files from before login existed lack only this column; it is added, never required on read.
_ADDED_COLUMN = 'ALTER TABLE feedback ADD COLUMN "user" TEXT NOT NULL DEFAULT \'\''


_OS_REASONS = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read_only", errno.EACCES: "read_only",
               errno.EPERM: "read_only"}


class SqliteFeedbackStore:
    """Feedback in the SQLite file ``path``, created on the first ``record``."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._clock = clock
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self, create: bool) -> sqlite3.Connection:
        if create:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FeedbackError(
                    "cannot create the folder for the feedback file {}: {}; set RAG_FEEDBACK_PATH "
                    "(or --feedback-path) to a writable place".format(self.path, exc.strerror or exc),
                    _OS_REASONS.get(exc.errno, "cannot_open"),
                ) from None
        try:
            conn = sqlite3.connect(self.path, timeout=30)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        if create and not self._ready:
            try:
                with self._lock, conn:
                    conn.execute(_SCHEMA)
                    if "user" not in _columns(conn):
                        conn.execute(_ADDED_COLUMN)
                    self._ready = True
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise self._error(exc) from None
        return conn

    def _error(self, exc: sqlite3.Error) -> FeedbackError:
        """The error for the operator, by SQLite's own result code: only a file that is no database
        (or a damaged one) is worth moving aside; a full or read-only disk is not the file's fault."""
        code = getattr(exc, "sqlite_errorname", "") or ""
        if code.startswith("SQLITE_FULL"):
            return FeedbackError(
                "cannot write to the feedback file {}: the disk is full ({}); free space there or set "
                "RAG_FEEDBACK_PATH (or --feedback-path) to another place; the file is left as it was".format(self.path, exc),
                "full",
            )
        if code.startswith("SQLITE_READONLY") or code == "SQLITE_PERM" or code == "SQLITE_AUTH":
            return FeedbackError(
                "cannot write to the feedback file {}: it or its disk is read-only ({}); make it writable or set "
                "RAG_FEEDBACK_PATH (or --feedback-path) to a writable file".format(self.path, exc),
                "read_only",
            )
        if code.startswith("SQLITE_BUSY") or code.startswith("SQLITE_LOCKED"):
            return FeedbackUnavailable(
                "the feedback file {} is locked by another program ({}); try again".format(self.path, exc)
            )
        if code.startswith("SQLITE_CANTOPEN") or "unable to open" in str(exc):
            return FeedbackError(
                "cannot open the feedback file {} ({}); set RAG_FEEDBACK_PATH (or --feedback-path) "
                "to a writable file".format(self.path, exc),
                "cannot_open",
            )
        if code.startswith("SQLITE_NOTADB") or code.startswith("SQLITE_CORRUPT"):
            return FeedbackError(
                "{} is not a readable feedback database ({}); move it aside to start a new one "
                "(it is left untouched)".format(self.path, exc),
                "broken",
            )
        return FeedbackError("the feedback file {} refused the request ({})".format(self.path, exc))

    def record(
        self,
        question: str,
        answer: dict[str, Any],
        rating: int,
        comment: str = "",
        settings: dict[str, Any] | None = None,
        user: str = "",
    ) -> int:
        row = new_row(question, answer, rating, comment, settings, user, self._clock())
        row["created_at"] = row["created_at"].isoformat(timespec="seconds")
        row["abstained"] = int(row["abstained"])
        names = list(row)
        sql = "INSERT INTO feedback ({}) VALUES ({})".format(
            ", ".join('"{}"'.format(n) for n in names), ", ".join("?" for _ in names)
        )
        with closing(self._connect(create=True)) as conn:
            try:
                with conn:
                    cursor = conn.execute(sql, [row[n] for n in names])
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
            return int(cursor.lastrowid)

    def read(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(every readable record, oldest first; one message per row left out, naming it).
        Empty when nothing has been recorded yet; FeedbackError for a file that is no feedback
        database or has a table of another layout."""
        if not self.path.exists():
            return [], []
        with closing(self._connect(create=False)) as conn:
            conn.row_factory = sqlite3.Row
            try:
                columns = _columns(conn)
                if not columns:
                    return [], []  # an empty file, as `touch` leaves it: nothing recorded yet
                missing = [c for c in COLUMNS if c not in columns and c != "user"]
                if missing:
                    raise FeedbackError(
                        "{} has a feedback table without the column(s) {}: it was written by another program "
                        "or version; move it aside to start a new one (it is left untouched)".format(
                            self.path, ", ".join(missing)
                        )
                    )
                rows = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
        records, problems = [], []
        for row in rows:
            try:
                records.append(decode_row({"user": "", **dict(row)}))
            except ValueError as exc:
                problems.append(
                    "feedback row {} in {}: {}; it is left out (fix or delete that row)".format(row["id"], self.path, exc)
                )
        return records, problems


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
