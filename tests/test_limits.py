"""Bounded work per request: long questions, histories and odd values are refused at once with a
message naming the limit, and no long token reaches the code whose cost grows with its square."""

from __future__ import annotations

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

from rag.config import load_settings
from rag.limits import recent_history
from rag.service import RagService
from rag.types import Turn

FILES = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("limits"), FILES) as settings:
        yield settings


@pytest.fixture
def service(indexed):
    return RagService(indexed, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def test_a_question_over_the_limit_is_refused_before_any_work(service):
    with pytest.raises(ValueError) as err:
        service.ask("a" * 501)

    assert str(err.value) == (
        "question is 501 characters; the limit is 500 (RAG_MAX_QUESTION_CHARS); shorten it"
    )
    assert service.embedder.calls == 0
    assert service.ask("Hur kan små kommuner samverka? " + "x" * 460).question.startswith("Hur kan")


def test_the_stream_and_search_entries_have_the_same_limit(service):
    with pytest.raises(ValueError, match=r"^question is 1,200 characters; the limit is 500"):
        next(service.stream("b" * 1200))
    with pytest.raises(ValueError, match=r"^query is 5,000 characters; the limit is 500"):
        service.search("c" * 5000)
    with pytest.raises(ValueError, match=r"^section is 501 characters; the limit is 500"):
        service.search("samverkan", section="d" * 501)
    assert service.embedder.calls == 0


@pytest.mark.parametrize(
    ("k", "message"),
    [
        (0, "k must be a whole number from 1 to 50, got 0"),
        (-1, "k must be a whole number from 1 to 50, got -1"),
        (10**9, "k must be a whole number from 1 to 50, got 1000000000"),
        (2.5, "k must be a whole number from 1 to 50, got 2.5"),
        ("5", "k must be a whole number from 1 to 50, got '5'"),
    ],
)
def test_search_refuses_k_outside_what_the_cli_allows(service, k, message):
    with pytest.raises(ValueError) as err:
        service.search("samverkan", k=k)

    assert str(err.value) == message


def test_history_limits_name_the_setting(service):
    many = [Turn("Vad är AI?", "Svar.")] * 21
    with pytest.raises(ValueError) as err:
        service.ask("Och där?", history=many)
    assert str(err.value) == (
        "history has 21 turns; the limit is 20 (RAG_MAX_HISTORY_TURNS); send only the latest turns"
    )

    long_answers = [Turn("Vad är AI?", "x" * 20_000)] * 3
    with pytest.raises(ValueError) as err:
        service.ask("Och där?", history=long_answers)
    assert str(err.value) == (
        "history is 60,030 characters; the limit is 40,000 (RAG_MAX_HISTORY_CHARS); send only the latest turns"
    )

    with pytest.raises(ValueError) as err:
        service.ask("Och där?", history=[Turn("y" * 400_000, "")])
    assert str(err.value) == (
        "history[0] question is 400,000 characters; the limit is 500 (RAG_MAX_QUESTION_CHARS)"
    )
    assert service.embedder.calls == 0


def test_a_lone_surrogate_is_refused_with_its_position(service):
    with pytest.raises(ValueError) as err:
        service.ask("Hur samverkar\ud800 kommuner?")

    assert str(err.value) == (
        "question contains an invalid character (lone surrogate '\\ud800' at character 13); fix the text's encoding"
    )


def test_the_limits_are_settings_read_from_the_environment(indexed, monkeypatch):
    monkeypatch.setenv("RAG_MAX_QUESTION_CHARS", "60")
    monkeypatch.setenv("RAG_MAX_HISTORY_TURNS", "1")
    monkeypatch.setenv("RAG_MAX_HISTORY_CHARS", "100")
    settings = load_settings(index_dir=indexed.index_dir, corpus_dir=indexed.corpus_dir)
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)

    with pytest.raises(ValueError, match=r"^question is 61 characters; the limit is 60 "):
        service.ask("q" * 61)
    with pytest.raises(ValueError, match=r"^history has 2 turns; the limit is 1 "):
        service.ask("Och där?", history=[Turn("a", "b"), Turn("c", "d")])
    with pytest.raises(ValueError, match=r"^history is 101 characters; the limit is 100 "):
        service.ask("Och där?", history=[Turn("a", "b" * 100)])


def test_the_web_chat_sends_only_the_latest_turns_that_fit():
    turns = [Turn("fråga {}".format(i), "svar " * 10) for i in range(5)]

    assert recent_history(turns, 3, 10_000) == turns[2:]
    assert recent_history(turns, 10, 120) == turns[3:]  # 58 characters per turn
    assert recent_history(turns, 0, 10_000) == []
