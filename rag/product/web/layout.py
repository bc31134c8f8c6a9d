"""The page's components and where they sit; no behaviour (that is ``wiring``).

``build_layout`` creates the Blocks and returns them with every component a handler reads or
writes, grouped by the area whose wiring uses them. The layout is Swedish.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)

from rag.product.web.chat import EXAMPLES, WHOLE_REPORT  # noqa: E402
from rag.product.web.errors import ApiBlocks  # noqa: E402
from rag.product.web.messages import say  # noqa: E402
from rag.product.web.statement import STATEMENT_PATH  # noqa: E402
from rag.product.web.render import (  # noqa: E402
    conversation_html,
    esc,
    draft_viewer_placeholder,
    status_html,
    viewer_placeholder,
)
from rag.product.web.theme import CLICK_JS, VIEWER_JS  # noqa: E402

TITLE = "Från insikt till handling – frågor till rapporten"


@dataclass(frozen=True)
class ChatArea:
    turns: gr.State
    scope: gr.Dropdown
    conversation: gr.HTML
    question: gr.Textbox
    refused: gr.HTML
    ask: gr.Button
    clear: gr.Button
    examples: list[tuple[gr.Button, str]]


@dataclass(frozen=True)
class ViewerArea:
    viewing: gr.State
    viewer: gr.HTML
    pin_passage: gr.Button
    pin_whole: gr.Button
    pin_message: gr.Markdown


@dataclass(frozen=True)
class DraftArea:
    items: gr.State
    viewing: gr.State
    search_q: gr.Textbox
    search_scope: gr.Dropdown
    search: gr.Button
    hits: gr.HTML
    hit_pick: gr.CheckboxGroup
    pin_hits: gr.Button
    pin_message: gr.Markdown
    viewer: gr.HTML
    title: gr.Textbox
    items_pick: gr.Radio
    up: gr.Button
    down: gr.Button
    delete: gr.Button
    edit_text: gr.Textbox
    edit_note: gr.Textbox
    saved: gr.Markdown
    editing: gr.State
    removed: gr.State
    undo: gr.Button
    with_notes: gr.Checkbox
    preview: gr.Markdown
    export: gr.Button
    md_file: gr.File
    docx_file: gr.File


@dataclass(frozen=True)
class Page:
    demo: ApiBlocks
    status: gr.HTML
    timer: gr.Timer
    chat: ChatArea
    viewer: ViewerArea
    draft: DraftArea


def build_layout(status: tuple[str, bool, bool], settings, where: Callable) -> Page:
    """The whole page; ``status`` is the start-up status to show before the first tick."""
    with ApiBlocks(title=TITLE, analytics_enabled=False) as demo:
        turns = gr.State([])
        items = gr.State([])
        viewing = gr.State(None)
        draft_viewing = gr.State(None)
        gr.Markdown(
            "# Från insikt till handling – fråga rapporten\n"
            "Svar med källhänvisningar ur rapporten *Från insikt till handling* (AI Sweden med Göteborgs "
            "universitet, 2025). Varje påstående pekar på avsnittet det kommer från.",
            elem_id="app-title",
        )
        status_box = gr.HTML(status_html(*status), elem_id="status")
        timer = gr.Timer(1.0)
        with gr.Tab("Fråga rapporten", id="chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chat = _chat_column(turns, settings, where)
                with gr.Column(scale=2):
                    viewer = _viewer_column(viewing)
        with gr.Tab("Utkast", id="draft"):
            draft = _draft_tab(items, draft_viewing)
        gr.HTML(footer_html("sv"), elem_id="app-footer")
    return Page(demo, status_box, timer, chat, viewer, draft)


def _chat_column(turns: gr.State, settings, where: Callable) -> ChatArea:
    """The conversation (each answer carries its own ✓ / ✗ / pin buttons, see ``render``), the
    question box and the example questions."""
    scope = gr.Dropdown(
        [WHOLE_REPORT], value=WHOLE_REPORT, label="Avgränsning (gäller även följdfrågor)",
        elem_id="scope", interactive=True,
    )
    conversation = gr.HTML(
        conversation_html([], where), js_on_load=CLICK_JS, elem_id="conversation",
        max_height=640, autoscroll=False,
    )
    # Where a finished answer is announced to a screen reader (CLICK_JS writes it): a live region
    # must exist before its text changes, so it is never drawn again.
    gr.HTML('<div id="answer-live" class="sr-only" role="status" aria-live="polite"></div>', elem_id="answer-live-box")
    # Enter sends and Shift+Enter makes a new line (theme.QUESTION_KEYS_JS). No max_length: a
    # browser would cut a longer paste silently; the counter says how far over it is instead.
    question = gr.Textbox(
        label=say("page.question_label", "sv"), placeholder=say("page.question_placeholder", "sv"),
        show_label=False, lines=3, max_lines=8, elem_id="question", autofocus=True,
    )
    gr.HTML(counter_html(0, settings.max_question_chars, "sv"), elem_id="question-count-box")
    refused = gr.HTML("", elem_id="question-refused")
    gr.HTML(ai_notice_html(settings, "sv"), elem_id="ai-notice-box")
    with gr.Row():
        ask = gr.Button("Fråga", variant="primary", scale=3, min_width=90, elem_id="ask")
        clear = gr.Button("Rensa samtalet", size="sm", scale=1, min_width=90, elem_id="clear")
    with gr.Accordion("Exempelfrågor", open=True):
        examples = []
        for theme_name, questions in EXAMPLES.items():
            gr.HTML('<div class="theme-label">{}</div>'.format(theme_name))
            with gr.Row():
                for q in questions:
                    examples.append((gr.Button(q, size="sm", variant="secondary"), q))
    return ChatArea(turns, scope, conversation, question, refused, ask, clear, examples)


def _viewer_column(viewing: gr.State) -> ViewerArea:
    gr.Markdown("### Källa")
    viewer = gr.HTML(viewer_placeholder(), js_on_load=VIEWER_JS, elem_id="viewer")
    with gr.Row():
        pin_passage = gr.Button("Fäst de citerade meningarna i utkastet", size="sm", elem_id="pin-passage")
        pin_whole = gr.Button("Fäst hela avsnittet", size="sm", elem_id="pin-passage-whole")
    pin_message = gr.Markdown("", elem_id="pin-msg")
    return ViewerArea(viewing, viewer, pin_passage, pin_whole, pin_message)


def _draft_tab(items: gr.State, viewing: gr.State) -> DraftArea:
    gr.Markdown(
        "Sök avsnitt och fäst dem här, eller fäst svar och citerade meningar från chatten. Ordna, redigera "
        "och exportera som promemoria (Word eller Markdown) med numrerade referenser: rapport, kapitel › "
        "avsnitt och sida."
    )
    # The results and the passage opened from them side by side; the memo being written below.
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            search_q = gr.Textbox(label="Sök avsnitt i rapporten", elem_id="search-q")
            with gr.Row():
                search_scope = gr.Dropdown([WHOLE_REPORT], value=WHOLE_REPORT, label="Avgränsning", scale=4)
                search = gr.Button("Sök", variant="primary", scale=1, min_width=90, elem_id="search")
            hits = gr.HTML("", js_on_load=CLICK_JS, elem_id="hits")
            hit_pick = gr.CheckboxGroup([], label="Välj avsnitt att fästa", elem_id="hit-pick")
            pin_hits = gr.Button("Fäst valda avsnitt i utkastet", size="sm", elem_id="pin-hits")
            pin_message = gr.Markdown("", elem_id="pin-hits-msg")
        with gr.Column(scale=2):
            viewer = gr.HTML(draft_viewer_placeholder(), elem_id="draft-viewer")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            title = gr.Textbox("Utkast", label="Rubrik på promemorian", elem_id="memo-title")
            items_pick = gr.Radio([], label="Utkastets delar", elem_id="draft-items")
            with gr.Row():
                up = gr.Button("↑ Upp", size="sm", elem_id="item-up")
                down = gr.Button("↓ Ner", size="sm", elem_id="item-down")
                delete = gr.Button("Ta bort", size="sm", variant="stop", elem_id="item-delete")
            removed = gr.State(None)
            editing = gr.State(None)
            undo = gr.Button("Ångra borttagningen", size="sm", visible=False, elem_id="item-undo")
            # What is typed is saved as it is typed (wiring), so preview and export never miss it.
            edit_text = gr.Textbox(
                label="Text (> citat, [n] hänvisar till källorna); sparas medan du skriver", lines=4, elem_id="edit-text"
            )
            edit_note = gr.Textbox(label="Anteckning (privat)", lines=1, elem_id="edit-note")
            saved = gr.Markdown("", elem_id="item-saved")
            with_notes = gr.Checkbox(False, label="Ta med anteckningarna i promemorian", elem_id="with-notes")
            with gr.Row():
                export = gr.Button("Exportera Markdown och Word", variant="primary", elem_id="export")
            with gr.Row():
                md_file = gr.File(label="Markdown", elem_id="md-file", interactive=False, visible=False, height=90)
                docx_file = gr.File(label="Word (DOCX)", elem_id="docx-file", interactive=False, visible=False, height=90)
        with gr.Column(scale=3):
            preview = gr.Markdown("", elem_id="draft-preview")
    return DraftArea(
        items, viewing, search_q, search_scope, search, hits, hit_pick, pin_hits, pin_message, viewer, title,
        items_pick, up, down, delete, edit_text, edit_note, saved, editing, removed, undo, with_notes, preview, export,
        md_file, docx_file,
    )


def ai_notice(settings, lang: str) -> str:
    """The disclosure by the question box: the operator's wording if set, else the product's."""
    own = settings.ai_notice_sv if lang == "sv" else settings.ai_notice_en
    return own or say("page.ai_notice", lang)


def ai_notice_html(settings, lang: str) -> str:
    return '<p class="ai-notice" id="ai-notice" lang="{}">{}</p>'.format(lang, esc(ai_notice(settings, lang)))


def counter_html(n: int, limit: int, lang: str) -> str:
    """The question box's counter as first drawn; QUESTION_KEYS_JS keeps it up to date as one types."""
    return (
        '<div class="question-count" id="question-count" data-limit="{limit}" data-ok="{ok}" data-over="{over}">'
        "{text}</div>"
    ).format(
        limit=limit, text=esc(say("page.count", lang, n=n, limit=limit)),
        ok=esc(say("page.count", lang, n="{n}", limit=limit)),
        over=esc(say("page.count_over", lang, n="{n}", limit=limit, over="{over}")),
    )


def footer_html(lang: str) -> str:
    return '<div class="app-footer"><a href="{}?lang={}">{}</a></div>'.format(
        STATEMENT_PATH.lstrip("/"), lang, esc(say("page.statement_link", lang))
    )
