"""The store of users' conversations and drafts (``rag.product.work``), on the SQLite file and on a
real PostgreSQL server: the same exact values, versions and conflicts from both."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from rag.config import load_settings
from rag.product.work import CHAT, DRAFT, Stored, VersionConflict, WorkError, WorkUnavailable, open_work_store
from rag.product.work_pg import PostgresWorkStore
from rag.product.work_sqlite import SqliteWorkStore

T0 = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


class Clock:
    """A FAKE clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.server)])
def make_store(request, tmp_path):
    """A function making store instances over one database: two of them are two app replicas."""
    if request.param == "sqlite":
        return lambda clock: SqliteWorkStore(tmp_path / "work.sqlite3", clock=clock)
    server = request.getfixturevalue("postgres")
    server.psql("DROP TABLE IF EXISTS work")
    return lambda clock: PostgresWorkStore(server.url, password=server.password, clock=clock)


def test_versions_count_each_write_and_a_write_on_an_old_version_is_refused(make_store):
    clock = Clock()
    store = make_store(clock)
    assert store.load("user:alice", DRAFT) == Stored({}, 0)

    first = store.save("user:alice", DRAFT, {"title": "Viktig promemoria", "items": []}, 0)
    assert (first.data, first.version, first.updated_at) == ({"title": "Viktig promemoria", "items": []}, 1, T0)
    clock.now = T0 + timedelta(minutes=5)
    second = store.save("user:alice", DRAFT, {"title": "PM", "items": [{"text": "å ä ö"}]}, 1)
    assert second.version == 2

    with pytest.raises(VersionConflict) as refused:
        store.save("user:alice", DRAFT, {"title": "Gammal"}, 1)
    assert str(refused.value) == "the draft was changed elsewhere (version 2 is stored, this change was based on version 1)"
    assert refused.value.current == Stored({"title": "PM", "items": [{"text": "å ä ö"}]}, 2, T0 + timedelta(minutes=5))
    with pytest.raises(VersionConflict):
        store.save("user:bob", DRAFT, {"title": "Ny"}, 3)  # nothing stored: only version 0 may create it

    loaded = store.load("user:alice", DRAFT)
    assert (loaded.data, loaded.version) == ({"title": "PM", "items": [{"text": "å ä ö"}]}, 2)
    assert loaded.updated_at == T0 + timedelta(minutes=5)
    # Each owner and kind is its own document.
    assert store.load("user:bob", DRAFT) == Stored({}, 0)
    assert store.load("user:alice", CHAT) == Stored({}, 0)


def test_two_replicas_writing_on_the_same_version_one_wins(make_store):
    clock = Clock()
    a, b = make_store(clock), make_store(clock)
    a.save("browser:x", CHAT, {"turns": []}, 0)
    results: list[str] = []

    def write(store, name):
        try:
            store.save("browser:x", CHAT, {"turns": [name]}, 1)
            results.append(name)
        except VersionConflict:
            results.append("refused")

    threads = [threading.Thread(target=write, args=(s, n)) for s, n in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) in (["a", "refused"], ["b", "refused"])
    winner = next(r for r in results if r != "refused")
    assert (b.load("browser:x", CHAT).data, a.load("browser:x", CHAT).version) == ({"turns": [winner]}, 2)


def test_delete_and_purge_remove_exactly_what_they_name(make_store):
    clock = Clock()
    store = make_store(clock)
    store.save("user:alice", CHAT, {"turns": [1]}, 0)
    store.save("user:alice", DRAFT, {"title": "A"}, 0)
    clock.now = T0 + timedelta(days=10)
    store.save("user:bob", CHAT, {"turns": [2]}, 0)
    store.save("user:carl", CHAT, {"turns": [3]}, 0)

    store.delete("user:carl")
    assert store.load("user:carl", CHAT) == Stored({}, 0)
    # Conversations last written before day 5 go; drafts are not conversations.
    assert store.purge(CHAT, T0 + timedelta(days=5)) == 1
    assert store.load("user:alice", CHAT) == Stored({}, 0)
    assert store.load("user:alice", DRAFT).data == {"title": "A"}
    assert store.load("user:bob", CHAT).data == {"turns": [2]}
    store.delete("user:alice", (DRAFT,))
    assert store.load("user:alice", DRAFT) == Stored({}, 0)


def test_bad_keys_are_refused(make_store):
    store = make_store(Clock())
    with pytest.raises(ValueError, match="kind must be one of chat, draft, got 'notes'"):
        store.save("user:alice", "notes", {}, 0)
    with pytest.raises(ValueError, match="work needs an owner"):
        store.load("", CHAT)


def test_an_unwritable_sqlite_file_is_named_with_the_setting(tmp_path):
    blocker = tmp_path / "fil"
    blocker.write_text("x", encoding="utf-8")
    store = SqliteWorkStore(blocker / "work.sqlite3")
    with pytest.raises(WorkError) as refused:
        store.save("user:alice", CHAT, {}, 0)
    assert str(refused.value).startswith("cannot use the file {} for saved conversations and drafts (".format(blocker / "work.sqlite3"))
    assert str(refused.value).endswith("); set RAG_WORK_PATH to a writable file")


@pytest.mark.server
def test_a_stopped_server_is_unavailable_and_the_store_recovers(postgres):
    postgres.psql("DROP TABLE IF EXISTS work")
    store = PostgresWorkStore(postgres.url, password=postgres.password)
    store.save("user:alice", DRAFT, {"title": "A"}, 0)
    postgres.stop()
    try:
        with pytest.raises(WorkUnavailable, match="^the database {} for saved conversations and drafts cannot be reached".format(postgres.url)):
            store.load("user:alice", DRAFT)
    finally:
        postgres.start()
    assert store.load("user:alice", DRAFT).data == {"title": "A"}


def test_the_settings_choose_the_store(tmp_path, monkeypatch, postgres):
    for key in ("RAG_WORK_PATH", "RAG_FEEDBACK_URL", "RAG_FEEDBACK_PASSWORD", "RAG_HISTORY_RETENTION_DAYS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("RAG_WORK_PATH", str(tmp_path / "arbete.sqlite3"))
    monkeypatch.setenv("RAG_HISTORY_RETENTION_DAYS", "0")
    settings = load_settings()
    assert (settings.work_path, settings.history_retention_days) == (tmp_path / "arbete.sqlite3", 0)
    store = open_work_store(settings)
    assert isinstance(store, SqliteWorkStore) and store.location == str(tmp_path / "arbete.sqlite3")

    monkeypatch.setenv("RAG_FEEDBACK_URL", postgres.url)
    monkeypatch.setenv("RAG_FEEDBACK_PASSWORD", postgres.password)
    store = open_work_store(load_settings())
    assert isinstance(store, PostgresWorkStore) and store.location == postgres.url
    postgres.psql("DROP TABLE IF EXISTS work")
    store.save("user:alice", CHAT, {"turns": []}, 0)
    assert postgres.psql("SELECT owner, kind, version FROM work") == "user:alice|chat|1\n"


def test_retention_days_are_bounded():
    from rag.config import ConfigError

    assert load_settings().history_retention_days == 30
    with pytest.raises(ConfigError, match="history_retention_days"):
        load_settings(history_retention_days=-1)
