"""Feedback in PostgreSQL (``RAG_FEEDBACK_URL=postgresql://user@host:port/db``), for app replicas
that share one store.

Every call opens its own connection and closes it (psycopg 3): a rating is rare next to an
answer, and a server that was restarted or failed over is simply reached again on the next
call, with no pool to go stale. ``record`` returns only after the transaction has committed, so
an acknowledged rating survives a server restart. The password comes from the settings (read
from ``RAG_FEEDBACK_PASSWORD``) or libpq's own ``PGPASSWORD``/``~/.pgpass``; messages name the
server by its URL, which never holds a password.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Any, Callable

import psycopg

from rag.config import redact_url
from rag.product.feedback import COLUMNS, JSON_COLUMNS, FeedbackError, FeedbackUnavailable, decode_row, new_row, utc_now

log = logging.getLogger(__name__)

# SQLSTATEs (PostgreSQL manual, appendix A): disk_full; read_only_sql_transaction, and
# insufficient_privilege for a user that may not write the table.
_DISK_FULL = "53100"
_READ_ONLY = ("25006", "42501")

# A rating waits at most this long for a server that does not answer (a dead host, not a refused
# port, which fails at once); the page shows the error instead of hanging.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    lang TEXT,
    mode TEXT,
    abstained BOOLEAN NOT NULL,
    rating SMALLINT NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    citations JSONB NOT NULL,
    sentences JSONB NOT NULL,
    standalone_question TEXT,
    settings JSONB NOT NULL,
    "user" TEXT NOT NULL DEFAULT ''
)
"""
# jsonb is read back as its text, so both stores decode records the same way.
_SELECT = "SELECT {} FROM feedback ORDER BY id".format(
    ", ".join('"{0}"::text AS "{0}"'.format(c) if c in JSON_COLUMNS else '"{}"'.format(c) for c in COLUMNS)
)


class PostgresFeedbackStore:
    """Feedback in the ``feedback`` table of the database at ``url`` (created on the first ``record``)."""

    def __init__(self, url: str, password: str | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.url = url
        self.location = _without_password(url)
        self._password = password
        self._clock = clock
        self._schema = Schema(_SCHEMA)

    def _connect(self) -> psycopg.Connection:
        try:
            return connect(self.url, self._password)
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def _error(self, exc: psycopg.Error) -> FeedbackError:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        # By SQLSTATE first: a full disk (53100) is an OperationalError to psycopg, but the server
        # answered, so "cannot be reached" would send the operator the wrong way.
        state = getattr(exc, "sqlstate", None) or ""
        if state == _DISK_FULL:
            return FeedbackError(
                "the feedback database {} is out of disk space ({}); free space on the server's disk, then "
                "ratings are stored again".format(self.location, reason),
                "full",
            )
        if state in _READ_ONLY:
            return FeedbackError(
                "the feedback database {} accepts no writes ({}); it is read-only or a standby, point "
                "RAG_FEEDBACK_URL at the primary".format(self.location, reason),
                "read_only",
            )
        if isinstance(exc, psycopg.OperationalError):
            return FeedbackUnavailable(
                "the feedback database {} cannot be reached ({}); start it or check RAG_FEEDBACK_URL and the "
                "password in RAG_FEEDBACK_PASSWORD".format(self.location, reason)
            )
        return FeedbackError("the feedback database {} refused the request ({})".format(self.location, reason))

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
        names = list(row)
        sql = "INSERT INTO feedback ({}) VALUES ({}) RETURNING id".format(
            ", ".join('"{}"'.format(n) for n in names),
            ", ".join("%s::jsonb" if n in JSON_COLUMNS else "%s" for n in names),
        )
        with self._connect() as conn:
            try:
                self._schema.ensure(conn)
                with conn.transaction():
                    new_id = conn.execute(sql, [row[n] for n in names]).fetchone()[0]
            except psycopg.Error as exc:
                if isinstance(exc, psycopg.errors.UndefinedTable):
                    self._schema.forget()  # dropped while the app ran: the next rating creates it again
                raise self._error(exc) from None
        # The transaction block has committed here: only now is the rating acknowledged.
        return int(new_id)


    def read(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(every readable record, oldest first; one message per row left out). Empty when no
        rating has been stored yet; FeedbackError for a table of another layout."""
        with self._connect() as conn:
            try:
                present = {
                    r[0]
                    for r in conn.execute(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = 'feedback' AND table_schema = current_schema()"
                    )
                }
                if not present:
                    return [], []
                missing = [c for c in COLUMNS if c not in present]
                if missing:
                    raise FeedbackError(
                        "{} has a feedback table without the column(s) {}: it was written by another program "
                        "or version; point RAG_FEEDBACK_URL at another database (the table is left "
                        "untouched)".format(self.location, ", ".join(missing))
                    )
                cursor = conn.execute(_SELECT)
                names = [d.name for d in cursor.description]
                rows = [dict(zip(names, values)) for values in cursor.fetchall()]
            except psycopg.Error as exc:
                raise self._error(exc) from None
        records, problems = [], []
        for row in rows:
            row["created_at"] = row["created_at"].astimezone(timezone.utc).isoformat(timespec="seconds")
            try:
                records.append(decode_row(row))
            except ValueError as exc:
                problems.append("feedback row {} in {}: {}; it is left out".format(row["id"], self.location, exc))
        return records, problems


class Schema:
    """A store's tables, created at its first use in this process, and again after they were dropped
    while the app ran (``forget``, on an undefined table)."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self._ready = False
        self._lock = threading.Lock()

    def ensure(self, conn: psycopg.Connection) -> None:
        with self._lock:
            if self._ready:
                return
            try:
                with conn.transaction():
                    conn.execute(self.sql)
            except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
                pass  # another replica created it at the same moment: IF NOT EXISTS does not lock
            self._ready = True

    def forget(self) -> None:
        self._ready = False


def connect(url: str, password: str | None) -> psycopg.Connection:
    """A new connection to the database at ``url`` with the app's timeouts (psycopg.Error if it
    cannot be made); the feedback and the users' work stores (``rag.product.work_pg``) share it."""
    extra = {"password": password} if password else {}
    return psycopg.connect(
        url,
        connect_timeout=CONNECT_TIMEOUT_S,
        application_name="kommun-rag",
        options="-c statement_timeout={}".format(STATEMENT_TIMEOUT_MS),
        **extra,
    )


def _without_password(url: str) -> str:
    """``url`` to show; the user name stays (libpq names it in its errors too), a password would not,
    wherever in the URL it is (``rag.config.redact_url``)."""
    return redact_url(url, keep_user=True) or url
