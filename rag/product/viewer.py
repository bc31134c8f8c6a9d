"""A cited passage in its context: neighbouring text, highlighted sentences and where it is.

The web app shows this when a user clicks an ``[n]`` marker or a source card, and the memo
export uses the same location labels. Locations are computed from the source file itself,
read once through the system's own loader (so offsets agree with the index) and cached:

* the page label of ``rag.locations`` ("s. 21", "ca s. 5", "s. 12–13"): PDF pages, or the
  pages of the published report derived from an OCR text's printed page numbers;
* text files also get ``line_start``/``line_end`` (1-based lines of the passage's first and
  last source character) for programs, never in the label a person reads;
* a source file that is gone or changed since it was indexed cannot give trustworthy line
  numbers: the label falls back to the pages stored with the passage and a warning is logged.

``IndexedPassages`` answers these questions for one index generation and corpus folder; the
``RagService`` offers the same through its own methods.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from rag.index.loaders import LoaderError, load_document
from rag.lexical import detect_lang
from rag.locations import page_label, shown_title
from rag.types import Document, Passage

log = logging.getLogger(__name__)

PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class PassageView:
    """What the passage viewer shows.

    ``before``/``after`` are the paragraph of repaired text right before and after the passage
    in the same section ("" at a section's edge). ``highlights`` are ``(start, end)`` ranges
    inside ``passage.text``. ``line_start``/``line_end`` are 1-based source lines (text files).
    """

    passage: Passage
    before: str
    after: str
    highlights: tuple[tuple[int, int], ...]
    location: str
    line_start: int | None
    line_end: int | None
    title: str | None


@dataclass(frozen=True)
class SourceLocation:
    label: str
    line_start: int | None = None
    line_end: int | None = None
    page_start: int | None = None
    page_end: int | None = None
    page_estimated: bool = False


@dataclass(frozen=True)
class IndexedPassages:
    """Passages of one index generation, with the corpus folder relative source paths are read from."""

    generation: Any
    corpus_dir: Path | None = None

    def passage(self, passage_id: str) -> Passage:
        return get_passage(self.generation, passage_id)

    def locate(self, passage: Passage) -> "SourceLocation":
        return locate(self.generation, passage, self.corpus_dir)

    def title(self, source: str) -> str | None:
        return report_title(self.generation, source)

    def sentences(self, passage_id: str) -> list:
        return [self.generation.sentences[row] for row in self.generation.sentences_of.get(passage_id, [])]

    def document(self, source: str) -> dict:
        """The index's entry for ``source``, its title as a reader sees it (``shown_title``)."""
        files = self.generation.manifest.files
        return {**(files.get(source) or {}), "title": shown_title(files, source)} if source in files else {}

    def view(self, passage_id: str, highlight: Sequence[tuple[int, int]] = ()) -> "PassageView":
        return passage_view(self.generation, passage_id, highlight, self.corpus_dir)


def get_passage(generation: Any, passage_id: str) -> Passage:
    try:
        return generation.by_id[passage_id]
    except KeyError:
        raise KeyError(
            "unknown passage id {!r}: not in the current index (it may come from an older index; "
            "search again)".format(passage_id)
        ) from None


def source_path(generation: Any, source: str, corpus_dir: Path | None = None) -> Path:
    """The file a source name was indexed from; a relative path is taken relative to the corpus."""
    info = generation.manifest.files.get(source) or {}
    path = Path(info.get("path") or source)
    if not path.is_absolute() and corpus_dir is not None:
        path = Path(corpus_dir) / path
    return path


def source_document(generation: Any, source: str, corpus_dir: Path | None = None) -> Document | None:
    """The source file as indexed, or None (logged) when it is missing or has changed since."""
    info = generation.manifest.files.get(source) or {}
    return _load(str(source_path(generation, source, corpus_dir)), info.get("sha256"))


@lru_cache(maxsize=16)
def _load(path: str, sha256: str | None) -> Document | None:
    # Keyed by the hash too: a re-indexed, edited file is read again instead of served stale.
    try:
        doc = load_document(Path(path))
    except LoaderError as exc:
        log.warning("cannot read %s for line numbers: %s", path, exc.reason)
        return None
    if sha256 and doc.sha256 != sha256:
        log.warning("%s changed since it was indexed; showing the stored pages without line numbers", path)
        return None
    return doc


def locate(generation: Any, passage: Passage, corpus_dir: Path | None = None) -> SourceLocation:
    """Where ``passage`` is: its page label for a person, and line numbers for text files."""
    doc = source_document(generation, passage.source, corpus_dir)
    pages = passage.pages if doc is None else doc.page_span(passage.start, passage.end)
    first_page = pages.first if pages else None
    last_page = pages.last if pages else None
    estimated = bool(pages and pages.estimated)
    label = page_label(pages)
    if doc is None or Path(doc.path).suffix.lower() == ".pdf":
        return SourceLocation(label, page_start=first_page, page_end=last_page, page_estimated=estimated)
    first = doc.text.count("\n", 0, passage.start) + 1
    last = doc.text.count("\n", 0, max(passage.start, passage.end - 1)) + 1
    return SourceLocation(label, first, last, first_page, last_page, estimated)


def report_title(generation: Any, source: str) -> str | None:
    return shown_title(generation.manifest.files, source)


def _neighbour(generation: Any, passage: Passage, step: int) -> Passage | None:
    # Ordinals count passages within one source, so the neighbour is ordinal ± 1 when it is
    # in the same section; a passage never continues across a section. Only the source's own
    # rows are read.
    def neighbour(other: Passage) -> bool:
        return (other.source == passage.source and other.ordinal == passage.ordinal + step
                and other.section == passage.section)

    places = generation.places
    if passage.source not in places.sources:
        return None
    rows = np.flatnonzero(places.source_of == places.sources.index(passage.source)).tolist()
    return next((other for other in (generation.passages[row] for row in rows) if neighbour(other)), None)


def sentence_ranges(generation: Any, passage: Passage) -> list[tuple[int, int, int, int]]:
    """(text start, text end, source start, source end) of each sentence of ``passage``."""
    ranges = []
    cursor = 0
    for s in (generation.sentences[row] for row in generation.sentences_of.get(passage.id, [])):
        at = passage.text.find(s.text, cursor)
        if at < 0:
            continue  # cannot happen for an index built by build_passages; never guess a range
        ranges.append((at, at + len(s.text), s.start, s.end))
        cursor = at + len(s.text)
    return ranges


def passage_view(
    generation: Any, passage_id: str, highlight: Sequence[tuple[int, int]] = (), corpus_dir: Path | None = None
) -> PassageView:
    """The passage ``passage_id`` in context, with the sentences whose source spans overlap any
    ``(start, end)`` source span in ``highlight`` marked (answer sentences carry those spans).

    Raises KeyError naming the id when the current index has no such passage.
    """
    passage = get_passage(generation, passage_id)
    spans = [(int(a), int(b)) for a, b in highlight]
    marks = tuple(
        (t0, t1)
        for t0, t1, s0, s1 in sentence_ranges(generation, passage)
        if any(s0 < b and a < s1 for a, b in spans)
    )
    prev, nxt = _neighbour(generation, passage, -1), _neighbour(generation, passage, +1)
    where = locate(generation, passage, corpus_dir)
    return PassageView(
        passage=passage,
        before=prev.text.split(PARAGRAPH_BREAK)[-1] if prev else "",
        after=nxt.text.split(PARAGRAPH_BREAK)[0] if nxt else "",
        highlights=marks,
        location=where.label,
        line_start=where.line_start,
        line_end=where.line_end,
        title=report_title(generation, passage.source),
    )


def _text_html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>\n")


def passage_html(view: PassageView) -> str:
    """Safe HTML of a passage view: every piece of corpus text is escaped, highlights are
    ``<mark>``, context paragraphs are dimmed, the header names report, section and location
    (the document's title, never its file name)."""
    p = view.passage
    body: list[str] = []
    pos = 0
    for start, end in view.highlights:
        body.append(_text_html(p.text[pos:start]))
        body.append('<mark class="cited">{}</mark>'.format(_text_html(p.text[start:end])))
        pos = end
    body.append(_text_html(p.text[pos:]))
    head = [html.escape(part) for part in (view.title, p.section, view.location) if part]
    # The passage's own language, so that a screen reader on an English page reads Swedish as Swedish.
    parts = [
        '<div class="passage-view" data-passage-id="{}" lang="{}">'.format(html.escape(p.id), detect_lang(p.text)),
        '<div class="passage-head">{}</div>'.format(" · ".join(head)),
    ]
    if view.before:
        parts.append('<p class="passage-context">{}</p>'.format(_text_html(view.before)))
    parts.append('<p class="passage-text">{}</p>'.format("".join(body)))
    if view.after:
        parts.append('<p class="passage-context">{}</p>'.format(_text_html(view.after)))
    parts.append("</div>")
    return "\n".join(parts)
