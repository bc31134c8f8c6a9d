"""Whose work a web request may read and change: its owner.

With a login on, the owner is the signed-in user (``rag.product.login.user_of``). Without one,
it is a random browser id that ``BrowserIdMiddleware`` gives every browser in an HttpOnly cookie
on its first request, so a person's conversation and draft survive a reload and a restart and
are shared by their tabs, while scripts on the page cannot read the id. Gradio's session hash
is never an owner: it names one page load, travels in URL query strings (a proxy's access log
holds it) and anyone who knows it could send it.
"""

from __future__ import annotations

import re
import secrets
from http.cookies import SimpleCookie
from typing import Any

from rag.product.login import user_of

BROWSER_COOKIE = "rag_browser"
_BROWSER_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
# Chromium keeps a cookie at most 400 days; asking for more is cut to that.
BROWSER_COOKIE_MAX_AGE_S = 400 * 24 * 3600


def new_browser_id() -> str:
    return secrets.token_urlsafe(32)


def browser_id(cookie_header: str) -> str | None:
    """The well-formed browser id in a ``Cookie`` header, or None."""
    cookie = SimpleCookie()
    try:
        cookie.load(cookie_header or "")
    except Exception:  # a malformed header from any client: no id, a new one is given
        return None
    morsel = cookie.get(BROWSER_COOKIE)
    return morsel.value if morsel is not None and _BROWSER_ID.match(morsel.value) else None


def owner_of(request: Any) -> str:
    """``"user:NAME"`` for a signed-in user, ``"browser:ID"`` for a browser with its cookie, else
    empty (a request that may own nothing)."""
    user = user_of(request)
    if user:
        return "user:" + user
    headers = getattr(request, "headers", None) if request is not None else None
    found = browser_id((headers.get("cookie") if headers is not None else None) or "")
    return "browser:" + found if found else ""


class BrowserIdMiddleware:
    """ASGI middleware: a request without a valid browser id gets one, seen by the request
    itself and set in the response as an HttpOnly, SameSite=Lax cookie (Secure over HTTPS)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers") or [])
        cookie_header = "; ".join(v.decode("latin-1") for k, v in headers if k == b"cookie")
        if browser_id(cookie_header):
            await self.app(scope, receive, send)
            return
        new = new_browser_id()
        joined = (cookie_header + "; " if cookie_header else "") + "{}={}".format(BROWSER_COOKIE, new)
        scope = dict(scope, headers=[(k, v) for k, v in headers if k != b"cookie"] + [(b"cookie", joined.encode("latin-1"))])
        flags = "Path=/; Max-Age={}; HttpOnly; SameSite=Lax".format(BROWSER_COOKIE_MAX_AGE_S)
        if scope.get("scheme") == "https":
            flags += "; Secure"
        set_cookie = "{}={}; {}".format(BROWSER_COOKIE, new, flags).encode("latin-1")

        async def send_with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = dict(message, headers=list(message.get("headers") or []) + [(b"set-cookie", set_cookie)])
            await send(message)

        await self.app(scope, receive, send_with_cookie)
