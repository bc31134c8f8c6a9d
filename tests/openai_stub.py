"""A FAKE OpenAI-compatible (and Ollama-compatible) chat server on 127.0.0.1 for integration tests.

It speaks just enough of ``POST /v1/chat/completions`` for the real ``ChatOpenAI`` client:
a JSON completion, or server-sent events when the request asks for ``stream``; and of
Ollama's ``POST /api/chat`` (newline-delimited JSON chunks) for the real ``ChatOllama``.
Each test scripts its replies (text, status, delay, raw body) and reads back the requests it got.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A proxy configured in the environment must not swallow requests to this loopback server
# (httpx, under both ChatOpenAI and ChatOllama, honours NO_PROXY; child processes inherit it).
_no_proxy = [h for h in os.environ.get("NO_PROXY", "").split(",") if h]
os.environ["NO_PROXY"] = ",".join(dict.fromkeys(_no_proxy + ["127.0.0.1", "localhost"]))


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    delay_s: float = 0.0  # sleep before answering (a slow endpoint)
    chunks: tuple[str, ...] | None = None  # streamed pieces; default: the text split after spaces
    raw_body: str | None = None  # sent as is with the status (a broken endpoint)


def _pieces(reply: Reply) -> list[str]:
    if reply.chunks is not None:
        return list(reply.chunks)
    words = reply.text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


class ScriptedChatServer:
    """Replies from ``script`` in order (the last one repeats); records every request body."""

    def __init__(self, *replies: Reply) -> None:
        self.script: deque[Reply] = deque(replies)
        self.requests: list[dict] = []
        self.authorizations: list[str | None] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                reply = server._next(body, self.path, self.headers.get("Authorization"))
                try:
                    server._respond(self, body, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL for ``ChatOpenAI``."""
        return "{}/v1".format(self.root)

    @property
    def root(self) -> str:
        """Base URL for ``ChatOllama``."""
        return "http://127.0.0.1:{}".format(self.httpd.server_address[1])

    def __enter__(self) -> "ScriptedChatServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _next(self, body: dict, path: str, authorization: str | None) -> Reply:
        with self._lock:
            self.requests.append({"path": path, **body})
            self.authorizations.append(authorization)
            return self.script.popleft() if len(self.script) > 1 else self.script[0]

    @staticmethod
    def _respond(handler: BaseHTTPRequestHandler, body: dict, reply: Reply) -> None:
        if reply.delay_s:
            time.sleep(reply.delay_s)
        model = body.get("model", "stub")
        if reply.raw_body is not None or reply.status != 200:
            payload = reply.raw_body
            if payload is None:
                payload = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}})
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload.encode())))
            handler.end_headers()
            handler.wfile.write(payload.encode())
            return
        if handler.path == "/api/chat":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/x-ndjson")
            handler.end_headers()
            for piece in _pieces(reply):
                line = {"model": model, "created_at": "2026-01-01T00:00:00Z",
                        "message": {"role": "assistant", "content": piece}, "done": False}
                handler.wfile.write((json.dumps(line) + "\n").encode())
                handler.wfile.flush()
            done = {"model": model, "created_at": "2026-01-01T00:00:00Z", "message": {"role": "assistant", "content": ""},
                    "done": True, "done_reason": "stop"}
            handler.wfile.write((json.dumps(done) + "\n").encode())
            return
        if body.get("stream"):
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.end_headers()
            for piece in _pieces(reply):
                handler.wfile.write(_event(model, {"role": "assistant", "content": piece}, None))
                handler.wfile.flush()
            handler.wfile.write(_event(model, {}, "stop"))
            handler.wfile.write(b"data: [DONE]\n\n")
            handler.wfile.flush()
            return
        payload = json.dumps(
            {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


def _event(model: str, delta: dict, finish: str | None) -> bytes:
    chunk = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return "data: {}\n\n".format(json.dumps(chunk)).encode()
