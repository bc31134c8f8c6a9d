"""Secrets and output (issue 20, finding 8): a password anywhere in a URL is refused or redacted,
terminal listings show control characters instead of obeying them, and per-question CSV cells
never start a spreadsheet formula."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

import pytest

from evals import conversations, harness
from rag.cli import main
from rag.config import ConfigError, load_settings
from rag.product.feedback_pg import PostgresFeedbackStore
from rag.product.feedback_sqlite import SqliteFeedbackStore
from rag.types import Answer

REFUSED = (
    "feedback_url: Value error, feedback_url must not contain the password or any secret ({} in {}): give the "
    "password in RAG_FEEDBACK_PASSWORD or PGPASSWORD, which is never written or logged"
)


@pytest.mark.parametrize(
    "url, where, shown",
    [
        ("postgresql://u@db.kommun.se/rag?password=X", "query parameter password", "postgresql://***@db.kommun.se/rag?password=***"),
        (
            "postgresql://u@db.kommun.se/rag?sslmode=require&ssl%70assword=X",
            "query parameter sslpassword",
            "postgresql://***@db.kommun.se/rag?sslmode=require&ssl%70assword=***",
        ),
        ("postgresql://u@db.kommun.se/rag#X", "fragment", "postgresql://***@db.kommun.se/rag#***"),
        ("postgresql://u:X@db.kommun.se/rag", "the user:password part", "postgresql://u:***@db.kommun.se/rag"),
    ],
)
def test_a_password_anywhere_in_the_feedback_url_is_refused_without_showing_it(url, where, shown, monkeypatch):
    monkeypatch.setenv("RAG_FEEDBACK_URL", url)

    with pytest.raises(ConfigError) as refused:
        load_settings()

    assert str(refused.value) == REFUSED.format(where, shown)
    assert "X" not in str(refused.value).replace("RAG_FEEDBACK_PASSWORD", "")


def test_secrets_in_a_query_or_fragment_never_reach_a_settings_dump():
    settings = load_settings(
        llm="openai", llm_model="m", llm_base_url="http://llm.local/v1?api_key=A#access_token=B",
        feedback_url="postgresql://anna@db.kommun.se/rag?sslmode=require",
    )

    dumped = settings.model_dump(mode="json")

    assert dumped["llm_base_url"] == "http://llm.local/v1?api_key=***#access_token=***"
    assert dumped["feedback_url"] == "postgresql://anna@db.kommun.se/rag?sslmode=require"


def test_the_feedback_store_never_names_a_password_given_to_it_directly():
    store = PostgresFeedbackStore("postgresql://anna@127.0.0.1:1/rag?password=X&application_name=a#Y")

    assert store.location == "postgresql://anna@127.0.0.1:1/rag?password=***&application_name=a#***"


def test_feedback_list_shows_control_characters_instead_of_obeying_them(tmp_path, capsys, monkeypatch):
    for key in [k for k in __import__("os").environ if k.upper().startswith("RAG_")]:
        monkeypatch.delenv(key)
    db = tmp_path / "feedback.sqlite3"
    store = SqliteFeedbackStore(db, clock=lambda: datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc))
    answer = Answer(question="q", lang="sv", lead="Svar.", sentences=(), citations=(), hits=()).to_dict()
    # A changed terminal title, and a forged second record of an administrator.
    store.record("Vad gäller\x1b]0;hackad\x07?", answer, 1, comment="bra\n#2 +1 2026-12-06T12:00:00+00:00 (admin) Godkänd\r", user="bob")

    assert main(["feedback", "list", "--feedback-path", str(db)]) == 0

    assert capsys.readouterr().out == (
        "#1 +1 2026-12-06T12:00:00+00:00 (bob) Vad gäller\\u001b]0;hackad\\u0007? — "
        "bra\\u000a#2 +1 2026-12-06T12:00:00+00:00 (admin) Godkänd\\u000d\n"
    )


def test_every_command_line_output_escapes_control_characters_and_json_stays_json(tmp_path, capsys, monkeypatch):
    for key in [k for k in __import__("os").environ if k.upper().startswith("RAG_")]:
        monkeypatch.delenv(key)
    db = tmp_path / "feedback.sqlite3"
    store = SqliteFeedbackStore(db)
    answer = Answer(question="q", lang="sv", lead="Svar.", sentences=(), citations=(), hits=()).to_dict()
    store.record("Fråga\u009b2J\u202e?", answer, -1)

    assert main(["feedback", "list", "--json", "--feedback-path", str(db)]) == 0

    out = capsys.readouterr().out
    assert '"question": "Fråga\\u009b2J\\u202e?"' in out
    assert __import__("json").loads(out)["question"] == "Fråga\u009b2J\u202e?"


def test_per_question_csv_cells_never_start_a_formula(tmp_path):
    rows = [{"id": "=HYPERLINK(\"http://x\",\"klicka\")", "question": "+1 eller -1?", "kind": "@SUM(A1)", "lang": "-"}]
    harness._write_csv(tmp_path / "questions.csv", rows)
    turns = [{"id": "\t=1+1", "question": "\r=2", "conversation": "-3.5", "turn": -2}]
    conversations._write_csv(tmp_path / "turns.csv", turns)

    with open(tmp_path / "questions.csv", encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["id"], row["question"], row["kind"], row["lang"]) == (
        "'=HYPERLINK(\"http://x\",\"klicka\")", "'+1 eller -1?", "'@SUM(A1)", "'-",
    )
    with open(tmp_path / "turns.csv", encoding="utf-8", newline="") as handle:
        turn = next(csv.DictReader(handle))
    # Numbers, negative ones too, stay numbers.
    assert (turn["id"], turn["question"], turn["conversation"], turn["turn"]) == ("'\t=1+1", "'\r=2", "-3.5", "-2")
