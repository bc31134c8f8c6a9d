"""The passage viewer: context, highlighted sentences, line/page locations and safe HTML."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from corpora import SAMVERKAN, STRATEGI
from corpora_context import LEDNING_1, LEDNING_2, SAKERHET, VAGLEDNING
from fakes import HashEmbedder, fake_index
from fpdf import FPDF

from rag.index.chunking import build_passages
from rag.index.rows import Places
from rag.config import PROJECT_ROOT, load_settings
from rag.index.ingest import ingest
from rag.index.loaders import load_document
from rag.service import RagService
from rag.index.store import IndexDir
from rag.product.viewer import PassageView, passage_html, passage_view


@pytest.fixture(scope="module")
def context_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("viewer")
    (root / "corpus").mkdir()
    (root / "corpus" / "rapport.txt").write_text(VAGLEDNING, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.upper().startswith("RAG_"):
                mp.delenv(key)
        settings = load_settings(index_dir=root / "index", corpus_dir=root / "corpus", chunk_chars=200)
        ingest(settings, embedder=HashEmbedder(), progress=False)
        yield settings


@pytest.fixture(scope="module")
def generation(context_index):
    return IndexDir(context_index.index_dir).open_current()


def test_passage_in_context_with_highlighted_sentence(generation):
    # The second sentence of the chapter's second passage, as an answer sentence carries it.
    view = passage_view(generation, LEDNING_2, highlight=[(275, 332)])

    assert view.passage.id == LEDNING_2
    assert view.passage.section == "1. Ledning"
    assert view.before == "Kommunen bör börja med ett litet och tydligt avgränsat projekt."
    assert view.after == ""
    assert view.highlights == ((63, 120),)
    assert view.passage.text[63:120] == "Resultaten ska följas upp mot de mål som sattes i början."
    assert (view.location, view.line_start, view.line_end) == ("", 9, 12)
    assert view.title == "Vägledning för AI"


def test_line_numbers_are_those_of_the_source_file(generation, context_index):
    lines = (context_index.corpus_dir / "rapport.txt").read_text(encoding="utf-8").split("\n")
    view = passage_view(generation, LEDNING_1)

    assert (view.location, view.line_start, view.line_end) == ("", 5, 8)
    assert lines[4].startswith("Ledningen behöver")
    assert lines[7].startswith("Kommunen bör börja")
    assert view.before == ""
    assert view.after == "Ett lyckat första projekt bygger förtroende hos medarbetarna."
    assert view.highlights == ()


def test_highlight_marks_every_overlapping_sentence_and_nothing_else(generation):
    # One span touching the end of sentence 1 and the start of sentence 2 marks both; a span of
    # another passage's text marks nothing.
    both = passage_view(generation, LEDNING_1, highlight=[(80, 95)])
    none = passage_view(generation, LEDNING_1, highlight=[(212, 273)])

    assert both.highlights == ((0, 58), (59, 115))
    assert none.highlights == ()


def test_a_single_line_passage_and_the_next_section_is_not_context(generation):
    view = passage_view(generation, SAKERHET)

    assert (view.location, view.line_start, view.line_end) == ("", 16, 16)
    assert (view.before, view.after) == ("", "")


def test_unknown_passage_id_is_named(generation):
    with pytest.raises(KeyError, match="deadbeefdeadbeef"):
        passage_view(generation, "deadbeefdeadbeef")


def test_service_method_gives_the_same_view(context_index, generation):
    service = RagService(context_index, embedder=HashEmbedder(), notify=pytest.fail)

    assert service.passage_view(LEDNING_2, [(275, 332)]) == passage_view(generation, LEDNING_2, [(275, 332)])


def test_changed_source_file_shows_no_line_numbers(tmp_path):
    with fake_index(tmp_path, {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as settings:
        generation = IndexDir(settings.index_dir).open_current()
        (settings.corpus_dir / "samverkan.txt").write_text("Ny text\n" + SAMVERKAN, encoding="utf-8")

        view = passage_view(generation, "410e074efba71755")

    # No pages were stored for this text; its offsets are never shown to a person.
    assert (view.location, view.line_start, view.line_end) == ("", None, None)
    assert view.title == "Samverkan mellan kommuner"


def test_html_escapes_corpus_markup(generation):
    html = passage_html(passage_view(generation, SAKERHET, highlight=[(401, 486)]))

    assert html == (
        '<div class="passage-view" data-passage-id="57eb02c5b6072dcc" lang="sv">\n'
        '<div class="passage-head">Vägledning för AI · 2. Säkerhet</div>\n'
        '<p class="passage-text"><mark class="cited">Texten &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; '
        "och &lt;img src=x onerror=&quot;alert(1)&quot;&gt; visas som text.</mark></p>\n"
        "</div>"
    )


def test_html_of_a_passage_with_context_and_paragraphs(generation):
    html = passage_html(passage_view(generation, LEDNING_2, highlight=[(212, 273)]))

    assert html == (
        '<div class="passage-view" data-passage-id="25278651247fa899" lang="sv">\n'
        '<div class="passage-head">Vägledning för AI · 1. Ledning</div>\n'
        '<p class="passage-context">Kommunen bör börja med ett litet och tydligt avgränsat projekt.</p>\n'
        '<p class="passage-text"><mark class="cited">Ett lyckat första projekt bygger förtroende hos '
        "medarbetarna.</mark><br>\n<br>\nResultaten ska följas upp mot de mål som sattes i början. "
        "Uppföljningen visar om nyttan blev den som var tänkt.</p>\n"
        "</div>"
    )


def test_html_escapes_title_section_and_context():
    evil = "<img src=x onerror=alert(1)>"
    passage = SimpleNamespace(id="p<1>", text="a & b", section=evil, source="<b>.txt")
    view = PassageView(passage, evil, "<script>x</script>", ((0, 1),), "rad 1", 1, 1, evil)

    html = passage_html(view)

    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 3
    assert '<p class="passage-context">&lt;script&gt;x&lt;/script&gt;</p>' in html
    assert '<p class="passage-text"><mark class="cited">a</mark> &amp; b</p>' in html


def _three_page_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.set_title("Rapport om AI")
    # pypdf drops blank lines, so page breaks are what separate blocks here: a heading page, then
    # a paragraph that breaks off mid-sentence and goes on in lower case on the next page.
    pages = [
        ["1. Inledning"],
        ["Kommunerna behöver en gemensam plan för hur AI ska", "införas i"],
        ["verksamheten och hur nyttan ska följas upp över tid.", "Planen ska ses över varje år."],
    ]
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_pdf_location_is_the_page_range(tmp_path, settings):
    _three_page_pdf(settings.corpus_dir / "rapport.pdf")
    ingest(settings, embedder=HashEmbedder(), progress=False)
    generation = IndexDir(settings.index_dir).open_current()

    views = [passage_view(generation, p.id) for p in generation.passages]

    assert [(v.passage.text, v.location, v.line_start) for v in views] == [
        (
            "Kommunerna behöver en gemensam plan för hur AI ska införas i verksamheten och hur nyttan "
            "ska följas upp över tid. Planen ska ses över varje år.",
            "s. 2–3",
            None,
        )
    ]
    assert views[0].title == "Rapport om AI"


REPORT = PROJECT_ROOT / "corpus" / "fran-insikt-till-handling-ai-sweden-2025.txt"


def test_page_and_line_range_in_the_shipped_report():
    """Real report, real chunker: the passage quoted by dev-001 runs over lines 565-585, on page 22
    of the published report (pages 12 and 33 are printed around it, so the count is exact)."""
    doc = dataclasses.replace(load_document(REPORT, REPORT.parent), ocr=True)  # as the corpus manifest marks it
    passages, sentences = build_passages(doc, 1200)
    generation = SimpleNamespace(
        manifest=SimpleNamespace(files={doc.source: {"path": doc.path, "sha256": doc.sha256, "title": "Från insikt till handling"}}),
        passages=passages,
        sentences=sentences,
        by_id={p.id: p for p in passages},
        sentences_of={p.id: [i for i, s in enumerate(sentences) if s.passage_id == p.id] for p in passages},
        places=Places.of(passages),
    )
    lines = doc.text.split("\n")

    # The id hashes the repaired text, so it changes with the OCR repair; the span does not.
    quoted, = [p for p in passages if p.start <= 26675 < p.end]
    view = passage_view(generation, quoted.id, highlight=[(26675, 26847)])

    assert view.passage.section == (
        "4. AI-strategin som grund för AI-användning › Använd strategin för att samordna och förankra"
    )
    assert (view.location, view.line_start, view.line_end) == ("s. 22", 565, 585)
    assert lines[564].startswith("Ett tydligt temaiintervjuerna")
    assert lines[584].startswith("implementering.")
    (start, end), = view.highlights
    assert view.passage.text[start:end].startswith("Istället bör processen involvera breda grupper")
    assert view.after == "Det är viktigt att skapa en vägledande koalition — en grupp med tillräcklig makt och bredd som driver förändringen."
