"""Hybrid retrieval over a tiny inline corpus with the fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import HashEmbedder, fake_index

from rag.config import load_settings
from rag.retrieval import section_matches
from rag.service import RagService

STRATEGI = """Strategi för AI

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin beslutas av kommunfullmäktige.

2. Dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Juristen ska vara med från början.

Konsekvensbedömning

Kommunen måste göra en konsekvensbedömning innan systemet tas i bruk. Bedömningen dokumenteras i en tjänsteskrivelse.
"""

SAMVERKAN = """Samverkan mellan kommuner

1. Samverkan

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna.

2. Finansiering

Nyttorealisering kräver att verksamhetschefen följer upp effekterna av varje satsning under flera år.
"""

# The same paragraph under another heading in another file: a near-duplicate.
KOPIA = """Utdrag ur rapporten

Kopia

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna.
"""

DUPLICATED = "Små kommuner kan dela på kompetens"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    files = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN, "kopia.txt": KOPIA}
    with fake_index(tmp_path_factory.mktemp("retrieval"), files) as settings:
        yield settings


@pytest.fixture
def service(built):
    return RagService(built, embedder=HashEmbedder(), notify=pytest.fail)


def _id(service: RagService, starts: str) -> str:
    [pid] = [p.id for p in service.generation.passages if p.text.startswith(starts)]
    return pid


def test_the_index_holds_the_expected_sections(service):
    assert [(p.source, p.section) for p in service.generation.passages] == [
        # A heading directly followed by another heading contains it.
        ("kopia.txt", "Utdrag ur rapporten › Kopia"),
        ("samverkan.txt", "1. Samverkan"),
        ("samverkan.txt", "2. Finansiering"),
        ("strategi.txt", "1. Strategi"),
        ("strategi.txt", "2. Dataskydd"),
        ("strategi.txt", "2. Dataskydd › Konsekvensbedömning"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Hur gör vi en konsekvensbedömning?", "Kommunen måste göra en konsekvensbedömning"),
        ("Vem beslutar om strategin?", "Kommunen behöver en tydlig strategi"),
        ("nyttorealisering verksamhetschefen", "Nyttorealisering kräver"),
        ("dataskyddsförordningen personuppgifter", "Dataskyddsförordningen gäller"),
    ],
)
def test_distinctive_query_ranks_its_passage_first(service, query, expected):
    hits = service.retrieve(query).hits

    assert hits[0].passage.id == _id(service, expected)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert hits[0].bm25_rank == 1


def test_chapter_number_restricts_results_to_that_chapter_in_every_file(service):
    hits = service.retrieve("kommunen", k=10, section="2").hits

    assert {(h.passage.source, h.passage.section) for h in hits} == {
        ("samverkan.txt", "2. Finansiering"),
        ("strategi.txt", "2. Dataskydd"),
        ("strategi.txt", "2. Dataskydd › Konsekvensbedömning"),
    }


def test_heading_name_restricts_results_to_that_section_and_below(service):
    chapter = service.retrieve("kommunen", k=10, section="dataskydd").hits
    sub = service.retrieve("kommunen", k=10, section="Konsekvensbedomning").hits

    assert {h.passage.section for h in chapter} == {"2. Dataskydd", "2. Dataskydd › Konsekvensbedömning"}
    assert [h.passage.section for h in sub] == ["2. Dataskydd › Konsekvensbedömning"]


def test_source_filter_restricts_results_to_that_file(service):
    hits = service.retrieve("kommunen", k=10, source="samverkan.txt").hits

    assert sorted(h.passage.section for h in hits) == ["1. Samverkan", "2. Finansiering"]


def test_unknown_section_is_an_error_that_lists_the_chapters(service):
    with pytest.raises(ValueError) as info:
        service.retrieve("kommunen", section="Budget")

    message = str(info.value)
    assert "'Budget'" in message
    assert message.endswith(
        "chapters are: 1. Samverkan, 1. Strategi, 2. Dataskydd, 2. Finansiering, Utdrag ur rapporten"
    )


def test_near_duplicate_passages_appear_once(service):
    hits = service.retrieve("Hur kan små kommuner samverka med grannkommunerna?", k=10).hits

    duplicated = [h for h in hits if h.passage.text.startswith(DUPLICATED)]
    assert len(duplicated) == 1
    assert len(hits) == len(service.generation.passages) - 1
    assert len({h.passage.id for h in hits}) == len(hits)


def test_k_limits_the_number_of_hits(service):
    assert len(service.retrieve("kommunen", k=2).hits) == 2


@pytest.mark.parametrize(
    ("prf_weight", "sections"),
    [
        (0.0, ["2. Dataskydd", "2. Finansiering", "1. Strategi", "2. Dataskydd › Konsekvensbedömning"]),
        # Feedback from the best passage (Dataskydd) lifts the passage closest to it in meaning.
        (0.3, ["2. Dataskydd", "2. Finansiering", "2. Dataskydd › Konsekvensbedömning", "1. Strategi"]),
        (2.0, ["2. Dataskydd", "2. Dataskydd › Konsekvensbedömning", "2. Finansiering", "1. Strategi"]),
    ],
)
def test_pseudo_relevance_feedback_lifts_the_neighbours_of_the_best_passage(built, prf_weight, sections):
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir, prf_weight=prf_weight)
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)

    retrieved = service.retrieve("verksamheten och systemet", k=4)

    assert [h.passage.section for h in retrieved.hits] == sections
    # Answers are scored against the question itself, not the feedback vector.
    assert retrieved.query.vector.tolist() == pytest.approx(HashEmbedder().embed_query("verksamheten och systemet"))


def test_rrf_fusion_ranks_the_distinctive_passage_first(built):
    rrf = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir, fusion="rrf")
    service = RagService(rrf, embedder=HashEmbedder(), notify=pytest.fail)

    hits = service.retrieve("Hur gör vi en konsekvensbedömning?").hits

    assert hits[0].passage.id == _id(service, "Kommunen måste göra en konsekvensbedömning")


def test_empty_question_is_refused(service):
    with pytest.raises(ValueError, match="empty"):
        service.ask("   ")


@pytest.mark.parametrize(
    ("section", "wanted", "matches"),
    [
        ("4. AI-strategin › Juridiken", "4", True),
        ("4. AI-strategin › Juridiken", "4.", True),
        ("14. Annat", "4", False),
        ("4. AI-strategin › Juridiken", "juridiken", True),
        ("4. AI-strategin › Juridiken", "AI-strategin", True),
        ("4. AI-strategin › Frågemall", "fragemall", True),
        ("4. AI-strategin › Juridiken", "Budget", False),
        ("4. AI-strategin", "", True),
    ],
)
def test_section_matches(section, wanted, matches):
    assert section_matches(section, wanted) is matches


def test_sources_are_relative_to_the_corpus(service, built):
    for p in service.generation.passages:
        assert not Path(p.source).is_absolute()
        assert (built.corpus_dir / p.source).is_file()
