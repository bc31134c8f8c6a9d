"""Follow-ups: detected both ways, searched in their own words with the conversation's topic beside
them, shown as a question that names what they follow on from; streams end with the same answer as ask."""

from __future__ import annotations

import numpy as np
import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

import rag.answering.query as query_module
from rag.config import load_settings
from rag.answering.followup import MAX_CARRIED_TURNS, Resolution, resolve
from rag.answering.followup_signals import SIGNALS, FollowUpModel, definite_noun, is_follow_up, points_back, signals
from rag.answering.query import QueryBuilder, read_asks
from rag.service import RagService
from rag.types import Delta, Final, Turn


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("followup"), {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as s:
        settings = load_settings(
            index_dir=s.index_dir, corpus_dir=s.corpus_dir, decline_below=-10.0, partial_below=-10.0
        )
        yield RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


@pytest.mark.parametrize(
    "question",
    [
        # openers
        "Och vad säger rapporten om kompetens där?",
        "Men hur gör vi med personuppgifterna?",
        "Hur är det med de mindre kommunerna?",
        "What about smaller municipalities?",
        "Tell me more about the structural one.",
        "Och nackdelarna?",
        # words pointing back
        "Vad står data för där?",
        "Vem ska äga det arbetet?",
        "Vilka risker finns med den projektbaserade formen?",
        "Hur kan ledningen motverka det?",
        "Hur hänger det ihop med modigt ledarskap?",
        "Vem bör vara med när den tas fram?",
        "Vilka fördelar ger en sådan samverkan?",
        "Hur mycket extern finansiering brukar sådana projekt få?",
        "Finns det något citat från en intervjuperson om det?",
        "Hur stöttar vi dem?",
        "Who funds it?",
        "Does that mean we should set up an ethics committee?",
        "Who else should be on that team?",
        "How many of them are in production today?",
        # too bare to search on
        "Vad kan cheferna själva göra konkret?",
        "Varför?",
    ],
)
def test_a_question_that_leans_on_the_conversation_is_a_follow_up(question):
    assert is_follow_up(question) is True


@pytest.mark.parametrize(
    "question",
    [
        # a dummy "det" / "it"
        "Är det vanligt att kommuner samverkar kring AI?",
        "Hur mycket kostar det att köpa in en AI-lösning?",
        "Finns det forskning om varför strategier i offentlig sektor ofta blir för allmänna?",
        "Hur lång tid tar det innan en AI-satsning börjar löna sig?",
        "Varför är kommunerna så försiktiga när det gäller AI?",
        "Vad är det för skillnad mellan pratsamverkan och strukturell samverkan?",
        "Is it common for municipalities to share AI solutions?",
        "How much does it cost to hire an AI consultant?",
        "Is it true that AI itself is nothing new?",
        # the pointing word's antecedent is in the question
        "Vad är en vägledande koalition och varför behövs en sådan?",
        "Ska vi rekrytera data scientists eller satsa på att utbilda dem vi redan har?",
        "We are a small municipality without dedicated digital roles – is that typical?",
        "Hur tar vi tillvara kunskapen hos dem som har gått utbildning till AI-ambassadörer?",
        # no pointing at all: the report, an acronym, a generic phrase, one rare topic word
        "Vad säger den här rapporten om nyttorealisering?",
        "Finns det exempel på kommuner som slagit ihop sin IT för att utveckla AI gemensamt?",
        "Hur arbetar den offentliga sektorn med AI-strategier?",
        "Vad menas med pratsamverkan?",
        "What does AI maturity mean?",
        "Vad säger rapporten om AI-ambassadörer?",
    ],
)
def test_a_question_that_stands_on_its_own_is_no_follow_up(question):
    assert is_follow_up(question) is False


PILOT = "Hur går vi från pilotprojekt till storskalig användning av AI?"


@pytest.mark.parametrize(
    "question",
    [
        "Can you give an example?",
        "Why is that?",
        "What about smaller municipalities?",
        "Och vem ska ansvara för det?",
        "Vem ska hantera dom frågorna då, en kommitté?",
        "Vilka av de områdena handlar om människor och kultur?",
        "Finns det något konkret initiativ de ska bygga vidare på?",
        "Skiljer sig situationen mellan större och mindre kommuner?",
    ],
)
def test_the_follow_ups_new_users_asked_are_follow_ups(question):
    assert is_follow_up(question) is True


@pytest.mark.parametrize(
    "question",
    [
        "We worry about vendor lock-in on our data. What does the report say about contracts with system suppliers?",
        "Vad säger rapporten om dataskyddet?",
        "Vilka bör vi bjuda in när vi tar fram vår AI-strategi?",
        "Is it true that municipalities that are willing to redefine their project goals along the way get better results?",
    ],
)
def test_new_users_self_contained_questions_are_not_follow_ups(question):
    assert is_follow_up(question) is False


@pytest.mark.parametrize(
    ("question", "fired"),
    [
        ("Can you give an example?", {"no_specific_word"}),
        ("Why is that?", {"pronoun_back", "too_bare", "no_specific_word"}),
        ("Vem ska hantera dom frågorna då, en kommitté?", {"determiner_definite", "definite_noun"}),
        ("Skiljer sig situationen mellan större och mindre kommuner?", {"definite_noun"}),
        # "their" after a plural noun of the same question refers to it; without one it points back
        ("Is it true that municipalities that redefine their project goals get better results?", set()),
        ("How big is their AI budget?", {"pointing_word"}),
        ("Finns det något konkret initiativ de ska bygga vidare på?", {"subject_pronoun"}),
        ("Finns det nåt exempel på en kommun som har gjort så?", {"final_pointing", "no_specific_word"}),
        ("Och vem ska ansvara för det?", {"opener", "pronoun_back", "too_bare"}),
        ("Vad säger rapporten om dataskyddet?", set()),
        ("Är det vanligt att kommuner samverkar kring AI?", set()),  # "vanligt" is an adjective
    ],
)
def test_each_signal_fires_on_its_own_form(question, fired):
    graded = {"content_words", "commonest_rarest"}
    assert {name for name, v in zip(SIGNALS, signals(question)) if v and name not in graded} == fired


@pytest.mark.parametrize(
    ("word", "definite"),
    [("situationen", True), ("frågorna", True), ("ansvaret", True), ("arbetet", True), ("medborgarna", True),
     ("frågan", True), ("praktiken", True), ("sektorn", True), ("områdena", True),
     ("strategi", False), ("universitet", False), ("antagen", False), ("frågor", False),
     # an adjective's or a participle's ending is no definite ending: vanlig-t, allmän-na, finansiera-t
     ("vanligt", False), ("allmänna", False), ("finansierat", False), ("jämfört", False)],
)
def test_a_definite_noun_is_its_lemma_with_a_definite_ending(word, definite):
    assert definite_noun(word) is definite


def test_commonest_rarest_scales_the_rarest_topic_words_frequency():
    assert signals("Can you give an example?")[SIGNALS.index("commonest_rarest")] == pytest.approx(0.927, abs=1e-3)
    assert signals("Vad är pratsamverkan?")[SIGNALS.index("commonest_rarest")] == 0.0  # unseen in general language
    assert signals("Varför?")[SIGNALS.index("commonest_rarest")] == 1.0  # no topic word at all


def test_the_fitted_decision_is_a_logistic_regression_over_the_signals():
    model = FollowUpModel(coef=(2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.0), intercept=-1.0)

    assert model.logit((1, 0, 0, 0, 0, 0, 0, 0, 0)) == 1.0
    assert model.decide((1, 0, 0, 0, 0, 0, 0, 0, 0)) is True
    assert model.decide((1, 0, 0, 0, 0, 0, 0, 0, 1 / 3)) is False  # 2 - 1 - 1 = 0 is not above 0
    assert model.decide((0, 1, 1, 1, 1, 1, 1, 1, 0)) is False


def test_a_self_contained_question_is_never_rewritten():
    history = [Turn(PILOT, "Detta kräver ett skifte …")]

    assert resolve("Är det vanligt att kommuner samverkar kring AI?", history) == Resolution(
        "Är det vanligt att kommuner samverkar kring AI?"
    )
    assert resolve("  Och där?  ", []) == Resolution("Och där?")


def test_a_follow_up_is_searched_in_its_own_words_with_the_previous_turn_as_topic():
    got = resolve("Och vad säger rapporten om kompetens där?", [Turn(PILOT, "…")])

    assert got == Resolution(
        "vad säger rapporten om kompetens där?",
        shown="Apropå ”Hur går vi från pilotprojekt till storskalig användning av AI?”: "
        "vad säger rapporten om kompetens där?",
        topic=Resolution(PILOT),
        typed="Och vad säger rapporten om kompetens där?",
    )


@pytest.mark.parametrize(
    ("follow_up", "continued"),
    [
        ("Finns det något citat från en intervjuperson om det?", "finns det något citat från en intervjuperson om det?"),
        ("Sundsvall då?", "Sundsvall då?"),
        ("Och AI-strategin där?", "AI-strategin där?"),
    ],
)
def test_the_follow_up_continues_the_sentence_and_keeps_names_capitalised(follow_up, continued):
    got = resolve(follow_up, [Turn("Vilka kommuner samverkar kring AI?")])

    assert got.shown == "Apropå ”Vilka kommuner samverkar kring AI?”: " + continued


def test_an_english_follow_up_reads_as_an_english_question():
    got = resolve("What about smaller municipalities?", [Turn("What are the most common obstacles to AI?", "…")])

    assert got.shown == "Regarding “What are the most common obstacles to AI?”: what about smaller municipalities?"


def test_a_chain_carries_one_resolution_per_turn_and_never_glues_words_on():
    history = [
        Turn("Vad är en oviktig fråga om budgeten?", "…"),
        Turn("Vad menas med pratsamverkan?", "…"),
        Turn("Vilka fördelar har den?", "…"),
    ]

    got = resolve("Och nackdelarna?", history)

    assert got.standalone == "nackdelarna?"  # its own ask, without the "Och" that ties it on
    assert got.topic == Resolution(
        "Vilka fördelar har den?",
        shown="Apropå ”Vad menas med pratsamverkan?”: vilka fördelar har den?",
        topic=Resolution("Vad menas med pratsamverkan?"),
    )
    # What it follows on from: the thread's first question and the previous one as typed, never more.
    assert got.shown == "Apropå ”Vad menas med pratsamverkan?” och ”Vilka fördelar har den?”: nackdelarna?"
    assert resolve("Och nackdelarna?", [Turn("Vad menas med pratsamverkan?"), Turn("Och fördelarna?")]).shown == (
        "Apropå ”Vad menas med pratsamverkan?” och ”Och fördelarna?”: nackdelarna?"
    )


def test_a_long_chain_reaches_back_a_bounded_number_of_turns():
    history = [Turn("Vad menas med pratsamverkan?")] + [Turn("Och sedan?") for _ in range(6)]

    got = resolve("Och sedan?", history)

    depth, node = 0, got
    while node.topic is not None:
        depth, node = depth + 1, node.topic
    assert depth == MAX_CARRIED_TURNS
    assert node == Resolution("Och sedan?")  # the oldest carried turn has nothing before it left


def _unit(v):
    return v / np.linalg.norm(v)


def test_the_topic_is_the_previous_turn_as_searched_so_older_turns_fade():
    embedder = HashEmbedder()
    builder = QueryBuilder(embedder, frozenset())
    history = [Turn("Vad menas med pratsamverkan?"), Turn("Vilka fördelar har den?")]

    query = builder.build("Och nackdelarna?", history)

    v = {q: np.asarray(embedder._vector(q), dtype=np.float32) for q in ("nackdelarna?", *[t.question for t in history])}
    w, lw = query_module.TOPIC_DENSE_WEIGHT, query_module.TOPIC_LEXICAL_WEIGHT
    previous = _unit(v["Vilka fördelar har den?"] + w * v["Vad menas med pratsamverkan?"])
    assert (query.text, query.standalone) == ("Och nackdelarna?", "nackdelarna?")
    np.testing.assert_allclose(query.topic.vector, previous, atol=1e-6)
    assert query.topic.lexical == (("Vilka fördelar har den?", (), 1.0), ("Vad menas med pratsamverkan?", (), lw))
    assert query.topic.text == "Vilka fördelar har den?"
    np.testing.assert_allclose(query.search_vector, v["nackdelarna?"], atol=1e-6)
    expected = _unit(v["nackdelarna?"] + query_module.TOPIC_SCORING_WEIGHT * previous)
    np.testing.assert_allclose(query.vector, expected, atol=1e-6)
    assert query.topic.share == query_module.TOPIC_SHARE_SAYS_LITTLE  # "nackdelarna" alone names no topic
    assert query.shown_rewrite == "Apropå ”Vad menas med pratsamverkan?” och ”Vilka fördelar har den?”: nackdelarna?"
    assert embedder.queries == 3  # each question embedded once


def test_earlier_turns_are_not_embedded_again_but_a_question_asked_again_is():
    embedder = HashEmbedder()
    builder = QueryBuilder(embedder, frozenset())
    builder.build(PILOT)
    assert embedder.queries == 1

    builder.build("Och vad säger rapporten om kompetens där?", [Turn(PILOT)])
    assert embedder.queries == 2  # the follow-up's own ask; the pilot question's vector is kept

    builder.build(PILOT)
    assert embedder.queries == 3  # a question on its own is always embedded afresh


def test_an_english_topic_is_searched_through_its_swedish_translations():
    from rag.answering.translate import DictionaryTranslator

    builder = QueryBuilder(HashEmbedder(), frozenset({"samverkan", "strukturell"}), translator=DictionaryTranslator())

    query = builder.build("Tell me more about the structural one.", [Turn("What forms of collaboration are there?")])

    assert query.standalone == "the structural one."
    (text, groups, weight), = query.topic.lexical
    assert (text, weight) == ("What forms of collaboration are there?", 1.0)
    assert "samverkan" in {t for g in groups for t in g.terms}


def test_a_question_on_its_own_has_no_topic_and_no_rewrite():
    query = QueryBuilder(HashEmbedder(), frozenset()).build(
        "Hur mycket kostar det att köpa in en AI-lösning?", [Turn(PILOT)]
    )

    assert (query.topic, query.shown_rewrite) == (None, None)


def test_a_follow_up_answers_its_own_ask_within_the_topic(service):
    first = service.ask("Vem beslutar om strategin för AI?")
    follow = service.ask("Och vad gäller för personuppgifter där?", history=[Turn(first.question, first.text)])

    assert follow.question == "Och vad gäller för personuppgifter där?"
    assert follow.standalone_question == (
        "Apropå ”Vem beslutar om strategin för AI?”: vad gäller för personuppgifter där?"
    )
    assert follow.hits[0].passage.section == "2. Dataskydd"
    assert follow.to_dict()["standalone_question"] == follow.standalone_question
    assert service.ask("Och vad gäller för personuppgifter där?").standalone_question is None


def test_the_topic_decides_between_passages_the_follow_up_alone_cannot_tell_apart(service):
    first = service.ask("Hur kan små kommuner samverka om upphandlingar?")

    follow = service.ask("Och vad kostar det?", history=[Turn(first.question, first.text)])

    assert follow.hits[0].passage.source == "samverkan.txt"
    assert service.ask("Och vad kostar det?").hits[0].passage.source != "samverkan.txt"


def test_a_self_contained_second_question_gets_the_answer_it_gets_alone(service):
    question = "Är det vanligt att kommuner samverkar kring upphandlingar?"

    alone = service.ask(question).to_dict()
    after = service.ask(question, history=[Turn("Vem beslutar om strategin för AI?", "Fullmäktige.")]).to_dict()

    alone.pop("timings_ms"), after.pop("timings_ms")
    assert after == alone and after["standalone_question"] is None


def test_stream_yields_the_answer_text_piece_by_piece_then_the_same_answer_as_ask(service):
    question = "Vem beslutar om strategin för AI?"

    events = list(service.stream(question))

    assert isinstance(events[-1], Final)
    assert all(isinstance(e, Delta) for e in events[:-1])
    final = events[-1].answer
    assert "".join(e.text for e in events[:-1]) == final.text
    assert len(events) == 1 + len(final.text.split("\n\n"))
    asked = service.ask(question).to_dict()
    streamed = final.to_dict()
    asked.pop("timings_ms"), streamed.pop("timings_ms")
    assert streamed == asked
    assert streamed["mode"] == "extractive" and streamed["fallback"] is None and streamed["invalid_citations"] == []


def test_search_returns_ranked_hits_without_answering(service):
    hits = service.search("upphandlingar grannkommunerna", k=2)

    assert [h.rank for h in hits] == [1, 2]
    assert hits[0].passage.source == "samverkan.txt"
    assert "1. Samverkan" in service.sections()
    with pytest.raises(ValueError, match="^query is empty; type what to search for$"):
        service.search("  ")


def test_a_follow_up_on_the_interview_guide_is_still_about_it():
    builder = QueryBuilder(HashEmbedder(), frozenset())

    guide = builder.build("Och om etiken?", [Turn("Ställdes det frågor om ledarskap?")])
    other = builder.build("Och om etiken?", [Turn("Vad säger rapporten om ledarskap?")])

    assert guide.topic is not None and guide.asks.about_guide
    assert other.topic is not None and not other.asks.about_guide


def test_a_follow_up_on_the_national_level_is_still_about_it():
    builder = QueryBuilder(HashEmbedder(), frozenset())

    national = builder.build("Vad menas med incitamenten där?", [Turn("Och till de nationella beslutsfattarna?")])
    chained = builder.build("Och hur ska det finansieras?", [Turn("Vad ska staten göra?"), Turn("Vem ska leda det arbetet?")])
    local = builder.build("Vad menas med incitamenten där?", [Turn("Vad rekommenderar rapporten kommuncheferna?")])

    assert national.topic is not None and national.asks.national
    assert chained.topic is not None and chained.asks.national  # two turns back, through the chain
    assert local.topic is not None and not local.asks.national
    # naming the municipal level turns from the national question to the municipalities' own part
    turned = builder.build("Och vad ska kommunerna själva göra?", [Turn("Vad ska staten göra?")])
    assert turned.topic is not None and not turned.asks.national
    assert read_asks("Vad bör regeringen göra?").national and not read_asks("Vad bör kommunen göra?").national


@pytest.mark.parametrize(("question", "municipal"), [
    ("Och vad ska kommunerna själva göra?", True),
    ("Och kommuncheferna då?", True),
    ("What should the council do then?", True),
    ("Hur når vi ut med kommunikationen?", False),  # "kommunikation" is no level
    ("Vad menas med incitamenten där?", False),
])
def test_the_municipal_level_named_in_a_question(question, municipal):
    from rag.answering.sentence_kinds import names_municipal_level

    assert names_municipal_level(question) == municipal


@pytest.mark.parametrize(
    ("question", "points"),
    [
        ("Vad kunde den inte besvara?", True),  # a pronoun that is no dummy subject
        ("Hur många steg har deras mognadsmodell?", True),  # a pointing word
        ("Who should own them?", True),
        ("Vem ska äga det arbetet?", True),  # "det" as determiner of a definite noun
        ("Finns det konkreta exempel?", False),  # a dummy subject
        ("Is it common to share data?", False),  # "it" anticipating a clause
        ("Vad betyder collaborative inertia?", False),
    ],
)
def test_a_question_points_back_when_a_word_refers_to_something_said_before(question, points):
    assert points_back(question) is points
