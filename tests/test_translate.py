"""English → Swedish query translation: dictionary parsing, word and phrase lookup, and its use
by BM25 retrieval and the extractive answerer."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import HashEmbedder, fake_index

from rag.answering.answer import ExtractiveAnswerer
from rag.config import load_settings
from rag.lexical import stem
from rag.answering.query import TRANSLATE_DENSE_WEIGHT, read_asks
from rag.answering.retrieval import Fusion
from rag.service import RagService
from rag.answering.translate import DictionaryTranslator, TranslationOptions, document_frequencies, parse_folkets, written_words
from rag.types import TermGroup

FOLKETS_LINES = [
    "# Folkets lexikon sv→en (CC BY-SA 2.5)\n",
    "besluta\tdecide, resolve\n",
    "avgöra\tsettle, decide\n",
    "kommun|fullmäktige\tmunicipal council\n",
    "strategi\tstrategy\n",
    "dataskydd\tdata protection\n",
    "skydd\tprotection, shelter\n",
    "energi\tenergy\n",
    "personal\tstaff (of employees), personnel\n",
    "ta hand om\ttake care of\n",  # multi-word Swedish: not a single search term
    "m&#229;l\tgoal, to aim; target\n",
]


@pytest.fixture(scope="module")
def dictionary():
    return parse_folkets(FOLKETS_LINES)


def test_folkets_lines_become_a_reverse_index_with_main_senses_first(dictionary):
    assert dictionary[("decid",)] == ["besluta", "avgöra"]  # besluta's first gloss, avgöra's second
    assert dictionary[("municip", "council")] == ["kommunfullmäktige"]  # "|" marks a compound joint
    assert dictionary[("data", "protect")] == ["dataskydd"]
    assert dictionary[("protect",)] == ["skydd"]
    assert dictionary[("staff",)] == ["personal"]  # "(of employees)" dropped
    assert dictionary[("aim",)] == ["mål"]  # HTML entity decoded, "to " dropped
    assert dictionary[("target",)] == ["mål"]
    assert ("care",) not in dictionary and ("take", "care") not in dictionary


def test_warm_reads_the_dictionary_once(dictionary):
    assert DictionaryTranslator(dictionary).warm() == len(dictionary) == 14


def test_translation_prefers_phrases_and_keeps_only_corpus_terms(dictionary):
    vocabulary = frozenset({stem("besluta"), stem("kommunfullmäktige"), stem("dataskydd"), stem("strategi")})
    translator = DictionaryTranslator(dictionary)

    groups = translator.translate("Who decides on data protection and energy in the municipal council?", vocabulary)

    assert groups == [
        TermGroup("decides", (stem("besluta"),), True, ("besluta",)),
        TermGroup("data protection", (stem("dataskydd"),), True, ("dataskydd",)),
        TermGroup("energy", (), True),  # the dictionary knows it, the corpus never uses it
        TermGroup("municipal council", (stem("kommunfullmäktige"),), True, ("kommunfullmäktige",)),
    ]
    assert translator.translate("Which vendor?", vocabulary) == [TermGroup("vendor", (), False)]


def test_an_english_typo_is_read_as_the_common_dictionary_word_one_edit_away(dictionary):
    vocabulary = frozenset({stem("strategi"), stem("personal"), stem("kotter")})
    translator = DictionaryTranslator(dictionary)

    assert translator.translate("our stratgy and staf", vocabulary) == [
        TermGroup("stratgy", (stem("strategi"),), True, ("strategi",)),  # a letter dropped
        TermGroup("staf", (), False),  # four letters: too short to be read as a typo
    ]
    assert translator.translate("Our staff's stategy", vocabulary)[1] == TermGroup(
        "stategy", (stem("strategi"),), True, ("strategi",))
    # A word the report itself uses is its own word, never a typo; a real word is never corrected.
    assert translator.translate("Kotter", vocabulary) == [TermGroup("kotter", (), False)]
    assert translator.translate("energy", vocabulary) == [TermGroup("energy", (), True)]


def test_alternatives_the_report_uses_most_come_first_and_the_rendering_takes_two(dictionary):
    vocabulary = frozenset({stem("besluta"), stem("avgöra"), stem("strategi")})
    frequencies = document_frequencies([
        frozenset({stem("avgöra"), stem("strategi")}), frozenset({stem("avgöra")}), frozenset({stem("besluta")}),
    ])
    translator = DictionaryTranslator(dictionary, frequencies=frequencies)

    groups = translator.translate("Who decides on the strategy?", vocabulary)

    assert frequencies == {stem("avgöra"): 2, stem("strategi"): 1, stem("besluta"): 1}
    assert groups == [
        TermGroup("decides", (stem("avgöra"), stem("besluta")), True, ("avgöra", "besluta")),
        TermGroup("strategy", (stem("strategi"),), True, ("strategi",)),
    ]
    assert translator.render(groups) == "avgöra besluta strategi"
    # Without frequencies (or equally used) dictionary order stands: besluta's main sense first.
    assert [g.words for g in DictionaryTranslator(dictionary).translate("Who decides?", vocabulary)] == [
        ("besluta", "avgöra")
    ]
    one = DictionaryTranslator(dictionary, TranslationOptions(rendering=1), frequencies=frequencies)
    assert one.render(groups) == "avgöra strategi"


def test_two_english_words_swedish_writes_as_one_become_the_reports_compound():
    dictionary = parse_folkets([
        "nytta\tbenefit, use\n", "realisering\trealization\n", "system\tsystem\n",
        "leverantör\tsupplier\n", "insikt\trealisation\n",
    ])
    vocabulary = frozenset(stem(w) for w in ("nyttorealisering", "systemleverantör", "insikt"))
    translator = DictionaryTranslator(dictionary)

    groups = translator.translate("Who owns benefits realisation and system suppliers?", vocabulary)

    # "realisation" is read in its American spelling too; "nytta" joins with -o- ("nytto-").
    assert TermGroup("benefits realisation", (stem("nyttorealisering"),), True, ("nyttorealisering",)) in groups
    assert TermGroup("system suppliers", (stem("systemleverantör"),), True, ("systemleverantör",)) in groups
    assert TermGroup("realisation", (stem("insikt"),), True, ("insikt",)) in groups
    off = DictionaryTranslator(dictionary, TranslationOptions(compounds="off"))
    assert all(" " not in g.english for g in off.translate("Who owns benefits realisation?", vocabulary))


def test_an_english_head_linked_by_of_for_or_an_article_is_the_compounds_tail():
    # English puts the head first ("realisation of benefits", "realising the benefits"), Swedish last
    # ("nyttorealisering"); "in" links no compound, and a verb's subject is not joined to it.
    dictionary = parse_folkets([
        "nytta\tbenefit\n", "realisering\trealization\n", "realisera\trealize\n",
        "kvalitet\tquality\n", "data\tdata\n", "kommun\tmunicipality\n",
    ])
    vocabulary = frozenset(stem(w) for w in ("nyttorealisering", "nyttorealisera", "datakvalitet", "kommundata"))
    translator = DictionaryTranslator(dictionary)

    def compounds(question):
        return [(g.english, set(g.words)) for g in translator.translate(question, vocabulary) if " " in g.english]

    # "realization" and "realize" share the English stem, so both Swedish words are tried.
    both = {"nyttorealisering", "nyttorealisera"}
    assert compounds("Who owns the realisation of benefits?") == [("benefits realisation", both)]
    assert compounds("Who is realising the benefits?") == [("benefits realising", both)]
    assert compounds("What about quality for the data?") == [("data quality", {"datakvalitet"})]
    assert compounds("Is there quality in data?") == []
    assert compounds("How does data quality matter?") == [("data quality", {"datakvalitet"})]


def test_a_swedish_function_word_is_no_compound_tail():
    # "ones" → "en" joined to "term" is "termen", a form of "term", not a compound: before, "the
    # long-term ones" searched "term"/"termin" beside "långsiktig" (conv-dev3-010#2).
    dictionary = parse_folkets(["term\tterm\n", "termin\tterm, semester\n", "en\tone, a\n",
                                "långsiktig\tlong-term\n"])
    vocabulary = frozenset(stem(w) for w in ("termen", "terminen", "långsiktig"))  # no stopwords, as in an index

    groups = DictionaryTranslator(dictionary).translate("What counts as the long-term ones?", vocabulary)

    assert groups == [TermGroup("counts", (), False, ()),
                      TermGroup("long term", (stem("långsiktig"),), True, ("långsiktig",))]


def test_a_verb_and_its_adverbial_particle_are_looked_up_together():
    # "end up" is "hamna", not "slut" (conv-dev3-001's first turn); a preposition before an object is
    # no particle: "cope with" stays "cope" ("rätta" would be the wrong sense).
    dictionary = parse_folkets(["hamna\tend up\n", "slut\tend\n", "genomföra\tcarry out\n", "bära\tcarry\n",
                                "rätta\tcope with\n", "klara\tcope\n"])
    vocabulary = frozenset(stem(w) for w in ("hamna", "slut", "genomföra", "bära", "rätta", "klara"))
    translator = DictionaryTranslator(dictionary)

    assert translator.translate("Why do they end up here?", vocabulary) == [
        TermGroup("end up", (stem("hamna"),), True, ("hamna",))]
    assert translator.translate("Who will carry out and cope with it?", vocabulary) == [
        TermGroup("carry out", (stem("genomföra"),), True, ("genomföra",)),
        TermGroup("cope", (stem("klara"),), True, ("klara",))]


def test_the_bundled_dictionary_translates_common_municipal_words():
    vocabulary = frozenset(stem(w) for w in ("kommunfullmäktige", "kompetens", "samverka", "samarbete", "energi"))

    groups = DictionaryTranslator().translate("Skills, cooperate, energy, municipal council", vocabulary)

    assert groups == [
        TermGroup("skills", (stem("kompetens"),), True, ("kompetens",)),
        # samarbeta and samarbete share a stem: the first in dictionary order names it.
        TermGroup("cooperate", (stem("samarbete"), stem("samverka")), True, ("samarbeta", "samverka")),
        TermGroup("energy", (stem("energi"),), True, ("energi",)),
        TermGroup("municipal council", (stem("kommunfullmäktige"),), True, ("kommunfullmäktige",)),
    ]


STRATEGI = """Strategi för AI

1. Strategi

Kommunen behöver en tydlig strategi för AI i verksamheten. Strategin beslutas av kommunfullmäktige.

2. Dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Juristen ska vara med från början.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("translate"), {"strategi.txt": STRATEGI}) as settings:
        yield settings


def _service(built, fusion: Fusion = Fusion(), **overrides) -> RagService:
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir, **overrides)
    return RagService(settings, embedder=HashEmbedder(), notify=pytest.fail, fusion=fusion).warm_up()


LEXICAL_ONLY = Fusion(dense_weight=0.0)


QUESTION = "Who decides on the strategy, the municipal council?"


def test_an_english_question_reaches_swedish_passages_through_bm25(built):
    # BM25 alone decides here: the fake embedder's vectors of English words are noise.
    service = _service(built, LEXICAL_ONLY)

    retrieved = service.retrieve(QUESTION, k=2)

    assert retrieved.hits[0].passage.section == "1. Strategi"
    assert retrieved.hits[0].bm25_rank == 1
    assert retrieved.hits[1].bm25_rank is None
    assert [(g.english, g.terms) for g in retrieved.query.groups] == [
        ("decides", (stem("besluta"),)),
        ("strategy", (stem("strategi"),)),
        ("municipal council", (stem("kommunfullmäktige"),)),
    ]


def test_bm25_scores_an_english_question_through_its_translations_only(built):
    # Its words as typed would match Swedish passages only by accident; measured to cost recall.
    english = _service(built, LEXICAL_ONLY).retrieve("Who decides on the strategy, juristen?", k=2)
    swedish = _service(built, LEXICAL_ONLY).retrieve("Vem beslutar om strategin, juristen?", k=2)

    assert [g.english for g in english.query.groups] == ["decides", "strategy", "juristen"]
    assert english.query.groups[2].terms == ()
    assert [(h.passage.section, h.bm25_rank) for h in english.hits] == [("1. Strategi", 1), ("2. Dataskydd", None)]
    assert sorted((h.passage.section, h.bm25_rank) for h in swedish.hits) == [
        ("1. Strategi", 1), ("2. Dataskydd", 2)
    ]


def test_without_translation_an_english_question_has_no_lexical_match(built):
    retrieved = _service(built, LEXICAL_ONLY, translate_queries=False).retrieve(QUESTION, k=2)

    assert retrieved.query.groups == ()
    assert [h.bm25_rank for h in retrieved.hits] == [None, None]


class RecordingEmbedder(HashEmbedder):
    """FAKE: the hash embedder, recording the query texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.query_texts: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.query_texts.append(text)
        return super().embed_query(text)


def test_dense_search_and_answer_sentences_both_use_the_question_with_its_swedish_rendering(built):
    embedder = RecordingEmbedder()
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir)
    service = RagService(settings, embedder=embedder, notify=pytest.fail, fusion=Fusion(prf_weight=0.0))

    retrieved = service.retrieve(QUESTION, k=2)

    assert embedder.query_texts == [QUESTION, "besluta strategi kommunfullmäktige"]
    own = np.asarray(HashEmbedder().embed_query(QUESTION), dtype=np.float32)
    rendering = np.asarray(HashEmbedder().embed_query("besluta strategi kommunfullmäktige"), dtype=np.float32)
    blended = own + TRANSLATE_DENSE_WEIGHT * rendering
    # Answer sentences are scored against what search used: the English vector alone sits lower
    # against every Swedish sentence (rag.answering.query).
    assert retrieved.query.vector.tolist() == pytest.approx((blended / np.linalg.norm(blended)).tolist(), abs=1e-6)
    assert retrieved.query.vector.tolist() == retrieved.query.search_vector.tolist()
    # The Swedish rendering shares the passage's words: dense search alone now finds it.
    assert retrieved.hits[0].passage.section == "1. Strategi" and retrieved.hits[0].dense_rank == 1


def test_without_a_dense_weight_only_the_question_is_embedded(built):
    embedder = RecordingEmbedder()
    settings = load_settings(index_dir=built.index_dir, corpus_dir=built.corpus_dir)
    hits = RagService(settings, embedder=embedder, notify=pytest.fail, translate_dense_weight=0.0).search(QUESTION)

    assert embedder.query_texts == [QUESTION]
    assert [h.dense_rank for h in hits if h.passage.section == "1. Strategi"] == [2]


def test_swedish_questions_are_not_translated(built):
    assert _service(built).retrieve("Vem beslutar om strategin?").query.groups == ()


def test_group_scores_take_the_best_alternative_of_each_group(built):
    bm25 = _service(built).retriever.bm25
    strategi, beslut, juridik = stem("strategi"), stem("besluta"), stem("juristen")

    scores = bm25.group_scores([(strategi, juridik), (beslut,)])

    expected = np.maximum(bm25.scores("strategi"), bm25.scores("juristen")) + bm25.scores("besluta")
    assert scores.tolist() == pytest.approx(expected.tolist())
    assert scores[0] > 0 and scores[1] > 0


def test_answer_overlap_counts_each_english_word_once_through_its_translations(built):
    service = _service(built)
    terms = ExtractiveAnswerer(service.settings, service.generation).scorer.query_terms

    groups = dict(terms.groups(service.retrieve(QUESTION + " Energy?").query))

    idf = terms.idf
    assert groups == {
        frozenset({stem("besluta")}): idf[stem("besluta")],
        frozenset({stem("strategi")}): idf[stem("strategi")],
        frozenset({stem("kommunfullmäktige")}): idf[stem("kommunfullmäktige")],
        # "energy" is in the dictionary but not in the corpus: it weighs as an unknown word.
        frozenset({"\x00energy"}): terms.default_idf,
    }


@pytest.mark.parametrize(
    ("question", "about_an_amount"),
    [
        ("How much did the programme cost?", True),
        ("What is the typical procurement price for a chatbot?", True),
        ("What does a licence cost per user?", True),
        ("Hur många kommuner deltog?", True),
        ("Should we follow up learning and not just cost savings?", False),
        ("What are the costs of running AI models?", True),
        ("Which costs does the report discuss?", False),
    ],
)
def test_only_questions_about_an_amount_need_a_number(question, about_an_amount):
    assert bool({"amount", "count"} & set(read_asks(question).facts)) is about_an_amount


def test_a_gloss_written_with_an_accent_is_found_without_it():
    # Folkets glosses "roll" as "rôle"; a question types "role".
    dictionary = parse_folkets(["roll\t&quot;matter&quot;, rôle, part\n", "kafé\tcafé\n"])
    vocabulary = frozenset(stem(w) for w in ("roll", "kafé"))
    groups = DictionaryTranslator(dictionary).translate("Which roles and which cafe?", vocabulary)
    assert [(g.english, g.terms) for g in groups] == [("roles", (stem("roll"),)), ("cafe", (stem("kafé"),))]


def test_a_form_the_dictionary_lacks_is_looked_up_by_its_lemma_only_when_the_report_uses_a_translation():
    dictionary = parse_folkets(["stor\tlarge, big\n", "spricka\tcrack\n", "göra\tdo\n"])
    vocabulary = frozenset({stem("stor")})
    groups = DictionaryTranslator(dictionary).translate("Are larger councils better? Don't they fall through the cracks?", vocabulary)
    found = {g.english: (g.terms, g.in_dictionary) for g in groups}
    assert found["larger"] == ((stem("stor"),), True)  # "larger" is no gloss; its lemma "large" is
    assert found["cracks"] == ((), True)  # a gloss whose translations the report never uses
    assert "don" not in found  # "don't" is an auxiliary and "not", not the noun "don"


def test_a_typo_of_a_form_the_dictionary_lists_only_by_its_lemma_is_read_through_that_lemma():
    # The dictionary lists "phenomenon", not its plural; "phenomna" is one edit from "phenomena",
    # whose lemma finds the report's word (the typo and the lemma fallbacks together).
    dictionary = parse_folkets(["fenomen\tphenomenon\n"])
    vocabulary = frozenset({stem("fenomen")})
    translator = DictionaryTranslator(dictionary)

    assert translator.translate("phenomna", vocabulary) == [
        TermGroup("phenomna", (stem("fenomen"),), True, ("fenomen",))]
    assert translator.translate("phenomena", vocabulary) == [
        TermGroup("phenomena", (stem("fenomen"),), True, ("fenomen",))]


def test_a_translation_the_report_writes_only_inflected_is_found_through_its_inflections():
    # The stemmer cuts a base form and its inflections differently: "ensam" -> "ensam", "ensamma" ->
    # "ensamm"; "kostnad" -> "kostn", "kostnader" -> "kostnad".
    assert stem("ensam") != stem("ensamma") and stem("kostnad") != stem("kostnader")
    dictionary = parse_folkets([
        "ensam\talone, lonely\n", "kostnad\tcost, expense\n", "spå\tpredict\n", "spår\ttrack, trace\n",
        "sats\tclause, sentence\n", "satsa\tinvest\n",
    ])
    written = ["ensamma", "kostnad", "kostnader", "spår", "satsar"]  # the report's words as written
    vocabulary = frozenset(stem(w) for w in written)
    translator = DictionaryTranslator(dictionary, report_words=lambda: frozenset(written))

    groups = translator.translate("lonely costs; predict clauses", vocabulary)

    assert groups == [
        TermGroup("lonely", (stem("ensamma"),), True, ("ensam",)),  # written only inflected
        TermGroup("costs", (stem("kostnad"),), True, ("kostnad",)),  # the base form is written: as before
        # "spår" is a word of its own, and "satsar" inflects "satsa": neither is "spå" or "sats" inflected
        TermGroup("predict", (), True),
        TermGroup("clauses", (), True),
    ]
    # Without the report's words nothing is inflected.
    assert DictionaryTranslator(dictionary).translate("lonely", vocabulary) == [TermGroup("lonely", (), True)]


def test_the_report_words_are_its_words_as_written():
    passages = [type("P", (), {"text": "Många känner sig ensamma. AI-huset"})()]
    assert written_words(passages) == frozenset({"många", "känner", "sig", "ensamma", "ai-huset", "ai", "huset"})
