"""A follow-up asking for an example is answered with a case: retrieval lifts the passages that tell
one (``TopicParts.fits``, ``FORM_WEIGHT``) and the answer quotes the cases first (``CASES_FIRST``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from fakes import HashEmbedder, fake_index

from rag.answering import sentence_kinds as kinds
from rag.answering.answer import ExtractiveAnswerer
from rag.answering.retrieval import FORM_TERM_FORMS, FORM_WEIGHT, TopicFusion, TopicParts
from rag.answering.selection import CASES_FIRST, answers_form, select
from rag.config import load_settings
from rag.service import RagService
from rag.types import Turn

SKALA = """Rapport om försök

1. Liten skala

Kommuner bör pröva AI i liten skala först, eftersom små försök i liten skala lär organisationen mycket. Försök i liten skala gör risker synliga tidigt.

2. Risker

Risker med AI i liten skala hanteras bäst när försöken följs upp av verksamheten.

3. Erfarenheter

I en kommun tog det bara några timmar att testa en språkmodell på ett påhittat beslutsunderlag.

4. Mått

Nyttan kan mätas på flera sätt, till exempel med kortare handläggningstider och nöjdare brukare.

5. Workshops

Flera kommuner har ordnat workshops om försök med AI tillsammans med medarbetarna.
"""
FIRST = "Varför ska kommuner pröva AI i liten skala?"


@pytest.mark.parametrize(
    "text, grade, example",
    [
        ("I en kommun tog det inte många timmar att testa en språkmodell.", 2, True),
        ("I Strängnäs kommun har man betonat ett modigt ledarskap.", 2, True),
        ("Ett uppmärksammat exempel är Sundsvall-Ånge, där man integrerat IT.", 2, True),
        ("Flera kommuner har ordnat workshops tvärs över förvaltningarna.", 1, True),
        ("I vissa kommuner har man antagit AI-strategier.", 1, True),
        ("En del kommuner har således kommit att beakta lag- och regelverk.", 1, True),
        # a state, not something done: no supine after "har"
        ("Många kommuner har begränsade ekonomiska utrymmen.", 0, False),
        ("Flera kommuner har färre resurser än de behöver.", 0, False),
        # an illustration is no case
        ("Strategin bör belysa förmågan, till exempel genom kompetensutveckling.", 0, True),
        ("Till exempel betonar forskningen vikten av ledarskap.", 0, True),
        ("Kraftsamlingen har bland annat finansierat AI-projekt.", 0, True),
    ],
)
def test_a_case_tells_what_municipalities_did_an_illustration_only_lists(text, grade, example):
    assert (kinds.case_grade(text), kinds.exemplifies(text)) == (grade, example)
    assert kinds.tells_case(text) is answers_form("example")(text) is (grade > 0)


def test_the_form_term_is_added_only_for_the_forms_it_is_for():
    parts = TopicParts(np.arange(2), np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), np.ones(2, dtype=bool),
                       "example", np.array([0.0, 1.0]))
    why = replace(parts, form="why")

    np.testing.assert_allclose(parts.scores(0.5, TopicFusion(form_weight=1.5)), [0.0, 1.5])
    np.testing.assert_allclose(parts.scores(0.5, TopicFusion(form_weight=0.0)), [0.0, 0.0])
    np.testing.assert_allclose(why.scores(0.5, TopicFusion(form_weight=1.5)), [0.0, 0.0])
    np.testing.assert_allclose(replace(parts, form="how").scores(0.5, TopicFusion(form_weight=1.5)), [0.0, 1.5])
    assert FORM_WEIGHT == 1.5
    assert FORM_TERM_FORMS == ("example", "how")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("forms"), {"skala.txt": SKALA}) as s:
        settings = load_settings(index_dir=s.index_dir, corpus_dir=s.corpus_dir, decline_below=-10.0,
                                 partial_below=-10.0)
        yield RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def _sections(retrieved) -> list[str]:
    return [h.passage.section for h in retrieved.hits]


def test_a_follow_up_asking_for_an_example_finds_the_passage_telling_a_case(service):
    retrieved = service.retrieve("Kan du ge ett exempel?", history=[Turn(FIRST)])
    parts = service.retriever.topic_parts(retrieved.query)
    sections = [service.generation.passages[i].section for i in parts.candidates]

    assert retrieved.query.asks.form == "example"
    assert [s for s, fit in zip(sections, parts.fits) if fit] == ["3. Erfarenheter", "5. Workshops"]
    assert _sections(retrieved) == ["3. Erfarenheter", "1. Liten skala", "5. Workshops", "2. Risker", "4. Mått"]


def test_without_the_form_term_the_topic_passages_come_first(service):
    retriever = service.retriever
    saved = retriever.topic_fusion
    retriever.topic_fusion = TopicFusion(form_weight=0.0)
    try:
        retrieved = service.retrieve("Kan du ge ett exempel?", history=[Turn(FIRST)])
    finally:
        retriever.topic_fusion = saved

    assert _sections(retrieved) == ["1. Liten skala", "2. Risker", "3. Erfarenheter", "5. Workshops", "4. Mått"]


def test_the_answer_to_an_example_quotes_the_case_first(service):
    retrieved = service.retrieve("Kan du ge ett exempel?", history=[Turn(FIRST)])
    answerer = ExtractiveAnswerer(service.settings, service.generation)
    candidates = answerer.candidates(retrieved)
    # the cases scored below everything else: only their form brings them first
    ranked = sorted(candidates, key=lambda c: kinds.tells_case(c.text))
    ranked = [replace(c, score=2.0 - n) for n, c in enumerate(ranked)]

    as_example = select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.0, "example", neighbour_minimum=1.0)
    as_what = select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.0, "what", neighbour_minimum=1.0)

    assert CASES_FIRST == 2
    assert [c.anchor.text[:20] for c in as_example] == [
        "I en kommun tog det ", "Flera kommuner har o", "Kommuner bör pröva A", "Försök i liten skala",
        "Risker med AI i lite", "Nyttan kan mätas på "]
    assert [c.anchor.text[:20] for c in as_what] == [
        "Kommuner bör pröva A", "Försök i liten skala", "Risker med AI i lite", "Nyttan kan mätas på ",
        "I en kommun tog det ", "Flera kommuner har o"]
    assert [s.text[:20] for s in answerer.answer(retrieved).sentences][:2] == [
        "I en kommun tog det ", "Flera kommuner har o"]


def test_the_tuning_table_ranks_each_example_at_each_form_weight():
    from evals.tune_followup_retrieval import IN_USE, Example, table_of

    d = np.array([1.0, 0.5, 0.0])
    parts = TopicParts(np.arange(3), d, np.zeros(3), d, np.zeros(3), np.ones(3, dtype=bool), "example",
                       np.array([0.0, 0.0, 1.0]))
    prepared = [(Example("dev.jsonl", "c#2", "Kan du ge ett exempel?", ()), parts, np.array([False, False, True]), False)]

    table = table_of(prepared, [IN_USE, IN_USE[:4] + (1.5,)])

    # 0.4 * d + 0.5 * d = [0.9, 0.45, 0]: the case third; with 1.5 added to it, first
    np.testing.assert_allclose(table[:, 0], [[1 / 3, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(table_of(prepared, [IN_USE[:4] + (1.5,)], forms=("why",))[:, 0], [[1 / 3, 1.0]])


def test_one_municipalitys_case_comes_before_what_some_did_whatever_their_scores(service):
    retrieved = service.retrieve("Kan du ge ett exempel?", history=[Turn(FIRST)])
    answerer = ExtractiveAnswerer(service.settings, service.generation)
    candidates = answerer.candidates(retrieved)
    some = next(c for c in candidates if c.text.startswith("Flera kommuner har ordnat"))
    one = next(c for c in candidates if c.text.startswith("I en kommun tog det"))
    ranked = [replace(some, score=1.0), replace(one, score=-1.0)]

    assert [c.anchor.text[:19] for c in select(ranked, answerer.scorer, 1, 0.0, 0.99, 0.0, "example")] == [
        "I en kommun tog det"]
    assert [c.anchor.text[:19] for c in select(ranked, answerer.scorer, 1, 0.0, 0.99, 0.0, "what")] == [
        "Flera kommuner har "]


def test_a_follow_up_asking_how_reads_which_candidates_advise(service):
    how = service.retrieve("Hur gör man det då?", history=[Turn(FIRST)])
    what = service.retrieve("Vad leder det till?", history=[Turn(FIRST)])
    parts = service.retriever.topic_parts(how.query)
    sections = [service.generation.passages[i].section for i in parts.candidates]

    assert how.query.asks.form == "how"
    # "Kommuner bör pröva AI …" advises; the risks, the case, the measures and the workshops do not
    assert [s for s, fit in zip(sections, parts.fits) if fit] == ["1. Liten skala"]
    assert service.retriever.topic_parts(what.query).fits is None
