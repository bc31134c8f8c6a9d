"""Generative answers with LangChain's fake chat models over a tiny corpus and the fake embedder:
streaming, validation in the final answer, fallback to the extractive answer, follow-ups."""

from __future__ import annotations

import numpy as np
import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, RaisingChatModel, RecordingChatModel, fake_index
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from rag.answering.answer import ExtractiveAnswerer
from rag.config import load_settings
from rag.answering.followup import LLMCondenser, Resolution, resolve
from rag.answering.generative import GenerativeAnswerer, notice
from rag.answering.messages import MESSAGES, Reason

ABSTAIN = MESSAGES["decline.weak_evidence"]
LEADS = MESSAGES["generative.lead"]
from rag.answering.validate import SUPPORT_THRESHOLD
from rag.service import RagService
from rag.types import Citation, Delta, Final, Hit, Retrieved, Turn

QUESTION = "Vem beslutar om strategin för AI?"
QUOTE = "Strategin beslutas av kommunfullmäktige efter en bred dialog."


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with fake_index(tmp_path_factory.mktemp("generative"), {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as s:
        yield s


@pytest.fixture(scope="module")
def service(index):
    settings = load_settings(
        index_dir=index.index_dir, corpus_dir=index.corpus_dir, decline_below=-10.0, partial_below=-10.0
    )
    return RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()


def _retrieved(service, question: str = QUESTION) -> Retrieved:
    """[1] strategy, [2] data protection, [3] cooperation: a fixed order, whatever the fake ranks."""
    by_section = {p.section: p for p in service.generation.passages}
    hits = [Hit(by_section[s], r, 1.0) for r, s in enumerate(["1. Strategi", "2. Dataskydd", "1. Samverkan"], 1)]
    return Retrieved(service.queries.build(question), hits)


def _answerer(service, model, **overrides) -> GenerativeAnswerer:
    settings = service.settings.model_copy(update=overrides)
    return GenerativeAnswerer(settings, service.generation, HashEmbedder(), model)


def _stream(answerer, retrieved) -> tuple[list[str], object]:
    events = list(answerer.stream(retrieved))
    assert isinstance(events[-1], Final) and all(isinstance(e, Delta) for e in events[:-1])
    return [e.text for e in events[:-1]], events[-1].answer


def _extractive(service, retrieved):
    return ExtractiveAnswerer(service.settings, service.generation).answer(retrieved)


def test_stream_yields_the_model_text_then_the_validated_answer(service):
    raw = QUOTE[:-1] + " [1]. Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system [2]."
    model = GenericFakeChatModel(messages=iter([AIMessage(content=raw)]))
    retrieved = _retrieved(service)

    deltas, answer = _stream(_answerer(service, model), retrieved)

    assert len(deltas) > 10 and "".join(deltas) == raw
    assert (answer.mode, answer.fallback, answer.abstained, answer.lead) == ("generative", None, False, LEADS["sv"])
    assert [(s.text, s.citations, s.supported) for s in answer.sentences] == [
        (QUOTE, (1,), True),
        ("Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system.", (2,), True),
    ]
    assert answer.sentences[0].support == pytest.approx(1.0, abs=1e-6)
    assert answer.citations == (Citation(1, retrieved.hits[0].passage), Citation(2, retrieved.hits[1].passage))
    assert answer.invalid_citations == ()
    data = answer.to_dict()
    assert data["answer"] == LEADS["sv"] + "\n\n" + QUOTE + " [1] " + answer.sentences[1].text + " [2]"
    assert [s["supported"] for s in data["sentences"]] == [True, True]


def test_answer_without_streaming_gives_the_same_validated_answer(service):
    raw = QUOTE[:-1] + " [1]."
    answer = _answerer(service, FakeListChatModel(responses=[raw])).answer(_retrieved(service))

    assert (answer.mode, answer.fallback) == ("generative", None)
    assert [(s.text, s.citations, s.supported) for s in answer.sentences] == [(QUOTE, (1,), True)]


def test_an_invalid_marker_is_removed_and_listed(service):
    raw = QUOTE[:-1] + " [1, 9]. Kommunen måste göra en konsekvensbedömning [2][7]."
    answer = _answerer(service, FakeListChatModel(responses=[raw])).answer(_retrieved(service))

    assert answer.invalid_citations == (9, 7)
    assert [s.citations for s in answer.sentences] == [(1,), (2,)]
    assert "[9]" not in answer.text and "[7]" not in answer.text
    assert answer.to_dict()["invalid_citations"] == [9, 7]


def test_an_unsupported_sentence_is_marked_in_place(service):
    raw = QUOTE[:-1] + " [1]. Alla invånare får gratis glass varje fredag [3]."
    answer = _answerer(service, FakeListChatModel(responses=[raw])).answer(_retrieved(service))

    assert answer.fallback is None
    assert [(s.text, s.supported) for s in answer.sentences] == [
        (QUOTE, True),
        ("Alla invånare får gratis glass varje fredag.", False),
    ]
    assert answer.sentences[1].support < SUPPORT_THRESHOLD


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("Alla invånare får gratis glass [1]. Solen skiner alltid [2].", Reason("low_support", {"supported": 0, "total": 2})),
        # Only the report part counts: a supported interpretation does not rescue it.
        ("Alla invånare får gratis glass [1]. Solen skiner alltid [2].\nTolkning och råd: " + QUOTE[:-1] + " [1].",
         Reason("low_support", {"supported": 0, "total": 2})),
        (QUOTE[:-1] + " [7].", Reason("no_citation")),
        ("asdf qwerty zxcv", Reason("no_citation")),
        ("", Reason("empty")),
    ],
)
def test_an_untrustworthy_answer_is_replaced_by_the_extractive_one(service, raw, reason):
    retrieved = _retrieved(service)
    answer = _answerer(service, FakeListChatModel(responses=[raw])).answer(retrieved)

    base = _extractive(service, retrieved)
    assert (answer.mode, answer.fallback, answer.abstained) == ("extractive", str(reason), False)
    assert answer.lead == "\n\n".join(p for p in (notice("sv", reason), base.lead) if p)
    assert answer.sentences == base.sentences and answer.citations == base.citations


@pytest.mark.parametrize(
    "error, reason",
    [
        (TimeoutError("read timed out"), "timeout: no answer within 60 s"),
        (ConnectionError("refused"), "endpoint unreachable"),
        (ValueError("garbage"), "endpoint error: ValueError"),
    ],
)
def test_a_failing_model_gives_the_extractive_answer_not_an_exception(service, error, reason):
    model = RaisingChatModel(error)
    retrieved = _retrieved(service)

    deltas, answer = _stream(_answerer(service, model), retrieved)

    assert deltas == [] and model.calls == 1
    assert (answer.mode, answer.fallback) == ("extractive", reason)
    assert answer.sentences == _extractive(service, retrieved).sentences


def test_a_model_failing_mid_stream_still_ends_with_the_extractive_answer(service):
    model = FakeListChatModel(responses=[QUOTE + " [1]"], error_on_chunk_number=3)

    deltas, answer = _stream(_answerer(service, model), _retrieved(service))

    assert deltas == list(QUOTE[:3])
    assert (answer.mode, answer.fallback) == ("extractive", "endpoint error: FakeListChatModelError")


def test_the_models_abstention_is_an_abstention_not_a_fallback(service):
    model = FakeListChatModel(responses=[ABSTAIN["en"]])
    question = "Who decides on the Copilot rollout?"
    answer = _answerer(service, model).answer(_retrieved(service, question))

    assert (answer.mode, answer.fallback, answer.abstained, answer.lang) == ("generative", None, True, "en")
    assert (answer.lead, answer.sentences, answer.citations) == (ABSTAIN["en"], (), ())


def test_weak_evidence_abstains_without_asking_the_model(service):
    model = RaisingChatModel(TimeoutError())
    answer = _answerer(service, model, decline_below=10.0).answer(_retrieved(service))

    assert model.calls == 0
    assert (answer.mode, answer.fallback, answer.abstained, answer.lead) == ("generative", None, True, ABSTAIN["sv"])


def test_inline_thinking_of_reasoning_models_is_not_validated(service):
    raw = "<think>Kanske [5] är bäst.</think>\n" + QUOTE[:-1] + " [1]."
    answer = _answerer(service, FakeListChatModel(responses=[raw])).answer(_retrieved(service))

    assert answer.invalid_citations == ()
    assert [(s.text, s.citations) for s in answer.sentences] == [(QUOTE, (1,))]


HISTORY = [Turn("Vad säger rapporten om AI-strategin?", "Strategin beslutas av kommunfullmäktige. [1]")]


def test_llm_condenser_rewrites_a_follow_up_from_the_conversation():
    model = RecordingChatModel('Fristående fråga: "Vad säger rapporten om dataskydd i AI-strategin?"\nMer text.')

    rewrite = LLMCondenser(model).condense("Och dataskyddet där?", HISTORY)

    assert rewrite == "Vad säger rapporten om dataskydd i AI-strategin?"
    (system, user), = model.prompts
    assert "Fråga: Vad säger rapporten om AI-strategin?" in user.content
    assert user.content.endswith("Följdfråga: Och dataskyddet där?\n\nFristående fråga:")


@pytest.mark.parametrize("model", [RaisingChatModel(TimeoutError()), RecordingChatModel(""), RecordingChatModel("x" * 500)])
def test_a_failed_llm_rewrite_carries_the_topic_instead(model):
    question = "Och dataskyddet där?"

    assert LLMCondenser(model).condense(question, HISTORY) is None
    got = resolve(question, HISTORY, LLMCondenser(model))
    assert got == Resolution(
        "dataskyddet där?",
        shown="Apropå ”Vad säger rapporten om AI-strategin?”: dataskyddet där?",
        topic=Resolution("Vad säger rapporten om AI-strategin?"),
        typed=question,
    )


def test_the_chat_model_is_not_asked_to_rewrite_a_question_that_stands_on_its_own():
    model = RecordingChatModel("Något helt annat?")
    question = "Hur mycket kostar det att köpa in en AI-lösning?"

    assert resolve(question, HISTORY, LLMCondenser(model)) == Resolution(question)
    assert model.prompts == []


def test_a_follow_up_is_rewritten_then_answered_generatively_through_the_service(service):
    rewrite = "Vem beslutar om strategin för AI i kommunen?"
    condenser_model = RecordingChatModel(rewrite)
    settings = service.settings
    follow_up = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail, condenser=LLMCondenser(condenser_model))
    # The model cites the strategy passage by the number retrieval gives it for the rewrite.
    strategy_n = next(h.rank for h in follow_up.search(rewrite) if h.passage.section == "1. Strategi")
    answer_model = RecordingChatModel(QUOTE[:-1] + " [{}].".format(strategy_n))
    follow_up.answerer = GenerativeAnswerer(settings, follow_up.generation, follow_up.embedder, answer_model)

    answer = follow_up.ask("Och vem beslutar den?", history=HISTORY)

    assert answer.standalone_question == rewrite
    assert answer.to_dict()["standalone_question"] == rewrite
    (system, user), = answer_model.prompts
    assert user.content.endswith("\n\nFråga: " + rewrite)
    assert (answer.mode, answer.fallback) == ("generative", None)
    assert [(s.text, s.citations, s.supported) for s in answer.sentences] == [(QUOTE, (strategy_n,), True)]


@pytest.mark.parametrize(
    "lang, reason, expected",
    [
        ("sv", Reason("low_support", {"supported": 0, "total": 2}), "(för svagt stöd i källorna: 0 av 2 meningar med stöd)"),
        ("sv", Reason("timeout", {"seconds": 60.0}), "(inget svar inom 60 s)"),
        ("sv", Reason("unreachable"), "(tjänsten gick inte att nå)"),
        ("en", Reason("http", {"status": 500}), "(endpoint error: HTTP 500)"),
    ],
)
def test_the_fallback_notice_speaks_the_answers_language(lang, reason, expected):
    assert expected in notice(lang, reason)


def test_the_plain_cli_output_lists_unsupported_sentences_and_removed_markers(service):
    import io

    from rag.cli import _print_answer

    raw = QUOTE[:-1] + " [1]. Alla invånare får gratis glass varje fredag [3][9]."
    answer = _answerer(service, FakeListChatModel(responses=[raw])).answer(_retrieved(service))
    out = io.StringIO()

    _print_answer(answer, out)

    text = out.getvalue()
    assert text.startswith(answer.text + "\n\n")
    assert "Obs! Stöds inte av de citerade avsnitten:\n  - Alla invånare får gratis glass varje fredag.\n\n" in text
    assert "Borttagna källhänvisningar (fanns inte bland avsnitten): [9]\n" in text
    assert "Källor:\n  [1] 1. Strategi (strategi.txt)\n" in text


def test_a_stricter_supported_share_replaces_a_half_supported_answer(service):
    raw = QUOTE[:-1] + " [1]. Alla invånare får gratis glass varje fredag [3]."
    retrieved = _retrieved(service)

    default = _answerer(service, FakeListChatModel(responses=[raw])).answer(retrieved)
    strict = _answerer(service, FakeListChatModel(responses=[raw]), min_supported_share=0.75).answer(retrieved)

    assert (default.mode, default.fallback) == ("generative", None)
    assert (strict.mode, strict.fallback) == ("extractive", str(Reason("low_support", {"supported": 1, "total": 2})))
