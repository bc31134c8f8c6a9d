"""The strategist's draft ("Utkast"): pinned answers and passages, editable, in draft order.

An item's ``text`` is what the user edits, in the small Markdown-like form the preview shows:

* paragraphs are separated by a blank line;
* a paragraph whose lines start with "> " is a quotation from the source;
* a paragraph "### …" is a part heading inside an answer ("Rapportens råd");
* ``[k]`` markers cite ``citation_ids[k-1]``. Without ``citation_ids`` the text is taken
  literally, so text containing "[3]" is not misread as citing anything. A bracketed number
  quoted from a source is written ``\\[3]`` (``rag.markers.literal``): it is the source's text,
  never a marker, and the memo shows it as "[3]".

``passage_ids`` are the passages an item cites as a whole: one the text does not cite gets a
marker after the item, since losing a source from a memo is worse than citing one too many.
``quotes`` are the source sentences the item quotes (their spans identify them), which lets
the memo show a sentence pinned twice (an answer and its passage) once (``rag.product.memo_layout``).

A pinned answer carries its question as ``heading``; a pinned passage its section. Pinning a
passage quotes the cited sentences, with "…" where text between them is left out, unless the
whole passage is asked for.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Iterable, Protocol, Sequence

from rag.markers import literal, unescape
from rag.product.viewer import SourceLocation
from rag.types import Answer, Passage

DEFAULT_TITLE = "Utkast"
QUOTE_PREFIX = "> "
PART_PREFIX = "### "
ELLIPSIS = "…"
BULLET = "•"

# (passage id, starts of sentences quoted from it in order) -> per sentence: is text left out before it
Gaps = Callable[[str, Sequence[int]], Sequence[bool]]


@dataclass(frozen=True)
class Quote:
    """One source sentence quoted in a draft item: the passage it is from and its source span."""

    passage_id: str
    start: int
    end: int
    text: str


@dataclass
class DraftItem:
    """One piece of the draft: a pinned answer ("answer") or passage ("passage"), editable."""

    text: str
    passage_ids: tuple[str, ...]
    note: str = ""
    citation_ids: tuple[str, ...] = ()
    heading: str = ""
    kind: str = "passage"
    quotes: tuple[Quote, ...] = field(default_factory=tuple)
    # Per cited passage id, what its reference needs (``remembered``), so a re-ingest that drops
    # the passage marks the source as changed instead of breaking the memo.
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_passage(
        cls, passage: Passage, sentences: Sequence[Any] = (), gaps: Sequence[bool] = (), note: str = "",
        whole: bool = False,
    ) -> "DraftItem":
        """The passage quoted: ``sentences`` (with ``text``/``start``/``end``, in order) with "…"
        before each one where ``gaps`` says text is left out; ``whole``, or without sentences, the
        whole passage text, one quotation per paragraph (``sentences`` then name all of them)."""
        if sentences and not whole:
            paragraphs = [quote_paragraph([literal(s.text) for s in sentences], gaps)]
        else:
            paragraphs = [literal(p) for p in passage.text.split("\n\n") if p.strip()]
        return cls(
            text="\n\n".join(quoted(p) + " [1]" for p in paragraphs),
            passage_ids=(passage.id,),
            note=note,
            citation_ids=(passage.id,),
            heading=passage.section.split(" › ")[-1],
            kind="passage",
            quotes=tuple(Quote(passage.id, s.start, s.end, s.text) for s in sentences),
        )

    @classmethod
    def from_answer(cls, answer: Answer | dict, note: str = "", gaps: Gaps | None = None) -> "DraftItem":
        """The answer under its question (a follow-up under the question as understood): its lead,
        its parts with their headings, and each run of quoted sentences as a quotation with the
        answer's own ``[n]`` markers. A generated answer is the model's text, not a quotation.
        ``gaps`` says where text is left out between quoted sentences of one passage."""
        # The JSON form has no lead of its own (it opens the answer text); the object has.
        lead = answer.lead if isinstance(answer, Answer) else answer.get("lead", "")
        data = answer.to_dict() if isinstance(answer, Answer) else answer
        by_n = {c["n"]: c["passage_id"] for c in data.get("citations", [])}
        citation_ids = tuple(by_n[n] for n in range(1, len(by_n) + 1) if n in by_n)
        sentences = data.get("sentences") or []
        extractive = data.get("mode", "extractive") == "extractive"
        paragraphs = [literal(lead)] if lead else []
        quotes: list[Quote] = []
        for part in data.get("parts") or [{"heading": None, "items": [list(range(len(sentences)))]}]:
            if part.get("heading"):
                paragraphs.append(PART_PREFIX + literal(part["heading"]))
            for item in part["items"]:
                picked = [sentences[i] for i in item]
                if not extractive:
                    paragraphs.append(" ".join(_with_markers(s["text"], s["citations"]) for s in picked))
                    continue
                paragraphs.append(quoted(_runs(picked, by_n, gaps)))
                quotes += [
                    Quote(by_n[s["citations"][0]], s["start"], s["end"], s["text"])
                    for s in picked
                    if s.get("start") is not None and s["citations"] and s["citations"][0] in by_n
                ]
        return cls(
            text="\n\n".join(p for p in paragraphs if p) if sentences else data.get("answer", ""),
            passage_ids=tuple(dict.fromkeys(citation_ids)),
            note=note,
            citation_ids=citation_ids,
            heading=data.get("standalone_question") or data.get("question") or "",
            kind="answer",
            quotes=tuple(quotes),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["quotes"] = [asdict(q) for q in self.quotes]
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DraftItem":
        return cls(
            text=str(data["text"]),
            passage_ids=tuple(data.get("passage_ids") or ()),
            note=str(data.get("note") or ""),
            citation_ids=tuple(data.get("citation_ids") or ()),
            heading=str(data.get("heading") or ""),
            kind=str(data.get("kind") or "passage"),
            quotes=tuple(Quote(**q) for q in data.get("quotes") or ()),
            sources=dict(data.get("sources") or {}),
        )


def _with_markers(text: str, citations: Iterable[int]) -> str:
    text = literal(text)
    return text + "".join(" [{}]".format(n) for n in citations)


def _runs(sentences: list[dict], by_n: dict[int, str], gaps: Gaps | None) -> str:
    """Runs of consecutive sentences citing the same passages, each with its markers once at
    its end (as the answer shows them)."""
    runs: list[list[dict]] = []
    for s in sentences:
        if runs and runs[-1][0]["citations"] == s["citations"]:
            runs[-1].append(s)
        else:
            runs.append([s])
    out = ""
    for run in runs:
        left_out: Sequence[bool] = ()
        passage_id = by_n.get(run[0]["citations"][0]) if run[0]["citations"] else None
        if gaps and passage_id and all(s.get("start") is not None for s in run):
            left_out = gaps(passage_id, [s["start"] for s in run])
        stretch = _with_markers(quote_paragraph([s["text"] for s in run], left_out), run[0]["citations"])
        out += ("\n" if stretch.startswith(BULLET) else " ") + stretch if out else stretch
    return out


def quote_paragraph(texts: Sequence[str], gaps: Sequence[bool] = ()) -> str:
    """Sentences quoted together: "…" where text is left out between two of them; a list item of
    the report keeps its own line."""
    out = ""
    for i, text in enumerate(texts):
        if i and text.startswith(BULLET):
            out += "\n" + text
        elif i:
            out += (" " + ELLIPSIS + " " if i < len(gaps) and gaps[i] else " ") + text
        else:
            out = text
    return out


def quoted(paragraph: str) -> str:
    return "\n".join(QUOTE_PREFIX + line for line in paragraph.split("\n"))


def move(items: Sequence[DraftItem], index: int, delta: int) -> list[DraftItem]:
    """A new list with ``items[index]`` moved ``delta`` places (clamped at both ends)."""
    if not 0 <= index < len(items):
        raise IndexError("draft has {} items; there is no item {}".format(len(items), index))
    out = list(items)
    item = out.pop(index)
    out.insert(min(max(index + delta, 0), len(out)), item)
    return out


class MemoSource(Protocol):
    """What the memo reads from the index: passages, their sentences (source spans and pages),
    where a passage is, and how the corpus manifest describes a file (title, publisher, year).
    A ``RagService`` or ``rag.product.viewer.IndexedPassages``."""

    def passage(self, passage_id: str) -> Passage: ...

    def sentences(self, passage_id: str) -> list[Any]: ...

    def locate(self, passage: Passage) -> SourceLocation: ...

    def document(self, source: str) -> dict[str, Any]: ...


def passage_gaps(source: MemoSource) -> Gaps:
    """``Gaps`` of an index: text is left out before a quoted sentence when a sentence of the same
    passage lies between it and the one quoted before it."""

    def gaps(passage_id: str, starts: Sequence[int]) -> list[bool]:
        order = {s.start: i for i, s in enumerate(source.sentences(passage_id))}
        places = [order.get(start) for start in starts]
        return [False] + [a is None or b is None or b != a + 1 for a, b in zip(places, places[1:])]

    return gaps


def remembered(item: DraftItem, source: MemoSource) -> DraftItem:
    """``item`` with what the references to its passages need kept beside it: each passage, how
    the manifest describes its file, where it is and the pages of the quoted sentences."""
    keep: dict[str, dict[str, Any]] = {}
    for pid in dict.fromkeys(item.citation_ids + item.passage_ids):
        passage = source.passage(pid)
        where = source.locate(passage)
        starts = {q.start for q in item.quotes if q.passage_id == pid}
        keep[pid] = {
            "passage": asdict(passage),
            "document": dict(source.document(passage.source)),
            "location": asdict(where),
            "sentences": [[s.start, s.page, s.page_estimated] for s in source.sentences(pid) if s.start in starts],
        }
    return replace(item, sources=keep)


def passage_item(source: MemoSource, passage_id: str, highlight: Sequence[tuple[int, int]] = (), note: str = "") -> DraftItem:
    """A draft item quoting passage ``passage_id``: the sentences overlapping the source spans in
    ``highlight`` (an answer's cited sentences), or the whole passage when none is given or none
    overlaps. KeyError naming an id the index does not hold."""
    passage = source.passage(passage_id)
    sentences = source.sentences(passage_id)
    cited = [s for s in sentences if any(s.start < int(b) and int(a) < s.end for a, b in highlight)]
    if not cited:
        return DraftItem.from_passage(passage, sentences, note=note, whole=True)
    gaps = passage_gaps(source)(passage_id, [s.start for s in cited])
    return DraftItem.from_passage(passage, cited, gaps, note=note)


# A marker of the draft, not a bracketed number of the source's own text (escaped, ``rag.markers``).
_QUOTE_MARKERS = re.compile(r"\s*(?<!\\)\[\d+\]")


def _normal(text: str) -> str:
    return " ".join(text.split())


def altered_quotes(items: Sequence[DraftItem], source: MemoSource) -> list[str]:
    """The quoted words ("> " lines) of the draft that are not found word for word in the passages
    their item cites: what a user changed inside a quotation. Empty when every quote is the report's."""
    out = []
    for item in items:
        texts = [_normal(source.passage(pid).text) for pid in dict.fromkeys(item.passage_ids + item.citation_ids)]
        for line in item.text.split("\n"):
            if not line.startswith(QUOTE_PREFIX.strip()):
                continue
            for fragment in _QUOTE_MARKERS.sub("", line[1:]).split(ELLIPSIS):
                fragment = _normal(unescape(fragment.strip().lstrip(BULLET)))
                if fragment and not any(fragment in text for text in texts):
                    out.append(fragment)
    return out
