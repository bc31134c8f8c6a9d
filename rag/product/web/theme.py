"""Look of the web app: a theme with system fonts only (no font or CDN requests leave the
machine), the page CSS, and the click script of the answer and search-result panels."""

from __future__ import annotations

import json

from rag.product.web.messages import LANGS, say

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Consolas", "Liberation Mono", "monospace"]


def theme():
    import gradio as gr

    # Font names given as strings are system fonts: Gradio emits no @font-face or Google Fonts link.
    # Primary and stop buttons a shade darker than Gradio's own: white on blue-500 is 3.7:1, under
    # WCAG's 4.5:1; blue-700 and red-700 are 6.7:1 and 6.5:1.
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS).set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_700",
        button_primary_background_fill_hover_dark="*primary_800",
        button_primary_text_color="white",
        button_primary_text_color_dark="white",
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_background_fill_dark="#b91c1c",
        button_cancel_background_fill_hover_dark="#991b1b",
        button_cancel_text_color="white",
        button_cancel_text_color_dark="white",
    )


# A click in the conversation or the search results becomes one event of the HTML component:
# "click" for anything with data-pid (an [n] marker, a source card, a search hit: the passage
# id and the spans to highlight), "select" for an answer's own buttons (data-act: up, down, pin;
# its turn and the comment typed under it) and "submit" for a suggested question (data-ask).
#
# A comment box keeps what is typed in it when the panel is drawn again; only the answer whose
# button was pressed takes the comment the server sends back (empty once a rating is saved).
CLICK_JS = """
let acted = null;
let announced = '';
let turnsShown = 0;
// Reading position: a new question, and again its finished answer, is brought to the top of the
// conversation's own scroll box and of the window, so the question and the answer's first line
// are read first and the sources follow below (Gradio's autoscroll would show the last card).
const scrollerOf = (el) => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const y = getComputedStyle(p).overflowY;
    if ((y === 'auto' || y === 'scroll') && p.scrollHeight > p.clientHeight) return p;
  }
  return null;
};
const showTurn = (turn) => {
  const box = scrollerOf(turn);
  if (box) box.scrollTop += turn.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
  const top = turn.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.35) window.scrollBy({top: top - 8, behavior: 'auto'});
};
watch('value', () => {
  const box = acted && element.querySelector('.turn[data-turn="' + acted + '"] .act-comment');
  if (box) box.value = box.getAttribute('value') || '';
  acted = null;
  // A finished answer is announced once in the page's live region (layout: #answer-live).
  const chat = element.querySelector('.chat[data-announce]');
  const live = document.getElementById('answer-live');
  const said = chat ? chat.dataset.announce : '';
  const turns = element.querySelectorAll('.chat > .turn');
  const last = turns[turns.length - 1];
  if (last && (turns.length > turnsShown || (said && said !== announced))) showTurn(last);
  turnsShown = turns.length;
  if (live && said && said !== announced) live.textContent = said;
  // The page is shown in the language of the latest answered question (wiring.relabel).
  if (last && said && said !== announced) document.documentElement.lang = last.getAttribute('lang') || 'sv';
  if (said) announced = said;
});
element.addEventListener('click', (e) => {
  const el = e.target.closest('[data-pid], [data-act], [data-ask]');
  if (!el || !element.contains(el)) return;
  e.preventDefault();
  if (el.dataset.act) {
    const box = el.closest('.turn') && el.closest('.turn').querySelector('.act-comment');
    acted = el.dataset.turn;
    trigger('select', {act: el.dataset.act, turn: Number(el.dataset.turn), comment: box ? box.value : ''});
  } else if (el.dataset.ask) {
    trigger('submit', {ask: el.dataset.ask});
  } else {
    window.ragCitedFrom = el;
    const turn = el.closest('.turn');
    trigger('click', {pid: el.dataset.pid, hl: el.dataset.hl || '', lang: turn ? turn.getAttribute('lang') : ''});
  }
});
"""

# On a narrow screen the viewer sits far below the conversation: when it shows a passage, the
# cited sentence is scrolled into view (on a wide screen it usually is in view already), and a
# "Tillbaka till svaret" button above the passage returns to the citation that was followed,
# with the focus on it. Its label is in the language of the answer the citation is in.
VIEWER_JS = """
const BACK = %s;
watch('value', () => {
  const target = element.querySelector('mark.cited') || element.querySelector('.passage-text');
  if (!target) return;
  const from = window.ragCitedFrom;
  const narrow = window.matchMedia('(max-width: 640px)').matches;
  if (narrow && from && document.contains(from) && !element.querySelector('.back-to-answer')) {
    const turn = from.closest('[lang]');
    const back = document.createElement('button');
    back.type = 'button';
    back.className = 'back-to-answer';
    back.textContent = BACK[(turn && turn.getAttribute('lang')) === 'en' ? 'en' : 'sv'];
    back.addEventListener('click', () => {
      from.scrollIntoView({block: 'center', behavior: 'auto'});
      from.focus();
    });
    element.querySelector('.passage-view').prepend(back);
  }
  const box = target.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) target.scrollIntoView({block: 'center', behavior: 'auto'});
});
""" % json.dumps({lang: say("page.back_to_answer", lang) for lang in LANGS}, ensure_ascii=False)

# The question box shows several lines. Gradio sends a multi-line box with Shift+Enter; chat
# tools send with Enter and make a new line with Shift+Enter, so the keys are swapped here,
# before Gradio's own handler sees them (capture phase). An IME composition is left alone.
QUESTION_KEYS_JS = """
() => {
  const inQuestion = (e) => e.key === 'Enter' && !e.isComposing && e.target.closest && e.target.closest('#question');
  window.addEventListener('keydown', (e) => {
    if (!inQuestion(e)) return;
    e.stopPropagation();
    if (!e.shiftKey) {
      e.preventDefault();
      document.querySelector('#ask').click();
    }
  }, true);
  window.addEventListener('keypress', (e) => { if (inQuestion(e)) e.stopPropagation(); }, true);
  document.documentElement.lang = 'sv';
  // The question's counter (layout.counter_html) follows what is typed, pasted or cleared; the
  // box is described by it and by the AI notice, so a screen reader reads both with the box.
  let counted = -1;
  setInterval(() => {
    const box = document.querySelector('#question textarea');
    const count = document.getElementById('question-count');
    if (!box || !count) return;
    if (!box.hasAttribute('aria-describedby')) box.setAttribute('aria-describedby', 'question-count ai-notice');
    const n = box.value.length;
    if (n === counted) return;
    counted = n;
    const limit = Number(count.dataset.limit);
    const over = n > limit;
    count.classList.toggle('over', over);
    count.textContent = (over ? count.dataset.over : count.dataset.ok).replace('{n}', n).replace('{over}', n - limit);
  }, 250);
}
"""

# Colours are custom properties with a light and a dark value: Gradio puts ``dark`` on <body>
# when the operating system asks for a dark scheme. Every pair of text and background colour
# below has a contrast of at least 4.5:1 in both schemes (axe checks it in the browser tests);
# muted text is never lighter than #4b5563 on white.
CSS = """
body {
  --rag-text: #1f2937; --rag-muted: #4b5563; --rag-accent: #1d4ea0; --rag-accent-strong: #1d4ed8;
  --rag-surface: #ffffff; --rag-panel: #f3f4f6; --rag-question: #e8f0fb; --rag-border: #8793a6;
  --rag-cite-bg: #dfe9fb; --rag-cite-fg: #1d4ea0; --rag-mark-bg: #ffe27a; --rag-mark-fg: #1a1a1a;
  --rag-warn-bg: #fff7e0; --rag-warn-fg: #5a4300; --rag-warn-line: #b7791f;
  --rag-ok-bg: #eef6ee; --rag-ok-fg: #1f5121; --rag-error-bg: #fdecec; --rag-error-fg: #7a1d1d;
  --rag-focus: #1d4ed8;
}
body.dark {
  --rag-text: #e5e7eb; --rag-muted: #cbd5e1; --rag-accent: #93c5fd; --rag-accent-strong: #bfdbfe;
  --rag-surface: #111827; --rag-panel: #1f2937; --rag-question: #1e3a5f; --rag-border: #64748b;
  --rag-cite-bg: #1e3a8a; --rag-cite-fg: #e0ecff; --rag-mark-bg: #fde047; --rag-mark-fg: #111111;
  --rag-warn-bg: #3b2f0b; --rag-warn-fg: #fde68a; --rag-warn-line: #d99a00;
  --rag-ok-bg: #12351a; --rag-ok-fg: #bbf7d0; --rag-error-bg: #3f1d1d; --rag-error-fg: #fecaca;
  --rag-focus: #93c5fd;
}
.gradio-container { max-width: 1400px !important; }
#app-title h1 { margin-bottom: 0; }
.sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.status { padding: 6px 10px; border-radius: 6px; font-size: 0.92em; }
.status-busy { background: var(--rag-warn-bg); color: var(--rag-warn-fg); border: 1px solid var(--rag-warn-line); }
.status-ready { background: var(--rag-ok-bg); color: var(--rag-ok-fg); border: 1px solid var(--rag-border); }
.status-failed { background: var(--rag-error-bg); color: var(--rag-error-fg); border: 1px solid var(--rag-error-fg); }
.empty-chat, .viewer-empty { color: var(--rag-text); padding: 14px; background: var(--rag-panel); border-radius: 8px; line-height: 1.5; }
.chat { display: flex; flex-direction: column; gap: 18px; color: var(--rag-text); }
.turn .q { font-weight: 600; background: var(--rag-question); color: var(--rag-text); border-radius: 8px; padding: 8px 12px; margin-bottom: 8px; }
.q-n { display: inline-block; min-width: 1.6em; color: var(--rag-accent); }
.scope-tag { margin-left: 8px; font-weight: 400; font-size: 0.82em; color: var(--rag-accent); border: 1px solid var(--rag-border); border-radius: 10px; padding: 1px 8px; }
.standalone { font-size: 0.85em; color: var(--rag-muted); margin: 0 0 6px 4px; }
.answer { padding: 4px; line-height: 1.6; color: var(--rag-text); }
.answer-meta { margin-bottom: 4px; }
.mode-badge { font-size: 0.78em; text-transform: uppercase; letter-spacing: 0.04em; color: var(--rag-accent); background: var(--rag-panel); border-radius: 4px; padding: 2px 6px; }
.answer-lead { font-weight: 600; margin: 4px 0; }
.answer-body { margin-bottom: 8px; }
.answer.streaming { white-space: pre-wrap; }
.searching { color: var(--rag-muted); font-style: italic; }
.cursor { animation: blink 1s steps(1) infinite; color: var(--rag-accent); }
@keyframes blink { 50% { opacity: 0; } }
button.cite { border: none; background: var(--rag-cite-bg); color: var(--rag-cite-fg); border-radius: 4px; padding: 0 4px; margin: 0 1px; min-width: 24px; min-height: 24px; font-size: 0.85em; font-weight: 600; cursor: pointer; vertical-align: baseline; }
button.cite:hover { background: var(--rag-cite-fg); color: var(--rag-surface); }
.unsupported { background: var(--rag-warn-bg); color: var(--rag-warn-fg); border-bottom: 2px dotted var(--rag-warn-line); }
.badge-warn { font-size: 0.75em; font-weight: 600; color: var(--rag-warn-fg); background: var(--rag-warn-bg); border: 1px solid var(--rag-warn-line); border-radius: 4px; padding: 0 5px; white-space: nowrap; }
.notice { font-size: 0.9em; background: var(--rag-panel); color: var(--rag-text); border-left: 4px solid var(--rag-border); padding: 6px 10px; margin: 6px 0; border-radius: 4px; }
.notice-fallback, .notice-warn { background: var(--rag-warn-bg); color: var(--rag-warn-fg); border-left-color: var(--rag-warn-line); }
.abstain-box { background: var(--rag-warn-bg); border: 1px solid var(--rag-warn-line); border-left: 6px solid var(--rag-warn-line); color: var(--rag-warn-fg); border-radius: 6px; padding: 10px 12px; font-weight: 500; }
.abstain-icon { display: inline-block; width: 1.4em; height: 1.4em; line-height: 1.4em; text-align: center; border-radius: 50%; background: var(--rag-warn-fg); color: var(--rag-warn-bg); font-weight: 700; margin-right: 6px; }
.answer.error { background: var(--rag-error-bg); color: var(--rag-error-fg); border-left: 4px solid var(--rag-error-fg); padding: 8px 12px; border-radius: 4px; }
.sources-head { font-size: 0.85em; font-weight: 600; color: var(--rag-muted); margin: 10px 0 4px; text-transform: uppercase; letter-spacing: 0.03em; }
.sources, .hits { display: flex; flex-direction: column; gap: 6px; }
button.source-card { display: block; width: 100%; text-align: left; background: var(--rag-surface); border: 1px solid var(--rag-border); border-radius: 8px; padding: 8px 10px; cursor: pointer; font: inherit; color: var(--rag-text); }
button.source-card:hover { border-color: var(--rag-accent); }
.card-n { font-weight: 700; color: var(--rag-accent); }
.card-section { font-weight: 600; color: var(--rag-text); }
.card-where { color: var(--rag-muted); font-size: 0.88em; margin-left: 6px; }
.card-snippet { display: block; color: var(--rag-text); font-size: 0.9em; margin-top: 3px; }
.card-snippet.full { white-space: pre-wrap; }
.passage-view { line-height: 1.6; color: var(--rag-text); }
.passage-head { font-weight: 600; color: var(--rag-accent); margin-bottom: 8px; }
.passage-context { color: var(--rag-muted); font-size: 0.92em; }
.passage-text { background: var(--rag-panel); color: var(--rag-text); border-left: 4px solid var(--rag-accent); padding: 8px 12px; }
mark.cited { background: var(--rag-mark-bg); color: var(--rag-mark-fg); padding: 0 1px; }
.theme-label { font-weight: 600; font-size: 0.9em; color: var(--rag-text); margin-top: 6px; }
.answer-actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 8px 0 2px; }
button.act { font: inherit; font-size: 0.85em; border: 1px solid var(--rag-border); background: var(--rag-surface); color: var(--rag-text); border-radius: 6px; padding: 2px 10px; min-height: 28px; cursor: pointer; }
button.act:hover { border-color: var(--rag-accent); background: var(--rag-panel); }
input.act-comment { font: inherit; font-size: 0.85em; flex: 1 1 12em; min-width: 8em; min-height: 28px; border: 1px solid var(--rag-border); background: var(--rag-surface); color: var(--rag-text); border-radius: 6px; padding: 2px 8px; }
input.act-comment::placeholder { color: var(--rag-muted); opacity: 1; }
.act-note { font-size: 0.85em; color: var(--rag-ok-fg); margin: 2px 0; }
.suggestions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.suggestions-head { width: 100%; font-size: 0.85em; font-weight: 600; color: var(--rag-muted); }
button.suggestion { font: inherit; font-size: 0.88em; text-align: left; border: 1px solid var(--rag-border); background: var(--rag-panel); color: var(--rag-accent); border-radius: 14px; padding: 3px 12px; min-height: 28px; cursor: pointer; }
button.suggestion:hover { background: var(--rag-cite-bg); }
#clear, #forget { background: transparent !important; border: none !important; box-shadow: none !important; color: var(--rag-text) !important; text-decoration: underline; font-weight: 400 !important; }
#question textarea { min-height: 4.8em; }
button[role="tab"].selected { color: var(--rag-accent) !important; }
button.back-to-answer { display: block; margin: 0 0 10px; min-height: 44px; padding: 6px 14px; font: inherit; font-weight: 600; color: var(--rag-accent); background: var(--rag-surface); border: 2px solid var(--rag-accent); border-radius: 8px; cursor: pointer; }
.question-count { font-size: 0.85em; color: var(--rag-muted); margin: -4px 0 2px; }
.question-count.over { color: var(--rag-error-fg); background: var(--rag-error-bg); border-radius: 4px; padding: 4px 8px; font-weight: 600; }
.question-refused { font-size: 0.92em; color: var(--rag-error-fg); background: var(--rag-error-bg); border-left: 4px solid var(--rag-error-fg); border-radius: 4px; padding: 6px 10px; }
.ai-notice { font-size: 0.88em; color: var(--rag-text); background: var(--rag-panel); border-left: 4px solid var(--rag-accent); border-radius: 4px; padding: 6px 10px; margin: 4px 0; }
.app-footer { font-size: 0.9em; color: var(--rag-text); margin-top: 12px; }
.app-footer a, footer a, footer button, .show-api { color: var(--rag-accent) !important; text-decoration: underline; }
.chat button:focus-visible, .chat input:focus-visible, .hits button:focus-visible, .app-footer a:focus-visible,
button:focus-visible, a:focus-visible, [role="tab"]:focus-visible,
input[type="radio"]:focus-visible, input[type="checkbox"]:focus-visible {
  outline: 3px solid var(--rag-focus) !important; outline-offset: 2px;
}
@media (max-width: 640px) {
  #ask, #clear, #forget, button.act, button.suggestion, input.act-comment { min-height: 44px; }
  button.cite { min-width: 32px; min-height: 32px; }
}
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
"""
