"""Hybrid retrieval over a tiny inline corpus with the fake embedder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder, corpus_without_rag_env, fake_index

from rag.config import load_settings
from rag.index.ingest import ingest
from rag.answering.retrieval import (Fusion, HybridRetriever, SentenceRows, section_matches, segment_max,
                                     top_positive)
from rag.service import RagService
from rag.index.store import IndexDir, hubness

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
    return RagService(built, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


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
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir)
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    # Passage similarity only: the sentence term has its own tests below.
    retriever = HybridRetriever(
        settings, service.embedder, service.generation, fusion=Fusion(prf_weight=prf_weight), sentence_weight=0.0
    )

    retrieved = retriever.search(service.queries.build("verksamheten och systemet"), k=4)

    assert [h.passage.section for h in retrieved.hits] == sections
    # Answers are scored against the question itself, not the feedback vector.
    assert retrieved.query.vector.tolist() == pytest.approx(HashEmbedder().embed_query("verksamheten och systemet"))


def test_rrf_fusion_ranks_the_distinctive_passage_first(built):
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir)
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail, fusion=Fusion(method="rrf"))

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


# One passage states the answer in one sentence among unrelated ones; another only mentions the
# question's words. Four interview questions are close to each other and to every question about
# AI work; the experience passage answers such a question as closely as they do.
EKONOMI = """Budget

1. Fokus

Kommunen budgeterar pengar till AI. Skolan provar läromedel. Parkerna sköts av entreprenören. Biblioteket öppnar tidigt.

2. Översikt

Pengar och AI nämns. Kommunen nämns.
"""

INTERVJUER = """Intervjuer

1. Frågemall

Fråga: hur arbetar kommunen med AI i skolan?

2. Frågemall

Fråga: hur arbetar kommunen med AI i vården?

3. Frågemall

Fråga: hur arbetar kommunen med AI i omsorgen?

4. Frågemall

Fråga: hur arbetar kommunen med AI i planeringen?

5. Erfarenheter

Kommunen arbetar med AI och data sedan länge.
"""


@pytest.fixture(scope="module")
def sentence_index(tmp_path_factory):
    """An index for dense ranking alone (DENSE_ONLY: no BM25 share, no feedback, no passage hubness), built with a wide fake embedder so that no two of these words share a dimension."""
    root = tmp_path_factory.mktemp("sentences")
    embedder = HashEmbedder(dim=512)
    with corpus_without_rag_env(root, {"ekonomi.txt": EKONOMI, "intervjuer.txt": INTERVJUER}) as corpus:
        settings = load_settings(index_dir=root / "index", corpus_dir=corpus)
        ingest(settings, embedder=embedder, progress=False)
        yield settings, embedder


DENSE_ONLY = Fusion(dense_weight=1.0, prf_weight=0.0, hubness_alpha=0.0)


def _dense_sections(sentence_index, question: str, **sentence_term) -> list[str]:
    settings, embedder = sentence_index
    service = RagService(settings, embedder=embedder, notify=pytest.fail)
    retriever = HybridRetriever(settings, embedder, service.generation, fusion=DENSE_ONLY, **sentence_term)
    hits = retriever.search(service.queries.build(question), k=7).hits
    # By score (dense rank among ties): the interview guide's passages, which these questions may not
    # quote, are listed last.
    return [h.passage.section for h in sorted(hits, key=lambda h: (-h.score, h.dense_rank))]


def test_best_sentence_lifts_the_passage_that_states_the_answer(sentence_index):
    question = "Hur budgeterar kommunen pengar till AI?"

    without = _dense_sections(sentence_index, question, sentence_weight=0.0)
    with_term = _dense_sections(sentence_index, question, sentence_weight=1.25, sentence_hubness_alpha=0.0)

    assert without == [
        "2. Översikt", "1. Frågemall", "2. Frågemall", "3. Frågemall", "5. Erfarenheter", "1. Fokus", "4. Frågemall"
    ]
    assert with_term == [
        "1. Fokus", "2. Översikt", "1. Frågemall", "2. Frågemall", "3. Frågemall", "5. Erfarenheter", "4. Frågemall"
    ]


def test_sentence_hubness_ranks_an_answer_above_interview_questions_as_close_to_the_question(sentence_index):
    question = "Arbetar kommunen med AI?"

    uncorrected = _dense_sections(sentence_index, question, sentence_weight=1.25, sentence_hubness_alpha=0.0)
    corrected = _dense_sections(sentence_index, question, sentence_weight=1.25, sentence_hubness_alpha=0.75)

    assert uncorrected[:5] == ["1. Frågemall", "2. Frågemall", "3. Frågemall", "5. Erfarenheter", "4. Frågemall"]
    assert corrected[:5] == ["5. Erfarenheter", "2. Frågemall", "3. Frågemall", "1. Frågemall", "4. Frågemall"]


def test_sentence_rows_score_each_candidate_by_its_best_sentence():
    # Passage 0 has sentence rows 2 and 0, passage 1 none, passage 2 row 1.
    rows = SentenceRows(
        vectors=np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]]),
        hubness=np.array([0.5, 0.0, 0.1]),
        rows=np.array([2, 0, 1]),
        first=np.array([0, 2, 2]),
        count=np.array([2, 0, 1]),
    )
    qv = np.array([0.8, 0.6])

    best = rows.best(np.array([2, 0, 1]), qv, hubness_alpha=1.0, fallback=np.array([-7.0, -8.0, -9.0]))

    # passage 2: 0.6 - 0.0; passage 0: max(0.96 - 0.1, 0.8 - 0.5); passage 1: its fallback
    assert best.tolist() == pytest.approx([0.6, 0.86, -9.0])


def test_segment_max_takes_each_segment_and_fills_empty_ones():
    values = np.array([0.1, 0.5, 0.3, -0.2, 0.9])

    assert segment_max(values, np.array([2, 0, 3, 0]), np.array([7.0, 8.0, 9.0, 6.0])).tolist() == [0.5, 8.0, 0.9, 6.0]
    assert segment_max(np.array([]), np.array([0, 0]), np.array([1.0, 2.0])).tolist() == [1.0, 2.0]


def test_sentence_hubness_is_stored_at_ingest_and_computed_for_an_older_index(sentence_index):
    settings, _ = sentence_index
    folder = IndexDir(settings.index_dir).current()
    stored = IndexDir(settings.index_dir).open_current()
    expected = hubness(stored.sentence_vectors.astype(np.float32))

    assert (folder / "sentence_hubness.npy").is_file()
    assert stored.sentence_hubness.tolist() == pytest.approx(expected.tolist())
    (folder / "sentence_hubness.npy").unlink()
    try:
        assert IndexDir(settings.index_dir).open_current().sentence_hubness.tolist() == pytest.approx(expected.tolist())
    finally:
        np.save(folder / "sentence_hubness.npy", expected)


@pytest.mark.parametrize(("candidates", "returned"), [(5, 4), (50, 5)])
def test_candidates_bounds_what_each_retriever_offers_the_fusion(built, candidates, returned):
    # Six passages, one a near-copy that is never returned: five per retriever offer five passages
    # together, four once the copy is dropped; fifty offer every passage.
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir, candidates=candidates)
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)

    hits = service.retrieve("kommunen", k=50).hits

    assert len(service.generation.passages) == 6
    assert len(hits) == returned


class RecordedRows:
    """FAKE: an array in memory that records the rows it is indexed with (the stored arrays read
    each such index from disk)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.keys: list = []

    def __getitem__(self, key):
        self.keys.append(np.asarray(key).tolist())
        return self.values[key]

    def __len__(self) -> int:
        return len(self.values)


def test_a_question_reads_its_candidates_vectors_once_for_both_scorings(built):
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir)
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()
    retriever, generation = service.retriever, service.generation
    query = service.queries.build("Vem beslutar om strategin för verksamheten?")
    expected = [(h.passage.id, h.score, h.dense_rank, h.bm25_rank) for h in retriever.search(query).hits]
    retriever.vectors = RecordedRows(np.asarray(generation.vectors))
    sentences = RecordedRows(np.asarray(generation.sentence_vectors))
    retriever._sentences = dataclasses.replace(retriever._sentences, vectors=sentences)

    hits = retriever.search(query).hits

    assert [(h.passage.id, h.score, h.dense_rank, h.bm25_rank) for h in hits] == expected
    assert retriever.fusion.prf_weight > 0 and len(generation.passages) == 6
    # Every passage is a candidate: their vectors once (feedback reuses them), then the six nearest.
    assert len(retriever.vectors.keys) == 2 and retriever.vectors.keys[0] == [0, 1, 2, 3, 4, 5]
    assert sorted(retriever.vectors.keys[1]) == [0, 1, 2, 3, 4, 5]
    assert sentences.keys == [generation.sentence_groups.rows.tolist()]


def test_top_positive_is_the_set_the_full_sort_gives_ties_included():
    def reference(scores, k):  # what retrieval computed before
        return {int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0}

    rng = np.random.default_rng(7)
    # Scores from few distinct values: ties everywhere, often across the k-th place.
    cases = [rng.integers(0, 6, size=n).astype(np.float32) for n in (3, 50, 51, 200, 5000) for _ in range(20)]
    cases += [rng.random(1000, dtype=np.float32) for _ in range(5)]
    cases += [np.ones(1000, dtype=np.float32), np.r_[np.zeros(300), np.full(400, 2.0), np.ones(300)].astype(np.float32)]
    for scores in cases:
        for k in (1, 5, 50):
            assert top_positive(scores, k) == reference(scores, k)
    assert top_positive(np.array([0.0, 2.0, 0.0, 1.0, 3.0], dtype=np.float32), 2) == {1, 4}
    assert top_positive(np.array([0.0, 2.0, 0.0, 0.0, 3.0], dtype=np.float32), 3) == {1, 4}
    assert top_positive(np.zeros(10, dtype=np.float32), 3) == set()


KONTAKT = """Rapport om kontakter

1. Kompetens

Kommunen bygger kompetens genom att utbilda medarbetare i AI varje år.

2. Ledning

Ledningen ger mandat åt cheferna att pröva nya AI-verktyg i verksamheten.

Kontaktuppgifter

För frågor om kompetens och AI i kommunen, kontakta projektledaren på AI Sweden.
"""


def test_a_passage_an_answer_may_not_quote_takes_no_place_of_one_it_may(tmp_path):
    from rag.answering.selection import answer_hits

    with fake_index(tmp_path, {"kontakt.txt": KONTAKT}) as settings:
        service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()
        retrieved = service.retrieve("Vem frågar vi om kompetens och AI i kommunen?", k=2)
        sections = [h.passage.section for h in retrieved.hits]
        # The contact details score best but come after the two passages the answer may quote, still shown.
        assert sections == ["1. Kompetens", "2. Ledning", "2. Ledning › Kontaktuppgifter"]
        assert [h.rank for h in retrieved.hits] == [1, 2, 3]
        assert [h.fused_rank for h in retrieved.hits] == [2, 3, 1]  # what the sentence scorer reads
        assert [h.passage.section for h in answer_hits(retrieved.query, retrieved.hits, 2)] == ["1. Kompetens", "2. Ledning"]
        # Asked whom to contact, the contact details may answer: in their place, and quoted.
        asked = service.retrieve("Vem kontaktar vi om kompetens och AI i kommunen?", k=2)
        assert asked.query.asks.about_contact is True
        assert [h.passage.section for h in asked.hits] == ["2. Ledning › Kontaktuppgifter", "1. Kompetens"]
        assert [h.passage.section for h in answer_hits(asked.query, asked.hits, 2)] == [
            "2. Ledning › Kontaktuppgifter", "1. Kompetens"]


def test_a_question_about_the_interview_guide_gets_the_guides_passages_first(sentence_index):
    settings, embedder = sentence_index
    service = RagService(settings, embedder=embedder, notify=pytest.fail)
    retriever = HybridRetriever(settings, embedder, service.generation, fusion=DENSE_ONLY)

    def sections(question):
        query = service.queries.build(question)
        return query.asks.about_guide, [h.passage.section for h in retriever.search(query, k=7).hits]

    about, ranked = sections("Tog intervjuguiden upp AI i skolan?")
    assert about is True
    # The guide's four passages first, in their own order (the one on the school first), then the rest.
    assert ranked == ["1. Frågemall", "4. Frågemall", "2. Frågemall", "3. Frågemall",
                      "1. Fokus", "2. Översikt", "5. Erfarenheter"]
    about, ranked = sections("Hur arbetar kommunen med AI i skolan?")
    assert about is False and ranked[-4:] == ["1. Frågemall", "2. Frågemall", "3. Frågemall", "4. Frågemall"]
