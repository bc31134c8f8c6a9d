"""A follow-up's retrieval: its own words and its conversation's topic scored apart and mixed, the
topic weighing more when the follow-up names no topic of its own, and a passage must be close to both."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import HashEmbedder, fake_index

from rag.answering.followup import as_follow_up
from rag.answering.followup_signals import says_little
from rag.answering.query import TOPIC_SHARE, TOPIC_SHARE_SAYS_LITTLE, QueryBuilder
from rag.answering.retrieval import TopicFusion, TopicParts
from rag.config import load_settings
from rag.service import RagService
from rag.types import Turn

ETIK = """Etik och ansvar

1. Etik

Etiska frågor i AI-projekt kräver eftertanke om integritet och rättvisa. Ansvaret för etiken vilar på personerna som arbetar i projekten, gärna med stöd av en etisk kommitté.

2. Nyttorealisering

Ansvaret för nyttorealiseringen ligger hos verksamhetschefen, som följer upp att nyttan uppnås.

3. Upphandling

Kommunen upphandlar AI-system tillsammans med grannkommunerna och ställer krav på leverantören.
"""


def _parts(own_dense, topic_dense, own_lexical, topic_lexical):
    n = len(own_dense)
    return TopicParts(np.arange(n), np.array(own_dense), np.array(own_lexical), np.array(topic_dense),
                      np.array(topic_lexical), np.ones(n, dtype=bool))


def test_scores_mix_own_and_topic_by_the_share_and_add_the_smaller_dense_score():
    parts = _parts(own_dense=[1.0, -1.0], topic_dense=[-0.5, 2.0], own_lexical=[0.0, 1.0], topic_lexical=[1.0, 0.0])

    got = parts.scores(0.25, TopicFusion(dense_weight=0.4, both_weight=0.5))

    # passage 0: dense 0.75*1 + 0.25*-0.5 = 0.625, lexical 0.25, both -0.5
    # passage 1: dense 0.75*-1 + 0.25*2 = -0.25, lexical 0.75, both -1.0
    np.testing.assert_allclose(got, [0.4 * 0.625 + 0.6 * 0.25 - 0.25, 0.4 * -0.25 + 0.6 * 0.75 - 0.5])


def test_a_passage_close_to_only_one_of_the_two_loses_to_one_close_to_both():
    # 0: the follow-up's words only; 1: the topic only; 2: a little of both
    parts = _parts(own_dense=[2.0, -1.0, 0.8], topic_dense=[-1.0, 2.0, 0.8], own_lexical=[0, 0, 0],
                   topic_lexical=[0, 0, 0])

    assert int(np.argmax(parts.scores(0.5, TopicFusion(dense_weight=1.0, both_weight=0.5)))) == 2
    # without the "close to both" term the three tie on the mix: the order is the candidates'
    np.testing.assert_allclose(parts.scores(0.5, TopicFusion(dense_weight=1.0, both_weight=0.0)), [0.5, 0.5, 0.8])


@pytest.mark.parametrize(
    "question, little",
    [
        ("Why is that?", True),
        ("Can you give an example?", True),
        ("Och vem ska ansvara för det?", True),
        ("Vilka risker finns med den projektbaserade formen?", False),
        ("What about smaller municipalities?", False),
    ],
)
def test_says_little_when_the_follow_up_names_no_topic_of_its_own(question, little):
    assert says_little(question) is little


def test_the_topic_weighs_more_in_a_follow_up_that_says_little():
    builder = QueryBuilder(HashEmbedder(), frozenset())
    history = [Turn("Vad säger rapporten om etik i AI-projekten?")]

    assert builder.build("Och vem ska ansvara för det?", history).topic.share == TOPIC_SHARE_SAYS_LITTLE
    assert builder.build("Vilka risker finns med den projektbaserade formen?", history).topic.share == TOPIC_SHARE


def test_as_follow_up_reads_a_question_with_the_previous_turn_as_its_topic_whatever_detection_says():
    got = as_follow_up("Skiljer sig situationen mellan större och mindre kommuner?", [Turn("Vad är AI-huset?")])

    assert got.topic.standalone == "Vad är AI-huset?"
    assert got.standalone == "Skiljer sig situationen mellan större och mindre kommuner?"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("topic"), {"etik.txt": ETIK}) as s:
        settings = load_settings(index_dir=s.index_dir, corpus_dir=s.corpus_dir, decline_below=-10.0,
                                 partial_below=-10.0)
        yield RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def test_who_is_responsible_after_a_question_on_ethics_finds_the_ethics_passage(service):
    first = "Vad säger rapporten om etik i AI-projekten?"

    follow = service.retrieve("Och vem ska ansvara för det?", history=[Turn(first)])
    alone = service.retrieve("Vem ska ansvara för det?")

    assert follow.hits[0].passage.section == "1. Etik"
    assert alone.hits[0].passage.section == "2. Nyttorealisering"  # the words alone find the other responsibility


def test_a_follow_up_searched_in_a_section_finds_only_that_sections_passages(service):
    history = [Turn("Vad säger rapporten om etik i AI-projekten?")]

    scoped = service.retrieve("Och vem ska ansvara för det?", section="3", history=history)

    assert [h.passage.section for h in scoped.hits] == ["3. Upphandling"]
