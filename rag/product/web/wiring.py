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
from rag.limits import check_memo_title  # noqa: E402
from rag.locations import page_label  # noqa: E402
from rag.product.feedback import FeedbackError, FeedbackStore  # noqa: E402
from rag.product.login import user_of  # noqa: E402
from rag.product.web.owner import owner_of  # noqa: E402
from rag.product.web.saved import Conversations, Draft, Drafts, TabChat  # noqa: E402
from rag.product.work import WorkError  # noqa: E402
from rag.product.viewer import passage_html  # noqa: E402
from rag.product.web import draft as ui_draft  # noqa: E402
from rag.product.web.api import make_api  # noqa: E402
from rag.product.web.chat import WHOLE_REPORT, chapters, section_of  # noqa: E402
from rag.product.web.chat import respond as chat_respond  # noqa: E402
from rag.product.web.errors import clear_errors, signature_help  # noqa: E402
from rag.product.web.exports import PrivateExports  # noqa: E402
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


# Shown when a draft change was written on a version another tab or window has replaced.
DRAFT_CHANGED_ELSEWHERE = (
    "Utkastet har ändrats i en annan flik eller ett annat fönster. Din ändring sparades inte; den senaste "
    "versionen visas nu. Gör om ändringen om den fortfarande behövs."
)
CHANGED_ELSEWHERE_SHORT = "utkastet har ändrats i en annan flik eller ett annat fönster"
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
    chats: Conversations | None = None
    drafts: Drafts | None = None
    # Where exports go to stay private to their owner (``rag.product.web.exports``); None: left as written.
    exports: PrivateExports | None = None

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

    def respond(text: str, scope_value: str, tab, lang: str, request: gr.Request):
        """``chat.respond`` on the requester's own stored conversation; the turn it adds is stored
        once it is answered (or has failed), and the conversation as stored is shown."""
        who = owner(request)
        turns = _stored_turns(handlers, who, tab)
        last = None
        for update in chat_respond(text, scope_value, turns, backend, lang):
            last = update
            question = gr.update() if update.question is None else update.question
            yield render(update.turns), tab, question, refusal_html(update.warning)
        if last is None or len(last.turns) <= len(turns):
            return  # refused: nothing was added to the conversation
        stored, tab = _store_turn(handlers, who, tab, last.turns[-1])
        question = gr.update() if last.question is None else last.question
        yield render(stored), tab, question, refusal_html(last.warning)

    outputs = [chat.conversation, chat.turns, chat.question, chat.refused]
    relabelled = [page.lang, page.status, page.viewer.viewer] + page.chrome.components

    relabel = _relabel(page, backend)

    def asked(event) -> None:
        event.then(relabel, [chat.turns, page.lang, page.viewer.viewing], relabelled, api_visibility=PRIVATE,
                   show_progress="hidden")

    asked(chat.ask.click(respond, [chat.question, chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))
    asked(chat.question.submit(respond, [chat.question, chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))
    # An example asks what its button says, in the language the page is shown in.
    for button, _ in chat.examples:
        asked(button.click(respond, [button, chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))

    def ask_suggested(scope_value, tab, lang, evt: gr.EventData, request: gr.Request):
        data = getattr(evt, "_data", None) or {}
        yield from respond(str(data.get("ask") or ""), scope_value, tab, lang, request)

    # A suggested question under an answer ("submit" from the conversation's click script).
    asked(chat.conversation.submit(ask_suggested, [chat.scope, chat.turns, page.lang], outputs, api_visibility=PRIVATE))

    def clear(lang, request: gr.Request):
        who = owner(request)
        try:
            handlers.chats.delete(who)
        except WorkError as exc:
            raise gr.Error("Samtalet kunde inte rensas: {}".format(exc)) from None
        return handlers.render([], lang), None, viewer_placeholder(lang), None, ""

    chat.clear.click(
        clear, [page.lang], [chat.conversation, chat.turns, page.viewer.viewer, page.viewer.viewing, chat.refused],
        api_visibility=PRIVATE,
    )


def _relabel(page: Page, backend: Backend):
    """The step that draws the page again in the language of the latest question, once it is
    answered; its inputs are (the tab's conversation state, the page's language, the viewer's state)."""
    relabelled = [page.lang, page.status, page.viewer.viewer] + page.chrome.components

    def relabel(tab, lang: str, viewing):
        turns = tab.turns if isinstance(tab, TabChat) else list(tab or [])
        new = turn_lang(turns[-1]) if turns else lang
        if new == lang:
            return [gr.update()] * len(relabelled)
        text, ready, failed = backend.status(new)
        viewer = viewer_placeholder(new) if viewing is None else gr.update()
        return [new, status_html(text, ready, failed), viewer] + page.chrome.updates(new)

    return relabel


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
    draft_outputs = view_outputs(draft)
    outputs = [chat.conversation, chat.turns, draft.title, *draft_outputs]

    def show(request: gr.Request):
        who = owner(request)
        # Drawn in Swedish, the page's first language, until the next answered question relabels it.
        lang = "sv"
        turns = _stored_turns(handlers, who, None)
        tab = TabChat(who, turns)
        try:
            stored = handlers.drafts.load(who)
        except WorkError as exc:
            log.warning("draft not read: %s", exc)
            gr.Warning("Det sparade utkastet kunde inte läsas: {}".format(exc))
            return handlers.render(turns, lang), tab, gr.update(), *[gr.update()] * len(draft_outputs)
        return handlers.render(turns, lang), tab, stored.title, *_draft_view(handlers, stored, None)

    # Showing stored answers needs the service: while a first index is built this waits for it,
    # outside the queue's workers (concurrency_limit=None), so questions are not held up behind it.
    page.demo.load(show, None, outputs, api_visibility=PRIVATE, show_progress="hidden", concurrency_limit=None)

    def forget(lang, request: gr.Request):
        who = owner(request)
        try:
            handlers.chats.delete(who)
            handlers.drafts.delete(who)
        except WorkError as exc:
            raise gr.Error("Historiken kunde inte raderas: {}".format(exc)) from None
        log.info("a user deleted their stored conversation and draft")
        gr.Info("Ditt sparade samtal och ditt utkast är raderade från servern.")
        return (
            handlers.render([], lang), None, viewer_placeholder(lang), None, "", Draft().title,
            *_draft_view(handlers, Draft(), None), None, gr.Button(visible=False),
        )

    chat.forget.click(
        forget, [page.lang],
        [chat.conversation, chat.turns, page.viewer.viewer, page.viewer.viewing, chat.refused, draft.title,
         *draft_outputs, draft.removed, draft.undo],
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
        # Opened from an English answer, the page is "p. 42" there and here.
        if data.get("lang") == "en":
            view = dataclasses.replace(view, location=handlers.where(view.passage, "en"))
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
    draft_outputs = view_outputs(draft)

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

    def act(tab, notes, evt: gr.EventData, request: gr.Request):
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
        return handlers.render(turns), tab, *_draft_view(handlers, stored, at, notes)

    page.chat.conversation.select(
        act, [page.chat.turns, draft.with_notes], [page.chat.conversation, page.chat.turns] + draft_outputs,
        api_visibility=PRIVATE,
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
    outputs = view_outputs(draft)

    def pin_viewed(viewed, notes, request: gr.Request, whole=False):
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
        return (*_draft_view(handlers, stored, at, notes), message)

    pin_inputs = [page.viewer.viewing, draft.with_notes]
    pin_outputs = outputs + [page.viewer.pin_message]
    page.viewer.pin_passage.click(pin_viewed, pin_inputs, pin_outputs, api_visibility=PRIVATE)

    def pin_whole(viewed, notes, request: gr.Request):
        return pin_viewed(viewed, notes, request, whole=True)

    page.viewer.pin_whole.click(pin_whole, pin_inputs, pin_outputs, api_visibility=PRIVATE)

    _wire_search(draft, handlers)
    _wire_editing(draft, handlers)


def view_outputs(draft: DraftArea) -> list:
    """What ``_draft_view`` updates, in its order."""
    return [draft.version, draft.items_pick, draft.edit_text, draft.edit_note, draft.preview, draft.editing]


def _add(handlers: Handlers, who: str, request: gr.Request, change):
    """``Drafts.add`` with its failures as the page's error message."""
    try:
        return handlers.drafts.add(who, tab_of(request), change)
    except (WorkError, ValueError) as exc:
        raise gr.Error(str(exc)) from None


def _draft_view(handlers: Handlers, stored: Draft, selected, notes=False):
    """The draft's version, item list, selected item's text and note, the memo preview (as it
    will be exported: with the notes only if ``notes``) and which part the editor holds."""
    items = stored.items
    try:
        text = (
            ui_draft.draft_markdown(items, handlers.service(), (stored.title or "").strip() or "Utkast", with_notes=notes)
            if items else ""
        )
    except (ValueError, KeyError) as exc:
        text = "**Utkastet kan inte visas:** {}".format(exc)
    sel = items[selected] if selected is not None and 0 <= selected < len(items) else None
    return (
        stored.version,
        gr.Radio(choices=ui_draft.choices(items), value=selected if sel else None),
        sel.text if sel else "",
        sel.note if sel else "",
        "#### Förhandsvisning\n\n" + text if text else "*Utkastet är tomt. Fäst avsnitt eller svar.*",
        selected if sel else None,
    )


def _wire_search(draft: DraftArea, handlers: Handlers) -> None:
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

    def pin_hits(ids, notes, request: gr.Request):
        who = owner(request)
        if not ids:
            gr.Warning("Kryssa först i de avsnitt som ska fästas.")
            return (*[gr.update()] * len(outputs), gr.update(), gr.update())

        def pin(current: Draft):
            items, at, message = ui_draft.pin_passages(current.items, handlers.service(), list(ids))
            return items, (at, message)

        stored, (at, message) = _add(handlers, who, request, pin)
        # The ticks are cleared: what is pinned is in the draft now.
        return (*_draft_view(handlers, stored, at, notes), gr.CheckboxGroup(value=[]), message)

    draft.pin_hits.click(
        pin_hits, [draft.hit_pick, draft.with_notes], outputs + [draft.hit_pick, draft.pin_message],
        api_visibility=PRIVATE,
    )


def _wire_editing(draft: DraftArea, handlers: Handlers) -> None:
    """Changes of the draft written on the version this tab shows: refused, with the newer draft
    shown, when another tab or window wrote in between (``Drafts.write``). What was typed stays in
    its box, and is saved with the next change typed. The editor's text is saved as typed; "Ta
    bort" can be undone; the preview shows the notes only when they are chosen for the memo."""
    outputs = view_outputs(draft)

    def show(seen, selected, notes, request: gr.Request):
        stored, fresh = _seen(handlers, owner(request), request, seen)
        if not fresh:
            # The pick was made on a list another tab has changed since: the new list is shown to pick from.
            gr.Warning(DRAFT_CHANGED_ELSEWHERE)
            return _draft_view(handlers, stored, None, notes)
        return _draft_view(handlers, stored, selected, notes)

    def write(who, request, seen, title, items, selected, notes=False, keep_title=False):
        """((title, *draft outputs) after writing, whether it was written); on a conflict the
        newer draft (``_refused``)."""
        try:
            stored, written = handlers.drafts.write(who, tab_of(request), seen, title, items)
        except WorkError as exc:
            raise gr.Error("Utkastet kunde inte sparas: {}".format(exc)) from None
        if written:
            return (gr.update(), *_draft_view(handlers, stored, selected, notes)), True
        return _refused(handlers, stored, selected, keep_title, notes), False

    def change_list(seen, selected, notes, how, request: gr.Request):
        """((title, *draft outputs), the draft as it was, whether ``how`` was written)."""
        who = owner(request)
        current, fresh = _seen(handlers, who, request, seen)
        if not fresh:
            # The list this tab shows is not the one stored: moving or deleting by position would hit another part.
            return _refused(handlers, current, None, notes=notes), current, False
        items, selected = how(current.items, selected)
        out, written = write(who, request, current.version, current.title, items, selected, notes)
        return out, current, written

    list_outputs = [draft.title] + outputs
    draft.items_pick.input(show, [draft.version, draft.items_pick, draft.with_notes], outputs, api_visibility=PRIVATE)

    def up(seen, sel, notes, request: gr.Request):
        return change_list(seen, sel, notes, lambda items, s: ui_draft.moved(items, s, -1), request)[0]

    def down(seen, sel, notes, request: gr.Request):
        return change_list(seen, sel, notes, lambda items, s: ui_draft.moved(items, s, 1), request)[0]

    selection = [draft.version, draft.items_pick, draft.with_notes]
    for button, how in ((draft.up, up), (draft.down, down)):
        button.click(how, selection, list_outputs, api_visibility=PRIVATE)

    def delete(seen, sel, notes, request: gr.Request):
        """"Ta bort" takes the part out and offers to undo it until the next removal."""
        out, before, written = change_list(seen, sel, notes, ui_draft.deleted, request)
        if not written or sel is None or not 0 <= sel < len(before.items):
            return (*out, gr.update(), gr.update())
        item = before.items[sel]
        # Bound to its owner, like the viewer's state: someone else's session gets nothing back.
        removed = {"owner": owner(request), "at": sel, "item": item}
        label = "Ångra: ta tillbaka «{}»".format(ui_draft.item_label(item))
        return (*out, removed, gr.Button(label, visible=True))

    def undo(removed, notes, request: gr.Request):
        """The removed part back in its place, in the draft as it is stored now."""
        who = owner(request)
        if not removed or removed.get("owner") != who:
            return (*[gr.update()] * len(list_outputs), None, gr.Button(visible=False))

        def put_back(current: Draft):
            return ui_draft.restored(current.items, (removed["at"], removed["item"]))

        stored, at = _add(handlers, who, request, put_back)
        return (gr.update(), *_draft_view(handlers, stored, at, notes), None, gr.Button(visible=False))

    draft.delete.click(delete, selection, list_outputs + [draft.removed, draft.undo], api_visibility=PRIVATE)
    draft.undo.click(
        undo, [draft.removed, draft.with_notes], list_outputs + [draft.removed, draft.undo], api_visibility=PRIVATE,
    )

    def save_title(seen, title, notes, request: gr.Request):
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
        out, _ = write(who, request, seen, title, current.items, None, notes, keep_title=True)
        if fresh:
            # The title alone changed: the list, the selection and the editor stay as they are.
            return out[0], out[1], gr.update(), gr.update(), gr.update(), out[5], gr.update()
        return out

    draft.title.blur(save_title, [draft.version, draft.title, draft.with_notes], list_outputs, api_visibility=PRIVATE)
    draft.title.submit(save_title, [draft.version, draft.title, draft.with_notes], list_outputs, api_visibility=PRIVATE)

    def show_notes(notes, request: gr.Request):
        """The preview with or without the notes, as the memo will be exported."""
        return _draft_view(handlers, _load_draft(handlers, owner(request)), None, notes)[4]

    draft.with_notes.change(show_notes, [draft.with_notes], [draft.preview], api_visibility=PRIVATE)

    def save_item(seen, sel, text, note, notes, request: gr.Request):
        """Saved as typed: the list and preview follow; the editor's own boxes are left alone. A
        refill of the editor by a pick or a move changes nothing and is not saved again. ``sel``
        is the part the editor was last filled with (a server-side state, set with the text):
        the radio's value may still be the old one when the text's change arrives."""
        who = owner(request)
        current, fresh = _seen(handlers, who, request, seen)
        if not ui_draft.unsaved(current.items, sel, text, note):
            return (gr.update(),) * len(saved_outputs)
        if not fresh:
            # Nothing is written; the typed text stays in its box, saved with the next change on the
            # draft now shown (its title and version are shown).
            title, version, pick, _, _, preview, _ = _refused(handlers, current, sel, notes=notes)
            return title, version, pick, preview, say_unsaved(CHANGED_ELSEWHERE_SHORT)
        try:
            items = ui_draft.edited(current.items, sel, text, note)
        except ValueError as exc:
            return gr.update(), gr.update(), gr.update(), gr.update(), say_unsaved(exc)
        out, written = write(who, request, current.version, current.title, items, sel, notes)
        if not written:
            return out[0], out[1], out[2], out[5], say_unsaved(CHANGED_ELSEWHERE_SHORT)
        return gr.update(), out[1], out[2], out[5], "Ändringen är sparad."

    editing = [draft.version, draft.editing, draft.edit_text, draft.edit_note, draft.with_notes]
    saved_outputs = [draft.title, draft.version, draft.items_pick, draft.preview, draft.saved]
    # "change", not "input": Gradio sends "input" for keys typed, not for text pasted or dropped.
    for box in (draft.edit_text, draft.edit_note):
        box.change(save_item, editing, saved_outputs, api_visibility=PRIVATE, trigger_mode="always_last",
                   show_progress="hidden")

    def do_export(title, sel, text, note, notes, request: gr.Request):
        current = _load_draft(handlers, owner(request))
        unsaved = ui_draft.unsaved(current.items, sel, text, note)
        if unsaved:
            warn(unsaved, "sv")
        try:
            md_path, docx_path = ui_draft.export(current.items, handlers.service(), title, with_notes=notes)
        except (ValueError, KeyError) as exc:
            gr.Warning(str(exc))
            return gr.File(value=None, visible=False), gr.File(value=None, visible=False)
        if handlers.exports is not None:
            md_path, docx_path = handlers.exports.claim([md_path, docx_path], user_of(request))
        return gr.File(value=str(md_path), visible=True), gr.File(value=str(docx_path), visible=True)

    draft.export.click(
        do_export, [draft.title, draft.editing, draft.edit_text, draft.edit_note, draft.with_notes],
        [draft.md_file, draft.docx_file], api_visibility=PRIVATE,
    )


def say_unsaved(exc) -> str:
    return "**Inte sparat:** {}. Det som står i rutan kommer inte med i promemorian förrän det går att spara.".format(exc)


def _refused(handlers: Handlers, current: Draft, selected, keep_title: bool = False, notes=False):
    """(title, *draft outputs) for a change refused because another tab wrote first: the person is
    told and the newer draft is shown, but what they typed stays in the editor (with its part still
    picked) and, with ``keep_title``, in the title box, to be saved again."""
    gr.Warning(DRAFT_CHANGED_ELSEWHERE)
    if selected is not None and not 0 <= selected < len(current.items):
        selected = None
    version, pick, _, _, preview, editing = _draft_view(handlers, current, selected, notes)
    return gr.update() if keep_title else current.title, version, pick, gr.update(), gr.update(), preview, editing


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
