"""Text for a terminal: control characters shown, never obeyed.

A question, comment, user name or file name may hold control characters (ESC sequences that
retitle the window or move the cursor, a carriage return that overwrites the line, a newline
that forges a second record, bidirectional overrides that reorder what is read). Everything the
command line prints goes through ``printable``: such a character is written as ``\\u001b``, the
escape JSON uses too, so JSON output stays valid JSON with the same content.
"""

from __future__ import annotations

import io
import unicodedata
from typing import TextIO

# Bidirectional embeddings, overrides and isolates: they reorder text on screen (CVE-2021-42574).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character except those in ``keep`` written as ``\\uXXXX``."""
    return "".join(
        ch if ch in keep or not _is_control(ch) else "\\u{:04x}".format(ord(ch)) for ch in text
    )


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI or ch in "\u2028\u2029"


class PrintableStream(io.TextIOBase):
    """A text stream that writes through ``printable``: newlines and tabs pass, and on a stream
    that is a terminal carriage returns too (a progress bar redraws its line with them)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.keep = "\n\t\r" if _isatty(stream) else "\n\t"

    def write(self, text: str) -> int:
        self.stream.write(printable(text, self.keep))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return _isatty(self.stream)

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
