"""Feedback in a real PostgreSQL server: what the SQLite file cannot show. The server stopped,
restarted like after a crash, a wrong password, a table of another layout, the settings' choice.
(Every behaviour both stores share is tested on both in tests/test_feedback.py.)"""

from __future__ import annotations

import json
import os
import time

import pytest

from rag.config import load_settings
from rag.product.feedback import FeedbackError, FeedbackUnavailable, all_records, open_feedback_store
from rag.product.feedback_pg import CONNECT_TIMEOUT_S, PostgresFeedbackStore
from rag.types import Answer
from rag.types import DECLINED

ANSWER = Answer(question="Vad kostar en AI-licens?", lang="sv", lead="Rapporten tar inte upp det här.", sentences=(),
                citations=(), hits=(), decision=DECLINED).to_dict()


@pytest.fixture
def server(postgres):
    postgres.psql("DROP TABLE IF EXISTS feedback")
    yield postgres
    postgres.start_if_stopped()


def _store(server) -> PostgresFeedbackStore:
    return PostgresFeedbackStore(server.url, password=server.password)


def test_an_acknowledged_rating_survives_a_crash_restart_of_the_server(server):
    store = _store(server)
    acknowledged = store.record("Vad kostar en AI-licens?", ANSWER, -1, "Saknas", user="anna")

    server.restart(mode="immediate")  # no shutdown checkpoint: only what was committed survives

    assert [(r["id"], r["question"], r["comment"], r["user"]) for r in all_records(store)] == [
        (acknowledged, "Vad kostar en AI-licens?", "Saknas", "anna")
    ]


def test_a_stopped_server_is_a_clear_error_and_the_same_store_recovers_when_it_is_back(server):
    store = _store(server)
    store.record("Första?", ANSWER, 1)
    server.stop()

    started = time.monotonic()
    with pytest.raises(FeedbackUnavailable) as refused:
        store.record("Andra?", ANSWER, 1)
    assert time.monotonic() - started < CONNECT_TIMEOUT_S  # a refused port fails at once, no hang
    message = str(refused.value)
    assert message.startswith("the feedback database {} cannot be reached (connection".format(server.url))
    assert message.endswith("start it or check RAG_FEEDBACK_URL and the password in RAG_FEEDBACK_PASSWORD")
    with pytest.raises(FeedbackUnavailable):
        store.read()

    server.start()

    assert store.record("Tredje?", ANSWER, 1) == 2
    assert [r["question"] for r in all_records(store)] == ["Första?", "Tredje?"]


def test_a_wrong_password_is_named_without_showing_any_password(server):
    store = PostgresFeedbackStore(server.url, password="fel-lösenord-123")

    with pytest.raises(FeedbackUnavailable) as refused:
        store.record("Fråga?", ANSWER, 1)

    assert 'password authentication failed for user "{}"'.format(server.user) in str(refused.value)
    assert "fel-lösenord-123" not in str(refused.value)
    assert server.password not in str(refused.value)


def test_a_table_of_another_layout_is_named_and_left_untouched(server):
    server.psql("CREATE TABLE feedback (id SERIAL PRIMARY KEY, question TEXT, rating INTEGER)")
    server.psql("INSERT INTO feedback (question, rating) VALUES ('Fråga?', 1)")

    with pytest.raises(FeedbackError, match=r"has a feedback table without the column\(s\) created_at, answer, "):
        _store(server).read()
    assert server.psql("SELECT question, rating FROM feedback") == "Fråga?|1\n"


def test_the_settings_choose_postgres_with_the_password_from_the_environment(server, monkeypatch):
    for key in [k for k in os.environ if k.upper().startswith("RAG_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_FEEDBACK_URL", server.url)
    monkeypatch.setenv("RAG_FEEDBACK_PASSWORD", server.password)

    settings = load_settings()
    store = open_feedback_store(settings)
    store.record("Fråga?", ANSWER, 1, settings=settings.model_dump(mode="json"))

    assert isinstance(store, PostgresFeedbackStore)
    assert store.location == server.url
    assert all_records(store)[0]["settings"]["feedback_url"] == server.url
    assert server.password not in server.psql("SELECT f::text FROM feedback f")


def test_the_feedback_benchmark_stores_and_reads_back_in_both_stores(server, monkeypatch, capsys):
    from evals.bench_feedback import main

    monkeypatch.setenv("RAG_FEEDBACK_PASSWORD", server.password)
    assert main(["--url", server.url, "--ratings", "3"]) == 0

    results = json.loads(capsys.readouterr().out)
    assert [(r["store"].endswith("feedback.sqlite3"), r["ratings"], r["records_read"]) for r in results] == [
        (True, 3, 3),
        (False, 3, 3),
    ]
    assert results[1]["store"] == server.url
    assert server.psql("SELECT count(*), min(\"user\"), max(\"user\") FROM feedback") == "3|bench|bench\n"


def test_a_table_dropped_while_the_app_runs_is_created_again_by_the_next_rating(server):
    store = _store(server)
    store.record("Första?", ANSWER, 1)
    server.psql("DROP TABLE feedback")

    with pytest.raises(FeedbackError, match='relation "feedback" does not exist'):
        store.record("Andra?", ANSWER, 1)
    assert store.record("Tredje?", ANSWER, 1) == 1
    assert [r["question"] for r in all_records(store)] == ["Tredje?"]
