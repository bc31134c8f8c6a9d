"""The pieces of the answer decision that need no index: the fact-kind table row by row, question
parts, the asker's setting, soft word knowledge and the calibrated model on fixed signal vectors."""

from __future__ import annotations

import pytest

from rag.answering.analysis import Vocabulary, content_words, without_setting
from rag.answering.decision import DecisionWeights
from rag.answering.facts import FACT_KINDS, KINDS, asked_facts, counted_word, missing_message, named_type
from rag.answering.parts import combined_outcome, split_parts
from rag.answering.signals import SIGNALS
from rag.lexical import stem
from rag.types import Decision

# One row per fact kind: a question asking for it (Swedish, English), a sentence stating it, and a
# sentence on the same subject that does not.
FACT_ROWS = [
    ("salary", "Vad får man räkna med i lön för en utvecklare?", "What salary should we offer a data scientist?",
     "Lönen för en utvecklare ligger kring 45 000 kronor i månaden.", "Utvecklare är svåra att rekrytera."),
    ("share", "Hur stor andel av kommunerna har en AI-strategi?", "What share of municipalities have a strategy?",
     "Ungefär hälften av kommunerna har en strategi.", "Många kommuner har en strategi."),
    ("amount", "Hur mycket sparar kommunen på AI-tjänsten?", "How much money did the pilot cost?",
     "Piloten kostade 2 miljoner kronor.", "Piloten blev dyr för kommunen."),
    ("count", "Hur många initiativ kartlades?", "How many initiatives were mapped?",
     "Över tusen initiativ kartlades.", "Initiativen kartlades under hösten."),
    ("duration", "Hur lång tid tar det att införa AI?", "How long does an introduction take?",
     "Införandet tog sex månader.", "Införandet tog lång tid."),
    ("date", "När ska verkstaden vara i gång?", "When will the workshop open?",
     "Verkstaden öppnar i mars 2026.", "Verkstaden öppnar snart."),
    ("legal_article", "Vilken artikel i GDPR gäller?", "Which article of the GDPR applies?",
     "Enligt artikel 22 får beslut inte fattas automatiskt.", "GDPR gäller all behandling."),
    ("named", "Vilken leverantör använde kommunen?", "Which language model did they use?",
     "Kommunen använde en tjänst från Microsoft.", "Kommunen använde en extern leverantör."),
]


@pytest.mark.parametrize(("kind", "sv", "en", "stating", "not_stating"), FACT_ROWS)
def test_each_fact_kind_is_asked_and_stated(kind, sv, en, stating, not_stating):
    assert asked_facts(sv) == (kind,)
    assert asked_facts(en) == (kind,)
    counted = frozenset({stem(counted_word(sv))}) if kind == "count" else frozenset()
    asked = frozenset(sv.lower().replace("?", "").split())
    assert KINDS[kind].stated_in(stating, counted, asked)
    assert not KINDS[kind].stated_in(not_stating, counted, asked)
    assert missing_message(kind, "sv") and missing_message(kind, "en")


def test_every_fact_kind_has_a_row():
    assert sorted(k.name for k in FACT_KINDS) == sorted(row[0] for row in FACT_ROWS)


def test_a_name_the_question_already_uses_states_no_named_fact():
    named = KINDS["named"]
    asked = frozenset("vilken leverantör använde sundsvall".split())
    assert not named.stated_in("Sundsvall använde en extern leverantör.", asked=asked)
    assert named.stated_in("Sundsvall använde en tjänst från Visma.", asked=asked)


def test_a_count_counts_the_word_after_it():
    count = KINDS["count"]
    students = frozenset({stem("studenter")})
    # The number counts interviews; the students are only mentioned.
    assert not count.stated_in("Sammanlagt har 30 intervjuer genomförts av studenter.", students)
    assert count.stated_in("Intervjuerna gjordes av 12 studenter.", students)
    # An article or a vague quantifier counts nothing.
    employees = frozenset({stem("anställda")})
    assert not count.stated_in("Portalen är en mötesplats för anställda i kommuner.", employees)
    assert not count.stated_in("Många anställda använder portalen.", employees)
    assert count.stated_in("Portalen har över tusen anställda användare.", employees)


def test_which_municipality_is_answered_by_a_name_beside_the_word_kommun():
    named = KINDS["named"]
    question = "Vilken kommun har kommit längst med AI?"
    of_type = named_type(question)
    asked = frozenset(question.lower().rstrip("?").split())
    assert not named.stated_in("Myndigheten för digital förvaltning pekar på bristande mognad.", asked=asked, of_type=of_type)
    assert named.stated_in("I Strängnäs kommun har man betonat ett modigt ledarskap.", asked=asked, of_type=of_type)
    assert named.stated_in("Flera kommuner, som Sundsvall och Ånge, samverkar.", asked=asked, of_type=of_type)
    # A name and "kommun" in one sentence are not enough: the name must stand beside the word.
    assert not named.stated_in(
        "Flera myndigheter, däribland DIGG och Statistiska centralbyrån, samt Sveriges kommuner pekar på brister.",
        asked=asked, of_type=of_type,
    )
    assert named_type("Which Swedish municipality is the most mature?") == of_type
    assert named_type("Vilken leverantör använde kommunen?") == frozenset()


def test_a_figure_the_question_gives_states_nothing():
    question = "How many of the 30 interviewees were project managers?"
    asked = frozenset(w.strip("?") for w in question.lower().split())
    interviewees = frozenset({stem("intervjuade")})
    assert counted_word(question) == "interviewees"
    assert not KINDS["count"].stated_in("Sammanlagt har 30 intervjuade svarat.", interviewees, asked)
    assert KINDS["count"].stated_in("Av dem var 12 intervjuade projektledare.", interviewees, asked)
    assert not KINDS["date"].stated_in("Kartläggningen gjordes 2024.", asked=frozenset({"2024", "när"}))


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("Hur många av de drygt tusen AI-initiativen gällde äldreomsorgen?", "ai-initiativen"),
        ("Which building blocks make up the AI house, and how many are there?", None),
        ("How many of them had something going?", None),
        ("Hur många kommuner deltog?", "kommuner"),
        # as common as "them", but a noun: counted, not a function word
        ("How many people work with AI in Uppsala municipality?", "people"),
        ("How many of them were there?", None),
        ("Hur många finns det?", None),
    ],
)
def test_what_a_count_question_counts(question, counted):
    assert counted_word(question) == counted


def test_numbers_in_words_state_a_count():
    count = KINDS["count"]
    assert count.stated_in("Rapporten beskriver fem steg.", frozenset({stem("steg")}))
    # A compound counts as its last part: "trappsteg" are "steg", "AI-initiativen" "initiativ".
    assert count.stated_in("Rapporten beskriver fem steg.", frozenset({stem("trappsteg")}))
    assert count.stated_in("Kartläggningen fann 1008 initiativ.", frozenset({stem("ai-initiativen")}))
    assert not count.stated_in("Rapporten beskriver fem steg.", frozenset({stem("stegring")}))
    assert count.stated_in("Det finns tio områden.", frozenset({stem("områden")}))
    assert not count.stated_in("Det finns tio områden.", frozenset({stem("steg")}))


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("Vilka bör vi bjuda in när vi tar fram vår AI-strategi?", ()),
        ("Hur går vi från pilot till drift?", ()),
        ("Varför stannar projekten i pilotfasen?", ()),
        ("När ska vi börja med AI?", ()),
        ("Hur mycket kan vi söka från Vinnova och när är sista ansökningsdag?", ("amount", "date")),
        ("Hur många timmar i veckan sparade socialsekreterarna?", ("duration",)),
        ("Vilket mål i antal dagar sätter kommunen för handläggningen?", ("duration",)),
        ("Hur stora var projekten räknat i budget och personal?", ("amount",)),
        ("When was the portal for municipal employees on the national AI platform launched?", ("date",)),
        ("When is it time to start harvesting the effects?", ()),
        # "how much" of a degree asks for no amount; of money it does
        ("We have no proper data platform yet. How much does that matter for AI?", ()),
        ("How much does it cost to run a chatbot for a year?", ("amount",)),
        ("How much money did the pilot save?", ("amount",)),
        # the English of "Hur stor är deras AI-budget?"; a size that is no sum asks for no amount
        ("How big is their AI budget?", ("amount",)),
        ("How large were the costs of the pilot?", ("amount",)),
        ("What is their AI budget?", ("amount",)),
        ("How big is the risk?", ()),
        ("How big a difference does leadership make?", ()),
        # an authority or organisation is named like a vendor; "organisatoriska" is no organisation
        ("Vilken myndighet ska ansvara för AI-verkstaden?", ("named",)),
        ("Which agency should run the AI workshop?", ("named",)),
        ("Vilka organisatoriska förmågor krävs?", ()),
    ],
)
def test_questions_that_ask_for_no_fact_or_several(question, facts):
    assert asked_facts(question) == facts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Vilka bör vi bjuda in när vi tar fram vår AI-strategi?", ["Vilka bör vi bjuda in när vi tar fram vår AI-strategi?"]),
        ("Vilka politiska beslut krävs för en AI-strategi, och vilken roll har fackliga representanter i strategiarbetet?",
         ["Vilka politiska beslut krävs för en AI-strategi?", "Vilken roll har fackliga representanter i strategiarbetet?"]),
        # A later part with too few words of its own is searched with the part before it.
        ("Hur många initiativ kartlades, och vem genomförde kartläggningen?",
         ["Hur många initiativ kartlades?", "Hur många initiativ kartlades? Vem genomförde kartläggningen?"]),
        ("How long does it take to introduce AI? And who should own it?",
         ["How long does it take to introduce AI?", "How long does it take to introduce AI? Who should own it?"]),
        # A first part that asks nothing by itself is read with the rest as one question.
        ("Vi pratar AI i ett nätverk. Räcker det, eller vilka borde vara med?",
         ["Vi pratar AI i ett nätverk. Räcker det, eller vilka borde vara med?"]),
        ("Vad är nyttorealisering och varför är det svårt?", ["Vad är nyttorealisering och varför är det svårt?"]),
        # Two words of its own ("juridiska frågorna") are a question of its own.
        ("Får vi använda AI i socialtjänsten? Vad säger rapporten om de juridiska frågorna?",
         ["Får vi använda AI i socialtjänsten?", "Vad säger rapporten om de juridiska frågorna?"]),
        # Two words that name no topic lean on the part before.
        ("Hur har kommuner kopplat strategin till sina mål? Finns det konkreta exempel?",
         ["Hur har kommuner kopplat strategin till sina mål?",
          "Hur har kommuner kopplat strategin till sina mål? Finns det konkreta exempel?"]),
        ("Vilka risker finns, och varför?", ["Vilka risker finns, och varför?"]),
        # Without a comma: a direct question joined by "och"/"and" and a question word to one that
        # stands alone is two questions; one that leans ("varför är det svårt", above) is the same
        # question asked further, and "hur … och hur …" after a verb are indirect questions in one.
        ("Vad är pratsamverkan och vad betyder collaborative inertia?",
         ["Vad är pratsamverkan?", "Vad betyder collaborative inertia?"]),
        ("Hur mycket kan vi söka från Vinnova nästa år och när är sista ansökningsdag?",
         ["Hur mycket kan vi söka från Vinnova nästa år?", "När är sista ansökningsdag?"]),
        ("How is benefits realisation defined and what should the steering group measure?",
         ["How is benefits realisation defined?", "What should the steering group measure?"]),
        ("Tog intervjumallen upp hur medborgarna involverats och hur de tagit emot projekten?",
         ["Tog intervjumallen upp hur medborgarna involverats och hur de tagit emot projekten?"]),
        ("Vad visade kartläggningen hösten 2024 och vad kunde den inte besvara?",
         ["Vad visade kartläggningen hösten 2024 och vad kunde den inte besvara?"]),
        # A part whose pronoun points back at the part before is searched with it.
        ("Vad visade kartläggningen hösten 2024, och vad kunde den inte besvara?",
         ["Vad visade kartläggningen hösten 2024?", "Vad visade kartläggningen hösten 2024? Vad kunde den inte besvara?"]),
    ],
)
def test_a_question_is_split_into_the_parts_it_asks(question, parts):
    assert split_parts(question) == parts


def test_a_declined_part_says_so_once_and_shows_nothing_below_it():
    from rag.answering.parts import combine
    from rag.types import Answer

    declined = Answer(question="Vad säger arkivlagen?", lang="sv", lead="Rapporten nämner inte «arkivlagen». Närmaste avsnitt visas nedan.", sentences=(), citations=(), hits=(),
                      decision=Decision("decline", "unknown_terms", 0.5, 0.01, unknown_terms=("arkivlagen",)))
    answered = Answer(question="Vad är en AI-strategi?", lang="sv", lead="", sentences=(), citations=(), hits=(), decision=Decision("answer", None, 0.9, 0.9))
    whole = combine("Vad säger arkivlagen, och vad är en AI-strategi?", ["Vad säger arkivlagen?", "Vad är en AI-strategi?"],
                    [declined, answered])
    assert [p.heading for p in whole.parts] == [
        "1. Vad säger arkivlagen? Rapporten nämner inte «arkivlagen».",
        "2. Vad är en AI-strategi?",
    ]
    assert whole.outcome == "partial"


def test_the_whole_is_an_answer_only_when_every_part_is():
    answer, partial, decline = Decision("answer", evidence=0.9), Decision("partial", "missing_fact", 0.8, missing_fact="count"), Decision("decline", "not_covered", 0.5)
    assert combined_outcome([answer, answer]).outcome == "answer"
    assert combined_outcome([answer, partial]) == Decision("partial", "parts", 0.9, None, missing_fact="count")
    assert combined_outcome([answer, decline]).outcome == "partial"
    assert combined_outcome([decline, decline]).outcome == "decline"


def test_the_askers_setting_does_not_drive_retrieval():
    assert without_setting("Vi är en kommun på 9 000 invånare. Hur kommer vi igång med AI-strategin?") == (
        "Hur kommer vi igång med AI-strategin?"
    )
    # Too little of its own to be searched alone: the setting stays.
    assert without_setting("Vi träffas två gånger per termin. Räcker det?") == (
        "Vi träffas två gånger per termin. Räcker det?"
    )
    # A described situation is what the question points back to ("Är det …"): it stays.
    situation = "Hos oss mejlar projektledaren frågor till juristen. Är det ett vettigt sätt att jobba?"
    assert without_setting(situation) == situation
    # Not a first-person statement: part of what is asked.
    assert without_setting("Kommunen har ingen strategi. Hur börjar man?") == "Kommunen har ingen strategi. Hur börjar man?"
    # Who the asker is goes, the situation joined to it stays: it is what "that"/"det" points back to.
    assert without_setting(
        "I'm the CIO of a mid-sized municipality and our AI work keeps stalling on who gets to decide. "
        "What does the report say about that?"
    ) == "our AI work keeps stalling on who gets to decide. What does the report say about that?"
    assert without_setting(
        "Vi är en kommun på 30 000 invånare, förvaltningarna jobbar i varsitt stuprör. Hur får vi alla med?"
    ) == "förvaltningarna jobbar i varsitt stuprör. Hur får vi alla med?"
    # An identity statement beside a situation goes too.
    assert without_setting("Jag är socialchef. Hos oss mejlar projektledaren juristen. Är det vettigt?") == (
        "Hos oss mejlar projektledaren juristen. Är det vettigt?"
    )
    # What the asker has or lacks ("with nobody …", "med en ensam IT-tekniker", "utan …") is the situation,
    # not who they are: it stays.
    assert without_setting(
        "We're a municipality of 6,000 with nobody whose job is digital development. Is that typical for places our size?"
    ) == "nobody whose job is digital development. Is that typical for places our size?"
    assert without_setting("Vi är en liten kommun utan egna digitala roller. Hur bygger vi upp kompetensen?") == (
        "egna digitala roller. Hur bygger vi upp kompetensen?"
    )
    # A size is who they are, "med" or not; and "med" inside the situation is no boundary.
    assert without_setting("Vi är en kommun med 9 000 invånare. Hur kommer vi igång med AI-strategin?") == (
        "Hur kommer vi igång med AI-strategin?"
    )
    assert without_setting("Vi är en liten kommun och folk är rädda att göra fel med AI. Vad säger rapporten om det?") == (
        "folk är rädda att göra fel med AI. Vad säger rapporten om det?"
    )


VOCABULARY = Vocabulary(frozenset(stem(w) for w in "dataskydd initiativ strategi juridik ange kommun lag".split()))


@pytest.mark.parametrize("word", ["dataskyddet", "initativ", "strategierna", "ånge", "juridiken"])
def test_inflections_typos_and_ocr_spellings_are_known(word):
    assert VOCABULARY.knows(word)


@pytest.mark.parametrize(
    ("word", "spelled"),
    [
        ("initativ", stem("initiativ")),  # a letter dropped
        ("kriterer", stem("kriterier")),  # a letter dropped inside the stem
        ("projeckt", stem("projekt")),  # a letter added
        ("ånge", stem("ange")),  # å/ä/ö where the OCR text has a/o
        ("dataskyddet", stem("dataskydd")),  # a definite form the stemmer leaves whole: its bare form
        ("strategi", None),  # the report's own word
        ("snöröjning", None),  # unknown: nothing to search instead
    ],
)
def test_a_word_typed_otherwise_is_searched_as_the_report_spells_it(word, spelled):
    vocabulary = Vocabulary(
        frozenset(stem(w) for w in "dataskydd initiativ strategi kriterier projekt ange kommun".split()),
        {stem("projekt"): 40, stem("projektet"): 2},
    )
    assert vocabulary.spelled(word) == spelled


def test_only_a_word_general_swedish_never_writes_is_read_as_a_typo():
    vocabulary = Vocabulary(frozenset(stem(w) for w in "kriterier haft projekt".split()))
    words = content_words("Vilka kriterer finns för projekt som är häftigt?", "sv", (), vocabulary.knows, vocabulary.spelled)
    spelled = {w.text: w.spelled for w in words}
    assert spelled["kriterer"] == stem("kriterier")
    assert spelled["häftigt"] is None  # a word of its own, not a typo of "haft"
    assert spelled["projekt"] is None


def test_the_most_frequent_of_several_spellings_wins():
    # "pilotsk" is one letter short of both; the report uses "pilotsko" more often.
    vocabulary = Vocabulary(frozenset({"pilotskr", "pilotsko"}), {"pilotskr": 3, "pilotsko": 9})
    assert vocabulary.spelled("pilotsk") == "pilotsko"
    assert Vocabulary(frozenset({"pilotskr", "pilotsko"})).spelled("pilotsk") == "pilotsko"  # ties: alphabetical


@pytest.mark.parametrize("word", ["snöröjning", "copilot"])
def test_words_the_report_never_uses_are_unknown(word):
    assert not VOCABULARY.knows(word)


def test_a_name_is_known_only_as_written():
    vocabulary = Vocabulary(frozenset({stem("läs")}))
    assert vocabulary.knows("las")  # an OCR spelling of an ordinary word
    assert not vocabulary.knows("las", exact=True)  # the acronym LAS is another thing


def test_content_words_mark_names_setting_and_unknown_words():
    words = content_words("Jag är chef i Kiruna. Hur påverkar arkivlagen dataskyddet?", "sv", (), VOCABULARY.knows)
    by_text = {w.text: w for w in words}
    assert by_text["Kiruna"].setting and by_text["Kiruna"].named
    assert not by_text["arkivlagen"].known and by_text["arkivlagen"].named  # a law
    assert by_text["dataskyddet"].known and not by_text["dataskyddet"].named


WEIGHTS = DecisionWeights(
    mean=(0.0,) * len(SIGNALS), scale=(1.0,) * len(SIGNALS),
    coef=(2.0,) + (0.0,) * (len(SIGNALS) - 1), intercept=-1.0, decline_below=0.2, partial_below=0.5,
)


def test_the_calibrated_model_on_fixed_signal_vectors():
    rest = (0.0,) * (len(SIGNALS) - 1)
    assert WEIGHTS.probability((0.5,) + rest) == pytest.approx(0.5)
    assert WEIGHTS.probability((0.0,) + rest) == pytest.approx(0.26894142)
    shifted = WEIGHTS.with_cutoffs(0.1, None)
    assert (shifted.decline_below, shifted.partial_below) == (0.1, 0.5)


def test_the_nearest_passage_is_measured_against_the_spread_of_all_passages():
    import numpy as np

    from rag.answering.signals import Spread

    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    q = np.array([1.0, 0.0])
    similarities = vectors @ q  # 1.0, 0.0, 0.6
    spread = Spread.of(vectors)
    assert spread.standing(q, 1.0) == pytest.approx((1.0 - similarities.mean()) / similarities.std())
    # A large index is measured on a fixed sample: the same figure every time.
    many = np.random.default_rng(1).normal(size=(50, 2))
    assert Spread.of(many, sample=10).standing(q, 1.0) == Spread.of(many, sample=10).standing(q, 1.0)
    assert Spread.of(np.zeros((0, 2))).standing(q, 1.0) == 0.0


def _decide(probability_signal: float, named: bool, domain: bool = False):
    from rag.answering.analysis import ContentWord
    from rag.answering.decision import DecisionModel
    from rag.answering.query import Asks
    from rag.answering.signals import Signals

    query = type("Q", (), {})()
    query.content = (ContentWord("Copilot", ("copilot",), False, 5.0, named, False, False),) if named else ()
    if domain:  # "Kan AI hjälpa oss med avlopp?"
        query.content = (ContentWord("avlopp", ("avlopp",), False, 3.5, domain=True),)
    query.asks = Asks()
    query.standalone = "Kan vi använda Copilot?"
    candidate = type("C", (), {"index": 0, "text": "En mening."})()
    signals = Signals(probability_signal, *(0.0,) * (len(SIGNALS) - 1))
    return DecisionModel(WEIGHTS, [frozenset()]).decide(query, [candidate], signals)


def test_a_question_naming_what_the_report_never_mentions_is_declined_below_the_partial_cut_off():
    # WEIGHTS: p = sigmoid(2 * evidence - 1); decline below 0.2, partial below 0.5.
    assert _decide(0.0, named=False).outcome == "partial"  # p 0.27: uncertain, not declined
    declined = _decide(0.0, named=True)
    assert (declined.outcome, declined.kind, declined.unknown_terms) == ("decline", "unknown_terms", ("Copilot",))
    assert _decide(-0.5, named=False).outcome == "decline"  # p 0.12, below the decline cut-off
    assert _decide(1.0, named=True).outcome == "answer"  # p 0.73: the report answers all the same


def test_a_domain_the_report_never_mentions_is_never_answered():
    # The word stands where the question names what it asks about: below the partial cut-off the
    # question is declined naming it, above it the nearest the report says is a partial answer.
    declined = _decide(0.0, named=False, domain=True)
    assert (declined.outcome, declined.kind, declined.unknown_terms) == ("decline", "unknown_terms", ("avlopp",))
    partial = _decide(1.0, named=False, domain=True)  # p 0.73
    assert (partial.outcome, partial.kind, partial.unknown_terms) == ("partial", "unknown_terms", ("avlopp",))


@pytest.mark.parametrize(
    ("question", "domain"),
    [
        ("Kan AI hjälpa oss med vatten och avlopp?", {"vatten", "och", "avlopp"}),
        ("Kan AI hjälpa oss att planera snöröjningen bättre i vinter?", {"planera", "snöröjningen", "bättre", "i", "vinter"}),
        ("Hur gör vi med AI i lönehanteringen?", {"lönehanteringen"}),
        ("Går det att använda AI för serveringstillstånden?", {"serveringstillstånden"}),
        ("AI for playground inspections – what does the report say?", {"ai", "for", "playground", "inspections"}),
        ("Can AI optimise our district heating network?", {"our", "district", "heating", "network"}),
        ("How do we use AI for the municipal vehicle fleet?", {"the", "municipal", "vehicle", "fleet"}),
        ("Vad säger rapporten om dataskyddet?", set()),  # no domain asked about: the topic is in the signals
        ("Hur kommer vi igång med AI?", set()),
        ("How can the strategy help us decide whether a new AI idea is worth pursuing?", set()),  # an action
        ("Can AI help with waste collection?", {"waste", "collection"}),
    ],
)
def test_where_a_question_names_the_domain_it_asks_about(question, domain):
    from rag.answering.analysis import asked_domain

    assert asked_domain(question) == domain


def test_only_a_domain_word_the_report_never_uses_is_marked_so():
    words = {w.text: w for w in content_words("Kan AI hjälpa oss med strategin och avloppet?", "sv", (), VOCABULARY.knows)}
    assert words["avloppet"].domain and not words["avloppet"].known
    assert words["strategin"].domain and words["strategin"].known  # known: the signals weigh it, no rule
    assert not words["AI"].domain


def _answer(sentences, outcome="answer"):
    from rag.types import Answer, AnswerPart, AnswerSentence, Citation, Passage

    passages = {src: Passage(id=src, source=src, section="S", start=0, end=100, text="t" * 100) for src, _ in sentences}
    numbers = {src: i for i, src in enumerate(dict.fromkeys(src for src, _ in sentences), 1)}
    quoted = tuple(AnswerSentence(text=f"{src}:{a}", citations=(numbers[src],), start=a, end=a + 10, source=src)
                   for src, a in sentences)
    return Answer(question="q", lang="sv", lead="", sentences=quoted,
                  citations=tuple(Citation(n, passages[src]) for src, n in numbers.items()), hits=(),
                  decision=Decision(outcome), parts=(AnswerPart("lead", None, tuple((i,) for i in range(len(quoted)))),))


def test_parts_are_combined_with_one_numbering_and_no_sentence_twice():
    from rag.answering.parts import combine

    first = _answer([("a.txt", 0), ("b.txt", 20)])
    second = _answer([("b.txt", 20), ("c.txt", 40)])
    whole = combine("Vad och vem?", ["Vad gäller?", "Vem ansvarar?"], [first, second])

    assert [s.text for s in whole.sentences] == ["a.txt:0", "b.txt:20", "c.txt:40"]
    assert [s.citations for s in whole.sentences] == [(1,), (2,), (3,)]
    assert [c.passage.source for c in whole.citations] == ["a.txt", "b.txt", "c.txt"]
    assert [(p.kind, p.heading, p.items) for p in whole.parts] == [
        ("question_part", "1. Vad gäller?", ((0,), (1,))),
        ("question_part", "2. Vem ansvarar?", ((2,),)),
    ]
    assert whole.outcome == "answer"
    assert whole.text == "1. Vad gäller?\na.txt:0 [1]\nb.txt:20 [2]\n\n2. Vem ansvarar?\nc.txt:40 [3]"


def test_a_part_whose_quotes_stand_under_an_earlier_part_says_where():
    from rag.answering.parts import combine

    first = _answer([("a.txt", 0), ("b.txt", 20)])
    second = _answer([("b.txt", 20)])
    whole = combine("Vad och vem?", ["Vad gäller?", "Vem ansvarar?"], [first, second])
    assert [(p.heading, p.items) for p in whole.parts] == [
        ("1. Vad gäller?", ((0,), (1,))),
        ("2. Vem ansvarar? Se det som citeras under 1 ovan.", ()),
    ]


def test_a_name_in_ocr_spelling_is_known_but_not_an_acronym():
    vocabulary = Vocabulary(frozenset({stem("ange"), stem("läs")}))
    words = content_words("Vad gjorde Sundsvall och Ånge? Gäller LAS?", "sv", (), vocabulary.knows)
    by_text = {w.text: w for w in words}
    assert by_text["Ånge"].known and not by_text["LAS"].known and not by_text["Sundsvall"].known


def test_a_common_word_typed_in_capitals_is_no_acronym_but_an_unknown_acronym_still_is():
    # the report's vocabulary here knows neither "ok" nor "lss" nor "mbl"
    vocabulary = Vocabulary(frozenset({stem("projekt"), stem("misslyckas")}))
    words = {w.text: w for w in content_words("Är det OK om projektet misslyckas? Gäller LSS och MBL?", "sv", (),
                                              vocabulary.knows)}

    assert not words["OK"].named and not words["OK"].known  # general Swedish "ok": judged as a word
    assert words["LSS"].named and not words["LSS"].known  # hunspell-sv writes it in capitals
    assert words["MBL"].named and not words["MBL"].known  # listed as "mbl", but too rare to be a word
    english = {w.text for w in content_words("Is it OK if an attempt flops?", "en", (), vocabulary.knows)
               if w.named}
    assert english == set()  # judged through its translation, not as a name the report lacks


def test_written_in_lower_case_reads_hunspell_sv_entries_and_general_frequency():
    from rag.index.word_classes import written_in_lower_case

    assert [t for t in ("OK", "IT", "MBL", "LSS", "GDPR", "EU", "WCAG", "ok") if written_in_lower_case(t)] == [
        "OK", "IT"]


@pytest.mark.parametrize("question", ["Vad är AI-huset för nåt?", "Finns det nån kommun som har gjort så?"])
def test_a_spoken_spelling_of_a_function_word_is_no_content_word(question):
    words = {w.text for w in content_words(question, "sv", (), VOCABULARY.knows)}
    assert not words & {"nåt", "nån"}
    assert "kommun" in words or "huset" in words


def test_a_part_whose_lead_stands_under_an_earlier_part_says_where_and_shows_no_empty_group():
    from dataclasses import replace as changed

    from rag.answering.parts import combine
    from rag.types import AnswerPart

    first = _answer([("a.txt", 0), ("b.txt", 20)])
    second = changed(_answer([("b.txt", 20), ("a.txt", 0), ("c.txt", 40)]), parts=(
        AnswerPart("lead", None, ((0,),)),
        AnswerPart("recommendations", "Rapportens råd", ((1,),)),  # all quoted under part 1
        AnswerPart("experiences", "Erfarenheter från kommunerna", ((2,),)),
    ))
    whole = combine("Vad och vem?", ["Vad gäller?", "Vem ansvarar?"], [first, second])
    assert [(p.kind, p.heading, p.items) for p in whole.parts] == [
        ("question_part", "1. Vad gäller?", ((0,), (1,))),
        ("question_part", "2. Vem ansvarar? Se det som citeras under 1 ovan.", ()),
        ("experiences", "Erfarenheter från kommunerna", ((2,),)),
    ]


def test_an_english_counted_word_without_translations_is_still_what_is_counted():
    from types import SimpleNamespace

    from rag.answering.decision import _counted
    from rag.types import TermGroup

    def query(groups):
        return SimpleNamespace(asks=SimpleNamespace(counted="people"), lang="en", groups=groups)

    assert _counted(query([])) == frozenset({stem("people")})
    group = TermGroup("people", ("personer", "folk"))
    assert _counted(query([group])) == frozenset({"personer", "folk"})
    assert not KINDS["count"].stated_in("Sammanlagt har 30 intervjuer genomförts.", _counted(query([])))


def test_the_question_prior_scores_a_vector_linearly_and_a_vector_of_another_model_neutrally():
    from rag.answering.signals import QuestionPrior

    prior = QuestionPrior(coef=(1.0, 2.0), intercept=0.5, neutral=-0.25)
    assert prior.score([1.0, 1.0]) == pytest.approx(3.5)
    assert prior.score([0.0, -1.0]) == pytest.approx(-1.5)
    assert prior.score([1.0, 1.0, 1.0]) == -0.25  # another embedding model's vector: neutral


def _count_query(question: str, vector=(1.0, 0.0), topic=None):
    import numpy as np

    from rag.answering.analysis import Vocabulary, content_words
    from rag.answering.query import Query, read_asks

    vocabulary = Vocabulary(frozenset(stem(w) for w in "intervju intervjuer område genomförts sammanlagt".split()))
    return Query(text=question, standalone=question, lang="sv", vector=np.array(vector), search_vector=np.array(vector),
                 asks=read_asks(question), topic=topic,
                 content=content_words(question, "sv", (), vocabulary.knows, vocabulary.spelled))


def test_a_number_asked_for_is_stated_only_by_a_sentence_giving_it_beside_what_is_counted():
    from rag.answering.decision import number_stated
    from rag.lexical import terms

    sentences = ["Sammanlagt har 30 intervjuer genomförts.", "Intervjuerna var semistrukturerade."]
    term_sets = [frozenset(terms(s)) for s in sentences]
    candidates = [type("C", (), {"index": i, "text": s})() for i, s in enumerate(sentences)]
    assert number_stated(_count_query("Hur många intervjuer gjordes?"), candidates, term_sets)
    assert not number_stated(_count_query("Hur många intervjuer gjordes?"), candidates[1:], term_sets)
    # A question asking for a name is never "number stated", whatever the sentences say.
    assert not number_stated(_count_query("Vilken kommun gjorde intervjuerna?"), candidates, term_sets)
    assert not number_stated(_count_query("Vad handlade intervjuerna om?"), candidates, term_sets)


def test_a_follow_up_gets_the_neutral_prior_and_a_question_its_own_score():
    from types import SimpleNamespace

    import numpy as np

    from rag.answering.signals import QuestionPrior, measure

    prior = QuestionPrior(coef=(2.0, 0.0), intercept=0.0, neutral=0.3)
    retrieved = SimpleNamespace(dense_top=(0.8, 0.5), hits=())
    own = measure(_count_query("Hur många intervjuer gjordes?"), retrieved, [], [], {}, 1.0, prior=prior,
                  number_stated=True)
    assert (own.prior, own.number_stated, own.nearest) == (2.0, 1.0, 0.8)
    follow_up = measure(_count_query("Och hur många gjordes?", topic=object()), retrieved, [], [], {}, 1.0, prior=prior)
    assert (follow_up.prior, follow_up.number_stated) == (0.3, 0.0)
    assert measure(_count_query("Hur många intervjuer gjordes?"), retrieved, [], [], {}, 1.0).prior == 0.0
    assert np.isclose(own.top_selection, 0.0)  # no candidates


@pytest.mark.parametrize(
    ("word", "searched_as"),
    [
        ("bygglovshandläggningen", stem("bygglov")),  # the report's first part, an everyday last part
        ("skogsförvaltning", None),  # only the last part is the report's: never searched as that alone
        ("dataskydd", None),  # the report's own word
        ("snöröjningen", None),  # nothing of it is the report's
    ],
)
def test_a_compound_the_report_never_uses_is_searched_as_its_first_part_when_the_report_uses_that(word, searched_as):
    from rag.answering.analysis import Vocabulary, known_modifier

    vocabulary = frozenset(stem(w) for w in "bygglov handläggning förvaltning dataskydd kommun".split())
    assert known_modifier(word, vocabulary) == searched_as
    assert Vocabulary(vocabulary).spelled(word, typos=False) == searched_as
