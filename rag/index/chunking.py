"""Structure-aware passages from a repaired document.

The OCR text has no markup, so structure comes from layout: blocks separated by
blank lines, short unpunctuated blocks followed by prose are headings, numbered
headings that continue the chapter sequence are chapters, page-number lines are
dropped, words hyphenated across lines are rejoined and paragraphs broken by a
page break are mended. Every character of passage and sentence text keeps the
index of the source character it came from, so spans map back exactly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from rag.index.clean import RepairedText, repair_text
from rag.index.word_classes import COORDINATORS, PREPOSITIONS
from rag.lexical import split_sentences
from rag.types import Document, Passage, SentenceSpan

# Recorded in the index manifest; a different value makes the next ingest rebuild. Bump it when a
# change to this module, rag/index/pages.py, rag/index/loaders.py or rag/lexical.py's sentence
# splitting changes the passages of an index (text, spans, sections, pages, sentences, ids) or
# the words BM25 indexes; never for comments, names or a refactor that keeps the passages.
CHUNKER_VERSION = "structure-v3"
SECTION_SEP = " › "

_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_NUMBERED = re.compile(r"^\s*(\w{1,2})\.\s+(\S.*)$")
# OCR confusions for digits seen at the start of a numbered heading ("é." for "6.").
_DIGIT_LOOKALIKES = {"é": "6", "ö": "6", "l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5", "B": "8"}
_STRUCTURAL = re.compile(r"^(appendix|bilaga|bilagor|referenser|references|källor|litteratur)$", re.I)
_BULLET = re.compile(r"^\s*[•·▪◦‣»«-]\s+")
_SENTENCE_END = re.compile(r"[.!?…:;\"”»)]\s*$")
_PUNCTUATED = re.compile(r"[.,!?:;](\s|$)")
_NUMBERED_LINE = re.compile(r"^\s*\d{1,2}\.\s+[A-ZÅÄÖ]")
_CHAPTER_LEVEL = re.compile(r"^(sammanfattning|slutsatser|avslutning)$", re.I)
# Body lines of the report are 55-70 characters; a heading or figure label line is shorter,
# and text that goes on in lower case after a line this long is the same paragraph.
SHORT_LINE = 45
# This many short blocks in a row, none of them prose, are the labels of a figure.
FIGURE_RUN = 4


@dataclass
class _Line:
    text: str  # repaired line without its newline
    start: int  # offset of the line in the repaired text
    raw: str  # the same line in the source; layout cues (leading spaces, digits) live here

    @property
    def stripped(self) -> str:
        return self.text.strip()


@dataclass
class _Block:
    lines: list[_Line]
    heading: bool = False

    @property
    def text(self) -> str:
        return " ".join(l.stripped for l in self.lines)


@dataclass
class _Section:
    path: tuple[str, ...]
    blocks: list[_Block] = field(default_factory=list)


class _Builder:
    """Accumulates display text with a per-character source index."""

    def __init__(self, repaired: RepairedText) -> None:
        self.repaired = repaired
        self.chars: list[str] = []
        self.src: list[int] = []

    def add(self, text: str, repaired_start: int) -> None:
        offsets = self.repaired.offsets
        for i, ch in enumerate(text):
            self.chars.append(ch)
            self.src.append(offsets[repaired_start + i])

    def add_sep(self, sep: str, next_repaired_index: int) -> None:
        for ch in sep:
            self.chars.append(ch)
            self.src.append(self.repaired.offsets[next_repaired_index])

    def text(self) -> str:
        return "".join(self.chars)


def _is_heading_shape(block: _Block) -> bool:
    lines = [l.stripped for l in block.lines]
    text = " ".join(lines)
    if not 1 <= len(lines) <= 4 or len(text) > 130 or any(len(l) > 60 for l in lines):
        return False
    if _BULLET.match(lines[0]) or "http" in text or "@" in text:
        return False
    numbered = _NUMBERED.match(block.lines[0].raw.strip()) is not None
    if re.search(r"[.,;:]$", text) or (text.endswith("?") and not numbered):
        return False
    if not re.match(r"[A-ZÅÄÖ0-9]", text) and not numbered:
        return False
    return sum(ch.isalpha() for ch in text) >= 3


def _is_prose(block: _Block) -> bool:
    """Running text: long with some punctuation, or a sentence set at body width (figure
    labels are short lines, and a long run of them has no punctuation at all)."""
    text = block.text
    widest = max(len(l.stripped) for l in block.lines)
    if len(text) >= 100:
        return len(text) >= 200 or _PUNCTUATED.search(text) is not None
    return bool(_SENTENCE_END.search(text)) and len(text) >= 40 and widest >= SHORT_LINE


def _is_figure_debris(block: _Block) -> bool:
    """Labels of a figure that the OCR turned into text: short lines, no sentence, no list item."""
    lines = [l.stripped for l in block.lines]
    return all(len(l) < 45 for l in lines) and not _SENTENCE_END.search(block.text) and not _BULLET.match(lines[0])


def _chapter_number(text: str) -> int | None:
    match = _NUMBERED.match(text)
    if not match:
        return None
    token = match.group(1)
    token = "".join(_DIGIT_LOOKALIKES.get(ch, ch) for ch in token)
    return int(token) if token.isdigit() else None


def _blocks(repaired: RepairedText, source_text: str) -> list[_Block]:
    """Blank-line separated blocks, page-number lines dropped; a line starting with a space after
    a sentence end also opens a block (the OCR marks some headings only that way)."""
    blocks: list[_Block] = []
    current: list[_Line] = []
    pos = 0
    # A form feed (PDF page break) ends the line and the block: a page's first line can be a heading.
    separators = ["\n"] + re.findall(r"[\n\f]", source_text)
    lines = zip(re.split(r"[\n\f]", repaired.text), re.split(r"[\n\f]", source_text), separators)
    for text, raw, separator in lines:
        line = _Line(text, pos, raw)
        pos += len(text) + 1
        if separator == "\f" and current:
            blocks.append(_Block(current))
            current = []
        if not line.stripped or _PAGE_NUMBER.match(raw) or not any(ch.isalnum() for ch in text):
            if current:
                blocks.append(_Block(current))
                current = []
            continue
        if current and _opens_block(current, line):
            blocks.append(_Block(current))
            current = []
        current.append(line)
    if current:
        blocks.append(_Block(current))
    return [part for block in blocks for part in _split_leading_heading(block)]


def _opens_block(current: list[_Line], line: _Line) -> bool:
    """Whether ``line`` starts a new block although no blank line precedes it.

    A leading space marks the first line of a page in this OCR: after a finished sentence or
    a heading line it opens a block ("… behov.\n Juridiken måste gå i takt"). A short numbered
    line is a heading of its own ("2. Projektets kontext och mål"), and so ends its block.
    """
    previous = current[-1]
    if line.raw.startswith(" ") and (_SENTENCE_END.search(previous.stripped) or _is_heading_line(previous)):
        return True
    if _is_numbered_heading_line(line):
        return True
    # A numbered heading may run over lines ("4. AI-strategin\nsom grund för\nAI-användning").
    return _is_numbered_heading_line(previous) and not _continues_heading(line)


def _continues_heading(line: _Line) -> bool:
    text = line.stripped
    return len(text) < SHORT_LINE and not _SENTENCE_END.search(text) and not _BULLET.match(text)


def _is_heading_line(line: _Line) -> bool:
    text = line.stripped
    return (
        len(text) < SHORT_LINE
        and re.match(r"[A-ZÅÄÖ0-9]", text) is not None
        and not _SENTENCE_END.search(text)
        and not re.search(r"[,;]$", text)
        and not _BULLET.match(text)
    )


def _is_numbered_heading_line(line: _Line) -> bool:
    return _NUMBERED_LINE.match(line.raw) is not None and _is_heading_line(line)


def _split_leading_heading(block: _Block) -> list[_Block]:
    """A heading set right above its paragraph without a blank line ("Bygg en hållbar portfölj
    av AI-initiativ\nI allt fler kommuner …") is a block of its own."""
    lines = block.lines
    if len(lines) >= 3 and _is_heading_line(lines[0]) and lines[1].stripped[:1].isupper():
        rest = _Block(lines[1:])
        if _is_prose(rest) and len(lines[1].stripped) >= SHORT_LINE:
            return [_Block(lines[:1]), rest]
    return [block]


# Words no Swedish sentence ends on: a preposition, a coordinator, the infinitive marker, the
# relative "som" (closed classes, rag.index.word_classes). Grammar, not a fit.
_NEVER_LAST = PREPOSITIONS | COORDINATORS | frozenset(("att", "som"))
_URL = re.compile(r"^(?:https?://|www\.)\S*$", re.I)


def _stops_on_function_word(block: _Block) -> bool:
    """The block's last word (a footnote link after it aside) is one no sentence ends on."""
    for line in reversed(block.lines):
        words = [w for w in line.stripped.split() if not _URL.match(w)]
        if words:
            return words[-1].lower() in _NEVER_LAST
    return False


def _mend_page_breaks(blocks: list[_Block]) -> list[_Block]:
    """Join a block that stops mid-sentence with the next one when that starts in lower case, or
    when the block stops on a word no sentence ends on: a page break or a footnote link cut
    "fördelade på 263 av | Sveriges 290 kommuner" and "i samarbete med | https://… | Göteborgs
    universitet" into sentences that said nothing (and answered "Hur många kommuner …?" with
    "den anger inga sådana antal")."""
    out: list[_Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        first = block.lines[0].stripped
        if (
            prev is not None
            and not prev.heading
            and not block.heading
            and not _SENTENCE_END.search(prev.lines[-1].stripped)
            and (first[:1].islower() or _stops_on_function_word(prev))
        ):
            prev.lines.extend(block.lines)
        else:
            out.append(block)
    return out


def _sections(blocks: list[_Block], title: str) -> list[_Section]:
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        numbered = _chapter_number(block.lines[0].raw.strip()) is not None
        # Body-width text that goes on in lower case after it is a paragraph cut by a page
        # break, not a heading; a heading's lines are all short, and the OCR may lowercase
        # the word after it ("lintervjuerna").
        continued = (
            following is not None
            and following.lines[0].stripped[:1].islower()
            and max(len(l.stripped) for l in block.lines) >= SHORT_LINE
        )
        block.heading = _is_heading_shape(block) and (numbered or not continued) and (
            (numbered or _STRUCTURAL.match(block.text) is not None)
            or following is not None and (_is_prose(following) or _is_heading_shape(following))
        )
    blocks = _mend_page_breaks(_drop_figures(blocks))
    sections: list[_Section] = [_Section((title,))]
    chapter: str | None = None
    chapter_no = 0
    container: str | None = None
    sub: str | None = None
    for i, block in enumerate(blocks):
        if not block.heading:
            if not _is_figure_debris(block):
                sections[-1].blocks.append(block)
            continue
        text = _join_heading(block)
        next_is_heading = i + 1 < len(blocks) and blocks[i + 1].heading
        number = _chapter_number(block.lines[0].raw.strip())
        if number is not None and number == chapter_no + 1:
            chapter_no, chapter, container, sub = number, _normalise_number(text, number), None, None
            path: tuple[str, ...] = (chapter,)
        elif _STRUCTURAL.match(text):
            chapter, container, sub = text, None, None
            path = (chapter,)
        elif _CHAPTER_LEVEL.match(text):
            container, sub = None, text  # a chapter's summary closes any group of headings
            path = tuple(p for p in (chapter, sub) if p)
        elif number is not None:
            path = tuple(p for p in (chapter, container, sub, text) if p)
        elif next_is_heading and _chapter_number(blocks[i + 1].lines[0].raw.strip()) is None:
            container, sub = text, None
            path = tuple(p for p in (chapter, container) if p)
        else:
            sub = text
            path = tuple(p for p in (chapter, container, sub) if p)
        sections.append(_Section(path or (text,)))
    return [s for s in sections if s.blocks]


def _drop_figures(blocks: list[_Block]) -> list[_Block]:
    """Remove runs of ``FIGURE_RUN`` or more blocks with no prose among them: the OCR'd labels of
    a figure ("DATA ORGANISATION KULTUR", "Det finns en AI- infé.rliv?lt i"). A run that holds
    a chapter heading is kept, so a chapter is never lost. A label that ends a run is not
    told from a heading by its layout, so only a summary heading survives there."""
    kept: list[_Block] = []
    run: list[_Block] = []
    for block in blocks + [None]:
        if block is not None and not _is_prose(block):
            run.append(block)
            continue
        chapter_inside = any(_chapter_number(b.lines[0].raw.strip()) is not None for b in run)
        if len(run) < FIGURE_RUN or chapter_inside:
            kept.extend(run)
        elif block is not None and _CHAPTER_LEVEL.match(run[-1].text):
            kept.append(run[-1])  # "Sammanfattning" right after a figure still heads what follows
        run = []
        if block is not None:
            kept.append(block)
    return kept


def _normalise_number(text: str, number: int) -> str:
    match = _NUMBERED.match(text)
    return "{}. {}".format(number, match.group(2).strip()) if match else text


def _join_heading(block: _Block) -> str:
    parts: list[str] = []
    for line in block.lines:
        s = line.stripped
        if parts and parts[-1].endswith("-") and s[:1].islower():
            parts[-1] = parts[-1] + s
        else:
            parts.append(s)
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _paragraph_text(block: _Block, builder: _Builder) -> tuple[int, int]:
    """Append one paragraph to the builder; returns its (start, end) in display text."""
    begin = len(builder.chars)
    for i, line in enumerate(block.lines):
        raw = line.text
        lead = len(raw) - len(raw.lstrip())
        content = raw.strip()
        start = line.start + lead
        if i > 0:
            prev = builder.text()[begin:].rstrip()
            if _BULLET.match(content):
                builder.add_sep("\n", start)
            elif prev.endswith("-") and content[:1].islower() and len(prev) > 1 and prev[-2].isalpha():
                word = re.findall(r"(\w+)-$", prev)
                if word and not word[-1].isupper():
                    # Plain hyphenation: drop the hyphen; acronym compounds such as "AI-" keep it.
                    builder.chars.pop()
                    builder.src.pop()
            else:
                builder.add_sep(" ", start)
        builder.add(re.sub(r"\s", " ", content), start)
    return begin, len(builder.chars)


def passage_id(source: str, section: str, text: str, ordinal: int) -> str:
    digest = hashlib.sha256("\x1f".join((source, section, text, str(ordinal))).encode("utf-8"))
    return digest.hexdigest()[:16]


def build_passages(doc: Document, max_chars: int = 1200) -> tuple[list[Passage], list[SentenceSpan]]:
    """Split ``doc`` into passages of at most ``max_chars`` source characters, never across sections."""
    repaired = repair_text(doc.text) if doc.ocr else RepairedText(doc.text, tuple(range(len(doc.text) + 1)))
    title = doc.title or doc.source
    passages: list[Passage] = []
    sentences: list[SentenceSpan] = []
    seen: dict[tuple[str, str], int] = {}
    for section in _sections(_blocks(repaired, doc.text), title):
        section_path = SECTION_SEP.join(section.path)
        builder = _Builder(repaired)
        units: list[tuple[int, int, bool]] = []  # (start, end, starts_paragraph) in display text
        for block in section.blocks:
            if builder.chars:
                builder.add_sep("\n\n", block.lines[0].start)
            p_start, p_end = _paragraph_text(block, builder)
            display = builder.text()
            first = True
            for s, e in split_sentences(display[p_start:p_end]):
                units.append((p_start + s, p_start + e, first))
                first = False
        display = builder.text()
        for group in _pack(units, builder.src, max_chars, display):
            start, end = group[0][0], group[-1][1]
            text = display[start:end]
            key = (section_path, text)
            ordinal = seen.get(key, 0)
            seen[key] = ordinal + 1
            src_start, src_end = builder.src[start], builder.src[end - 1] + 1
            pid = passage_id(doc.source, section_path, text, ordinal)
            pages = doc.page_span(src_start, src_end)
            passages.append(
                Passage(
                    id=pid,
                    source=doc.source,
                    section=section_path,
                    start=src_start,
                    end=src_end,
                    text=text,
                    page=pages.first if pages else None,
                    ordinal=len(passages),
                    page_end=pages.last if pages and pages.last != pages.first else None,
                    page_estimated=bool(pages and pages.estimated),
                )
            )
            for s, e, _ in group:
                sentences.append(_sentence(doc, pid, display[s:e], builder.src[s], builder.src[e - 1] + 1))
    return passages, sentences


def _sentence(doc: Document, pid: str, text: str, start: int, end: int) -> SentenceSpan:
    pages = doc.page_span(start, end)
    return SentenceSpan(pid, text, start, end, pages.first if pages else None, bool(pages and pages.estimated))


def _pack(
    units: list[tuple[int, int, bool]], src: list[int], max_chars: int, display: str
) -> list[list[tuple[int, int, bool]]]:
    """Greedy packing of sentences; prefers to break at paragraph starts once a passage is half full."""
    groups: list[list[tuple[int, int, bool]]] = []
    current: list[tuple[int, int, bool]] = []
    for unit in _split_long(units, src, max_chars, display):
        if current:
            span = src[unit[1] - 1] + 1 - src[current[0][0]]
            size = src[current[-1][1] - 1] + 1 - src[current[0][0]]
            if span > max_chars or (unit[2] and size >= max_chars * 0.75 and span > max_chars * 0.9):
                groups.append(current)
                current = []
        current.append(unit)
    if current:
        groups.append(current)
    return groups


def _split_long(
    units: list[tuple[int, int, bool]], src: list[int], max_chars: int, display: str
) -> list[tuple[int, int, bool]]:
    """Cut a sentence longer than ``max_chars`` source characters at a space (a list without
    full stops can read as one sentence), so that no passage exceeds the limit."""
    out: list[tuple[int, int, bool]] = []
    for start, end, first in units:
        while src[end - 1] + 1 - src[start] > max_chars:
            limit = start + 1
            while limit < end and src[limit] + 1 - src[start] <= max_chars:
                limit += 1
            cut = display.rfind(" ", start + 1, limit)
            if cut <= start:
                cut = limit
            out.append((start, cut, first))
            start, first = cut, False
            while start < end and display[start] == " ":
                start += 1
        out.append((start, end, first))
    return out
