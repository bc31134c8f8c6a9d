"""A list cut by a chunk boundary is retrieved whole: the passages holding the rest of a list follow the
passage it starts in, whether retrieval found them lower or not at all, so an answer never says "sex
områden" and quotes two. Real index (Chroma folder store) of a tiny corpus at chunk_chars=200, where the
list's six items fall into four passages; deterministic hash embeddings (tests/fakes.HashEmbedder)."""

from __future__ import annotations

import pytest
from fakes import HashEmbedder, fake_index

from rag.service import RagService

RAMVERK = """Ramverk för förmåga

1. Förmågor

Ramverket beskriver sex områden där kommunen behöver utvecklas. Dessa sex områden är:

• Ledning — mål och ansvar för arbetet med AI i hela kommunen.
• Data — tillgång till data av god kvalitet och tydlig datastyrning.
• Teknik — plattform och verktyg som behövs för att driftsätta lösningar.
• Kompetens — utbildning och rekrytering av personer med rätt kunskap.
• Kultur — en kultur som uppmuntrar försök och lärande i vardagen.
• Samverkan — samarbete med andra kommuner, företag och akademi.

2. Uppföljning

Kommunen följer upp resultaten varje år och redovisar dem för nämnden.
"""
# Passages of RAMVERK as "rapport.txt" at chunk_chars=200, in report order.
OPENING, DATA_TEKNIK, KOMPETENS_KULTUR, SAMVERKAN, UPPFOLJNING = (
    "ee8609c9f29af8c6", "d26f6fdbe7e8f25a", "6d01d76989c09814", "fb8c5e99bfc1f514", "e0f980a8130bba88")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("list-rest")
    with fake_index(root, {"rapport.txt": RAMVERK}, chunk_chars=200, decline_below=-10.0, partial_below=-10.0) as settings:
        yield RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def test_the_list_falls_into_four_passages(service):
    assert [p.id for p in service.generation.passages] == [OPENING, DATA_TEKNIK, KOMPETENS_KULTUR, SAMVERKAN, UPPFOLJNING]


def test_the_rest_of_a_cut_list_follows_the_passage_it_starts_in(service):
    hits = service.retrieve("Vilka områden beskriver ramverket?", k=6).hits
    assert [h.passage.id for h in hits] == [OPENING, DATA_TEKNIK, KOMPETENS_KULTUR, SAMVERKAN, UPPFOLJNING]
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]


def test_a_rest_not_found_comes_in_within_k_with_the_score_of_the_passage_the_list_starts_in(service):
    # On its own the third place would be SAMVERKAN; KOMPETENS_KULTUR was not among the first three.
    hits = service.retrieve("Vilka områden beskriver ramverket?", k=3).hits
    assert [h.passage.id for h in hits] == [OPENING, DATA_TEKNIK, KOMPETENS_KULTUR]
    assert hits[2].score == hits[0].score
    assert (hits[2].dense_rank, hits[2].bm25_rank) == (None, None)


def test_a_passage_after_the_list_brings_nothing(service):
    hits = service.retrieve("Hur följer kommunen upp resultaten för nämnden?", k=1).hits
    assert [h.passage.id for h in hits] == [UPPFOLJNING]


def test_one_rule_says_where_a_list_runs_on(service):
    from rag.answering.selection import list_runs_on

    g = service.generation
    texts = [s.text[:9] for s in g.sentences]
    at = {t: i for i, t in enumerate(texts)}
    runs_on = lambda start: list_runs_on(g.sentences, g.passages, g.index_of, at[start])  # noqa: E731
    assert texts[runs_on("• Ledning")] == "• Data — "  # the last item of OPENING goes on in DATA_TEKNIK
    assert texts[runs_on("• Teknik ")] == "• Kompete"
    assert runs_on("Dessa sex") is None  # the next sentence is in the same passage
    assert runs_on("• Samverk") is None  # the list ends; the next passage is another section
