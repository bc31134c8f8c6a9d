"""Users' work in PostgreSQL: the feedback database (``RAG_FEEDBACK_URL``), shared by app replicas.

Connections are made as the feedback store makes them (``rag.product.feedback_pg.connect``: the
same URL, password and timeouts, one connection per call, nothing to go stale). A versioned write
is one conditional statement (``UPDATE … WHERE version = based_on``, or an insert that does
nothing when a row exists), so two replicas writing on the same version cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

import psycopg

from rag.product.feedback_pg import PostgresFeedbackStore, Schema, connect
from rag.product.work import KINDS, Stored, VersionConflict, WorkError, WorkUnavailable, check_key, decode, encode, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS work (
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (owner, kind)
)
"""
_SELECT = "SELECT data, version, updated_at FROM work WHERE owner = %s AND kind = %s"


class PostgresWorkStore:
    """Conversations and drafts in the ``work`` table of the database at ``url`` (created on first use)."""

    def __init__(self, url: str, password: str | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.url = url
        # Named as the feedback store names the same server: never with a password.
        self.location = PostgresFeedbackStore(url).location
        self._password = password
        self._clock = clock
        self._schema = Schema(_SCHEMA)

    def _error(self, exc: psycopg.Error) -> WorkError:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, psycopg.OperationalError):
            return WorkUnavailable(
                "the database {} for saved conversations and drafts cannot be reached ({}); start it or check "
                "RAG_FEEDBACK_URL and RAG_FEEDBACK_PASSWORD".format(self.location, reason)
            )
        return WorkError("the database {} refused the request ({})".format(self.location, reason))

    def _run(self, work: Callable[[psycopg.Connection], Any]) -> Any:
        try:
            with connect(self.url, self._password) as conn:
                self._schema.ensure(conn)
                with conn.transaction():
                    return work(conn)
        except psycopg.Error as exc:
            if isinstance(exc, psycopg.errors.UndefinedTable):
                self._schema.forget()
            raise self._error(exc) from None

    def _stored(self, row, owner: str, kind: str) -> Stored:
        if row is None:
            return Stored({}, 0)
        return Stored(decode(row[0], owner, kind, self.location), int(row[1]), row[2])

    def load(self, owner: str, kind: str) -> Stored:
        check_key(owner, kind)
        return self._stored(self._run(lambda conn: conn.execute(_SELECT, (owner, kind)).fetchone()), owner, kind)

    def save(self, owner: str, kind: str, data: dict[str, Any], based_on: int) -> Stored:
        check_key(owner, kind)
        text, now = encode(data), self._clock()

        def write(conn: psycopg.Connection) -> int:
            if based_on == 0:
                cursor = conn.execute(
                    "INSERT INTO work (owner, kind, version, updated_at, data) VALUES (%s, %s, 1, %s, %s) "
                    "ON CONFLICT (owner, kind) DO NOTHING",
                    (owner, kind, now, text),
                )
            else:
                cursor = conn.execute(
                    "UPDATE work SET version = version + 1, updated_at = %s, data = %s "
                    "WHERE owner = %s AND kind = %s AND version = %s",
                    (now, text, owner, kind, based_on),
                )
            return cursor.rowcount

        if self._run(write) != 1:
            raise VersionConflict(kind, based_on, self.load(owner, kind))
        return Stored(data, based_on + 1, now)

    def delete(self, owner: str, kinds: tuple[str, ...] = KINDS) -> None:
        for kind in kinds:
            check_key(owner, kind)
        self._run(lambda conn: conn.execute("DELETE FROM work WHERE owner = %s AND kind = ANY(%s)", (owner, list(kinds))))

    def purge(self, kind: str, before: datetime) -> int:
        return self._run(
            lambda conn: conn.execute("DELETE FROM work WHERE kind = %s AND updated_at < %s", (kind, before)).rowcount
        )
