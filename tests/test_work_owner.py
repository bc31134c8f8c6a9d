"""A Gradio session hash grants nothing: two real users of an app with a login, one in real
headless Chromium, the other sending events by hand with the first one's session hash (it travels
in URL query strings, so a proxy's access log holds it). Also the owner of a request without a
login: a browser id from an HttpOnly cookie, never the session hash."""

from __future__ import annotations

import json

import httpx
import pytest
from fakes import HashEmbedder
from test_ui_browser import FILES, STEP_TIMEOUT_MS, ask, chromium, turn  # noqa: F401  (fixture)
from ui_harness import running_app

from rag.product.feedback import all_records, open_feedback_store
from rag.product.login import UsersFile
from rag.product.web.owner import BROWSER_COOKIE, browser_id, owner_of
from rag.product.work import CHAT, DRAFT, open_work_store

PASSWORD = "rätt-häftklammer-42"
QUESTION = "Hur kan små kommuner dela på kompetens?"
SETTINGS = {"decline_below": 0.0, "partial_below": 0.0, "answer_sentences": 1}
TIMEOUT_S = 60


def _sign_in(page, name: str) -> None:
    page.wait_for_selector("input[type=password]")
    page.locator("input[type=text]").first.fill(name)
    page.fill("input[type=password]", PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector(".status-ready")


def _event(client: httpx.Client, url: str, fn_index: int, trigger: int, session_hash: str, data, event_data) -> str:
    """Send one event of the page as its own script would, under ``session_hash``; the text of
    every message that came back for it."""
    joined = client.post(
        url + "gradio_api/queue/join",
        json={"data": data, "event_data": event_data, "fn_index": fn_index, "trigger_id": trigger,
              "session_hash": session_hash},
    )
    joined.raise_for_status()
    received = []
    with client.stream("GET", url + "gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            received.append(json.dumps(message, ensure_ascii=False))
            if message.get("msg") in ("process_completed", "close_stream"):
                break
    return "\n".join(received)


def _dependency(config: dict, elem_id: str, event: str) -> tuple[int, int, int]:
    """(fn_index, component id, number of inputs) of the page's handler of ``event`` on the
    component ``elem_id``."""
    (component,) = [c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id]
    for index, dep in enumerate(config["dependencies"]):
        if [component, event] in [list(t) for t in dep["targets"]]:
            return dep.get("id", index), component, len(dep["inputs"])
    raise AssertionError("no {} handler on #{}".format(event, elem_id))


@pytest.mark.browser
def test_bob_with_alices_session_hash_gets_nothing_of_hers(chromium, tmp_path):  # noqa: F811
    users = tmp_path / "users"
    UsersFile(users).add("alice", PASSWORD)
    UsersFile(users).add("bob", PASSWORD)
    with running_app(tmp_path, FILES, HashEmbedder(), users_file=users, **SETTINGS) as (url, backend):
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        hashes: set[str] = set()
        try:
            page = context.new_page()
            page.set_default_timeout(STEP_TIMEOUT_MS)
            page.on("request", lambda r: hashes.update(
                p.split("=", 1)[1] for p in r.url.split("?", 1)[-1].split("&") if p.startswith("session_hash=")
            ))
            page.goto(url)
            _sign_in(page, "alice")
            ask(page, QUESTION, 1)
            turn(page, 1).locator(".act-pin").click()
            turn(page, 1).locator(".act-note", has_text="fäst").wait_for()
            (alice_hash,) = hashes

            with httpx.Client(timeout=TIMEOUT_S) as bob:
                bob.post(url + "login", data={"username": "bob", "password": PASSWORD}).raise_for_status()
                config = bob.get(url + "config").json()
                act, conversation, inputs = _dependency(config, "conversation", "select")
                # Rate and pin "her" answer 1, then what the page shows when it opens, all under her
                # hash. The page's state inputs are sent empty: Gradio fills them from the session.
                seen = [
                    _event(bob, url, act, conversation, alice_hash, [None] * inputs,
                           {"turn": 1, "act": act_name, "comment": "x"})
                    for act_name in ("up", "pin")
                ]
                load = next(i for i, d in enumerate(config["dependencies"]) if d["targets"] and d["targets"][0][1] == "load"
                            and "conversation" in json.dumps([c for c in config["components"] if c["id"] in d["outputs"]]))
                seen.append(_event(bob, url, config["dependencies"][load].get("id", load), None, alice_hash, [], None))

            assert all('"msg": "process_completed"' in s and '"success": true' in s for s in seen)
            assert not any(QUESTION in s or "kompetens" in s for s in seen)
            assert '<div class=\\"empty-chat' in seen[2] or "empty-chat" in seen[2]
            assert all_records(open_feedback_store(backend.settings)) == []  # no rating of hers, as bob or anyone
            store = open_work_store(backend.settings)
            assert [t["question"] for t in store.load("user:alice", CHAT).data["turns"]] == [QUESTION]
            assert [i["heading"] for i in store.load("user:alice", DRAFT).data["items"]] == [QUESTION]
            assert (store.load("user:bob", CHAT).version, store.load("user:bob", DRAFT).version) == (0, 0)
            # Alice's page still shows her own work, untouched.
            page.reload()
            page.wait_for_function("document.querySelectorAll('#conversation .turn').length == 1")
            assert turn(page, 1).locator(".q").inner_text() == "1 " + QUESTION
        finally:
            context.close()


class FakeRequest:
    """FAKE gr.Request: what ``owner_of`` reads."""

    def __init__(self, username=None, cookie="", session_hash="h"):
        self.username = username
        self.headers = {"cookie": cookie}
        self.session_hash = session_hash


def test_the_owner_is_the_user_or_the_browser_cookie_never_the_session_hash():
    browser = "b" * 43
    assert owner_of(FakeRequest("alice", cookie="{}={}".format(BROWSER_COOKIE, browser))) == "user:alice"
    assert owner_of(FakeRequest(None, cookie="a=1; {}={}".format(BROWSER_COOKIE, browser))) == "browser:" + browser
    assert owner_of(FakeRequest(None, cookie="", session_hash="alices-hash")) == ""
    assert owner_of(FakeRequest(None, cookie="{}=short".format(BROWSER_COOKIE))) == ""
    assert owner_of(None) == ""
    assert browser_id('{}="bad value with spaces"'.format(BROWSER_COOKIE)) is None
