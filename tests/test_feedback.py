"""Feedback: the same behaviour from the SQLite file and from a real PostgreSQL server (each generic
test runs on both), thread safety, gold-candidate export with verbatim quotes, the CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from fakes import HashEmbedder, fake_index

from evals.check_gold import _check_quote
from evals.gold import _gold_item, count_evidence, load_corpus_texts
from rag.answering.messages import MESSAGES
from rag.config import load_settings
from rag.product.feedback import FeedbackError, all_records, export_candidates, utc_now
from rag.product.feedback_pg import PostgresFeedbackStore
from rag.product.feedback_sqlite import SqliteFeedbackStore
from rag.service import RagService
from rag.index.store import IndexDir
from rag.types import Answer, AnswerSentence, Citation
from rag.types import DECLINED

# OCR-damaged like the shipped report: the system answers with repaired text ("måste göra"),
# gold evidence must quote the file as it is ("maste gora"), line break included.
OCR = """Dataskydd i kommunen

1. Dataskydd

Kommunen maste gora en konsekvensbedomning innan ett Al-system
tas i bruk. Dataskyddsombudet ska alltid radfragas i arendet.

2. Samverkan

Sma kommuner kan dela pa kompetens genom att samverka med grannkommunerna.
"""
DATASKYDD_P = "c481e0f0c21169b8"
QUOTE_1 = "Kommunen maste gora en konsekvensbedomning innan ett Al-system tas i bruk."
QUOTE_2 = "Dataskyddsombudet ska alltid radfragas i arendet."
NOW = datetime(2026, 11, 29, 10, 0, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    # OCR output, marked so in the corpus manifest: only then is it repaired.
    manifest = json.dumps({"documents": [{"file": "dataskydd.txt", "title": "Dataskydd i kommunen", "ocr": True}]})
    with fake_index(tmp_path_factory.mktemp("feedback"), {"dataskydd.txt": OCR, "manifest.json": manifest}) as settings:
        yield settings


@pytest.fixture(scope="module")
def generation(index):
    return IndexDir(index.index_dir).open_current()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """Each store kind, empty: ``make(clock)`` builds a store, ``raw()`` is everything it holds as
    text, ``created()`` whether its file or table exists, ``cli`` the flags naming it."""
    if request.param == "sqlite":
        path = tmp_path / "fb" / "feedback.sqlite3"
        return SimpleNamespace(
            make=lambda clock=utc_now: SqliteFeedbackStore(path, clock=clock),
            raw=lambda: path.read_bytes().decode("utf-8", "replace"),
            created=path.exists,
            cli=["--feedback-path", str(path)],
            env={},
            location=str(path),
        )
    server = request.getfixturevalue("postgres")
    server.psql("DROP TABLE IF EXISTS feedback")
    return SimpleNamespace(
        make=lambda clock=utc_now: PostgresFeedbackStore(server.url, password=server.password, clock=clock),
        raw=lambda: server.psql("SELECT f::text FROM feedback f"),
        created=lambda: server.psql("SELECT to_regclass('feedback') IS NOT NULL") == "t\n",
        cli=["--feedback-url", server.url],
        env={"RAG_FEEDBACK_PASSWORD": server.password},
        location=server.url,
    )


def _answer(generation, standalone: str | None = None) -> dict:
    passage = generation.by_id[DATASKYDD_P]
    sentences = [s for s in generation.sentences if s.passage_id == DATASKYDD_P]
    return Answer(
        question="Vad måste vi göra innan ett AI-system används?",
        lang="sv",
        lead="Det här säger rapporten:",
        sentences=tuple(AnswerSentence(s.text, (1,), s.start, s.end, passage.source) for s in sentences),
        citations=(Citation(1, passage),),
        hits=(),
        standalone_question=standalone,
    ).to_dict()


def _abstention() -> dict:
    return Answer(
        question="Vad kostar en AI-licens?", lang="sv", lead=MESSAGES["decline.weak_evidence"]["sv"], sentences=(), citations=(), hits=(),
        decision=DECLINED,
    ).to_dict()


def test_record_and_read_back(tmp_path, generation, backend):
    store = backend.make(clock=lambda: NOW)

    first = store.record(
        "Vad måste vi göra innan ett AI-system används?",
        _answer(generation),
        1,
        "Bra svar",
        settings={"k": 5, "index_dir": tmp_path / "index", "api_key": "hemligt-värde", "hf_token": "x"},
    )
    second = store.record("Vad kostar en AI-licens?", _abstention(), -1, user="anna@kommun.se")

    assert (first, second) == (1, 2)
    records = all_records(store)
    assert records[0] == {
        "id": 1,
        "created_at": "2026-11-29T10:00:00+00:00",
        "question": "Vad måste vi göra innan ett AI-system används?",
        # Two sentences from one passage are one cited stretch: the marker follows the second.
        "answer": "Det här säger rapporten:\n\nKommunen måste göra en konsekvensbedömning innan ett AI-system tas i "
        "bruk. Dataskyddsombudet ska alltid rådfrågas i ärendet. [1]",
        "lang": "sv",
        "mode": "extractive",
        "abstained": False,
        "rating": 1,
        "comment": "Bra svar",
        "citations": [
            {"n": 1, "passage_id": DATASKYDD_P, "source": "dataskydd.txt", "section": "1. Dataskydd",
             "start": 36, "end": 160, "page": None, "page_end": None, "page_estimated": False}
        ],
        "sentences": _answer(generation)["sentences"],
        "standalone_question": None,
        "settings": {"k": 5, "index_dir": str(tmp_path / "index")},
        "user": "",
    }
    assert [(r["id"], r["rating"], r["abstained"], r["comment"], r["user"]) for r in records] == [
        (1, 1, False, "Bra svar", ""),
        (2, -1, True, "", "anna@kommun.se"),
    ]
    assert "Bra svar" in backend.raw()
    assert "hemligt" not in backend.raw()


def test_nothing_recorded_reads_as_empty_without_creating_the_store(backend):
    store = backend.make()

    assert store.read() == ([], [])
    assert not backend.created()


@pytest.mark.parametrize("rating", [0, 2, "+1", True])
def test_rating_must_be_plus_or_minus_one(generation, rating, backend):
    store = backend.make()

    with pytest.raises(ValueError, match="rating must be"):
        store.record("Fråga?", _answer(generation), rating)
    assert not backend.created()


def test_records_from_many_threads_are_all_kept(generation, backend):
    store = backend.make()
    answer = _answer(generation)
    ids: list[int] = []
    errors: list[BaseException] = []

    def rate(worker: int) -> None:
        try:
            for i in range(5):
                ids.append(store.record("Fråga {}-{}".format(worker, i), answer, 1 if i % 2 else -1))
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=rate, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(ids) == list(range(1, 41))
    assert sorted(r["question"] for r in all_records(store)) == sorted(
        "Fråga {}-{}".format(w, i) for w in range(8) for i in range(5)
    )


def test_export_writes_gold_candidates_with_verbatim_quotes(tmp_path, index, generation, backend):
    store = backend.make(clock=lambda: NOW)
    store.record("Och innan det används?", _answer(generation, standalone="Vad krävs innan ett AI-system används?"), 1)
    store.record("Vad kostar en AI-licens?", _abstention(), 1, "Stämmer, det står inte")
    store.record("Vad måste vi göra innan ett AI-system används?", _answer(generation), -1, "Saknar juridiken")
    out = tmp_path / "ut" / "candidates.jsonl"

    count = export_candidates(all_records(store), out, corpus_dir=index.corpus_dir)

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert count == 3
    assert rows[0] == {
        "id": "fb-1",
        "question": "Vad krävs innan ett AI-system används?",
        "answerable": True,
        "evidence": [QUOTE_1, QUOTE_2],
        "lang": "sv",
        "kind": "feedback",
        "rating": 1,
        "comment": "",
        "needs_review": True,
        "review": "check that the quotes answer the question and set kind",
        "asked": "Och innan det används?",
        "answer": _answer(generation)["answer"],
        "created_at": "2026-11-29T10:00:00+00:00",
    }
    assert [(r["id"], r["answerable"], r["evidence"], r["rating"], r["comment"]) for r in rows[1:]] == [
        ("fb-2", False, [], 1, "Stämmer, det står inte"),
        ("fb-3", None, [], -1, "Saknar juridiken"),
    ]
    assert rows[1]["answer"] == MESSAGES["decline.weak_evidence"]["sv"]


def test_exported_quotes_pass_the_gold_rules(tmp_path, index, generation, backend):
    store = backend.make()
    store.record("Vad måste vi göra innan ett AI-system används?", _answer(generation), 1)
    export_candidates(all_records(store), tmp_path / "c.jsonl", corpus_dir=index.corpus_dir)
    row = json.loads((tmp_path / "c.jsonl").read_text(encoding="utf-8"))
    texts = load_corpus_texts(index.corpus_dir)

    item = _gold_item(row, "c.jsonl:1")

    assert item.evidence == (QUOTE_1, QUOTE_2)
    assert [count_evidence(q, texts["dataskydd.txt"]) for q in item.evidence] == [1, 1]
    assert [_check_quote(q, texts) for q in item.evidence] == [[], []]


def test_real_answer_exports_the_source_text_of_its_sentences(tmp_path, index, backend):
    settings = load_settings(
        index_dir=index.index_dir, corpus_dir=index.corpus_dir, decline_below=-10.0, partial_below=-10.0
    )
    answer = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).ask("Vem ska rådfrågas om dataskydd?")
    store = backend.make()
    store.record(answer.question, answer.to_dict(), 1, settings=settings.model_dump(mode="json"))

    export_candidates(all_records(store), tmp_path / "c.jsonl", corpus_dir=index.corpus_dir)

    row = json.loads((tmp_path / "c.jsonl").read_text(encoding="utf-8"))
    source = (index.corpus_dir / "dataskydd.txt").read_text(encoding="utf-8")
    assert row["evidence"] == [" ".join(source[s.start : s.end].split()) for s in answer.sentences]
    assert row["evidence"][0] in (QUOTE_1, QUOTE_2)
    assert all_records(store)[0]["settings"]["corpus_dir"] == str(index.corpus_dir)


def test_corrupt_database_is_named_and_left_untouched(tmp_path, generation):
    path = tmp_path / "feedback.sqlite3"
    path.write_bytes(b"this is not a database " * 100)

    with pytest.raises(FeedbackError, match="feedback.sqlite3 is not a readable feedback database"):
        SqliteFeedbackStore(path).record("Fråga?", _answer(generation), 1)
    with pytest.raises(FeedbackError, match="move it aside"):
        SqliteFeedbackStore(path).read()
    assert path.read_bytes() == b"this is not a database " * 100


def test_unusable_feedback_path_is_named(tmp_path, generation):
    blocker = tmp_path / "fil"
    blocker.write_text("x", encoding="utf-8")

    with pytest.raises(FeedbackError, match="fil/feedback.sqlite3.*RAG_FEEDBACK_PATH"):
        SqliteFeedbackStore(blocker / "feedback.sqlite3").record("Fråga?", _answer(generation), 1)
    with pytest.raises(FeedbackError, match="cannot open the feedback file .*map.*RAG_FEEDBACK_PATH"):
        (tmp_path / "map").mkdir()
        SqliteFeedbackStore(tmp_path / "map").record("Fråga?", _answer(generation), 1)


def _rag(tmp_path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.subprocess
def test_cli_list_and_export(tmp_path, index, generation, backend):
    store = backend.make(clock=lambda: NOW)
    store.record("Vad måste vi göra innan ett AI-system används?", _answer(generation), 1, "Tydligt")
    store.record("Vad kostar en AI-licens?", _abstention(), -1, user="anna@kommun.se")
    out = tmp_path / "candidates.jsonl"

    listed = _rag(tmp_path, "feedback", "list", *backend.cli, env=backend.env)
    exported = _rag(
        tmp_path, "feedback", "export", "--out", str(out), *backend.cli, "--corpus-dir", str(index.corpus_dir),
        env=backend.env,
    )

    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == (
        "#1 +1 2026-11-29T10:00:00+00:00 Vad måste vi göra innan ett AI-system används? — Tydligt\n"
        "#2 -1 2026-11-29T10:00:00+00:00 (anna@kommun.se) Vad kostar en AI-licens?\n"
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == (
        "wrote 2 candidate(s) from {} to {}; review them (answerable, evidence, kind) before adding them "
        "to a gold file\n".format(backend.location, out)
    )
    assert [json.loads(line)["evidence"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        [QUOTE_1, QUOTE_2],
        [],
    ]


@pytest.mark.subprocess
def test_cli_bad_files_exit_2_naming_them(tmp_path, generation):
    corrupt = tmp_path / "trasig.sqlite3"
    corrupt.write_bytes(b"garbage" * 200)
    good = tmp_path / "feedback.sqlite3"
    SqliteFeedbackStore(good).record("Vad kostar en AI-licens?", _abstention(), 1)
    (tmp_path / "fil").write_text("x", encoding="utf-8")

    bad_db = _rag(tmp_path, "feedback", "list", "--feedback-path", str(corrupt))
    bad_out = _rag(tmp_path, "feedback", "export", "--out", str(tmp_path / "fil" / "c.jsonl"), "--feedback-path", str(good))

    assert bad_db.returncode == 2
    assert bad_db.stderr.startswith("rag: error: {} is not a readable feedback database".format(corrupt))
    assert bad_out.returncode == 2
    assert bad_out.stderr.startswith("rag: error: cannot write {}".format(tmp_path / "fil" / "c.jsonl"))
    assert corrupt.read_bytes() == b"garbage" * 200


def test_database_schema_is_plain_sqlite(tmp_path, generation):
    """Another tool (or a person with sqlite3) can read the file: one table, named columns."""
    path = tmp_path / "feedback.sqlite3"
    SqliteFeedbackStore(path).record("Fråga?", _answer(generation), -1, "Fel avsnitt")

    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT question, rating, comment, abstained FROM feedback").fetchall()

    assert rows == [("Fråga?", -1, "Fel avsnitt", 0)]


def test_quotes_from_a_changed_source_file_are_left_out(tmp_path, generation):
    store = SqliteFeedbackStore(tmp_path / "feedback.sqlite3")
    store.record("Vad måste vi göra innan ett AI-system används?", _answer(generation), 1)
    corpus = tmp_path / "annan-korpus"
    corpus.mkdir()
    (corpus / "dataskydd.txt").write_text("Helt annan text. " * 30, encoding="utf-8")

    export_candidates(all_records(store), tmp_path / "c.jsonl", corpus_dir=corpus)

    row = json.loads((tmp_path / "c.jsonl").read_text(encoding="utf-8"))
    assert (row["answerable"], row["evidence"]) == (None, [])
    assert row["review"] == (
        "rated good but has no usable source quote; decide answerable and add 1-3 verbatim quotes; "
        "2 cited span(s) no longer match the source file (changed since the answer?) and were left out"
    )


def test_missing_source_file_is_named(tmp_path, generation):
    store = SqliteFeedbackStore(tmp_path / "feedback.sqlite3")
    store.record("Vad måste vi göra innan ett AI-system används?", _answer(generation), 1)
    (tmp_path / "tom").mkdir()

    with pytest.raises(FeedbackError, match="cannot quote the cited source .*tom/dataskydd.txt.*--corpus-dir"):
        export_candidates(all_records(store), tmp_path / "c.jsonl", corpus_dir=tmp_path / "tom")
    assert not (tmp_path / "c.jsonl").exists()


def test_empty_file_is_an_empty_store(tmp_path, generation):
    path = tmp_path / "feedback.sqlite3"
    path.touch()
    store = SqliteFeedbackStore(path)

    assert store.read() == ([], [])
    assert store.record("Fråga?", _answer(generation), 1) == 1
    assert [r["question"] for r in all_records(store)] == ["Fråga?"]


@pytest.mark.subprocess
def test_cli_names_a_table_of_another_layout(tmp_path):

    other = tmp_path / "annan.sqlite3"
    with closing(sqlite3.connect(other)) as conn, conn:
        conn.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY, question TEXT, rating INTEGER)")
        conn.execute("INSERT INTO feedback (question, rating) VALUES ('Fråga?', 1)")
    before = other.read_bytes()

    listed = _rag(tmp_path, "feedback", "list", "--feedback-path", str(other))
    exported = _rag(tmp_path, "feedback", "export", "--out", str(tmp_path / "c.jsonl"), "--feedback-path", str(other))

    message = (
        "rag: error: {} has a feedback table without the column(s) created_at, answer, lang, mode, abstained, "
        "comment, citations, sentences, standalone_question, settings: it was written by another program or "
        "version; move it aside to start a new one (it is left untouched)\n".format(other)
    )
    assert (listed.returncode, listed.stderr, listed.stdout) == (2, message, "")
    assert (exported.returncode, exported.stderr) == (2, message)
    assert other.read_bytes() == before


@pytest.mark.subprocess
def test_cli_lists_the_readable_rows_and_names_the_bad_one(tmp_path, index, generation):

    db = tmp_path / "feedback.sqlite3"
    store = SqliteFeedbackStore(db, clock=lambda: NOW)
    store.record("Vad måste vi göra innan ett AI-system används?", _answer(generation), 1, "Tydligt")
    store.record("Vad kostar en AI-licens?", _abstention(), -1)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE feedback SET citations = '[{trasig' WHERE id = 1")
    out = tmp_path / "candidates.jsonl"

    listed = _rag(tmp_path, "feedback", "list", "--feedback-path", str(db))
    exported = _rag(
        tmp_path, "feedback", "export", "--out", str(out), "--feedback-path", str(db),
        "--corpus-dir", str(index.corpus_dir),
    )

    problem = (
        "rag: feedback row 1 in {}: column citations is not valid JSON (Expecting property name enclosed in "
        "double quotes); it is left out (fix or delete that row)\n".format(db)
    )
    assert (listed.returncode, listed.stderr) == (1, problem)
    assert listed.stdout == "#2 -1 2026-11-29T10:00:00+00:00 Vad kostar en AI-licens?\n"
    assert (exported.returncode, exported.stderr) == (1, problem)
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["fb-2"]


def test_a_file_from_before_logins_reads_with_an_empty_user_and_gets_the_column_on_the_next_rating(tmp_path, generation):
    path = tmp_path / "feedback.sqlite3"
    SqliteFeedbackStore(path, clock=lambda: NOW).record("Fråga?", _answer(generation), 1)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute('ALTER TABLE feedback DROP COLUMN "user"')
    before = path.read_bytes()

    assert [(r["question"], r["user"]) for r in all_records(SqliteFeedbackStore(path))] == [("Fråga?", "")]
    assert path.read_bytes() == before  # reading never changes the file

    SqliteFeedbackStore(path).record("Vad kostar en AI-licens?", _abstention(), -1, user="bo")
    assert [(r["id"], r["user"]) for r in all_records(SqliteFeedbackStore(path))] == [(1, ""), (2, "bo")]
