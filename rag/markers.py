"""Citation markers in text, and bracketed numbers that are only text.

An answer, a draft item and a generated reply mark citations as ``[n]`` (a generated reply also
``[1, 3]`` or ``[2-4]``). A source file may hold the same shape as its own text: "… enligt SKR:s
modell [2] …" refers to the file's own literature list, not to our passage 2. Wherever source
text enters text that is later read for markers, such a bracket is written with a backslash before
it (``\\[2]``, Markdown's own escape), and every reader of markers skips an escaped bracket. A
person reading the text, the preview or an export sees "[2]" as text, never as a reference.
"""

from __future__ import annotations

import re

# What any reader of markers could take for one: digits, ranges and lists inside brackets.
_NUMBERS = r"\s*\d+(?:\s*[-–]\s*\d+)?(?:\s*[,;]\s*\d+(?:\s*[-–]\s*\d+)?)*\s*\]"
_LITERAL = re.compile(r"\[(?=" + _NUMBERS + ")")
_ESCAPED = re.compile(r"\\\[(?=" + _NUMBERS + ")")
# A draft item's marker: one number, not escaped.
DRAFT_MARKER = re.compile(r"(?<!\\)\[(\d+)\]")


def literal(text: str) -> str:
    """``text`` with every bracketed number escaped, so that no reader of markers takes it for one."""
    return _LITERAL.sub(r"\\[", text)


def unescape(text: str) -> str:
    """Text for a person: the escapes ``literal`` wrote are taken out again."""
    return _ESCAPED.sub("[", text)
