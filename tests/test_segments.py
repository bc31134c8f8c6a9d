"""Large files are repaired and chunked a segment at a time; the passages still map to exact
spans of the whole file, keep their section across a cut and get ids unique in the file."""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import pytest
from fakes import HashEmbedder

import rag.index.ingest
from rag.index.chunking import build_passages
from rag.index.ingest import ingest
from rag.index.loaders import load_document
from rag.index.segments import FilePassages, segments, split_document
from rag.index.store import IndexDir

PARAGRAPH = "Kommunen behöver en tydlig plan för arbetet med AI i verksamheten nummer {}. Planen följs upp varje år."


def _document(chapters: int = 3, paragraphs: int = 12, crlf: bool = False) -> str:
    parts = ["Stor rapport om AI\n"]
    for c in range(1, chapters + 1):
        parts.append("\n{}. Kapitel {}\n".format(c, c))
        for p in range(paragraphs):
            parts.append("\n" + PARAGRAPH.format(c * 100 + p) + "\n")
    text = "".join(parts)
    return text.replace("\n", "\r\n") if crlf else text


def _f32(rows: list[list[float]]) -> list[list[float]]:
    return np.asarray(rows, dtype=np.float32).tolist()


def _placed(path, max_chars: int, chunk_chars: int = 300):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    placed = FilePassages(chunk_chars)
    passages, sentences = [], []
    for segment in segments(path, path.parent, digest, max_chars=max_chars):
        p, s = placed.place(segment)
        passages += p
        sentences += s
    return passages, sentences


@pytest.mark.parametrize("crlf", [False, True])
def test_segmented_passages_map_to_exact_spans_of_the_whole_file(tmp_path, crlf):
    path = tmp_path / "stor.txt"
    path.write_bytes(_document(crlf=crlf).encode("utf-8"))
    text = load_document(path).text

    passages, sentences = _placed(path, max_chars=700)

    assert len(list(segments(path, tmp_path, "x", max_chars=700))) > 5
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    assert len({p.id for p in passages}) == len(passages)
    for p in passages:
        assert text[p.start : p.end].split() == p.text.split()
    for s in sentences:
        assert text[s.start : s.end] == s.text
    assert {s.passage_id for s in sentences} == {p.id for p in passages}
    # A cut inside chapter 2 does not move its later paragraphs back to the document's title.
    assert [p.section for p in passages if "nummer 211" in p.text] == ["2. Kapitel 2"]
    assert {p.section for p in passages} == {"1. Kapitel 1", "2. Kapitel 2", "3. Kapitel 3"}


def test_a_streamed_file_gives_what_the_same_text_split_in_memory_gives(tmp_path):
    path = tmp_path / "stor.txt"
    path.write_text(_document(), encoding="utf-8")
    doc = load_document(path, tmp_path)
    placed = FilePassages(300)
    in_memory = [p for segment in split_document(doc, 700) for p in placed.place(segment)[0]]

    streamed, _ = _placed(path, max_chars=700)

    assert streamed == in_memory


def test_a_file_of_one_segment_is_chunked_exactly_as_before(tmp_path):
    path = tmp_path / "liten.txt"
    path.write_text(_document(), encoding="utf-8")

    passages, sentences = _placed(path, max_chars=1_000_000, chunk_chars=300)

    assert (passages, sentences) == build_passages(load_document(path, tmp_path), 300)


def test_a_pdf_is_cut_between_pages_and_keeps_its_page_numbers(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for page in range(1, 7):
        pdf.add_page()
        pdf.cell(text="{}. Avsnitt {}".format(page, page), new_x="LMARGIN", new_y="NEXT")
        pdf.ln()
        pdf.cell(text="Kommunen redovisar arbetet pa sidan {} varje kvartal till namnden.".format(page),
                 new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "sidor.pdf"
    pdf.output(str(path))
    doc = load_document(path)

    parts = list(split_document(doc, 200))
    placed = FilePassages(300)
    sentences = [s for part in parts for s in placed.place(part)[1]]

    assert len(parts) > 2
    assert {part.offset for part in parts} <= {page.start for page in doc.pages}
    said = [s for s in sentences if "redovisar" in s.text]
    assert [doc.page_at(s.start) for s in said] == [1, 2, 3, 4, 5, 6]
    # The spans are the source's ("pa", before the repair made it "på").
    assert ["pa sidan {} ".format(n) in doc.text[s.start : s.end] for n, s in enumerate(said, 1)] == [True] * 6


def test_ingest_of_a_file_larger_than_a_segment_keeps_every_passage_with_its_vectors(settings, monkeypatch):
    monkeypatch.setattr(rag.index.ingest, "segments", functools.partial(segments, max_chars=700))
    path = settings.corpus_dir / "stor.txt"
    path.write_text(_document(), encoding="utf-8")
    embedder = HashEmbedder()

    report = ingest(settings, embedder=embedder, progress=False)

    gen = IndexDir(settings.index_dir).open_current()
    assert report.passages == len(gen.passages) == gen.manifest.files["stor.txt"]["passages"]
    assert gen.vectors.shape == (len(gen.passages), 64)
    assert gen.sentence_vectors.shape == (len(gen.sentences), 64)
    assert report.embedded == embedder.texts_embedded
    assert gen.vectors.tolist() == _f32(embedder.embed_documents([rag.index.ingest.embed_text(p) for p in gen.passages]))
    assert gen.sentence_vectors.tolist() == _f32(embedder.embed_documents([s.text for s in gen.sentences]))
    text = path.read_text(encoding="utf-8")
    assert all(text[p.start : p.end].split() == p.text.split() for p in gen.passages)
