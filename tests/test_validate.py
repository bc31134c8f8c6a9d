"""Validation of generated answers: sentence splitting, markers, invalid-marker removal, support."""

from __future__ import annotations

import numpy as np
import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

from rag.answering.messages import MESSAGES

ABSTAIN = MESSAGES["decline.weak_evidence"]
from rag.lexical import terms
from rag.index.store import IndexDir
from rag.types import Hit
from rag.answering.validate import (
    LEXICAL_WEIGHT,
    DraftSentence,
    SupportScorer,
    is_abstention,
    parse_markers,
    split_draft,
    strip_markers,
    validate,
)


@pytest.fixture(scope="module")
def generation(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("validate"), {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as s:
        yield IndexDir(s.index_dir).open_current()


@pytest.fixture(scope="module")
def hits(generation):
    """[1] the strategy passage, [2] the data protection passage, [3] the cooperation passage."""
    by_section = {p.section: p for p in generation.passages}
    order = ["1. Strategi", "2. Dataskydd", "1. Samverkan"]
    return [Hit(by_section[s], rank, 1.0) for rank, s in enumerate(order, 1)]


@pytest.fixture(scope="module")
def scorer(generation):
    return SupportScorer(generation, HashEmbedder())


def test_markers_single_and_grouped():
    assert parse_markers("a [1] b [2, 3] c [4;5] d [ 6 ] e [x] f [12]") == [1, 2, 3, 4, 5, 6, 12]
    assert parse_markers("[2-4] [1, 3–4] [1-40] [5-2]") == [2, 3, 4, 1, 3, 4, 1, 40, 5, 2]
    assert strip_markers("Strategin beslutas av fullmäktige [1, 2] .") == "Strategin beslutas av fullmäktige."


def test_sentences_keep_their_markers_wherever_the_model_put_them():
    raw = (
        "Kommunen behöver en strategi [1]. Den beslutas av fullmäktige. [2]\n"
        "[3]\n"
        "\n"
        "**Tolkning och råd:** Börja smått [1, 2]. Ta hjälp av grannkommunen."
    )
    assert split_draft(raw) == [
        DraftSentence("Kommunen behöver en strategi.", (1,), False),
        DraftSentence("Den beslutas av fullmäktige.", (2, 3), False),
        DraftSentence("Börja smått.", (1, 2), True),
        DraftSentence("Ta hjälp av grannkommunen.", (), True),
    ]


def test_label_on_its_own_line_and_list_items():
    raw = "**Vad rapporten säger:**\n- Strategin behövs [1].\n- Dataskydd gäller [2].\n\nInterpretation and advice:\nStart small [1]."
    assert split_draft(raw) == [
        DraftSentence("Strategin behövs.", (1,), False),
        DraftSentence("Dataskydd gäller.", (2,), False),
        DraftSentence("Start small.", (1,), True),
    ]


def test_abstention_is_recognised_in_either_language():
    assert is_abstention(ABSTAIN["sv"], "sv")
    assert is_abstention("  The report does not cover this.  ", "en")
    assert not is_abstention("Rapporten tar inte upp det här [1].", "sv")
    assert not is_abstention("Kommunen behöver en strategi.", "sv")


def test_a_quoted_sentence_is_fully_supported_and_an_invalid_marker_is_removed(hits, scorer):
    raw = "Strategin beslutas av kommunfullmäktige efter en bred dialog [1]. Alla får glass [9]."

    checked = validate(raw, hits, "sv", scorer, threshold=0.6)

    assert checked.invalid == (9,)
    assert checked.cited == (1,)
    first, second = checked.sentences
    assert (first.text, first.citations, first.supported) == (
        "Strategin beslutas av kommunfullmäktige efter en bred dialog.", (1,), True
    )
    assert first.support == pytest.approx(1.0, abs=1e-6)
    # [9] pointed at nothing, so the sentence cites nothing and has no support at all.
    assert (second.text, second.citations, second.supported, second.support) == ("Alla får glass.", (), False, 0.0)
    assert (checked.report_sentences, checked.report_supported, checked.supported_share) == (2, 1, 0.5)


def test_a_sentence_citing_the_wrong_passage_scores_low(hits, scorer, generation):
    sentence = "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna."
    right, wrong = scorer.score([sentence, sentence], [[hits[2].passage.id], [hits[0].passage.id]])

    assert right == pytest.approx(1.0, abs=1e-6)
    own = set(terms(sentence))
    strategy_terms = generation.passage_terms[generation.passages.index(hits[0].passage)]
    assert scorer.lexical(sentence, [hits[0].passage.id]) == len(own & strategy_terms) / len(own)
    vector = np.asarray(HashEmbedder().embed_documents([sentence])[0], dtype=np.float32)
    expected = LEXICAL_WEIGHT * len(own & strategy_terms) / len(own) + (1 - LEXICAL_WEIGHT) * scorer.dense(
        vector, [hits[0].passage.id]
    )
    assert wrong == pytest.approx(expected)
    assert wrong < 0.6 < right


def test_interpretation_is_labelled_and_kept_out_of_the_report_share(hits, scorer):
    raw = (
        "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna [3].\n"
        "Tolkning och råd: Glass är gott [1]."
    )

    checked = validate(raw, hits, "sv", scorer, threshold=0.6)

    assert [s.text for s in checked.sentences] == [
        "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna.",
        "Tolkning och råd: Glass är gott.",
    ]
    assert [s.supported for s in checked.sentences] == [True, False]
    assert (checked.report_sentences, checked.report_supported, checked.supported_share) == (1, 1, 1.0)
    assert checked.cited == (3, 1)
