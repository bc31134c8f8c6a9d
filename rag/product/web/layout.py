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
from rag.product.web.chat import examples as example_list  # noqa: E402
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
    saved: gr.Markdown
    editing: gr.State
    removed: gr.State
    undo: gr.Button
    with_notes: gr.Checkbox
    preview: gr.Markdown
    export: gr.Button
    md_file: gr.File
    docx_file: gr.File


class Chrome:
    """Every piece of the page's own text, with how to say it in either language, so that the
    whole page can be drawn again in the language of the latest question (wiring: ``relabel``)."""

    def __init__(self) -> None:
        self.parts: list[tuple[object, dict[str, str | Callable[[str], object]]]] = []

    def add(self, component, **attrs):
        """``attrs``: an attribute ("value", "label", "placeholder") → a message key or a function of the language."""
        self.parts.append((component, attrs))
        return component

    @property
    def components(self) -> list:
        return [c for c, _ in self.parts]

    def updates(self, lang: str) -> list:
        return [
            gr.update(**{a: v(lang) if callable(v) else say(v, lang) for a, v in attrs.items()}) for _, attrs in self.parts
        ]


@dataclass(frozen=True)
class Page:
    demo: ApiBlocks
    status: gr.HTML
    timer: gr.Timer
    chat: ChatArea
    viewer: ViewerArea
    draft: DraftArea
    chrome: Chrome
    lang: gr.State  # the language the page is shown in: the latest answered question's


def build_layout(status: tuple[str, bool, bool], settings, where: Callable) -> Page:
    """The whole page; ``status`` is the start-up status to show before the first tick."""
    with ApiBlocks(title=TITLE, analytics_enabled=False) as demo:
        # The conversation as a tab holds it when nothing is stored (retention 0); else unused.
        turns = gr.State(None)
        version = gr.State(0)
        viewing = gr.State(None)
        draft_viewing = gr.State(None)
        chrome = Chrome()
        lang = gr.State("sv")
        chrome.add(gr.Markdown(say("page.title", "sv"), elem_id="app-title"), value="page.title")
        status_box = gr.HTML(status_html(*status), elem_id="status")
        timer = gr.Timer(1.0)
        with chrome.add(gr.Tab(say("page.tab_chat", "sv"), id="chat"), label="page.tab_chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chat = _chat_column(turns, settings, where, chrome)
                with gr.Column(scale=2):
                    viewer = _viewer_column(viewing, chrome)
        with chrome.add(gr.Tab(say("page.tab_draft", "sv"), id="draft"), label="page.tab_draft"):
            draft = _draft_tab(version, draft_viewing, chrome)
        chrome.add(gr.HTML(footer_html("sv"), elem_id="app-footer"), value=footer_html)
    return Page(demo, status_box, timer, chat, viewer, draft, chrome, lang)


def _chat_column(turns: gr.State, settings, where: Callable, chrome: Chrome) -> ChatArea:
    """The conversation (each answer carries its own ✓ / ✗ / pin buttons, see ``render``), the
    question box and the example questions."""
    scope = gr.Dropdown(
        [WHOLE_REPORT], value=WHOLE_REPORT, label=say("page.scope", "sv"), elem_id="scope", interactive=True,
    )
    chrome.add(scope, label="page.scope")
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
    chrome.add(question, label="page.question_label", placeholder="page.question_placeholder")
    limit = settings.max_question_chars
    chrome.add(
        gr.HTML(counter_html(0, limit, "sv"), elem_id="question-count-box"), value=lambda lang: counter_html(0, limit, lang)
    )
    refused = gr.HTML("", elem_id="question-refused")
    chrome.add(
        gr.HTML(ai_notice_html(settings, "sv"), elem_id="ai-notice-box"), value=lambda lang: ai_notice_html(settings, lang)
    )
    with gr.Row():
        ask = chrome.add(gr.Button(say("page.ask", "sv"), variant="primary", scale=3, min_width=90, elem_id="ask"), value="page.ask")
        clear = gr.Button(say("page.clear", "sv"), size="sm", scale=1, min_width=90, elem_id="clear")
        chrome.add(clear, value="page.clear")
        forget = gr.Button(say("page.forget", "sv"), size="sm", scale=1, min_width=90, elem_id="forget")
        chrome.add(forget, value="page.forget")
    with chrome.add(gr.Accordion(say("page.examples", "sv"), open=True), label="page.examples"):
        examples = []
        for t, (theme_name, questions) in enumerate(EXAMPLES.items()):
            label = gr.HTML('<div class="theme-label">{}</div>'.format(esc(theme_name)))
            chrome.add(label, value=lambda lang, t=t: '<div class="theme-label">{}</div>'.format(esc(example_list(lang)[t][0])))
            with gr.Row():
                for i, q in enumerate(questions):
                    button = gr.Button(q, size="sm", variant="secondary")
                    chrome.add(button, value=lambda lang, t=t, i=i: example_list(lang)[t][1][i])
                    examples.append((button, q))
    return ChatArea(turns, scope, conversation, question, refused, ask, clear, forget, examples)


def _viewer_column(viewing: gr.State, chrome: Chrome) -> ViewerArea:
    chrome.add(gr.Markdown(say("page.source", "sv")), value="page.source")
    viewer = gr.HTML(viewer_placeholder(), js_on_load=VIEWER_JS, elem_id="viewer")
    with gr.Row():
        pin_passage = gr.Button(say("page.pin_cited", "sv"), size="sm", elem_id="pin-passage")
        pin_whole = gr.Button(say("page.pin_whole", "sv"), size="sm", elem_id="pin-passage-whole")
        chrome.add(pin_passage, value="page.pin_cited")
        chrome.add(pin_whole, value="page.pin_whole")
    pin_message = gr.Markdown("", elem_id="pin-msg")
    return ViewerArea(viewing, viewer, pin_passage, pin_whole, pin_message)


def _draft_tab(version: gr.State, viewing: gr.State, chrome: Chrome) -> DraftArea:
    def labelled(component, attr: str, key: str):
        return chrome.add(component, **{attr: key})

    labelled(gr.Markdown(say("page.draft_intro", "sv")), "value", "page.draft_intro")
    # The results and the passage opened from them side by side; the memo being written below.
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            search_q = labelled(gr.Textbox(label=say("page.search_q", "sv"), elem_id="search-q"), "label", "page.search_q")
            with gr.Row():
                search_scope = gr.Dropdown([WHOLE_REPORT], value=WHOLE_REPORT, label=say("page.search_scope", "sv"), scale=4)
                labelled(search_scope, "label", "page.search_scope")
                search = gr.Button(say("page.search", "sv"), variant="primary", scale=1, min_width=90, elem_id="search")
                labelled(search, "value", "page.search")
            hits = gr.HTML("", js_on_load=CLICK_JS, elem_id="hits")
            hit_pick = labelled(gr.CheckboxGroup([], label=say("page.hit_pick", "sv"), elem_id="hit-pick"), "label", "page.hit_pick")
            pin_hits = labelled(gr.Button(say("page.pin_hits", "sv"), size="sm", elem_id="pin-hits"), "value", "page.pin_hits")
            pin_message = gr.Markdown("", elem_id="pin-hits-msg")
        with gr.Column(scale=2):
            viewer = gr.HTML(draft_viewer_placeholder(), elem_id="draft-viewer")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            title = labelled(gr.Textbox("Utkast", label=say("page.memo_title", "sv"), elem_id="memo-title"), "label", "page.memo_title")
            items_pick = labelled(gr.Radio([], label=say("page.items", "sv"), elem_id="draft-items"), "label", "page.items")
            with gr.Row():
                up = labelled(gr.Button(say("page.up", "sv"), size="sm", elem_id="item-up"), "value", "page.up")
                down = labelled(gr.Button(say("page.down", "sv"), size="sm", elem_id="item-down"), "value", "page.down")
                delete = gr.Button(say("page.delete", "sv"), size="sm", variant="stop", elem_id="item-delete")
                labelled(delete, "value", "page.delete")
            removed = gr.State(None)
            editing = gr.State(None)
            undo = gr.Button("Ångra borttagningen", size="sm", visible=False, elem_id="item-undo")
            # What is typed is saved as it is typed (wiring), so preview and export never miss it.
            edit_text = gr.Textbox(label=say("page.edit_text", "sv"), lines=4, elem_id="edit-text")
            labelled(edit_text, "label", "page.edit_text")
            edit_note = labelled(gr.Textbox(label=say("page.edit_note", "sv"), lines=1, elem_id="edit-note"), "label", "page.edit_note")
            saved = gr.Markdown("", elem_id="item-saved")
            with_notes = gr.Checkbox(False, label=say("page.with_notes", "sv"), elem_id="with-notes")
            labelled(with_notes, "label", "page.with_notes")
            with gr.Row():
                export = gr.Button(say("page.export", "sv"), variant="primary", elem_id="export")
                labelled(export, "value", "page.export")
            with gr.Row():
                md_file = gr.File(label="Markdown", elem_id="md-file", interactive=False, visible=False, height=90)
                docx_file = gr.File(label="Word (DOCX)", elem_id="docx-file", interactive=False, visible=False, height=90)
        with gr.Column(scale=3):
            preview = gr.Markdown("", elem_id="draft-preview")
    return DraftArea(
        version, viewing, search_q, search_scope, search, hits, hit_pick, pin_hits, pin_message, viewer, title,
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
