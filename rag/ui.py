"""The Gradio web app: cited chat, passage viewer, drafting workspace and feedback.

``build_app(backend)`` wires the page to a ``Backend`` (which owns the ``RagService``); every
handler goes through the service, like the CLI. The layout is Swedish. Named API endpoints
``ask``, ``search`` and ``passage`` (``rag.ui_api``) serve scripts and ``gradio_client``;
the page's own events are private to it.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)

from rag import ui_draft  # noqa: E402
from rag.feedback import FeedbackError, FeedbackStore  # noqa: E402
from rag.limits import recent_history  # noqa: E402
from rag.messages import say  # noqa: E402
from rag.store import StoreUnavailable  # noqa: E402
from rag.types import Delta, Final  # noqa: E402
from rag.ui_api import make_api  # noqa: E402
from rag.ui_chat import EXAMPLES, WHOLE_REPORT, answer_choices, chapters, history_of, section_of  # noqa: E402
from rag.ui_errors import ApiBlocks, clear_errors, exception_handlers, signature_help  # noqa: E402
from rag.ui_render import (  # noqa: E402
    ChatTurn,
    conversation_html,
    hits_html,
    parse_spans,
    status_html,
    viewer_placeholder,
)
from rag.ui_startup import Backend  # noqa: E402
from rag.ui_theme import CLICK_JS, CSS, theme  # noqa: E402
from rag.viewer import locate, passage_html, passage_view  # noqa: E402

log = logging.getLogger(__name__)

PRIVATE = "private"


def build_app(backend: Backend) -> gr.Blocks:
    settings = backend.settings
    feedback = FeedbackStore(settings.feedback_path)

    def service():
        try:
            return backend.service()
        except (TimeoutError, RuntimeError) as exc:
            raise gr.Error(str(exc)) from None

    def where(passage) -> str:
        svc = service()
        return locate(svc.generation, passage, svc.settings.corpus_dir).label

    def render(turns: list[ChatTurn]) -> str:
        return conversation_html(turns, where)

    with ApiBlocks(title="Från insikt till handling – frågor till rapporten", analytics_enabled=False) as demo:
        turns_state = gr.State([])
        draft_state = gr.State([])
        viewing = gr.State(None)
        draft_viewing = gr.State(None)

        gr.Markdown(
            "# Från insikt till handling – fråga rapporten\n"
            "Svar med källhänvisningar ur rapporten *Från insikt till handling* (AI Sweden med Göteborgs "
            "universitet, 2025). Varje påstående pekar på avsnittet det kommer från.",
            elem_id="app-title",
        )
        status = gr.HTML(status_html(*backend.status()), elem_id="status")
        timer = gr.Timer(1.0)

        with gr.Tab("Fråga rapporten", id="chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    scope = gr.Dropdown(
                        [WHOLE_REPORT], value=WHOLE_REPORT, label="Avgränsning (gäller även följdfrågor)",
                        elem_id="scope", interactive=True,
                    )
                    conversation = gr.HTML(
                        conversation_html([], where), js_on_load=CLICK_JS, elem_id="conversation",
                        max_height=640, autoscroll=True,
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="Skriv en fråga, t.ex. Hur kommer vi igång med en AI-strategi?",
                            show_label=False, lines=1, max_lines=4, scale=6, elem_id="question", autofocus=True,
                            max_length=settings.max_question_chars,
                        )
                        ask_btn = gr.Button("Fråga", variant="primary", scale=1, min_width=90, elem_id="ask")
                        clear_btn = gr.Button("Rensa samtalet", variant="secondary", scale=1, min_width=90, elem_id="clear")
                    with gr.Accordion("Omdöme och utkast för ett svar", open=True):
                        with gr.Row():
                            answer_pick = gr.Dropdown([], label="Svar", scale=3, elem_id="answer-pick", interactive=True)
                            comment = gr.Textbox(label="Kommentar (valfri)", scale=3, elem_id="comment")
                        with gr.Row():
                            up_btn = gr.Button("✓ Bra svar", size="sm", elem_id="thumbs-up", min_width=120)
                            down_btn = gr.Button("✗ Dåligt svar", size="sm", elem_id="thumbs-down", min_width=120)
                            pin_answer_btn = gr.Button("Fäst svaret i utkastet", size="sm", elem_id="pin-answer")
                        feedback_msg = gr.Markdown("", elem_id="feedback-msg")
                    with gr.Accordion("Exempelfrågor", open=True):
                        example_buttons = []
                        for theme_name, questions in EXAMPLES.items():
                            gr.HTML('<div class="theme-label">{}</div>'.format(theme_name))
                            with gr.Row():
                                for q in questions:
                                    example_buttons.append((gr.Button(q, size="sm", variant="secondary"), q))
                with gr.Column(scale=2):
                    gr.Markdown("### Källa")
                    viewer = gr.HTML(viewer_placeholder(), elem_id="viewer")
                    pin_passage_btn = gr.Button("Fäst avsnittet i utkastet", size="sm", elem_id="pin-passage")
                    pin_msg = gr.Markdown("", elem_id="pin-msg")

        with gr.Tab("Utkast", id="draft"):
            gr.Markdown(
                "Sök avsnitt och fäst dem här, eller fäst hela svar från chatten. Ordna, redigera och "
                "exportera som promemoria med numrerade referenser (avsnitt, rad eller sida, rapport)."
            )
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    search_q = gr.Textbox(label="Sök avsnitt i rapporten", elem_id="search-q")
                    with gr.Row():
                        search_scope = gr.Dropdown([WHOLE_REPORT], value=WHOLE_REPORT, label="Avgränsning", scale=4)
                        search_btn = gr.Button("Sök", variant="primary", scale=1, min_width=90, elem_id="search")
                    hits_view = gr.HTML("", js_on_load=CLICK_JS, elem_id="hits", max_height=420)
                    hit_pick = gr.CheckboxGroup([], label="Välj avsnitt att fästa", elem_id="hit-pick")
                    pin_hits_btn = gr.Button("Fäst valda avsnitt i utkastet", size="sm", elem_id="pin-hits")
                    draft_viewer = gr.HTML("", elem_id="draft-viewer")
                with gr.Column(scale=3):
                    memo_title = gr.Textbox("Utkast", label="Rubrik på promemorian", elem_id="memo-title")
                    items_pick = gr.Radio([], label="Utkastets delar", elem_id="draft-items")
                    with gr.Row():
                        up_item = gr.Button("↑ Upp", size="sm", elem_id="item-up")
                        down_item = gr.Button("↓ Ner", size="sm", elem_id="item-down")
                        del_item = gr.Button("Ta bort", size="sm", variant="stop", elem_id="item-delete")
                    edit_text = gr.Textbox(label="Text (markörerna [n] hänvisar till källorna)", lines=4, elem_id="edit-text")
                    edit_note = gr.Textbox(label="Anteckning", lines=1, elem_id="edit-note")
                    save_btn = gr.Button("Spara ändring", size="sm", elem_id="item-save")
                    preview = gr.Markdown("", elem_id="draft-preview")
                    with gr.Row():
                        export_btn = gr.Button("Exportera Markdown och Word", variant="primary", elem_id="export")
                    with gr.Row():
                        md_file = gr.File(label="Markdown", elem_id="md-file", interactive=False, visible=False, height=90)
                        docx_file = gr.File(label="Word (DOCX)", elem_id="docx-file", interactive=False, visible=False, height=90)

        # --- start-up status ----------------------------------------------------------------
        def tick():
            text, ready, failed = backend.status()
            if not ready:
                return status_html(text, ready, failed), gr.update(), gr.update(), gr.Timer(active=not failed)
            options = [WHOLE_REPORT] + chapters(backend.service())
            return (
                status_html(text, ready, failed),
                gr.Dropdown(choices=options),
                gr.Dropdown(choices=options),
                gr.Timer(active=False),
            )

        timer.tick(tick, None, [status, scope, search_scope, timer], api_visibility=PRIVATE, show_progress="hidden")
        demo.load(tick, None, [status, scope, search_scope, timer], api_visibility=PRIVATE, show_progress="hidden")

        # --- chat -------------------------------------------------------------------------------
        def respond(text: str, scope_value: str, turns: list[ChatTurn]):
            text = (text or "").strip()
            if not text:
                gr.Warning("Skriv en fråga först.")
                yield render(turns), turns, "", gr.update()
                return
            if len(text) > settings.max_question_chars:
                gr.Warning(
                    "Frågan är {} tecken lång; gränsen är {} tecken (RAG_MAX_QUESTION_CHARS). Korta ner den.".format(
                        len(text), settings.max_question_chars
                    )
                )
                yield render(turns), turns, gr.update(), gr.update()
                return
            # The chat builds the history itself, so it sends what fits the limits instead of failing.
            history = recent_history(history_of(turns), settings.max_history_turns, settings.max_history_chars)
            turn = ChatTurn(question=text, scope=section_of(scope_value))
            turns = turns + [turn]
            # Shown at once, also while a first index is still being built.
            yield render(turns), turns, "", gr.update()
            try:
                svc = backend.service()
            except (TimeoutError, RuntimeError) as exc:
                turn.error = "Appen är inte redo: {}".format(exc)
                yield render(turns), turns, "", gr.update()
                return
            try:
                for event in svc.stream(text, section=turn.scope, history=history):
                    if isinstance(event, Delta):
                        turn.partial += event.text
                        yield render(turns), turns, "", gr.update()
                    elif isinstance(event, Final):
                        turn.answer = event.answer
            except ValueError as exc:
                turn.error = "Frågan kunde inte besvaras: {}".format(exc)
            except StoreUnavailable as exc:
                log.warning("question not answered: %s", exc)
                turn.error = say("store.unavailable", "sv")
            picks = answer_choices(turns)
            yield render(turns), turns, "", gr.Dropdown(choices=picks, value=picks[-1][1] if picks else None)

        chat_outputs = [conversation, turns_state, question, answer_pick]
        ask_btn.click(respond, [question, scope, turns_state], chat_outputs, api_visibility=PRIVATE)
        question.submit(respond, [question, scope, turns_state], chat_outputs, api_visibility=PRIVATE)

        def ask_example(text: str):
            def run(scope_value, turns):
                yield from respond(text, scope_value, turns)

            return run

        for button, text in example_buttons:
            button.click(ask_example(text), [scope, turns_state], chat_outputs, api_visibility=PRIVATE)

        def clear():
            return render([]), [], gr.Dropdown(choices=[], value=None), viewer_placeholder(), None, ""

        clear_btn.click(
            clear, None, [conversation, turns_state, answer_pick, viewer, viewing, feedback_msg], api_visibility=PRIVATE
        )

        # --- passage viewer ---------------------------------------------------------------------
        def show(evt: gr.EventData):
            data = getattr(evt, "_data", None) or {}
            pid = str(data.get("pid") or "")
            if not pid:
                return gr.update(), gr.update()
            try:
                view = passage_view(service(), pid, parse_spans(str(data.get("hl") or "")))
            except KeyError as exc:
                raise gr.Error(str(exc.args[0])) from None
            return passage_html(view), pid

        conversation.click(show, None, [viewer, viewing], api_visibility=PRIVATE)
        hits_view.click(show, None, [draft_viewer, draft_viewing], api_visibility=PRIVATE)

        # --- feedback ---------------------------------------------------------------------------
        def rate(index, note: str, turns: list[ChatTurn], rating: int):
            if index is None or not 0 <= int(index) < len(turns) or turns[int(index)].answer is None:
                gr.Warning("Välj först vilket svar omdömet gäller.")
                return gr.update(), note
            turn = turns[int(index)]
            svc = service()
            extra = svc.settings.model_dump(mode="json")
            extra["index_generation"] = svc.generation.folder.name
            try:
                feedback.record(turn.question, turn.answer.to_dict(), rating, note or "", settings=extra)
            except (FeedbackError, ValueError) as exc:
                log.warning("feedback not saved: %s", exc)
                # The comment stays in its box, so nothing typed is lost.
                return "**Omdömet kunde inte sparas:** {}".format(exc), note
            label = "bra" if rating > 0 else "dåligt"
            return "Tack! Omdömet *{}* om svar {} är sparat lokalt.".format(label, int(index) + 1), ""

        up_btn.click(lambda i, c, t: rate(i, c, t, 1), [answer_pick, comment, turns_state], [feedback_msg, comment], api_visibility=PRIVATE)
        down_btn.click(lambda i, c, t: rate(i, c, t, -1), [answer_pick, comment, turns_state], [feedback_msg, comment], api_visibility=PRIVATE)

        # --- drafting workspace -----------------------------------------------------------------
        def draft_view(items, selected, title):
            svc = service()
            try:
                text = ui_draft.draft_markdown(items, svc, (title or "").strip() or "Utkast") if items else ""
            except (ValueError, KeyError) as exc:
                text = "**Utkastet kan inte visas:** {}".format(exc)
            sel = items[selected] if selected is not None and 0 <= selected < len(items) else None
            return (
                items,
                gr.Radio(choices=ui_draft.choices(items), value=selected),
                sel.text if sel else "",
                sel.note if sel else "",
                "#### Förhandsvisning\n\n" + text if text else "*Utkastet är tomt. Fäst avsnitt eller svar.*",
            )

        draft_outputs = [draft_state, items_pick, edit_text, edit_note, preview]

        def pin_viewed(pid, items, title):
            if not pid:
                gr.Warning("Öppna först ett avsnitt genom att klicka på en hänvisning.")
                return (*draft_view(items, None, title), gr.update())
            items = ui_draft.pin_passages(items, service(), [pid])
            return (*draft_view(items, len(items) - 1, title), "Avsnittet finns i utkastet ({} delar).".format(len(items)))

        pin_passage_btn.click(pin_viewed, [viewing, draft_state, memo_title], draft_outputs + [pin_msg], api_visibility=PRIVATE)

        def pin_turn(index, turns, items, title):
            if index is None or not 0 <= int(index) < len(turns) or turns[int(index)].answer is None:
                gr.Warning("Välj först vilket svar som ska fästas.")
                return (*draft_view(items, None, title), gr.update())
            if turns[int(index)].answer.abstained:
                gr.Warning("Rapporten tar inte upp den frågan, så svaret har inga källor att fästa.")
                return (*draft_view(items, None, title), gr.update())
            items = ui_draft.pin_answer(items, turns[int(index)].answer)
            msg = "Svar {} är fäst i utkastet ({} delar).".format(int(index) + 1, len(items))
            return (*draft_view(items, len(items) - 1, title), msg)

        pin_answer_btn.click(pin_turn, [answer_pick, turns_state, draft_state, memo_title], draft_outputs + [feedback_msg], api_visibility=PRIVATE)

        def run_search(query, scope_value):
            svc = service()
            try:
                hits = svc.search(query, section=section_of(scope_value))
            except StoreUnavailable:
                gr.Warning(say("store.unavailable", "sv"))
                return gr.update(), gr.CheckboxGroup(choices=[], value=[])
            except ValueError as exc:
                gr.Warning(str(exc))
                return gr.update(), gr.CheckboxGroup(choices=[], value=[])
            labels = [
                ("{}. {}".format(h.rank, " · ".join(x for x in (h.passage.section.split(" › ")[-1], where(h.passage)) if x)), h.passage.id)
                for h in hits
            ]
            return hits_html(hits, where), gr.CheckboxGroup(choices=labels, value=[])

        search_btn.click(run_search, [search_q, search_scope], [hits_view, hit_pick], api_visibility=PRIVATE)
        search_q.submit(run_search, [search_q, search_scope], [hits_view, hit_pick], api_visibility=PRIVATE)

        def pin_hits(ids, items, title):
            if not ids:
                gr.Warning("Kryssa först i de avsnitt som ska fästas.")
                return draft_view(items, None, title)
            items = ui_draft.pin_passages(items, service(), list(ids))
            return draft_view(items, len(items) - 1, title)

        pin_hits_btn.click(pin_hits, [hit_pick, draft_state, memo_title], draft_outputs, api_visibility=PRIVATE)
        items_pick.change(lambda items, sel, title: draft_view(items, sel, title), [draft_state, items_pick, memo_title], draft_outputs, api_visibility=PRIVATE)
        memo_title.change(lambda items, sel, title: draft_view(items, sel, title), [draft_state, items_pick, memo_title], draft_outputs, api_visibility=PRIVATE)
        up_item.click(lambda items, sel, title: draft_view(*ui_draft.moved(items, sel, -1), title), [draft_state, items_pick, memo_title], draft_outputs, api_visibility=PRIVATE)
        down_item.click(lambda items, sel, title: draft_view(*ui_draft.moved(items, sel, 1), title), [draft_state, items_pick, memo_title], draft_outputs, api_visibility=PRIVATE)
        del_item.click(lambda items, sel, title: draft_view(*ui_draft.deleted(items, sel), title), [draft_state, items_pick, memo_title], draft_outputs, api_visibility=PRIVATE)

        def save_item(items, sel, text, note, title):
            try:
                items = ui_draft.edited(items, sel, text, note)
            except ValueError as exc:
                gr.Warning(str(exc))
            return draft_view(items, sel, title)

        save_btn.click(save_item, [draft_state, items_pick, edit_text, edit_note, memo_title], draft_outputs, api_visibility=PRIVATE)

        def do_export(items, title):
            try:
                md_path, docx_path = ui_draft.export(items, service(), title)
            except (ValueError, KeyError) as exc:
                gr.Warning(str(exc))
                return gr.File(value=None, visible=False), gr.File(value=None, visible=False)
            return gr.File(value=str(md_path), visible=True), gr.File(value=str(docx_path), visible=True)

        export_btn.click(do_export, [draft_state, memo_title], [md_file, docx_file], api_visibility=PRIVATE)

        # --- named API endpoints ----------------------------------------------------------------
        for name, fn in make_api(service).items():
            gr.api(clear_errors(name, fn), api_name=name)
            demo.api_params[name] = signature_help(fn)

    return demo


def launch(demo: gr.Blocks, settings, **kwargs):
    """Queue sized by the settings (the machine has 2 cores) and launch on the configured
    host and port; no analytics, no share link, system fonts only."""
    demo.queue(default_concurrency_limit=settings.ui_concurrency, max_size=settings.ui_max_queue)
    return demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        theme=theme(),
        css=CSS,
        footer_links=["api"],
        app_kwargs={"exception_handlers": exception_handlers(list(getattr(demo, "api_params", {})))},
        **kwargs,
    )
