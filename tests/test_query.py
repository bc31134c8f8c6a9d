"""What a question asks for, read from its wording: the amounts and durations a manager asks about."""

from __future__ import annotations

import pytest

from rag.answering.query import read_asks


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("Hur mycket extern finansiering brukar sådana projekt få?", ("amount",)),
        ("Hur mycket kan vi söka från Vinnova för AI-projekt?", ("amount",)),
        ("How much funding do municipal AI pilots usually get?", ("amount",)),
        ("Hur lång tid tar det innan en AI-satsning börjar löna sig?", ("duration",)),
        ("Hur länge bör en pilot pågå?", ("duration",)),
        ("How long does it take to train staff to become AI ambassadors?", ("duration",)),
        # a degree, not an amount
        ("Hur mycket påverkar juridiken vilka projekt vi startar?", ()),
    ],
)
def test_questions_about_funding_amounts_and_durations_want_that_fact(question, facts):
    assert read_asks(question).facts == facts
