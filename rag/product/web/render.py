"""HTML for the web app's conversation and source cards.

Every piece of text that comes from the corpus, a user or a language model goes through
``html.escape`` here before it reaches a ``gr.HTML`` component, so a document or a question
containing ``<script>`` is shown as text and never executed. The only markup is what this
module writes itself. Clickable elements carry ``data-pid`` (passage id) and ``data-hl``
(source spans to highlight, ``start:end;start:end``); one small script in the page head
(``CLICK_JS``) turns a click on them into an event for the passage viewer.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable, Sequence

from rag.types import Answer, AnswerPart, AnswerSentence, Passage, cited_runs

Locate = Callable[[Passage], str]
SNIPPET_CHARS = 220
NEAREST_SHOWN = 3

MODE_LABELS = {
    "extractive": "Citat ur rapporten",
    "generative": "Genererat svar – kontrollerat mot källorna",
}


@dataclass
class ChatTurn:
    """One question of the conversation and what is shown for it: streamed text until the
    complete answer arrives, or an error message."""

    question: str
    scope: str | None
    partial: str = ""
    answer: Answer | None = None
    error: str | None = None


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=True)


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
        '<button type="button" class="cite" data-pid="{pid}" data-hl="{hl}" '
        'title="Visa källa {n}: {sec}">[{n}]</button>'
    ).format(pid=esc(cit.passage.id), hl=spans_attr(cited_spans(answer, n)), n=n, sec=esc(cit.passage.section))


def _sentence(answer: Answer, s: AnswerSentence, markers: bool = True) -> str:
    markers = "".join(" " + _marker(answer, n) for n in s.citations) if markers else ""
    text = esc(s.text) + markers
    if answer.mode == "generative" and not s.supported:
        score = "" if s.support is None else " (stöd {:.2f})".format(s.support)
        return (
            '<span class="unsupported" title="Meningen stöds inte av de citerade avsnitten{}">{} '
            '<span class="badge-warn">ej belagd i källorna</span></span>'
        ).format(score, text)
    return '<span class="sentence">{}</span>'.format(text)


def source_card(passage: Passage, label: str, where: str, spans: Sequence[tuple[int, int]] = ()) -> str:
    snippet = passage.text if len(passage.text) <= SNIPPET_CHARS else passage.text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return (
        '<button type="button" class="source-card" data-pid="{pid}" data-hl="{hl}">'
        '<span class="card-n">{label}</span> <span class="card-section">{sec}</span> '
        '<span class="card-where">{where}</span><span class="card-snippet">{snip}</span></button>'
    ).format(
        pid=esc(passage.id), hl=spans_attr(spans), label=esc(label), sec=esc(passage.section),
        where=esc(where), snip=esc(snippet),
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
    if notice:
        out.append('<div class="notice notice-fallback">{}</div>'.format(_lines(notice)))
    elif answer.fallback:
        out.append(
            '<div class="notice notice-fallback"><b>Språkmodellens svar kunde inte användas</b> ({}). '
            "Du ser i stället citaten ur rapporten.</div>".format(esc(answer.fallback))
        )
    if answer.invalid_citations:
        out.append(
            '<div class="notice">Hänvisningar som inte pekade på något hämtat avsnitt togs bort: {}.</div>'.format(
                esc(", ".join("[{}]".format(n) for n in answer.invalid_citations))
            )
        )
    unsupported = sum(1 for s in answer.sentences if not s.supported)
    if answer.mode == "generative" and unsupported:
        out.append(
            '<div class="notice notice-warn">{} av {} meningar stöds inte av de citerade avsnitten '
            "och är markerade.</div>".format(unsupported, len(answer.sentences))
        )
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


def answer_html(answer: Answer, locate: Locate) -> str:
    """A complete answer: lead line, cited sentences by part, notices and source cards (or, for a
    decline, a distinct box and the nearest passages; a partial answer gets the box and its quotes)."""
    if answer.outcome == "decline" or (answer.abstained and not answer.sentences):
        cards = "".join(
            source_card(h.passage, "{}.".format(h.rank), locate(h.passage)) for h in answer.hits[:NEAREST_SHOWN]
        )
        nearest = '<div class="sources-head">Närmaste avsnitt (besvarar inte frågan)</div>' + cards if cards else ""
        return (
            '<div class="answer abstained"><div class="abstain-box"><span class="abstain-icon">?</span> {}</div>'
            "{}{}</div>"
        ).format(_lines(answer.lead), "".join(_notices(answer)), nearest)
    mode = MODE_LABELS.get(answer.mode, answer.mode)
    if answer.fallback:
        mode = MODE_LABELS["extractive"]
    body = _body(answer)
    cards = "".join(
        source_card(c.passage, "[{}]".format(c.n), locate(c.passage), cited_spans(answer, c.n)) for c in answer.citations
    )
    lead = split_lead(answer)[1]
    if answer.outcome == "partial":
        lead_html = '<div class="abstain-box partial-box"><span class="abstain-icon">!</span> {}</div>'.format(_lines(lead))
    else:
        lead_html = '<div class="answer-lead">{}</div>'.format(_lines(lead)) if lead else ""
    return (
        '<div class="answer mode-{mode_cls} outcome-{outcome}"><div class="answer-meta"><span class="mode-badge">{mode}'
        '</span></div>{notices}{lead}<div class="answer-body">{body}</div>'
        '<div class="sources-head">Källor</div><div class="sources">{cards}</div></div>'
    ).format(
        mode_cls=esc(answer.mode), outcome=esc(answer.outcome), mode=esc(mode), notices="".join(_notices(answer)),
        lead=lead_html, body=body, cards=cards,
    )


def turn_html(turn: ChatTurn, number: int, locate: Locate) -> str:
    scope = '<span class="scope-tag">{}</span>'.format(esc(turn.scope)) if turn.scope else ""
    question = '<div class="q"><span class="q-n">{}</span> {}{}</div>'.format(number, esc(turn.question), scope)
    if turn.error:
        reply = '<div class="answer error">{}</div>'.format(esc(turn.error))
    elif turn.answer is not None:
        reply = answer_html(turn.answer, locate)
        if turn.answer.standalone_question:
            reply = '<div class="standalone">Tolkad som: {}</div>'.format(esc(turn.answer.standalone_question)) + reply
    else:
        text = esc(turn.partial) if turn.partial else '<span class="searching">Söker i rapporten …</span>'
        reply = '<div class="answer streaming">{}<span class="cursor">▍</span></div>'.format(text)
    return '<div class="turn" data-turn="{}">{}{}</div>'.format(number, question, reply)


def conversation_html(turns: Sequence[ChatTurn], locate: Locate) -> str:
    if not turns:
        return (
            '<div class="empty-chat">Ställ en fråga om rapporten <i>Från insikt till handling</i> '
            "(AI Sweden, 2025) eller välj en exempelfråga. Varje mening i svaret har en hänvisning "
            "[n]; klicka på den för att läsa avsnittet i sitt sammanhang.</div>"
        )
    return '<div class="chat">{}</div>'.format("".join(turn_html(t, i, locate) for i, t in enumerate(turns, 1)))


def hits_html(hits, locate: Locate) -> str:
    """Search results in the drafting workspace, full passage text, clickable for the viewer."""
    if not hits:
        return '<div class="empty-chat">Inga avsnitt hittades.</div>'
    rows = []
    for h in hits:
        p = h.passage
        rows.append(
            '<div class="hit"><button type="button" class="source-card" data-pid="{pid}" data-hl="">'
            '<span class="card-n">{rank}.</span> <span class="card-section">{sec}</span> '
            '<span class="card-where">{where}</span><span class="card-snippet full">{text}</span></button></div>'.format(
                pid=esc(p.id), rank=h.rank, sec=esc(p.section), where=esc(locate(p)), text=esc(p.text)
            )
        )
    return '<div class="hits">{}</div>'.format("".join(rows))


def viewer_placeholder() -> str:
    return (
        '<div class="viewer-empty">Klicka på en hänvisning [n] eller ett källkort för att läsa '
        "avsnittet i sitt sammanhang, med de citerade meningarna markerade.</div>"
    )


def status_html(text: str, ready: bool, failed: bool = False) -> str:
    cls = "status-failed" if failed else ("status-ready" if ready else "status-busy")
    return '<div class="status {}">{}</div>'.format(cls, esc(text))
