"""Every Swedish and English string a user reads around an answer, in one place.

Answers are given in the language of the question; the report's sentences stay Swedish and are
quoted as they are. ``say(key, lang, **values)`` fills a message in; a missing key or language is
a programming error and raises KeyError. Reasons that also go into logs and JSON (a declined
question, a failed generated answer) are typed codes with values, rendered here per language, so
nothing is translated by string replacement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MESSAGES: dict[str, dict[str, str]] = {
    # The line above an extractive answer. Swedish needs none: the first quoted sentence answers.
    "lead": {"sv": "", "en": "What the report says, quoted from the Swedish original:"},
    "lead.other_document": {
        "sv": "Ur «{title}», ett annat dokument än rapporten:",
        "en": "From «{title}», a document other than the report, quoted as written:",
    },
    "part.question": {"sv": "{n}. {question}", "en": "{n}. {question}"},
    "part.recommendations": {"sv": "Rapportens råd", "en": "The report's recommendations"},
    "part.experiences": {"sv": "Erfarenheter från kommunerna", "en": "What the municipalities told"},
    "part.analysis": {"sv": "Rapportens analys", "en": "The report's own analysis"},
    "part.guide": {"sv": "Ur intervjuguiden", "en": "From the interview guide"},
    "part.other_document": {"sv": "Ur «{title}» (inte rapporten)", "en": "From «{title}» (not the report)"},
    "decline.weak_evidence": {
        "sv": "Rapporten tar inte upp det här. Närmaste avsnitt visas nedan, men de besvarar inte frågan.",
        "en": "The report does not cover this. The nearest passages are shown below, but they do not answer "
        "the question.",
    },
    "decline.unknown_terms": {
        "sv": "Rapporten nämner inte {terms}. Närmaste avsnitt visas nedan, men de besvarar inte frågan.",
        "en": "The report never mentions {terms}. The nearest passages are shown below, but they do not answer "
        "the question.",
    },
    "part.same": {"sv": "Se det som citeras under {n} ovan.", "en": "See what is quoted under {n} above."},
    "part.decline": {"sv": "Rapporten tar inte upp det.", "en": "The report does not cover this."},
    "part.decline.unknown_terms": {"sv": "Rapporten nämner inte {terms}.", "en": "The report never mentions {terms}."},
    "partial": {
        "sv": "Rapporten tar inte upp exakt det: {missing}. Det här är det närmaste den säger:",
        "en": "The report does not cover exactly that: {missing}. This is the closest it says (quoted in Swedish):",
    },
    "partial.uncertain": {
        "sv": "Rapporten svarar kanske inte direkt på just det. Det här är det närmaste den säger:",
        "en": "The report may not answer exactly that. This is the closest it says (quoted in Swedish):",
    },
    "partial.uncertain.other_document": {
        "sv": "Rapporten svarar kanske inte direkt på just det. Det närmaste står i «{title}», ett annat dokument än rapporten:",
        "en": "The report may not answer exactly that. The closest is in «{title}», a document other than the report, "
        "quoted as written:",
    },
    "partial.uncertain.mixed": {
        "sv": "Rapporten svarar kanske inte direkt på just det. Det här är det närmaste som står i rapporten och i andra "
        "dokument:",
        "en": "The report may not answer exactly that. This is the closest in the report and in other documents "
        "(quoted as written):",
    },
    # The nearest sentences are not the report's words when another file holds them.
    "partial.other_document": {
        "sv": "Rapporten tar inte upp exakt det: {missing}. Det närmaste står i «{title}», ett annat dokument än rapporten:",
        "en": "The report does not cover exactly that: {missing}. The closest is in «{title}», a document other than "
        "the report, quoted as written:",
    },
    "partial.mixed": {
        "sv": "Rapporten tar inte upp exakt det: {missing}. Det här är det närmaste som står i rapporten och i andra "
        "dokument:",
        "en": "The report does not cover exactly that: {missing}. This is the closest in the report and in other "
        "documents (quoted as written):",
    },
    "missing.uncertain": {"sv": "den svarar inte tydligt på just det", "en": "it does not clearly answer that"},
    "missing.unknown_terms": {"sv": "den nämner inte {terms}", "en": "it never mentions {terms}"},
    "generative.lead": {
        "sv": "Det här säger rapporten (formulerat av en språkmodell, kontrollera källorna):",
        "en": "What the report says (written by a language model; check the sources):",
    },
    "generative.fallback": {
        "sv": "Obs! Språkmodellens svar kunde inte användas ({reason}). Här är rapportens egna meningar i stället.",
        "en": "Note: the language model's answer could not be used ({reason}). The report's own sentences are "
        "shown instead.",
    },
    "fallback.timeout": {"sv": "inget svar inom {seconds:g} s", "en": "timeout: no answer within {seconds:g} s"},
    "fallback.http": {"sv": "fel från tjänsten: HTTP {status}", "en": "endpoint error: HTTP {status}"},
    "fallback.unreachable": {"sv": "tjänsten gick inte att nå", "en": "endpoint unreachable"},
    "fallback.error": {"sv": "fel från tjänsten: {name}", "en": "endpoint error: {name}"},
    "fallback.empty": {"sv": "tomt svar", "en": "empty answer"},
    "fallback.no_citation": {"sv": "inga giltiga källhänvisningar", "en": "no valid citation"},
    "fallback.low_support": {
        "sv": "för svagt stöd i källorna: {supported} av {total} meningar med stöd",
        "en": "low support: {supported} of {total} sentences supported",
    },
    "sources": {"sv": "Källor", "en": "Sources"},
    "nearest": {"sv": "Närmaste avsnitt", "en": "Nearest passages"},
    "unsupported": {"sv": "Obs! Stöds inte av de citerade avsnitten:", "en": "Note: not supported by the cited passages:"},
    "removed_citations": {
        "sv": "Borttagna källhänvisningar (fanns inte bland avsnitten): {markers}",
        "en": "Removed citations (not among the passages): {markers}",
    },
    "and": {"sv": "och", "en": "and"},
    "store.unavailable": {
        "sv": "Sökindexet går inte att nå just nu: indexservern svarar inte. Försök igen om en stund; appen "
        "ansluter igen av sig själv.",
        "en": "The search index cannot be reached right now: the index server does not answer. Try again in a "
        "moment; the app reconnects by itself.",
    },
    "store.waiting": {
        "sv": "Väntar på indexservern ({seconds:.0f} s) – frågor besvaras när den svarar.",
        "en": "Waiting for the index server ({seconds:.0f} s); questions are answered once it responds.",
    },
    # "Tolkad som" for a follow-up: the question it follows on from, then the follow-up itself.
    "followup.framed": {"sv": "Apropå {earlier}: {question}", "en": "Regarding {earlier}: {question}"},
    # The web page around an answer (rag.product.web.render), in the answer's language.
    "ui.mode.extractive": {"sv": "Citat ur rapporten", "en": "Quoted from the report"},
    # The badge names the report only when every quote is from it (``Answer.other_documents``).
    "ui.mode.extractive_mixed": {"sv": "Citat ur rapporten och andra dokument", "en": "Quoted from the report and other documents"},
    "ui.mode.extractive_other": {"sv": "Citat ur andra dokument än rapporten", "en": "Quoted from documents other than the report"},
    "ui.mode.generative": {
        "sv": "Genererat svar – kontrollerat mot källorna",
        "en": "Generated answer – checked against the sources",
    },
    "ui.nearest": {"sv": "Närmaste avsnitt (besvarar inte frågan)", "en": "Nearest passages (they do not answer the question)"},
    "ui.show_source": {"sv": "Visa källa {n}: {section}", "en": "Show source {n}: {section}"},
    "ui.interpreted": {"sv": "Tolkad som: {question}", "en": "Understood as: {question}"},
    "ui.unsupported_badge": {"sv": "ej belagd i källorna", "en": "not supported by the sources"},
    "ui.unsupported_title": {
        "sv": "Meningen stöds inte av de citerade avsnitten",
        "en": "The cited passages do not support this sentence",
    },
    "ui.support": {"sv": "stöd {support:.2f}", "en": "support {support:.2f}"},
    "ui.unsupported_count": {
        "sv": "{unsupported} av {total} meningar stöds inte av de citerade avsnitten och är markerade.",
        "en": "{unsupported} of {total} sentences are not supported by the cited passages and are marked.",
    },
    "ui.fallback_head": {"sv": "Språkmodellens svar kunde inte användas", "en": "The language model's answer could not be used"},
    "ui.fallback_rest": {"sv": "Du ser i stället citaten ur rapporten.", "en": "You see the report's quotes instead."},
    "ui.removed_citations": {
        "sv": "Hänvisningar som inte pekade på något hämtat avsnitt togs bort: {markers}.",
        "en": "Citations that pointed at no retrieved passage were removed: {markers}.",
    },
    "ui.rate_up": {"sv": "✓ Bra svar", "en": "✓ Good answer"},
    "ui.rate_down": {"sv": "✗ Dåligt svar", "en": "✗ Poor answer"},
    "ui.comment": {"sv": "Kommentar (valfri)", "en": "Comment (optional)"},
    "ui.pin": {"sv": "Fäst svaret i utkastet", "en": "Pin the answer to the draft"},
    # "Saved", not "saved locally": the store may be a PostgreSQL server (RAG_FEEDBACK_URL).
    "ui.rated.up": {"sv": "Tack! Omdömet «bra» är sparat.", "en": "Thank you! Your rating «good» is saved."},
    "ui.rated.down": {"sv": "Tack! Omdömet «dåligt» är sparat.", "en": "Thank you! Your rating «poor» is saved."},
    "ui.rating_failed": {"sv": "Omdömet kunde inte sparas: {error}", "en": "The rating could not be saved: {error}"},
    # Why a rating was not saved (rag.product.feedback.REASONS); never a path or server name: the
    # operator finds those in the log line beside it.
    "ui.rating_failed.unavailable": {
        "sv": "Omdömet kunde inte sparas: databasen för omdömen svarar inte just nu. Kommentaren finns kvar; "
        "försök igen om en stund.",
        "en": "The rating could not be saved: the feedback database is not answering right now. Your comment "
        "is kept; try again in a while.",
    },
    "ui.rating_failed.full": {
        "sv": "Omdömet kunde inte sparas: lagringsutrymmet för omdömen är fullt. Kommentaren finns kvar; be den "
        "som sköter tjänsten att frigöra utrymme och försök sedan igen.",
        "en": "The rating could not be saved: the storage for ratings is full. Your comment is kept; ask whoever "
        "runs the service to free space, then try again.",
    },
    "ui.rating_failed.read_only": {
        "sv": "Omdömet kunde inte sparas: databasen för omdömen går inte att skriva till. Kommentaren finns kvar; "
        "be den som sköter tjänsten att göra den skrivbar och försök sedan igen.",
        "en": "The rating could not be saved: the feedback database cannot be written to. Your comment is kept; "
        "ask whoever runs the service to make it writable, then try again.",
    },
    "ui.rating_failed.cannot_open": {
        "sv": "Omdömet kunde inte sparas: databasen för omdömen går inte att öppna. Kommentaren finns kvar; be "
        "den som sköter tjänsten att se över den.",
        "en": "The rating could not be saved: the feedback database cannot be opened. Your comment is kept; ask "
        "whoever runs the service to look into it.",
    },
    "ui.rating_failed.broken": {
        "sv": "Omdömet kunde inte sparas: databasen för omdömen är skadad eller av fel slag. Kommentaren finns "
        "kvar; be den som sköter tjänsten att se över den.",
        "en": "The rating could not be saved: the feedback database is damaged or of the wrong kind. Your comment "
        "is kept; ask whoever runs the service to look into it.",
    },
    "ui.rating_failed.refused": {
        "sv": "Omdömet kunde inte sparas: databasen för omdömen tog inte emot det. Kommentaren finns kvar; be den "
        "som sköter tjänsten att se över den.",
        "en": "The rating could not be saved: the feedback database did not accept it. Your comment is kept; ask "
        "whoever runs the service to look into it.",
    },
    "ui.pinned": {"sv": "Svaret är fäst i utkastet ({parts}).", "en": "The answer is pinned to the draft ({parts})."},
    "ui.already_pinned": {
        "sv": "Svaret finns redan i utkastet (del {part}).",
        "en": "The answer is already in the draft (part {part}).",
    },
    "ui.suggestions": {"sv": "Fråga vidare", "en": "Ask next"},
    "ui.suggestion.topic": {"sv": "Vad säger rapporten om ”{heading}”?", "en": "What does the report say about ”{heading}”?"},
    "ui.suggestion.recommendation": {
        "sv": "Vad innebär rådet ”{heading}”?",
        "en": "What does the recommendation ”{heading}” involve?",
    },
    "parts.one": {"sv": "{n} del", "en": "{n} part"},
    "parts.many": {"sv": "{n} delar", "en": "{n} parts"},
    # Start-up: the page's status line is Swedish, the console's log lines English.
    "startup.failed": {"sv": "Kunde inte starta: {error}", "en": "could not start: {error}"},
    "startup.ready": {
        "sv": "Redo · {passages} avsnitt och {sentences} meningar ur {documents} dokument · allt körs lokalt på den här datorn",
        "en": "ready: {passages} passages and {sentences} sentences from {documents} document(s), all local",
    },
    # With the index in a Chroma server, questions are searched there: "allt körs lokalt" would be untrue.
    "startup.ready_shared": {
        "sv": "Redo · {passages} avsnitt och {sentences} meningar ur {documents} dokument · sökindexet finns i en delad indexserver",
        "en": "ready: {passages} passages and {sentences} sentences from {documents} document(s), index in a shared Chroma server",
    },
    "startup.loading": {"sv": "Läser in sökindex … {seconds:.0f} s", "en": "loading the search index … {seconds:.0f} s"},
    "startup.building": {
        "sv": "Bygger sökindex ur rapporten: {progress} efter {seconds:.0f} s "
        "(bara vid första start eller ändrade inställningar) …",
        "en": "building the search index: {progress} after {seconds:.0f} s",
    },
    "startup.reading": {"sv": "läser och reparerar texten", "en": "reading and repairing the text"},
    "startup.embedded": {
        "sv": "{passages_done} av {passages} avsnitt och {sentences_done} av {sentences} meningar inbäddade",
        "en": "{passages_done} of {passages} passages and {sentences_done} of {sentences} sentences embedded",
    },
    "startup.waiting": {"sv": "Väntar på indexet: {progress} …", "en": "Waiting for the index: {progress} …"},
    "startup.waiting_load": {"sv": "Väntar på att sökindexet läses in …", "en": "Waiting for the search index to load …"},
}


def say(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` ("sv" or "en") with ``values`` filled in."""
    return MESSAGES[key][lang].format(**values)


def counted(n: int, key: str, lang: str) -> str:
    """ "1 del", "2 delar": the message ``key.one`` or ``key.many`` with ``n`` filled in."""
    return say("{}.{}".format(key, "one" if n == 1 else "many"), lang, n=n)


def listing(items: list[str], lang: str) -> str:
    """«a», «b» och «c»."""
    quoted = ["«{}»".format(item) for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return "{} {} {}".format(", ".join(quoted[:-1]), say("and", lang), quoted[-1])


@dataclass(frozen=True)
class Reason:
    """A typed reason (a message key without its prefix, plus values), e.g. a fallback's
    ``Reason("timeout", {"seconds": 60})``. ``text(lang)``: the reason in words; the English text
    is what logs and the JSON ``fallback`` field carry."""

    code: str
    values: dict = field(default_factory=dict)
    prefix: str = "fallback"

    def text(self, lang: str = "en") -> str:
        return say("{}.{}".format(self.prefix, self.code), lang, **self.values)

    def __str__(self) -> str:
        return self.text("en")
