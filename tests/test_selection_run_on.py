"""A sentence that continues the one before it brings that one along, also across the boundary of
two passages of the same source (the chunker cut between them), and back over several sentences that
each continue the one before. Candidates are built by hand (no model, no index), so only the rule
decides; the scorer stand-in knows no next sentence."""

from __future__ import annotations

from rag.answering.selection import Candidate, _with_context, runs_on
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
    # within the room: two sentences, so only the one it leans on directly
    assert texts(_with_context(VISAR_C, by_index, NoNextSentence(), room=2, used=set())) == [BRIST, VISAR]
    # the one before already quoted elsewhere in the answer is not quoted twice
    assert texts(_with_context(VISAR_C, by_index, NoNextSentence(), room=6, used={0})) == [BRIST, VISAR]


def test_a_sentence_of_another_source_or_after_a_gap_is_not_the_one_before():
    elsewhere = candidate(0, FIRST, AVTAL, 0, source="annan.txt")
    heading_between = candidate(1, SECOND, BRIST, 60)  # a heading's worth of text between them

    assert not runs_on(elsewhere, BRIST_C)
    assert not runs_on(AVTAL_C, heading_between)
    assert texts(_with_context(BRIST_C, {0: elsewhere, 1: BRIST_C}, NoNextSentence(), room=6, used=set())) == [BRIST]
    # not retrieved (no candidate): nothing is brought, so nothing is cited to a passage not found
    assert texts(_with_context(BRIST_C, {1: BRIST_C}, NoNextSentence(), room=6, used=set())) == [BRIST]
