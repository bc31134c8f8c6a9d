"""Passages from tiny inline documents: exact section paths, exact source spans, stable ids."""

from __future__ import annotations

from rag.index.chunking import SECTION_SEP, build_passages
from rag.types import Document, Page

# Lines are report-length (60-70 characters) so prose never looks like a heading.
TEXT = """Rapport om kommunen

1. Inledning

Kommunen arbetar med digitalisering i hela den kommunala organisa-
tionen och vill använda AI-
verktyg på ett ansvarsfullt sätt. Arbetet leds av en styrgrupp.

Ledning och styrning

Styrgruppen träffas varje månad. Den rapporterar till nämnden och
följer upp arbetet med de digitala tjänsterna för invånarna.

Varje förvaltning utser en kontaktperson som ansvarar för arbetet med
12

digitaliseringen och samordnar den med styrgruppen.

2. Juridik och dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Kommunen måste göra en konsekvensbedömning.
"""

CH1 = "1. Inledning"
SUB = CH1 + SECTION_SEP + "Ledning och styrning"
CH2 = "2. Juridik och dataskydd"


def _doc(text: str = TEXT, ocr: bool = True, **kwargs) -> Document:
    """The report's layouts are OCR output, repaired as the corpus manifest marks the report."""
    return Document(source="t.txt", path="t.txt", text=text, sha256="0" * 64, ocr=ocr, **kwargs)


def _span(text: str, first: str, last: str) -> tuple[int, int]:
    """Source span from the first character of ``first`` to the last of ``last``."""
    start = text.index(first)
    return start, text.index(last, start) + len(last)


def test_sections_follow_numbered_chapters_and_unnumbered_subheadings():
    passages, _ = build_passages(_doc())

    assert [p.section for p in passages] == [CH1, SUB, CH2]


def test_passage_spans_are_exact_source_offsets():
    passages, _ = build_passages(_doc())
    first, sub, second = passages

    assert (first.start, first.end) == _span(TEXT, "Kommunen arbetar", "leds av en styrgrupp.")
    assert (first.start, first.end) == (35, 193)
    assert (sub.start, sub.end) == _span(TEXT, "Styrgruppen träffas", "samordnar den med styrgruppen.")
    assert (second.start, second.end) == _span(TEXT, "Dataskyddsförordningen", "konsekvensbedömning.")
    for p in passages:
        assert p.source == "t.txt"
        assert p.page is None


def test_line_break_hyphenation_is_joined_but_ai_compounds_keep_their_hyphen():
    first = build_passages(_doc())[0][0]

    assert "organisationen" in first.text
    assert "organisa-" not in first.text
    assert "AI-verktyg" in first.text
    # The source span still holds the text as printed.
    assert "organisa-\ntionen" in TEXT[first.start : first.end]


def test_page_number_line_is_dropped_and_the_paragraph_it_cut_is_mended():
    passages, sentences = build_passages(_doc())
    sub = passages[1]

    assert sub.text == (
        "Styrgruppen träffas varje månad. Den rapporterar till nämnden och följer upp arbetet "
        "med de digitala tjänsterna för invånarna.\n\n"
        "Varje förvaltning utser en kontaktperson som ansvarar för arbetet med "
        "digitaliseringen och samordnar den med styrgruppen."
    )
    for p in passages:
        assert "12" not in p.text
    mended = [s for s in sentences if s.text.startswith("Varje förvaltning")]
    assert len(mended) == 1
    assert mended[0].text.endswith("arbetet med digitaliseringen och samordnar den med styrgruppen.")
    assert (mended[0].start, mended[0].end) == _span(TEXT, "Varje förvaltning", "med styrgruppen.")


def test_source_slice_starts_and_ends_with_the_passage_words():
    passages, _ = build_passages(_doc())

    expected = [
        ("Kommunen arbetar", "av en styrgrupp."),
        ("Styrgruppen träffas", "med styrgruppen."),
        ("Dataskyddsförordningen gäller", "en konsekvensbedömning."),
    ]
    for p, (head, tail) in zip(passages, expected, strict=True):
        src = TEXT[p.start : p.end]
        assert src.startswith(head) and p.text.startswith(head)
        assert src.endswith(tail) and p.text.endswith(tail)


def test_no_passage_crosses_a_section_and_each_respects_max_chars():
    heading_offsets = [TEXT.index(h) for h in ("1. Inledning", "Ledning och styrning", "2. Juridik")]
    for max_chars in (200, 1200):
        passages, _ = build_passages(_doc(), max_chars=max_chars)
        for p in passages:
            assert p.end - p.start <= max_chars
            assert not any(p.start < h < p.end for h in heading_offsets)
        assert [p.section for p in passages] == (
            [CH1, SUB, SUB, CH2] if max_chars == 200 else [CH1, SUB, CH2]
        )


def test_small_max_chars_splits_at_the_paragraph_boundary():
    passages, _ = build_passages(_doc(), max_chars=200)

    assert [(p.start, p.end) for p in passages[1:3]] == [
        _span(TEXT, "Styrgruppen träffas", "tjänsterna för invånarna."),
        _span(TEXT, "Varje förvaltning", "med styrgruppen."),
    ]


def test_every_sentence_span_lies_inside_its_passage_span():
    passages, sentences = build_passages(_doc())
    by_id = {p.id: p for p in passages}

    assert {s.passage_id for s in sentences} == set(by_id)
    for s in sentences:
        p = by_id[s.passage_id]
        assert p.start <= s.start < s.end <= p.end
        assert s.text in p.text
    assert [s.text for s in sentences if s.passage_id == passages[0].id] == [
        (
            "Kommunen arbetar med digitalisering i hela den kommunala organisationen och vill "
            "använda AI-verktyg på ett ansvarsfullt sätt."
        ),
        "Arbetet leds av en styrgrupp.",
    ]


def test_ids_are_stable_and_change_only_with_the_text_of_their_passage():
    first_run = [p.id for p in build_passages(_doc())[0]]
    second_run = [p.id for p in build_passages(_doc())[0]]
    edited = TEXT.replace("konsekvensbedömning.", "riskbedömning.")
    third_run = [p.id for p in build_passages(_doc(edited))[0]]

    assert first_run == second_run
    assert len(set(first_run)) == 3
    assert third_run[:2] == first_run[:2]
    assert third_run[2] != first_run[2]


def test_identical_paragraphs_in_one_section_get_distinct_ids():
    para = (
        "Kommunen måste göra en konsekvensbedömning innan ett nytt AI-system tas i bruk "
        "i verksamheten och sedan följa upp den."
    )
    text = "1. Juridik\n\n" + para + "\n\n" + para + "\n"
    passages, _ = build_passages(_doc(text), max_chars=200)

    assert [p.text for p in passages] == [para, para]
    assert passages[0].id != passages[1].id


def test_pages_come_from_the_document_page_map():
    page_one = (
        "1. Inledning\n\n"
        "Kommunen arbetar med digitalisering i hela den kommunala organisationen\n"
        "och vill använda AI på ett ansvarsfullt sätt. Arbetet leds av en\n"
    )
    page_two = (
        "styrgrupp som träffas varje månad och rapporterar till nämnden.\n\n"
        "2. Juridik\n\n"
        "Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system.\n"
    )
    text = page_one + "\f" + page_two
    pages = (Page(1, 0, len(page_one) + 1), Page(2, len(page_one) + 1, len(text)))
    passages, _ = build_passages(_doc(text, pages=pages, title="Titel"))

    assert [(p.section, p.page) for p in passages] == [("1. Inledning", 1), ("2. Juridik", 2)]
    first = passages[0]
    # The sentence cut by the page break is one sentence, and its span crosses the form feed.
    assert first.text.endswith("Arbetet leds av en styrgrupp som träffas varje månad och rapporterar till nämnden.")
    assert (first.start, first.end) == _span(text, "Kommunen arbetar", "till nämnden.")
    assert "\f" in text[first.start : first.end]


def test_a_heading_at_the_top_of_a_pdf_page_starts_a_section():
    page1 = "1. Bakgrund\n\nKommunen har arbetat med digitalisering sedan flera år och har en plan för det."
    page2 = "2. Resultat\n\nPiloten med en språkmodell sparade tid för handläggarna i socialtjänsten."
    text = page1 + "\f" + page2
    pages = (Page(1, 0, len(page1) + 1), Page(2, len(page1) + 1, len(text)))
    passages, _ = build_passages(_doc(text, pages=pages))
    assert [(p.section, p.page) for p in passages] == [("1. Bakgrund", 1), ("2. Resultat", 2)]
    assert text[passages[1].start : passages[1].end] == page2[len("2. Resultat\n\n") :]


def test_a_short_line_continued_in_lower_case_is_not_a_heading():
    text = (
        "1. Inledning\n\nKommunen har en styrgrupp som leder arbetet med AI i hela organisationen.\n\n"
        "Styrgruppen träffas varje månad och följer upp\n\n"
        "arbetet med de digitala tjänsterna för invånarna i kommunen.\n"
    )
    passages, _ = build_passages(_doc(text))
    assert {p.section for p in passages} == {"1. Inledning"}
    assert "Styrgruppen träffas varje månad och följer upp arbetet med" in passages[0].text


def test_a_sentence_longer_than_max_chars_is_cut_at_spaces():
    words = " ".join("ord{}".format(i) for i in range(120))
    text = "1. Inledning\n\n" + words + "\n"
    passages, _ = build_passages(_doc(text), max_chars=200)
    assert [(p.start, p.end) for p in passages] == [(14, 213), (214, 411), (412, 610), (611, 743)]
    assert all(p.end - p.start <= 200 for p in passages)
    assert " ".join(p.text for p in passages) == words


# The layouts the report uses for headings (issue 14), each as the OCR gives it.
LAYOUTS = (
    " 1. AI-strategin\n"
    "som grund för\n"
    "AI-användning\n"
    "\n"
    "En AI-strategi fungerar som ett styrdokument och ett beslutsstöd för\n"
    "hur kommunens verksamheter ska nyttja de möjligheter som ny teknik ger.\n"
    "\n"
    "Bygg en hållbar portfölj av AI-initiativ\n"
    "I allt fler kommuner har man använt en form av portföljstyrning där\n"
    "både effektivisering och innovation ryms inom samma styrning.\n"
    " Juridiken måste gå i takt\n"
    "med strategin\n"
    "\n"
    "lintervjuerna framgår också hur juridiska ramar (till exempel GDPR)\n"
    "ofta påverkar vilket AI-projekt man åtar sig i den egna kommunen.\n"
    "\n"
    "Rekommendationer\n"
    "\n"
    "Definiera prioriteringskriterier\n"
    "\n"
    "Strategin bör underlätta vid val av AI-projekt, till exempel genom\n"
    "medborgarnytta, arbetsmiljö och juridisk genomförbarhet i kommunen.\n"
    "\n"
    "Ledare\n"
    "\n"
    "AI är i produktion\n"
    "och brett\n"
    "\n"
    "Det finns en AI- infé.rliv?lt i\n"
    "\n"
    "DATA ORGANISATION KULTUR\n"
    "TEKNIK EKOSYSTEM EXPERTIS\n"
    "\n"
    "Sammanfattning\n"
    "\n"
    "En AI-strategi är inte ett dokument utan en process för att få chefer\n"
    "och medarbetare att tänka tillsammans i en gemensam riktning och takt.\n"
    "\n"
    "Appendix\n"
    "\n"
    "Frågemall\n"
    "\n"
    "Projektets genomförande\n"
    "3. Utmaningar och hinder\n"
    " Vilka tekniska och organisatoriska hinder stötte ni på under arbetet?\n"
    "\n"
    "Framtiden och Feedback\n"
    "1. Framtida projekt\n"
    "\n"
    "• Finns det planer för att genomföra liknande AI-projekt i framtiden?\n"
)
CH4 = "1. AI-strategin som grund för AI-användning"
GUIDE = "Appendix" + SECTION_SEP + "Frågemall"


def test_every_heading_layout_gets_its_exact_section_path_and_span():
    passages, _ = build_passages(_doc(LAYOUTS))

    assert [(p.section, p.start, p.end) for p in passages] == [
        (CH4, *_span(LAYOUTS, "En AI-strategi fungerar", "teknik ger.")),
        # A heading set directly above its paragraph, with no blank line between.
        (CH4 + SECTION_SEP + "Bygg en hållbar portfölj av AI-initiativ", *_span(LAYOUTS, "I allt fler", "samma styrning.")),
        # A two-line heading right after a paragraph (a leading space opens the page), and its
        # paragraph opening with the OCR's "l" for "I".
        (CH4 + SECTION_SEP + "Juridiken måste gå i takt med strategin", *_span(LAYOUTS, "lintervjuerna", "egna kommunen.")),
        (
            CH4 + SECTION_SEP + "Rekommendationer" + SECTION_SEP + "Definiera prioriteringskriterier",
            *_span(LAYOUTS, "Strategin bör", "i kommunen."),
        ),
        # The figure labels are dropped, and the chapter's summary closes the group of headings.
        (CH4 + SECTION_SEP + "Sammanfattning", *_span(LAYOUTS, "En AI-strategi är inte", "riktning och takt.")),
        # A numbered heading glued to the next line, and a group heading above a numbered one.
        (
            GUIDE + SECTION_SEP + "Projektets genomförande" + SECTION_SEP + "3. Utmaningar och hinder",
            *_span(LAYOUTS, "Vilka tekniska", "under arbetet?"),
        ),
        (
            GUIDE + SECTION_SEP + "Framtiden och Feedback" + SECTION_SEP + "1. Framtida projekt",
            *_span(LAYOUTS, "• Finns det", "i framtiden?"),
        ),
    ]
    assert passages[2].text.startswith("I intervjuerna framgår också")
    assert not any("ORGANISATION" in p.text or "infé" in p.text for p in passages)


BROKEN = """Rapport om kommunen

1. Inledning

Kommunen har under hösten gjort en kartläggning av sina initiativ
inom AI och digitalisering. Kartläggningen fann 41 initiativ i 12 av

Kommunens 15 förvaltningar. Arbetet fortsätter under nästa år med
fler intervjuer. Därför har en enkätstudie genomförts i samarbete med

https://exempel.se/karta

Linköpings universitet, som också har sammanställt resultaten.

Nästa stycke börjar här med en hel mening om något helt annat i
kommunen. Det slutar med en punkt.
"""


def test_a_paragraph_cut_after_a_word_no_sentence_ends_on_is_mended_across_a_capital_and_a_link():
    passages, sentences = build_passages(_doc(BROKEN))
    texts = [s.text for s in sentences]

    assert "Kartläggningen fann 41 initiativ i 12 av Kommunens 15 förvaltningar." in texts
    assert ("Därför har en enkätstudie genomförts i samarbete med https://exempel.se/karta Linköpings "
            "universitet, som också har sammanställt resultaten.") in texts
    # A block that ends a sentence is not joined with the next, capitalised one.
    assert "Nästa stycke börjar här med en hel mening om något helt annat i kommunen." in texts
    mended = next(s for s in sentences if s.text.startswith("Kartläggningen fann"))
    assert (mended.start, mended.end) == _span(BROKEN, "Kartläggningen fann", "15 förvaltningar.")
    assert BROKEN[mended.start:mended.end].split() == mended.text.split()
