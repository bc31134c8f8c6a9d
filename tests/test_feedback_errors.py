"""Feedback errors say what happened (issue 20, finding 9): a full or read-only disk is not "not a
readable feedback database … move it aside", a full PostgreSQL disk is not "svarar inte", and the
person rating is told in Swedish without a path or server name. The SQLite errors are SQLite's own,
provoked through a FAKE connect (a page limit, a read-only open); the PostgreSQL ones are psycopg's
own exception classes with their SQLSTATE."""

from __future__ import annotations

import sqlite3

import psycopg.errors
import pytest

from rag.answering.messages import say
from rag.product.feedback import FeedbackError, FeedbackUnavailable
from rag.product.feedback_pg import PostgresFeedbackStore
from rag.product.feedback_sqlite import SqliteFeedbackStore
from rag.types import Answer

ANSWER = Answer(question="q", lang="sv", lead="Svar.", sentences=(), citations=(), hits=()).to_dict()
FULL_SV = (
    "Omdömet kunde inte sparas: lagringsutrymmet för omdömen är fullt. Kommentaren finns kvar; be den som sköter "
    "tjänsten att frigöra utrymme och försök sedan igen."
)
READ_ONLY_SV = (
    "Omdömet kunde inte sparas: databasen för omdömen går inte att skriva till. Kommentaren finns kvar; be den som "
    "sköter tjänsten att göra den skrivbar och försök sedan igen."
)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    SqliteFeedbackStore(path).record("Första?", ANSWER, 1)
    return path


def _connect_as(monkeypatch, prepare):
    """FAKE connect: SQLite's own connection, prepared so that the next write fails as a disk would."""
    real = sqlite3.connect

    def connect(path, *args, **kwargs):
        return prepare(real, path, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_a_full_disk_is_named_as_such_with_no_advice_to_move_the_file(db, monkeypatch):
    def full(real, path, *args, **kwargs):
        conn = real(path, *args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute("PRAGMA max_page_count = {}".format(pages))  # SQLITE_FULL on the next new page
        return conn

    _connect_as(monkeypatch, full)
    with pytest.raises(FeedbackError) as failed:
        SqliteFeedbackStore(db).record("Andra?", ANSWER, -1, comment="lång kommentar " * 2000)

    assert failed.value.reason == "full"
    assert str(failed.value) == (
        "cannot write to the feedback file {}: the disk is full (database or disk is full); free space there or set "
        "RAG_FEEDBACK_PATH (or --feedback-path) to another place; the file is left as it was".format(db)
    )
    assert say("ui.rating_failed." + failed.value.reason, "sv") == FULL_SV
    monkeypatch.undo()
    assert [r["question"] for r in SqliteFeedbackStore(db).read()[0]] == ["Första?"]


def test_a_read_only_file_is_named_as_such(db, monkeypatch):
    def read_only(real, path, *args, **kwargs):
        return real("file:{}?mode=ro".format(path), *args, uri=True, **kwargs)

    _connect_as(monkeypatch, read_only)
    with pytest.raises(FeedbackError) as failed:
        SqliteFeedbackStore(db).record("Andra?", ANSWER, -1)

    assert failed.value.reason == "read_only"
    assert str(failed.value) == (
        "cannot write to the feedback file {}: it or its disk is read-only (attempt to write a readonly database); "
        "make it writable or set RAG_FEEDBACK_PATH (or --feedback-path) to a writable file".format(db)
    )
    assert say("ui.rating_failed.read_only", "sv") == READ_ONLY_SV


def test_a_file_that_is_no_database_is_still_the_one_to_move_aside(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"not a database, just text " * 200)

    with pytest.raises(FeedbackError) as failed:
        SqliteFeedbackStore(path).record("Fråga?", ANSWER, 1)

    assert failed.value.reason == "broken"
    assert "move it aside to start a new one" in str(failed.value)


@pytest.mark.parametrize(
    "error, kind, reason, words",
    [
        (psycopg.errors.DiskFull("could not extend file \"base/16384/16385\": No space left on device"), FeedbackError, "full",
         "is out of disk space"),
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), FeedbackError,
         "read_only", "accepts no writes"),
        (psycopg.OperationalError("connection refused"), FeedbackUnavailable, "unavailable", "cannot be reached"),
    ],
)
def test_postgres_errors_are_told_apart_by_sqlstate(error, kind, reason, words):
    store = PostgresFeedbackStore("postgresql://rag@db.kommun.se/rag")

    told = store._error(error)

    assert (type(told), told.reason) == (kind, reason)
    assert words in str(told)


def test_no_reason_is_worded_with_a_path_or_a_server():
    for reason in ("unavailable", "full", "read_only", "cannot_open", "broken", "refused"):
        for lang in ("sv", "en"):
            text = say("ui.rating_failed." + reason, lang)
            assert "/" not in text and "RAG_" not in text and "{" not in text
