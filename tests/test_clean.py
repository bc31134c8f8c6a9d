"""OCR repair: exact outputs on tiny inline lines, exact offsets, and a dev-gold regression guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evals.ocr_eval import evaluate_ocr, word_accuracy
from rag.index.clean import RepairedText, repair_line, repair_text
from rag.index.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "fran-insikt-till-handling-ai-sweden-2025.txt"
DEV_GOLD = ROOT / "evals" / "ocr_gold_dev.jsonl"
# The target; the dev gold reached 0.9984 (229 lines) when this guard was set.
DEV_FLOOR = 0.995


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("Det ar pd tiden", "Det är på tiden"),
        ("Mé&nga kommuner krdver nya l6sningar", "Många kommuner kräver nya lösningar"),
        ("Kommunerna ser darfor ett stort behov av", "Kommunerna ser därför ett stort behov av"),
        ("Artificiell intelligens (Al) erbjuder mojligheter", "Artificiell intelligens (AI) erbjuder möjligheter"),
        ("med Al-arbetet och Al:s varde", "med AI-arbetet och AI:s värde"),
        ("organisatoriskt Iarande och [6sningar", "organisatoriskt lärande och lösningar"),
        ("| en kommun gar det I&ngsamt", "I en kommun går det långsamt"),
        ("en av orsakerna till attinforandet av Alinom offentlig", "en av orsakerna till att införandet av AI inom offentlig"),
        ("Dessainsikter pekar pd att", "Dessa insikter pekar på att"),
        ("runt omii", "runt om i"),
        ("e Integrera strategin: Se Al som en del", "• Integrera strategin: Se AI som en del"),
        ("Aven om", "Även om"),
        # Real words that differ only in dropped diacritics, told apart by their neighbours.
        ("Vi bor i Lund men de bor darfor ta ansvar", "Vi bor i Lund men de bör därför ta ansvar"),
        ("Man kan har se att det kravs stod", "Man kan här se att det krävs stöd"),
        ("Hon stod still och tittade", "Hon stod still och tittade"),
        ("Ett val av metod fungerar val", "Ett val av metod fungerar väl"),
        ("Har gar vi vidare och har pekar", "Här går vi vidare och här pekar"),
        ("om man fér mycket", "om man får mycket"),
        # Glued acronym, linking vowel, participle, and a mid-word G for a vowel.
        ("Alisig ar inte nytt", "AI i sig är inte nytt"),
        ("arbete med nyttorealisering", "arbete med nyttorealisering"),
        ("ett kvalitetssdkrande organ", "ett kvalitetssäkrande organ"),
        ("sGdana fragor", "sådana frågor"),
    ],
)
def test_repair_line_exact(raw, repaired):
    assert repair_line(raw) == repaired


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        # an / än: "än" completes a comparative; otherwise the particle of "knyta an", "ta sig an".
        ("Knyta an till kommunens vision", "Knyta an till kommunens vision"),
        ("kommun som tar sig an frdgan", "kommun som tar sig an frågan"),
        ("snarare an allman ambition", "snarare än allmän ambition"),
        ("battre resultat och insikter an de som", "bättre resultat och insikter än de som"),
        # där / är: "dar" with a mangled ä ("da") is the verb where the clause wants one.
        ("vad som dar kant frdn forskning", "vad som är känt från forskning"),
        ("Sdledes dar Al inte en teknisk fraga", "Således är AI inte en teknisk fråga"),
        ("frédga/svar dar ineffektivt. For ett", "fråga/svar är ineffektivt. För ett"),
        ("Etablera team dar IT, verksamhet", "Etablera team där IT, verksamhet"),
        ("men det kan inte sluta dar.", "men det kan inte sluta där."),
        # når / när: a reflexive possessive or a subject-object frame reads "reaches".
        ("att initiativ ndr sina mal genom", "att initiativ når sina mål genom"),
        ("de digitala losningarna\nnar en kritisk niva", "de digitala lösningarna\nnår en kritisk nivå"),
        ("som behover ingd nar en organisation", "som behöver ingå när en organisation"),
        ("moter nar de ska infora", "möter när de ska införa"),
        # värden / vården, råd / rad.
        ("mjuka varden som kunskapsutveckling", "mjuka värden som kunskapsutveckling"),
        ("nyttor och varden frén", "nyttor och värden från"),
        ("arbetar inom varden med", "arbetar inom vården med"),
        ("Rekommendationer och praktiska rad", "Rekommendationer och praktiska råd"),
        ("de inte har rad att gora fel", "de inte har råd att göra fel"),
        ("en rad olika initiativ", "en rad olika initiativ"),
        # där / är: a clause opened after a comma or a dash starts with "där", never the verb.
        ("som ett beslutsfilter — ddr varje nytt", "som ett beslutsfilter — där varje nytt"),
        ("Sundsvall, dér man integrerat", "Sundsvall, där man integrerat"),
        # stöd / stå / stod, stärk / stark, stärka / starka: verb or noun by the clause.
        ("ansvar: Stéd och uppmuntra", "ansvar: Stöd och uppmuntra"),
        ("att std still", "att stå still"),
        ("Stark kopplingen mellan", "Stärk kopplingen mellan"),
        ("en stark koppling", "en stark koppling"),
        ("de behover starka sin formdaga", "de behöver stärka sin förmåga"),
        ("har starka band", "har starka band"),
        # mäta / mata, mäts / mats: "mata" takes its particle "in".
        ("tydligt definiera, mata och folja upp", "tydligt definiera, mäta och följa upp"),
        ("mata in data", "mata in data"),
        ("att resultaten mats mot", "att resultaten mäts mot"),
        # vaga / våga: a copula takes the adjective (a correct word no longer broken).
        ("resultaten forblir vaga.", "resultaten förblir vaga."),
        ("att vaga testa", "att våga testa"),
        # vårt / vart, säker / saker, svåra / svara, går / gör, invanda / invända.
        ("Passar det hdr vart overgripande mal?", "Passar det här vårt övergripande mål?"),
        ("vart ska vi", "vart ska vi"),
        ("effektiv och saker datahantering", "effektiv och säker datahantering"),
        ("läggs på rätt saker.", "läggs på rätt saker."),
        ("i svara fragor", "i svåra frågor"),
        ("utvecklingen gér I&ngsamt", "utvecklingen går långsamt"),
        ("det gér skillnad", "det gör skillnad"),
        ("att dndra invanda arbetssatt", "att ändra invanda arbetssätt"),
        # Glued words and acronyms from the list.
        ("infora Ali verksamheten", "införa AI i verksamheten"),
        ("nyckeltal eller KPl:er for", "nyckeltal eller KPI:er för"),
        ("snarare anilésta projektplaner", "snarare än i låsta projektplaner"),
        ("valja andamadalsenliga initiativ", "välja ändamålsenliga initiativ"),
        ("e Tydligmalsattning: Samverkan", "• Tydlig målsättning: Samverkan"),
        ("Fragemall som anvéndesii", "Frågemall som användes i"),
        ("Juridiken maste gai takt", "Juridiken måste gå i takt"),
        ("lintervjuerna framgadr ocksd", "I intervjuerna framgår också"),
        ("kan oka sin raddighet", "kan öka sin rådighet"),
    ],
)
def test_competing_readings_and_glued_words(raw, repaired):
    assert repair_line(raw) == repaired


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        # A capital with a misread å is no acronym.
        ("projekt. P& sé vis blir", "projekt. På så vis blir"),
        # The ring of an å read as an "i" beside its glyph, or alone after an l.
        ("realiseras ladngt ifrdin", "realiseras långt ifrån"),
        ("kan man utgé fréin ramverk", "kan man utgå från ramverk"),
        ("erfarenheterna frain arbetet", "erfarenheterna från arbetet"),
        ("Utifrédin de empiriska", "Utifrån de empiriska"),
        ("bara for att ndigon tycker", "bara för att någon tycker"),
        ("D& blir frdigor om", "Då blir frågor om"),
        ("effekter sdisom effektivare", "effekter såsom effektivare"),
        ("skifte fran tillfalliga projekt till Iingsiktiga", "skifte från tillfälliga projekt till långsiktiga"),
        ("kommunicera tydliga mail,", "kommunicera tydliga mål,"),
        # A long word simplemma lists is not glue, though the frequency list lacks it.
        ("skede: pilotprojekten har visat", "skede: pilotprojekten har visat"),
        # Glued words: an infinitive or an adjective never opens a compound, a closed-class word
        # is never part of one, a bound form never stands alone, and after a token's first
        # space more are likely.
        ("med gott exempel, premierainitiativ och inte", "med gott exempel, premiera initiativ och inte"),
        ("e Framjatvarfunktionellt samarbete: Etablera team dar IT,", "• Främja tvärfunktionellt samarbete: Etablera team där IT,"),
        ("strategin passar déligtinii", "strategin passar dåligt in i"),
        ("samtal om Al-strategini workshops", "samtal om AI-strategin i workshops"),
        ("o Tillrackligaresurser: Samverkan kanisig inte", "• Tillräckliga resurser: Samverkan kan i sig inte"),
        ("ochenrorelse viserifleraled.", "och en rörelse vi ser i flera led."),
        ("e Vadharnilart er frén detta", "• Vad har ni lärt er från detta"),
        ("om dig sjalv och dinrolli", "om dig själv och din roll i"),
        # Glyphs: a doubled l read "lI", a capital I with its bar, a closing quote read "™".
        ("att Al-lIosningar ofta", "att AI-lösningar ofta"),
        ("riktning. Il en kommun", "riktning. I en kommun"),
        ("som en “levande kompass™", "som en “levande kompass”"),
        # A cited author keeps the spelling the accents would turn into a rare word.
        ("(Huxham & Vangen, 2013). Den", "(Huxham & Vangen, 2013). Den"),
        ("kommunen i Goteborg, 2013", "kommunen i Göteborg, 2013"),
        # A list item opens with an imperative, though "bygg" opens many compounds elsewhere.
        ("e Byggintern kompetens och radighet:", "• Bygg intern kompetens och rådighet:"),
        ("e Byggorganisatoriskt handlingsutrymme:", "• Bygg organisatoriskt handlingsutrymme:"),
        ("en byggprocess", "en byggprocess"),
        # A compound's head takes the reading compounds are made with.
        ("ansvar och beslutsvagar kan", "ansvar och beslutsvägar kan"),
        ("styra projektval, men", "styra projektval, men"),
        ("en mer experimentvanlig kultur", "en mer experimentvänlig kultur"),
        # "ll" read as "li" or "lli" before n.
        ("forhalliningssatt till misslyckanden.", "förhållningssätt till misslyckanden."),
        ("finns till. Forhaliningssattet kan", "finns till. Förhållningssättet kan"),
        # The dots of an ö read as an extra "o" or "é".
        ("digitaliseringens maojligheter", "digitaliseringens möjligheter"),
        ("tillämpningsnära maéjligheter", "tillämpningsnära möjligheter"),
        ("ta del av forskningsréon", "ta del av forskningsrön"),
        ("strategin klargdéra roller", "strategin klargöra roller"),
    ],
)
def test_leftovers_a_manager_read(raw, repaired):
    assert repair_line(raw) == repaired


def test_a_bar_inside_a_sentence_is_the_preposition_but_opens_a_sentence_or_line_as_i():
    text = "som skapar varde |\nverksamheterna. | en kommun\nBygg en portfölj\n| allt fler kommuner"
    assert repair_text(text).text == "som skapar värde i\nverksamheterna. I en kommun\nBygg en portfölj\nI allt fler kommuner"


def test_lexicon_knows_listed_forms_infinitives_and_compound_heads():
    lexicon = load_lexicon()
    assert lexicon.is_form("pilotprojekten") and not lexicon.is_form("pilotprojektenhar")
    assert [lexicon.is_infinitive(word) for word in ("främja", "premiera", "bygga", "data", "media", "villa")] == [
        True, True, True, False, False, False,
    ]
    assert lexicon.is_imperative("bygg") and not lexicon.is_imperative("intern")
    assert lexicon.head_count("vägar") > 10 * max(lexicon.head_count("vågar"), 1)
    assert lexicon.head_count("val") > 10 * lexicon.head_count("väl")


def test_context_runs_over_a_line_break_but_not_over_a_blank_line():
    assert repair_text("initiativ\nndr sina mal").text == "initiativ\nnår sina mål"
    # After a blank line "Tillsammans" opens the clause, so the verb follows it.
    assert repair_text("slut.\n\nTillsammans dar vi").text == "slut.\n\nTillsammans är vi"


def test_correct_line_is_unchanged():
    line = "Sveriges kommuner har arbetat med detta. DIGG och SKR"
    assert repair_line(line) == line


def test_line_count_is_preserved_and_lines_never_merge():
    text = "Al-\nmognad pd\n\n 12\nfrén kommuner"
    repaired = repair_text(text)
    assert repaired.text == "AI-\nmognad på\n\n12\nfrån kommuner"
    assert repaired.text.count("\n") == text.count("\n")


def test_offsets_are_exact_for_glued_and_collapsed_tokens():
    source = "Det ar  pd\nAlinom pd&"
    repaired = repair_text(source)
    assert repaired.text == "Det är på\nAI inom på"
    assert repaired.offsets == (0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 12, 13, 14, 15, 16, 17, 18, 20, 21)
    assert repaired.to_source(4, 6) == (4, 6)  # "är" <- "ar"
    assert repaired.to_source(10, 12) == (11, 13)  # "AI" <- "Al"
    assert repaired.to_source(13, 17) == (13, 17)  # "inom" <- "inom"
    assert repaired.to_source(18, 20) == (18, 21)  # "på" <- "pd&"


def test_to_source_of_empty_span():
    repaired = RepairedText("ab", (0, 1, 2))
    assert repaired.to_source(1, 1) == (1, 1)


def test_corpus_offsets_cover_every_source_token():
    source = CORPUS.read_text(encoding="utf-8")
    repaired = repair_text(source)
    offsets = repaired.offsets
    assert len(offsets) == len(repaired.text) + 1
    assert offsets[-1] == len(source)
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    assert repaired.text.count("\n") == source.count("\n")
    # Repaired characters grouped by the source token they came from.
    owner = {}
    for match in re.finditer(r"\S+", source):
        for index in range(match.start(), match.end()):
            owner[index] = match
    spans: dict[int, list[int]] = {}
    for position, char in enumerate(repaired.text):
        if not char.isspace() and offsets[position] in owner:
            spans.setdefault(owner[offsets[position]].start(), []).append(position)
    for match in re.finditer(r"\S+", source):
        positions = spans[match.start()]
        start, end = repaired.to_source(positions[0], positions[-1] + 1)
        assert start <= match.start() and match.end() <= end, (match.group(), start, end)
        assert source[start:end].strip() == match.group()


def test_word_accuracy_counts_split_and_merged_words():
    score = word_accuracy([("att införandet", "att införandet"), ("attinforandet", "att införandet")])
    assert score["word_accuracy"] == pytest.approx(1 - 2 / 4)


def test_dev_gold_regression_guard():
    result = evaluate_ocr(DEV_GOLD)
    assert result["primary_metric"] == "word_accuracy"
    assert result["lines"] >= 150
    assert result["raw_word_accuracy"] < 0.8
    assert result["word_accuracy"] >= DEV_FLOOR


def test_a_token_longer_than_two_swedish_words_is_kept_as_it_is():
    from rag.index.clean import MAX_REPAIR_CHARS, repair_text

    glued = "maste" * 13  # 65 characters of a word the repair would otherwise rewrite
    assert len(glued) == MAX_REPAIR_CHARS + 1
    repaired = repair_text("Vi " + glued + " maste")

    assert repaired.text == "Vi " + glued + " måste"
    assert repaired.offsets[3 : 3 + len(glued)] == tuple(range(3, 3 + len(glued)))
