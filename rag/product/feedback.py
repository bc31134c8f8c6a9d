"""Thumbs up/down on answers: the store seam, the record, and its export as gold candidates.

A ``FeedbackStore`` keeps records in SQLite (``rag.product.feedback_sqlite``, the default: one file on
this machine) or in PostgreSQL (``rag.product.feedback_pg``, ``RAG_FEEDBACK_URL``, for several app
replicas); ``open_feedback_store`` picks one from the settings. Each record keeps the question,
the answer text, its sentences (with source spans) and citations, the answer mode, a UTC
timestamp, the rating, the comment, the settings in force (any setting whose name looks like a
secret is dropped, never written) and who rated (``user``: the login name, empty without a
login). A store acknowledges a rating only once it is committed.

``export_candidates`` turns every record into one line of the gold format the evaluation
harness reads (``evals/gold.py``), marked ``"needs_review": true``; a person checks it and
sets ``kind`` before it joins a gold file:

* thumbs up on an answer: ``answerable: true``; ``evidence`` is the source text of the cited
  answer sentences, ``text[start:end]`` of the source file with whitespace runs collapsed
  (the harness matches quotes whitespace-insensitively), at most 3 as ``evals/check_gold.py`` wants.
  A span whose source text no longer resembles the answer's sentence (the file changed, or the
  wrong corpus folder was given) is left out and the ``review`` note says so;
* thumbs up on an abstention: ``answerable: false``, no evidence (the evaluator agreed that the
  report does not cover the question);
* thumbs down, or thumbs up on an answer without quoted spans: ``answerable: null`` and no
  evidence; the reviewer decides and adds quotes. The rejected answer is included as ``answer``.

A follow-up's candidate uses its standalone form as ``question`` (the gold set has no
conversation); the words the user typed are kept in ``asked``.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from rag.index.loaders import LoaderError, load_document

if TYPE_CHECKING:
    from rag.config import Settings

log = logging.getLogger(__name__)

MAX_EVIDENCE = 3  # evals/check_gold.py: answerable questions have 1-3 quotes
MIN_RESEMBLANCE = 0.8
_SECRET = re.compile(r"key|token|secret|password|credential", re.I)

# Every record has these fields, in this order, in both stores.
COLUMNS = (
    "id", "created_at", "question", "answer", "lang", "mode", "abstained", "rating", "comment",
    "citations", "sentences", "standalone_question", "settings", "user",
)
JSON_COLUMNS = ("citations", "sentences", "settings")
MAX_USER_CHARS = 200


class FeedbackError(ValueError):
    """Feedback cannot be stored or read; the message names the store and says what to do (for the
    operator, in English, like every log line). ``reason`` is what the person rating is told, without
    a path or server name: one of ``REASONS``."""

    reason = "refused"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


# Why a rating was not saved, as the web page words it ("ui.rating_failed.<reason>"): the server
# cannot be reached, the disk is full, the database cannot be written, opened or read, or it refused.
REASONS = ("unavailable", "full", "read_only", "cannot_open", "broken", "refused")


class FeedbackUnavailable(FeedbackError):
    """The feedback server cannot be reached now; a later call may succeed without any change."""

    reason = "unavailable"


class FeedbackStore(Protocol):
    """Where ratings are kept. ``location`` names it for messages (never with a password)."""

    location: str

    def record(
        self,
        question: str,
        answer: dict[str, Any],
        rating: int,
        comment: str = "",
        settings: dict[str, Any] | None = None,
        user: str = "",
    ) -> int:
        """Store one rating (+1 or -1) of ``answer`` (an ``Answer.to_dict()``) by ``user``; returns
        its id once it is committed. ValueError for bad input, FeedbackError when it cannot be stored."""
        ...

    def read(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(every readable record, oldest first; one message per row left out, naming it)."""
        ...


def open_feedback_store(settings: "Settings", clock: Callable[[], datetime] | None = None) -> FeedbackStore:
    """The store the settings name: PostgreSQL for ``feedback_url``, else the SQLite file."""
    kwargs = {"clock": clock} if clock else {}
    if settings.feedback_url:
        from rag.product.feedback_pg import PostgresFeedbackStore

        password = settings.feedback_password.get_secret_value() if settings.feedback_password else None
        return PostgresFeedbackStore(settings.feedback_url, password=password, **kwargs)
    from rag.product.feedback_sqlite import SqliteFeedbackStore

    return SqliteFeedbackStore(settings.feedback_path, **kwargs)


def all_records(store: FeedbackStore) -> list[dict[str, Any]]:
    """Every readable record, oldest first; a row that cannot be read is logged and left out."""
    records, problems = store.read()
    for problem in problems:
        log.warning("%s", problem)
    return records


def public_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    """Settings safe to store: names that look like secrets are dropped; values as JSON text."""
    return {
        k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
        for k, v in (settings or {}).items()
        if not _SECRET.search(k)
    }


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def new_row(
    question: str,
    answer: dict[str, Any],
    rating: int,
    comment: str,
    settings: dict[str, Any] | None,
    user: str,
    now: datetime,
) -> dict[str, Any]:
    """The column values of a new record (all but ``id``); ValueError naming what is wrong."""
    if isinstance(rating, bool) or rating not in (1, -1):
        raise ValueError("rating must be +1 (thumbs up) or -1 (thumbs down), got {!r}".format(rating))
    if not (question or "").strip():
        raise ValueError("feedback needs the question that was answered")
    if not isinstance(answer, dict) or not isinstance(answer.get("answer"), str):
        raise ValueError("feedback needs the answer as Answer.to_dict() (with an 'answer' text)")
    if not isinstance(user, str) or len(user) > MAX_USER_CHARS:
        raise ValueError("feedback user must be a name of at most {} characters".format(MAX_USER_CHARS))
    citations = [{k: v for k, v in c.items() if k != "text"} for c in answer.get("citations", [])]
    return {
        "created_at": now,
        "question": question.strip(),
        "answer": answer["answer"],
        "lang": answer.get("lang"),
        "mode": answer.get("mode"),
        "abstained": bool(answer.get("abstained")),
        "rating": rating,
        "comment": comment or "",
        "citations": json.dumps(citations, ensure_ascii=False),
        "sentences": json.dumps(answer.get("sentences", []), ensure_ascii=False),
        "standalone_question": answer.get("standalone_question"),
        "settings": json.dumps(public_settings(settings), ensure_ascii=False),
        "user": user,
    }


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as a record; ValueError naming the column that cannot be read."""
    row["abstained"] = bool(row["abstained"])
    for name in JSON_COLUMNS:
        try:
            row[name] = json.loads(row[name])
        except (TypeError, json.JSONDecodeError) as exc:
            raise ValueError("column {} is not valid JSON ({})".format(name, getattr(exc, "msg", exc))) from None
    return {name: row[name] for name in COLUMNS}


def export_candidates(
    records: list[dict[str, Any]], out: Path, corpus_dir: Path | None = None
) -> int:
    """Write every record as a gold-format candidate line to ``out``; returns the count.

    Quotes are read from the source files: a source name relative to the corpus is looked
    up in ``corpus_dir`` (default: the shipped corpus folder).
    """
    from rag.config import PROJECT_ROOT

    texts = _SourceTexts(Path(corpus_dir) if corpus_dir else PROJECT_ROOT / "corpus")
    lines = [json.dumps(candidate(r, texts), ensure_ascii=False) for r in records]
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise FeedbackError(
            "cannot write {}: {}; choose another --out file".format(out, exc.strerror or exc)
        ) from None
    return len(lines)


class _SourceTexts:
    """Source name -> decoded file text, read once through the loader so offsets agree."""

    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = corpus_dir
        self._texts: dict[str, str] = {}

    def __call__(self, source: str) -> str:
        if source not in self._texts:
            path = Path(source)
            path = path if path.is_absolute() else self.corpus_dir / path
            try:
                self._texts[source] = load_document(path, self.corpus_dir).text
            except LoaderError as exc:
                raise FeedbackError(
                    "cannot quote the cited source {} ({}); pass the corpus folder the answers came "
                    "from with --corpus-dir".format(path, exc.reason)
                ) from None
        return self._texts[source]


def _fold(text: str) -> str:
    """Letters and digits without diacritics: OCR text and its repair compare equal-ish."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain)


def _resembles(quote: str, repaired: str) -> bool:
    # The repaired sentence differs from its OCR source in a few letters (ratio >= 0.87 over
    # the shipped report); a span of another or edited file differs in most of them.
    return difflib.SequenceMatcher(None, _fold(quote), _fold(repaired), autojunk=False).ratio() >= MIN_RESEMBLANCE


def _quotes(record: dict[str, Any], texts: Callable[[str], str]) -> tuple[list[str], int]:
    """Verbatim quotes of the answer's quoted sentences, and how many spans no longer match."""
    quotes: list[str] = []
    stale = 0
    for s in record["sentences"]:
        if s.get("source") is None or s.get("start") is None or s.get("end") is None:
            continue
        quote = " ".join(texts(s["source"])[s["start"] : s["end"]].split())
        if not quote or not _resembles(quote, s.get("text") or ""):
            stale += 1
        elif quote not in quotes:
            quotes.append(quote)
    return quotes[:MAX_EVIDENCE], stale


def candidate(record: dict[str, Any], texts: Callable[[str], str]) -> dict[str, Any]:
    """The gold-format candidate for one feedback record (rules in the module docstring)."""
    evidence: list[str] = []
    if record["rating"] > 0 and record["abstained"]:
        answerable: bool | None = False
        review = "the evaluator agreed the report does not cover this; confirm and set kind 'unanswerable'"
    elif record["rating"] > 0:
        evidence, stale = _quotes(record, texts)
        answerable = True if evidence else None
        review = (
            "check that the quotes answer the question and set kind"
            if evidence
            else "rated good but has no usable source quote; decide answerable and add 1-3 verbatim quotes"
        )
        if stale:
            review += (
                "; {} cited span(s) no longer match the source file (changed since the answer?) "
                "and were left out".format(stale)
            )
    else:
        answerable = None
        review = "rated bad; decide answerable, add 1-3 verbatim quotes if it is, and set kind"
    return {
        "id": "fb-{}".format(record["id"]),
        "question": record["standalone_question"] or record["question"],
        "answerable": answerable,
        "evidence": evidence,
        "lang": record["lang"],
        "kind": "feedback",
        "rating": record["rating"],
        "comment": record["comment"],
        "needs_review": True,
        "review": review,
        "asked": record["question"],
        "answer": record["answer"],
        "created_at": record["created_at"],
    }
