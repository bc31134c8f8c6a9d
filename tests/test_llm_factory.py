"""The one factory that maps ``settings.llm`` to a chat model, an answerer and a condenser.
Constructing the clients makes no network call, so none of this needs a server."""

from __future__ import annotations

import os

import pytest
from corpora import STRATEGI
from fakes import HashEmbedder, fake_index
from langchain_core.runnables.retry import RunnableRetry
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI

from rag.answering.answer import ExtractiveAnswerer
from rag.config import ConfigError, load_settings
from rag.answering.followup import LLMCondenser
from rag.answering.generative import GenerativeAnswerer
from rag.answering.llm import make_answerer, make_chat_model, make_condenser
from rag.index.store import IndexDir


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for key in list(os.environ):
        if key.upper().startswith(("RAG_", "OPENAI_", "OLLAMA_")):
            monkeypatch.delenv(key)


@pytest.fixture(scope="module")
def generation(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("factory"), {"strategi.txt": STRATEGI}) as settings:
        yield IndexDir(settings.index_dir).open_current()


def test_the_extractive_default_has_no_model(generation):
    settings = load_settings()

    assert make_chat_model(settings) is None
    assert type(make_answerer(settings, generation, HashEmbedder())) is ExtractiveAnswerer
    assert make_condenser(settings) is None  # follow-ups carry the topic; nothing to rewrite with


def test_openai_mode_builds_chat_openai_with_timeout_and_bounded_retries(generation):
    settings = load_settings(
        llm="openai", llm_model="Qwen/Qwen2.5-7B-Instruct", llm_base_url="http://127.0.0.1:8000/v1",
        llm_timeout_s=12.5, llm_max_retries=2,
    )

    model = make_chat_model(settings)

    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == ("Qwen/Qwen2.5-7B-Instruct", "http://127.0.0.1:8000/v1")
    assert (model.request_timeout, model.max_retries, model.temperature) == (12.5, 2, 0)
    answerer = make_answerer(settings, generation, HashEmbedder())
    assert isinstance(answerer, GenerativeAnswerer) and isinstance(answerer.model, ChatOpenAI)
    condenser = make_condenser(settings)
    assert isinstance(condenser, LLMCondenser) and isinstance(condenser.model, ChatOpenAI)


def test_openai_mode_without_url_needs_a_key_from_the_environment(monkeypatch):
    settings = load_settings(llm="openai", llm_model="gpt-4o-mini")
    with pytest.raises(ConfigError, match="RAG_LLM_API_KEY"):
        make_chat_model(settings)
    monkeypatch.setenv("RAG_LLM_API_KEY", "sk-from-env")

    model = make_chat_model(load_settings(llm="openai", llm_model="gpt-4o-mini"))

    assert model.openai_api_key.get_secret_value() == "sk-from-env"
    assert model.openai_api_base is None


def test_ollama_mode_builds_chat_ollama_retried_a_bounded_number_of_times():
    settings = load_settings(
        llm="ollama", llm_model="qwen2.5:7b-instruct", llm_base_url="http://127.0.0.1:11434", llm_timeout_s=30,
        llm_max_retries=2,
    )

    model = make_chat_model(settings)

    assert isinstance(model, RunnableRetry) and model.max_attempt_number == 3
    assert isinstance(model.bound, ChatOllama)
    assert (model.bound.model, model.bound.base_url, model.bound.temperature) == (
        "qwen2.5:7b-instruct", "http://127.0.0.1:11434", 0
    )
    assert model.bound.client_kwargs == {"timeout": 30.0, "headers": {}}
