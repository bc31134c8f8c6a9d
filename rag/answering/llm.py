"""The one place that turns ``settings.llm`` into objects: chat model, answerer, condenser.

``extractive`` needs no model. ``openai`` is langchain-openai's ``ChatOpenAI`` pointed at any
OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 endpoint, vLLM, llama.cpp server,
LM Studio); ``ollama`` is langchain-ollama's ``ChatOllama``. Both get the configured timeout and
a bounded number of retries. The backends are imported only when chosen, so the extractive
default starts as fast as before.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import SecretStr

from rag.answering.answer import Answerer, ExtractiveAnswerer
from rag.config import ConfigError, Settings
from rag.embeddings import Embedder
from rag.answering.followup import Condenser, LLMCondenser
from rag.index.store import Generation

if TYPE_CHECKING:  # importing langchain's model classes costs half a second at every start
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

log = logging.getLogger(__name__)

# Local OpenAI-compatible servers ignore the key, but the client refuses to start without one.
_NO_KEY = SecretStr("no-key-needed")


def make_chat_model(settings: Settings) -> BaseChatModel | Runnable | None:
    """The configured chat model, or None for the extractive mode. Makes no network call."""
    if settings.llm == "extractive":
        return None
    if settings.llm == "openai":
        from langchain_openai import ChatOpenAI

        key = settings.llm_api_key
        if key is None and not settings.llm_base_url:
            raise ConfigError(
                "llm=openai without llm_base_url means api.openai.com, which needs RAG_LLM_API_KEY in the "
                "environment; for a local server set RAG_LLM_BASE_URL or --llm-base-url (e.g. http://127.0.0.1:8000/v1)"
            )
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key or _NO_KEY,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            temperature=0,
        )
    from langchain_ollama import ChatOllama

    headers = {"Authorization": "Bearer " + settings.llm_api_key.get_secret_value()} if settings.llm_api_key else {}
    model = ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        temperature=0,
        client_kwargs={"timeout": settings.llm_timeout_s, "headers": headers},
    )
    # ChatOllama has no retry setting of its own; a failed call is retried as a whole.
    return model.with_retry(stop_after_attempt=settings.llm_max_retries + 1, wait_exponential_jitter=False)


def make_answerer(
    settings: Settings, generation: Generation, embedder: Embedder, model: BaseChatModel | None = None
) -> Answerer:
    """The answerer for ``settings.llm``; ``model`` replaces the configured chat model (tests)."""
    extractive = ExtractiveAnswerer(settings, generation)
    if settings.llm == "extractive":
        return extractive
    from rag.answering.generative import GenerativeAnswerer

    model = model or make_chat_model(settings)
    log.info("generative answers from %s model %s", settings.llm, settings.llm_model)
    return GenerativeAnswerer(settings, generation, embedder, model, extractive=extractive)


def make_condenser(settings: Settings, model: BaseChatModel | None = None) -> Condenser | None:
    """Follow-up rewriting by the chat model in generative modes; None in extractive mode, where a
    follow-up is searched in its own words with the conversation's topic beside it."""
    if settings.llm == "extractive":
        return None
    return LLMCondenser(model or make_chat_model(settings), settings.llm_timeout_s)
