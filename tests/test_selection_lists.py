"""A list of the report is quoted whole or not at all: a lead-in brings every item, each with the rest
of its paragraph, but not the paragraph after the list; a list chosen after the answer's first chain
that would be cut short is left out. Candidates are built by hand (no model, no index) over one
passage, so only the rule decides; the scorer stand-in knows the sentences' order and gives
orthogonal vectors (no near-duplicates)."""

from __future__ import annotations

import numpy as np

from rag.answering.selection import FEATURES, LIST_ROOM, Candidate, _followers, _select, continues_item
from rag.types import Hit, Passage, SentenceSpan

SOURCE = "rapport.txt"
# (text, characters between the sentence before and this one: 1 in a paragraph, 2 a blank line)
LINES = (
    ("Kommunerna arbetar i dag med strategier på mycket olika sätt.", 0),
    ("För att samverkan ska ge verklig effekt behövs följande:", 2),
    ("• Tydliga mål: samverkan bör utgå från konkreta problem.", 2),
    ("• Fördelat ansvar: stöd samarbete över förvaltningsgränserna.", 2),
    ("Formalisera samarbetet och fånga upp lärdomarna regelbundet.", 1),
    ("• Resurser: samverkan kräver att alla parter avsätter tid.", 2),
    ("Utan dessa delar blir samverkan lätt en tidskrävande aktivitet.", 2),
)


def _spans() -> list[SentenceSpan]:
    out, at = [], 0
    for text, gap in LINES:
        at += gap
        out.append(SentenceSpan("p1", text, at, at + len(text)))
        at += len(text)
    return out


SPANS = _spans()
PASSAGE = Passage("p1", SOURCE, "5. Samverkan", 0, SPANS[-1].end, " ".join(t for t, _ in LINES))


class InOrder:
    """Deterministic stand-in for the sentence scorer: the sentences of one passage in order."""

    sentences = SPANS
    vectors = np.eye(len(SPANS))

    def next_in_passage(self, index):
        return index + 1 if index + 1 < len(SPANS) else None

    next_in_list = next_in_passage

    def previous_in_passage(self, index):
        return index - 1 if index > 0 else None


def candidate(index: int, score: float) -> Candidate:
    return Candidate(
        index=index, hit=Hit(PASSAGE, rank=1, score=1.0), sentence=SPANS[index], evidence=0.8, dense=0.8,
        overlap=0.0, features=(0.0,) * len(FEATURES), score=score,
    )


def indices(chains) -> list[list[int]]:
    return [[m.index for m in chain.members] for chain in chains]


def test_a_lead_in_brings_every_item_with_the_rest_of_its_paragraph_and_stops_at_the_list_end():
    cands = {i: candidate(i, 0.0) for i in range(len(SPANS))}

    assert [f.index for f in _followers(cands[1], cands, InOrder(), room=10, used=set())] == [2, 3, 4, 5]
    assert continues_item([cands[3]], cands[4].sentence)  # same paragraph as the item before it
    assert not continues_item([cands[5]], cands[6].sentence)  # after a blank line: the text after the list
    assert not continues_item([cands[1]], cands[2].sentence)  # the lead-in is no item


def test_a_list_after_the_first_chain_is_quoted_whole_past_the_answers_length():
    ranked = [candidate(0, 3.0), candidate(1, 2.0), *(candidate(i, -1.0) for i in (2, 3, 4, 5, 6))]

    chains = _select(ranked, InOrder(), max_sentences=3, relative=0.0, duplicate_cosine=0.99, minimum=0.0)

    assert indices(chains) == [[0], [1, 2, 3, 4, 5]]
    assert sum(len(c) for c in indices(chains)) <= LIST_ROOM


def test_a_list_after_the_first_chain_that_would_be_cut_short_is_left_out():
    # item 5 was not retrieved (no candidate): the list would stop after two of its three items
    ranked = [candidate(0, 3.0), candidate(1, 2.0), candidate(6, 1.0), *(candidate(i, -1.0) for i in (2, 3, 4))]

    chains = _select(ranked, InOrder(), max_sentences=3, relative=0.0, duplicate_cosine=0.99, minimum=0.0)

    assert indices(chains) == [[0], [6], [2]]


def test_a_list_that_opens_the_answer_keeps_what_was_retrieved_of_it():
    ranked = [candidate(1, 3.0), candidate(0, 1.0), *(candidate(i, -1.0) for i in (2, 3, 4))]

    chains = _select(ranked, InOrder(), max_sentences=3, relative=0.0, duplicate_cosine=0.99, minimum=0.0)

    assert indices(chains) == [[1, 2, 3, 4]]
