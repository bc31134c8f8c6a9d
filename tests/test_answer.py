"""Extractive answers over a tiny inline corpus with the fake embedder: citations, language, abstention."""

from __future__ import annotations

import re

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

from rag.answer import ABSTAIN, LEADS
from rag.config import load_settings
from rag.service import RagService


TEXTS = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("answer"), TEXTS) as settings:
        yield settings


def _service(index, **overrides) -> RagService:
    settings = load_settings(index_dir=index.index_dir, corpus_dir=index.corpus_dir, **overrides)
    return RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)


@pytest.fixture
def answering(index):
    """A service whose thresholds never abstain, so the fake embedder's scores do not decide."""
    return _service(index, abstain_threshold=-10.0, abstain_specific_below=-10.0)


def _check_citations(data: dict) -> None:
    passage_ids = {p["passage_id"] for p in data["passages"]}
    cited = {c["n"]: c for c in data["citations"]}
    assert [c["n"] for c in data["citations"]] == list(range(1, len(cited) + 1))
    assert {c["passage_id"] for c in data["citations"]} <= passage_ids
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])}
    assert markers == set(cited)
    for sentence in data["sentences"]:
        assert sentence["citations"], sentence
        for n in sentence["citations"]:
            c = cited[n]
            assert sentence["source"] == c["source"]
            assert c["start"] <= sentence["start"] < sentence["end"] <= c["end"]
            # The fake corpus needs no OCR repair, so the span is the sentence verbatim.
            assert TEXTS[c["source"]][sentence["start"] : sentence["end"]] == sentence["text"]
            assert sentence["text"] in c["text"]
            assert "{} [{}]".format(sentence["text"], n) in data["answer"]


def test_swedish_question_gets_a_swedish_lead_and_cited_sentences(answering):
    answer = answering.ask("Vem beslutar om strategin för AI?")

    data = answer.to_dict()
    assert data["lang"] == "sv"
    assert not data["abstained"]
    assert data["answer"].startswith(LEADS["sv"] + "\n\n")
    assert data["sentences"][0]["text"] == (
        "Strategin beslutas av kommunfullmäktige efter en bred dialog."
    )
    assert data["citations"][0]["section"] == "1. Strategi"
    _check_citations(data)


def test_english_question_gets_an_english_lead(answering):
    answer = answering.ask("Which impact assessment does the GDPR require?")

    data = answer.to_dict()
    assert data["lang"] == "en"
    assert not data["abstained"]
    assert data["answer"].startswith(LEADS["en"] + "\n\n")
    assert LEADS["en"] != LEADS["sv"]
    assert data["citations"]
    _check_citations(data)


def test_every_citation_resolves_to_a_retrieved_passage(answering):
    for question in (
        "Hur gör kommunen en konsekvensbedömning för personuppgifter?",
        "Hur kan små kommuner samverka om upphandlingar?",
        "Vad säger rapporten om strategi, dataskydd och samverkan?",
    ):
        data = answering.ask(question).to_dict()
        assert data["citations"], question
        _check_citations(data)


def test_the_answer_dict_has_the_documented_shape(answering):
    data = answering.ask("Hur kan små kommuner samverka?").to_dict()

    assert {"question", "answer", "abstained", "citations", "passages", "timings_ms"} <= set(data)
    assert set(data["citations"][0]) == {"n", "passage_id", "source", "section", "start", "end", "page", "page_end", "page_estimated", "text"}
    assert set(data["timings_ms"]) >= {"retrieve", "answer", "total"}
    assert data["question"] == "Hur kan små kommuner samverka?"


@pytest.mark.parametrize(
    ("question", "lang"),
    [("Hur gör kommunen en konsekvensbedömning?", "sv"), ("How should we assess the impact?", "en")],
)
def test_high_threshold_abstains_but_still_shows_the_passages(index, question, lang):
    service = _service(index, abstain_threshold=100.0)
    retrieved = service.retriever.search(question)

    answer = service.ask(question)

    data = answer.to_dict()
    assert data["abstained"] is True
    assert data["lang"] == lang
    assert data["answer"] == ABSTAIN[lang]
    assert data["citations"] == [] and data["sentences"] == []
    assert [p["passage_id"] for p in data["passages"]] == [h.passage.id for h in retrieved.hits]
    assert len(data["passages"]) == 3


def test_swedish_and_english_abstentions_differ(index):
    service = _service(index, abstain_threshold=100.0)

    sv = service.ask("Vad kostar en licens?").text
    en = service.ask("What does a licence cost?").text

    assert sv == ABSTAIN["sv"] and en == ABSTAIN["en"] and sv != en


def test_swedish_question_about_terms_the_corpus_never_uses_abstains(index):
    service = _service(index, abstain_threshold=-10.0, abstain_specific_below=100.0)

    answer = service.ask("Hur använder kommunen Copilot-licenser i Kiruna?")

    assert answer.abstained
    assert answer.citations == ()


def test_answer_sentence_count_is_capped(index):
    service = _service(index, abstain_threshold=-10.0, abstain_specific_below=-10.0, answer_sentences=1)

    answer = service.ask("Vad säger rapporten om kommunen?")

    assert len(answer.sentences) == 1
    assert len(answer.citations) == 1


def test_a_lead_in_ending_in_a_colon_is_never_quoted_alone():
    from rag.answer import _quotable

    assert not _quotable("I intervjuerna lyfts följande områden som viktiga för strategin:")
    assert _quotable("I intervjuerna lyfts flera områden som viktiga för strategin.")
    assert _quotable("• Tydliga mål och förväntade nyttor för verksamheten")
    assert not _quotable("Kommer inte vidare från piloter")


def test_unknown_share_weighs_each_term_by_idf(index):
    answerer = _service(index).answerer

    # "strateg" occurs in one of the three passages, so its idf log(1 + 3/1) equals the idf given
    # to a term the corpus never uses ("kiruna"): half of the weight is unknown.
    assert answerer.unknown_share("strategin kiruna") == pytest.approx(0.5)
    assert answerer.unknown_share("Hur gör kommunen en konsekvensbedömning?") == 0.0
    assert answerer.unknown_share("?") == 0.0


@pytest.mark.parametrize(("share", "abstains"), [(0.5, True), (0.6, False)])
def test_swedish_question_mostly_about_unknown_words_abstains(index, share, abstains):
    service = _service(index, abstain_threshold=-10.0, abstain_specific_below=100.0, abstain_unknown_share=share)

    answer = service.ask("strategin kiruna")

    assert answer.abstained is abstains
    assert (answer.citations == ()) is abstains


def test_swedish_question_below_the_specific_threshold_only_abstains_when_the_words_are_unknown(index):
    service = _service(index, abstain_threshold=-10.0, abstain_specific_below=100.0)

    assert not service.ask("Hur gör kommunen en konsekvensbedömning?").abstained


def test_english_question_naming_an_acronym_the_corpus_never_uses_abstains(index):
    service = _service(index, abstain_threshold=-10.0, abstain_specific_below=100.0)

    named = service.ask("Which EU rules apply to the strategy?")
    plain = service.ask("Which rules apply to the strategy?")

    # English words never occur in the Swedish corpus; only the acronym says the topic is absent.
    assert named.abstained and named.lang == "en"
    assert not plain.abstained and plain.citations


def test_missing_acronyms_are_acronyms_and_numbers_outside_the_vocabulary():
    from rag.answer import missing_acronyms

    vocabulary = {"ai", "gdpr", "2024"}

    assert missing_acronyms("Does the EU AI Act apply to GDPR data from 2019?", vocabulary) == ["EU", "2019"]
    assert missing_acronyms("What did the 2024 survey say about AI?", vocabulary) == []
    assert missing_acronyms("Hur tillämpar vi LOU?", vocabulary) == ["LOU"]
