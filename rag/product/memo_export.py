"""The memo written as Markdown and as a Word file a strategist can paste into a tjänsteskrivelse.

Both carry the same content (``rag.product.memo_layout``): the title, a Swedish date line ("29 november
2026"), a line saying the memo was compiled with this tool and whether every quote was found word
for word in the report, each pinned answer under its question and each pinned passage under its
section, the report's words as quotations (``>`` in Markdown, Word's Quote style) with their
reference numbers, notes only when the user chooses to export them (they are private by
default), and a numbered reference list. The Word file is A4 with 2.5 cm margins all
round, uses Word's own styles (Title, Heading 1/2, Quote, List Number) so the receiving
template restyles it, is marked as Swedish for spelling, and has its core properties set
(title, author from ``RAG_MEMO_AUTHOR`` or empty, created date).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from rag.product.memo import DEFAULT_TITLE, DraftItem, MemoSource, altered_quotes
from rag.product.memo_layout import Memo, Paragraph, Remembering, layout

REFERENCES = "Referenser"
NOTE_LABEL = "Anteckning"
TOOL_NAME = "Från insikt till handling – frågor till rapporten"
# What the memo says about how it was made (EU AI Act art. 50: content from an automated system
# is said to be so); whether the quotes are the report's own words is checked at each export.
COMPILED = "Sammanställd med verktyget «{tool}», som tar fram svar automatiskt ur rapporten."
CHECKED = "Varje citat har kontrollerats ordagrant mot rapportens text vid exporten."
ALTERED = (
    "Citaten har kontrollerats mot rapportens text vid exporten: {n} stämmer inte ordagrant med den "
    "(ändrade i utkastet): {quotes}."
)
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)
# Word stores page size and margins in twentieths of a point: A4 is 11906 × 16838, 2.5 cm is 1417.
A4_TWIPS = (11906, 16838)
MARGIN_TWIPS = 1417
QUOTE_INDENT_CM = 1.0
# The reference number hangs in the margin of its entry, wide enough for "10.".
REFERENCE_HANG_CM = 0.9
NBSP = "\u00a0"
LANGUAGE = "sv-SE"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_ORDERED_ITEM = re.compile(r"(\d+)([.)]\s)")
_BULLET_ITEM = re.compile(r"[-+]\s")


def swedish_date(day: date) -> str:
    """ "29 november 2026": how a Swedish memo dates itself."""
    return "{} {} {}".format(day.day, MONTHS[day.month - 1], day.year)


def _md(text: str) -> str:
    """Corpus and user text taken literally: Markdown and HTML syntax in it is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_line(pieces: Sequence[str | int]) -> str:
    line = "".join(_md(p) if isinstance(p, str) else "[{}]".format(p) for p in pieces)
    # A line that happens to start like a list item ("4. AI-strategin …") is not one.
    number = _ORDERED_ITEM.match(line)
    if number:
        return number.group(1) + "\\" + line[len(number.group(1)) :]
    return "\\" + line if _BULLET_ITEM.match(line) else line


def _md_paragraph(paragraph: Paragraph) -> str:
    lines = [_md_line(pieces) for pieces in paragraph.lines]
    if paragraph.kind == "quote":
        return "\n>\n".join("> " + line for line in lines)
    if paragraph.kind == "part":
        return "### " + lines[0]
    return "\n".join(lines)


def provenance(items: Sequence[DraftItem], source: MemoSource) -> str:
    """The memo's line on how it was made and whether its quotes are the report's words."""
    # A passage the index no longer holds is compared with what its item remembers of it.
    altered = altered_quotes(items, Remembering(source, items))
    checked = ALTERED.format(n=len(altered), quotes=", ".join("«{}»".format(q) for q in altered)) if altered else CHECKED
    return COMPILED.format(tool=TOOL_NAME) + " " + checked


def draft_markdown(
    items: Sequence[DraftItem], source: MemoSource, title: str = DEFAULT_TITLE, today: date | None = None,
    with_notes: bool = False,
) -> str:
    """The draft as a Markdown memo with numbered references; the items' private notes only
    ``with_notes``."""
    memo = layout(items, source)
    blocks = ["# " + _md(title), swedish_date(today or date.today())]
    if items:
        blocks.append("*{}*".format(_md(provenance(items, source))))
    for item in memo.items:
        if item.heading:
            blocks.append("## " + _md(item.heading))
        blocks += [_md_paragraph(p) for p in item.paragraphs]
        if item.note and with_notes:
            blocks.append("*{}:* {}".format(NOTE_LABEL, _md(item.note)))
    if memo.references:
        blocks.append("## " + REFERENCES)
        blocks.append(
            "\n".join(
                "{}. {}".format(r.n, "".join("*{}*".format(_md(t)) if italic else _md(t) for t, italic in r.parts()))
                for r in memo.references
            )
        )
    return "\n\n".join(blocks) + "\n"


def _docx_text(text: str) -> str:
    # Word files cannot hold control characters other than tab and newline.
    return "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) != "Cc")


def _with_numbers(pieces: Sequence[str | int]) -> str:
    """A line's text with its reference numbers, each kept on the line of the word before it."""
    text = ""
    for piece in pieces:
        if isinstance(piece, int):
            text = text.rstrip(" ") + NBSP + "[{}]".format(piece)
        else:
            text += piece
    return text


def _styles(doc: Any) -> None:
    """A quotation indented as a block; reference numbers hanging beside their entries."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc.styles["Quote"].paragraph_format.left_indent = Cm(QUOTE_INDENT_CM)
    # The template's list numbering hangs 0.635 cm, too little for "10."; Word and LibreOffice
    # place the text after the number from the numbering level's own tab and indent.
    hang = str(Cm(REFERENCE_HANG_CM).twips)
    levels = doc.part.numbering_part.element.xpath('//w:abstractNum/w:lvl[w:pStyle/@w:val="ListNumber"]/w:pPr')
    for ppr in levels:
        for tab in ppr.xpath("./w:tabs/w:tab"):
            tab.set(qn("w:pos"), hang)
        for ind in ppr.xpath("./w:ind"):
            ind.set(qn("w:left"), hang)
            ind.set(qn("w:hanging"), hang)


def _page_setup(doc: Any) -> None:
    from docx.shared import Twips

    for section in doc.sections:
        section.page_width, section.page_height = Twips(A4_TWIPS[0]), Twips(A4_TWIPS[1])
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Twips(MARGIN_TWIPS))


def _swedish(doc: Any) -> None:
    """Spelling and hyphenation in Swedish for every style (the default template says en-US)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANGUAGE)


def _properties(doc: Any, title: str, author: str, now: datetime) -> None:
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.subject = props.keywords = props.comments = props.category = ""
    props.language = LANGUAGE
    props.created = props.modified = now
    props.revision = 1


def _docx_paragraph(doc: Any, paragraph: Paragraph) -> None:
    if paragraph.kind == "part":
        doc.add_heading(_docx_text("".join(str(p) for p in paragraph.lines[0])), level=2)
        return
    style = "Quote" if paragraph.kind == "quote" else "Normal"
    out = doc.add_paragraph(style=style)
    for i, pieces in enumerate(paragraph.lines):
        run = out.add_run(_docx_text(_with_numbers(pieces)))
        if i < len(paragraph.lines) - 1:
            run.add_break()


def memo_document(
    memo: Memo, title: str, author: str = "", now: datetime | None = None, made: str = "", with_notes: bool = False
) -> Any:
    """The laid-out memo as a python-docx Document; ``made``: its provenance line."""
    from docx import Document as WordDocument

    now = now or datetime.now(timezone.utc)
    doc = WordDocument()
    _page_setup(doc)
    _swedish(doc)
    _styles(doc)
    _properties(doc, title, author, now)
    doc.add_heading(_docx_text(title), level=0)
    doc.add_paragraph(swedish_date(now.date()))
    if made:
        doc.add_paragraph().add_run(_docx_text(made)).italic = True
    for item in memo.items:
        if item.heading:
            doc.add_heading(_docx_text(item.heading), level=1)
        for paragraph in item.paragraphs:
            _docx_paragraph(doc, paragraph)
        if item.note and with_notes:
            note = doc.add_paragraph()
            note.add_run(NOTE_LABEL + ": ").italic = True
            note.add_run(_docx_text(item.note))
    if memo.references:
        doc.add_heading(REFERENCES, level=1)
        for reference in memo.references:
            entry = doc.add_paragraph(style="List Number")
            for text, italic in reference.parts():
                entry.add_run(_docx_text(text)).italic = italic or None
    return doc


def draft_docx(
    items: Sequence[DraftItem], source: MemoSource, path: Path, title: str = DEFAULT_TITLE, author: str = "",
    now: datetime | None = None, with_notes: bool = False,
) -> Path:
    """Write the draft as a Word memo to ``path`` (parent folders are created) and return it;
    the items' private notes only ``with_notes``."""
    made = provenance(items, source) if items else ""
    doc = memo_document(layout(items, source), title, author, now, made, with_notes)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(path))
    except OSError as exc:
        raise ValueError("cannot write the memo to {}: {}; choose another file".format(path, exc.strerror or exc)) from None
    return path
