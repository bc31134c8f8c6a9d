"""The memo: answers under their questions, cited sentences quoted with "…", a sentence pinned
twice shown once, complete references, A4 Word styles. Over a tiny FAKE-embedded report with
printed page numbers and a corpus manifest (publisher, title, year)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timezone

import pytest
from corpora import SAMVERKAN, STRATEGI
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Twips
from fakes import HashEmbedder, fake_index

from rag.config import load_settings
from rag.product.memo import DraftItem, move, passage_item
from rag.product.memo_export import draft_docx, draft_markdown, swedish_date
from rag.product.viewer import IndexedPassages
from rag.service import RagService
from rag.index.store import IndexDir
from rag.types import Answer, AnswerPart, AnswerSentence, Citation

RAPPORT = """Från insikt till handling

1. AI-strategin som grund

Kapitlet handlar om hur kommunerna arbetar med sina strategier för artificiell intelligens i praktiken.

Förankra strategin

Att ta fram en AI-strategi bör inte vara något som IT-enheten gör isolerat. Processen bör involvera politiker, förvaltningsledningar och fackliga representanter. Förankringen av en AI-strategi är avgörande. Strategin behöver följas upp varje år.
21



Ett verktyg för prioriteringar

En välformulerad AI-strategi måste vara konkret nog för att kunna användas i vardagen. Den hjälper kommunen att prioritera bland idéerna.
22



Utvärdera nyttan

Kommunen bör mäta nyttan av varje AI-tillämpning. Mätningen görs före och efter införandet.

Mät effekterna

""" + " ".join(
    "Effekt nummer {} av kommunens arbete med artificiell intelligens ska följas upp av förvaltningen "
    "tillsammans med verksamheten och redovisas för nämnden varje kvartal under hela året.".format(n)
    for n in ("ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta")
) + "\n"
PUBLISHER = "AI Sweden i samarbete med Göteborgs universitet"
MANIFEST = json.dumps(
    {"documents": [{"file": "rapport.txt", "title": "Från insikt till handling", "publisher": PUBLISHER, "year": 2025}]}
)
QUESTION = "Vilka bör vi bjuda in när vi tar fram vår AI-strategi?"
TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 9, 30, tzinfo=timezone.utc)
S1 = "Att ta fram en AI-strategi bör inte vara något som IT-enheten gör isolerat."
S2 = "Processen bör involvera politiker, förvaltningsledningar och fackliga representanter."
S4 = "Strategin behöver följas upp varje år."
VERKTYG_S1 = "En välformulerad AI-strategi måste vara konkret nog för att kunna användas i vardagen."
NBSP = "\u00a0"  # a reference number stays on the line of the word before it
REF = PUBLISHER + " (2025). Från insikt till handling. 1. AI-strategin som grund › "


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    files = {"rapport.txt": RAPPORT, "manifest.json": MANIFEST, "strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}
    with fake_index(tmp_path_factory.mktemp("memo"), files) as settings:
        yield settings


@pytest.fixture(scope="module")
def generation(index):
    return IndexDir(index.index_dir).open_current()


def passage(generation, section_end: str):
    return next(p for p in generation.passages if p.section.endswith(section_end))


def sentences(generation, section_end: str):
    pid = passage(generation, section_end).id
    return [s for s in generation.sentences if s.passage_id == pid]


def _answer(generation) -> Answer:
    """What the answerer gives: the first sentence as the lead, a recommendation under its part."""
    forankra, verktyg = sentences(generation, "Förankra strategin"), sentences(generation, "prioriteringar")
    picked = [(forankra[0], 1), (verktyg[0], 2)]
    return Answer(
        question=QUESTION,
        lang="sv",
        lead="",
        sentences=tuple(AnswerSentence(s.text, (n,), s.start, s.end, "rapport.txt", page=s.page) for s, n in picked),
        citations=(
            Citation(1, passage(generation, "Förankra strategin")),
            Citation(2, passage(generation, "prioriteringar")),
        ),
        hits=(),
        parts=(AnswerPart("lead", None, ((0,),)), AnswerPart("recommendations", "Rapportens råd", ((1,),))),
    )


def _spans(generation, section_end: str, *which: int) -> list[tuple[int, int]]:
    found = sentences(generation, section_end)
    return [(found[i].start, found[i].end) for i in which]


def _draft(generation) -> list[DraftItem]:
    forankra = passage(generation, "Förankra strategin").id
    return [
        DraftItem.from_answer(_answer(generation)),
        # Sentences 1, 2 and 4 cited; the answer above already quotes sentence 1.
        passage_item(IndexedPassages(generation), forankra, _spans(generation, "Förankra strategin", 0, 1, 3)),
        passage_item(IndexedPassages(generation), passage(generation, "Utvärdera nyttan").id, note="Till <b>nämnden</b>"),
    ]


MADE = (
    "Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar automatiskt "
    "ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten."
)
MARKDOWN = """# PM om AI-strategin

29 november 2026

*{}*

## Vilka bör vi bjuda in när vi tar fram vår AI-strategi?

> Att ta fram en AI-strategi bör inte vara något som IT-enheten gör isolerat. [1]

### Rapportens råd

> En välformulerad AI-strategi måste vara konkret nog för att kunna användas i vardagen. [2]

## Förankra strategin

> Processen bör involvera politiker, förvaltningsledningar och fackliga representanter. … Strategin behöver följas upp varje år. [1]

## Utvärdera nyttan

> Kommunen bör mäta nyttan av varje AI-tillämpning. Mätningen görs före och efter införandet. [3]

*Anteckning:* Till \\<b\\>nämnden\\</b\\>

## Referenser

1. AI Sweden i samarbete med Göteborgs universitet (2025). *Från insikt till handling*. 1. AI-strategin som grund › Förankra strategin, s. 21.
2. AI Sweden i samarbete med Göteborgs universitet (2025). *Från insikt till handling*. 1. AI-strategin som grund › Ett verktyg för prioriteringar, s. 22.
3. AI Sweden i samarbete med Göteborgs universitet (2025). *Från insikt till handling*. 1. AI-strategin som grund › Utvärdera nyttan, ca s. 23.
""".replace("{}", MADE)


def test_markdown_memo_quotes_under_questions_merges_and_references(generation):
    memo = draft_markdown(_draft(generation), IndexedPassages(generation), "PM om AI-strategin", TODAY, with_notes=True)
    assert memo == MARKDOWN


def test_a_private_note_is_exported_only_when_chosen(generation):
    memo = draft_markdown(_draft(generation), IndexedPassages(generation), "PM om AI-strategin", TODAY)

    assert memo == MARKDOWN.replace("*Anteckning:* Till \\<b\\>nämnden\\</b\\>\n\n", "")
    assert "nämnden" not in memo


def test_a_quote_changed_in_the_draft_is_named_in_the_memo(generation):
    items = _draft(generation)
    items[2] = dataclasses.replace(items[2], text=items[2].text.replace("varje AI-tillämpning", "alla AI-projekt"))

    memo = draft_markdown(items, IndexedPassages(generation), "PM", TODAY)

    assert memo.split("\n\n")[2] == (
        "*Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar automatiskt "
        "ur rapporten. Citaten har kontrollerats mot rapportens text vid exporten: 1 stämmer inte ordagrant med den "
        "(ändrade i utkastet): «Kommunen bör mäta nyttan av alla AI-projekt. Mätningen görs före och efter införandet.».*"
    )


def test_service_works_as_target(index, generation):
    service = RagService(index, embedder=HashEmbedder(), notify=pytest.fail)

    assert draft_markdown(_draft(generation), service, "PM om AI-strategin", TODAY, with_notes=True) == MARKDOWN


def test_pinned_answer_keeps_its_question_parts_and_markers(generation):
    item = DraftItem.from_answer(_answer(generation))
    forankra, verktyg = passage(generation, "Förankra strategin").id, passage(generation, "prioriteringar").id

    assert (item.kind, item.heading) == ("answer", QUESTION)
    assert item.text == "> " + S1 + " [1]\n\n### Rapportens råd\n\n> " + VERKTYG_S1 + " [2]"
    assert item.citation_ids == (forankra, verktyg)
    assert [(q.passage_id, q.text) for q in item.quotes] == [(forankra, S1), (verktyg, VERKTYG_S1)]
    assert DraftItem.from_answer(_answer(generation).to_dict()) == item
    assert DraftItem.from_dict(item.to_dict()) == item


def test_an_english_answer_keeps_its_lead_above_the_swedish_quotes(generation):
    answer = dataclasses.replace(_answer(generation), lang="en", lead="What the report says, quoted from the Swedish original:")

    item = DraftItem.from_answer(answer)

    assert item.text.split("\n\n")[:2] == ["What the report says, quoted from the Swedish original:", "> " + S1 + " [1]"]


def test_a_generated_answer_is_the_models_text_not_a_quotation(generation):
    answer = dataclasses.replace(
        _answer(generation), mode="generative", parts=(),
        sentences=(AnswerSentence("Kommunen bör bjuda in politiker och fack.", (1,)),),
    )

    item = DraftItem.from_answer(answer)

    assert (item.text, item.quotes) == ("Kommunen bör bjuda in politiker och fack. [1]", ())


def test_a_follow_up_is_headed_by_the_question_as_understood(generation):
    answer = _answer(generation).to_dict()
    answer["standalone_question"] = "Apropå ”Hur börjar vi?”: vilka bör vi bjuda in?"

    assert DraftItem.from_answer(answer).heading == "Apropå ”Hur börjar vi?”: vilka bör vi bjuda in?"


def test_cited_sentences_are_quoted_with_an_ellipsis_where_text_is_left_out(generation):
    forankra = passage(generation, "Förankra strategin")

    item = passage_item(IndexedPassages(generation), forankra.id, _spans(generation, "Förankra strategin", 0, 3))

    assert item.text == "> " + S1 + " … " + S4 + " [1]"
    assert (item.kind, item.heading, item.citation_ids) == ("passage", "Förankra strategin", (forankra.id,))
    assert passage_item(IndexedPassages(generation), forankra.id).text == "> " + forankra.text + " [1]"


def test_a_passage_whose_sentences_an_answer_shows_is_left_out(generation):
    forankra = passage(generation, "Förankra strategin").id
    cited = passage_item(IndexedPassages(generation), forankra, _spans(generation, "Förankra strategin", 0))
    items = [cited, DraftItem.from_answer(_answer(generation))]

    memo = draft_markdown(items, IndexedPassages(generation), "PM", TODAY)

    assert memo.count(S1) == 1
    assert memo.split("\n\n")[3:5] == ["## " + QUESTION, "> " + S1 + " [1]"]
    assert "## Förankra strategin" not in memo


def test_docx_is_a4_with_word_styles_properties_and_references(generation, tmp_path):
    path = draft_docx(
        _draft(generation), IndexedPassages(generation), tmp_path / "memon" / "pm.docx", "PM om AI-strategin", now=NOW,
        with_notes=True,
    )

    doc = WordDocument(str(path))
    section = doc.sections[0]
    assert (section.page_width, section.page_height) == (7560310, 10692130)  # 210 × 297 mm as Word stores it
    assert [section.left_margin, section.right_margin, section.top_margin, section.bottom_margin] == [Twips(1417)] * 4
    assert section.left_margin == 899795  # 2.5 cm
    props = doc.core_properties
    assert (props.title, props.author, props.last_modified_by, props.language) == ("PM om AI-strategin", "", "", "sv-SE")
    assert props.created == NOW
    assert [(p.style.name, p.text) for p in doc.paragraphs] == [
        ("Title", "PM om AI-strategin"),
        ("Normal", "29 november 2026"),
        ("Normal", MADE),
        ("Heading 1", QUESTION),
        ("Quote", S1 + NBSP + "[1]"),
        ("Heading 2", "Rapportens råd"),
        ("Quote", VERKTYG_S1 + NBSP + "[2]"),
        ("Heading 1", "Förankra strategin"),
        ("Quote", S2 + " … " + S4 + NBSP + "[1]"),
        ("Heading 1", "Utvärdera nyttan"),
        ("Quote", "Kommunen bör mäta nyttan av varje AI-tillämpning. Mätningen görs före och efter införandet." + NBSP + "[3]"),
        ("Normal", "Anteckning: Till <b>nämnden</b>"),
        ("Heading 1", "Referenser"),
        ("List Number", REF + "Förankra strategin, s. 21."),
        ("List Number", REF + "Ett verktyg för prioriteringar, s. 22."),
        ("List Number", REF + "Utvärdera nyttan, ca s. 23."),
    ]
    reference = doc.paragraphs[13]
    assert [(r.text, r.italic) for r in reference.runs] == [
        (PUBLISHER + " (2025). ", None),
        ("Från insikt till handling", True),
        (". 1. AI-strategin som grund › Förankra strategin, s. 21.", None),
    ]
    assert [r.italic for r in doc.paragraphs[1 + 1].runs] == [True]  # the provenance line
    assert [r.italic for r in doc.paragraphs[11].runs] == [True, None]
    assert doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == ["sv-SE"]
    assert doc.styles["Quote"].paragraph_format.left_indent == Twips(567)  # 1 cm
    # The reference number hangs 0.9 cm (510 twips), room for "10.".
    hang = doc.part.numbering_part.element.xpath('//w:lvl[w:pStyle/@w:val="ListNumber"]/w:pPr/w:ind')[0]
    assert (hang.get(qn("w:left")), hang.get(qn("w:hanging"))) == ("510", "510")


def test_docx_author_is_the_one_given(generation, tmp_path):
    path = draft_docx(_draft(generation)[:1], IndexedPassages(generation), tmp_path / "pm.docx", "PM", author="Anna Andersson", now=NOW)

    props = WordDocument(str(path)).core_properties
    assert (props.author, props.last_modified_by) == ("Anna Andersson", "Anna Andersson")


def test_two_passages_of_one_section_on_one_page_are_one_reference(generation):
    parts = [p for p in generation.passages if p.section.endswith("Mät effekterna")]
    items = [passage_item(IndexedPassages(generation), p.id) for p in parts]

    memo = draft_markdown(items, IndexedPassages(generation), "PM", TODAY)

    assert len(parts) == 2
    assert [line[-4:] for line in memo.split("\n") if line.startswith("> ")] == [" [1]", " [1]"]
    assert memo.endswith("## Referenser\n\n1. " + _ref_md("Mät effekterna, ca s. 23.") + "\n")


def test_swedish_date_line():
    assert [swedish_date(date(2026, m, d)) for m, d in ((1, 5), (3, 1), (11, 29), (12, 31))] == [
        "5 januari 2026", "1 mars 2026", "29 november 2026", "31 december 2026"
    ]


def test_a_file_without_publisher_is_referenced_by_its_title_and_section(generation):
    strategi = next(p for p in generation.passages if p.source == "strategi.txt" and p.section.endswith("Dataskydd"))

    memo = draft_markdown([passage_item(IndexedPassages(generation), strategi.id)], IndexedPassages(generation), "PM", TODAY)

    assert memo.endswith("## Referenser\n\n1. *Strategi för AI*. 2. Dataskydd.\n")
    assert "strategi.txt" not in memo


def test_edited_answer_that_lost_a_marker_still_cites_the_passage(generation):
    item = DraftItem.from_answer(_answer(generation))
    item.text = "Processen ska vara bred. [2] Se även rådet."

    memo = draft_markdown([item], IndexedPassages(generation), "PM", TODAY)

    assert memo.split("\n\n")[4] == "Processen ska vara bred. [1] Se även rådet. [2]"
    assert memo.endswith(
        "1. " + _ref_md("Ett verktyg för prioriteringar, s. 22.") + "\n2. " + _ref_md("Förankra strategin, s. 21.") + "\n"
    )


def _ref_md(where: str) -> str:
    return PUBLISHER + " (2025). *Från insikt till handling*. 1. AI-strategin som grund › " + where


def test_marker_without_citation_is_an_error_naming_the_item(generation):
    item = DraftItem.from_answer(_answer(generation))
    item.text += " Egen slutsats. [7]"

    with pytest.raises(ValueError, match=r"draft item 2: marker \[7\] points at no citation \(the item has 2\)"):
        draft_markdown([passage_item(IndexedPassages(generation), passage(generation, "nyttan").id), item], IndexedPassages(generation))


def test_brackets_and_list_starts_in_text_are_literal(generation):
    item = DraftItem(text="Se bilaga [2] och *fetstil*.\n\n4. Inte en lista", passage_ids=(passage(generation, "nyttan").id,))

    memo = draft_markdown([item], IndexedPassages(generation), title="# Rubrik", today=TODAY)

    assert memo.split("\n\n")[:5] == ["# \\# Rubrik", "29 november 2026", "*" + MADE + "*", "Se bilaga \\[2\\] och \\*fetstil\\*.", "4\\. Inte en lista [1]"]


def test_draft_without_items_has_title_and_date_only(generation):
    assert draft_markdown([], IndexedPassages(generation), today=TODAY) == "# Utkast\n\n29 november 2026\n"


def test_unknown_passage_is_named_with_its_part(generation):
    with pytest.raises(ValueError, match="^del 1 citerar avsnittet 0000000000000000, som inte längre finns i rapportens index"):
        draft_markdown([DraftItem("Text", ("0000000000000000",))], IndexedPassages(generation))


def test_docx_to_an_unwritable_place_names_the_file(generation, tmp_path):
    blocker = tmp_path / "fil"
    blocker.write_text("x", encoding="utf-8")

    with pytest.raises(ValueError, match="cannot write the memo to .*fil/utkast.docx"):
        draft_docx(_draft(generation), IndexedPassages(generation), blocker / "utkast.docx")


def test_move_reorders_and_clamps():
    a, b, c = (DraftItem(t, ()) for t in "abc")

    assert move([a, b, c], 2, -1) == [a, c, b]
    assert move([a, b, c], 0, 1) == [b, a, c]
    assert move([a, b, c], 0, -5) == [a, b, c]
    assert move([a, b, c], 1, 9) == [a, c, b]
    with pytest.raises(IndexError, match="draft has 3 items; there is no item 3"):
        move([a, b, c], 3, -1)


def test_real_answer_pins_under_its_question(index):
    settings = load_settings(
        index_dir=index.index_dir, corpus_dir=index.corpus_dir, decline_below=-10.0, partial_below=-10.0,
        answer_sentences=1,
    )
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    answer = service.ask("Vad gäller för dataskydd och personuppgifter i AI-system?")

    memo = draft_markdown([DraftItem.from_answer(answer)], service, today=TODAY)

    assert memo == (
        "# Utkast\n\n29 november 2026\n\n*" + MADE + "*\n\n"
        "## Vad gäller för dataskydd och personuppgifter i AI-system?\n\n"
        "Ur «Strategi för AI», ett annat dokument än rapporten:\n\n"
        "> Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. [1]\n\n"
        "## Referenser\n\n"
        "1. *Strategi för AI*. 2. Dataskydd.\n"
    )
