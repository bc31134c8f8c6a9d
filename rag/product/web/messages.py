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
}


def say(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` ("sv" or "en") with ``values`` filled in."""
    table = PAGE_MESSAGES if key in PAGE_MESSAGES else ANSWER_MESSAGES
    return table[key][lang].format(**values)
