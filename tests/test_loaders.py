"""Loaders: exact text and offsets from real files, and a clear LoaderError for every bad one."""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from rag.index.loaders import SUPPORTED_SUFFIXES, LoaderError, discover, load_document
from rag.types import Page

PAGE_ONE = ["Första sidan: nyttorealisering", "Åtgärder för kommunen"]
PAGE_TWO = ["Andra sidan: tjänsteskrivelse"]


def _pdf(pages: list[list[str]], title: str | None = None, **encryption) -> FPDF:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    if encryption:
        pdf.set_encryption(**encryption)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return pdf


def _write_pdf(path: Path, pages: list[list[str]], **kwargs) -> Path:
    path.write_bytes(bytes(_pdf(pages, **kwargs).output()))
    return path


@pytest.fixture
def two_page_pdf(tmp_path: Path) -> Path:
    return _write_pdf(tmp_path / "rapport.pdf", [PAGE_ONE, PAGE_TWO], title="Från insikt")


def test_pdf_pages_are_joined_with_form_feed_and_spans_tile_the_text(two_page_pdf: Path):
    doc = load_document(two_page_pdf)

    page_one = "Första sidan: nyttorealisering\nÅtgärder för kommunen"
    page_two = "Andra sidan: tjänsteskrivelse"
    assert doc.text == page_one + "\f" + page_two
    n1 = len(page_one) + 1  # the form feed ends page 1
    assert doc.pages == (Page(1, 0, n1), Page(2, n1, n1 + len(page_two)))
    assert doc.text[doc.pages[0].start : doc.pages[0].end] == page_one + "\f"
    assert doc.text[doc.pages[1].start : doc.pages[1].end] == page_two
    assert doc.title == "Från insikt"
    assert doc.sha256 == hashlib.sha256(two_page_pdf.read_bytes()).hexdigest()


def test_page_at_boundaries(two_page_pdf: Path):
    doc = load_document(two_page_pdf)
    form_feed = doc.text.index("\f")

    assert doc.page_at(0) == 1
    assert doc.page_at(form_feed - 1) == 1
    assert doc.page_at(form_feed) == 1
    assert doc.page_at(form_feed + 1) == 2
    assert doc.page_at(len(doc.text) - 1) == 2
    assert doc.page_at(len(doc.text)) == 2
    assert doc.page_at(len(doc.text) + 1) is None


def test_pdf_without_metadata_title_has_no_title(tmp_path: Path):
    doc = load_document(_write_pdf(tmp_path / "a.pdf", [PAGE_TWO]))
    assert doc.title is None
    assert doc.pages == (Page(1, 0, len(doc.text)),)


def test_blank_middle_page_keeps_its_number(tmp_path: Path):
    doc = load_document(_write_pdf(tmp_path / "a.pdf", [["Ett"], [], ["Tre"]]))

    assert doc.text == "Ett\f\fTre"
    assert doc.pages == (Page(1, 0, 4), Page(2, 4, 5), Page(3, 5, 8))
    assert doc.page_at(doc.text.index("Tre")) == 3


def test_encrypted_pdf_with_user_password_is_refused(tmp_path: Path):
    path = _write_pdf(
        tmp_path / "hemlig.pdf", [PAGE_ONE], owner_password="owner", user_password="secret"
    )
    with pytest.raises(LoaderError) as info:
        load_document(path)

    assert "hemlig.pdf" in str(info.value)
    assert "encrypted" in str(info.value)
    assert "remove the password" in str(info.value)
    assert info.value.path == str(path)


def test_encrypted_pdf_with_empty_user_password_loads(tmp_path: Path):
    path = _write_pdf(tmp_path / "skyddad.pdf", [PAGE_TWO], owner_password="owner")
    assert load_document(path).text == "Andra sidan: tjänsteskrivelse"


def _aes_pdf(tmp_path: Path, user_password: str) -> Path:
    """A real AES-256 encrypted PDF written by pypdf's own writer."""
    from pypdf import PdfReader, PdfWriter

    plain = _write_pdf(tmp_path / "plain.pdf", [PAGE_ONE, PAGE_TWO])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password="ägare", algorithm="AES-256")
    path = tmp_path / "aes.pdf"
    writer.write(path)
    return path


def test_aes_encrypted_pdf_with_only_an_owner_password_loads(tmp_path: Path):
    doc = load_document(_aes_pdf(tmp_path, user_password=""))

    assert doc.text == load_document(tmp_path / "plain.pdf").text
    assert [p.number for p in doc.pages] == [1, 2]


def test_aes_encrypted_pdf_with_a_user_password_gets_the_encrypted_message(tmp_path: Path):
    path = _aes_pdf(tmp_path, user_password="hemligt")

    with pytest.raises(LoaderError) as info:
        load_document(path)

    assert info.value.reason == "encrypted; remove the password and ingest again"


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda good: good[: len(good) // 2], id="truncated"),
        pytest.param(lambda good: bytes(range(256)) * 8, id="random-bytes"),
        pytest.param(lambda good: b"", id="empty-file"),
    ],
)
def test_corrupt_pdf_is_not_readable(tmp_path: Path, two_page_pdf: Path, corrupt, caplog):
    path = tmp_path / "trasig.pdf"
    path.write_bytes(corrupt(two_page_pdf.read_bytes()))

    with caplog.at_level(logging.WARNING), pytest.raises(LoaderError) as info:
        load_document(path)

    assert str(info.value).startswith(f"{path}: not a readable PDF (")
    assert "re-export or repair it" in str(info.value)
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert logging.getLogger("pypdf").level == logging.NOTSET


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_only_pdf_has_no_text_layer(tmp_path: Path):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 80, 40, style="F")
    pdf.image(io.BytesIO(_png_bytes()), x=20, y=80, w=30)
    path = tmp_path / "skannad.pdf"
    path.write_bytes(bytes(pdf.output()))

    with pytest.raises(LoaderError) as info:
        load_document(path)

    assert "skannad.pdf" in str(info.value)
    assert "no text layer" in str(info.value)
    assert "ocrmypdf" in str(info.value)


def test_pdf_with_zero_pages_is_refused(tmp_path: Path):
    from pypdf import PdfWriter

    path = tmp_path / "tom.pdf"
    with path.open("wb") as out:
        PdfWriter().write(out)

    with pytest.raises(LoaderError, match="has no pages"):
        load_document(path)


def test_text_file_keeps_crlf_so_offsets_match_the_file(tmp_path: Path):
    raw = "Rubrik\r\n\r\nFörsta stycket.\r\nAndra raden.\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(raw.encode("utf-8"))

    doc = load_document(path)

    assert doc.text == raw
    start = doc.text.index("Andra")
    assert doc.text[start : start + len("Andra raden.")] == "Andra raden."
    assert doc.title == "Rubrik"
    assert doc.pages == ()
    assert doc.page_at(0) is None


def test_utf8_bom_is_dropped_and_offsets_start_after_it(tmp_path: Path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf# \xc3\x85tg\xc3\xa4rder\n\nText.")

    doc = load_document(path)

    assert doc.text == "# Åtgärder\n\nText."
    assert doc.title == "Åtgärder"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_cp1252_swedish_text_is_decoded_with_a_warning(tmp_path: Path, caplog):
    text = "Nyttorealisering i kommunen – “så här gör vi”.\nÅtgärd och följd."
    path = tmp_path / "windows.txt"
    path.write_bytes(text.encode("cp1252"))

    with caplog.at_level(logging.WARNING, logger="rag.index.loaders"):
        doc = load_document(path)

    assert doc.text == text
    assert any("windows.txt" in r.getMessage() and "Windows-1252" in r.getMessage()
               for r in caplog.records)


def test_non_utf8_without_swedish_letters_is_refused(tmp_path: Path):
    path = tmp_path / "okand.txt"
    path.write_bytes(b"abc\x81def")

    with pytest.raises(LoaderError) as info:
        load_document(path)

    assert str(info.value) == (
        f"{path}: not UTF-8 (byte 0x81 at offset 3); save it as UTF-8 and ingest again"
    )


def test_utf16_text_is_refused_with_a_hint(tmp_path: Path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Åtgärd".encode("utf-16"))
    with pytest.raises(LoaderError, match="UTF-16 text; save it as UTF-8"):
        load_document(path)


@pytest.mark.parametrize("content", [b"", b"  \r\n\t\n"], ids=["empty", "whitespace"])
def test_empty_text_file_is_refused(tmp_path: Path, content: bytes):
    path = tmp_path / "tom.txt"
    path.write_bytes(content)
    with pytest.raises(LoaderError) as info:
        load_document(path)
    assert str(info.value).startswith(f"{path}: empty")


def test_long_first_line_title_is_capped(tmp_path: Path):
    path = tmp_path / "lang.txt"
    path.write_text("\n\n   " + "x" * 300 + "\nmer", encoding="utf-8")
    assert load_document(path).title == "x" * 120


def test_unsupported_suffix_is_refused(tmp_path: Path):
    path = tmp_path / "rapport.docx"
    path.write_bytes(b"PK")
    with pytest.raises(LoaderError) as info:
        load_document(path)
    assert str(info.value) == (
        f"{path}: unsupported file type .docx; supported: .txt, .md, .pdf (save it as PDF or text to index it)"
    )


def test_missing_file_is_a_loader_error(tmp_path: Path):
    with pytest.raises(LoaderError, match="no such file"):
        load_document(tmp_path / "saknas.txt")


def test_source_is_relative_inside_corpus_and_absolute_outside(tmp_path: Path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    inside = corpus / "sub" / "a.txt"
    inside.write_text("Hej", encoding="utf-8")
    outside = tmp_path / "b.txt"
    outside.write_text("Hej", encoding="utf-8")

    assert load_document(inside, corpus_dir=corpus).source == "sub/a.txt"
    assert load_document(inside, corpus_dir=corpus).path == str(inside.resolve())
    assert load_document(outside, corpus_dir=corpus).source == outside.resolve().as_posix()
    assert load_document(outside).source == outside.resolve().as_posix()


def test_discover_expands_folders_and_keeps_explicit_files(tmp_path: Path):
    root = tmp_path / "corpus"
    for rel in [
        "b.txt",
        "a.md",
        "sub/c.PDF",
        "sub/deeper/d.txt",
        ".hidden.txt",
        ".git/e.txt",
        "notes.docx",
        "manifest.json",
        "README.md",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x", encoding="utf-8")
    explicit = tmp_path / "extra.docx"
    explicit.write_text("x", encoding="utf-8")

    found = discover([root, explicit, root / "b.txt"])

    assert found == [
        root / "a.md",
        root / "b.txt",
        root / "sub" / "c.PDF",
        root / "sub" / "deeper" / "d.txt",
        explicit,
    ]


def test_discover_missing_path_raises(tmp_path: Path):
    missing = tmp_path / "finns-inte"
    with pytest.raises(LoaderError) as info:
        discover([missing])
    assert str(missing) in str(info.value)
    assert "no such file or folder" in str(info.value)


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".pdf")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("Kommunen behöver en strategi.\n".encode("utf-16-le"),
         "UTF-16LE text without a byte order mark; save it as UTF-8 and ingest again"),
        ("Kommunen behöver en strategi.\n".encode("utf-16-be"),
         "UTF-16BE text without a byte order mark; save it as UTF-8 and ingest again"),
        (b"Kommunen\x00\x01\x02 bin\xc3\xa4r",
         "has a NUL byte at offset 8, so it is not a text file; save it as UTF-8 text"),
    ],
)
def test_text_with_nul_bytes_is_refused_as_what_it_is(tmp_path: Path, data: bytes, reason: str):
    path = tmp_path / "text.txt"
    path.write_bytes(data)

    with pytest.raises(LoaderError) as info:
        load_document(path)

    assert info.value.reason == reason
