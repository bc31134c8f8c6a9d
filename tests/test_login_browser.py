"""The login in real headless Chromium, with feedback in a real PostgreSQL server.

A person signs in through Gradio's login form (users file) or arrives through an SSO proxy that
names them in a header; the ratings they give carry exactly that name. With the database stopped
a rating gets a Swedish message and the page keeps answering; once it is back the next rating is
stored without a restart of the app.
"""

from __future__ import annotations

import pytest
from fakes import HashEmbedder
from test_ui_browser import FILES, STEP_TIMEOUT_MS, ask, chromium, shot, turn  # noqa: F401  (fixture)
from ui_harness import running_app

from rag.product.feedback import all_records, open_feedback_store
from rag.product.login import UsersFile

pytestmark = [pytest.mark.browser]

PASSWORD = "rätt-häftklammer-42"
QUESTION = "Hur kan små kommuner dela på kompetens?"
SECOND_QUESTION = "Vem beslutar om kommunens AI-strategi?"
UNAVAILABLE = (
    "Omdömet kunde inte sparas: databasen för omdömen svarar inte just nu. Kommentaren finns kvar; "
    "försök igen om en stund."
)


@pytest.fixture(scope="module")
def login_app(tmp_path_factory, chromium, postgres):  # noqa: F811
    root = tmp_path_factory.mktemp("login-browser")
    users = root / "users"
    UsersFile(users).add("anna@kommun.se", PASSWORD)
    postgres.psql("DROP TABLE IF EXISTS feedback")
    with running_app(
        root, FILES, HashEmbedder(), env={"RAG_FEEDBACK_PASSWORD": postgres.password},
        users_file=users, feedback_url=postgres.url, answer_sentences=1,
    ) as (url, backend):
        yield url, backend


def _page(chromium, url: str, **context_options):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, **context_options)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(url)
    return context, page


def _rate(page, n: int, comment: str, button: str) -> str:
    """Type ``comment`` under answer ``n``, press its ``button`` (``.act-up`` / ``.act-down``) and
    return the note the answer then shows."""
    answer = turn(page, n)
    answer.locator(".act-comment").fill(comment)
    before = answer.locator(".act-note").inner_text() if answer.locator(".act-note").count() else ""
    answer.locator(button).click()
    page.wait_for_function(
        "([n, before]) => { const note = document.querySelectorAll('#conversation .turn')[n - 1].querySelector('.act-note');"
        " const t = note ? note.innerText : '';"
        " return t !== before && (t.startsWith('Tack') || t.startsWith('Omdömet kunde inte')); }",
        arg=[n, before],
    )
    return turn(page, n).locator(".act-note").inner_text()


def test_login_form_then_ratings_carry_the_user_and_survive_a_database_outage(chromium, login_app, postgres):  # noqa: F811
    url, backend = login_app
    context, page = _page(chromium, url)
    try:
        page.wait_for_selector("input[type=password]")
        assert page.locator(".status-ready").count() == 0  # nothing of the app before the login
        page.locator("input[type=text]").first.fill("anna@kommun.se")
        page.fill("input[type=password]", "fel lösenord")
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Incorrect Credentials").wait_for()
        shot(page, "21-login-refused")
        page.locator("input[type=text]").first.fill("anna@kommun.se")  # the form empties both fields
        page.fill("input[type=password]", PASSWORD)
        page.get_by_role("button", name="Login").click()
        page.wait_for_selector(".status-ready")

        ask(page, QUESTION, 1)
        assert _rate(page, 1, "Tydligt", ".act-up") == "Tack! Omdömet «bra» är sparat."
        store = open_feedback_store(backend.settings)
        assert [(r["question"], r["rating"], r["comment"], r["user"]) for r in all_records(store)] == [
            (QUESTION, 1, "Tydligt", "anna@kommun.se")
        ]

        postgres.stop()
        assert _rate(page, 1, "Under avbrottet", ".act-down") == UNAVAILABLE
        assert turn(page, 1).locator(".act-comment").input_value() == "Under avbrottet"
        shot(page, "22-feedback-database-down")
        ask(page, SECOND_QUESTION, 2)  # the app keeps answering meanwhile
        assert turn(page, 1).locator(".act-comment").input_value() == "Under avbrottet"

        postgres.start()
        # The kept comment is sent again as it stands: nothing typed a second time.
        turn(page, 1).locator(".act-down").click()
        turn(page, 1).locator(".act-note", has_text="Tack!").wait_for()
        assert turn(page, 1).locator(".act-note").inner_text() == "Tack! Omdömet «dåligt» är sparat."
        assert [(r["id"], r["question"], r["rating"], r["comment"], r["user"]) for r in all_records(store)] == [
            (1, QUESTION, 1, "Tydligt", "anna@kommun.se"),
            (2, QUESTION, -1, "Under avbrottet", "anna@kommun.se"),
        ]
    finally:
        postgres.start_if_stopped()
        context.close()


def test_a_trusted_proxy_header_names_the_user(chromium, tmp_path):  # noqa: F811
    with running_app(tmp_path, FILES, HashEmbedder(), trusted_user_header="X-Forwarded-User", answer_sentences=1) as (
        url,
        backend,
    ):
        context, page = _page(chromium, url, extra_http_headers={"X-Forwarded-User": "bo.berg@kommun.se"})
        try:
            page.wait_for_selector(".status-ready")
            ask(page, QUESTION, 1)
            assert _rate(page, 1, "", ".act-up") == "Tack! Omdömet «bra» är sparat."
        finally:
            context.close()
        records = all_records(open_feedback_store(backend.settings))
        assert [(r["question"], r["user"]) for r in records] == [(QUESTION, "bo.berg@kommun.se")]
