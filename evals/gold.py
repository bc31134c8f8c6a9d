"""Gold sets: loading a gold JSONL file and locating each evidence quote as a character span
of its source (whitespace-insensitively, once). What the metrics count is in ``evals.metrics``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.jsonl import read_jsonl


REQUIRED_FIELDS = ("id", "question", "answerable", "evidence", "lang", "kind")
# Labelled files no fit may read: they measure the final system on questions nothing was fitted on
# (evals/train_selection refuses them; evals/train_decision's SETS leave them out).
HELD_OUT = frozenset({"gold_test3.jsonl", "gold_dev_en2.jsonl", "gold_dev_kw.jsonl"})


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answerable: bool
    evidence: tuple[str, ...]
    lang: str
    kind: str
    # Per evidence quote, other quotes that state the same thing elsewhere in the report.
    alternatives: tuple[tuple[str, ...], ...] = ()

    def quote_groups(self) -> list[tuple[str, ...]]:
        """Each evidence quote followed by its alternatives."""
        extra = self.alternatives or tuple(() for _ in self.evidence)
        return [(quote, *alts) for quote, alts in zip(self.evidence, extra)]


@dataclass(frozen=True)
class Span:
    """A character span ``[start, end)`` of one source's decoded text."""

    source: str
    start: int
    end: int

    def __len__(self) -> int:
        return max(0, self.end - self.start)


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read a gold JSONL file; a malformed line raises ValueError naming the file and line."""
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for line in read_jsonl(path):
        where = f"{path}:{line.number}"
        if line.error is not None:
            raise ValueError(f"{where}: invalid JSON ({line.error.msg} at column {line.error.colno})")
        item = _gold_item(line.row, where)
        if item.id in seen:
            raise ValueError(f"{where}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = line.number
        items.append(item)
    return items


def _gold_item(row: Any, where: str) -> GoldItem:
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(row).__name__}")
    missing = [name for name in REQUIRED_FIELDS if name not in row]
    if missing:
        raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    for name in ("id", "question", "lang", "kind"):
        if not isinstance(row[name], str) or not row[name].strip():
            raise ValueError(f"{where}: field {name!r} must be a non-empty string")
    if not isinstance(row["answerable"], bool):
        raise ValueError(f"{where}: field 'answerable' must be true or false")
    evidence = row["evidence"]
    if not isinstance(evidence, list) or not all(_quote_group(q) for q in evidence):
        raise ValueError(
            f"{where}: field 'evidence' must be a list of non-empty strings "
            "(or of non-empty lists of them: a quote and where the report says the same again)"
        )
    groups = [(q,) if isinstance(q, str) else tuple(q) for q in evidence]
    if row["answerable"] and not evidence:
        raise ValueError(f"{where}: an answerable question needs at least one evidence quote")
    if not row["answerable"] and evidence:
        raise ValueError(f"{where}: an unanswerable question must have no evidence")
    return GoldItem(
        id=row["id"],
        question=row["question"],
        answerable=row["answerable"],
        evidence=tuple(g[0] for g in groups),
        lang=row["lang"],
        kind=row["kind"],
        alternatives=tuple(g[1:] for g in groups),
    )


def _quote_group(entry: Any) -> bool:
    """An evidence entry: a non-empty quote, or a non-empty list of them."""
    quotes = [entry] if isinstance(entry, str) else entry
    return isinstance(quotes, list) and bool(quotes) and all(isinstance(q, str) and q.strip() for q in quotes)


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A regex matching ``quote`` with every run of whitespace matching any run of whitespace."""
    tokens = quote.split()
    if not tokens:
        raise ValueError("empty evidence quote")
    return re.compile(r"\s+".join(re.escape(token) for token in tokens))


def locate_evidence(quote: str, text: str) -> tuple[int, int] | None:
    """The ``(start, end)`` of the first whitespace-insensitive match of ``quote`` in ``text``."""
    match = quote_pattern(quote).search(text)
    return (match.start(), match.end()) if match else None


def count_evidence(quote: str, text: str) -> int:
    return sum(1 for _ in quote_pattern(quote).finditer(text))


def locate_in_corpus(quote: str, corpus_texts: dict[str, str]) -> Span | None:
    """The quote's span in the first source (by name) that contains it."""
    for source in sorted(corpus_texts):
        found = locate_evidence(quote, corpus_texts[source])
        if found:
            return Span(source, *found)
    return None


def load_corpus_texts(corpus_dir: str | Path) -> dict[str, str]:
    """Source name -> decoded text, read by the system's own loader so offsets agree."""
    from rag.index.loaders import discover, load_document

    documents = (load_document(path, Path(corpus_dir)) for path in discover([Path(corpus_dir)]))
    return {doc.source: doc.text for doc in documents}


def locate_gold(gold: list[GoldItem], corpus_texts: dict[str, str]) -> dict[str, list[tuple[Span, ...]]]:
    """Every item's evidence entries as spans (the quote, then its alternatives); a quote missing
    from the corpus is a broken gold file."""
    spans: dict[str, list[tuple[Span, ...]]] = {}
    for item in gold:
        spans[item.id] = []
        for group in item.quote_groups():
            located = []
            for quote in group:
                span = locate_in_corpus(quote, corpus_texts)
                if span is None:
                    raise ValueError(f"{item.id}: evidence quote not found in the corpus: {quote[:80]!r}")
                located.append(span)
            spans[item.id].append(tuple(located))
    return spans
