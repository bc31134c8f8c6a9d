"""The earlier turns of a conversation, in the shapes clients send them, read into ``Turn``s.

The web app's ``ask`` API, ``rag ask --json --questions`` and ``rag eval --conversations`` all
take the history the same way, with the questions as the user typed them:

* ``[[question, answer], …]`` (what ``gradio_client`` sends),
* ``[{"question": …, "answer": …}, …]``,
* ``[question, …]``: earlier questions without their answers.
"""

from __future__ import annotations

from typing import Any

from rag.types import Turn

SHAPES = '[[question, answer], ...], [{"question", "answer"}, ...] or [question, ...]'


def read_history(history: Any, where: str = "history") -> list[Turn]:
    """``history`` as turns, oldest first; ValueError naming ``where`` and the item for anything
    else (a shape it does not know is never guessed at)."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise ValueError("{} must be a list: {}".format(where, SHAPES))
    return [_turn(item, "{}[{}]".format(where, i)) for i, item in enumerate(history)]


def _turn(item: Any, where: str) -> Turn:
    if isinstance(item, str):
        question, answer = item, ""
    elif isinstance(item, dict):
        question, answer = item.get("question"), item.get("answer", "")
    elif isinstance(item, (list, tuple)) and len(item) in (1, 2):
        question, answer = item[0], item[1] if len(item) == 2 else ""
    else:
        question, answer = None, None
    if not isinstance(question, str) or not isinstance(answer, (str, type(None))):
        raise ValueError(
            "{} must be [question, answer] (two strings), {{\"question\", \"answer\"}} or a question string".format(
                where
            )
        )
    return Turn(question, answer or "")
