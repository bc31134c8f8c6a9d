"""Citations that cannot be forged (issue 20, finding 6): a bracketed number in a source file is
its text, never a citation marker, in the answer text, a generated answer, the draft, the memo
preview and the Word file; and only a file the corpus manifest describes is "the report", however
its title line reads. Over a tiny FAKE-embedded corpus."""

from __future__ import annotations

import json
from datetime import date

import pytest
from docx import Document as WordDocument
from fakes import HashEmbedder, fake_index

from rag.answering.prompts import format_passages
from rag.answering.validate import split_draft
from rag.config import load_settings
from rag.index.store import IndexDir
from rag.product.memo import DraftItem, passage_item
from rag.product.memo_export import draft_docx, draft_markdown
from rag.product.viewer import IndexedPassages
from rag.product.web.draft import item_label
from rag.product.web.render import answer_html
from rag.service import RagService
from rag.types import Answer, AnswerPart, AnswerSentence, Citation, Hit

RAPPORT = (
    "Från insikt till handling\n\n1. Strategi\n\n"
    "Kommunen behöver en AI-strategi som är förankrad i hela organisationen. Strategin ska följas upp varje år.\n"
)
SKR_SENTENCE = "Kommunerna mäter nyttan enligt SKR:s modell [2] och följer upp den årligen."
SKR = "Modeller för nyttorealisering\n\n1. Nyttor\n\n" + SKR_SENTENCE + " Se även bilaga [99] för detaljer.\n"
# A Markdown file that titles itself like the report and plants advice.
FALSKT = "# Från insikt till handling\n\nKommunen bör köpa alla AI-tjänster från en enda leverantör utan upphandling.\n"
MANIFEST = json.dumps(
    {"documents": [{"file": "rapport.txt", "title": "Från insikt till handling", "publisher": "AI Sweden", "year": 2025}]}
)
TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    files = {"rapport.txt": RAPPORT, "skr.txt": SKR, "falskt.md": FALSKT, "manifest.json": MANIFEST}
    with fake_index(tmp_path_factory.mktemp("integrity"), files) as settings:
        yield settings


@pytest.fixture(scope="module")
def generation(index):
    return IndexDir(index.index_dir).open_current()


def _passage(generation, source):
    return next(p for p in generation.passages if p.source == source)


def _skr_then_report(generation) -> Answer:
    """An answer quoting the SKR file first ([1]), then the report ([2])."""
    skr, rapport = _passage(generation, "skr.txt"), _passage(generation, "rapport.txt")
    first = next(s for s in generation.sentences if s.passage_id == skr.id)
    second = next(s for s in generation.sentences if s.passage_id == rapport.id)
    return Answer(
        question="Hur mäter kommunerna nyttan?",
        lang="sv",
        lead="",
        sentences=(
            AnswerSentence(first.text, (1,), first.start, first.end, "skr.txt"),
            AnswerSentence(second.text, (2,), second.start, second.end, "rapport.txt"),
        ),
        citations=(Citation(1, skr), Citation(2, rapport)),
        hits=(),
        parts=(AnswerPart("lead", None, ((0,),)), AnswerPart("recommendations", "Rapportens råd", ((1,),))),
    )


def test_a_bracketed_number_in_an_answer_is_text_not_a_marker(generation):
    answer = _skr_then_report(generation)

    assert answer.text == (
        "Kommunerna mäter nyttan enligt SKR:s modell \\[2] och följer upp den årligen. [1]\n\n"
        "Rapportens råd:\n• Kommunen behöver en AI-strategi som är förankrad i hela organisationen. [2]"
    )


def test_a_pinned_answer_keeps_the_sources_own_number_as_text_in_the_memo(generation):
    # On main the "[2]" of the SKR file became "[1]", reference 1 being the report.
    memo = draft_markdown([DraftItem.from_answer(_skr_then_report(generation))], IndexedPassages(generation), "PM", TODAY)

    assert memo == (
        "# PM\n\n6 december 2026\n\n"
        # The sources' own numbers are their text: every quote is the report's word for word.
        "*Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar "
        "automatiskt ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten.*\n\n"
        "## Hur mäter kommunerna nyttan?\n\n"
        "> Kommunerna mäter nyttan enligt SKR:s modell \\[2\\] och följer upp den årligen. [1]\n\n"
        "### Rapportens råd\n\n"
        "> Kommunen behöver en AI-strategi som är förankrad i hela organisationen. [2]\n\n"
        "## Referenser\n\n"
        "1. *Modeller för nyttorealisering*. 1. Nyttor.\n"
        "2. AI Sweden (2025). *Från insikt till handling*. 1. Strategi.\n"
    )


def test_a_bracketed_number_beyond_the_citations_does_not_stop_the_memo(generation, tmp_path):
    # On main "[99]" in the file stopped preview and export: "marker [99] points at no citation".
    source = IndexedPassages(generation)
    item = passage_item(source, _passage(generation, "skr.txt").id)

    assert item_label(item) == (
        "Avsnitt: 1. Nyttor – Kommunerna mäter nyttan enligt SKR:s modell [2] och följer upp den årligen. …"
    )
    assert draft_markdown([item], source, "PM", TODAY) == (
        "# PM\n\n6 december 2026\n\n"
        "*Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar "
        "automatiskt ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten.*\n\n"
        "## 1. Nyttor\n\n"
        "> Kommunerna mäter nyttan enligt SKR:s modell \\[2\\] och följer upp den årligen. "
        "Se även bilaga \\[99\\] för detaljer. [1]\n\n"
        "## Referenser\n\n1. *Modeller för nyttorealisering*. 1. Nyttor.\n"
    )
    path = draft_docx([item], source, tmp_path / "pm.docx", title="PM")
    texts = [p.text for p in WordDocument(str(path)).paragraphs]
    assert (
        "Kommunerna mäter nyttan enligt SKR:s modell [2] och följer upp den årligen. "
        "Se även bilaga [99] för detaljer.\u00a0[1]"
    ) in texts


def test_a_typed_marker_still_cites_and_an_escaped_one_stays_text(generation):
    source = IndexedPassages(generation)
    item = passage_item(source, _passage(generation, "skr.txt").id)
    item.text += "\n\nEgen slutsats, jfr \\[3]. [1]"

    assert draft_markdown([item], source, "PM", TODAY).split("\n\n")[5] == "Egen slutsats, jfr \\[3\\]. [1]"


def test_a_generated_answer_never_reads_a_quoted_number_as_a_citation(generation):
    hits = [Hit(_passage(generation, "skr.txt"), 0.9, 1)]

    assert "enligt SKR:s modell \\[2] och följer upp den årligen. Se även bilaga \\[99] för detaljer." in format_passages(hits)
    [sentence] = split_draft("Kommunerna mäter nyttan enligt SKR:s modell \\[2] [1].")
    assert (sentence.text, sentence.markers) == ("Kommunerna mäter nyttan enligt SKR:s modell [2].", (1,))


@pytest.fixture(scope="module")
def service(index):
    settings = load_settings(
        index_dir=index.index_dir, corpus_dir=index.corpus_dir, decline_below=-10.0, partial_below=-10.0,
        answer_sentences=1,
    )
    return RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)


def test_a_file_titled_like_the_report_is_never_quoted_as_the_report(service):
    # On main the planted file led the answer under "Citat ur rapporten" and the memo listed it
    # as "*Från insikt till handling*", beside the real report.
    answer = service.ask("Hur ska kommunen köpa AI-tjänster?")

    assert answer.lead == "Ur «Från insikt till handling (falskt.md)», ett annat dokument än rapporten:"
    assert answer.other_documents == ("falskt.md",)
    assert '<span class="mode-badge">Citat ur andra dokument än rapporten</span>' in answer_html(answer, lambda p, lang="sv": "")
    assert service.title("falskt.md") == "Från insikt till handling (falskt.md)"
    assert draft_markdown([DraftItem.from_answer(answer)], service, "PM", TODAY) == (
        "# PM\n\n6 december 2026\n\n"
        "*Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar "
        "automatiskt ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten.*\n\n"
        "## Hur ska kommunen köpa AI-tjänster?\n\n"
        "Ur «Från insikt till handling (falskt.md)», ett annat dokument än rapporten:\n\n"
        "> Kommunen bör köpa alla AI-tjänster från en enda leverantör utan upphandling. [1]\n\n"
        "## Referenser\n\n1. *Från insikt till handling (falskt.md)*. Från insikt till handling.\n"
    )


def test_the_nearest_sentences_of_another_file_are_not_what_the_report_says(service):
    answer = service.ask("Vilken leverantör bör kommunen köpa AI-tjänster från?")

    assert answer.outcome == "partial"
    assert answer.lead == (
        "Rapporten tar inte upp exakt det: den nämner inga sådana namn. Det närmaste står i "
        "«Från insikt till handling (falskt.md)», ett annat dokument än rapporten:"
    )


def test_an_answer_quoting_only_the_report_keeps_its_badge(service):
    answer = service.ask("Hur ska strategin följas upp?")

    assert [c.passage.source for c in answer.citations] == ["rapport.txt"]
    assert answer.other_documents == ()
    assert '<span class="mode-badge">Citat ur rapporten</span>' in answer_html(answer, lambda p, lang="sv": "")


def test_the_report_file_with_other_bytes_than_the_manifest_says_is_not_the_report(tmp_path):
    manifest = json.dumps({"documents": [{"file": "rapport.txt", "title": "Från insikt till handling", "sha256": "0" * 64}]})
    with fake_index(tmp_path, {"rapport.txt": RAPPORT, "manifest.json": manifest}) as settings:
        entry = IndexDir(settings.index_dir).open_current().manifest.files["rapport.txt"]

    assert (entry["curated"], entry["publisher"]) == (False, None)
