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
from rag.product.web.render import (  # noqa: E402
    conversation_html,
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
    ask: gr.Button
    clear: gr.Button
    forget: gr.Button
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
    version: gr.State  # the version of the stored draft this tab shows (``rag.product.web.saved``)
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
    save: gr.Button
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


def build_layout(status: tuple[str, bool, bool], max_question_chars: int, where: Callable) -> Page:
    """The whole page; ``status`` is the start-up status to show before the first tick."""
    with ApiBlocks(title=TITLE, analytics_enabled=False) as demo:
        # The conversation as a tab holds it when nothing is stored (retention 0); else unused.
        turns = gr.State(None)
        version = gr.State(0)
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
                    chat = _chat_column(turns, max_question_chars, where)
                with gr.Column(scale=2):
                    viewer = _viewer_column(viewing)
        with gr.Tab("Utkast", id="draft"):
            draft = _draft_tab(version, draft_viewing)
    return Page(demo, status_box, timer, chat, viewer, draft)


def _chat_column(turns: gr.State, max_question_chars: int, where: Callable) -> ChatArea:
    """The conversation (each answer carries its own ✓ / ✗ / pin buttons, see ``render``), the
    question box and the example questions."""
    scope = gr.Dropdown(
        [WHOLE_REPORT], value=WHOLE_REPORT, label="Avgränsning (gäller även följdfrågor)",
        elem_id="scope", interactive=True,
    )
    conversation = gr.HTML(
        conversation_html([], where), js_on_load=CLICK_JS, elem_id="conversation",
        max_height=640, autoscroll=True,
    )
    # Enter sends and Shift+Enter makes a new line (theme.QUESTION_KEYS_JS).
    question = gr.Textbox(
        placeholder="Skriv en fråga, t.ex. Hur kommer vi igång med en AI-strategi?",
        show_label=False, lines=3, max_lines=8, elem_id="question", autofocus=True,
        max_length=max_question_chars,
    )
    with gr.Row():
        ask = gr.Button("Fråga", variant="primary", scale=3, min_width=90, elem_id="ask")
        clear = gr.Button("Rensa samtalet", size="sm", scale=1, min_width=90, elem_id="clear")
        forget = gr.Button("Radera min historik", size="sm", scale=1, min_width=90, elem_id="forget")
    with gr.Accordion("Exempelfrågor", open=True):
        examples = []
        for theme_name, questions in EXAMPLES.items():
            gr.HTML('<div class="theme-label">{}</div>'.format(theme_name))
            with gr.Row():
                for q in questions:
                    examples.append((gr.Button(q, size="sm", variant="secondary"), q))
    return ChatArea(turns, scope, conversation, question, ask, clear, forget, examples)


def _viewer_column(viewing: gr.State) -> ViewerArea:
    gr.Markdown("### Källa")
    viewer = gr.HTML(viewer_placeholder(), js_on_load=VIEWER_JS, elem_id="viewer")
    with gr.Row():
        pin_passage = gr.Button("Fäst de citerade meningarna i utkastet", size="sm", elem_id="pin-passage")
        pin_whole = gr.Button("Fäst hela avsnittet", size="sm", elem_id="pin-passage-whole")
    pin_message = gr.Markdown("", elem_id="pin-msg")
    return ViewerArea(viewing, viewer, pin_passage, pin_whole, pin_message)


def _draft_tab(version: gr.State, viewing: gr.State) -> DraftArea:
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
            edit_text = gr.Textbox(
                label="Text (> citat, [n] hänvisar till källorna)", lines=4, elem_id="edit-text"
            )
            edit_note = gr.Textbox(label="Anteckning", lines=1, elem_id="edit-note")
            save = gr.Button("Spara ändring", size="sm", elem_id="item-save")
            with gr.Row():
                export = gr.Button("Exportera Markdown och Word", variant="primary", elem_id="export")
            with gr.Row():
                md_file = gr.File(label="Markdown", elem_id="md-file", interactive=False, visible=False, height=90)
                docx_file = gr.File(label="Word (DOCX)", elem_id="docx-file", interactive=False, visible=False, height=90)
        with gr.Column(scale=3):
            preview = gr.Markdown("", elem_id="draft-preview")
    return DraftArea(
        version, viewing, search_q, search_scope, search, hits, hit_pick, pin_hits, pin_message, viewer, title,
        items_pick, up, down, delete, edit_text, edit_note, save, preview, export, md_file, docx_file,
    )
