"""A sentence that continues the one before it brings that one along, also across the boundary of
two passages of the same source (the chunker cut between them), and back over several sentences that
each continue the one before; when the one before cannot come along (not retrieved, another source,
no room) it is not quoted at all, since it would point at something the reader never sees.
Candidates are built by hand (no model, no index), so only the rule decides; the scorer stand-in
knows no next sentence."""

from __future__ import annotations

import pytest

import numpy as np

from rag.answering.selection import CONTINUES, FEATURES, REFERS_BACK, Candidate, _select, _with_context, runs_on
from rag.types import Hit, Passage, SentenceSpan

SOURCE = "rapport.txt"
AVTAL = "I många avtal är det oklart vem som äger datan."
BRIST = "Detta är en brist som varit känd länge."
VISAR = "Detta visar att kommunerna behöver lära sig mer."
# First passage: [0, 47); the second starts after one space, at 48, with the sentence that leans back.
FIRST = Passage("p1", SOURCE, "3. Insikter", 0, len(AVTAL), AVTAL)
SECOND = Passage(
    "p2", SOURCE, "3. Insikter", len(AVTAL) + 1, len(AVTAL) + 2 + len(BRIST) + len(VISAR), f"{BRIST} {VISAR}"
)


class NoNextSentence:
    """Deterministic stand-in for the sentence scorer: no sentence follows any other."""

    def next_in_passage(self, index):
        return None

    def next_in_list(self, index):
        return None


def candidate(index: int, passage: Passage, text: str, start: int, source: str = SOURCE) -> Candidate:
    passage = Passage(passage.id, source, passage.section, passage.start, passage.end, passage.text)
    return Candidate(
        index=index, hit=Hit(passage, rank=1, score=1.0),
        sentence=SentenceSpan(passage.id, text, start, start + len(text)),
        evidence=0.8, dense=0.8, overlap=0.0, features=(),
    )


AVTAL_C = candidate(0, FIRST, AVTAL, 0)
BRIST_C = candidate(1, SECOND, BRIST, SECOND.start)
VISAR_C = candidate(2, SECOND, VISAR, SECOND.start + len(BRIST) + 1)


def texts(members):
    return [m.text for m in members]


def test_a_sentence_opening_a_passage_brings_the_last_sentence_of_the_one_before_it():
    by_index = {c.index: c for c in (AVTAL_C, BRIST_C, VISAR_C)}

    assert runs_on(AVTAL_C, BRIST_C)
    assert texts(_with_context(BRIST_C, by_index, NoNextSentence(), room=6, used=set())) == [AVTAL, BRIST]


def test_sentences_that_each_continue_the_one_before_bring_them_all_back_to_one_that_does_not():
    by_index = {c.index: c for c in (AVTAL_C, BRIST_C, VISAR_C)}

    assert texts(_with_context(VISAR_C, by_index, NoNextSentence(), room=6, used=set())) == [AVTAL, BRIST, VISAR]
    # two sentences of room hold the one it leans on but not the one that leans on in turn: not quoted
    assert _with_context(VISAR_C, by_index, NoNextSentence(), room=2, used=set()) is None
    # the one before already quoted elsewhere in the answer is not quoted twice
    assert texts(_with_context(VISAR_C, by_index, NoNextSentence(), room=6, used={0})) == [BRIST, VISAR]


def test_a_sentence_of_another_source_or_after_a_gap_is_not_the_one_before():
    elsewhere = candidate(0, FIRST, AVTAL, 0, source="annan.txt")
    heading_between = candidate(1, SECOND, BRIST, 60)  # a heading's worth of text between them

    assert not runs_on(elsewhere, BRIST_C)
    assert not runs_on(AVTAL_C, heading_between)
    assert _with_context(BRIST_C, {0: elsewhere, 1: BRIST_C}, NoNextSentence(), room=6, used=set()) is None
    # not retrieved (no candidate): nothing is brought, so nothing is cited to a passage not found, and
    # "Detta är en brist …" is not quoted without what it calls a flaw
    assert _with_context(BRIST_C, {1: BRIST_C}, NoNextSentence(), room=6, used=set()) is None
    # unless it must stand alone (a sentence stating an asked fact)
    assert texts(_with_context(BRIST_C, {1: BRIST_C}, NoNextSentence(), room=6, used=set(), alone=True)) == [BRIST]


@pytest.mark.parametrize(
    "text",
    [
        "Sådana attityder från ledningen kan inspirera verksamheten.",
        "Därmed blir strategin det gemensamma ramverket.",
        "Där har Kraftsamlingen varit en viktig arena.",
        "Här går kommuner samman i tidsbegränsade projekt.",
        "Då blir frågor om “implementering”",
        "Detta kräver ett skifte.",
        "Det ökar kraven på verksamhetsutveckling.",  # "det" as the pronoun for what was just said
        "Det minskar också risken för motstånd mot förändring.",
        "Det gör att det inom varje organisation finns en liten grupp arkitekter.",
    ],
)
def test_a_demonstrative_or_a_fronted_adverb_before_its_verb_points_back_at_the_sentence_before(text):
    assert CONTINUES.match(text) and REFERS_BACK.match(text)


@pytest.mark.parametrize("text", ["Samtidigt uppstår en risk att projekten stannar i pilotfas.", "Till exempel RPA.", "Istället bör processen involvera fler."])
def test_a_connective_continues_the_sentence_before_but_does_not_point_back_at_it(text):
    assert CONTINUES.match(text) and not REFERS_BACK.match(text)


@pytest.mark.parametrize(
    "text",
    [
        "Där kommuner samverkar blir resultatet bättre.",  # a clause of its own: a subject follows
        "Då AI införs behövs nya rutiner.",
        "Denna rapport visar att AI är en pågående kraft.",  # "denna rapport" is the report itself
        "Det är viktigt att ta med sig etiken.",  # "det" as the empty subject
        "Det tar tid att bygga förtroende.",
        "Det var viktigt att komma i gång.",
        "Det finns en optimism om AI.",
        "Det empiriska materialet visar att kommunerna lär sig.",  # a determiner, not a pronoun
    ],
)
def test_a_fronted_adverb_before_a_subject_or_the_report_naming_itself_stands_alone(text):
    assert not CONTINUES.match(text)


def test_a_connective_sentence_whose_sentence_before_was_not_retrieved_is_quoted_alone():
    samtidigt = "Samtidigt uppstår en risk att projekten stannar i pilotfas."
    alone = candidate(1, SECOND, samtidigt, SECOND.start)

    assert texts(_with_context(alone, {1: alone}, NoNextSentence(), room=6, used=set())) == [samtidigt]


class Previous:
    """Deterministic stand-in for the sentence scorer: the sentences of one passage in order."""

    def __init__(self, spans):
        self.sentences = spans

    def previous_in_passage(self, index):
        return index - 1 if index > 0 else None

    def next_in_passage(self, index):
        return None

    def next_in_list(self, index):
        return None


def test_a_fragment_cut_from_a_sentence_that_leans_back_brings_both_sentences_before_it():
    driver = "Verksamheterna måste vara de som uttrycker behoven."
    then = "Då blir frågor om “implementering”"
    rest = "mer eller mindre irrelevanta eftersom verksamheten driver frågan."
    text = f"{driver} {then} {rest}"
    passage = Passage("p", SOURCE, "3. Insikter", 0, len(text), text)
    starts = (0, len(driver) + 1, len(driver) + len(then) + 2)
    spans = [SentenceSpan("p", t, a, a + len(t)) for t, a in zip((driver, then, rest), starts)]
    driver_c, rest_c = (candidate(i, passage, spans[i].text, spans[i].start) for i in (0, 2))
    scorer = Previous(spans)

    # the fragment brings "Då blir …" (no candidate of its own), which brings the sentence it leans on
    assert texts(_with_context(rest_c, {0: driver_c, 2: rest_c}, scorer, room=6, used=set())) == [driver, then, rest]
    # without the sentence "Då blir …" leans on (not retrieved), neither is quoted
    assert _with_context(rest_c, {2: rest_c}, scorer, room=6, used=set()) is None


class InOrder(Previous):
    """``Previous`` with orthogonal vectors (no near-duplicates), for ``_select``."""

    def __init__(self, spans):
        super().__init__(spans)
        self.vectors = np.eye(len(spans))


def test_a_sentence_pointing_back_and_the_one_it_points_at_count_as_one_sentence_of_the_answer():
    lines = (
        "Kommunerna behöver bygga intern kompetens inom AI.",
        "Många kommuner saknar i dag en gemensam plattform för data.",
        "Detta gör att varje förvaltning bygger sina egna lösningar.",
    )
    text = " ".join(lines)
    passage = Passage("p", SOURCE, "3. Insikter", 0, len(text), text)
    spans, at = [], 0
    for line in lines:
        spans.append(SentenceSpan("p", line, at, at + len(line)))
        at += len(line) + 1
    ranked = [
        Candidate(index=i, hit=Hit(passage, rank=1, score=1.0), sentence=spans[i], evidence=0.8, dense=0.8,
                  overlap=0.0, features=(0.0,) * len(FEATURES), score=score)
        for i, score in ((0, 3.0), (2, 2.0), (1, -3.0))
    ]

    # two sentences of room: the lead, then "Detta gör …" with the sentence it points at, as one
    chains = _select(ranked, InOrder(spans), max_sentences=2, relative=0.0, duplicate_cosine=0.99, minimum=0.0)
    assert [[m.index for m in c.members] for c in chains] == [[0], [1, 2]]
    # one sentence of room: the lead alone (the pair does not squeeze past the answer's length)
    chains = _select(ranked, InOrder(spans), max_sentences=1, relative=0.0, duplicate_cosine=0.99, minimum=0.0)
    assert [[m.index for m in c.members] for c in chains] == [[0]]
