"""The draft memo: memo-wide reference numbers, renumbered answer markers, Markdown and DOCX."""

from __future__ import annotations

import pytest
from corpora import SAMVERKAN, STRATEGI
from docx import Document as WordDocument
from fakes import HashEmbedder, fake_index

from rag.config import load_settings
from rag.product.memo import DraftItem, draft_docx, draft_markdown, move
from rag.product.viewer import IndexedPassages
from rag.service import RagService
from rag.index.store import IndexDir
from rag.types import Answer, AnswerSentence, Citation

SAMVERKAN_P = "410e074efba71755"  # samverkan.txt, 1. Samverkan, line 5
STRATEGI_P = "376e239d11029646"  # strategi.txt, 1. Strategi, line 5
DATASKYDD_P = "3155e76bfcc6fb3c"  # strategi.txt, 2. Dataskydd, line 9


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("memo"), {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as s:
        yield s


@pytest.fixture(scope="module")
def generation(index):
    return IndexDir(index.index_dir).open_current()


def _answer(generation) -> Answer:
    """An answer quoting Dataskydd [1], Samverkan [2] and Strategi [3], as the answerer builds it."""
    by_passage = {}
    for s in generation.sentences:
        by_passage.setdefault(s.passage_id, []).append(s)
    picks = [(by_passage[DATASKYDD_P][0], 1), (by_passage[SAMVERKAN_P][1], 2), (by_passage[STRATEGI_P][0], 3)]
    source = {p.id: p.source for p in generation.passages}
    return Answer(
        question="Vad ska kommunen tänka på?",
        lang="sv",
        lead="Det här säger rapporten:",
        sentences=tuple(
            AnswerSentence(s.text, (n,), s.start, s.end, source[s.passage_id]) for s, n in picks
        ),
        citations=tuple(
            Citation(n, generation.by_id[pid]) for n, pid in enumerate((DATASKYDD_P, SAMVERKAN_P, STRATEGI_P), 1)
        ),
        hits=(),
        abstained=False,
    )


def _draft(generation) -> list[DraftItem]:
    return [
        DraftItem.from_passage(generation.by_id[SAMVERKAN_P], note="Exempel för <b>nämnden</b>"),
        DraftItem.from_answer(_answer(generation)),
    ]


MARKDOWN = """# Utkast till tjänsteskrivelse

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna för alla parter. [1]

*Anteckning:* Exempel för \\<b\\>nämnden\\</b\\>

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. [2] Gemensamma upphandlingar sänker kostnaderna för alla parter. [1] Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. [3]

## Referenser

- [1] Samverkan mellan kommuner – 1. Samverkan (samverkan.txt)
- [2] Strategi för AI – 2. Dataskydd (strategi.txt)
- [3] Strategi för AI – 1. Strategi (strategi.txt)
"""


def test_answer_item_keeps_its_citations_in_order(generation):
    item = DraftItem.from_answer(_answer(generation))

    assert item.text == (
        "Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. [1] "
        "Gemensamma upphandlingar sänker kostnaderna för alla parter. [2] "
        "Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. [3]"
    )
    assert item.citation_ids == (DATASKYDD_P, SAMVERKAN_P, STRATEGI_P)
    assert item.passage_ids == (DATASKYDD_P, SAMVERKAN_P, STRATEGI_P)
    assert DraftItem.from_answer(_answer(generation).to_dict()) == item


def test_markdown_memo_renumbers_answer_markers(generation):
    assert draft_markdown(_draft(generation), IndexedPassages(generation), title="Utkast till tjänsteskrivelse") == MARKDOWN


def test_service_works_as_target(index, generation):
    service = RagService(index, embedder=HashEmbedder(), notify=pytest.fail)

    assert draft_markdown(_draft(generation), service, title="Utkast till tjänsteskrivelse") == MARKDOWN


def test_docx_memo_has_the_same_paragraphs(generation, tmp_path):
    path = draft_docx(_draft(generation), IndexedPassages(generation), tmp_path / "memon" / "utkast.docx", title="Utkast")

    doc = WordDocument(str(path))
    assert [(p.style.name, p.text) for p in doc.paragraphs] == [
        ("Heading 1", "Utkast"),
        ("Normal", "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. "
         "Gemensamma upphandlingar sänker kostnaderna för alla parter. [1]"),
        ("Normal", "Anteckning: Exempel för <b>nämnden</b>"),
        ("Normal", "Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. [2] "
         "Gemensamma upphandlingar sänker kostnaderna för alla parter. [1] "
         "Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. [3]"),
        ("Heading 2", "Referenser"),
        ("Normal", "[1] Samverkan mellan kommuner – 1. Samverkan (samverkan.txt)"),
        ("Normal", "[2] Strategi för AI – 2. Dataskydd (strategi.txt)"),
        ("Normal", "[3] Strategi för AI – 1. Strategi (strategi.txt)"),
    ]
    assert [r.italic for r in doc.paragraphs[2].runs] == [True, None]


def test_edited_answer_that_lost_a_marker_still_cites_the_passage(generation):
    item = DraftItem.from_answer(_answer(generation))
    item.text = "Kommunen behöver en strategi. [3] Dataskyddet måste bedömas. [1]"

    memo = draft_markdown([item], IndexedPassages(generation))

    assert memo.split("\n\n")[1] == "Kommunen behöver en strategi. [1] Dataskyddet måste bedömas. [2] [3]"
    assert memo.endswith(
        "- [1] Strategi för AI – 1. Strategi (strategi.txt)\n"
        "- [2] Strategi för AI – 2. Dataskydd (strategi.txt)\n"
        "- [3] Samverkan mellan kommuner – 1. Samverkan (samverkan.txt)\n"
    )


def test_marker_without_citation_is_an_error_naming_the_item(generation):
    item = DraftItem.from_answer(_answer(generation))
    item.text += " Egen slutsats. [7]"

    with pytest.raises(ValueError, match=r"draft item 2: marker \[7\] points at no citation \(the item has 3\)"):
        draft_markdown([DraftItem.from_passage(generation.by_id[STRATEGI_P]), item], IndexedPassages(generation))


def test_brackets_in_passage_text_are_literal(generation):
    item = DraftItem(text="Se bilaga [2] och *fetstil*.", passage_ids=(DATASKYDD_P,))

    memo = draft_markdown([item], IndexedPassages(generation), title="# Rubrik")

    assert memo == (
        "# \\# Rubrik\n\n"
        "Se bilaga \\[2\\] och \\*fetstil\\*. [1]\n\n"
        "## Referenser\n\n"
        "- [1] Strategi för AI – 2. Dataskydd (strategi.txt)\n"
    )


def test_draft_without_items_has_no_references(generation):
    assert draft_markdown([], IndexedPassages(generation)) == "# Utkast\n"


def test_unknown_passage_is_named(generation):
    with pytest.raises(KeyError, match="0000000000000000"):
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


def test_item_round_trips_through_a_dict(generation):
    item = DraftItem.from_answer(_answer(generation), note="n")

    data = item.to_dict()

    assert data["passage_ids"] == [DATASKYDD_P, SAMVERKAN_P, STRATEGI_P]
    assert DraftItem.from_dict(data) == item


def test_real_answer_pins_with_its_citations(index):
    settings = load_settings(
        index_dir=index.index_dir, corpus_dir=index.corpus_dir, abstain_threshold=-10.0, abstain_specific_below=-10.0,
        answer_sentences=1,
    )
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    answer = service.ask("Vad gäller för dataskydd och personuppgifter i AI-system?")

    memo = draft_markdown([DraftItem.from_answer(answer)], service)

    assert [c.passage.id for c in answer.citations] == [DATASKYDD_P]
    assert memo == (
        "# Utkast\n\n"
        "Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. [1]\n\n"
        "## Referenser\n\n"
        "- [1] Strategi för AI – 2. Dataskydd (strategi.txt)\n"
    )
