"""A person's conversation and draft as the web page reads and changes them (``rag.product.work``).

Every call names the owner (``rag.product.web.owner``): what a handler shows or changes is what
that owner has in the store, never what a Gradio session holds, so a session hash sent by
someone else grants nothing.

* **Conversation.** Stored with each turn's time; turns older than the retention
  (``RAG_HISTORY_RETENTION_DAYS``) are not shown and are purged. With retention 0 nothing is
  written: the turns live in the tab's own state (``TabChat``), bound to its owner, and end with
  the page. A change is applied to what is stored now (an answer from another tab is kept).
* **Draft.** Title and parts with a version. A tab writes on the version it shows; when another
  tab or window wrote in between, the write is refused and the newer draft is returned to be
  shown. A tab's own earlier writes never refuse its next one (its events may overtake each
  other's replies). Pins add to whatever is stored now: adding overwrites nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from rag.product.memo import DEFAULT_TITLE, DraftItem
from rag.product.web.render import ChatTurn
from rag.product.work import CHAT, DRAFT, VersionConflict, WorkError, WorkStore, utc_now
from rag.types import Answer, AnswerPart, AnswerSentence, Citation, Decision, Hit, Passage

log = logging.getLogger(__name__)

# A change applied to what is stored now is tried again this often when another tab wrote in between.
CHANGE_ATTEMPTS = 5
PURGE_EVERY = timedelta(hours=1)


def _decision_from(data: dict[str, Any]) -> Decision:
    """The stored answer's decision; a turn stored before answers carried one keeps its outcome."""
    stored = data.get("decision")
    if isinstance(stored, dict):
        return Decision(**{**stored, "unknown_terms": tuple(stored.get("unknown_terms") or ())})
    return Decision(
        outcome=data.get("outcome") or ("decline" if data.get("abstained") else "answer"),
        kind=data.get("decline_kind"),
        evidence=float(data.get("evidence") or 0.0),
        unknown_terms=tuple(data.get("unknown_terms") or ()),
        missing_fact=data.get("missing_fact"),
    )


def _answer_from(data: dict[str, Any]) -> Answer:
    decision = _decision_from(data)
    known = {f.name for f in dataclasses.fields(Answer)}
    data = {k: v for k, v in data.items() if k in known}
    return Answer(
        **{
            **data,
            "sentences": tuple(AnswerSentence(**{**s, "citations": tuple(s["citations"])}) for s in data["sentences"]),
            "citations": tuple(Citation(c["n"], Passage(**c["passage"])) for c in data["citations"]),
            "hits": tuple(Hit(**{**h, "passage": Passage(**h["passage"])}) for h in data["hits"]),
            "parts": tuple(AnswerPart(p["kind"], p["heading"], tuple(tuple(i) for i in p["items"])) for p in data.get("parts") or ()),
            "invalid_citations": tuple(data.get("invalid_citations") or ()),
            "other_documents": tuple(data.get("other_documents") or ()),
            "decision": decision,
        }
    )


def turn_to_dict(turn: ChatTurn) -> dict[str, Any]:
    """What is stored of a turn: everything it shows, without a half-streamed text or a wait."""
    return {
        "id": turn.id,
        "asked_at": turn.asked_at,
        "question": turn.question,
        "scope": turn.scope,
        "answer": dataclasses.asdict(turn.answer) if turn.answer is not None else None,
        "error": turn.error,
        "comment": turn.comment,
        "note": turn.note,
        "suggestions": list(turn.suggestions),
    }


def turn_from_dict(data: dict[str, Any]) -> ChatTurn:
    return ChatTurn(
        question=data["question"],
        scope=data.get("scope"),
        answer=_answer_from(data["answer"]) if data.get("answer") else None,
        error=data.get("error"),
        comment=data.get("comment") or "",
        note=data.get("note") or "",
        suggestions=tuple(data.get("suggestions") or ()),
        id=data["id"],
        asked_at=data.get("asked_at") or "",
    )


@dataclass
class TabChat:
    """The conversation as one tab shows it, bound to its owner: all there is with retention 0,
    and what the tab falls back on while the store cannot be reached (``unsaved``: it holds turns
    the store has not got yet, which the next write that reaches the store adds)."""

    owner: str
    turns: list[ChatTurn] = field(default_factory=list)
    unsaved: bool = False


class Conversations:
    def __init__(self, store: WorkStore, retention_days: int, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.retention_days = retention_days
        self._clock = clock
        self._purged_at: datetime | None = None

    @property
    def stored(self) -> bool:
        return self.retention_days > 0

    def _cutoff(self) -> datetime:
        return self._clock() - timedelta(days=self.retention_days)

    def _current(self, owner: str) -> tuple[list[ChatTurn], int]:
        stored = self.store.load(owner, CHAT)
        cutoff = self._cutoff().isoformat()
        turns = [turn_from_dict(t) for t in stored.data.get("turns") or () if (t.get("asked_at") or "") >= cutoff]
        return turns, stored.version

    def turns(self, owner: str, tab: TabChat | None) -> list[ChatTurn]:
        """``owner``'s conversation, oldest turn first. A tab's own state counts only for its owner;
        WorkError when the store cannot be read and the tab has nothing of this owner."""
        mine = tab if tab is not None and tab.owner == owner else None
        if not self.stored or (mine is not None and mine.unsaved):
            return list(mine.turns) if mine is not None else []
        try:
            self.purge()
            return self._current(owner)[0]
        except WorkError as exc:
            if mine is None:
                raise
            log.warning("conversation read from the tab, the store cannot be read: %s", exc)
            return list(mine.turns)

    def change(
        self, owner: str, tab: TabChat | None, change: Callable[[list[ChatTurn]], list[ChatTurn]]
    ) -> tuple[list[ChatTurn], TabChat, str]:
        """(the conversation after ``change``, applied to what is stored now; the tab's new state;
        why it could not be stored, or ""). A conversation that cannot be stored is kept in the tab."""
        mine = tab if tab is not None and tab.owner == owner else None
        if self.stored:
            try:
                changed = self._store_change(owner, change, mine)
                return changed, TabChat(owner, changed), ""
            except WorkError as exc:
                log.warning("conversation kept in the tab, not stored: %s", exc)
                changed = change(list(mine.turns) if mine is not None else [])
                return changed, TabChat(owner, changed, unsaved=True), str(exc)
        changed = change(list(mine.turns) if mine is not None else [])
        return changed, TabChat(owner, changed), ""

    def _store_change(self, owner: str, change, mine: TabChat | None) -> list[ChatTurn]:
        for _ in range(CHANGE_ATTEMPTS):
            turns, version = self._current(owner)
            if mine is not None and mine.unsaved:
                known = {t.id for t in turns}
                turns += [t for t in mine.turns if t.id not in known]
            changed = change(turns)
            now = self._clock().isoformat()
            for turn in changed:
                turn.asked_at = turn.asked_at or now
            try:
                self.store.save(owner, CHAT, {"turns": [turn_to_dict(t) for t in changed]}, version)
            except VersionConflict:
                continue
            return changed
        raise WorkError("the conversation is being changed from several tabs at once; try again")

    def delete(self, owner: str) -> None:
        if self.stored:
            self.store.delete(owner, (CHAT,))

    def purge(self) -> None:
        """Remove conversations past the retention, at most once per ``PURGE_EVERY``."""
        now = self._clock()
        if not self.stored or (self._purged_at is not None and now - self._purged_at < PURGE_EVERY):
            return
        self._purged_at = now
        try:
            removed = self.store.purge(CHAT, self._cutoff())
        except WorkError as exc:
            log.warning("old conversations not purged: %s", exc)
            return
        if removed:
            log.info("purged %s conversation(s) older than %s days", removed, self.retention_days)


@dataclass(frozen=True)
class Draft:
    title: str = DEFAULT_TITLE
    items: tuple[DraftItem, ...] = ()
    version: int = 0


class Drafts:
    def __init__(self, store: WorkStore) -> None:
        self.store = store

    def _current(self, owner: str) -> tuple[Draft, str]:
        stored = self.store.load(owner, DRAFT)
        data = stored.data
        items = tuple(DraftItem.from_dict(i) for i in data.get("items") or ())
        return Draft(data.get("title") or DEFAULT_TITLE, items, stored.version), data.get("tab") or ""

    def load(self, owner: str) -> Draft:
        return self._current(owner)[0]

    def seen_by(self, owner: str, tab: str, seen: int) -> tuple[Draft, bool]:
        """(the stored draft, whether a change made by ``tab`` on version ``seen`` may be written
        on it: it is that version, or ``tab`` itself wrote last)."""
        current, writer = self._current(owner)
        return current, current.version == seen or writer == tab

    def _save(self, owner: str, tab: str, title: str, items, based_on: int) -> Draft:
        data = {"title": title, "items": [i.to_dict() for i in items], "tab": tab}
        return Draft(title, tuple(items), self.store.save(owner, DRAFT, data, based_on).version)

    def write(self, owner: str, tab: str, seen: int, title: str, items) -> tuple[Draft, bool]:
        """(the draft, True) after storing ``title`` and ``items`` written on version ``seen``;
        (the newer draft, False) when another tab wrote since."""
        current, fresh = self.seen_by(owner, tab, seen)
        if not fresh:
            return current, False
        try:
            return self._save(owner, tab, title, items, current.version), True
        except VersionConflict:
            return self.load(owner), False

    def add(self, owner: str, tab: str, change: Callable[[Draft], tuple[tuple[DraftItem, ...], Any]]) -> tuple[Draft, Any]:
        """(the draft after ``change`` added to what is stored now, what ``change`` said besides)."""
        for _ in range(CHANGE_ATTEMPTS):
            current, _writer = self._current(owner)
            items, said = change(current)
            if tuple(items) == current.items:
                return current, said
            try:
                return self._save(owner, tab, current.title, items, current.version), said
            except VersionConflict:
                continue
        raise WorkError("the draft is being changed from several tabs at once; try again")

    def delete(self, owner: str) -> None:
        self.store.delete(owner, (DRAFT,))
