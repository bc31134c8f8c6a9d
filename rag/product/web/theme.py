"""Look of the web app: a theme with system fonts only (no font or CDN requests leave the
machine), the page CSS, and the click script of the answer and search-result panels."""

from __future__ import annotations

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Consolas", "Liberation Mono", "monospace"]


def theme():
    import gradio as gr

    # Font names given as strings are system fonts: Gradio emits no @font-face or Google Fonts link.
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS)


# A click in the conversation or the search results becomes one event of the HTML component:
# "click" for anything with data-pid (an [n] marker, a source card, a search hit: the passage
# id and the spans to highlight), "select" for an answer's own buttons (data-act: up, down, pin;
# its turn and the comment typed under it) and "submit" for a suggested question (data-ask).
#
# A comment box keeps what is typed in it when the panel is drawn again; only the answer whose
# button was pressed takes the comment the server sends back (empty once a rating is saved).
CLICK_JS = """
let acted = null;
watch('value', () => {
  const box = acted && element.querySelector('.turn[data-turn="' + acted + '"] .act-comment');
  if (box) box.value = box.getAttribute('value') || '';
  acted = null;
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
    trigger('click', {pid: el.dataset.pid, hl: el.dataset.hl || ''});
  }
});
"""

# On a narrow screen the viewer sits far below the conversation: when it shows a passage, the
# cited sentence is scrolled into view (on a wide screen it usually is in view already).
VIEWER_JS = """
watch('value', () => {
  const target = element.querySelector('mark.cited') || element.querySelector('.passage-text');
  if (!target) return;
  const box = target.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) target.scrollIntoView({block: 'center'});
});
"""

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
}
"""

CSS = """
.gradio-container { max-width: 1400px !important; }
#app-title h1 { margin-bottom: 0; }
.status { padding: 6px 10px; border-radius: 6px; font-size: 0.92em; }
.status-busy { background: #fff7e0; color: #6b4e00; border: 1px solid #f0d48a; }
.status-ready { background: #eef6ee; color: #1f5121; border: 1px solid #bcdcbc; }
.status-failed { background: #fdecec; color: #7a1d1d; border: 1px solid #f0b4b4; }
.empty-chat, .viewer-empty { color: #555; padding: 14px; background: #f6f7f9; border-radius: 8px; line-height: 1.5; }
.chat { display: flex; flex-direction: column; gap: 18px; }
.turn .q { font-weight: 600; background: #eaf1fb; border-radius: 8px; padding: 8px 12px; margin-bottom: 8px; }
.q-n { display: inline-block; min-width: 1.6em; color: #2a5db0; }
.scope-tag { margin-left: 8px; font-weight: 400; font-size: 0.82em; color: #2a5db0; border: 1px solid #9bb7e3; border-radius: 10px; padding: 1px 8px; }
.standalone { font-size: 0.85em; color: #666; margin: 0 0 6px 4px; }
.answer { padding: 4px 4px 4px 4px; line-height: 1.6; }
.answer-meta { margin-bottom: 4px; }
.mode-badge { font-size: 0.78em; text-transform: uppercase; letter-spacing: 0.04em; color: #2a5db0; background: #eef3fb; border-radius: 4px; padding: 2px 6px; }
.mode-generative .mode-badge { color: #5b2a86; background: #f3ecfa; }
.answer-lead { font-weight: 600; margin: 4px 0; }
.answer-body { margin-bottom: 8px; }
.answer.streaming { white-space: pre-wrap; color: #333; }
.searching { color: #777; font-style: italic; }
.cursor { animation: blink 1s steps(1) infinite; color: #2a5db0; }
@keyframes blink { 50% { opacity: 0; } }
button.cite { border: none; background: #dfe9fb; color: #1d4ea0; border-radius: 4px; padding: 0 4px; margin: 0 1px; font-size: 0.85em; font-weight: 600; cursor: pointer; }
button.cite:hover, button.cite:focus { background: #1d4ea0; color: #fff; }
.unsupported { background: #fff4d6; border-bottom: 2px dotted #c98a00; }
.badge-warn { font-size: 0.75em; font-weight: 600; color: #7a5200; background: #ffe3a3; border-radius: 4px; padding: 0 5px; white-space: nowrap; }
.notice { font-size: 0.9em; background: #f3f4f6; border-left: 4px solid #8a94a6; padding: 6px 10px; margin: 6px 0; border-radius: 4px; }
.notice-fallback, .notice-warn { background: #fff7e0; border-left-color: #d99a00; }
.abstained .abstain-box { background: #fff7e0; border: 1px solid #e8c767; border-left: 6px solid #d99a00; color: #5a4300; border-radius: 6px; padding: 10px 12px; font-weight: 500; }
.abstain-icon { display: inline-block; width: 1.4em; height: 1.4em; line-height: 1.4em; text-align: center; border-radius: 50%; background: #d99a00; color: #fff; font-weight: 700; margin-right: 6px; }
.answer.error { background: #fdecec; border-left: 4px solid #c0392b; padding: 8px 12px; border-radius: 4px; }
.sources-head { font-size: 0.85em; font-weight: 600; color: #555; margin: 10px 0 4px; text-transform: uppercase; letter-spacing: 0.03em; }
.sources, .hits { display: flex; flex-direction: column; gap: 6px; }
button.source-card { display: block; width: 100%; text-align: left; background: #fff; border: 1px solid #d5dae2; border-radius: 8px; padding: 8px 10px; cursor: pointer; font: inherit; color: inherit; }
button.source-card:hover, button.source-card:focus { border-color: #2a5db0; box-shadow: 0 0 0 2px #dfe9fb; }
.card-n { font-weight: 700; color: #1d4ea0; }
.card-section { font-weight: 600; }
.card-where { color: #666; font-size: 0.88em; margin-left: 6px; }
.card-snippet { display: block; color: #444; font-size: 0.9em; margin-top: 3px; }
.card-snippet.full { white-space: pre-wrap; }
.passage-view { line-height: 1.6; }
.passage-head { font-weight: 600; color: #1d4ea0; margin-bottom: 8px; }
.passage-context { color: #777; font-size: 0.92em; }
.passage-text { background: #fafbfc; border-left: 4px solid #2a5db0; padding: 8px 12px; }
mark.cited { background: #ffe27a; padding: 0 1px; }
.passage-source { font-size: 0.8em; color: #888; margin-top: 6px; }
.theme-label { font-weight: 600; font-size: 0.9em; color: #444; margin-top: 6px; }
.answer-actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 8px 0 2px; }
button.act { font: inherit; font-size: 0.85em; border: 1px solid #c9d1dd; background: #fff; border-radius: 6px; padding: 2px 10px; cursor: pointer; }
button.act:hover, button.act:focus { border-color: #2a5db0; background: #eef3fb; }
input.act-comment { font: inherit; font-size: 0.85em; flex: 1 1 12em; min-width: 8em; border: 1px solid #c9d1dd; border-radius: 6px; padding: 2px 8px; }
.act-note { font-size: 0.85em; color: #1f5121; margin: 2px 0; }
.suggestions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.suggestions-head { width: 100%; font-size: 0.85em; font-weight: 600; color: #555; }
button.suggestion { font: inherit; font-size: 0.88em; text-align: left; border: 1px solid #9bb7e3; background: #f5f8fd; color: #1d4ea0; border-radius: 14px; padding: 3px 12px; cursor: pointer; }
button.suggestion:hover, button.suggestion:focus { background: #dfe9fb; }
#clear { background: transparent !important; border: none !important; box-shadow: none !important; color: #555 !important; text-decoration: underline; font-weight: 400 !important; }
#question textarea { min-height: 4.8em; }
"""
