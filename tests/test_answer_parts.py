"""Which part of an answer a sentence goes under, which chain may open an answer, and how many
sentences are shown: the report's advice, its own analysis and the municipalities' experiences
apart; national advice opens only a question about the national level; announcing sentences
never open; a minimum probability keeps filler out."""

from __future__ import annotations

import json

import pytest
from fakes import HashEmbedder, fake_index

from rag.answering import sentence_kinds as kinds
from rag.types import Decision, Turn
from rag.answering.answer import ExtractiveAnswerer, report_sources
from rag.answering.compose import Composer, opening
from rag.answering.selection import FEATURES, Chain, probability, select
from rag.config import load_settings
from rag.service import RagService

REPORT = """Rapport om AI i kommuner

1. Inledning

Nedan redogörs för de viktigaste insikterna från projektet i korthet. AI-mognad innebär att organisationen kan använda AI i sin ordinarie verksamhet.

2. Insikter från kommunernas arbete

Flera kommuner beskriver att strategiarbetet tog längre tid än de hade räknat med. Arbetet med strategin kräver tid och uthållighet från ledningen.

3. Analys

Strategin fungerar som ett verktyg för att prioritera mellan olika AI-initiativ i kommunen.

4. Rekommendationer till nationella beslutsfattare

Staten bör inrätta en nationell samordning av kommunernas arbete med AI-strategier.

5. Rekommendationer riktade till kommunchefer

Kommunchefen bör leda arbetet med AI-strategin och avsätta tid för det i ledningsgruppen.
"""
MANIFEST = json.dumps({"documents": [{"file": "rapport.txt", "title": "Rapport om AI i kommuner"}]})
NEVER = dict(decline_below=-10.0, partial_below=-10.0)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("parts"), {"rapport.txt": REPORT, "manifest.json": MANIFEST}) as s:
        settings = load_settings(index_dir=s.index_dir, corpus_dir=s.corpus_dir, answer_passages=20, **NEVER)
        yield RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def _candidates(service, question: str):
    retrieved = service.retrieve(question, k=20)
    answerer = ExtractiveAnswerer(service.settings, service.generation)
    by_start = {c.text.split()[0] + " " + c.text.split()[1]: c for c in answerer.candidates(retrieved)}
    return retrieved, answerer, by_start


def _chain(candidate) -> Chain:
    return Chain(candidate, (candidate,))


@pytest.mark.parametrize(
    ("text", "section", "part"),
    [
        ("Kommunchefen bör leda arbetet.", "5. Rekommendationer riktade till kommunchefer", "recommendations"),
        ("Staten bör inrätta en samordning.", "7. Avslutning › Rekommendationer till nationella beslutsfattare", "recommendations"),
        ("Arbetet kräver tid.", "3. Insikter från kommunernas AI-initiativ › Kompetens", "experiences"),
        ("Flera kommuner beskriver att arbetet tog tid.", "4. AI-strategin som grund", "experiences"),
        ("”Vi hade ingen plan”, säger en chef.", "4. AI-strategin som grund", "experiences"),
        ("AI-mognad innebär att organisationen kan använda AI.", "6. Att bygga förmåga › AI Swedens modell", "analysis"),
        ("Strategin fungerar som ett verktyg för prioriteringar.", "4. AI-strategin som grund", "analysis"),
        # A term in quotation marks, a researcher's claim and municipalities as an object are no speech.
        ("Rådighet innebär att inte behöva “släppa kontrollen” till konsulter.", "6. Att bygga förmåga", "analysis"),
        ("Kristian Norling (2020) framhåller att strategier ofta brister.", "4. AI-strategin som grund", "analysis"),
        ("Chefer kan utbyta erfarenheter med andra kommuner.", "6. Att bygga förmåga", "analysis"),
        ("I en kommun valde man att börja med bygglov.", "4. AI-strategin som grund", "experiences"),
        ("Samtidigt säger man att inspirationen inte räcker.", "5. Samverkan", "experiences"),
        # The report's own voice outranks the chapter it stands in: the authors' "vi", a conclusion
        # drawn from what came before, a research citation (even one saying "bör").
        ("Vi vet att god data är avgörande.", "3. Insikter från kommunernas AI-initiativ", "analysis"),
        ("”Vi testade först i liten skala”, säger en projektledare.", "3. Insikter från kommunernas AI-initiativ", "experiences"),
        ("Detta visar att stödet behöver växa.", "3. Insikter från kommunernas AI-initiativ › Resurser", "analysis"),
        ("Enligt Kotter (2012) bör en vision förankras brett.", "4. AI-strategin som grund", "analysis"),
        # Sections that are the report's own whatever their chapter: its method and its summaries.
        ("De intervjuade hade olika roller.", "2. Inledning › Metod", "analysis"),
        ("Projekten lärde sig mycket av varandra.", "3. Insikter från kommunernas AI-initiativ › Sammanfattning", "analysis"),
        # Advice in the report's own voice; the municipalities acting, not needing.
        ("Strategin bör ses över varje år.", "4. AI-strategin som grund › Uppföljning", "recommendations"),
        ("En del kommuner väljer att börja med enkla tjänster.", "4. AI-strategin som grund", "experiences"),
        ("Kommunerna behöver samarbeta mer.", "4. AI-strategin som grund", "analysis"),
        # A recommendations section's quoted interviewee and its summing up of the report are not
        # advice; an instruction is.
        ("Som en chef uttryckte det: “Utan uppföljning blir det inget”.", "4. AI-strategin › Rekommendationer och praktiska råd › Uppföljning", "experiences"),
        ("Denna rapport visar att AI kan skapa nytta.", "1. Från insikt till handling › För nationella beslutsfattare", "analysis"),
        ("• Sammanfatta rapporten för politikerna.", "1. Från insikt till handling › För kommunchefer", "recommendations"),
    ],
)
def test_each_sentence_is_filed_under_the_part_its_kind_and_place_say(text, section, part):
    assert kinds.part_of(text, section) == part


@pytest.mark.parametrize(
    ("text", "announcing", "reported", "defining"),
    [
        ("Nedan redogörs för de viktigaste insikterna.", True, False, False),
        ("I detta kapitel beskrivs hur kommunerna arbetar.", True, False, False),
        ("Denna text syftar till att ge chefer vägledning.", True, False, False),  # the text on itself
        ("Strategin syftar till att ge chefer vägledning.", False, False, False),  # a strategy's aim
        ("Rapporten visar att strategin behövs.", False, False, False),
        ("Flera kommuner beskriver att de saknar resurser.", False, True, False),
        ("AI-mognad innebär att organisationen kan använda AI.", False, False, True),
        # "syftar på" and an apposition with "det vill säga" define the word before them
        ("Pratsamverkan syftar här på informella samarbeten mellan kommuner.", False, False, True),
        ("Cheferna vill öka sin rådighet — det vill säga sitt inflytande och sin kontroll.", False, False, True),
        # naming is not defining: "kallas" names what follows, not the question's word
        ("Det finns kopplingar mellan rådighet och det som ibland kallas modigt ledarskap.", False, False, False),
    ],
)
def test_sentence_forms(text, announcing, reported, defining):
    assert (kinds.announcing(text), kinds.reported(text), kinds.defining(text)) == (announcing, reported, defining)


@pytest.mark.parametrize(
    ("question", "definition", "national"),
    [
        ("Vad innebär AI-mognad?", True, False),
        ("What does AI maturity mean?", True, False),
        ("Vad bör staten göra?", False, True),
        ("What should the national government do?", False, True),
        ("Hur tar vi fram en strategi?", False, False),
    ],
)
def test_what_the_question_asks_beyond_its_form(question, definition, national):
    assert (kinds.asks_definition(question), kinds.asks_national(question)) == (definition, national)


@pytest.mark.parametrize(
    ("text", "section", "national"),
    [
        ("Flera myndigheter, däribland DIGG och SCB, pekar på bristande mognad.", "2. Inledning", True),
        ("Staten bör samordna arbetet.", "3. Insikter", True),
        ("Kommunchefen bör utse en ansvarig.", "För nationella beslutsfattare", True),
        ("Kommunchefen bör utse en ansvarig.", "3. Insikter", False),
    ],
)
def test_a_sentence_about_the_national_level_names_it_or_stands_in_its_section(text, section, national):
    # Such a sentence opens only an answer to a question about the national level (``opening``).
    assert kinds.national_sentence(text, section) == national


@pytest.mark.parametrize(
    ("text", "instructs"),
    [
        ("Skapa en kultur där det är accepterat att experimentera.", True),
        ("• Bygg intern kompetens för att förvalta lösningarna.", True),
        ("Säkerställ att juristerna är med från början.", True),
        ("Uppmuntra och ge mandat åt linjechefer.", True),
        ("Ta vara på nationella initiativ.", True),
        ("Detta är viktigt för kommunerna.", False),
        ("En utbredd rädsla för att göra fel hämmar innovationslusten.", False),
        ("Kommunerna skapar egna lösningar.", False),
    ],
)
def test_an_instruction_opens_with_an_imperative(text, instructs):
    # "Hur …?" and "Vad kan vi göra?" are answered first with a sentence that says what to do.
    assert kinds.instructs(text) == instructs


def test_the_parts_are_advice_then_analysis_then_experiences_in_both_languages(service):
    for question, headings in [
        ("Hur arbetar vi med strategin?", ["Rapportens råd", "Rapportens analys", "Erfarenheter från kommunerna"]),
        ("How do we work with the strategy?", ["The report's recommendations", "The report's own analysis",
                                               "What the municipalities told"]),
    ]:
        retrieved, _, c = _candidates(service, question)
        chains = [_chain(c["Arbetet med"]), _chain(c["Flera kommuner"]), _chain(c["Strategin fungerar"]),
                  _chain(c["Kommunchefen bör"])]
        answer = Composer(report_sources(service.generation)).answer(
            retrieved.query, retrieved.hits, Decision("answer", evidence=0.9), chains
        )
        assert [(p.kind, p.heading, p.sentences) for p in answer.parts] == [
            ("lead", None, (0,)),
            ("recommendations", headings[0], (1,)),
            ("analysis", headings[1], (2,)),
            ("experiences", headings[2], (3,)),
        ]
        assert [s.text.split()[0] for s in answer.sentences] == ["Arbetet", "Kommunchefen", "Strategin", "Flera"]


def test_national_advice_opens_only_an_answer_about_the_national_level(service):
    _, _, c = _candidates(service, "Vem ska samordna arbetet med AI-strategier?")
    chains = [_chain(c["Staten bör"]), _chain(c["Kommunchefen bör"])]

    assert opening(chains, "what", national_question=False) == 1
    assert opening(chains, "what", national_question=True) == 0
    assert opening(chains[:1], "what", national_question=False) == 0  # nothing else to open with


def _hand_chain(text: str, section: str, score: float) -> Chain:
    """A one-sentence chain built by hand (no index): what ``opening`` reads of it."""
    from rag.answering.selection import Candidate
    from rag.types import Hit, Passage, SentenceSpan

    passage = Passage("p-" + text[:8], "rapport.txt", section, 0, len(text), text)
    cand = Candidate(0, Hit(passage, rank=1, score=1.0), SentenceSpan(passage.id, text, 0, len(text)),
                     evidence=0.8, dense=0.8, overlap=0.0, features=(), score=score)
    return Chain(cand, (cand,))


def test_what_national_bodies_point_out_does_not_open_an_answer_about_the_municipality():
    # "Vilka behöver vara med när vi inför AI i kommunen?" opened with this sentence (issue 21); it
    # advises no one, yet it is the national level's view, not what the municipality should do.
    bodies = _hand_chain("Flera myndigheter, däribland Myndigheten för digital förvaltning (DIGG), pekar på att "
                         "bristande AI-mognad är en av de främsta orsakerna.", "2. Inledning", 1.0)
    municipal = _hand_chain("En annan central insikt är betydelsen av att koppla AI-initiativ till kommunens "
                            "grunduppdrag.", "3. Insikter", 0.5)

    assert opening([bodies, municipal], "who", national_question=False) == 1
    assert opening([bodies, municipal], "what", national_question=False) == 1
    assert opening([bodies, municipal], "what", national_question=True) == 0


def test_national_advice_is_no_filler_under_an_answer_about_the_municipality(service):
    from rag.answering.selection import select

    for question, national in [("Vem ska samordna arbetet med AI-strategier?", False),
                               ("Vad bör staten göra för att samordna AI-strategierna?", True)]:
        _, answerer, c = _candidates(service, question)
        ranked = sorted(c.values(), key=lambda cand: -cand.score)
        staten = c["Staten bör"]
        others = [cand for cand in ranked if cand is not staten]
        # The national sentence ranked second: after the best, it is left out unless asked about.
        chains = select([others[0], staten, *others[1:]], answerer.scorer, 6, 0.0, 0.99, 0.0)
        assert any(ch.anchor is staten for ch in chains) == national, question


def test_an_announcing_sentence_never_opens(service):
    _, _, c = _candidates(service, "Vilka insikter kommer från projektet?")
    chains = [_chain(c["Nedan redogörs"]), _chain(c["AI-mognad innebär"])]

    assert opening(chains, "what") == 1


def test_the_scorer_reads_the_sentence_kinds_against_the_question(service):
    _, _, c = _candidates(service, "Vad innebär AI-mognad?")
    feature = {name: i for i, name in enumerate(FEATURES)}

    assert c["Nedan redogörs"].features[feature["announcing"]] == 1.0
    assert c["AI-mognad innebär"].features[feature["defines_for_definition"]] == 1.0
    assert c["Flera kommuner"].features[feature["reported"]] == 1.0
    assert c["Staten bör"].features[feature["national_off_level"]] == 1.0
    assert c["Staten bör"].features[feature["national_on_level"]] == 0.0
    assert c["Kommunchefen bör"].features[feature["national_off_level"]] == 0.0


def test_below_the_minimum_probability_only_the_best_chain_is_shown(service):
    _, answerer, c = _candidates(service, "Hur arbetar vi med strategin?")
    # Announcing sentences and (the question not being about it) the national level are never filler.
    ranked = sorted((x for x in c.values() if not kinds.announcing(x.text) and x is not c["Staten bör"]),
                    key=lambda x: -x.score)

    second = probability(ranked[1].score)
    everything = select(ranked, answerer.scorer, 12, 0.0, 0.999, minimum=0.0, neighbour_minimum=1.0)
    only_best = select(ranked, answerer.scorer, 12, 0.0, 0.999, minimum=min(1.0, second + 1e-9),
                       neighbour_minimum=1.0)

    assert len(everything) == len(ranked)
    assert [ch.anchor.index for ch in only_best] == [ranked[0].index]


def test_an_announcing_sentence_never_fills_a_bullet(service):
    _, answerer, c = _candidates(service, "Vilka insikter kommer från projektet?")
    ranked = [c["Nedan redogörs"]] + [x for x in sorted(c.values(), key=lambda x: -x.score) if x is not c["Nedan redogörs"]]

    chains = select(ranked, answerer.scorer, 12, 0.0, 0.999)

    assert c["Nedan redogörs"].index not in {m.index for ch in chains for m in ch.members}
    assert len(chains) == len(ranked) - 2  # nor the national advice, the question not being about it
    assert c["Staten bör"].index not in {m.index for ch in chains for m in ch.members}


def test_a_chain_with_reported_speech_in_any_sentence_is_an_experience(service):
    retrieved, _, c = _candidates(service, "Hur arbetar vi med strategin?")
    # "Samtidigt …" quoted with the sentence before it: the chain is one item, filed by all it says.
    reported_then_own = Chain(c["Strategin fungerar"], (c["Flera kommuner"], c["Strategin fungerar"]))

    answer = Composer(report_sources(service.generation)).answer(
        retrieved.query, retrieved.hits, Decision("answer", evidence=0.9), [_chain(c["Arbetet med"]), reported_then_own]
    )

    assert [(p.kind, p.sentences) for p in answer.parts] == [("lead", (0,)), ("experiences", (1, 2))]


def test_a_later_part_quotes_what_the_earlier_parts_have_not_when_it_can_stand(service):
    retrieved = service.retrieve("Vem bör leda arbetet med AI-strategin?", k=20)

    class Floor(ExtractiveAnswerer):
        """The answerer with a fixed minimum probability (0.0: any fresh sentence stands; 1.0: none)."""

        floor = 0.0

        def minimum(self, lang: str) -> float:
            return self.floor

    answerer = Floor(service.settings, service.generation)
    answerer.floor = 1.0
    first = answerer.answer(retrieved)
    spans = [(s.source, s.start, s.end) for s in first.sentences]
    quoted = frozenset(spans[:1])
    # no other sentence can stand on its own: the same sentences (the combined answer points to them)
    assert [(s.source, s.start, s.end) for s in answerer.answer(retrieved, quoted).sentences] == spans

    answerer.floor = 0.0
    fresh = [(s.source, s.start, s.end) for s in answerer.answer(retrieved, quoted).sentences]
    best_other = next(c for c in answerer.candidates(retrieved)
                      if (c.hit.passage.source, c.sentence.start, c.sentence.end) not in quoted)
    assert spans[0] not in fresh
    assert (best_other.hit.passage.source, best_other.sentence.start, best_other.sentence.end) in fresh


def test_a_follow_up_on_the_national_level_is_still_about_it(service):
    # "där" points back at the national decision makers: the national advice opens the answer (it
    # did not before Asks.national carried over: "Kommunchefen bör …" opened); after a question about
    # the municipality's own leaders the same words are not about that level.
    question = "Vem ska leda arbetet där?"
    national = service.ask(question, history=[Turn("Vad rekommenderas till nationella beslutsfattare?")])
    local = service.ask(question, history=[Turn("Vad rekommenderas till kommunchefen?")])

    assert national.standalone_question is not None and local.standalone_question is not None
    assert [s.text.split()[0] for s in national.sentences] == ["Staten", "Kommunchefen", "Flera"]
    assert [s.text.split()[0] for s in local.sentences] == ["Kommunchefen", "Strategin", "Flera", "Arbetet"]
