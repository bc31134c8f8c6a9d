"""What comes back from a chat model: its text, without inline reasoning, and a failed call
described without leaking a traceback or a URL with a key. Shared by generated answers and
follow-up rewrites."""

from __future__ import annotations

import re

from rag.answering.messages import Reason

# Reasoning models (e.g. qwen3, deepseek-r1 via Ollama) write their thinking inline first.
_THINKING = re.compile(r"<think>.*?(</think>|$)", re.S | re.I)


def strip_thinking(text: str) -> str:
    return _THINKING.sub("", text).strip()


def message_text(message) -> str:
    """The text of a chat message or chunk, whether its content is a string or content blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(
        part if isinstance(part, str) else str(part.get("text", "")) for part in content
        if isinstance(part, str) or part.get("type") == "text"
    )


def describe_error(exc: BaseException, timeout_s: float) -> Reason:
    """A short, user-safe reason for a failed model call; never the traceback or a URL with a key."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if isinstance(exc, TimeoutError) or "timeout" in name.lower():
        return Reason("timeout", {"seconds": timeout_s})
    if isinstance(status, int):
        return Reason("http", {"status": status})
    if isinstance(exc, ConnectionError) or "connect" in name.lower():
        return Reason("unreachable")
    return Reason("error", {"name": name})
