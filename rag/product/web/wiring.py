"""What the page does: one wiring function per area, each attaching handlers to the
components ``layout`` made. Every handler goes through the ``RagService``, like the CLI.

The wiring functions run inside the page's Blocks context (``with page.demo:``).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)

from rag.answering.messages import counted, say  # noqa: E402
from rag.index.store import StoreUnavailable  # noqa: E402
from rag.locations import page_label  # noqa: E402
from rag.product.feedback import FeedbackError, FeedbackStore, FeedbackUnavailable  # noqa: E402
from rag.product.login import user_of  # noqa: E402
from rag.product.viewer import passage_html  # noqa: E402
from rag.product.web import draft as ui_draft  # noqa: E402
from rag.product.web.api import make_api  # noqa: E402
from rag.product.web.chat import WHOLE_REPORT, chapters, section_of  # noqa: E402
from rag.product.web.chat import respond as chat_respond  # noqa: E402
from rag.product.web.errors import clear_errors, signature_help  # noqa: E402
from rag.product.web.layout import DraftArea, Page  # noqa: E402
from rag.product.web.messages import say as page_say  # noqa: E402
from rag.product.web.render import (  # noqa: E402
    COMMENT_CHARS,
    esc,
    ChatTurn,
    conversation_html,
    hits_html,
    parse_spans,
    status_html,
    turn_lang,
    viewer_placeholder,
)
from rag.product.web.startup import Backend  # noqa: E402
from rag.types import PageSpan  # noqa: E402

log = logging.getLogger(__name__)

PRIVATE = "private"


def warn(message: str, lang: str) -> None:
    """A toast. Gradio 6 heads it "Warning" whatever title it is given, so what a user must act on
    in the chat (a refused question) is said beside the question box instead (``refusal_html``)."""
    gr.Warning(message, title=page_say("toast.warning", lang))


def refusal_html(message: str | None) -> str:
    return '<div class="question-refused" role="alert">{}</div>'.format(esc(message)) if message else ""


@dataclass(frozen=True)
class Handlers:
    """What every area's handlers share: the service once it is ready, and passage locations."""

    backend: Backend

    def service(self):
        try:
            return self.backend.service()
        except (TimeoutError, RuntimeError) as exc:
            raise gr.Error(str(exc)) from None

    def where(self, passage, lang: str = "sv") -> str:
        where = self.service().locate(passage)
        if lang == "sv" or not where.page_start:
            return where.label
        return page_label(PageSpan(where.page_start, where.page_end or where.page_start, where.page_estimated), lang)

    def render(self, turns: list[ChatTurn], lang: str = "sv") -> str:
        return conversation_html(turns, self.where, lang)


def wire_status(page: Page, backend: Backend) -> None:
    """The start-up status line; once the index is ready the scope menus get the chapters."""

    def tick(lang):
        text, ready, failed = backend.status(lang)
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
    page.timer.tick(tick, [page.lang], outputs, api_visibility=PRIVATE, show_progress="hidden")
    page.demo.load(tick, [page.lang], outputs, api_visibility=PRIVATE, show_progress="hidden")


def wire_chat(page: Page, backend: Backend, handlers: Handlers) -> None:
    """Asking (typed, an example or a suggested question) with streaming, and starting over;
    what a question does is ``chat.respond``."""
    chat = page.chat
    render = handlers.render

    def respond(text: str, scope_value: str, turns: list[ChatTurn], lang: str):
        for update in chat_respond(text, scope_value, turns, backend, lang):
            question = gr.update() if update.question is None else update.question
            yield render(update.turns), update.turns, question, refusal_html(update.warning)

    outputs = [chat.conversation, chat.turns, chat.question, chat.refused]
    relabelled = [page.lang, page.status, page.viewer.viewer] + page.chrome.components

    def relabel(turns: list[ChatTurn], lang: str, viewing):
        """The page in the language of the latest question, once it is answered."""
        new = turn_lang(turns[-1]) if turns else lang
        if new == lang:
            return [gr.update()] * len(relabelled)
        text, ready, failed = backend.status(new)
        viewer = viewer_placeholder(new) if viewing is None else gr.update()
        return [new, status_html(text, ready, failed), viewer] + page.chrome.updates(new)

    def asked(event) -> None:
        event.then(relabel, [chat.turns, page.lang, page.viewer.viewing], relabelled, api_visibility=PRIVATE,
                   show_progress="hidden")

    asked(chat.ask.click(respond, [chat.question, chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))
    asked(chat.question.submit(respond, [chat.question, chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))
    # An example asks what its button says, in the language the page is shown in.
    for button, _ in chat.examples:
        asked(button.click(respond, [button, chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))

    def ask_suggested(scope_value, turns, lang, evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        yield from respond(str(data.get("ask") or ""), scope_value, turns, lang)

    # A suggested question under an answer ("submit" from the conversation's click script).
    asked(chat.conversation.submit(ask_suggested, [chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))

    def clear(lang):
        return handlers.render([], lang), [], viewer_placeholder(lang), None, ""

    chat.clear.click(
        clear, [page.lang], [chat.conversation, chat.turns, page.viewer.viewer, page.viewer.viewing, chat.refused],
        api_visibility=PRIVATE,
    )


def wire_viewer(page: Page, handlers: Handlers) -> None:
    """A click on a citation marker or source card opens the passage in its viewer."""

    def show(evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        pid = str(data.get("pid") or "")
        if not pid:
            return gr.update(), gr.update()
        spans = parse_spans(str(data.get("hl") or ""))
        try:
            view = handlers.service().passage_view(pid, spans)
        except KeyError as exc:
            raise gr.Error(str(exc.args[0])) from None
        # Opened from an English answer, the page is "p. 42" there and here.
        if data.get("lang") == "en":
            view = dataclasses.replace(view, location=handlers.where(view.passage, "en"))
        # What is viewed, with the cited spans: pinning it quotes those sentences.
        return passage_html(view), {"pid": pid, "hl": [list(span) for span in spans]}

    page.chat.conversation.click(show, None, [page.viewer.viewer, page.viewer.viewing], api_visibility=PRIVATE)
    page.draft.hits.click(show, None, [page.draft.viewer, page.draft.viewing], api_visibility=PRIVATE)


def wire_answers(page: Page, handlers: Handlers, feedback: FeedbackStore) -> None:
    """The buttons under each answer ("select" from the conversation's click script, with the
    answer's turn and the comment typed under it): ✓ / ✗ stored with the signed-in user's name,
    and pin to the draft.

    A store that cannot be reached (a PostgreSQL server down or restarting) costs only that
    rating: the person is told so, the comment stays under the answer to try again, and the next
    rating reaches the server again by itself (a new connection per rating)."""
    draft = page.draft
    draft_outputs = view_outputs(draft)

    def rate(turn: ChatTurn, rating: int, user: str) -> None:
        svc = handlers.service()
        extra = svc.settings.model_dump(mode="json")
        extra["index_generation"] = svc.stats().generation
        lang = turn.answer.lang
        try:
            feedback.record(turn.question, turn.answer.to_dict(), rating, turn.comment, settings=extra, user=user)
        except FeedbackUnavailable as exc:
            log.warning("feedback not saved: %s", exc)
            turn.note = say("ui.rating_unavailable", lang)
            return
        except (FeedbackError, ValueError) as exc:
            log.warning("feedback not saved: %s", exc)
            # The comment stays in its box, so nothing typed is lost.
            turn.note = say("ui.rating_failed", lang, error=exc)
            return
        turn.note = say("ui.rated.up" if rating > 0 else "ui.rated.down", lang)
        turn.comment = ""

    def act(turns: list[ChatTurn], items, title, notes, evt: gr.EventData, request: gr.Request):
        data = getattr(evt, "_data", None) or {}
        index = int(data.get("turn") or 0) - 1
        unchanged = [gr.update()] * len(draft_outputs)
        if not 0 <= index < len(turns) or turns[index].answer is None:
            return gr.update(), gr.update(), *unchanged
        turn = turns[index]
        turn.comment = str(data.get("comment") or "")[:COMMENT_CHARS]
        action = data.get("act")
        if action in ("up", "down"):
            rate(turn, 1 if action == "up" else -1, user_of(request))
            return handlers.render(turns), turns, *unchanged
        if action != "pin" or turn.answer.outcome == "decline" or not turn.answer.citations:
            return gr.update(), gr.update(), *unchanged
        before, lang = len(items), turn.answer.lang
        items, at, _ = ui_draft.pin_answer(items, turn.answer, handlers.service())
        if len(items) > before:
            turn.note = say("ui.pinned", lang, parts=counted(len(items), "parts", lang))
        else:
            turn.note = say("ui.already_pinned", lang, part=at + 1)
        return handlers.render(turns), turns, *_draft_view(handlers, items, at, title, notes)

    page.chat.conversation.select(
        act, [page.chat.turns, draft.items, draft.title, draft.with_notes],
        [page.chat.conversation, page.chat.turns] + draft_outputs,
        api_visibility=PRIVATE,
    )


def wire_draft(page: Page, handlers: Handlers) -> None:
    """The drafting workspace: pinning (viewed passage, search hits), editing, export. A chat
    answer is pinned from its own button (``wire_answers``)."""
    draft = page.draft
    outputs = view_outputs(draft)

    def view(items, selected, title, notes=False):
        return _draft_view(handlers, items, selected, title, notes)

    def pin_viewed(viewed, items, title, notes, whole=False):
        if not viewed:
            gr.Warning("Öppna först ett avsnitt genom att klicka på en hänvisning.")
            return (*view(items, None, title, notes), gr.update())
        spans = () if whole else viewed["hl"]
        items, at, message = ui_draft.pin_passage(items, handlers.service(), viewed["pid"], spans)
        return (*view(items, at, title, notes), message)

    pin_inputs = [page.viewer.viewing, draft.items, draft.title, draft.with_notes]
    pin_outputs = outputs + [page.viewer.pin_message]
    page.viewer.pin_passage.click(pin_viewed, pin_inputs, pin_outputs, api_visibility=PRIVATE)
    page.viewer.pin_whole.click(
        lambda viewed, items, title, notes: pin_viewed(viewed, items, title, notes, whole=True), pin_inputs,
        pin_outputs, api_visibility=PRIVATE,
    )

    _wire_search(draft, handlers, view)
    _wire_editing(draft, handlers, view)


def view_outputs(draft: DraftArea) -> list:
    """What ``_draft_view`` updates, in its order."""
    return [draft.items, draft.items_pick, draft.edit_text, draft.edit_note, draft.preview, draft.editing]


def _draft_view(handlers: Handlers, items, selected, title, notes=False):
    """The draft's state, item list, selected item's text and note, the memo preview (as it
    will be exported: with the notes only if ``notes``) and which part the editor holds."""
    svc = handlers.service()
    try:
        text = ui_draft.draft_markdown(items, svc, (title or "").strip() or "Utkast", with_notes=notes) if items else ""
    except (ValueError, KeyError) as exc:
        text = "**Utkastet kan inte visas:** {}".format(exc)
    sel = items[selected] if selected is not None and 0 <= selected < len(items) else None
    return (
        items,
        gr.Radio(choices=ui_draft.choices(items), value=selected),
        sel.text if sel else "",
        sel.note if sel else "",
        "#### Förhandsvisning\n\n" + text if text else "*Utkastet är tomt. Fäst avsnitt eller svar.*",
        selected if sel else None,
    )


def _wire_search(draft: DraftArea, handlers: Handlers, view) -> None:
    outputs = view_outputs(draft)

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
        # No rank number: the order shows it, and a chapter's own number ("3. Insikter") is not doubled.
        labels = [
            (" · ".join(x for x in (h.passage.section.split(" › ")[-1], handlers.where(h.passage)) if x), h.passage.id)
            for h in hits
        ]
        return hits_html(hits, handlers.where), gr.CheckboxGroup(choices=labels, value=[])

    draft.search.click(run_search, [draft.search_q, draft.search_scope], [draft.hits, draft.hit_pick], api_visibility=PRIVATE)
    draft.search_q.submit(run_search, [draft.search_q, draft.search_scope], [draft.hits, draft.hit_pick], api_visibility=PRIVATE)

    def pin_hits(ids, items, title, notes):
        if not ids:
            gr.Warning("Kryssa först i de avsnitt som ska fästas.")
            return (*view(items, None, title, notes), gr.update(), gr.update())
        items, at, message = ui_draft.pin_passages(items, handlers.service(), list(ids))
        # The ticks are cleared: what is pinned is in the draft now.
        return (*view(items, at, title, notes), gr.CheckboxGroup(value=[]), message)

    draft.pin_hits.click(
        pin_hits, [draft.hit_pick, draft.items, draft.title, draft.with_notes],
        outputs + [draft.hit_pick, draft.pin_message],
        api_visibility=PRIVATE,
    )


def _wire_editing(draft: DraftArea, handlers: Handlers, view) -> None:
    outputs = view_outputs(draft)
    selection = [draft.items, draft.items_pick, draft.title, draft.with_notes]
    # Only a user's pick refills the editor: a pick set by a handler (after ↑/↓) already did, and a
    # second refill arriving later would overwrite what the user has started typing.
    for event in (draft.items_pick.input, draft.title.change, draft.with_notes.change):
        event(view, selection, outputs, api_visibility=PRIVATE)
    draft.up.click(lambda items, sel, title, notes: view(*ui_draft.moved(items, sel, -1), title, notes), selection, outputs, api_visibility=PRIVATE)
    draft.down.click(lambda items, sel, title, notes: view(*ui_draft.moved(items, sel, 1), title, notes), selection, outputs, api_visibility=PRIVATE)
    _wire_removal(draft, view, selection, outputs)

    def save_item(items, sel, text, note, title, notes):
        """Saved as typed: the list and preview follow; the editor's own boxes are left alone. A
        refill of the editor by a pick or a move changes nothing and is not saved again. ``sel``
        is the part the editor was last filled with (a server-side state, set with the text):
        the radio's value may still be the old one when the text's change arrives."""
        if not ui_draft.unsaved(items, sel, text, note):
            return gr.update(), gr.update(), gr.update(), gr.update()
        try:
            items = ui_draft.edited(items, sel, text, note)
        except ValueError as exc:
            return gr.update(), gr.update(), gr.update(), say_unsaved(exc)
        shown = view(items, sel, title, notes)
        return items, shown[1], shown[4], "Ändringen är sparad."

    editing = [draft.items, draft.editing, draft.edit_text, draft.edit_note, draft.title, draft.with_notes]
    saved_outputs = [draft.items, draft.items_pick, draft.preview, draft.saved]
    # "change", not "input": Gradio sends "input" for keys typed, not for text pasted or dropped.
    for box in (draft.edit_text, draft.edit_note):
        box.change(save_item, editing, saved_outputs, api_visibility=PRIVATE, trigger_mode="always_last",
                   show_progress="hidden")

    def do_export(items, sel, text, note, title, notes):
        unsaved = ui_draft.unsaved(items, sel, text, note)
        if unsaved:
            warn(unsaved, "sv")
        try:
            md_path, docx_path = ui_draft.export(items, handlers.service(), title, with_notes=notes)
        except (ValueError, KeyError) as exc:
            gr.Warning(str(exc))
            return gr.File(value=None, visible=False), gr.File(value=None, visible=False)
        return gr.File(value=str(md_path), visible=True), gr.File(value=str(docx_path), visible=True)

    draft.export.click(do_export, editing, [draft.md_file, draft.docx_file], api_visibility=PRIVATE)


def say_unsaved(exc: Exception) -> str:
    return "**Inte sparat:** {}. Det som står i rutan kommer inte med i promemorian förrän det går att spara.".format(exc)


def _wire_removal(draft: DraftArea, view, selection, outputs) -> None:
    """"Ta bort" takes the part out and offers to undo it until the next removal."""

    def delete(items, sel, title, notes):
        removed = (sel, items[sel]) if sel is not None and 0 <= sel < len(items) else None
        shown = view(*ui_draft.deleted(items, sel), title, notes)
        label = "Ångra: ta tillbaka «{}»".format(ui_draft.item_label(removed[1])) if removed else ""
        return (*shown, removed, gr.Button(label, visible=removed is not None))

    def undo(items, removed, title, notes):
        return (*view(*ui_draft.restored(items, removed), title, notes), None, gr.Button(visible=False))

    draft.delete.click(delete, selection, outputs + [draft.removed, draft.undo], api_visibility=PRIVATE)
    draft.undo.click(
        undo, [draft.items, draft.removed, draft.title, draft.with_notes], outputs + [draft.removed, draft.undo],
        api_visibility=PRIVATE,
    )


def wire_api(page: Page, handlers: Handlers) -> None:
    """The named endpoints ``ask``, ``search`` and ``passage`` for scripts and gradio_client."""
    for name, fn in make_api(handlers.service).items():
        gr.api(clear_errors(name, fn), api_name=name)
        page.demo.api_params[name] = signature_help(fn)
