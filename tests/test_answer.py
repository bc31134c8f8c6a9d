"""Extractive answers on a tiny inline report: selection, the composer's parts and citations, and
every outcome of the decision. The fake embedder stands in for the model; where a test
is about composition it builds the chosen sentences itself, so no score decides the outcome."""

from __future__ import annotations

import json
import re

import pytest
from fakes import HashEmbedder, fake_index

from rag.answering.analysis import Vocabulary, asker_setting, content_words, known_word
from rag.answering.facts import KINDS
from rag.answering.answer import ExtractiveAnswerer, report_sources
from rag.answering.compose import Composer
from rag.config import load_settings
from rag.lexical import stem
from rag.answering.messages import MESSAGES
from rag.answering.query import Asks, read_asks
from rag.answering.selection import Chain, in_interview_guide, in_recommendations, lead_in, quotable, select
from rag.service import RagService
from rag.types import Decision, TermGroup

REPORT = """Rapport om AI

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Att ta fram strategin bör inte vara något som IT-enheten gör på egen hand. Istället bör processen involvera politiker, chefer och fackliga representanter.

2. Kompetens

Kompetensen inom kommunen behöver öka på flera sätt framöver:
• Utbildningar för chefer och medarbetare i hela organisationen.
• Rekrytering av specialister inom data och analys till förvaltningarna.

3. Rekommendationer

Förankra strategin i hela organisationen genom dialog med medarbetarna. Följ upp nyttan av varje AI-projekt mot tydliga mål i verksamheten.

Appendix

Frågemall

Hur har ni arbetat med strategin för AI i kommunen under projektet?
"""
NOTE = """# Mötesanteckning

Strategin ska beslutas av kommunstyrelsen enligt mötet i maj i år.
"""
MANIFEST = json.dumps(
    {"documents": [{"file": "rapport.txt", "title": "Rapport om AI", "publisher": "Testförlaget", "year": 2025}]}
)
FILES = {"rapport.txt": REPORT, "anteckning.md": NOTE, "manifest.json": MANIFEST}
NEVER = dict(decline_below=-10.0, partial_below=-10.0)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("answer"), FILES) as settings:
        yield settings


def _service(index, **overrides) -> RagService:
    settings = load_settings(index_dir=index.index_dir, corpus_dir=index.corpus_dir, **overrides)
    return RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


@pytest.fixture(scope="module")
def service(index):
    return _service(index, **NEVER)


def _candidates(service, question: str, *starts: str, asks: Asks | None = None):
    """Candidates of the sentences starting with ``starts`` (in that order), from a retrieval of
    ``question`` over every passage, so that each one's passage is among the hits."""
    retrieved = service.retrieve(question, k=20)
    if asks is not None:
        retrieved = type(retrieved)(query=type(retrieved.query)(**{**retrieved.query.__dict__, "asks": asks}),
                                    hits=retrieved.hits)
    answerer = ExtractiveAnswerer(service.settings.model_copy(update={"answer_passages": 20}), service.generation)
    found = {c.text: c for c in answerer.candidates(retrieved)}
    chosen = [next(c for text, c in found.items() if text.startswith(start)) for start in starts]
    return retrieved, answerer, chosen, list(found.values())


def _chain(*members) -> Chain:
    return Chain(members[0], tuple(members))


def _check_spans(service, data: dict) -> None:
    """Every sentence cites a retrieved passage whose span holds the sentence verbatim."""
    cited = {c["n"]: c for c in data["citations"]}
    retrieved = {p["passage_id"] for p in data["passages"]}
    assert [c["n"] for c in data["citations"]] == list(range(1, len(cited) + 1))
    assert {c["passage_id"] for c in data["citations"]} <= retrieved
    texts = {"rapport.txt": REPORT, "anteckning.md": NOTE}
    for sentence in data["sentences"]:
        (n,) = sentence["citations"]
        c = cited[n]
        assert c["start"] <= sentence["start"] < sentence["end"] <= c["end"]
        assert texts[c["source"]][sentence["start"] : sentence["end"]] == sentence["text"]
        # The first marker after the sentence is its own (a run from one passage is marked once, at its end).
        after = data["answer"][data["answer"].index(sentence["text"]) :]
        assert re.search(r"\[(\d+)\]", after).group(1) == str(n)


def test_composer_opens_with_the_answer_then_the_reports_advice_then_its_own_analysis(service):
    # "Kommunen behöver …" is the report's own statement, not what a municipality told.
    retrieved, answerer, (lead, advice, experience), _ = _candidates(
        service, "Vem ska vara med när strategin tas fram?", "Istället bör", "Förankra strategin", "Kommunen behöver"
    )

    answer = Composer(report_sources(service.generation)).answer(
        retrieved.query, retrieved.hits, Decision("answer", evidence=0.9), [_chain(lead), _chain(advice), _chain(experience)]
    )

    assert [(p.kind, p.heading, p.sentences) for p in answer.parts] == [
        ("lead", None, (0,)),
        ("recommendations", "Rapportens råd", (1,)),
        ("analysis", "Rapportens analys", (2,)),
    ]
    strategy, recommendations = lead.hit.passage, advice.hit.passage
    assert [(c.n, c.passage.id) for c in answer.citations] == [(1, strategy.id), (2, recommendations.id)]
    assert [s.citations for s in answer.sentences] == [(1,), (2,), (1,)]
    assert answer.text == (
        "Istället bör processen involvera politiker, chefer och fackliga representanter. [1]\n\n"
        "Rapportens råd:\n• Förankra strategin i hela organisationen genom dialog med medarbetarna. [2]\n\n"
        "Rapportens analys:\n"
        "• Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. [1]"
    )
    assert (answer.outcome, answer.abstained, answer.lead) == ("answer", False, "")
    _check_spans(service, answer.to_dict())


def test_an_english_question_gets_english_labels_around_swedish_quotes(service):
    retrieved, _, (lead, advice), _ = _candidates(
        service, "Who should take part when the strategy is drafted?", "Istället bör", "Förankra strategin"
    )

    answer = Composer(report_sources(service.generation)).answer(
        retrieved.query, retrieved.hits, Decision("answer"), [_chain(lead), _chain(advice)]
    )

    assert answer.lang == "en"
    assert answer.text == (
        "What the report says, quoted from the Swedish original:\n\n"
        "Istället bör processen involvera politiker, chefer och fackliga representanter. [1]\n\n"
        "The report's recommendations:\n• Förankra strategin i hela organisationen genom dialog med medarbetarna. [2]"
    )


def test_a_file_that_is_not_the_report_is_quoted_under_its_own_title(service):
    retrieved, _, (note, report), _ = _candidates(
        service, "Vem beslutar om strategin?", "Strategin ska beslutas", "Kommunen behöver"
    )
    composer = Composer(report_sources(service.generation))

    first = composer.answer(retrieved.query, retrieved.hits, Decision("answer"), [_chain(note), _chain(report)])
    later = composer.answer(retrieved.query, retrieved.hits, Decision("answer"), [_chain(report), _chain(note)])

    assert first.lead == "Ur «Mötesanteckning», ett annat dokument än rapporten:"
    assert [(p.kind, p.heading) for p in later.parts] == [
        ("lead", None),
        ("other_document", "Ur «Mötesanteckning» (inte rapporten)"),
    ]
    assert "rapporten:" not in later.text.split("Mötesanteckning")[0]


def test_a_lead_in_brings_its_list_and_a_continuing_sentence_brings_the_one_before(service):
    _, answerer, (lead_in_sentence, instead), candidates = _candidates(
        service, "Hur bygger vi kompetens?", "Kompetensen inom", "Istället bör"
    )
    ranked = [lead_in_sentence, instead] + [c for c in candidates if c not in (lead_in_sentence, instead)]

    chains = select(ranked, answerer.scorer, max_sentences=6, relative=0.0, duplicate_cosine=0.99)

    assert [[m.text[:20] for m in chain.members] for chain in chains[:2]] == [
        ["Kompetensen inom kom", "• Utbildningar för c", "• Rekrytering av spe"],
        ["Att ta fram strategi", "Istället bör process"],
    ]
    assert sum(len(c.members) for c in chains) == 6


def test_a_sentence_continuing_a_chain_already_taken_is_quoted_in_it_not_as_a_chain_of_its_own(service):
    _, answerer, (first, instead), candidates = _candidates(
        service, "Vilka ska vara med när strategin tas fram?", "Kommunen behöver", "Istället bör"
    )
    rest = [c for c in candidates if c not in (first, instead)]

    chains = select([first, instead, *rest], answerer.scorer, max_sentences=6, relative=0.0,
                    duplicate_cosine=0.99, neighbour_minimum=0.0)

    # The first chain brings the sentence after it ("Att ta fram …"); "Istället bör …", taken next,
    # follows that one in the report, so it is quoted as the same chain's next sentence.
    assert [m.text[:20] for m in chains[0].members] == [
        "Kommunen behöver en ", "Att ta fram strategi", "Istället bör process"
    ]
    assert chains[0].anchor.text.startswith("Kommunen behöver")
    assert not any(chain.anchor.text.startswith("Istället") for chain in chains)


def test_a_lead_in_whose_list_does_not_fit_is_not_quoted_alone(service):
    _, answerer, (lead_in_sentence, other), _ = _candidates(
        service, "Hur bygger vi kompetens?", "Kompetensen inom", "Förankra strategin"
    )

    chains = select([other, lead_in_sentence], answerer.scorer, max_sentences=1, relative=0.0, duplicate_cosine=0.99)

    assert [[m.text[:20] for m in c.members] for c in chains] == [["Förankra strategin i"]]


def test_selection_stops_below_the_relative_probability_of_the_best(service):
    _, answerer, chosen, _ = _candidates(service, "Hur följer vi upp nyttan?", "Följ upp nyttan", "Förankra strategin")
    best, weak = chosen
    best, weak = type(best)(**{**best.__dict__, "score": 2.0}), type(weak)(**{**weak.__dict__, "score": -3.0})

    assert [c.anchor.text[:9] for c in select([best, weak], answerer.scorer, 6, 0.5, 0.99, neighbour_minimum=1.0)] == ["Följ upp "]
    assert [c.anchor.text[:9] for c in select([best, weak], answerer.scorer, 6, 0.0, 0.99, neighbour_minimum=1.0)] == ["Följ upp ", "Förankra "]


def test_interview_guide_questions_are_quoted_only_for_a_question_about_the_interviews(service):
    _, _, _, ordinary = _candidates(service, "Hur har kommunen arbetat med strategin?")
    _, _, _, about_guide = _candidates(
        service, "Vilka frågor ställdes i intervjuerna om strategin?", asks=Asks("who", (), True)
    )

    guide = "Hur har ni arbetat med strategin för AI i kommunen under projektet?"
    assert guide not in [c.text for c in ordinary]
    assert guide in [c.text for c in about_guide]


def test_questions_of_the_interview_guide_stand_under_their_own_heading(service):
    retrieved, _, (report, guide), _ = _candidates(
        service, "Ställdes det frågor om strategin?", "Kommunen behöver", "Hur har ni arbetat",
        asks=Asks("what", (), True),
    )
    composer = Composer(report_sources(service.generation))

    answer = composer.answer(retrieved.query, retrieved.hits, Decision("answer"), [_chain(report), _chain(guide)])

    assert [(p.kind, p.heading) for p in answer.parts] == [("lead", None), ("guide", "Ur intervjuguiden")]
    assert answer.sentences[answer.parts[1].items[0][0]].text == guide.text


def test_sections_are_told_apart_by_their_headings():
    assert in_recommendations("3. Rekommendationer")
    assert in_recommendations("4. AI-strategin › Rekommendationer och praktiska råd › Uppföljning")
    assert in_recommendations("1. Från insikt till handling › För kommunchefer")
    assert not in_recommendations("5. Samverkan › Sammanfattning")
    assert in_interview_guide("Appendix › Frågemall som användes i intervjuerna › 1. Bakgrund")
    assert in_interview_guide("Appendix › Fragemall")
    assert not in_interview_guide("2. Inledning › Metod")


def test_quotable_sentences_and_lead_ins():
    assert not quotable("I intervjuerna lyfts följande områden som viktiga för strategin:")
    assert lead_in("I intervjuerna lyfts följande områden som viktiga för strategin:")
    assert quotable("I intervjuerna lyfts flera områden som viktiga för strategin.")
    assert quotable("• Tydliga mål och förväntade nyttor för verksamheten")
    assert not quotable("Kommer inte vidare från piloter")
    assert not lead_in("Kort:")


def test_an_answer_cites_only_retrieved_passages_and_spans_hold_the_quotes(service):
    for question in (
        "Vem ska vara med när strategin tas fram?",
        "Hur bygger vi kompetens i kommunen?",
        "Who should be involved in the strategy?",
    ):
        data = service.ask(question).to_dict()
        assert data["outcome"] == "answer" and data["citations"], question
        _check_spans(service, data)


def test_the_answer_json_keeps_its_fields_and_adds_the_parts(service):
    data = service.ask("Vem ska vara med när strategin tas fram?").to_dict()

    assert {"question", "answer", "abstained", "sentences", "citations", "passages", "standalone_question"} <= set(data)
    assert {"outcome", "decline_kind", "unknown_terms", "missing_fact", "parts"} <= set(data)
    assert set(data["sentences"][0]) >= {"text", "citations", "source", "start", "end", "page", "page_estimated"}
    assert set(data["citations"][0]) == {
        "n", "passage_id", "source", "section", "start", "end", "page", "page_end", "page_estimated", "text"
    }
    assert data["parts"][0]["kind"] == "lead" and data["parts"][0]["sentences"][0] == 0
    assert sorted(i for p in data["parts"] for i in p["sentences"]) == list(range(len(data["sentences"])))


@pytest.mark.parametrize(("question", "lang"), [("Hur gör vi strategin?", "sv"), ("How do we build the strategy?", "en")])
def test_weak_evidence_declines_and_shows_the_nearest_passages(index, question, lang):
    service = _service(index, decline_below=100.0)
    retrieved = service.retrieve(question)

    data = service.ask(question).to_dict()

    assert (data["outcome"], data["decline_kind"], data["abstained"]) == ("decline", "not_covered", True)
    assert data["answer"] == MESSAGES["decline.weak_evidence"][lang]
    assert data["citations"] == [] and data["sentences"] == [] and data["parts"] == []
    assert [p["passage_id"] for p in data["passages"]] == [h.passage.id for h in retrieved.hits]


def test_a_declined_question_naming_something_the_report_never_mentions_says_so(index):
    service = _service(index, decline_below=100.0)

    answer = service.ask("Hur använder kommunen strategin i Kiruna?")

    assert (answer.outcome, answer.decline_kind, answer.unknown_terms) == ("decline", "unknown_terms", ("Kiruna",))
    assert answer.text == (
        "Rapporten nämner inte «Kiruna». Närmaste avsnitt visas nedan, men de besvarar inte frågan."
    )


def test_an_unknown_word_alone_does_not_decline(index):
    # Below the fitted cut-off only the probability declines; with the cut-offs off, an unknown
    # name, acronym or word still gets the answer.
    service = _service(index, **NEVER)
    for question in ("Hur använder kommunen strategin i Kiruna?", "Which EU rules apply to the strategy?"):
        answer = service.ask(question)
        assert answer.outcome == "answer" and answer.citations, question


def test_an_english_question_naming_an_unknown_acronym_names_it_when_declined(index):
    service = _service(index, decline_below=100.0)

    named = service.ask("Which EU rules apply to the strategy?")
    plain = service.ask("Which rules apply to the strategy?")

    assert (named.outcome, named.unknown_terms, named.lang) == ("decline", ("EU",), "en")
    assert (plain.outcome, plain.decline_kind, plain.unknown_terms) == ("decline", "not_covered", ())


def test_a_question_for_a_fact_the_report_never_states_gets_a_partial_answer(service):
    answer = service.ask("Hur mycket kostar det att ta fram strategin?")

    assert (answer.outcome, answer.decline_kind, answer.missing_fact, answer.abstained) == (
        "partial", "missing_fact", "amount", True,
    )
    assert answer.lead == (
        "Rapporten tar inte upp exakt det: den anger inga belopp eller kostnader. Det här är det närmaste den säger:"
    )
    assert [p.kind for p in answer.parts] == ["closest"]
    assert 1 <= len(answer.sentences) <= 3
    _check_spans(service, answer.to_dict())


def test_a_doubtful_answer_says_it_may_not_answer_exactly_that_without_claiming_the_report_lacks_it(index):
    service = _service(index, decline_below=0.0, partial_below=1.0)  # every answer falls in the band of doubt

    swedish = service.ask("Hur använder kommunen strategin?", source="rapport.txt")
    english = service.ask("How does the municipality use the strategy?", source="rapport.txt")
    note = service.ask("Hur använder kommunen strategin?", source="anteckning.md")

    assert (swedish.outcome, swedish.decline_kind) == ("partial", "uncertain")
    assert swedish.lead == "Rapporten svarar kanske inte direkt på just det. Det här är det närmaste den säger:"
    assert english.lead == "The report may not answer exactly that. This is the closest it says (quoted in Swedish):"
    assert note.lead.startswith("Rapporten svarar kanske inte direkt på just det. Det närmaste står i «")
    assert swedish.sentences and english.sentences


def test_a_question_for_a_fact_that_a_sentence_states_is_answered(service):
    answer = service.ask("När ska strategin beslutas av kommunstyrelsen?")

    assert read_asks("När ska strategin beslutas av kommunstyrelsen?").facts == ("date",)
    assert answer.outcome == "answer"
    assert any("i maj" in s.text for s in answer.sentences)


@pytest.mark.parametrize(
    ("question", "form", "facts", "about_guide", "counted"),
    [
        ("Vilka bör vi bjuda in när vi tar fram strategin?", "who", (), False, None),
        ("Hur går vi från pilot till drift?", "how", (), False, None),
        ("Varför stannar projekten i pilotfasen?", "why", (), False, None),
        ("Vad säger rapporten om kultur?", "what", (), False, None),
        ("Hur mycket kostar en AI-lösning?", "what", ("amount",), False, None),
        ("Hur många kommuner deltog?", "what", ("count",), False, "kommuner"),
        ("How many of the municipalities took part?", "what", ("count",), False, "municipalities"),
        ("När träder AI-förordningen i kraft?", "what", ("date",), False, None),
        ("Vilken paragraf i GDPR gäller?", "what", ("legal_article",), False, None),
        ("Vilken leverantör ska vi välja för chattbotar?", "what", ("named",), False, None),
        ("Which vendor should we pick?", "what", ("named",), False, None),
        ("Vilka frågor ställdes i intervjuerna?", "what", (), True, None),
        # What was asked, without naming the guide; the present tense asks about the topic.
        ("Ställdes några frågor om budgeten till kommunerna?", "what", (), True, None),
        ("Frågade man kommunerna om etik?", "what", (), True, None),
        ("Fanns det någon fråga om arbetsmiljön?", "what", (), True, None),
        ("Were the municipalities asked questions about funding?", "what", (), True, None),
        ("Vilka frågor ställer AI kring integritet?", "what", (), False, None),
        # The interviews with a verb of asking or covering are the guide; without one, the method.
        ("Tog intervjuerna upp medborgarnas perspektiv?", "what", (), True, None),
        ("Did the interviews cover how citizens saw the projects?", "how", (), True, None),
        ("Tog intervjumallen upp etiken?", "what", (), True, None),
        ("What roles did the interviewees have?", "what", (), False, None),
        ("Hur hög är kunskapsnivån enligt intervjuerna?", "how", (), False, None),
        ("Finns det något exempel på en kommun som gjort det?", "example", (), False, None),
        ("Hur gick det till i praktiken?", "example", (), False, None),
        ("Why do projects stall, and can you give an example?", "why", (), False, None),
        ("Vad ställdes det för krav på leverantörerna?", "what", (), False, None),
        ("Vilka risker finns med att vänta?", "what", (), False, None),
        ("Vilka externa aktörer anlitade kommunerna?", "who", (), False, None),
        ("Vet ni vilka som ansvarar för datan?", "who", (), False, None),
        ("Personalen är orolig. Vad kan jag som rektor göra?", "how", (), False, None),
        ("As a manager, what can I do about it?", "how", (), False, None),
        ("Vad krävs för att lyckas med samverkan?", "how", (), False, None),
        ("Hur mycket kan vi söka från Vinnova och när är sista ansökningsdag?", "what", ("amount", "date"), False, None),
        ("Hur lång tid tar en upphandling?", "what", ("duration",), False, None),
    ],
)
def test_what_a_question_asks_for(question, form, facts, about_guide, counted):
    assert read_asks(question) == Asks(form, facts, about_guide, counted)


@pytest.mark.parametrize(
    ("question", "about_contact"),
    [
        ("Vem kan vi kontakta om vi har frågor om rapporten?", True),
        ("Who can I get in touch with about the report?", True),
        ("Whom should I contact at AI Sweden?", True),
        ("Vem ska äga AI-frågan i kommunen?", False),
        ("Who should we involve in the strategy?", False),
    ],
)
def test_a_question_asking_whom_to_contact(question, about_contact):
    assert read_asks(question).about_contact is about_contact


VOCABULARY = frozenset(stem(w) for w in "rekrytera prioritering lista tid horisont aktuell frågemall strategi använder logg".split())


@pytest.mark.parametrize("word", ["nyrekrytera", "prioriteringslistan", "tidshorisonter", "inaktuell", "frågemallen"])
def test_compounds_and_inflections_of_report_words_are_known(word):
    assert known_word(word, VOCABULARY)


@pytest.mark.parametrize("word", ["kiruna", "copilot", "esam"])
def test_words_the_report_never_uses_are_unknown(word):
    assert not known_word(word, VOCABULARY)


def _unknown(question: str, vocabulary=VOCABULARY, lang="sv", groups=()) -> list[str]:
    known = Vocabulary(vocabulary)
    return [w.text for w in content_words(question, lang, groups, known.knows) if not w.known and not w.setting]


def test_a_word_of_an_example_clause_is_no_missing_topic():
    # The first use: "journalanteckningar" is an example of the use, not what is asked.
    vocabulary = VOCABULARY | {stem("får"), stem("exempel")}
    assert _unknown("Får vi använda strategin, till exempel för journalanteckningar?", vocabulary) == []
    assert _unknown("Hur använder vi strategin, t.ex. Copilot?", vocabulary) == []
    # When the example is all the question asks about, it is the topic.
    assert _unknown("Vad säger rapporten om till exempel journalanteckningar?", vocabulary) == ["journalanteckningar"]


def test_unknown_content_words_are_names_and_words_the_report_never_uses():
    assert _unknown("Hur nyrekryterar Kiruna till prioriteringslistan?") == ["Kiruna"]
    assert _unknown("Hur använder vi Copilot i strategin?") == ["Copilot"]
    assert _unknown("Vad säger eSam?") == ["eSam"]


def test_an_acronym_spelt_like_a_stopword_is_judged_as_written():
    # "IT" is an acronym the report uses as "IT-enheten"; "LOU" is one it never uses.
    vocabulary = VOCABULARY | {stem("it"), stem("ai")}
    assert _unknown("Who should own the AI work, IT or the business side?", vocabulary, "en") == []
    assert _unknown("Does the report cover LOU?", vocabulary, "en") == ["LOU"]


@pytest.mark.parametrize(
    "question",
    [
        "Hur nyrekryterar vi till prioriteringslistan i Kiruna?",
        "Jag är strateg i Kiruna. Hur använder vi strategin?",
        "Vi har testat Copilot, hur använder vi strategin?",
        "Hur använder vi strategin på Kiruna Stadshus?",
    ],
)
def test_what_only_describes_the_askers_own_setting_is_not_a_missing_topic(question):
    assert _unknown(question) == []


def test_the_asker_setting_is_first_person_statements_and_places_in_first_person_clauses():
    assert asker_setting("Jag är socialchef i Härnösand. Hur får vi personalen att våga testa AI?") == {
        "jag", "är", "socialchef", "i", "härnösand"
    }
    assert asker_setting("Vi har testat Copilot i en pilot, hur skalar vi upp?") == {
        "har", "testat", "copilot", "i", "en", "pilot"
    }
    assert asker_setting("Hur bygger vi kompetens i äldreomsorgen i Region Halland-Nord?") == {
        "region", "halland-nord", "halland", "nord"
    }
    # Asked about, not the asker's setting: no first person, or the name is not after "i"/"på".
    assert asker_setting("Hur använder Kungälv AI i skolan?") == frozenset()
    assert asker_setting("Hur många anställda arbetar med AI i Uppsala kommun?") == frozenset()
    assert asker_setting("Hur konfigurerar vi Microsoft 365 Copilot-licenserna i vår tenant?") == frozenset()
    assert asker_setting("Vi har Copilot. Vad kostar Copilot per användare?") == {"vi", "har"}
    # A clause that opens with a question word asks: what it names ("from IMY") is asked about.
    assert asker_setting("What support can we get from IMY, the data protection authority, when we do an assessment?") == frozenset()
    assert asker_setting("Vad kan vi i Härnösand göra, när vi saknar jurister?") == {"härnösand"}


def test_a_named_law_the_report_never_names_is_unknown():
    vocabulary = VOCABULARY | {stem("gdpr"), stem("lag"), stem("arkiv")}

    assert _unknown("Vad säger arkivlagen om loggar från strategin?", vocabulary) == ["arkivlagen"]
    assert "AI-förordningen" in _unknown("Gäller AI-förordningen för strategin?", vocabulary)
    # The report says GDPR; the Swedish name of the same regulation is not a new topic.
    assert "dataskyddsförordningen" not in _unknown("Hur påverkar dataskyddsförordningen strategin?", vocabulary)


def test_a_count_is_stated_only_by_a_sentence_naming_what_is_counted(service):
    _, _, (dated,), _ = _candidates(service, "När ska strategin beslutas?", "Strategin ska beslutas")

    assert KINDS["date"].stated_in(dated.text)
    assert not KINDS["amount"].stated_in(dated.text)
    assert not KINDS["named"].stated_in(dated.text, asked=frozenset({"strategin"}))
    # "i maj i år": no number, so no count; a sentence with a number must also name what is counted.
    assert not KINDS["count"].stated_in(dated.text)
    numbered = "Kommunen har 30 intervjuer i underlaget."
    assert KINDS["count"].stated_in(numbered, frozenset({stem("intervjuer")}))
    assert not KINDS["count"].stated_in(numbered, frozenset({stem("anställda")}))


def test_an_english_word_whose_translations_the_report_never_uses_is_unknown():
    groups = (
        TermGroup("clauses", (), True), TermGroup("strategy", (stem("strategi"),), True), TermGroup("zyxwv", (), False),
    )
    # A word the dictionary lacks says nothing (known); one whose translations the report lacks is unknown.
    assert _unknown("How do we negotiate clauses about the strategy zyxwv?", lang="en", groups=groups) == ["clauses"]


CUT = """Rapport om ansvar

1. Ansvar

Verksamheterna ska uttrycka behoven. Då blir frågor om “implementering”
 mer eller mindre irrelevanta eftersom verksamheten själv driver frågan. Kommunen följer upp arbetet varje år.
"""


def test_a_sentence_cut_after_a_closing_quote_is_quoted_with_its_beginning(tmp_path):
    with fake_index(tmp_path, {"rapport.txt": CUT}) as settings:
        cut = _service(settings)
        _, answerer, (tail,), candidates = _candidates(cut, "Vem driver frågan?", "mer eller mindre")
        chains = select([tail] + [c for c in candidates if c is not tail], answerer.scorer, 6, 0.0, 0.99,
                        neighbour_minimum=1.0)
        # The beginning ends without a full stop, so it is no candidate of its own; it still comes first,
        # and as it points back ("Då blir …"), the sentence it points at comes before it.
        assert [m.text for m in chains[0].members] == [
            "Verksamheterna ska uttrycka behoven.",
            "Då blir frågor om “implementering”",
            "mer eller mindre irrelevanta eftersom verksamheten själv driver frågan.",
        ]
        assert chains[0].anchor is tail
        assert select([tail], answerer.scorer, 1, 0.0, 0.99) == []  # no room for its beginning


FRAGMENT = """Rapport om piloter

1. Piloter

Steget att utveckla en pilot är samtidigt både mycket större och mindre. Större eftersom en pilot med riktig data måste följa lagkrav. Kommunen följer upp piloterna varje år.
"""


TWO_FRAGMENTS = """Rapport om piloter

1. Piloter

Steget att utveckla en pilot är samtidigt både mycket större och mindre. Större eftersom en pilot med riktig data måste följa lagkrav. Mindre eftersom ett snabbt test visade nyttan av en pilot. Kommunen följer upp piloterna varje år.
"""


@pytest.mark.parametrize(
    ("text", "question", "start", "members", "room"),
    [
        # one with no main clause finishes the sentence before it; with no room for that, never alone
        (FRAGMENT, "Varför är en pilot större?", "Större eftersom", [
            "Steget att utveckla en pilot är samtidigt både mycket större och mindre.",
            "Större eftersom en pilot med riktig data måste följa lagkrav.",
        ], 1),
        # a fragment after a fragment goes back to the sentence both finish
        (TWO_FRAGMENTS, "Varför är en pilot mindre?", "Mindre eftersom", [
            "Steget att utveckla en pilot är samtidigt både mycket större och mindre.",
            "Större eftersom en pilot med riktig data måste följa lagkrav.",
            "Mindre eftersom ett snabbt test visade nyttan av en pilot.",
        ], 2),
    ],
)
def test_a_sentence_without_a_main_clause_is_quoted_only_with_the_one_it_finishes(
    tmp_path, text, question, start, members, room
):
    with fake_index(tmp_path, {"rapport.txt": text}) as settings:
        service = _service(settings)
        _, answerer, (tail,), candidates = _candidates(service, question, start)
        chains = select([tail] + [c for c in candidates if c is not tail], answerer.scorer, 6, 0.0, 0.99,
                        neighbour_minimum=1.0)
        assert [m.text for m in chains[0].members] == members
        assert select([tail], answerer.scorer, room, 0.0, 0.99) == []


ASKING = """Rapport om strukturer

1. Strategi

Finns det befintliga strukturer där arbetet kan placeras? Kommunen bör placera arbetet i befintliga strukturer.

Appendix

Frågemall

Hur strukturerade var intervjuerna med kommunerna?
"""


def test_the_reports_own_questions_never_answer_even_a_question_about_the_guide(tmp_path):
    with fake_index(tmp_path, {"rapport.txt": ASKING}) as settings:
        about_guide = Asks("what", (), True)
        _, _, _, candidates = _candidates(_service(settings), "Frågade man om strukturer?", asks=about_guide)
        texts = {c.text for c in candidates}
        assert "Hur strukturerade var intervjuerna med kommunerna?" in texts  # the guide's question
        assert "Kommunen bör placera arbetet i befintliga strukturer." in texts
        assert "Finns det befintliga strukturer där arbetet kan placeras?" not in texts  # the report's own


COUNTED = """Rapport om intervjuer

1. Intervjuer om AI

Intervjuer om AI gjordes i kommuner, och intervjuer om AI gjordes om hur många kommuner arbetar med AI. Intervjuer om AI visar att kommuner lär sig av varandra.

2. Metod

Sammanlagt genomfördes 30 intervjuer med representanter för kommunerna.
"""


def test_a_fact_question_opens_with_the_sentence_stating_the_fact(tmp_path):
    from rag.answering.decision import fact_sentence

    with fake_index(tmp_path, {"rapport.txt": COUNTED}) as index:
        service = _service(index, **NEVER)
        retrieved = service.retrieve("Hur många intervjuer om AI gjordes?")
        answerer = ExtractiveAnswerer(service.settings, service.generation)
        counts = "Sammanlagt genomfördes 30 intervjuer med representanter för kommunerna."
        candidates = answerer.candidates(retrieved)

        assert retrieved.query.asks.facts == ("count",)
        assert candidates[0].text != counts  # the best-scoring sentence states no number
        assert fact_sentence(retrieved.query, candidates, answerer.scorer.term_sets).text == counts
        answer = answerer.answer(retrieved)
        lead = next(p for p in answer.parts if p.kind == "lead")
        assert answer.outcome == "answer"
        assert answer.sentences[lead.items[0][0]].text == counts
        # a question asking no fact opens as the scorer ranks
        plain = service.retrieve("Hur arbetar kommuner med AI?")
        assert fact_sentence(plain.query, answerer.candidates(plain), answerer.scorer.term_sets) is None


def _with_cosine(scorer, a, b, cosine: float):
    """A copy of ``scorer`` whose sentence vectors put ``b`` at exactly ``cosine`` from ``a`` (and
    every other sentence orthogonal to both): the answer's duplicate rule reads only these vectors."""
    import copy

    import numpy as np

    vectors = np.zeros((len(scorer.vectors), len(scorer.vectors) + 2), dtype=np.float64)
    vectors[np.arange(len(scorer.vectors)), np.arange(len(scorer.vectors)) + 2] = 1.0
    vectors[a.index] = 0.0
    vectors[a.index, 0] = 1.0
    vectors[b.index] = 0.0
    vectors[b.index, :2] = (cosine, (1 - cosine**2) ** 0.5)
    faked = copy.copy(scorer)
    faked.vectors = vectors
    return faked


@pytest.mark.parametrize(("cosine", "both_quoted"), [(0.92, True), (0.94, True), (0.96, False), (0.99, False)])
def test_only_a_near_copy_of_a_quoted_sentence_is_left_out(service, cosine, both_quoted):
    # Two claims in the same frame ("Detta minskar dubbelarbete …", "Det minskar också risken för
    # motstånd …") sit at cosine 0.92 with the bundled embedder; the report's summary bullet and the
    # recommendation it repeats at 0.956 and above (see DUPLICATE_COSINE).
    from rag.answering.answer import DUPLICATE_COSINE

    _, answerer, (first, second), _ = _candidates(service, "Hur förankrar vi strategin?", "Kommunen behöver", "Förankra strategin")
    scorer = _with_cosine(answerer.scorer, first, second, cosine)

    chains = select([first, second], scorer, max_sentences=6, relative=0.0, duplicate_cosine=DUPLICATE_COSINE)

    assert [c.anchor.text[:16] for c in chains] == (["Kommunen behöver", "Förankra strateg"] if both_quoted
                                                      else ["Kommunen behöver"])


def test_a_decline_shows_the_nearest_passages_that_hold_findings_not_the_apparatus():
    from rag.answering.compose import nearest_hits
    from rag.types import Answer, Decision, Hit, Passage

    sections = ["8. Referenser", "3. Insikter › Juridik", "Appendix › Tack", "5. Samverkan",
                "Appendix › Kontaktuppgifter", "4. Kompetens", "6. Mognad"]
    hits = tuple(Hit(Passage(f"p{i}", "r.txt", s, 0, 1, "x"), i, 1.0 / i) for i, s in enumerate(sections, 1))
    declined = Answer(question="Kan AI hjälpa oss med snöröjning?", lang="sv", lead="", sentences=(), citations=(),
                      hits=hits, decision=Decision("decline", "not_covered", 0.5, 0.001))

    assert [h.passage.id for h in nearest_hits(declined)] == ["p2", "p4", "p6"]
    assert [h.passage.id for h in declined.hits] == [f"p{i}" for i in range(1, 8)]  # the JSON keeps them all
