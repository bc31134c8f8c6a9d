"""A chosen sentence brings its neighbour in the passage along when that is likely enough
(``selection.NEIGHBOUR_MINIMUM``): the report makes a point in two or three sentences in a row."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from fakes import HashEmbedder, fake_index

from rag.answering.answer import ExtractiveAnswerer
from rag.answering.selection import NEIGHBOUR_MINIMUM, leans_back, select
from rag.config import load_settings
from rag.service import RagService

SAMVERKAN = """Rapport om samverkan

1. Styrning

Samverkan mellan kommuner kräver en gemensam styrning av arbetet. Alla parter behöver avsätta egna resurser till samverkan. Uppföljningen görs varje år av en gemensam styrgrupp.

2. Resurser

Detta innebär att varje kommun bidrar med personal till samverkan. Ledningen ansvarar för att samverkan får tid i budgeten.

3. Lista

Kommunerna har gjort två saker för samverkan:

• De har bildat ett nätverk för samverkan i länet.

• De har anställt en gemensam jurist för samverkan.

Efter listan följer en sammanfattning av samverkan mellan kommunerna.
"""


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("neighbours"), {"samverkan.txt": SAMVERKAN}) as s:
        settings = load_settings(index_dir=s.index_dir, corpus_dir=s.corpus_dir, decline_below=-10.0,
                                 partial_below=-10.0)
        service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()
        answerer = ExtractiveAnswerer(service.settings, service.generation)
        candidates = answerer.candidates(service.retrieve("Hur styr man samverkan mellan kommuner?"))
        by_start = {c.text[:12]: c for c in candidates}

        def rank(**probabilities: float):
            """The candidates with the given probabilities (by the first 12 characters, spaces as _),
            the rest at 0.001, best first."""
            chosen = {k.replace("_", " "): p for k, p in probabilities.items()}
            out = [replace(c, score=_logit(chosen.get(c.text[:12], 0.001))) for c in candidates]
            return sorted(out, key=lambda c: -c.score)

        yield answerer, by_start, rank


def _members(chains) -> list[list[str]]:
    return [[m.text[:12] for m in chain.members] for chain in chains]


def test_the_sentence_after_comes_along_when_likely_enough(scored):
    answerer, _, rank = scored
    ranked = rank(Samverkan_me=0.9, Alla_parter_=NEIGHBOUR_MINIMUM + 0.01)

    assert NEIGHBOUR_MINIMUM == 0.02
    assert _members(select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.5)) == [["Samverkan me", "Alla parter "]]
    # below the floor, or with no floor at all, the chosen sentence stands alone
    assert _members(select(rank(Samverkan_me=0.9, Alla_parter_=0.01), answerer.scorer, 6, 0.0, 0.99, 0.5)) == [
        ["Samverkan me"]]
    assert _members(select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.5, neighbour_minimum=1.0)) == [
        ["Samverkan me"]]


def test_the_answer_opens_with_its_best_sentence_and_the_one_after_it(scored):
    answerer, _, rank = scored
    ranked = rank(Samverkan_me=0.05, Alla_parter_=0.9, Uppföljninge=0.05)

    # the sentence before would push the best one off the first line
    assert _members(select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.5)) == [["Alla parter ", "Uppföljninge"]]
    assert _members(select(ranked, answerer.scorer, 1, 0.0, 0.99, 0.5)) == [["Alla parter "]]


def test_a_later_chain_takes_the_sentence_after_then_the_one_before_within_room(scored):
    answerer, _, rank = scored
    ranked = rank(Ledningen_an=0.9, Samverkan_me=0.05, Alla_parter_=0.6, Uppföljninge=0.05)

    assert _members(select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.5)) == [
        ["Ledningen an"], ["Samverkan me", "Alla parter ", "Uppföljninge"]]
    assert _members(select(ranked, answerer.scorer, 3, 0.0, 0.99, 0.5)) == [
        ["Ledningen an"], ["Alla parter ", "Uppföljninge"]]


def test_a_sentence_leaning_on_the_one_before_opens_no_quote(scored):
    answerer, _, rank = scored
    ranked = rank(Uppföljninge=0.99, Detta_innebä=0.05, Ledningen_an=0.9)

    assert leans_back("Detta innebär att varje kommun bidrar med personal till samverkan.")
    assert not leans_back("Ledningen ansvarar för att samverkan får tid i budgeten.")
    assert _members(select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.5)) == [["Uppföljninge"], ["Ledningen an"]]


def test_neighbours_stay_in_their_passage(scored):
    answerer, _, rank = scored
    ranked = rank(Uppföljninge=0.9, Detta_innebä=0.05)

    # "Detta innebär …" follows in the text but opens the next section's passage
    assert _members(select(ranked, answerer.scorer, 6, 0.0, 0.99, 0.5)) == [["Uppföljninge"]]


def test_a_list_item_is_not_joined_to_the_text_around_its_list(scored):
    answerer, _, rank = scored

    # (a later chain, which may take the sentence before it): nothing is put before an item, and an
    # item comes after another item only
    lead = {"Ledningen_an": 0.99}
    assert _members(select(rank(**lead, **{"•_De_har_ans": 0.9, "•_De_har_bil": 0.05}), answerer.scorer, 6, 0.0,
                           0.99, 0.5)) == [["Ledningen an"], ["• De har ans"]]
    assert _members(select(rank(**lead, **{"•_De_har_bil": 0.9, "•_De_har_ans": 0.05}), answerer.scorer, 6, 0.0,
                           0.99, 0.5)) == [["Ledningen an"], ["• De har bil", "• De har ans"]]
    assert _members(select(rank(**lead, **{"Efter_listan": 0.9, "•_De_har_ans": 0.05}), answerer.scorer, 6, 0.0,
                           0.99, 0.5)) == [["Ledningen an"], ["Efter listan"]]


def test_the_best_sentence_takes_its_neighbour_before_the_next_candidate(scored):
    answerer, _, rank = scored
    ranked = rank(Alla_parter_=0.9, Ledningen_an=0.6, Uppföljninge=0.05)

    assert _members(select(ranked, answerer.scorer, 2, 0.0, 0.99, 0.5)) == [["Alla parter ", "Uppföljninge"]]
    assert _members(select(ranked, answerer.scorer, 3, 0.0, 0.99, 0.5)) == [
        ["Alla parter ", "Uppföljninge"], ["Ledningen an"]]


def test_a_list_runs_on_into_the_next_passage_of_its_section():
    from types import SimpleNamespace

    from rag.answering.selection import LIST_ROOM, SentenceScorer

    def sentence(passage_id, text):
        return SimpleNamespace(passage_id=passage_id, text=text)

    scorer = SentenceScorer.__new__(SentenceScorer)  # the list walk reads only these three
    scorer.sentences = [
        sentence("a", "Dessa områden är:"), sentence("a", "• Ett."), sentence("b", "• Två."),
        sentence("b", "Sedan följer annat."), sentence("c", "• Tre i en annan del."),
    ]
    scorer.passages = [SimpleNamespace(source="rapport.txt", section="6. Förmåga › AI-huset")] * 2 + [
        SimpleNamespace(source="rapport.txt", section="7. Avslutning")]
    scorer.passage_row = {"a": 0, "b": 1, "c": 2}

    assert [scorer.next_in_list(i) for i in range(5)] == [1, 2, 3, None, None]
    # The same section name in another file is another list.
    scorer.passages = [scorer.passages[0], SimpleNamespace(source="bilaga.txt", section="6. Förmåga › AI-huset"),
                       scorer.passages[2]]
    assert [scorer.next_in_list(i) for i in range(5)] == [1, None, 3, None, None]
    assert [scorer.next_in_passage(i) for i in range(5)] == [1, None, 3, None, None]
    assert LIST_ROOM == 12


def test_a_list_is_quoted_whole_where_it_opens_the_answer_and_further_down_or_not_at_all(scored):
    answerer, _, rank = scored
    ranked = rank(Kommunerna_h=0.9, **{"•_De_har_bil": 0.05, "•_De_har_ans": 0.05})

    # two sentences of room, but the lead-in brings both its items
    assert _members(select(ranked, answerer.scorer, 2, 0.0, 0.99, 0.5)) == [
        ["Kommunerna h", "• De har bil", "• De har ans"]]
    # a list further down is quoted whole too, past the room left (two of three sentences were used) ...
    later = rank(Ledningen_an=0.99, Kommunerna_h=0.9, **{"•_De_har_bil": 0.05, "•_De_har_ans": 0.05})
    assert _members(select(later, answerer.scorer, 3, 0.0, 0.99, 0.5)) == [
        ["Ledningen an"], ["Kommunerna h", "• De har bil", "• De har ans"]]
    # ... or not at all, when an item of it is no candidate and the list would be cut short (the other
    # item, below the minimum, is no chain of its own)
    cut = [c for c in later if not c.text.startswith("• De har ans")]
    assert _members(select(cut, answerer.scorer, 3, 0.0, 0.99, 0.5)) == [["Ledningen an"]]


def test_a_lead_in_stating_an_asked_fact_stands_alone_when_its_list_cannot_come(scored):
    answerer, _, rank = scored
    # The list items are no candidates (as a figure's steps are not in the text): a lead-in alone
    # says nothing and is skipped, unless it is the sentence that states what was asked.
    ranked = [c for c in rank(Kommunerna_h=0.9, Ledningen_an=0.5) if not c.text.startswith("•")]
    lead_in = next(c for c in ranked if c.text.startswith("Kommunerna h"))

    assert _members(select(ranked, answerer.scorer, 2, 0.0, 0.99, 0.4)) == [["Ledningen an"]]
    assert _members(select(ranked, answerer.scorer, 2, 0.0, 0.99, 0.4, stands_alone=frozenset({lead_in.index}))) == [
        ["Kommunerna h"], ["Ledningen an"]]
