"""Suggested follow-up questions: from the report's headings around the cited passages, in a
fixed form, in the answer's language, never a question already asked. Answers built by hand."""

from __future__ import annotations

from rag.product.suggestions import suggestions
from rag.types import Answer, AnswerSentence, Citation, Hit, Passage
from rag.types import Decision

CH4 = "4. AI-strategin som grund för AI-användning"
REC = CH4 + " › Rekommendationer och praktiska råd"
SECTIONS = [
    CH4,
    CH4 + " › Ett verktyg för prioriteringar",
    CH4 + " › Använd strategin för att samordna och förankra",
    CH4 + " › Tydlig ansvarsfördelning",
    CH4 + " › Sammanfattning",
    REC + " › Involvera verksamhetens bredd från start",
    REC + " › Definiera prioriteringskriterier i strategin",
    REC + " › Sammanfattning",
    "5. Samverkan och samarbete mot delade mål",
    "5. Samverkan och samarbete mot delade mål › Pratsamverkan: Nätverk och dialog utan fasta ramar",
    "6. Att bygga förmåga för AI › DATA ORGANISATION KULTUR TEKNIK EKOSYSTEM EXPERTIS",
    "Appendix › Frågemall › 1. Personlig bakgrund och roll",
]


def answer(sections: list[str], lang: str = "sv", outcome: str = "answer") -> Answer:
    passages = [Passage("p{}".format(i), "r.txt", s, i * 100, i * 100 + 50, "Text.", None, i) for i, s in enumerate(sections)]
    return Answer(
        question="Vilka bör vi bjuda in?",
        lang=lang,
        lead="",
        sentences=tuple(AnswerSentence("Text.", (i + 1,), p.start, p.start + 5, "r.txt") for i, p in enumerate(passages)),
        citations=tuple(Citation(i + 1, p) for i, p in enumerate(passages)),
        hits=tuple(Hit(p, i + 1, 0.9) for i, p in enumerate(passages)),
        decision=Decision(outcome),
    )


def test_the_section_after_the_cited_one_then_the_recommendations_of_its_chapter():
    cited = answer([CH4 + " › Använd strategin för att samordna och förankra"])

    assert suggestions(cited, SECTIONS, ["Vilka bör vi bjuda in?"]) == (
        "Vad säger rapporten om ”Tydlig ansvarsfördelning”?",
        "Vad innebär rådet ”Involvera verksamhetens bredd från start”?",
        "Vad innebär rådet ”Definiera prioriteringskriterier i strategin”?",
    )


def test_english_answer_gets_english_questions_around_the_swedish_headings():
    cited = answer([CH4 + " › Använd strategin för att samordna och förankra"], lang="en")

    assert suggestions(cited, SECTIONS, [], limit=2) == (
        "What does the report say about ”Tydlig ansvarsfördelning”?",
        "What does the recommendation ”Involvera verksamhetens bredd från start” involve?",
    )


def test_cited_sections_and_questions_asked_before_are_never_suggested():
    cited = answer([REC + " › Involvera verksamhetens bredd från start", CH4 + " › Ett verktyg för prioriteringar"])
    asked = ["vad innebär rådet  ”Definiera prioriteringskriterier i strategin”?"]

    assert suggestions(cited, SECTIONS, asked) == (
        "Vad säger rapporten om ”Använd strategin för att samordna och förankra”?",
    )


def test_headings_that_say_nothing_on_their_own_are_left_out():
    cited = answer(
        [
            "5. Samverkan och samarbete mot delade mål",
            "6. Att bygga förmåga för AI › DATA ORGANISATION KULTUR TEKNIK EKOSYSTEM EXPERTIS",
            "Appendix › Frågemall › 1. Personlig bakgrund och roll",
            CH4 + " › Tydlig ansvarsfördelning",
        ]
    )

    # After "Tydlig ansvarsfördelning" come "Sammanfattning" and recommendations only: no topic
    # from it; chapter 5's next section is named; chapter 6 and the appendix offer nothing usable.
    assert suggestions(cited, SECTIONS, []) == (
        "Vad säger rapporten om ”Pratsamverkan: Nätverk och dialog utan fasta ramar”?",
        "Vad innebär rådet ”Involvera verksamhetens bredd från start”?",
        "Vad innebär rådet ”Definiera prioriteringskriterier i strategin”?",
    )


def test_recommendations_come_from_each_cited_chapter_in_turn():
    ch7 = "7. Avslutning › Rekommendationer riktade till kommunchefer"
    sections = SECTIONS + [ch7 + " › Bygg intern kompetens och rådighet", ch7 + " › Ökat mod och tydligare mandat"]
    cited = answer([REC + " › Involvera verksamhetens bredd från start", ch7 + " › Ökat mod och tydligare mandat"])

    assert suggestions(cited, sections, [], limit=5) == (
        "Vad innebär rådet ”Definiera prioriteringskriterier i strategin”?",
        "Vad innebär rådet ”Bygg intern kompetens och rådighet”?",
    )


def test_a_decline_gets_no_suggestions():
    assert suggestions(answer([CH4], outcome="decline"), SECTIONS, []) == ()
