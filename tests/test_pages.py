"""Pages of the published report from an OCR text's printed page numbers and page breaks."""

from __future__ import annotations

from rag.index.chunking import build_passages
from rag.locations import citation_label, page_label
from rag.index.pages import printed_pages
from rag.types import Document, Page, PageSpan

# Body lines are report-length so that no paragraph reads as a heading.
BODY = "Kommunen arbetar med digitalisering i hela den kommunala organisationen.\n"
OCR = (
    " 1. Inledning\n\n"  # estimated page 2: before the first printed number
    + BODY
    + "\n\n\n"
    + BODY  # page 3, printed below
    + "\n3\n\n\n\n"
    + BODY  # page 4: between printed 3 and 6, with two more breaks: exact
    + " Nästa sida börjar med ett mellanslag i den här texten.\n"  # page 5
    + "\n\n\n"
    + BODY  # page 6, printed below
    + "\n6\n\n\n\n"
    + BODY  # page 7: after the last printed number, estimated
)


def _starts(text: str, needle: str, occurrence: int = 0) -> int:
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    return at


def test_pages_are_counted_from_the_printed_numbers_and_marked_where_estimated():
    pages = printed_pages(OCR)

    assert [(p.number, p.estimated) for p in pages] == [
        (2, True), (3, False), (4, False), (5, False), (6, False), (7, True)
    ]
    assert pages[0].start == 0 and pages[-1].end == len(OCR)
    assert all(a.end == b.start for a, b in zip(pages, pages[1:]))
    assert pages[2].start == _starts(OCR, BODY, 2)
    assert pages[3].start == OCR.index(" Nästa sida")


def test_breaks_that_disagree_with_the_printed_numbers_are_interpolated_as_estimates():
    # Printed 3 and 9 with only one break between them: the pages between are estimates.
    text = BODY + "\n3\n\n\n\n" + BODY + "\n\n\n" + BODY + "\n9\n"
    assert [(p.number, p.estimated) for p in printed_pages(text)] == [(3, False), (6, True), (9, False)]


def test_text_without_printed_page_numbers_has_no_pages():
    assert printed_pages(BODY + "\n\n\n" + BODY) == ()


def test_passages_and_sentences_carry_their_page():
    doc = Document(source="r.txt", path="r.txt", text=OCR, sha256="0" * 64, pages=printed_pages(OCR), ocr=True)
    passages, sentences = build_passages(doc, max_chars=200)

    assert [(p.page, p.page_end, p.page_estimated) for p in passages] == [
        (2, 3, True), (4, 5, False), (6, 7, True)
    ]
    assert [(s.page, s.page_estimated) for s in sentences] == [
        (2, True), (3, False), (4, False), (5, False), (6, False), (7, True)
    ]


def test_location_labels_in_swedish_and_english():
    assert page_label(PageSpan(17, 17)) == "s. 17"
    assert page_label(PageSpan(17, 18)) == "s. 17–18"
    assert page_label(PageSpan(20, 20, estimated=True)) == "ca s. 20"
    assert page_label(PageSpan(17, 18), "en") == "pp. 17–18"
    assert page_label(PageSpan(20, 20, estimated=True), "en") == "approx. p. 20"
    assert page_label(None) == ""
    section = "4. AI-strategin som grund för AI-användning › Juridiken måste gå i takt med strategin"
    assert citation_label(section, PageSpan(21, 21)) == section + ", s. 21"
    assert citation_label(section, None) == section


def test_a_pdf_page_span_is_never_an_estimate():
    doc = Document("a.pdf", "a.pdf", "ett\ftvå", "0" * 64, pages=(Page(1, 0, 4), Page(2, 4, 7)))
    assert doc.page_span(0, 7) == PageSpan(1, 2, False)
