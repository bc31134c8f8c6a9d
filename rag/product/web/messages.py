"""Every Swedish and English string of the web page's chrome (headings, buttons, toasts, the
chat handler's refusals, the accessibility statement), in one place.

The strings around an answer live beside the answering code (``rag.answering.messages``);
``say`` here looks a key up in the page's table first and then there, so the page has one way
to say anything. A missing key or language is a programming error and raises KeyError.
"""

from __future__ import annotations

from rag.answering.messages import MESSAGES as ANSWER_MESSAGES

LANGS = ("sv", "en")

PAGE_MESSAGES: dict[str, dict[str, str]] = {
    "toast.warning": {"sv": "Obs!", "en": "Note"},
    # The chat handler (rag.product.web.chat.respond).
    "chat.empty": {"sv": "Skriv en fråga först.", "en": "Type a question first."},
    "chat.too_long": {
        "sv": "Frågan är {length} tecken lång; gränsen är {limit} tecken. Texten finns kvar i rutan: korta ner "
        "den och fråga igen.",
        "en": "The question is {length} characters long; the limit is {limit}. Your text is still in the box: "
        "shorten it and ask again.",
    },
    "chat.not_ready": {"sv": "Appen är inte redo: {error}", "en": "The app is not ready: {error}"},
    "chat.not_answered": {"sv": "Frågan kunde inte besvaras: {error}", "en": "The question could not be answered: {error}"},
    "chat.searching": {"sv": "Söker i rapporten …", "en": "Searching the report …"},
    "chat.answered": {"sv": "Svar {n} är klart.", "en": "Answer {n} is ready."},
    "chat.declined": {
        "sv": "Svar {n}: rapporten tar inte upp frågan.",
        "en": "Answer {n}: the report does not cover the question.",
    },
    "chat.failed": {"sv": "Fråga {n} kunde inte besvaras.", "en": "Question {n} could not be answered."},
    # The page's chrome.
    "page.question_label": {"sv": "Din fråga", "en": "Your question"},
    "page.question_placeholder": {
        "sv": "Skriv en fråga, t.ex. Hur kommer vi igång med en AI-strategi?",
        "en": "Type a question, e.g. How do we get started with an AI strategy?",
    },
    "page.count": {"sv": "{n} av högst {limit} tecken", "en": "{n} of at most {limit} characters"},
    "page.count_over": {
        "sv": "{n} av högst {limit} tecken: {over} för många. Korta ner frågan; inget skickas eller tas bort förrän du gör det.",
        "en": "{n} of at most {limit} characters: {over} too many. Shorten the question; nothing is sent or cut until you do.",
    },
    # The AI disclosure by the question box (EU AI Act art. 50(1)); an operator may reword it
    # (RAG_AI_NOTICE_SV / _EN) but not remove it.
    "page.ai_notice": {
        "sv": "Svaren tas fram automatiskt av ett datorprogram, inte av en människa. De sammanställs ur rapporten "
        "och citerar den, men kan vara fel eller ofullständiga: kontrollera källorna innan du använder dem.",
        "en": "The answers are produced automatically by a computer program, not by a person. They are compiled "
        "from the report and quote it, but can be wrong or incomplete: check the sources before you use them.",
    },
    # HTML: the report's title in italics.
    "page.empty_chat": {
        "sv": "Ställ en fråga om rapporten <i>Från insikt till handling</i> (AI Sweden, 2025) eller välj en "
        "exempelfråga. Varje mening i svaret har en hänvisning [n]; klicka på den för att läsa avsnittet i sitt "
        "sammanhang.",
        "en": "Ask a question about the report <i lang=\"sv\">Från insikt till handling</i> (AI Sweden, 2025) or "
        "choose an example. Every sentence of the answer has a reference [n]; click it to read the passage in "
        "its context.",
    },
    "page.back_to_answer": {"sv": "↑ Tillbaka till svaret", "en": "↑ Back to the answer"},
    "page.statement_link": {"sv": "Tillgänglighetsredogörelse", "en": "Accessibility statement"},
    # The page's own labels, drawn again in the language of the latest question (layout.Chrome).
    "page.title": {
        "sv": "# Från insikt till handling – fråga rapporten\nSvar med källhänvisningar ur rapporten *Från insikt till "
        "handling* (AI Sweden med Göteborgs universitet, 2025). Varje påstående pekar på avsnittet det kommer från.",
        "en": "# Från insikt till handling – ask the report\nAnswers with references to the Swedish report *Från insikt "
        "till handling* (AI Sweden with the University of Gothenburg, 2025). Every claim points at the passage it "
        "comes from.",
    },
    "page.tab_chat": {"sv": "Fråga rapporten", "en": "Ask the report"},
    "page.tab_draft": {"sv": "Utkast", "en": "Draft"},
    "page.scope": {"sv": "Avgränsning (gäller även följdfrågor)", "en": "Scope (also for follow-up questions)"},
    "page.ask": {"sv": "Fråga", "en": "Ask"},
    "page.clear": {"sv": "Rensa samtalet", "en": "Clear the conversation"},
    "page.forget": {"sv": "Radera min historik", "en": "Delete my history"},
    "page.examples": {"sv": "Exempelfrågor", "en": "Example questions"},
    "page.source": {"sv": "### Källa", "en": "### Source"},
    "page.pin_cited": {"sv": "Fäst de citerade meningarna i utkastet", "en": "Pin the cited sentences to the draft"},
    "page.pin_whole": {"sv": "Fäst hela avsnittet", "en": "Pin the whole passage"},
    "page.viewer_empty": {
        "sv": "Klicka på en hänvisning [n] eller ett källkort för att läsa avsnittet i sitt sammanhang, med de "
        "citerade meningarna markerade.",
        "en": "Click a reference [n] or a source card to read the passage in its context, with the cited sentences "
        "highlighted.",
    },
    "page.draft_intro": {
        "sv": "Sök avsnitt och fäst dem här, eller fäst svar och citerade meningar från chatten. Ordna, redigera och "
        "exportera som promemoria (Word eller Markdown) med numrerade referenser: rapport, kapitel › avsnitt och sida.",
        "en": "Search passages and pin them here, or pin answers and cited sentences from the chat. Order, edit and "
        "export as a memo (Word or Markdown, written in Swedish) with numbered references: report, chapter › "
        "section and page.",
    },
    "page.search_q": {"sv": "Sök avsnitt i rapporten", "en": "Search passages in the report"},
    "page.search_scope": {"sv": "Avgränsning", "en": "Scope"},
    "page.search": {"sv": "Sök", "en": "Search"},
    "page.hit_pick": {"sv": "Välj avsnitt att fästa", "en": "Choose passages to pin"},
    "page.pin_hits": {"sv": "Fäst valda avsnitt i utkastet", "en": "Pin the chosen passages to the draft"},
    "page.memo_title": {"sv": "Rubrik på promemorian", "en": "Title of the memo"},
    "page.items": {"sv": "Utkastets delar", "en": "Parts of the draft"},
    "page.up": {"sv": "↑ Upp", "en": "↑ Up"},
    "page.down": {"sv": "↓ Ner", "en": "↓ Down"},
    "page.delete": {"sv": "Ta bort", "en": "Remove"},
    "page.edit_text": {
        "sv": "Text (> citat, [n] hänvisar till källorna); sparas medan du skriver",
        "en": "Text (> quotation, [n] refers to the sources); saved as you type",
    },
    "page.edit_note": {"sv": "Anteckning (privat)", "en": "Note (private)"},
    "page.with_notes": {"sv": "Ta med anteckningarna i promemorian", "en": "Include the notes in the memo"},
    "page.export": {"sv": "Exportera Markdown och Word", "en": "Export Markdown and Word"},
}


def say(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` ("sv" or "en") with ``values`` filled in."""
    table = PAGE_MESSAGES if key in PAGE_MESSAGES else ANSWER_MESSAGES
    return table[key][lang].format(**values)
