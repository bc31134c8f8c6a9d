"""The drafting workspace ("Utkast") of the web app: pure functions over ``list[DraftItem]``.

Each handler takes the current draft and returns a new list, so the page's per-session state
is never mutated in place. Pinning says what happened: pinned as part n, or already in the
draft (part n), when everything the new item would quote is there already. Rendering to
Markdown and DOCX is ``rag.product.memo_export``'s job; this module adds labels for the item list and
writes export files to a fresh folder per export.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from rag.limits import check_draft_part, check_draft_size, check_memo_title
from rag.markers import unescape
from rag.product.memo import DEFAULT_TITLE, DraftItem, MemoSource, move, passage_gaps, passage_item, remembered
from rag.product.memo_export import draft_docx, draft_markdown

LABEL_CHARS = 90
KIND_LABELS = {"answer": "Svar", "passage": "Avsnitt"}


def _plain(text: str) -> str:
    """An item's text as one line: no quotation marks, part headings or markers."""
    text = re.sub(r"(?m)^(> |### )", "", text)
    return " ".join(unescape(re.sub(r"\s*(?<!\\)\[\d+\]", "", text)).split())


def item_label(item: DraftItem) -> str:
    """ "Svar: Vilka bör vi bjuda in …?" or "Avsnitt: Ett verktyg för prioriteringar – Strategin …".
    No position number: the list's order shows it, and a section's own number is not doubled."""
    kind = KIND_LABELS.get(item.kind, "Avsnitt")
    text = _plain(item.text)
    if item.kind == "answer" and item.heading:
        text = item.heading
    elif item.heading:
        text = item.heading + " – " + text
    if len(text) > LABEL_CHARS:
        text = text[:LABEL_CHARS].rsplit(" ", 1)[0] + " …"
    return "{}: {}".format(kind, text)


def choices(items: Sequence[DraftItem]) -> list[tuple[str, int]]:
    return [(item_label(item), i) for i, item in enumerate(items)]


def holding(items: Sequence[DraftItem], new: DraftItem) -> int | None:
    """The index of the part that already holds what ``new`` would add, or None."""
    for i, item in enumerate(items):
        if item.kind == new.kind and item.heading == new.heading and item.text == new.text:
            return i
    if not new.quotes:
        return None
    where = {(q.passage_id, q.start, q.end): i for i, item in reversed(list(enumerate(items))) for q in item.quotes}
    found = [where.get((q.passage_id, q.start, q.end)) for q in new.quotes]
    return None if None in found else found[0]


def _added(items: Sequence[DraftItem], new: DraftItem, service: MemoSource | None) -> tuple[list[DraftItem], int, str]:
    """(draft, index of the part, message) after pinning ``new`` unless the draft holds it. The new
    part remembers its references (``remembered``); ValueError when the draft is full."""
    at = holding(items, new)
    if at is not None:
        return list(items), at, "Finns redan i utkastet (del {}).".format(at + 1)
    check_draft_size(len(items) + 1)
    out = list(items) + [remembered(new, service) if service is not None else new]
    return out, len(out) - 1, "Fäst i utkastet som del {}.".format(len(out))


def pin_passage(
    items: Sequence[DraftItem], service: MemoSource, passage_id: str, highlight: Sequence[tuple[int, int]] = ()
) -> tuple[list[DraftItem], int, str]:
    """Pin the sentences of a passage that overlap ``highlight`` (the cited ones); without
    ``highlight`` the whole passage."""
    return _added(items, passage_item(service, passage_id, highlight), service)


def pin_passages(items: Sequence[DraftItem], service: MemoSource, passage_ids: Sequence[str]) -> tuple[list[DraftItem], int | None, str]:
    """Pin whole passages (search hits); the message says what was pinned and what was there."""
    out, last, pinned, already = list(items), None, 0, []
    for pid in dict.fromkeys(passage_ids):
        before = len(out)
        out, last, _ = _added(out, passage_item(service, pid), service)
        if len(out) > before:
            pinned += 1
        else:
            already.append(str(last + 1))
    said = []
    if pinned:
        said.append("{} avsnitt fäst{} i utkastet".format(pinned, "" if pinned == 1 else "a"))
    if already:
        said.append("{} fanns redan där (del {})".format(
            "ett avsnitt" if len(already) == 1 else "{} avsnitt".format(len(already)), ", ".join(already)
        ))
    message = "; ".join(said)
    return out, last, message[:1].upper() + message[1:] + "." if message else ""


def pin_answer(items: Sequence[DraftItem], answer: Any, service: MemoSource | None = None) -> tuple[list[DraftItem], int, str]:
    gaps = passage_gaps(service) if service is not None else None
    return _added(items, DraftItem.from_answer(answer, gaps=gaps), service)


def moved(items: Sequence[DraftItem], index: int | None, delta: int) -> tuple[list[DraftItem], int | None]:
    if index is None or not 0 <= index < len(items):
        return list(items), index
    out = move(items, index, delta)
    return out, min(max(index + delta, 0), len(out) - 1)


def deleted(items: Sequence[DraftItem], index: int | None) -> tuple[list[DraftItem], int | None]:
    if index is None or not 0 <= index < len(items):
        return list(items), None
    out = list(items[:index]) + list(items[index + 1 :])
    return out, (min(index, len(out) - 1) if out else None)


def edited(items: Sequence[DraftItem], index: int | None, text: str, note: str) -> list[DraftItem]:
    if index is None or not 0 <= index < len(items):
        raise ValueError("choose the part of the draft to change first")
    if not (text or "").strip():
        raise ValueError("the text of a draft part cannot be empty; delete the part instead")
    check_draft_part(text.strip(), (note or "").strip())
    out = list(items)
    out[index] = replace(out[index], text=text.strip(), note=(note or "").strip())
    return out


def unsaved(items: Sequence[DraftItem], index: int | None, text: str, note: str) -> str:
    """What the export must say is left out: the editor's text when it differs from the saved
    part and cannot be saved (it is saved as typed otherwise); "" when nothing is."""
    if index is None or not 0 <= index < len(items):
        return ""
    item = items[index]
    if ((text or "").strip(), (note or "").strip()) == (item.text, item.note):
        return ""
    try:
        edited(items, index, text, note)
    except ValueError as exc:
        return "Ändringen i del {} kom inte med i exporten: {}.".format(index + 1, exc)
    return "Ändringen i del {} hann inte sparas och kom inte med i exporten; exportera igen.".format(index + 1)


def file_stem(title: str) -> str:
    """A safe file name from the memo title: ASCII letters, digits and dashes."""
    folded = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-").lower()
    return stem[:60] or "utkast"


def restored(items: Sequence[DraftItem], removed: tuple[int, DraftItem] | None) -> tuple[list[DraftItem], int | None]:
    """The draft with the part ``deleted`` took out (its index and the part) back in its place."""
    if not removed:
        return list(items), None
    at, item = removed
    at = min(max(at, 0), len(items))
    return list(items[:at]) + [item] + list(items[at:]), at


def export(items: Sequence[DraftItem], service: Any, title: str, with_notes: bool = False) -> tuple[Path, Path]:
    """Write the memo as Markdown and DOCX into a new temporary folder; returns both paths. The
    parts' notes are private unless ``with_notes``."""
    if not items:
        raise ValueError("the draft is empty; pin passages or answers first")
    title = (title or "").strip() or DEFAULT_TITLE
    check_memo_title(title)
    folder = Path(tempfile.mkdtemp(prefix="utkast-"))
    md_path = folder / (file_stem(title) + ".md")
    md_path.write_text(draft_markdown(items, service, title, with_notes=with_notes), encoding="utf-8")
    docx_path = draft_docx(
        items, service, folder / (file_stem(title) + ".docx"), title, author=service.settings.memo_author,
        with_notes=with_notes,
    )
    return md_path, docx_path
