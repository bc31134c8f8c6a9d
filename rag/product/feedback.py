"""Thumbs up/down on answers, stored locally in SQLite, and their export as gold candidates.

Each record keeps the question, the answer text, its sentences (with source spans) and
citations, the answer mode, a UTC timestamp, the rating, the comment and the settings in force
(any setting whose name looks like a secret is dropped, never written). Nothing leaves the machine.

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
import sqlite3
import threading
import unicodedata
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from rag.index.loaders import LoaderError, load_document

log = logging.getLogger(__name__)

MAX_EVIDENCE = 3  # evals/check_gold.py: answerable questions have 1-3 quotes
MIN_RESEMBLANCE = 0.8
_SECRET = re.compile(r"key|token|secret|password|credential", re.I)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    lang TEXT,
    mode TEXT,
    abstained INTEGER NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    citations TEXT NOT NULL,
    sentences TEXT NOT NULL,
    standalone_question TEXT,
    settings TEXT NOT NULL
)
"""
_JSON_COLUMNS = ("citations", "sentences", "settings")
_COLUMNS = re.findall(r"^    (\w+) ", _SCHEMA, re.M)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as a record; ValueError naming the column that cannot be read."""
    row["abstained"] = bool(row["abstained"])
    for name in _JSON_COLUMNS:
        try:
            row[name] = json.loads(row[name])
        except (TypeError, json.JSONDecodeError) as exc:
            raise ValueError("column {} is not valid JSON ({})".format(name, getattr(exc, "msg", exc))) from None
    return row


class FeedbackError(ValueError):
    """The feedback file cannot be used; the message names it and says what to do."""


def public_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    """Settings safe to store: names that look like secrets are dropped; values as JSON text."""
    return {
        k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
        for k, v in (settings or {}).items()
        if not _SECRET.search(k)
    }


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class FeedbackStore:
    """Feedback in one SQLite file, created on first ``record``. Safe to share between threads
    (and processes): every call opens its own connection and SQLite serialises the writes."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = Path(path)
        self._clock = clock
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self, create: bool) -> sqlite3.Connection:
        if create:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FeedbackError(
                    "cannot create the folder for the feedback file {}: {}; set RAG_FEEDBACK_PATH "
                    "(or --feedback-path) to a writable place".format(self.path, exc.strerror or exc)
                ) from None
        try:
            conn = sqlite3.connect(self.path, timeout=30)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        if create and not self._ready:
            try:
                with self._lock, conn:
                    conn.execute(_SCHEMA)
                    self._ready = True
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise self._error(exc) from None
        return conn

    def _error(self, exc: sqlite3.Error) -> FeedbackError:
        if isinstance(exc, sqlite3.OperationalError) and "unable to open" in str(exc):
            return FeedbackError(
                "cannot open the feedback file {} ({}); set RAG_FEEDBACK_PATH (or --feedback-path) "
                "to a writable file".format(self.path, exc)
            )
        return FeedbackError(
            "{} is not a readable feedback database ({}); move it aside to start a new one "
            "(it is left untouched)".format(self.path, exc)
        )

    def record(
        self,
        question: str,
        answer: dict[str, Any],
        rating: int,
        comment: str = "",
        settings: dict[str, Any] | None = None,
    ) -> int:
        """Store one rating (+1 or -1) of ``answer`` (an ``Answer.to_dict()``); returns its id."""
        if isinstance(rating, bool) or rating not in (1, -1):
            raise ValueError("rating must be +1 (thumbs up) or -1 (thumbs down), got {!r}".format(rating))
        if not (question or "").strip():
            raise ValueError("feedback needs the question that was answered")
        if not isinstance(answer, dict) or not isinstance(answer.get("answer"), str):
            raise ValueError("feedback needs the answer as Answer.to_dict() (with an 'answer' text)")
        citations = [{k: v for k, v in c.items() if k != "text"} for c in answer.get("citations", [])]
        row = (
            self._clock().isoformat(timespec="seconds"),
            question.strip(),
            answer["answer"],
            answer.get("lang"),
            answer.get("mode"),
            int(bool(answer.get("abstained"))),
            rating,
            comment or "",
            json.dumps(citations, ensure_ascii=False),
            json.dumps(answer.get("sentences", []), ensure_ascii=False),
            answer.get("standalone_question"),
            json.dumps(public_settings(settings), ensure_ascii=False),
        )
        with closing(self._connect(create=True)) as conn:
            try:
                with conn:
                    cursor = conn.execute(
                        "INSERT INTO feedback (created_at, question, answer, lang, mode, abstained, rating, "
                        "comment, citations, sentences, standalone_question, settings) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
            return int(cursor.lastrowid)

    def all(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first; a row that cannot be read is logged and left out."""
        records, problems = self.read()
        for problem in problems:
            log.warning("%s", problem)
        return records

    def read(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(every readable record, oldest first; one message per row left out, naming it).
        Empty when nothing has been recorded yet; FeedbackError for a file that is no feedback
        database or has a table of another layout."""
        if not self.path.exists():
            return [], []
        with closing(self._connect(create=False)) as conn:
            conn.row_factory = sqlite3.Row
            try:
                columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
                if not columns:
                    return [], []  # an empty file, as `touch` leaves it: nothing recorded yet
                missing = [c for c in _COLUMNS if c not in columns]
                if missing:
                    raise FeedbackError(
                        "{} has a feedback table without the column(s) {}: it was written by another program "
                        "or version; move it aside to start a new one (it is left untouched)".format(
                            self.path, ", ".join(missing)
                        )
                    )
                rows = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None
        records, problems = [], []
        for row in rows:
            try:
                records.append(_record(dict(row)))
            except ValueError as exc:
                problems.append(
                    "feedback row {} in {}: {}; it is left out (fix or delete that row)".format(row["id"], self.path, exc)
                )
        return records, problems

    def export_candidates(
        self, out: Path, corpus_dir: Path | None = None, records: list[dict[str, Any]] | None = None
    ) -> int:
        """Write every record (or ``records``, as ``read`` gave them) as a gold-format candidate
        line to ``out``; returns the count.

        Quotes are read from the source files: a source name relative to the corpus is looked
        up in ``corpus_dir`` (default: the shipped corpus folder).
        """
        from rag.config import PROJECT_ROOT

        texts = _SourceTexts(Path(corpus_dir) if corpus_dir else PROJECT_ROOT / "corpus")
        records = self.all() if records is None else records
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
