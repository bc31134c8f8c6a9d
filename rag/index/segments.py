"""Large files in pieces, so that ingest memory stays bounded whatever a file's size.

Repair and chunking keep a few dozen bytes per character of the text they work on (the offset
map, the per-character source index), so a 50 MB file once peaked at 4 GB. A file is therefore
repaired and chunked one segment at a time: a text file larger than ``SEGMENT_CHARS`` is read and
decoded as a stream and cut at blank lines, a PDF is cut between pages. Each segment is chunked
as a document of its own, and its passages are moved back to their place in the whole file:
spans shifted by the segment's offset, ordinals continued, ids counted over the whole file, and
passages before the segment's first heading kept in the section the previous segment ended in.
A file of one segment (the report is 150,000 characters) is chunked exactly as before; at a cut,
a paragraph broken across a page break is not mended and a heading's chapter number is not
checked against the one before.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from rag.index.chunking import SentenceSpan, build_passages, passage_id
from rag.index.loaders import _first_line, load_document, source_name
from rag.types import Document, Page, Passage

SEGMENT_CHARS = 1_000_000
# A block this long ending like a sentence is a finished paragraph (the chunker's prose test).
_PARAGRAPH_CHARS = 40
_SENTENCE_END = ".!?…:;\"”»)"
_READ_BYTES = 1 << 20


@dataclass(frozen=True)
class Segment:
    """A piece of a document: its text starts at ``offset`` in the whole document's text, and its
    pages (real page numbers) have spans within the piece."""

    offset: int
    doc: Document


def segments(path: Path, corpus_dir: Path | None, digest: str, max_chars: int = SEGMENT_CHARS) -> Iterator[Segment]:
    """The segments of the file at ``path`` in order; LoaderError as ``load_document`` gives it,
    raised before the first segment for anything found by reading the file."""
    path = Path(path)
    if path.suffix.lower() == ".pdf" or path.stat().st_size <= max_chars or not _streamable(path):
        yield from split_document(load_document(path, corpus_dir), max_chars)
        return
    resolved = path.resolve()
    title = None
    offset = 0
    for piece in _text_pieces(path, max_chars):
        title = title or _first_line(piece)
        yield Segment(offset, Document(source_name(resolved, corpus_dir), str(resolved), piece, digest, (), title))
        offset += len(piece)


def split_document(doc: Document, max_chars: int = SEGMENT_CHARS) -> Iterator[Segment]:
    """A loaded document as segments: cut between pages (PDF) or at blank lines (text)."""
    if len(doc.text) <= max_chars:
        yield Segment(0, doc)
        return
    if doc.pages:
        yield from _page_groups(doc, max_chars)
        return
    offset = 0
    for piece in _cut(doc.text, max_chars, final=True):
        yield Segment(offset, dataclasses.replace(doc, text=piece))
        offset += len(piece)


def _page_groups(doc: Document, max_chars: int) -> Iterator[Segment]:
    group: list[Page] = []
    for page in doc.pages:
        if group and page.end - group[0].start > max_chars:
            yield _page_segment(doc, group)
            group = []
        group.append(page)
    if group:
        yield _page_segment(doc, group)


def _page_segment(doc: Document, group: list[Page]) -> Segment:
    start = group[0].start
    pages = tuple(Page(p.number, p.start - start, p.end - start) for p in group)
    return Segment(start, dataclasses.replace(doc, text=doc.text[start : group[-1].end], pages=pages))


def _streamable(path: Path) -> bool:
    """Whether a large text file is UTF-8 without NUL bytes (read once, in blocks, nothing kept);
    anything else is loaded whole by ``load_document``, which decodes or refuses it by name."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        while block := fh.read(_READ_BYTES):
            if b"\0" in block:
                return False
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text_pieces(path: Path, max_chars: int) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()  # a leading BOM is dropped, as the loader does
    buffer = ""
    with open(path, "rb") as fh:
        while block := fh.read(_READ_BYTES):
            buffer += decoder.decode(block)
            pieces = list(_cut(buffer, max_chars, final=False))
            buffer = buffer[sum(len(p) for p in pieces) :]
            yield from pieces
    buffer += decoder.decode(b"", final=True)
    yield from _cut(buffer, max_chars, final=True)


def _cut(text: str, max_chars: int, final: bool) -> Iterator[str]:
    """Pieces of at most ``max_chars`` characters, each ending after a line break that comes
    before a blank line where there is one, else after any line break; the rest stays unless
    ``final``."""
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = _cut_point(window)
        end = start + (cut + 1 if cut >= 0 else max_chars)
        yield text[start:end]
        start = end
    if final and start < len(text):
        yield text[start:]


def _cut_point(window: str, look_back: int = 50) -> int:
    """Where to cut ``window``: the line break before the last blank line that follows a finished
    paragraph, so that no heading is left without the text it heads and no paragraph is cut
    mid-sentence; else before the last blank line; else at the last line break; -1 for none."""
    end = len(window)
    for _ in range(look_back):
        cut = _last_blank_line(window, end)
        if cut < 0:
            break
        block = window[_last_blank_line(window, cut) + 1 : cut + 1].strip()
        if len(block) >= _PARAGRAPH_CHARS and block[-1] in _SENTENCE_END:
            return cut
        end = cut
    cut = _last_blank_line(window, len(window))
    return cut if cut >= 0 else window.rfind("\n")


def _last_blank_line(text: str, end: int) -> int:
    return max(text.rfind("\n\n", 0, end), text.rfind("\n\r\n", 0, end))


@dataclass
class FilePassages:
    """Passages of one file, segment by segment, placed in the whole file (see the module doc)."""

    max_chars: int
    passages: int = 0
    title: str | None = None
    _section: str | None = None
    _seen: dict[bytes, int] = field(default_factory=dict)

    def place(self, segment: Segment) -> tuple[list[Passage], list[SentenceSpan]]:
        passages, sentences = build_passages(segment.doc, self.max_chars)
        self.title = self.title or segment.doc.title
        root = segment.doc.title or segment.doc.source
        leading = segment.offset > 0 and self._section is not None
        new_ids: dict[str, str] = {}
        placed = []
        for p in passages:
            section = self._section if leading and p.section == root else p.section
            leading = leading and p.section == root
            key = hashlib.sha1("\x1f".join((section, p.text)).encode("utf-8", "surrogatepass")).digest()
            ordinal = self._seen.get(key, 0)
            self._seen[key] = ordinal + 1
            new_ids[p.id] = passage_id(p.source, section, p.text, ordinal)
            placed.append(
                dataclasses.replace(
                    p,
                    id=new_ids[p.id],
                    section=section,
                    start=p.start + segment.offset,
                    end=p.end + segment.offset,
                    ordinal=self.passages + p.ordinal,
                )
            )
        if placed:
            self._section = placed[-1].section
        self.passages += len(placed)
        shifted = [
            dataclasses.replace(
                s, passage_id=new_ids[s.passage_id], start=s.start + segment.offset, end=s.end + segment.offset
            )
            for s in sentences
        ]
        return placed, shifted

