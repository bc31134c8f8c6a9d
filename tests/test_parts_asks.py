"""A part of a question asks what its own words ask, though it is searched with the part before it."""

from __future__ import annotations

from fakes import HashEmbedder

from rag.answering.parts import asked_by_itself, split_parts
from rag.answering.query import QueryBuilder
from rag.types import Retrieved


def _retrieved(searched: str) -> Retrieved:
    builder = QueryBuilder(HashEmbedder(), frozenset({"kartläggning", "initiativ", "verkstad"}))
    return Retrieved(query=builder.build(searched), hits=[])


def test_a_leaning_part_asks_its_own_question_not_the_count_of_the_part_before():
    first, second = split_parts("Hur många initiativ kartlades, och vem genomförde kartläggningen?")
    assert second == "Hur många initiativ kartlades? Vem genomförde kartläggningen?"  # searched with the first
    searched = _retrieved(second)
    assert searched.query.asks.facts == ("count",) and searched.query.asks.counted == "initiativ"

    own = asked_by_itself(searched, second)

    assert (own.query.asks.form, own.query.asks.facts, own.query.asks.counted) == ("who", (), None)  # who wins anyway
    assert own.query.standalone == searched.query.standalone  # still searched with the part before
    first_own = asked_by_itself(_retrieved(first), first)
    assert (first_own.query.asks.facts, first_own.query.asks.counted) == (("count",), "initiativ")


def test_a_leaning_part_keeps_the_level_the_part_before_names():
    part = "När ska den föreslagna AI-verkstaden för offentlig förvaltning vara i drift? Vilken myndighet ska ansvara för den?"
    searched = _retrieved(part)
    assert searched.query.asks.facts == ("date", "named")  # both parts read together

    own = asked_by_itself(searched, part)

    assert own.query.asks.facts == ("named",)  # an authority is named, no date asked
    assert own.query.asks.national is searched.query.asks.national is True
