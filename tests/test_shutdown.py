"""The web app ends gracefully on SIGTERM (the real app.py in a child process, an answer in flight
from a FAKE slow chat endpoint), and closes connections that never finish their request head."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder
from openai_stub import Reply, ScriptedChatServer
from ui_harness import free_port, running_app

FILES = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}
ROOT = Path(__file__).resolve().parent.parent
GENERATED = "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna [1]."


def _wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _up(url: str) -> bool:
    try:
        return httpx.get(url + "/gradio_api/info", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.subprocess
def test_sigterm_lets_the_answer_in_flight_finish_and_refuses_new_work(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in FILES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    port = free_port()
    url = "http://127.0.0.1:{}".format(port)
    with ScriptedChatServer(Reply(text=GENERATED, delay_s=4.0)) as llm:
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}
        env.update(
            RAG_FEEDBACK_PATH=str(tmp_path / "feedback.sqlite3"), RAG_SHUTDOWN_GRACE_SECONDS="60",
            RAG_DECLINE_BELOW="0", RAG_PARTIAL_BELOW="0", RAG_LLM_MAX_RETRIES="0",
        )
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index-dir", str(tmp_path / "index"),
             "--corpus-dir", str(corpus), "--llm", "openai", "--llm-model", "stub", "--llm-base-url", llm.url],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            _wait_until(lambda: proc.poll() is not None or _up(url), 240, "the app did not start")
            assert proc.poll() is None
            event = httpx.post(url + "/gradio_api/call/ask", json={"data": ["Hur kan små kommuner samverka?"]}).json()
            stream: dict = {}

            def listen():
                with httpx.Client(timeout=120) as client:
                    stream["text"] = client.get(url + "/gradio_api/call/ask/" + event["event_id"]).text

            listener = threading.Thread(target=listen)
            listener.start()
            _wait_until(lambda: llm.requests, 60, "the answer never reached the chat endpoint")
            proc.send_signal(signal.SIGTERM)
            refused = _wait_until(
                lambda: httpx.post(url + "/gradio_api/call/search", json={"data": ["samverkan", 1, ""]}).status_code == 503,
                10, "new work was not refused while shutting down",
            )
            listener.join(120)
            code = proc.wait(120)
        finally:
            if proc.poll() is None:
                proc.kill()
            out, err = proc.communicate(timeout=60)

    assert refused and code == 0, err
    assert "event: complete\ndata: " in stream["text"], stream
    [answer] = json.loads(stream["text"].split("event: complete\ndata: ", 1)[1])
    assert (answer["mode"], answer["fallback"], answer["abstained"]) == ("generative", None, False), answer
    assert answer["sentences"][0]["text"].startswith("Små kommuner kan dela på kompetens genom att samverka")
    assert "shutting down: no new work; waiting up to 60 s for 1 answer(s) in flight" in err
    assert "cut off" not in err
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/gradio_api/info", timeout=5)


def test_connections_that_never_finish_their_request_head_are_closed(tmp_path):
    with running_app(tmp_path, FILES, HashEmbedder(), request_header_seconds=1) as (url, _backend):
        port = int(url.rsplit(":", 1)[1].strip("/"))
        silent = socket.create_connection(("127.0.0.1", port), timeout=30)
        partial = socket.create_connection(("127.0.0.1", port), timeout=30)
        partial.sendall(b"GET /gradio_api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        kept_alive = socket.create_connection(("127.0.0.1", port), timeout=30)
        kept_alive.sendall(b"GET /gradio_api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = kept_alive.recv(65536)
        kept_alive.sendall(b"GET /gradio_api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the next head, unfinished

        # recv() returns b"" once the server has closed the connection; it would wait 30 s otherwise.
        assert (silent.recv(1024), partial.recv(1024)) == (b"", b"")
        assert first.startswith(b"HTTP/1.1 200 OK")
        assert _drain(kept_alive) == b""
        assert httpx.get(url + "gradio_api/info").status_code == 200  # the app itself is fine
        for s in (silent, partial, kept_alive):
            s.close()


def _drain(sock: socket.socket) -> bytes:
    """Reads until the server closes; what came last (b"" on a close)."""
    chunk = sock.recv(65536)
    while chunk:
        chunk = sock.recv(65536)
    return chunk
