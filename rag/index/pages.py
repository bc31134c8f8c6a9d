"""Pages of the published report, derived from the layout of its OCR text.

A text file has no pages, but an OCR'd report keeps traces of them, and where it does a
reader can be told the page of the printed report. The rule, stated once:

* **Anchors.** A line holding only a number of 1-3 digits is a printed page number (a page
  footer): the page that holds it has that number.
* **Page breaks.** A new page starts at a page-number line's next text, after a run of three
  or more newlines (two blank lines; the OCR leaves them where a page ended), and at a line
  that starts with one space (this OCR starts the text of a new page with a space).
  Breaks with no text between them are one break.
* **Numbering.** Pages are counted from the nearest anchor. Between two anchors whose numbers
  differ by exactly the number of breaks between them, the count is confirmed by both and
  the pages are exact. Anywhere else the number is an estimate and marked as one: before
  the first anchor or after the last one the count runs on from the nearest anchor, and
  between two anchors that disagree with the breaks the page is interpolated by characters.
* A text with no page-number line has no pages (``()``): nothing is guessed.

PDFs keep the page numbers of the file (``rag.index.loaders``); this module is for text only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.types import Page

_PAGE_NUMBER_LINE = re.compile(r"^[ \t]*(\d{1,3})[ \t]*$", re.M)
_BLANK_RUN = re.compile(r"\n[ \t]*\n([ \t]*\n)+")
_PAGE_START_SPACE = re.compile(r"(?<=\n) (?=\S)")


@dataclass(frozen=True)
class _Segment:
    start: int
    end: int
    anchor: int | None  # the printed number on this page, if it has one


def printed_pages(text: str) -> tuple[Page, ...]:
    """The printed pages of ``text`` (tiling it from 0 to ``len(text)``), or () without anchors."""
    anchors = [(match.start(), int(match.group(1))) for match in _PAGE_NUMBER_LINE.finditer(text)]
    if not anchors:
        return ()
    segments = _segments(text, anchors)
    numbered = [(i, s.anchor) for i, s in enumerate(segments) if s.anchor is not None]
    pages = []
    for i, segment in enumerate(segments):
        number, estimated = _number(i, segments, numbered)
        pages.append(Page(number=max(number, 1), start=segment.start, end=segment.end, estimated=estimated))
    return tuple(pages)


def _segments(text: str, anchors: list[tuple[int, int]]) -> list[_Segment]:
    starts = {0}
    for offset, _ in anchors:
        line_end = text.find("\n", offset)
        if line_end >= 0:
            starts.add(_next_text(text, line_end))
    starts.update(_next_text(text, match.start()) for match in _BLANK_RUN.finditer(text))
    starts.update(match.start() for match in _PAGE_START_SPACE.finditer(text))
    ordered = sorted(s for s in starts if s < len(text))
    # Breaks with no text between them are one break: keep the last start before the text.
    merged: list[int] = []
    for start in ordered:
        if merged and not text[merged[-1] : start].strip():
            merged[-1] = start
        else:
            merged.append(start)
    merged[0] = 0
    bounds = merged + [len(text)]
    segments = []
    for start, end in zip(bounds, bounds[1:]):
        number = next((n for offset, n in anchors if start <= offset < end), None)
        segments.append(_Segment(start, end, number))
    return segments


def _next_text(text: str, position: int) -> int:
    """The offset of the first non-space character at or after ``position`` (or the end)."""
    match = re.compile(r"\S").search(text, position)
    return match.start() if match else len(text)


def _number(i: int, segments: list[_Segment], numbered: list[tuple[int, int]]) -> tuple[int, bool]:
    before = [(j, n) for j, n in numbered if j <= i]
    after = [(j, n) for j, n in numbered if j >= i]
    if before and before[-1][0] == i:
        return before[-1][1], False
    if before and after:
        (ja, na), (jb, nb) = before[-1], after[0]
        if nb - na == jb - ja:
            return na + (i - ja), False
        # The breaks found disagree with the printed numbers: interpolate by characters.
        sa, sb = segments[ja].start, segments[jb].start
        share = (segments[i].start - sa) / (sb - sa)
        return na + round((nb - na) * share), True
    if before:
        j, n = before[-1]
        return n + (i - j), True
    j, n = after[0]
    return n - (j - i), True
