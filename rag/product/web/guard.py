"""An ASGI middleware in front of Gradio's routes for what Gradio does not bound by itself.

* ``POST /login``: the client's address is handed to the password check (``CLIENT_ADDRESS``) for
  throttling and the log, and the session cookies get a ``Max-Age`` (the session's absolute
  lifetime) and, when the page is served over HTTPS, ``Secure`` on both of Gradio's two cookies.
* Uploads (``/gradio_api/upload`` and Gradio's other ways of sending files in) are refused: the
  app takes no files, and Gradio would keep whatever was sent in its cache for ever.
* Exported memos (``PrivateExports``) are served only to the user who exported them.
* While the app shuts down (``draining``) new work is refused with 503; the result streams of
  answers already in flight still connect.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

from rag.product.login import CLIENT_ADDRESS, UNKNOWN_ADDRESS
from rag.product.web.exports import PrivateExports

API = "/gradio_api"
REFUSED_POSTS = (API + "/upload", API + "/process_recording", API + "/stream/")
FILE_PREFIXES = (API + "/file=", API + "/file/")
# What an answer in flight still needs while the app drains: its result stream.
DRAINING_ALLOWED = (API + "/queue/data", API + "/call/", API + "/heartbeat/")
TOKEN_COOKIE = "access-token-"


@dataclass
class GuardState:
    """What the guard consults; shared with ``launch`` (which fills ``sessions`` and sets ``draining``)."""

    sessions: Mapping[str, str] | None = None
    user_header: str | None = None
    exports: PrivateExports | None = None
    cookie_max_age: int | None = None
    draining: threading.Event = field(default_factory=threading.Event)


class Guard:
    def __init__(self, app: Any, state: GuardState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if self.state.draining.is_set() and not (method == "GET" and path.startswith(DRAINING_ALLOWED)):
            return await _refuse(send, 503, "the app is shutting down; try again in a moment", {"Retry-After": "5"})
        if method == "POST" and path.startswith(REFUSED_POSTS):
            return await _refuse(send, 403, "this app accepts no file uploads")
        if method == "POST" and path.rstrip("/") == "/login":
            return await self._login(scope, receive, send)
        if method in ("GET", "HEAD") and path.startswith(FILE_PREFIXES) and self.state.exports is not None:
            return await self._file(scope, receive, send, _file_path(path))
        return await self.app(scope, receive, send)

    async def _login(self, scope, receive, send) -> None:
        client = scope.get("client")
        token = CLIENT_ADDRESS.set(client[0] if client else UNKNOWN_ADDRESS)
        extra = []
        if self.state.cookie_max_age:
            extra.append(b"; Max-Age=" + str(self.state.cookie_max_age).encode())
        https = scope.get("scheme") == "https"

        async def send_cookies(message):
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie":
                        value += b"".join(extra)
                        if https and b"; secure" not in value.lower():
                            value += b"; Secure"
                    headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_cookies)
        finally:
            CLIENT_ADDRESS.reset(token)

    async def _file(self, scope, receive, send, file_path: str) -> None:
        exports = self.state.exports
        owner = exports.owner_of(file_path)
        if owner is None:
            return await self.app(scope, receive, send)
        if owner and self._user(scope) != owner:
            return await _refuse(send, 404, "file not found")
        status = {"code": 0}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                if status["code"] == 200 and scope["method"] == "GET":
                    exports.downloaded(file_path)
            await send(message)

        await self.app(scope, receive, watch)

    def _user(self, scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.state.user_header:
            return headers.get(self.state.user_header.lower()) or None
        if self.state.sessions is None:
            return None
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name.startswith(TOKEN_COOKIE):
                user = self.state.sessions.get(value)
                if user:
                    return user
        return None


async def _refuse(send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _file_path(path: str) -> str:
    """The file a ``/gradio_api/file=PATH`` (or the older ``/gradio_api/file/PATH``) request names."""
    if path.startswith(FILE_PREFIXES[0]):
        return path[len(FILE_PREFIXES[0]):]
    return "/" + path[len(FILE_PREFIXES[1]):].lstrip("/")
