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
}


def say(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` ("sv" or "en") with ``values`` filled in."""
    table = PAGE_MESSAGES if key in PAGE_MESSAGES else ANSWER_MESSAGES
    return table[key][lang].format(**values)
