"""Per-question CSV files that are safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
programs skip before reading one of those) is a formula to Excel and LibreOffice Calc: a
question such as ``=HYPERLINK("http://…", "klicka")`` would run when a colleague opens the run.
Such a text cell gets a leading apostrophe, OWASP's advice, which the spreadsheet shows as text;
numbers, including negative ones, stay numbers.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, Callable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet reads as text or a number, never as a formula."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _NUMBER.fullmatch(value):
        return value
    return "'" + value


def write_csv(path: Path, columns: Sequence[str], rows: list[dict], value: Callable[[Any], Any]) -> None:
    """``rows`` (their ``columns``, each through ``value`` and then ``cell``) as a UTF-8 CSV file."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: cell(value(row.get(k))) for k in columns})
