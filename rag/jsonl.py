"""Reading JSONL files (gold sets, conversations, question files, passages, OCR gold).

``read_jsonl`` is the one loop every reader uses: blank lines are skipped, and a line that is
not JSON comes back with its error instead of a row, so each caller decides whether a bad line
stops the file (gold sets) or costs only itself (``rag ask --questions``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class JsonLine:
    number: int  # 1-based line number in the file
    row: Any  # the parsed value; None when ``error`` is set
    error: json.JSONDecodeError | None = None


def read_jsonl(path: str | Path, errors: str = "strict") -> Iterator[JsonLine]:
    """Each non-blank line of ``path`` parsed; ``errors`` is the text decoding's error handler."""
    with open(path, encoding="utf-8", errors=errors) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield JsonLine(number, json.loads(line))
            except json.JSONDecodeError as exc:
                yield JsonLine(number, None, exc)


def read_jsonl_rows(path: str | Path) -> list[Any]:
    """Every row of ``path``; ValueError naming the file and line of the first that is not JSON."""
    rows = []
    for line in read_jsonl(path):
        if line.error is not None:
            raise ValueError("{}:{}: invalid JSON ({})".format(path, line.number, line.error.msg))
        rows.append(line.row)
    return rows


def read_unique(path: str | Path, parse: Callable[[Any, str], T]) -> list[T]:
    """Every row of ``path`` made into an item by ``parse(row, where)`` (which raises ValueError
    naming ``where`` for a bad row); ValueError too for a line that is not JSON or an item whose
    ``id`` an earlier line used."""
    items: list[T] = []
    seen: set[str] = set()
    for line in read_jsonl(path):
        where = "{}:{}".format(path, line.number)
        if line.error is not None:
            raise ValueError("{}: invalid JSON ({})".format(where, line.error.msg))
        item = parse(line.row, where)
        if item.id in seen:
            raise ValueError("{}: duplicate id {!r}".format(where, item.id))
        seen.add(item.id)
        items.append(item)
    return items
