"""The draft laid out as a memo: headings, paragraphs with memo-wide reference numbers, and a
complete reference list. ``rag.product.memo_export`` writes it as Markdown or DOCX.

* **Numbers.** Every distinct reference gets one number, in order of first use over the items
  in draft order (two passages of one section on one page are one reference); an item's ``[k]``
  markers are rewritten to those numbers. A marker that points at
  no citation (say "[7]" typed into an answer with three) is an error naming the item. A
  bracketed number quoted from a source (``\\[2]``, ``rag.markers``) is text, never a marker.
* **A sentence pinned twice appears once.** Answers claim their quoted sentences first (each is
  read under its question), then passages, each in draft order. A later item leaves a claimed
  sentence out, with "…" where that leaves a gap inside a quotation; a stretch left with nothing
  loses its marker, and an item left with nothing but its heading is left out. Only sentences
  still found verbatim in an item count, so text a user edited is exported as written.
* **References** name publisher, title, year, chapter › section and the page of the published
  report ("s. 14", "ca s. 14" when estimated): the pages of the quoted sentences, or of the
  passage when nothing of it is quoted. Never a file name or an OCR line number, unless a file
  has no title at all (then its name is all that identifies it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.locations import citation_label
from rag.markers import DRAFT_MARKER, literal, unescape
from rag.product.memo import BULLET, ELLIPSIS, PART_PREFIX, QUOTE_PREFIX, DraftItem, MemoSource, Quote
from rag.product.viewer import SourceLocation
from rag.types import PageSpan, Passage, SentenceSpan

SOURCE_CHANGED = "(Källan har ändrats sedan avsnittet fästes; citerat som det löd då.)"
_MARKERS_AFTER = re.compile(r"((?:\s*(?<!\\)\[\d+\])+)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")

Piece = str | int  # literal text, or a memo reference number


@dataclass(frozen=True)
class Paragraph:
    """``kind``: "quote" (a quotation), "part" (a heading inside an answer) or "text". ``lines``
    are its lines (a quoted list item keeps its own), each as text pieces and reference numbers."""

    kind: str
    lines: tuple[tuple[Piece, ...], ...]


@dataclass(frozen=True)
class MemoItem:
    heading: str
    paragraphs: tuple[Paragraph, ...]
    note: str


@dataclass(frozen=True)
class Reference:
    n: int
    passage: Passage
    title: str
    publisher: str | None
    year: int | str | None
    pages: PageSpan | None
    changed: bool = False  # the source changed after the passage was pinned: cited as it was then

    def parts(self) -> list[tuple[str, bool]]:
        """The reference as (text, italic) runs: "AI Sweden (2025). *Från insikt till handling*.
        4. AI-strategin … › Juridiken …, s. 21." """
        author = " ".join(x for x in (self.publisher or "", "({})".format(self.year) if self.year else "") if x)
        where = citation_label(self.passage.section, self.pages)
        runs = [(author + ". ", False)] if author else []
        runs.append((self.title, True))
        runs.append((". " + where + ("" if where.endswith((".", "?", "!")) else "."), False))
        if self.changed:
            runs.append((" " + SOURCE_CHANGED, False))
        return runs

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts())


@dataclass(frozen=True)
class Memo:
    items: tuple[MemoItem, ...]
    references: tuple[Reference, ...]


class Remembering:
    """``source`` with what the draft's items remember of their passages (``memo.remembered``):
    a passage the index no longer holds (its file changed and was ingested again) is read from
    there and counted as ``changed``."""

    def __init__(self, source: MemoSource, items: Sequence[DraftItem]) -> None:
        self.source = source
        self.kept = {pid: kept for item in items for pid, kept in item.sources.items()}
        self.changed: set[str] = set()

    def passage(self, passage_id: str) -> Passage:
        try:
            return self.source.passage(passage_id)
        except KeyError:
            if passage_id not in self.kept:
                raise
            self.changed.add(passage_id)
            return Passage(**self.kept[passage_id]["passage"])

    def sentences(self, passage_id: str) -> list:
        if passage_id not in self.changed:
            return self.source.sentences(passage_id)
        return [
            SentenceSpan(passage_id, "", start, start, page, estimated)
            for start, page, estimated in self.kept[passage_id]["sentences"]
        ]

    def locate(self, passage: Passage) -> SourceLocation:
        if passage.id in self.changed:
            return SourceLocation(**self.kept[passage.id]["location"])
        return self.source.locate(passage)

    def document(self, source: str) -> dict:
        kept = next((k["document"] for k in self.kept.values() if k["passage"]["source"] == source), None)
        try:
            found = self.source.document(source)
        except KeyError:
            found = None
        return found or kept or {}


def layout(items: Sequence[DraftItem], source: MemoSource) -> Memo:
    """``items`` laid out as a memo. A passage the index no longer holds is cited from what its
    item remembers, marked as changed; without that, ValueError naming the part to remove."""
    source = Remembering(source, items)
    dropped = _dropped_quotes(items)
    numbers: dict[str, int] = {}
    references: list[Reference] = []
    kept: dict[str, list[Quote]] = {}
    for item, left_out in zip(items, dropped):
        for quote in item.quotes:
            if quote not in left_out and literal(quote.text) in item.text:
                kept.setdefault(quote.passage_id, []).append(quote)

    def number(passage_id: str) -> int:
        if passage_id not in numbers:
            passage = source.passage(passage_id)
            reference = _reference(source, len(references) + 1, passage, kept.get(passage_id))
            # Two passages of one section on one page are one reference to a reader.
            same = next((r for r in references if r.text == reference.text), None)
            if same is None:
                references.append(reference)
            numbers[passage_id] = (same or reference).n
        return numbers[passage_id]

    def numbered_in(i: int):
        def number_of(passage_id: str) -> int:
            try:
                return number(passage_id)
            except KeyError:
                raise ValueError(
                    "del {} citerar avsnittet {}, som inte längre finns i rapportens index (filen har ändrats); "
                    "ta bort delen ur utkastet eller fäst avsnittet på nytt".format(i, passage_id)
                ) from None

        return number_of

    laid_out = []
    for i, (item, left_out) in enumerate(zip(items, dropped), 1):
        text = item.text
        for quote in left_out:
            text = _leave_out(text, literal(quote.text))
        paragraphs = _paragraphs(text, tidy=bool(left_out))
        # A passage whose sentences all went to another item is cited there.
        merged_away = {q.passage_id for q in left_out} - {q.passage_id for q in _kept_in(item, left_out)}
        paragraphs = _numbered(i, item, paragraphs, numbered_in(i), merged_away)
        if paragraphs or item.note.strip():
            laid_out.append(MemoItem(item.heading.strip(), tuple(paragraphs), item.note.strip()))
    return Memo(tuple(laid_out), tuple(references))


def _kept_in(item: DraftItem, left_out: set[Quote]) -> list[Quote]:
    return [q for q in item.quotes if q not in left_out and literal(q.text) in item.text]


def _dropped_quotes(items: Sequence[DraftItem]) -> list[set[Quote]]:
    """Per item, the quoted sentences another item shows (answers first, then in draft order)."""
    claimed: set[tuple[str, int, int]] = set()
    dropped: list[set[Quote]] = [set() for _ in items]
    order = sorted(range(len(items)), key=lambda i: (items[i].kind != "answer", i))
    for i in order:
        for quote in items[i].quotes:
            key = (quote.passage_id, quote.start, quote.end)
            if key in claimed:
                dropped[i].add(quote)
            elif literal(quote.text) in items[i].text:
                claimed.add(key)
    return dropped


def _leave_out(text: str, sentence: str) -> str:
    """``text`` with the first whole-sentence occurrence of ``sentence`` replaced by "…"."""
    pattern = re.compile(r"(?:(?<=^)|(?<=[\s…•]))" + re.escape(sentence) + r"(?=$|[\s\[…])", re.M)
    return pattern.sub(ELLIPSIS, text, count=1)


def _tidy(line: str) -> str:
    """A quoted line after sentences were left out: one "…" per gap, none at the edges of a
    stretch, and a stretch with nothing left loses its markers."""
    pieces = _MARKERS_AFTER.split(line)
    out = []
    for body, markers in zip(pieces[0::2], pieces[1::2] + [""]):
        bullet = body.strip().startswith(BULLET)
        body = re.sub(ELLIPSIS + r"(?:\s*" + ELLIPSIS + ")+", ELLIPSIS, body.strip().lstrip(BULLET).strip())
        body = re.sub(r"^" + ELLIPSIS + r"\s*|\s*" + ELLIPSIS + "$", "", body)
        if body:
            out.append((BULLET + " " if bullet else "") + body + markers)
    return " ".join(out)


def _paragraphs(text: str, tidy: bool) -> list[tuple[str, list[str]]]:
    """(kind, lines) of each paragraph of an item's text (the grammar is in ``rag.product.memo``)."""
    out = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        lines = [line.rstrip() for line in block.strip("\n").split("\n")]
        if lines and all(line.startswith(QUOTE_PREFIX.strip()) for line in lines):
            lines = [line[1:].lstrip(" ") for line in lines]
            lines = [_tidy(line) for line in lines] if tidy else lines
            kind = "quote"
        elif len(lines) == 1 and lines[0].startswith(PART_PREFIX):
            kind, lines = "part", [lines[0][len(PART_PREFIX):].strip()]
        else:
            kind = "text"
        lines = [line for line in lines if line.strip()]
        if lines:
            out.append((kind, lines))
    # A part heading with nothing under it any more goes too.
    return [p for j, p in enumerate(out) if p[0] != "part" or (j + 1 < len(out) and out[j + 1][0] != "part")]


def _numbered(
    i: int, item: DraftItem, paragraphs: list[tuple[str, list[str]]], number, merged_away: set[str]
) -> list[Paragraph]:
    cited: set[str] = set()
    out = []
    for kind, texts in paragraphs:
        lines = []
        for line in texts:
            pieces: list[Piece] = []
            pos = 0
            for match in DRAFT_MARKER.finditer(line) if item.citation_ids and kind != "part" else ():
                k = int(match.group(1))
                if not 1 <= k <= len(item.citation_ids):
                    raise ValueError(
                        "draft item {}: marker [{}] points at no citation (the item has {}); "
                        "remove or correct it".format(i, k, len(item.citation_ids))
                    )
                pieces += [unescape(line[pos : match.start()]), number(item.citation_ids[k - 1])]
                cited.add(item.citation_ids[k - 1])
                pos = match.end()
            pieces.append(unescape(line[pos:]))
            lines.append(tuple(p for p in pieces if p != ""))
        out.append(Paragraph(kind, tuple(lines)))
    missing = [pid for pid in item.passage_ids if pid not in cited and pid not in merged_away]
    if missing and not out:
        out.append(Paragraph("text", ((),)))
    for passage_id in missing:
        last = out[-1]
        out[-1] = Paragraph(last.kind, last.lines[:-1] + (last.lines[-1] + (" ", number(passage_id)),))
    return out


def _reference(source: MemoSource, n: int, passage: Passage, quotes: list[Quote] | None) -> Reference:
    info = source.document(passage.source)
    pages = _quoted_pages(source, passage.id, quotes) if quotes else None
    if pages is None:
        where = source.locate(passage)
        pages = PageSpan(where.page_start, where.page_end, where.page_estimated) if where.page_start else None
    changed = isinstance(source, Remembering) and passage.id in source.changed
    return Reference(
        n, passage, info.get("title") or passage.source, info.get("publisher"), info.get("year"), pages, changed
    )


def _quoted_pages(source: MemoSource, passage_id: str, quotes: list[Quote]) -> PageSpan | None:
    starts = {q.start for q in quotes}
    pages = [(s.page, s.page_estimated) for s in source.sentences(passage_id) if s.start in starts and s.page is not None]
    if not pages:
        return None
    return PageSpan(min(p for p, _ in pages), max(p for p, _ in pages), any(e for _, e in pages))
