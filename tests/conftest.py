"""Shared fixtures. Every test runs with the network blocked except loopback."""

from __future__ import annotations

import os

import pytest
from chroma_server import chroma_server  # noqa: F401  (a fixture)
from pytest_socket import socket_allow_hosts

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(autouse=True)
def _block_network():
    """Tests may talk to loopback (test servers) and unix sockets, nothing else."""
    socket_allow_hosts(["127.0.0.1", "localhost", "::1"], allow_unix_socket=True)
    yield


@pytest.fixture
def corpus_dir(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path, corpus_dir, monkeypatch):
    """Settings whose index and corpus live in this test's tmp_path, whatever RAG_* the shell has."""
    from rag.config import load_settings

    for key in list(os.environ):
        if key.upper().startswith("RAG_"):
            monkeypatch.delenv(key)
    return load_settings(index_dir=tmp_path / "index", corpus_dir=corpus_dir)


@pytest.fixture
def embedder():
    from fakes import HashEmbedder

    return HashEmbedder()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on loopback for this test session (tests/pg_server.py); skipped
    with the reason where PostgreSQL cannot run, failed under CI=true."""
    from pg_server import PostgresServer, require_postgres

    require_postgres()
    server = PostgresServer().init()
    yield server
    server.close()


@pytest.fixture(params=["folder", pytest.param("server", marks=pytest.mark.server)])
def store_settings(request, settings):
    """``settings`` for the folder store and, in a second run, for a Chroma server started for the test."""
    if request.param == "folder":
        return settings
    server = request.getfixturevalue("chroma_server")
    return settings.model_copy(update={"chroma_url": server.url})
