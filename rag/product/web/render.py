"""HTML for the web app's conversation and source cards.

Every piece of text that comes from the corpus, a user or a language model goes through
``html.escape`` here before it reaches a ``gr.HTML`` component, so a document or a question
containing ``<script>`` is shown as text and never executed. The only markup is what this
module writes itself. Clickable elements carry ``data-pid`` (passage id) and ``data-hl``
(source spans to highlight, ``start:end;start:end``), an answer's own buttons ``data-act``
(rate, pin) and ``data-turn``, a suggested question ``data-ask``; one small script
(``CLICK_JS``) turns a click on them into an event of the panel. Every label around an answer
is in the answer's language (``rag.answering.messages``); the report's quotes stay as written.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass, field
from typing import Callable, Sequence

from functools import lru_cache

from rag.answering.compose import nearest_hits
from rag.lexical import detect_lang
from rag.locations import page_label
from rag.product.web.messages import say
from rag.types import Answer, AnswerPart, AnswerSentence, PageSpan, Passage, cited_runs

# Where a passage stands, as a reader sees it ("s. 14"; "p. 14" with lang "en").
Locate = Callable[[Passage, str], str]
SNIPPET_CHARS = 220
# The comment box under an answer; the feedback store keeps what is typed.
COMMENT_CHARS = 1000


@dataclass
class ChatTurn:
    """One question of the conversation and what is shown for it: streamed text until the
    complete answer arrives, or an error message."""

    question: str
    scope: str | None
    partial: str = ""
    answer: Answer | None = None
    error: str | None = None
    comment: str = ""  # typed under the answer; kept when a rating cannot be saved
    note: str = ""  # what the answer's own buttons last did ("Tack! …", "fäst i utkastet …")
    suggestions: tuple[str, ...] = ()
    waiting: str = ""  # while the first index is built: how far it has come
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # names the turn in the stored conversation
    asked_at: str = ""  # UTC ISO time the answer was stored; what retention counts from


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=True)


@lru_cache(maxsize=4096)
def text_lang(text: str) -> str:
    """The language of a quote ("sv" or "en"), so that a screen reader reads it in that language."""
    return detect_lang(text)


def lang_attr(text: str, around: str) -> str:
    """ ' lang="sv"' when ``text`` is in another language than the ``around`` it; "" otherwise."""
    lang = text_lang(text)
    return ' lang="{}"'.format(lang) if lang != around else ""


def spans_attr(spans: Sequence[tuple[int, int]]) -> str:
    return ";".join("{}:{}".format(a, b) for a, b in spans)


def parse_spans(value: str) -> list[tuple[int, int]]:
    """Inverse of ``spans_attr``; anything malformed is dropped (the value comes from the page)."""
    spans = []
    for part in (value or "").split(";"):
        a, _, b = part.partition(":")
        if a.strip().isdigit() and b.strip().isdigit():
            spans.append((int(a), int(b)))
    return spans


def cited_spans(answer: Answer, n: int | None = None) -> list[tuple[int, int]]:
    """Source spans of the answer's sentences that cite ``[n]`` (all cited sentences when None)."""
    return [
        (s.start, s.end)
        for s in answer.sentences
        if s.start is not None and s.end is not None and (n is None or n in s.citations)
    ]


def _marker(answer: Answer, n: int) -> str:
    cit = next((c for c in answer.citations if c.n == n), None)
    if cit is None:
        return "[{}]".format(n)
    return (
        '<button type="button" class="cite" data-pid="{pid}" data-hl="{hl}" title="{title}">[{n}]</button>'
    ).format(
        pid=esc(cit.passage.id), hl=spans_attr(cited_spans(answer, n)), n=n,
        title=esc(say("ui.show_source", answer.lang, n=n, section=cit.passage.section)),
    )


def _sentence(answer: Answer, s: AnswerSentence, markers: bool = True) -> str:
    markers = "".join(" " + _marker(answer, n) for n in s.citations) if markers else ""
    text = esc(s.text) + markers
    if answer.mode == "generative" and not s.supported:
        title = say("ui.unsupported_title", answer.lang)
        if s.support is not None:
            title += " ({})".format(say("ui.support", answer.lang, support=s.support))
        return '<span class="unsupported" title="{}">{} <span class="badge-warn">{}</span></span>'.format(
            esc(title), text, esc(say("ui.unsupported_badge", answer.lang))
        )
    return '<span class="sentence">{}</span>'.format(text)


def passage_start(passage: Passage) -> str:
    if len(passage.text) <= SNIPPET_CHARS:
        return passage.text
    return passage.text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def cited_quote(answer: Answer, n: int) -> str:
    """The sentences of the answer that cite ``[n]``, in source order; "…" where the passage's
    text between two of them is left out."""
    cited = sorted(
        (s for s in answer.sentences if n in s.citations and s.start is not None and s.end is not None),
        key=lambda s: s.start,
    )
    out = []
    for prev, s in zip([None] + cited[:-1], cited):
        if prev is not None and s.start > prev.end + 2:
            out.append("…")
        out.append(s.text.lstrip("• "))
    return " ".join(out)


def cited_pages(answer: Answer, n: int, lang: str) -> str:
    """ "s. 14", "ca s. 14–15": the pages the sentences citing ``[n]`` stand on; "" without pages."""
    cited = [s for s in answer.sentences if n in s.citations and s.page is not None]
    if not cited:
        return ""
    pages = PageSpan(min(s.page for s in cited), max(s.page for s in cited), any(s.page_estimated for s in cited))
    return page_label(pages, lang)


def source_card(
    passage: Passage, label: str, where: str, spans: Sequence[tuple[int, int]] = (), quote: str | None = None,
    lang: str = "sv",
) -> str:
    """A clickable card: number, chapter › section, page, and the cited sentences (``quote``) or,
    for a passage shown without a quote, its start. ``lang``: the language around the card."""
    snippet = quote if quote else passage_start(passage)
    # One language for the document's words on the card: a heading alone is too short to tell.
    text_lang_attr = lang_attr(passage.section + " " + snippet, lang)
    return (
        '<button type="button" class="source-card" data-pid="{pid}" data-hl="{hl}">'
        '<span class="card-n">{label}</span> <span class="card-section"{sec_lang}>{sec}</span> '
        '<span class="card-where">{where}</span><span class="card-snippet"{snip_lang}>{snip}</span></button>'
    ).format(
        pid=esc(passage.id), hl=spans_attr(spans), label=esc(label), sec=esc(passage.section),
        where=esc(where), snip=esc(snippet), sec_lang=text_lang_attr, snip_lang=text_lang_attr,
    )


def split_lead(answer: Answer) -> tuple[str | None, str]:
    """(fallback notice, lead). A fallback answer's lead starts with the answerer's own notice
    paragraph (in the answer's language); it is shown as the notice box, not twice."""
    if answer.fallback and "\n\n" in answer.lead:
        notice, lead = answer.lead.split("\n\n", 1)
        return notice, lead
    return None, answer.lead


def _lines(text: str) -> str:
    return esc(text).replace("\n", "<br>")


def _notices(answer: Answer) -> list[str]:
    out = []
    notice, _ = split_lead(answer)
    lang = answer.lang
    if notice:
        out.append('<div class="notice notice-fallback">{}</div>'.format(_lines(notice)))
    elif answer.fallback:
        out.append(
            '<div class="notice notice-fallback"><b>{}</b> ({}). {}</div>'.format(
                esc(say("ui.fallback_head", lang)), esc(answer.fallback), esc(say("ui.fallback_rest", lang))
            )
        )
    if answer.invalid_citations:
        markers = ", ".join("[{}]".format(n) for n in answer.invalid_citations)
        out.append('<div class="notice">{}</div>'.format(esc(say("ui.removed_citations", lang, markers=markers))))
    unsupported = sum(1 for s in answer.sentences if not s.supported)
    if answer.mode == "generative" and unsupported:
        text = say("ui.unsupported_count", lang, unsupported=unsupported, total=len(answer.sentences))
        out.append('<div class="notice notice-warn">{}</div>'.format(esc(text)))
    return out


def _body(answer: Answer) -> str:
    """The answer's sentences by part: the first part as a paragraph, the others as headed lists."""
    parts = answer.parts or (AnswerPart("lead", None, (tuple(range(len(answer.sentences))),)),)
    out = []
    for part in parts:
        items = [_item(answer, [answer.sentences[i] for i in item]) for item in part.items]
        if part.heading:
            out.append(
                '<div class="answer-part part-{kind}"><div class="part-head">{head}</div><ul>{items}</ul></div>'.format(
                    kind=esc(part.kind), head=esc(part.heading), items="".join("<li>{}</li>".format(x) for x in items)
                )
            )
        else:
            out.append('<p class="answer-part part-{}">{}</p>'.format(esc(part.kind), " ".join(items)))
    return "".join(out)


def _item(answer: Answer, sentences: list[AnswerSentence]) -> str:
    """Sentences quoted together; the markers of a stretch from one passage follow its last sentence."""
    out = []
    for run, citations in cited_runs(sentences):
        texts = ["<br>" + _sentence(answer, s, markers=False) if s.text.startswith("•") and (out or i) else
                 _sentence(answer, s, markers=False) for i, s in enumerate(run)]
        out.append(" ".join(texts) + "".join(" " + _marker(answer, n) for n in citations))
    return " ".join(out)


def _mode_badge(answer: Answer) -> str:
    """The message key of the badge above an answer: it says "ur rapporten" only when the report is all it quotes."""
    if answer.mode == "generative" and not answer.fallback:
        return "ui.mode.generative"
    if not answer.other_documents:
        return "ui.mode.extractive"
    quoted = {c.passage.source for c in answer.citations}
    return "ui.mode.extractive_other" if quoted <= set(answer.other_documents) else "ui.mode.extractive_mixed"


def answer_html(answer: Answer, locate: Locate) -> str:
    """A complete answer: lead line, cited sentences by part, notices and source cards (or, for a
    decline, a distinct box and the nearest passages; a partial answer gets the box and its quotes)."""
    lang = answer.lang
    if answer.outcome == "decline" or (answer.abstained and not answer.sentences):
        cards = "".join(
            source_card(h.passage, "{}.".format(h.rank), locate(h.passage, lang), lang=lang) for h in nearest_hits(answer)
        )
        head = '<div class="sources-head">{}</div>'.format(esc(say("ui.nearest", lang)))
        nearest = head + cards if cards else ""
        return (
            '<div class="answer abstained"><div class="abstain-box"><span class="abstain-icon">?</span> {}</div>'
            "{}{}</div>"
        ).format(_lines(answer.lead), "".join(_notices(answer)), nearest)
    quoted = answer.fallback or answer.mode != "generative"
    mode = say(_mode_badge(answer), lang)
    body = _body(answer)
    # Quotes stay in the report's language inside an answer in the question's.
    body_lang = lang_attr(" ".join(s.text for s in answer.sentences), lang) if quoted else ""
    cards = "".join(
        source_card(
            c.passage, "[{}]".format(c.n), cited_pages(answer, c.n, lang) or locate(c.passage, lang),
            cited_spans(answer, c.n), cited_quote(answer, c.n), lang=lang,
        )
        for c in answer.citations
    )
    lead = split_lead(answer)[1]
    if answer.outcome == "partial":
        lead_html = '<div class="abstain-box partial-box"><span class="abstain-icon">!</span> {}</div>'.format(_lines(lead))
    else:
        lead_html = '<div class="answer-lead">{}</div>'.format(_lines(lead)) if lead else ""
    return (
        '<div class="answer mode-{mode_cls} outcome-{outcome}"><div class="answer-meta"><span class="mode-badge">{mode}'
        '</span></div>{notices}{lead}<div class="answer-body"{body_lang}>{body}</div>'
        '<div class="sources-head">{sources}</div><div class="sources">{cards}</div></div>'
    ).format(
        mode_cls=esc(answer.mode), outcome=esc(answer.outcome), mode=esc(mode), notices="".join(_notices(answer)),
        lead=lead_html, body=body, body_lang=body_lang, sources=esc(say("sources", lang)), cards=cards,
    )


def actions_html(turn: ChatTurn, number: int) -> str:
    """The answer's own buttons: ✓, ✗ with an optional comment, and pin (not for a decline, which
    has no sources), bound to the turn by ``data-turn``; and what the last of them did."""
    answer = turn.answer
    lang = answer.lang
    button = '<button type="button" class="act act-{act}" data-act="{act}" data-turn="{n}">{label}</button>'
    parts = [
        button.format(act="up", n=number, label=esc(say("ui.rate_up", lang))),
        button.format(act="down", n=number, label=esc(say("ui.rate_down", lang))),
        '<input type="text" class="act-comment" maxlength="{}" placeholder="{}" aria-label="{}" value="{}">'.format(
            COMMENT_CHARS, esc(say("ui.comment", lang)), esc(say("ui.comment", lang)), esc(turn.comment)
        ),
    ]
    if answer.outcome != "decline" and answer.citations:
        parts.append(button.format(act="pin", n=number, label=esc(say("ui.pin", lang))))
    note = '<div class="act-note">{}</div>'.format(esc(turn.note)) if turn.note else ""
    return '<div class="answer-actions">{}</div>{}'.format("".join(parts), note)


def suggestions_html(turn: ChatTurn) -> str:
    if not turn.suggestions:
        return ""
    buttons = "".join(
        '<button type="button" class="suggestion" data-ask="{q}">{q}</button>'.format(q=esc(q)) for q in turn.suggestions
    )
    return '<div class="suggestions"><div class="suggestions-head">{}</div>{}</div>'.format(
        esc(say("ui.suggestions", turn.answer.lang)), buttons
    )


def turn_lang(turn: ChatTurn) -> str:
    """The language a turn is shown in: its answer's, which is the question's."""
    return turn.answer.lang if turn.answer is not None else text_lang(turn.question)


def turn_html(turn: ChatTurn, number: int, locate: Locate) -> str:
    lang = turn_lang(turn)
    scope = '<span class="scope-tag">{}</span>'.format(esc(turn.scope)) if turn.scope else ""
    # A question typed over several lines is shown as typed.
    question = '<div class="q"><span class="q-n">{}</span> {}{}</div>'.format(number, _lines(turn.question), scope)
    if turn.error:
        reply = '<div class="answer error">{}</div>'.format(esc(turn.error))
    elif turn.answer is not None:
        reply = answer_html(turn.answer, locate) + actions_html(turn, number) + suggestions_html(turn)
        if turn.answer.standalone_question:
            interpreted = say("ui.interpreted", turn.answer.lang, question=turn.answer.standalone_question)
            reply = '<div class="standalone">{}</div>'.format(esc(interpreted)) + reply
    else:
        if turn.partial:
            text = esc(turn.partial)
        elif turn.waiting:
            text = '<span class="searching waiting">{}</span>'.format(esc(turn.waiting))
        else:
            text = '<span class="searching">{}</span>'.format(esc(say("chat.searching", lang)))
        reply = '<div class="answer streaming">{}<span class="cursor" aria-hidden="true">▍</span></div>'.format(text)
    return '<div class="turn" data-turn="{}" lang="{}">{}{}</div>'.format(number, lang, question, reply)


def announcement(turns: Sequence[ChatTurn]) -> str:
    """What a screen reader is told once the last question is handled ("Svar 2 är klart: …"), in
    the turn's language; "" while it is still being answered."""
    if not turns:
        return ""
    turn, n = turns[-1], len(turns)
    lang = turn_lang(turn)
    if turn.error:
        return say("chat.failed", lang, n=n)
    if turn.answer is None:
        return ""
    if turn.answer.outcome == "decline":
        return say("chat.declined", lang, n=n)
    first = split_lead(turn.answer)[1] or (turn.answer.sentences[0].text if turn.answer.sentences else "")
    return say("chat.answered", lang, n=n) + (" " + first if first else "")


def conversation_html(turns: Sequence[ChatTurn], locate: Locate, lang: str = "sv") -> str:
    if not turns:
        return '<div class="empty-chat">{}</div>'.format(say("page.empty_chat", lang))
    return '<div class="chat" data-announce="{}">{}</div>'.format(
        esc(announcement(turns)), "".join(turn_html(t, i, locate) for i, t in enumerate(turns, 1))
    )


def hits_html(hits, locate: Locate) -> str:
    """Search results in the drafting workspace: section, page and the start of each passage, short
    enough that a page of results is read without scrolling; a click opens it in the viewer. No
    rank number: the order shows it, and a chapter's own number is not doubled ("1. 3. Insikter")."""
    if not hits:
        return '<div class="empty-chat">Inga avsnitt hittades.</div>'
    rows = []
    for h in hits:
        p = h.passage
        rows.append(
            '<div class="hit"><button type="button" class="source-card" data-pid="{pid}" data-hl="">'
            '<span class="card-section">{sec}</span> '
            '<span class="card-where">{where}</span><span class="card-snippet">{text}</span></button></div>'.format(
                pid=esc(p.id), sec=esc(p.section), where=esc(locate(p, "sv")), text=esc(passage_start(p))
            )
        )
    return '<div class="hits">{}</div>'.format("".join(rows))


def draft_viewer_placeholder() -> str:
    return '<div class="viewer-empty">Klicka på ett sökresultat för att läsa hela avsnittet här.</div>'


def viewer_placeholder(lang: str = "sv") -> str:
    return '<div class="viewer-empty">{}</div>'.format(esc(say("page.viewer_empty", lang)))


def status_html(text: str, ready: bool, failed: bool = False) -> str:
    cls = "status-failed" if failed else ("status-ready" if ready else "status-busy")
    return '<div class="status {}">{}</div>'.format(cls, esc(text))
