"""A document title for every HTML page the app serves, the login form's included.

Gradio sets the page's title from its config, which the login form does not get: before
signing in, the page has no <title> at all (WCAG 2.4.2, "Page Titled"). This ASGI middleware
adds one to an HTML response that lacks it and leaves every other response untouched.
"""

from __future__ import annotations

import html

HEAD = b"<head>"


class TitledPages:
    """ASGI middleware: ``<title>{title}</title>`` after ``<head>`` in HTML without a title."""

    def __init__(self, app, title: str) -> None:
        self.app = app
        self.tag = "<title>{}</title>".format(html.escape(title)).encode("utf-8")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def titled_send(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = None
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if b"<title" not in body and HEAD in body:
                body = body.replace(HEAD, HEAD + self.tag, 1)
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, titled_send)
