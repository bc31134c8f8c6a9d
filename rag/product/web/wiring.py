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

from rag.answering.messages import counted, say  # noqa: E402
from rag.index.store import StoreUnavailable  # noqa: E402
from rag.limits import check_memo_title, recent_history  # noqa: E402
from rag.product.feedback import FeedbackError, FeedbackStore  # noqa: E402
from rag.product.login import user_of  # noqa: E402
from rag.product.web.owner import owner_of  # noqa: E402
from rag.product.web.saved import Conversations, Draft, Drafts, TabChat  # noqa: E402
from rag.product.work import WorkError  # noqa: E402
from rag.product.suggestions import suggestions  # noqa: E402
from rag.product.viewer import passage_html  # noqa: E402
from rag.product.web import draft as ui_draft  # noqa: E402
from rag.product.web.api import make_api  # noqa: E402
from rag.product.web.chat import WHOLE_REPORT, chapters, history_of, section_of  # noqa: E402
from rag.product.web.errors import clear_errors, signature_help  # noqa: E402
from rag.product.web.exports import PrivateExports  # noqa: E402
from rag.product.web.layout import DraftArea, Page  # noqa: E402
from rag.product.web.render import (  # noqa: E402
    COMMENT_CHARS,
    ChatTurn,
    conversation_html,
    hits_html,
    parse_spans,
    status_html,
    viewer_placeholder,
)
from rag.product.web.startup import Backend  # noqa: E402
from rag.types import Delta, Final  # noqa: E402

log = logging.getLogger(__name__)

PRIVATE = "private"
# How often a question asked before the first index is ready shows the ingest's progress.
WAIT_UPDATE_S = 1.0


# Shown when a draft change was written on a version another tab or window has replaced.
DRAFT_CHANGED_ELSEWHERE = (
    "Utkastet har ändrats i en annan flik eller ett annat fönster. Din ändring sparades inte; den senaste "
    "versionen visas nu. Gör om ändringen om den fortfarande behövs."
)
NO_OWNER = "Sidan vet inte vems arbete den ska visa. Ladda om sidan (webbläsaren behöver tillåta kakor från appen)."


def owner(request: gr.Request) -> str:
    """Whose work this event may read and change (``rag.product.web.owner``); a request that
    names no one (no login, no browser cookie) may change nothing."""
    who = owner_of(request)
    if not who:
        raise gr.Error(NO_OWNER)
    return who


def tab_of(request: gr.Request) -> str:
    """This page load, to tell a tab's own earlier draft writes from another tab's."""
    return str(getattr(request, "session_hash", "") or "")


@dataclass(frozen=True)
class Handlers:
    """What every area's handlers share: the service once it is ready, passage locations, and
    each person's stored conversation and draft."""

    backend: Backend
    chats: Conversations
    drafts: Drafts
    # Where exports go to stay private to their owner (``rag.product.web.exports``); None: left as written.
    exports: PrivateExports | None = None

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
    """Asking (typed, an example or a suggested question) with streaming, and starting over."""
    settings = backend.settings
    chat = page.chat
    render = handlers.render

    def respond(text: str, scope_value: str, tab, request: gr.Request):
        who = owner(request)
        turns = _stored_turns(handlers, who, tab)
        text = (text or "").strip()
        if not text:
            gr.Warning("Skriv en fråga först.")
            yield render(turns), tab, ""
            return
        if len(text) > settings.max_question_chars:
            gr.Warning(
                "Frågan är {} tecken lång; gränsen är {} tecken (RAG_MAX_QUESTION_CHARS). Korta ner den.".format(
                    len(text), settings.max_question_chars
                )
            )
            yield render(turns), tab, gr.update()
            return
        # The chat builds the history itself, so it sends what fits the limits instead of failing.
        history = recent_history(history_of(turns), settings.max_history_turns, settings.max_history_chars)
        turn = ChatTurn(question=text, scope=section_of(scope_value))
        turns = turns + [turn]
        yield render(turns), tab, ""
        # While a first index is built, the question says how far the ingest has come.
        while not backend.wait(WAIT_UPDATE_S if turn.waiting else 0):
            turn.waiting = backend.waiting()
            yield render(turns), tab, ""
        turn.waiting = ""
        try:
            svc = backend.service()
        except (TimeoutError, RuntimeError) as exc:
            turn.error = "Appen är inte redo: {}".format(exc)
            yield render(turns), tab, ""
            return
        try:
            for event in svc.stream(text, section=turn.scope, history=history):
                if isinstance(event, Delta):
                    turn.partial += event.text
                    yield render(turns), tab, ""
                elif isinstance(event, Final):
                    turn.answer = event.answer
        except ValueError as exc:
            turn.error = "Frågan kunde inte besvaras: {}".format(exc)
        except StoreUnavailable as exc:
            log.warning("question not answered: %s", exc)
            turn.error = say("store.unavailable", "sv")
        if turn.answer is not None:
            turn.suggestions = suggestions(turn.answer, svc.sections(), [t.question for t in turns])
        turns, tab = _store_turn(handlers, who, tab, turn)
        yield render(turns), tab, ""

    outputs = [chat.conversation, chat.turns, chat.question]
    chat.ask.click(respond, [chat.question, chat.scope, chat.turns], outputs, api_visibility=PRIVATE)
    chat.question.submit(respond, [chat.question, chat.scope, chat.turns], outputs, api_visibility=PRIVATE)

    def ask_example(text: str):
        def run(scope_value, tab, request: gr.Request):
            yield from respond(text, scope_value, tab, request)

        return run

    for button, text in chat.examples:
        button.click(ask_example(text), [chat.scope, chat.turns], outputs, api_visibility=PRIVATE)

    def ask_suggested(scope_value, tab, evt: gr.EventData, request: gr.Request):
        data = getattr(evt, "_data", None) or {}
        yield from respond(str(data.get("ask") or ""), scope_value, tab, request)

    # A suggested question under an answer ("submit" from the conversation's click script).
    chat.conversation.submit(ask_suggested, [chat.scope, chat.turns], outputs, api_visibility=PRIVATE)

    def clear(request: gr.Request):
        who = owner(request)
        try:
            handlers.chats.delete(who)
        except WorkError as exc:
            raise gr.Error("Samtalet kunde inte rensas: {}".format(exc)) from None
        return render([]), None, viewer_placeholder(), None

    chat.clear.click(
        clear, None, [chat.conversation, chat.turns, page.viewer.viewer, page.viewer.viewing], api_visibility=PRIVATE
    )


def _stored_turns(handlers: Handlers, who: str, tab) -> list[ChatTurn]:
    """``who``'s conversation: stored, or the tab's own while the store cannot be read."""
    try:
        return handlers.chats.turns(who, tab)
    except WorkError as exc:
        log.warning("conversation not read: %s", exc)
        gr.Warning("Det sparade samtalet kunde inte läsas: {}".format(exc))
        return []


def _store_turn(handlers: Handlers, who: str, tab, turn: ChatTurn):
    """(the conversation with ``turn`` stored, as it is now; the tab's state). When it cannot be
    stored, the person is told and the tab keeps it (stored with the next change that can be)."""
    turns, tab, problem = handlers.chats.change(who, tab, lambda turns: turns + [turn])
    if problem:
        gr.Warning("Svaret kunde inte sparas i din historik än: {}".format(problem))
    return turns, tab


def wire_history(page: Page, handlers: Handlers) -> None:
    """The stored conversation and draft shown when the page opens, and "Radera min historik"."""
    chat, draft = page.chat, page.draft
    outputs = [chat.conversation, chat.turns, draft.title, *_draft_outputs(draft)]

    def show(request: gr.Request):
        who = owner(request)
        turns = _stored_turns(handlers, who, None)
        tab = TabChat(who, turns)
        try:
            stored = handlers.drafts.load(who)
        except WorkError as exc:
            log.warning("draft not read: %s", exc)
            gr.Warning("Det sparade utkastet kunde inte läsas: {}".format(exc))
            return handlers.render(turns), tab, gr.update(), *[gr.update()] * len(_draft_outputs(draft))
        return handlers.render(turns), tab, stored.title, *_draft_view(handlers, stored, None)

    # Showing stored answers needs the service: while a first index is built this waits for it,
    # outside the queue's workers (concurrency_limit=None), so questions are not held up behind it.
    page.demo.load(show, None, outputs, api_visibility=PRIVATE, show_progress="hidden", concurrency_limit=None)

    def forget(request: gr.Request):
        who = owner(request)
        try:
            handlers.chats.delete(who)
            handlers.drafts.delete(who)
        except WorkError as exc:
            raise gr.Error("Historiken kunde inte raderas: {}".format(exc)) from None
        log.info("a user deleted their stored conversation and draft")
        gr.Info("Ditt sparade samtal och ditt utkast är raderade från servern.")
        return (
            handlers.render([]), None, viewer_placeholder(), None, Draft().title,
            *_draft_view(handlers, Draft(), None),
        )

    chat.forget.click(
        forget, None,
        [chat.conversation, chat.turns, page.viewer.viewer, page.viewer.viewing, draft.title, *_draft_outputs(draft)],
        api_visibility=PRIVATE,
    )


def wire_viewer(page: Page, handlers: Handlers) -> None:
    """A click on a citation marker or source card opens the passage in its viewer."""

    def show(evt: gr.EventData, request: gr.Request):
        who = owner(request)
        data = getattr(evt, "_data", None) or {}
        pid = str(data.get("pid") or "")
        if not pid:
            return gr.update(), gr.update()
        spans = parse_spans(str(data.get("hl") or ""))
        try:
            view = handlers.service().passage_view(pid, spans)
        except KeyError as exc:
            raise gr.Error(str(exc.args[0])) from None
        # What is viewed, with the cited spans: pinning it quotes those sentences.
        return passage_html(view), {"owner": who, "pid": pid, "hl": [list(span) for span in spans]}

    page.chat.conversation.click(show, None, [page.viewer.viewer, page.viewer.viewing], api_visibility=PRIVATE)
    page.draft.hits.click(show, None, [page.draft.viewer, page.draft.viewing], api_visibility=PRIVATE)


def wire_answers(page: Page, handlers: Handlers, feedback: FeedbackStore) -> None:
    """The buttons under each answer ("select" from the conversation's click script, with the
    answer's turn and the comment typed under it): ✓ / ✗ stored with the signed-in user's name,
    and pin to the draft. Both act on the requester's own stored conversation.

    A store that cannot be reached (a PostgreSQL server down or restarting) costs only that
    rating: the person is told so, the comment stays under the answer to try again, and the next
    rating reaches the server again by itself (a new connection per rating)."""
    draft = page.draft
    draft_outputs = _draft_outputs(draft)

    def rate(turn: ChatTurn, rating: int, user: str) -> None:
        svc = handlers.service()
        extra = svc.settings.model_dump(mode="json")
        extra["index_generation"] = svc.stats().generation
        lang = turn.answer.lang
        try:
            feedback.record(turn.question, turn.answer.to_dict(), rating, turn.comment, settings=extra, user=user)
        except FeedbackError as exc:
            log.warning("feedback not saved: %s", exc)
            # Said without the path or server: the log line above names them for the operator.
            turn.note = say("ui.rating_failed." + exc.reason, lang)
            return
        except ValueError as exc:
            log.warning("feedback not saved: %s", exc)
            # The comment stays in its box, so nothing typed is lost.
            turn.note = say("ui.rating_failed", lang, error=exc)
            return
        turn.note = say("ui.rated.up" if rating > 0 else "ui.rated.down", lang)
        turn.comment = ""

    def act(tab, evt: gr.EventData, request: gr.Request):
        who = owner(request)
        data = getattr(evt, "_data", None) or {}
        index = int(data.get("turn") or 0) - 1
        unchanged = [gr.update()] * len(draft_outputs)
        turns = _stored_turns(handlers, who, tab)
        if not 0 <= index < len(turns) or turns[index].answer is None:
            return gr.update(), gr.update(), *unchanged
        turn = turns[index]
        turn.comment = str(data.get("comment") or "")[:COMMENT_CHARS]
        action = data.get("act")
        if action in ("up", "down"):
            rate(turn, 1 if action == "up" else -1, user_of(request))
            turns, tab = _store_turn_change(handlers, who, tab, turn)
            return handlers.render(turns), tab, *unchanged
        if action != "pin" or turn.answer.outcome == "decline" or not turn.answer.citations:
            return gr.update(), gr.update(), *unchanged
        lang = turn.answer.lang

        def pin(current: Draft):
            items, at, _ = ui_draft.pin_answer(current.items, turn.answer, handlers.service())
            return items, (at, len(items) > len(current.items))

        try:
            stored, (at, added) = handlers.drafts.add(who, tab_of(request), pin)
        except (WorkError, ValueError) as exc:
            turn.note = "Svaret kunde inte fästas: {}".format(exc)
            return handlers.render(turns), tab, *unchanged
        if added:
            turn.note = say("ui.pinned", lang, parts=counted(len(stored.items), "parts", lang))
        else:
            turn.note = say("ui.already_pinned", lang, part=at + 1)
        turns, tab = _store_turn_change(handlers, who, tab, turn)
        return handlers.render(turns), tab, *_draft_view(handlers, stored, at)

    page.chat.conversation.select(
        act, [page.chat.turns], [page.chat.conversation, page.chat.turns] + draft_outputs, api_visibility=PRIVATE,
    )


def _store_turn_change(handlers: Handlers, who: str, tab, turn: ChatTurn):
    """Store what a button changed in ``turn`` (its note, its comment); a turn removed meanwhile
    (the conversation cleared in another tab) stays removed."""
    turns, tab, _ = handlers.chats.change(who, tab, lambda turns: [turn if t.id == turn.id else t for t in turns])
    return turns, tab


def wire_draft(page: Page, handlers: Handlers) -> None:
    """The drafting workspace: pinning (viewed passage, search hits), editing, export. A chat
    answer is pinned from its own button (``wire_answers``). Every handler works on the
    requester's own stored draft (``rag.product.web.saved``)."""
    draft = page.draft
    outputs = _draft_outputs(draft)

    def pin_viewed(viewed, request: gr.Request, whole=False):
        who = owner(request)
        # The passage this requester opened: a viewer state of someone else's session is nothing.
        if not viewed or viewed.get("owner") != who:
            gr.Warning("Öppna först ett avsnitt genom att klicka på en hänvisning.")
            return (*[gr.update()] * len(outputs), gr.update())
        spans = () if whole else viewed["hl"]

        def pin(current: Draft):
            items, at, message = ui_draft.pin_passage(current.items, handlers.service(), viewed["pid"], spans)
            return items, (at, message)

        stored, (at, message) = _add(handlers, who, request, pin)
        return (*_draft_view(handlers, stored, at), message)

    pin_inputs = [page.viewer.viewing]
    pin_outputs = outputs + [page.viewer.pin_message]
    page.viewer.pin_passage.click(pin_viewed, pin_inputs, pin_outputs, api_visibility=PRIVATE)
    def pin_whole(viewed, request: gr.Request):
        return pin_viewed(viewed, request, whole=True)

    page.viewer.pin_whole.click(pin_whole, pin_inputs, pin_outputs, api_visibility=PRIVATE)

    _wire_search(draft, handlers)
    _wire_editing(draft, handlers)


def _draft_outputs(draft: DraftArea) -> list:
    return [draft.version, draft.items_pick, draft.edit_text, draft.edit_note, draft.preview]


def _add(handlers: Handlers, who: str, request: gr.Request, change):
    """``Drafts.add`` with its failures as the page's error message."""
    try:
        return handlers.drafts.add(who, tab_of(request), change)
    except (WorkError, ValueError) as exc:
        raise gr.Error(str(exc)) from None


def _draft_view(handlers: Handlers, stored: Draft, selected):
    """The draft's version, item list, selected item's text and note, and the memo preview."""
    items = stored.items
    try:
        text = ui_draft.draft_markdown(items, handlers.service(), (stored.title or "").strip() or "Utkast") if items else ""
    except (ValueError, KeyError) as exc:
        text = "**Utkastet kan inte visas:** {}".format(exc)
    sel = items[selected] if selected is not None and 0 <= selected < len(items) else None
    return (
        stored.version,
        gr.Radio(choices=ui_draft.choices(items), value=selected if sel else None),
        sel.text if sel else "",
        sel.note if sel else "",
        "#### Förhandsvisning\n\n" + text if text else "*Utkastet är tomt. Fäst avsnitt eller svar.*",
    )


def _wire_search(draft: DraftArea, handlers: Handlers) -> None:
    outputs = _draft_outputs(draft)

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

    def pin_hits(ids, request: gr.Request):
        who = owner(request)
        if not ids:
            gr.Warning("Kryssa först i de avsnitt som ska fästas.")
            return (*[gr.update()] * len(outputs), gr.update(), gr.update())

        def pin(current: Draft):
            items, at, message = ui_draft.pin_passages(current.items, handlers.service(), list(ids))
            return items, (at, message)

        stored, (at, message) = _add(handlers, who, request, pin)
        # The ticks are cleared: what is pinned is in the draft now.
        return (*_draft_view(handlers, stored, at), gr.CheckboxGroup(value=[]), message)

    draft.pin_hits.click(
        pin_hits, [draft.hit_pick], outputs + [draft.hit_pick, draft.pin_message], api_visibility=PRIVATE,
    )


def _wire_editing(draft: DraftArea, handlers: Handlers) -> None:
    """Changes of the draft written on the version this tab shows: refused, with the newer draft
    shown, when another tab or window wrote in between (``Drafts.write``). What was typed stays in
    its box, to be saved again."""
    outputs = _draft_outputs(draft)

    def show(seen, selected, request: gr.Request):
        stored, fresh = _seen(handlers, owner(request), request, seen)
        if not fresh:
            # The pick was made on a list another tab has changed since: the new list is shown to pick from.
            gr.Warning(DRAFT_CHANGED_ELSEWHERE)
            return _draft_view(handlers, stored, None)
        return _draft_view(handlers, stored, selected)

    def write(who, request, seen, title, items, selected, keep_title=False):
        """(title, *draft outputs) after writing; on a conflict the newer draft (``_refused``)."""
        try:
            stored, written = handlers.drafts.write(who, tab_of(request), seen, title, items)
        except WorkError as exc:
            raise gr.Error("Utkastet kunde inte sparas: {}".format(exc)) from None
        if written:
            return (gr.update(), *_draft_view(handlers, stored, selected))
        return _refused(handlers, stored, selected, keep_title)

    def change_list(seen, selected, how, request: gr.Request):
        who = owner(request)
        current, fresh = _seen(handlers, who, request, seen)
        if not fresh:
            # The list this tab shows is not the one stored: moving or deleting by position would hit another part.
            return _refused(handlers, current, None)
        items, selected = how(current.items, selected)
        return write(who, request, current.version, current.title, items, selected)

    list_outputs = [draft.title] + outputs
    draft.items_pick.input(show, [draft.version, draft.items_pick], outputs, api_visibility=PRIVATE)
    def up(seen, sel, request: gr.Request):
        return change_list(seen, sel, lambda items, s: ui_draft.moved(items, s, -1), request)

    def down(seen, sel, request: gr.Request):
        return change_list(seen, sel, lambda items, s: ui_draft.moved(items, s, 1), request)

    def delete(seen, sel, request: gr.Request):
        return change_list(seen, sel, ui_draft.deleted, request)

    for button, how in ((draft.up, up), (draft.down, down), (draft.delete, delete)):
        button.click(how, [draft.version, draft.items_pick], list_outputs, api_visibility=PRIVATE)

    def save_title(seen, title, request: gr.Request):
        who = owner(request)
        title = (title or "").strip() or "Utkast"
        try:
            check_memo_title(title)
        except ValueError as exc:
            gr.Warning(str(exc))
            return (gr.update(),) * len(list_outputs)
        current, fresh = _seen(handlers, who, request, seen)
        if title == current.title:
            return (gr.update(),) * len(list_outputs)
        out = write(who, request, seen, title, current.items, None, keep_title=True)
        if fresh:
            # The title alone changed: the list, the selection and the editor stay as they are.
            return out[0], out[1], gr.update(), gr.update(), gr.update(), out[5]
        return out

    draft.title.blur(save_title, [draft.version, draft.title], list_outputs, api_visibility=PRIVATE)
    draft.title.submit(save_title, [draft.version, draft.title], list_outputs, api_visibility=PRIVATE)

    def save_item(seen, sel, text, note, request: gr.Request):
        who = owner(request)
        current, fresh = _seen(handlers, who, request, seen)
        if not fresh:
            # Nothing is written; the typed text stays in its box, to be saved again on the draft now shown.
            return _refused(handlers, current, sel)
        try:
            items = ui_draft.edited(current.items, sel, text, note)
        except ValueError as exc:
            gr.Warning(str(exc))
            return (gr.update(),) * len(list_outputs)
        return write(who, request, current.version, current.title, items, sel)

    draft.save.click(
        save_item, [draft.version, draft.items_pick, draft.edit_text, draft.edit_note], list_outputs,
        api_visibility=PRIVATE,
    )

    def do_export(title, request: gr.Request):
        current = _load_draft(handlers, owner(request))
        try:
            md_path, docx_path = ui_draft.export(current.items, handlers.service(), title)
        except (ValueError, KeyError) as exc:
            gr.Warning(str(exc))
            return gr.File(value=None, visible=False), gr.File(value=None, visible=False)
        if handlers.exports is not None:
            md_path, docx_path = handlers.exports.claim([md_path, docx_path], user_of(request))
        return gr.File(value=str(md_path), visible=True), gr.File(value=str(docx_path), visible=True)

    draft.export.click(do_export, [draft.title], [draft.md_file, draft.docx_file], api_visibility=PRIVATE)


def _refused(handlers: Handlers, current: Draft, selected, keep_title: bool = False):
    """(title, *draft outputs) for a change refused because another tab wrote first: the person is
    told and the newer draft is shown, but what they typed stays in the editor (with its part still
    picked) and, with ``keep_title``, in the title box, to be saved again."""
    gr.Warning(DRAFT_CHANGED_ELSEWHERE)
    if selected is not None and not 0 <= selected < len(current.items):
        selected = None
    version, pick, _, _, preview = _draft_view(handlers, current, selected)
    return gr.update() if keep_title else current.title, version, pick, gr.update(), gr.update(), preview


def _seen(handlers: Handlers, who: str, request: gr.Request, seen) -> tuple[Draft, bool]:
    try:
        return handlers.drafts.seen_by(who, tab_of(request), int(seen or 0))
    except WorkError as exc:
        raise gr.Error("Utkastet kunde inte läsas: {}".format(exc)) from None


def _load_draft(handlers: Handlers, who: str) -> Draft:
    try:
        return handlers.drafts.load(who)
    except WorkError as exc:
        raise gr.Error("Utkastet kunde inte läsas: {}".format(exc)) from None


def wire_api(page: Page, handlers: Handlers) -> None:
    """The named endpoints ``ask``, ``search`` and ``passage`` for scripts and gradio_client."""
    for name, fn in make_api(handlers.service).items():
        gr.api(clear_errors(name, fn), api_name=name)
        page.demo.api_params[name] = signature_help(fn)
