"""The drafting workspace ("Utkast") of the web app: pure functions over ``list[DraftItem]``.

Each handler takes the current draft and returns a new list, so the page's per-session state
is never mutated in place. Rendering to Markdown and DOCX is ``rag.product.memo``'s job; this module
only adds labels for the item list and writes export files to a fresh folder per export.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, Sequence

from rag.product.memo import DEFAULT_TITLE, DraftItem, PassageLookup, draft_docx, draft_markdown, move

LABEL_CHARS = 90


def item_label(i: int, item: DraftItem) -> str:
    kind = "Svar" if item.citation_ids else "Avsnitt"
    text = " ".join(item.text.split())
    if len(text) > LABEL_CHARS:
        text = text[:LABEL_CHARS].rsplit(" ", 1)[0] + " …"
    return "{}. {}: {}".format(i + 1, kind, text)


def choices(items: Sequence[DraftItem]) -> list[tuple[str, int]]:
    return [(item_label(i, item), i) for i, item in enumerate(items)]


def pin_passages(items: Sequence[DraftItem], service: PassageLookup, passage_ids: Sequence[str]) -> list[DraftItem]:
    """The draft with each passage appended once (a passage already pinned on its own is skipped)."""
    out = list(items)
    pinned = {item.passage_ids for item in out if not item.citation_ids}
    for pid in passage_ids:
        if (pid,) in pinned:
            continue
        out.append(DraftItem.from_passage(service.passage(pid)))
        pinned.add((pid,))
    return out


def pin_answer(items: Sequence[DraftItem], answer: Any) -> list[DraftItem]:
    return list(items) + [DraftItem.from_answer(answer)]


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
    out = list(items)
    old = out[index]
    out[index] = DraftItem(text=text.strip(), passage_ids=old.passage_ids, note=(note or "").strip(), citation_ids=old.citation_ids)
    return out


def file_stem(title: str) -> str:
    """A safe file name from the memo title: ASCII letters, digits and dashes."""
    folded = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-").lower()
    return stem[:60] or "utkast"


def export(items: Sequence[DraftItem], service: PassageLookup, title: str) -> tuple[Path, Path]:
    """Write the memo as Markdown and DOCX into a new temporary folder; returns both paths."""
    if not items:
        raise ValueError("the draft is empty; pin passages or answers first")
    title = (title or "").strip() or DEFAULT_TITLE
    folder = Path(tempfile.mkdtemp(prefix="utkast-"))
    md_path = folder / (file_stem(title) + ".md")
    md_path.write_text(draft_markdown(items, service, title), encoding="utf-8")
    docx_path = draft_docx(items, service, folder / (file_stem(title) + ".docx"), title)
    return md_path, docx_path
