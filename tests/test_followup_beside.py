"""A follow-up about what the previous answer said is often answered by the passage beside one the
previous turn ranked first: retrieval searches the previous turn again (``Query.previous``) and lifts
the passages just before and after its first ones in the same section (``TopicParts.beside``,
``BESIDE_WEIGHT``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from fakes import HashEmbedder, fake_index

from rag.answering.retrieval import BESIDE_TOP, BESIDE_WEIGHT, TopicFusion, TopicParts
from rag.service import RagService
from rag.types import Turn

# At chunk_chars=200 every paragraph is a passage of its own.
STYRNING = """Rapport om styrning

1. Styrgrupp

Kommuner behöver en styrgrupp för AI som samordnar arbetet mellan förvaltningarna och följer upp varje projekt.

Annars växer spridda initiativ fram i organisationen, med dubbelarbete, otydliga mandat och långsam utveckling som följd.

Kommundirektören utser därför en samordnare med mandat att prioritera mellan satsningarna och fördela resurserna.

Gruppen möts varje månad och redovisar sina beslut för kommunstyrelsen i en kort skriftlig rapport om läget.

2. Data

En styrgrupp för data ser till att registren hålls rena, dokumenterade och möjliga att dela mellan kommunerna.

3. Kultur

Medarbetare som får pröva verktygen själva blir mindre rädda för förändring och ser snabbare vad som fungerar.
"""
FIRST = "Varför behöver kommuner en styrgrupp för AI som samordnar arbetet?"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("beside")
    with fake_index(root, {"styrning.txt": STYRNING}, chunk_chars=200, decline_below=-10.0, partial_below=-10.0) as settings:
        yield RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def _starts(service, rows) -> list[str]:
    return [service.generation.passages[int(i)].text[:12] for i in rows]


def test_every_paragraph_is_a_passage(service):
    assert _starts(service, range(len(service.generation.passages))) == [
        "Kommuner beh", "Annars växer", "Kommundirekt", "Gruppen möts", "En styrgrupp", "Medarbetare "]


def test_a_follow_up_carries_the_previous_turn_as_understood_a_question_alone_none(service):
    alone = service.retrieve(FIRST).query
    follow = service.retrieve("Vad leder det till?", history=[Turn(FIRST)]).query
    third = service.retrieve("Och vem gör det?", history=[Turn(FIRST), Turn("Vad leder det till?")]).query

    assert alone.previous is None
    assert follow.previous.standalone == FIRST and follow.previous.previous is None
    np.testing.assert_allclose(follow.previous.search_vector, alone.search_vector)
    assert third.previous.text == "Vad leder det till?" and third.previous.previous.standalone == FIRST


def test_the_passages_beside_the_previous_turns_first_ones_are_marked(service):
    query = service.retrieve("Vad leder det till?", history=[Turn(FIRST)]).query
    first = [h.passage.text[:12] for h in service.retrieve(FIRST).hits]
    one = service.retriever.topic_parts(query, beside_top=1)
    three = service.retriever.topic_parts(query)

    assert first[:3] == ["Kommuner beh", "En styrgrupp", "Kommundirekt"]
    # beside "Kommuner behöver …"; then beside "Kommundirektören …" too, not the first passages
    # themselves, and nothing beside the data passage, alone in its section
    assert _starts(service, one.candidates[one.beside == 1]) == ["Annars växer"]
    assert _starts(service, three.candidates[three.beside == 1]) == ["Annars växer", "Gruppen möts"]
    assert service.retriever.topic_parts(replace(query, previous=None)).beside is None


def test_the_beside_weight_is_added_to_the_marked_candidates_only():
    parts = TopicParts(np.arange(3), np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3), np.ones(3, dtype=bool),
                       beside=np.array([0.0, 1.0, 0.0]))

    np.testing.assert_allclose(parts.scores(0.5, TopicFusion()), [0.0, 1.25, 0.0])
    np.testing.assert_allclose(parts.scores(0.5, TopicFusion(beside_weight=0.0)), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(replace(parts, beside=None).scores(0.5, TopicFusion()), [0.0, 0.0, 0.0])
    assert (BESIDE_TOP, BESIDE_WEIGHT) == (3, 1.25)


def test_the_tuning_table_reads_the_beside_weight():
    from evals.tune_followup_retrieval import IN_USE, Example, table_of

    d = np.array([1.0, 0.5, 0.0])
    parts = TopicParts(np.arange(3), d, np.zeros(3), d, np.zeros(3), np.ones(3, dtype=bool),
                       beside=np.array([0.0, 0.0, 1.0]))
    prepared = [(Example("dev.jsonl", "c#2", "Vad leder det till?", ()), parts, np.array([False, False, True]), False)]

    # 0.4 * d + 0.5 * d = [0.9, 0.45, 0]: the neighbour third; with 1.25 added to it, first
    np.testing.assert_allclose(table_of(prepared, [IN_USE])[:, 0], [[1 / 3, 1.0]])
    np.testing.assert_allclose(table_of(prepared, [IN_USE], beside=1.25)[:, 0], [[1.0, 1.0]])


def test_the_neighbours_move_up_in_a_follow_ups_ranking(service):
    question, history = "Vad leder det till?", [Turn(FIRST)]
    retriever = service.retriever
    saved = retriever.topic_fusion
    retriever.topic_fusion = TopicFusion(beside_weight=0.0)
    try:
        without = [h.passage.text[:12] for h in service.retrieve(question, history=history).hits]
    finally:
        retriever.topic_fusion = saved

    assert [h.passage.text[:12] for h in service.retrieve(question, history=history).hits] == [
        "Kommuner beh", "Gruppen möts", "En styrgrupp", "Annars växer", "Kommundirekt"]
    # the reason ("Annars växer …") last without the term, fourth with it
    assert without == ["Kommuner beh", "En styrgrupp", "Gruppen möts", "Kommundirekt", "Annars växer"]
