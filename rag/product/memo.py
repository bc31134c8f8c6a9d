"""The strategist's draft ("Utkast"): pinned passages and answers, exported as a memo with
numbered references that can go into a tjänsteskrivelse.

How references work:

* ``DraftItem.passage_ids`` are the passages an item cites as a whole. A marker ``[n]`` is
  appended after the item's text for each of them that the text does not already cite.
* ``DraftItem.citation_ids`` give meaning to ``[k]`` markers inside the text: marker ``[k]``
  cites ``citation_ids[k-1]``. A pinned answer keeps its own markers this way (its citation
  ``n`` is ``citation_ids[n-1]``). Without ``citation_ids`` the text is taken literally, so a
  pinned passage whose text happens to contain "[3]" is not misread as citing anything.
* In the memo every distinct passage gets one number, in order of first use over the items in
  draft order; all markers are rewritten to those numbers, and a "Referenser" list names for
  each: report title, section path, page of the report (``rag.locations``; "ca s. N" when
  estimated, none for a text without pages) and source file.

A passage stays cited even if an edit removes its marker from an answer's text: losing a
source from a memo is worse than citing one too many. A marker that points at no citation
(say "[7]" typed into an answer with three) is an error naming the item, never a guess.

Reordering and editing are plain list operations on ``list[DraftItem]``; ``move`` helps.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from rag.locations import citation_label
from rag.types import Answer, PageSpan, Passage
from rag.product.viewer import SourceLocation

DEFAULT_TITLE = "Utkast"
REFERENCES = "Referenser"
NOTE_LABEL = "Anteckning"



class PassageLookup(Protocol):
    """Where the memo gets its passages and their locations: a ``RagService`` or
    ``rag.product.viewer.IndexedPassages``."""

    def passage(self, passage_id: str) -> Passage: ...

    def locate(self, passage: Passage) -> SourceLocation: ...

    def title(self, source: str) -> str | None: ...


_MARKER = re.compile(r"\[(\d+)\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


@dataclass
class DraftItem:
    """One piece of the draft: a pinned passage or a pinned answer, editable."""

    text: str
    passage_ids: tuple[str, ...]
    note: str = ""
    citation_ids: tuple[str, ...] = ()

    @classmethod
    def from_passage(cls, passage: Passage, note: str = "") -> "DraftItem":
        return cls(text=passage.text, passage_ids=(passage.id,), note=note)

    @classmethod
    def from_answer(cls, answer: Answer | dict, note: str = "") -> "DraftItem":
        """The answer's sentences with their own ``[n]`` markers (an abstention keeps its lead)."""
        data = answer.to_dict() if isinstance(answer, Answer) else answer
        by_n = {c["n"]: c["passage_id"] for c in data.get("citations", [])}
        citation_ids = tuple(by_n[n] for n in range(1, len(by_n) + 1) if n in by_n)
        sentences = data.get("sentences") or []
        text = " ".join(s["text"] + "".join(" [{}]".format(n) for n in s["citations"]) for s in sentences)
        return cls(
            text=text or data.get("answer", ""),
            passage_ids=tuple(dict.fromkeys(citation_ids)),
            note=note,
            citation_ids=citation_ids,
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DraftItem":
        return cls(
            text=str(data["text"]),
            passage_ids=tuple(data.get("passage_ids") or ()),
            note=str(data.get("note") or ""),
            citation_ids=tuple(data.get("citation_ids") or ()),
        )


@dataclass(frozen=True)
class Reference:
    n: int
    passage: Passage
    title: str | None
    pages: PageSpan | None

    @property
    def text(self) -> str:
        where = "{} ({})".format(citation_label(self.passage.section, self.pages), self.passage.source)
        return "{} – {}".format(self.title, where) if self.title else where


Piece = str | int  # literal text, or a memo reference number


def move(items: Sequence[DraftItem], index: int, delta: int) -> list[DraftItem]:
    """A new list with ``items[index]`` moved ``delta`` places (clamped at both ends)."""
    if not 0 <= index < len(items):
        raise IndexError("draft has {} items; there is no item {}".format(len(items), index))
    out = list(items)
    item = out.pop(index)
    out.insert(min(max(index + delta, 0), len(out)), item)
    return out


def resolve(items: Iterable[DraftItem], passages: PassageLookup) -> tuple[list[list[Piece]], list[Reference]]:
    """Each item as text pieces and memo reference numbers, plus the references in number order.
    Unknown passage ids raise KeyError naming them."""
    numbers: dict[str, int] = {}
    references: list[Reference] = []

    def number(passage_id: str) -> int:
        if passage_id not in numbers:
            passage = passages.passage(passage_id)
            numbers[passage_id] = len(numbers) + 1
            where = passages.locate(passage)
            pages = PageSpan(where.page_start, where.page_end, where.page_estimated) if where.page_start else None
            references.append(Reference(numbers[passage_id], passage, passages.title(passage.source), pages))
        return numbers[passage_id]

    rendered: list[list[Piece]] = []
    for i, item in enumerate(items, 1):
        pieces: list[Piece] = []
        cited: set[str] = set()
        pos = 0
        for match in _MARKER.finditer(item.text) if item.citation_ids else ():
            k = int(match.group(1))
            if not 1 <= k <= len(item.citation_ids):
                raise ValueError(
                    "draft item {}: marker [{}] points at no citation (the item has {}); "
                    "remove or correct it".format(i, k, len(item.citation_ids))
                )
            pieces.append(item.text[pos : match.start()])
            pieces.append(number(item.citation_ids[k - 1]))
            cited.add(item.citation_ids[k - 1])
            pos = match.end()
        pieces.append(item.text[pos:])
        for passage_id in item.passage_ids:
            if passage_id not in cited:
                pieces.extend([" ", number(passage_id)])
                cited.add(passage_id)
        rendered.append([p for p in pieces if p != ""])
    return rendered, references


def _md(text: str) -> str:
    """Corpus and user text taken literally: Markdown and HTML syntax in it is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def draft_markdown(items: Sequence[DraftItem], passages: PassageLookup, title: str = DEFAULT_TITLE) -> str:
    """The draft as a Markdown memo with numbered references."""
    rendered, references = resolve(items, passages)
    blocks = ["# " + _md(title)]
    for item, pieces in zip(items, rendered):
        blocks.append("".join(_md(p) if isinstance(p, str) else "[{}]".format(p) for p in pieces).strip())
        if item.note.strip():
            blocks.append("*{}:* {}".format(NOTE_LABEL, _md(item.note.strip())))
    if references:
        blocks.append("## " + REFERENCES)
        blocks.append("\n".join("- [{}] {}".format(r.n, _md(r.text)) for r in references))
    return "\n\n".join(blocks) + "\n"


def _docx_text(text: str) -> str:
    # Word files cannot hold control characters other than tab and newline.
    return "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) != "Cc")


def draft_docx(items: Sequence[DraftItem], passages: PassageLookup, path: Path, title: str = DEFAULT_TITLE) -> Path:
    """Write the draft as a Word memo to ``path`` (parent folders are created) and return it."""
    from docx import Document as WordDocument

    rendered, references = resolve(items, passages)
    doc = WordDocument()
    doc.add_heading(_docx_text(title), level=1)
    for item, pieces in zip(items, rendered):
        text = "".join(p if isinstance(p, str) else "[{}]".format(p) for p in pieces).strip()
        doc.add_paragraph(_docx_text(text))
        if item.note.strip():
            note = doc.add_paragraph()
            note.add_run(NOTE_LABEL + ": ").italic = True
            note.add_run(_docx_text(item.note.strip()))
    if references:
        doc.add_heading(REFERENCES, level=2)
        for r in references:
            doc.add_paragraph(_docx_text("[{}] {}".format(r.n, r.text)))
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(path))
    except OSError as exc:
        raise ValueError("cannot write the memo to {}: {}; choose another file".format(path, exc.strerror or exc)) from None
    return path
