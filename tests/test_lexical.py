"""Sentence splitting, language guess, compounds and stemming: the words every component shares."""

from __future__ import annotations

import pytest

from rag.lexical import decompound, detect_lang, split_sentences, stem, terms, words


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_swedish_abbreviations_do_not_end_a_sentence():
    text = "Kommunen bör t.ex. prata med IT. Vi har bl.a. jurister på plats. Sedan kom nästa steg!"

    assert _sentences(text) == [
        "Kommunen bör t.ex. prata med IT.",
        "Vi har bl.a. jurister på plats.",
        "Sedan kom nästa steg!",
    ]


def test_spans_are_offsets_into_the_text():
    text = "  Första meningen här. Andra meningen där.  "

    assert split_sentences(text) == [(2, 22), (23, 42)]


def test_bullets_on_new_lines_are_sentences_of_their_own():
    text = "Kommunen behöver:\n• en strategi\n• en budget för AI\nDet tar tid."

    assert _sentences(text) == ["Kommunen behöver:", "• en strategi", "• en budget för AI", "Det tar tid."]
    start, end = split_sentences(text)[2]
    assert (start, end) == (text.index("• en budget"), text.index("Det") - 1)


def test_a_question_mark_ends_a_sentence_before_a_capital():
    assert _sentences("Vem äger datan? Det avgör juristen. 3 av 4 kommuner svarade.") == [
        "Vem äger datan?",
        "Det avgör juristen.",
        "3 av 4 kommuner svarade.",
    ]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Hur påverkar GDPR våra AI-projekt?", "sv"),
        ("Vilka bör vi bjuda in när vi tar fram vår AI-strategi?", "sv"),
        ("Vem ansvarar för datan?", "sv"),
        ("How does GDPR affect our AI projects?", "en"),
        ("What should the municipality do first?", "en"),
    ],
)
def test_detect_lang(question: str, lang: str):
    assert detect_lang(question) == lang


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("pilotstadiet", ("pilot", "stadiet")),
        ("pilotfas", ("pilot", "fas")),
        ("konsekvensbedömning", ("konsekvens", "bedömning")),
        ("styrgruppen", ("styr", "gruppen")),
    ],
)
def test_decompound_splits_into_two_known_words(word: str, parts: tuple[str, str]):
    assert decompound(word) == parts


@pytest.mark.parametrize("word", ["kommun", "organisationen", "AI-projekt", "digital"])
def test_decompound_leaves_short_common_or_hyphenated_words_alone(word: str):
    assert decompound(word) == ()


def test_words_keep_hyphenated_compounds_and_their_parts():
    assert words("AI-projekt i Kommunen") == ["ai-projekt", "ai", "projekt", "i", "kommunen"]


def test_stem_folds_swedish_inflections():
    assert stem("kommunen") == stem("kommunerna") == stem("kommuner") == "kommun"


def test_terms_are_stemmed_content_words_plus_compound_parts():
    assert terms("Kommunerna och kommunen i pilotstadiet") == ["kommun", "kommun", "pilotstadiet", "pilot", "stadiet"]
    # Stopwords and question noise carry no topic.
    assert terms("Vad säger rapporten om det här?") == []
    # Swedish compounds meet on their shared part.
    assert set(terms("pilotstadiet")) & set(terms("pilotfas")) == {"pilot"}


def test_no_word_longer_than_the_longest_swedish_word_is_split():
    import wordfreq

    from rag.lexical import MAX_COMPOUND_CHARS

    longest = max(len(w) for w in wordfreq.get_frequency_dict("sv") if w.isalpha())
    assert MAX_COMPOUND_CHARS == longest == len("försvarsunderrättelseverksamheten")
    # Both halves are common words, but together they are longer than any Swedish word.
    assert decompound("informationssäkerhetutbildningsförvaltningen") == ()
    assert decompound("informationssäkerhetutbildning") == ("informationssäkerhet", "utbildning")
    assert terms("a" * 100_000) == [stem("a" * 100_000)]


def test_runs_of_dots_and_spaces_split_as_before():
    # A table-of-contents line and a long gap: the marks' whole run ends the sentence.
    text = "Inledning " + "." * 5000 + " 5 Sedan." + " " * 5000 + "Nästa mening."

    assert _sentences(text) == ["Inledning " + "." * 5000, "5 Sedan.", "Nästa mening."]
