"""What the page does: one wiring function per area, each attaching handlers to the
components ``layout`` made. Every handler goes through the ``RagService``, like the CLI.

The wiring functions run inside the page's Blocks context (``with page.demo:``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)

from rag.answering.messages import say  # noqa: E402
from rag.index.store import StoreUnavailable  # noqa: E402
from rag.limits import recent_history  # noqa: E402
from rag.product.feedback import FeedbackError, FeedbackStore  # noqa: E402
from rag.product.viewer import passage_html  # noqa: E402
from rag.product.web import draft as ui_draft  # noqa: E402
from rag.product.web.api import make_api  # noqa: E402
from rag.product.web.chat import WHOLE_REPORT, answer_choices, chapters, history_of, section_of  # noqa: E402
from rag.product.web.errors import clear_errors, signature_help  # noqa: E402
from rag.product.web.layout import DraftArea, Page  # noqa: E402
from rag.product.web.render import ChatTurn, conversation_html, hits_html, parse_spans, status_html, viewer_placeholder  # noqa: E402
from rag.product.web.startup import Backend  # noqa: E402
from rag.types import Delta, Final  # noqa: E402

log = logging.getLogger(__name__)

PRIVATE = "private"


@dataclass(frozen=True)
class Handlers:
    """What every area's handlers share: the service once it is ready, and passage locations."""

    backend: Backend

    def service(self):
        try:
            return self.backend.service()
        except (TimeoutError, RuntimeError) as exc:
            raise gr.Error(str(exc)) from None

    def where(self, passage) -> str:
        return self.service().locate(passage).label

    def render(self, turns: list[ChatTurn]) -> str:
        return conversation_html(turns, self.where)


def wire_status(page: Page, backend: Backend) -> None:
    """The start-up status line; once the index is ready the scope menus get the chapters."""

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

    outputs = [page.status, page.chat.scope, page.draft.search_scope, page.timer]
    page.timer.tick(tick, None, outputs, api_visibility=PRIVATE, show_progress="hidden")
    page.demo.load(tick, None, outputs, api_visibility=PRIVATE, show_progress="hidden")


def wire_chat(page: Page, backend: Backend, handlers: Handlers) -> None:
    """Asking (typed or an example question) with streaming, and starting over."""
    settings = backend.settings
    chat = page.chat
    render = handlers.render

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

    outputs = [chat.conversation, chat.turns, chat.question, page.feedback.answer_pick]
    chat.ask.click(respond, [chat.question, chat.scope, chat.turns], outputs, api_visibility=PRIVATE)
    chat.question.submit(respond, [chat.question, chat.scope, chat.turns], outputs, api_visibility=PRIVATE)

    def ask_example(text: str):
        def run(scope_value, turns):
            yield from respond(text, scope_value, turns)

        return run

    for button, text in chat.examples:
        button.click(ask_example(text), [chat.scope, chat.turns], outputs, api_visibility=PRIVATE)

    def clear():
        return render([]), [], gr.Dropdown(choices=[], value=None), viewer_placeholder(), None, ""

    chat.clear.click(
        clear,
        None,
        [chat.conversation, chat.turns, page.feedback.answer_pick, page.viewer.viewer, page.viewer.viewing, page.feedback.message],
        api_visibility=PRIVATE,
    )


def wire_viewer(page: Page, handlers: Handlers) -> None:
    """A click on a citation marker or source card opens the passage in its viewer."""

    def show(evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        pid = str(data.get("pid") or "")
        if not pid:
            return gr.update(), gr.update()
        try:
            view = handlers.service().passage_view(pid, parse_spans(str(data.get("hl") or "")))
        except KeyError as exc:
            raise gr.Error(str(exc.args[0])) from None
        return passage_html(view), pid

    page.chat.conversation.click(show, None, [page.viewer.viewer, page.viewer.viewing], api_visibility=PRIVATE)
    page.draft.hits.click(show, None, [page.draft.viewer, page.draft.viewing], api_visibility=PRIVATE)


def wire_feedback(page: Page, handlers: Handlers, feedback: FeedbackStore) -> None:
    """Rating an answer (✓ / ✗ with an optional comment), stored locally."""
    area = page.feedback

    def rate(index, note: str, turns: list[ChatTurn], rating: int):
        if index is None or not 0 <= int(index) < len(turns) or turns[int(index)].answer is None:
            gr.Warning("Välj först vilket svar omdömet gäller.")
            return gr.update(), note
        turn = turns[int(index)]
        svc = handlers.service()
        extra = svc.settings.model_dump(mode="json")
        extra["index_generation"] = svc.stats().generation
        try:
            feedback.record(turn.question, turn.answer.to_dict(), rating, note or "", settings=extra)
        except (FeedbackError, ValueError) as exc:
            log.warning("feedback not saved: %s", exc)
            # The comment stays in its box, so nothing typed is lost.
            return "**Omdömet kunde inte sparas:** {}".format(exc), note
        label = "bra" if rating > 0 else "dåligt"
        return "Tack! Omdömet *{}* om svar {} är sparat lokalt.".format(label, int(index) + 1), ""

    inputs = [area.answer_pick, area.comment, page.chat.turns]
    area.up.click(lambda i, c, t: rate(i, c, t, 1), inputs, [area.message, area.comment], api_visibility=PRIVATE)
    area.down.click(lambda i, c, t: rate(i, c, t, -1), inputs, [area.message, area.comment], api_visibility=PRIVATE)


def wire_draft(page: Page, handlers: Handlers) -> None:
    """The drafting workspace: pinning (viewed passage, chat answer, search hits), editing, export."""
    draft = page.draft
    outputs = [draft.items, draft.items_pick, draft.edit_text, draft.edit_note, draft.preview]

    def view(items, selected, title):
        return _draft_view(handlers, items, selected, title)

    def pin_viewed(pid, items, title):
        if not pid:
            gr.Warning("Öppna först ett avsnitt genom att klicka på en hänvisning.")
            return (*view(items, None, title), gr.update())
        items = ui_draft.pin_passages(items, handlers.service(), [pid])
        return (*view(items, len(items) - 1, title), "Avsnittet finns i utkastet ({} delar).".format(len(items)))

    page.viewer.pin_passage.click(
        pin_viewed, [page.viewer.viewing, draft.items, draft.title], outputs + [page.viewer.pin_message], api_visibility=PRIVATE
    )

    def pin_turn(index, turns, items, title):
        if index is None or not 0 <= int(index) < len(turns) or turns[int(index)].answer is None:
            gr.Warning("Välj först vilket svar som ska fästas.")
            return (*view(items, None, title), gr.update())
        if turns[int(index)].answer.abstained:
            gr.Warning("Rapporten tar inte upp den frågan, så svaret har inga källor att fästa.")
            return (*view(items, None, title), gr.update())
        items = ui_draft.pin_answer(items, turns[int(index)].answer)
        msg = "Svar {} är fäst i utkastet ({} delar).".format(int(index) + 1, len(items))
        return (*view(items, len(items) - 1, title), msg)

    page.feedback.pin_answer.click(
        pin_turn, [page.feedback.answer_pick, page.chat.turns, draft.items, draft.title], outputs + [page.feedback.message],
        api_visibility=PRIVATE,
    )
    _wire_search(draft, handlers, view)
    _wire_editing(draft, handlers, view)


def _draft_view(handlers: Handlers, items, selected, title):
    """The draft's state, item list, selected item's text and note, and the memo preview."""
    svc = handlers.service()
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


def _wire_search(draft: DraftArea, handlers: Handlers, view) -> None:
    outputs = [draft.items, draft.items_pick, draft.edit_text, draft.edit_note, draft.preview]

    def run_search(query, scope_value):
        svc = handlers.service()
        try:
            hits = svc.search(query, section=section_of(scope_value))
        except StoreUnavailable:
            gr.Warning(say("store.unavailable", "sv"))
            return gr.update(), gr.CheckboxGroup(choices=[], value=[])
        except ValueError as exc:
            gr.Warning(str(exc))
            return gr.update(), gr.CheckboxGroup(choices=[], value=[])
        labels = [
            ("{}. {}".format(h.rank, " · ".join(x for x in (h.passage.section.split(" › ")[-1], handlers.where(h.passage)) if x)), h.passage.id)
            for h in hits
        ]
        return hits_html(hits, handlers.where), gr.CheckboxGroup(choices=labels, value=[])

    draft.search.click(run_search, [draft.search_q, draft.search_scope], [draft.hits, draft.hit_pick], api_visibility=PRIVATE)
    draft.search_q.submit(run_search, [draft.search_q, draft.search_scope], [draft.hits, draft.hit_pick], api_visibility=PRIVATE)

    def pin_hits(ids, items, title):
        if not ids:
            gr.Warning("Kryssa först i de avsnitt som ska fästas.")
            return view(items, None, title)
        items = ui_draft.pin_passages(items, handlers.service(), list(ids))
        return view(items, len(items) - 1, title)

    draft.pin_hits.click(pin_hits, [draft.hit_pick, draft.items, draft.title], outputs, api_visibility=PRIVATE)


def _wire_editing(draft: DraftArea, handlers: Handlers, view) -> None:
    outputs = [draft.items, draft.items_pick, draft.edit_text, draft.edit_note, draft.preview]
    selection = [draft.items, draft.items_pick, draft.title]
    draft.items_pick.change(lambda items, sel, title: view(items, sel, title), selection, outputs, api_visibility=PRIVATE)
    draft.title.change(lambda items, sel, title: view(items, sel, title), selection, outputs, api_visibility=PRIVATE)
    draft.up.click(lambda items, sel, title: view(*ui_draft.moved(items, sel, -1), title), selection, outputs, api_visibility=PRIVATE)
    draft.down.click(lambda items, sel, title: view(*ui_draft.moved(items, sel, 1), title), selection, outputs, api_visibility=PRIVATE)
    draft.delete.click(lambda items, sel, title: view(*ui_draft.deleted(items, sel), title), selection, outputs, api_visibility=PRIVATE)

    def save_item(items, sel, text, note, title):
        try:
            items = ui_draft.edited(items, sel, text, note)
        except ValueError as exc:
            gr.Warning(str(exc))
        return view(items, sel, title)

    draft.save.click(save_item, [draft.items, draft.items_pick, draft.edit_text, draft.edit_note, draft.title], outputs, api_visibility=PRIVATE)

    def do_export(items, title):
        try:
            md_path, docx_path = ui_draft.export(items, handlers.service(), title)
        except (ValueError, KeyError) as exc:
            gr.Warning(str(exc))
            return gr.File(value=None, visible=False), gr.File(value=None, visible=False)
        return gr.File(value=str(md_path), visible=True), gr.File(value=str(docx_path), visible=True)

    draft.export.click(do_export, [draft.items, draft.title], [draft.md_file, draft.docx_file], api_visibility=PRIVATE)


def wire_api(page: Page, handlers: Handlers) -> None:
    """The named endpoints ``ask``, ``search`` and ``passage`` for scripts and gradio_client."""
    for name, fn in make_api(handlers.service).items():
        gr.api(clear_errors(name, fn), api_name=name)
        page.demo.api_params[name] = signature_help(fn)
