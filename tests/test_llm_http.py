"""Generative answers through the real ``ChatOpenAI`` client over HTTP, against a scripted
OpenAI-compatible server on 127.0.0.1 (tests/openai_stub.py): plain and streamed answers,
invalid markers, unsupported sentences, HTTP errors, garbage and timeouts."""

from __future__ import annotations

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index
from openai_stub import Reply, ScriptedChatServer

from rag.config import load_settings
from rag.answering.generative import notice
from rag.answering.messages import MESSAGES, Reason

LEADS = MESSAGES["generative.lead"]
from rag.answering.llm import make_chat_model
from rag.service import RagService
from rag.types import Delta, Final

QUESTION = "Vem beslutar om strategin för AI?"
QUOTE = "Strategin beslutas av kommunfullmäktige efter en bred dialog."


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("llm_http"), {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as s:
        yield s


def _service(index, server: ScriptedChatServer, **overrides) -> RagService:
    settings = load_settings(
        index_dir=index.index_dir,
        corpus_dir=index.corpus_dir,
        decline_below=-10.0,
        partial_below=-10.0,
        llm="openai",
        llm_model="stub-model",
        llm_base_url=server.url,
        llm_timeout_s=overrides.pop("llm_timeout_s", 2.0),
        llm_max_retries=overrides.pop("llm_max_retries", 0),
        **overrides,
    )
    return RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def _strategy_n(service: RagService) -> int:
    return next(h.rank for h in service.search(QUESTION) if h.passage.section == "1. Strategi")


def test_a_plain_answer_is_validated_and_cites_the_retrieved_passage(index):
    with ScriptedChatServer(Reply()) as server:
        service = _service(index, server)
        n = _strategy_n(service)
        server.script[0] = Reply(text="{} [{}].".format(QUOTE[:-1], n))

        answer = service.ask(QUESTION)

    assert (answer.mode, answer.fallback, answer.lead) == ("generative", None, LEADS["sv"])
    assert [(s.text, s.citations, s.supported) for s in answer.sentences] == [(QUOTE, (n,), True)]
    assert [c.passage.section for c in answer.citations] == ["1. Strategi"]
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["model"] == "stub-model" and request["temperature"] == 0
    assert not request.get("stream")
    system, user = request["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert user["content"].endswith("Fråga: " + QUESTION)
    assert QUOTE in user["content"]


def test_a_streamed_answer_arrives_token_by_token_then_validated(index):
    with ScriptedChatServer(Reply()) as server:
        service = _service(index, server)
        n = _strategy_n(service)
        pieces = ("Strategin beslutas ", "av kommunfullmäktige ", "efter en bred dialog ", "[{}].".format(n))
        server.script[0] = Reply(chunks=pieces)

        events = list(service.stream(QUESTION))

    assert [e.text for e in events[:-1]] == list(pieces)
    assert all(isinstance(e, Delta) for e in events[:-1]) and isinstance(events[-1], Final)
    answer = events[-1].answer
    assert (answer.mode, answer.fallback) == ("generative", None)
    assert [(s.text, s.citations, s.supported) for s in answer.sentences] == [(QUOTE, (n,), True)]
    assert server.requests[0]["stream"] is True


def test_an_invalid_marker_from_the_endpoint_is_removed_and_listed(index):
    with ScriptedChatServer(Reply()) as server:
        service = _service(index, server)
        n = _strategy_n(service)
        server.script[0] = Reply(text="{} [{}][9].".format(QUOTE[:-1], n))

        data = service.ask(QUESTION).to_dict()

    assert data["invalid_citations"] == [9]
    assert [s["citations"] for s in data["sentences"]] == [[n]]
    assert "[9]" not in data["answer"]
    assert (data["mode"], data["fallback"]) == ("generative", None)


def test_an_unsupported_sentence_from_the_endpoint_is_marked(index):
    with ScriptedChatServer(Reply()) as server:
        service = _service(index, server)
        n = _strategy_n(service)
        server.script[0] = Reply(text="{} [{}]. Alla invånare får gratis glass varje fredag [{}].".format(QUOTE[:-1], n, n))

        data = service.ask(QUESTION).to_dict()

    assert [(s["text"], s["supported"]) for s in data["sentences"]] == [
        (QUOTE, True),
        ("Alla invånare får gratis glass varje fredag.", False),
    ]
    assert data["fallback"] is None


def test_http_500_is_retried_a_bounded_number_of_times_then_falls_back(index):
    with ScriptedChatServer(Reply(status=500)) as server:
        service = _service(index, server, llm_max_retries=1)
        answer = service.ask(QUESTION)

    assert len(server.requests) == 2  # the first try and one retry
    assert (answer.mode, answer.fallback) == ("extractive", "endpoint error: HTTP 500")
    assert answer.lead.startswith(notice("sv", Reason("http", {"status": 500})))
    assert answer.sentences and all(s.source for s in answer.sentences)


def test_a_slow_endpoint_times_out_and_falls_back(index):
    with ScriptedChatServer(Reply(text="för sent [1].", delay_s=3.0)) as server:
        service = _service(index, server, llm_timeout_s=0.5)
        events = list(service.stream(QUESTION))

    assert len(events) == 1
    answer = events[0].answer
    assert (answer.mode, answer.fallback) == ("extractive", "timeout: no answer within 0.5 s")
    assert len(server.requests) == 1


def test_garbage_from_the_endpoint_falls_back(index):
    with ScriptedChatServer(Reply(raw_body="<html>bad gateway</html>")) as server:
        answer = _service(index, server).ask(QUESTION)

    assert answer.mode == "extractive"
    assert answer.fallback.startswith("endpoint error: ")


def test_an_endpoint_that_is_down_falls_back(index):
    with ScriptedChatServer(Reply()) as server:
        url = server.url
    settings = load_settings(
        index_dir=index.index_dir, corpus_dir=index.corpus_dir, decline_below=-10.0, partial_below=-10.0,
        llm="openai", llm_model="stub-model", llm_base_url=url, llm_max_retries=0,
    )
    answer = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).ask(QUESTION)

    assert (answer.mode, answer.fallback) == ("extractive", "endpoint unreachable")


def test_the_api_key_goes_to_the_endpoint_and_nowhere_else(index, monkeypatch):
    monkeypatch.setenv("RAG_LLM_API_KEY", "sk-test-secret-123")
    with ScriptedChatServer(Reply(text="Inget stöd.")) as server:
        service = _service(index, server)
        service.ask(QUESTION)

    assert server.authorizations == ["Bearer sk-test-secret-123"]
    settings = service.settings
    for shown in (repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())):
        assert "sk-test-secret-123" not in shown
    assert "llm_api_key" not in settings.model_dump()
    assert make_chat_model(settings).openai_api_key.get_secret_value() == "sk-test-secret-123"


def _ollama_service(index, server: ScriptedChatServer, **overrides) -> RagService:
    settings = load_settings(
        index_dir=index.index_dir, corpus_dir=index.corpus_dir, decline_below=-10.0, partial_below=-10.0,
        llm="ollama", llm_model="qwen2.5:7b-instruct", llm_base_url=server.root, llm_timeout_s=2.0, **overrides,
    )
    return RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def test_ollama_streams_a_validated_answer(index):
    with ScriptedChatServer(Reply()) as server:
        service = _ollama_service(index, server, llm_max_retries=0)
        n = _strategy_n(service)
        pieces = ("Strategin beslutas ", "av kommunfullmäktige efter en bred dialog ", "[{}].".format(n))
        server.script[0] = Reply(chunks=pieces)

        events = list(service.stream(QUESTION))

    assert [e.text for e in events[:-1]] == list(pieces)
    answer = events[-1].answer
    assert (answer.mode, answer.fallback) == ("generative", None)
    assert [(s.text, s.citations, s.supported) for s in answer.sentences] == [(QUOTE, (n,), True)]
    (request,) = server.requests
    assert (request["path"], request["model"], request["options"]["temperature"]) == (
        "/api/chat", "qwen2.5:7b-instruct", 0
    )


def test_ollama_errors_are_retried_a_bounded_number_of_times_then_fall_back(index):
    with ScriptedChatServer(Reply(status=500)) as server:
        answer = _ollama_service(index, server, llm_max_retries=1).ask(QUESTION)

    assert len(server.requests) == 2
    assert (answer.mode, answer.fallback) == ("extractive", "endpoint error: HTTP 500")
