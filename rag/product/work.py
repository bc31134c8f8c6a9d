"""Users' work as data: each person's conversation and draft, kept on the server.

A ``WorkStore`` holds one JSON document per (owner, kind): ``kind`` is ``"chat"`` (the
conversation) or ``"draft"`` (the memo being written). ``owner`` is who the work belongs to:
the signed-in user, or a random browser id from an HttpOnly cookie when there is no login
(``rag.product.web.owner``), never Gradio's session hash. Every document has a ``version``
(0: nothing stored) that each write raises by one; a write names the version it was based on
and is refused with ``VersionConflict`` (carrying what is stored now) when another tab or window
wrote in between, so two tabs never overwrite each other silently.

The store is SQLite by default (``rag.product.work_sqlite``, the file ``RAG_WORK_PATH``) and
the feedback database when ``RAG_FEEDBACK_URL`` names a PostgreSQL server
(``rag.product.work_pg``): app replicas that share ratings share users' work too. Old
conversations are removed after ``RAG_HISTORY_RETENTION_DAYS`` (``purge``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from rag.config import Settings

CHAT = "chat"
DRAFT = "draft"
KINDS = (CHAT, DRAFT)
MAX_OWNER_CHARS = 300


class WorkError(ValueError):
    """Users' work cannot be stored or read; the message names the store and what to do."""


class WorkUnavailable(WorkError):
    """The store cannot be reached now; a later call may succeed without any change."""


@dataclass(frozen=True)
class Stored:
    """One stored document: its data, its version (0: nothing stored yet) and when it was written."""

    data: dict[str, Any]
    version: int = 0
    updated_at: datetime | None = None


class VersionConflict(WorkError):
    """A write based on version ``based_on`` while ``current`` (newer) is stored."""

    def __init__(self, kind: str, based_on: int, current: Stored) -> None:
        super().__init__(
            "the {} was changed elsewhere (version {} is stored, this change was based on version {})".format(
                kind, current.version, based_on
            )
        )
        self.kind = kind
        self.based_on = based_on
        self.current = current


class WorkStore(Protocol):
    """Where users' conversations and drafts are kept. ``location`` names it for messages."""

    location: str

    def load(self, owner: str, kind: str) -> Stored:
        """What ``owner`` has of ``kind``; ``Stored({}, 0)`` when nothing is stored."""
        ...

    def save(self, owner: str, kind: str, data: dict[str, Any], based_on: int) -> Stored:
        """Store ``data`` if version ``based_on`` is what is stored (0: nothing); the new ``Stored``
        once committed. VersionConflict otherwise; WorkError when it cannot be stored."""
        ...

    def delete(self, owner: str, kinds: tuple[str, ...] = KINDS) -> None:
        """Remove ``owner``'s documents of ``kinds`` (committed on return)."""
        ...

    def purge(self, kind: str, before: datetime) -> int:
        """Remove every document of ``kind`` last written before ``before``; how many."""
        ...


def open_work_store(settings: "Settings", clock: Callable[[], datetime] | None = None) -> WorkStore:
    """The store the settings name: the PostgreSQL feedback database for ``feedback_url``,
    else the SQLite file ``work_path``."""
    kwargs = {"clock": clock} if clock else {}
    if settings.feedback_url:
        from rag.product.work_pg import PostgresWorkStore

        password = settings.feedback_password.get_secret_value() if settings.feedback_password else None
        return PostgresWorkStore(settings.feedback_url, password=password, **kwargs)
    from rag.product.work_sqlite import SqliteWorkStore

    return SqliteWorkStore(settings.work_path, **kwargs)


def check_key(owner: str, kind: str) -> None:
    """ValueError for an owner or kind no store should hold."""
    if not isinstance(owner, str) or not owner or len(owner) > MAX_OWNER_CHARS:
        raise ValueError("work needs an owner (a user name or browser id) of 1-{} characters".format(MAX_OWNER_CHARS))
    if kind not in KINDS:
        raise ValueError("kind must be one of {}, got {!r}".format(", ".join(KINDS), kind))


def encode(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode(text: str, owner: str, kind: str, location: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise WorkError("the stored {} of {!r} in {} is not valid JSON ({})".format(kind, owner, location, exc)) from None
    if not isinstance(data, dict):
        raise WorkError("the stored {} of {!r} in {} is not a JSON object".format(kind, owner, location))
    return data


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
