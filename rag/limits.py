"""Bounds on what one request may ask of the system, checked before any work is done.

Every entry point (``RagService``, ``rag ask`` and its ``--questions`` lines, the web chat and
the API) goes through these checks, so a question, a search query or a conversation history
past its limit is refused at once with a message that names the limit and the setting that
sets it, instead of costing minutes of CPU and gigabytes of memory. Text with a lone UTF-16
surrogate (what a broken encoding leaves in JSON) is refused the same way: it cannot be
encoded, and would fail later, deeper and less clearly.
"""

from __future__ import annotations

from typing import Sequence

from rag.types import Turn

# Passages a search or an answer may ask for: the same range the `k` setting allows.
MAX_K = 50
_WHAT = {"question": "a question", "query": "what to search for"}
# What one person's draft may hold. A whole passage is at most 4,000 characters (chunk_chars) and
# an answer quotes at most 12 sentences, so 20,000 leaves room for a user's rewriting; a title and
# a note are a line or a paragraph. 200 parts is a long memo; all of it is kept per user on the
# server, so each bound keeps one person from filling its memory and disk (a 50 MB part was taken).
MAX_DRAFT_ITEM_CHARS = 20_000
MAX_DRAFT_NOTE_CHARS = 5_000
MAX_MEMO_TITLE_CHARS = 200
MAX_DRAFT_ITEMS = 200


def check_draft_part(text: str, note: str) -> None:
    """ValueError (Swedish: the page shows it) when a draft part's text or note is too long."""
    for what, value, limit in (("Texten", text, MAX_DRAFT_ITEM_CHARS), ("Anteckningen", note, MAX_DRAFT_NOTE_CHARS)):
        if len(value or "") > limit:
            raise ValueError(
                "{} är {} tecken lång; en del av utkastet får ha högst {} tecken. Korta ner den eller dela upp "
                "den på flera delar.".format(what, _swedish_number(len(value)), _swedish_number(limit))
            )


def _swedish_number(n: int) -> str:
    """12 345 678: Swedish groups digits with a (no-break) space."""
    return "{:,}".format(n).replace(",", "\u00a0")


def check_memo_title(title: str) -> None:
    if len(title or "") > MAX_MEMO_TITLE_CHARS:
        raise ValueError(
            "Rubriken är {} tecken lång; den får ha högst {} tecken. Korta ner den.".format(len(title), MAX_MEMO_TITLE_CHARS)
        )


def check_draft_size(parts: int) -> None:
    if parts > MAX_DRAFT_ITEMS:
        raise ValueError(
            "Utkastet kan ha högst {} delar. Ta bort delar du inte behöver innan du fäster fler.".format(MAX_DRAFT_ITEMS)
        )


def check_text(text: object, limit: int, field: str = "question", allow_empty: bool = False) -> str:
    """``text`` stripped, or ValueError naming ``field`` when it is not a string (non-empty
    unless ``allow_empty``) within ``limit`` characters of valid text."""
    if not isinstance(text, str):
        raise ValueError("{} must be text (a string), got {}".format(field, type(text).__name__))
    text = text.strip()
    if not text and not allow_empty:
        raise ValueError("{} is empty; type {}".format(field, _WHAT.get(field, "some text")))
    if len(text) > limit:
        raise ValueError(
            "{} is {:,} characters; the limit is {:,} (RAG_MAX_QUESTION_CHARS); shorten it".format(
                field, len(text), limit
            )
        )
    _check_encodable(text, field)
    return text


def _check_encodable(text: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            "{} contains an invalid character (lone surrogate {!r} at character {}); "
            "fix the text's encoding".format(field, text[exc.start], exc.start)
        ) from None


def check_history(history: Sequence[Turn], max_turns: int, max_chars: int, max_question_chars: int) -> None:
    """ValueError when a conversation history has more than ``max_turns`` turns, more than
    ``max_chars`` characters in all, or a turn whose question is over the question limit."""
    if len(history) > max_turns:
        raise ValueError(
            "history has {} turns; the limit is {} (RAG_MAX_HISTORY_TURNS); send only the "
            "latest turns".format(len(history), max_turns)
        )
    total = 0
    for i, turn in enumerate(history):
        if len(turn.question) > max_question_chars:
            raise ValueError(
                "history[{}] question is {:,} characters; the limit is {:,} (RAG_MAX_QUESTION_CHARS)".format(
                    i, len(turn.question), max_question_chars
                )
            )
        _check_encodable(turn.question, "history[{}] question".format(i))
        _check_encodable(turn.answer, "history[{}] answer".format(i))
        total += len(turn.question) + len(turn.answer)
    if total > max_chars:
        raise ValueError(
            "history is {:,} characters; the limit is {:,} (RAG_MAX_HISTORY_CHARS); send only the "
            "latest turns".format(total, max_chars)
        )


def recent_history(history: Sequence[Turn], max_turns: int, max_chars: int) -> list[Turn]:
    """The latest turns of ``history`` that fit both limits: what the web chat, which builds
    the history itself, sends with a follow-up."""
    kept: list[Turn] = []
    total = 0
    for turn in reversed(history[-max_turns:] if max_turns else []):
        total += len(turn.question) + len(turn.answer)
        if total > max_chars:
            break
        kept.append(turn)
    return kept[::-1]


def check_k(k: object) -> int | None:
    """``k`` as an int in 1..MAX_K, None when not given; ValueError otherwise."""
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, int) and not (isinstance(k, float) and k.is_integer()):
        raise ValueError("k must be a whole number from 1 to {}, got {!r}".format(MAX_K, k))
    if not 1 <= int(k) <= MAX_K:
        raise ValueError("k must be a whole number from 1 to {}, got {}".format(MAX_K, int(k)))
    return int(k)
