"""The web app on a Chroma server that stops and comes back: a clear Swedish error while it is
down, the page served throughout, answers again once it is back, and an app started before its
server comes up by itself. Real ``chroma run``, the real app on loopback."""

from __future__ import annotations

import time
import urllib.request

import pytest
from fakes import HashEmbedder
from ui_harness import running_app

from rag.config import load_settings
from rag.index.ingest import ingest
from rag.answering.messages import MESSAGES
from rag.product.web.startup import Backend

pytestmark = pytest.mark.server

FILES = {
    "strategi.txt": """Strategi för AI

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin beslutas av kommunfullmäktige.
""",
}
QUESTION = "Vem beslutar strategin?"


def test_the_app_says_the_index_server_is_down_keeps_serving_and_recovers(tmp_path, chroma_server):
    from gradio_client import Client

    with running_app(tmp_path, FILES, HashEmbedder(), chroma_url=chroma_server.url, index_poll_seconds=0) as (url, _):
        client = Client(url, verbose=False)
        before = client.predict(QUESTION, api_name="/ask")
        assert before["passages"][0]["source"] == "strategi.txt"

        chroma_server.stop()
        with pytest.raises(Exception) as down:
            client.predict(QUESTION, api_name="/ask")
        assert MESSAGES["store.unavailable"]["sv"] in str(down.value)
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200

        chroma_server.start()
        after = client.predict(QUESTION, api_name="/ask")
        assert [p["passage_id"] for p in after["passages"]] == [p["passage_id"] for p in before["passages"]]
        assert after["answer"] == before["answer"]


def test_an_app_started_before_its_server_waits_and_comes_up(settings, corpus_dir, chroma_server, monkeypatch):
    import rag.product.web.startup

    (corpus_dir / "strategi.txt").write_text(FILES["strategi.txt"], encoding="utf-8")
    on_server = settings.model_copy(update={"chroma_url": chroma_server.url, "index_poll_seconds": 0})
    ingest(on_server, embedder=HashEmbedder(), progress=False)
    chroma_server.stop()
    monkeypatch.setattr(rag.product.web.startup, "STORE_RETRY_S", 0.2)

    backend = Backend(on_server, embedder=HashEmbedder()).start()
    deadline = time.monotonic() + 30
    while "Väntar på indexservern" not in backend.status()[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert backend.status()[0].startswith("Väntar på indexservern") and not backend.ready

    chroma_server.start()
    service = backend.service(timeout=60)
    assert service.ask(QUESTION).hits[0].passage.source == "strategi.txt"
    assert backend.status()[1] is True


def test_settings_name_a_bad_chroma_url(monkeypatch):
    monkeypatch.setenv("RAG_CHROMA_URL", "127.0.0.1:8000")
    with pytest.raises(ValueError, match="RAG_CHROMA_URL"):
        load_settings()
