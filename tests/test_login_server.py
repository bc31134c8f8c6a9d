"""Sessions, login throttling, uploads and exports against the real app on loopback, with real users
signing in over HTTP (Gradio's login route) and asking through the API as scripts do."""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, corpus_without_rag_env
from ui_harness import free_port

from rag.product.login import UsersFile

FILES = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}
PASSWORD = {"anna": "annas-lösenord-1", "bo": "bos-lösenord-22", "carl": "carls-lösenord-333"}
TYPED_AS_NAME = "Hemligt-lösen-4711"


@contextmanager
def login_app(root: Path, **overrides):
    """The app as ``app.py`` builds it, with a users file of anna, bo and carl; yields (url, demo, users)."""
    from rag.config import load_settings
    from rag.product.web.app import build_app, launch
    from rag.product.web.startup import Backend

    users = UsersFile(root / "users")
    for name, password in PASSWORD.items():
        users.add(name, password)
    with corpus_without_rag_env(root, FILES) as corpus:
        settings = load_settings(
            index_dir=root / "index", corpus_dir=corpus, port=free_port(), users_file=users.path,
            feedback_path=root / "feedback.sqlite3", **overrides,
        )
        backend = Backend(settings, embedder=HashEmbedder()).start()
        backend.service(timeout=300)
        demo = build_app(backend)
        launch(demo, settings, prevent_thread_lock=True, quiet=True)
        try:
            yield "http://127.0.0.1:{}".format(settings.port), demo, users
        finally:
            demo.close()


def signed_in(url: str, name: str, password: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    response = client.post("/login", data={"username": name, "password": password or PASSWORD[name]})
    assert response.status_code == 200, response.text
    return client


def search(client: httpx.Client, query: str = "samverkan") -> int | list:
    """The status of ``/gradio_api/call/search`` for ``client``, or the passages it found."""
    started = client.post("/gradio_api/call/search", json={"data": [query, 1, ""]})
    if started.status_code != 200:
        return started.status_code
    stream = client.get("/gradio_api/call/search/" + started.json()["event_id"])
    if stream.status_code != 200:
        return stream.status_code
    assert stream.text.startswith("event: complete\ndata: "), stream.text
    return json.loads(stream.text.split("data: ", 1)[1])[0]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with login_app(tmp_path_factory.mktemp("login-server"), login_lockout_failures=3, session_max_seconds=7200,
                   ui_max_sessions=10) as running:
        yield running


def test_removing_a_user_or_changing_a_password_ends_their_session_at_once(app):
    url, _demo, users = app
    anna, bo = signed_in(url, "anna"), signed_in(url, "bo")
    assert search(anna)[0]["section"] == search(bo)[0]["section"] == "1. Samverkan"

    users.remove("bo")
    assert (search(bo), search(anna)[0]["section"]) == (401, "1. Samverkan")
    assert bo.get("/gradio_api/info").status_code == 401

    users.add("anna", "ett helt nytt lösenord")
    assert search(anna) == 401
    users.add("bo", PASSWORD["bo"])
    users.add("anna", PASSWORD["anna"])
    assert search(bo) == 401  # added again, the old cookie stays ended
    assert search(signed_in(url, "bo"))[0]["section"] == "1. Samverkan"


def test_session_cookies_carry_max_age_and_http_only(app):
    url = app[0]
    response = httpx.post(url + "/login", data={"username": "anna", "password": PASSWORD["anna"]})
    cookies = response.headers.get_list("set-cookie")

    assert len(cookies) == 2
    assert all("; Max-Age=7200" in c and "HttpOnly" in c for c in cookies)
    assert "Secure" not in [c for c in cookies if "unsecure" in c][0]  # plain http on loopback
    # Behind an HTTPS proxy on this machine (uvicorn takes the scheme from it on loopback):
    proxied = httpx.post(url + "/login", data={"username": "anna", "password": PASSWORD["anna"]},
                         headers={"X-Forwarded-Proto": "https"})
    assert [c.count("; Secure") + c.count("; secure") for c in proxied.headers.get_list("set-cookie")] == [1, 1]


def test_a_login_storm_locks_the_name_and_logs_addresses_never_typed_passwords(app, caplog):
    url = app[0]
    client = httpx.Client(base_url=url, timeout=60)

    def attempt(name: str, password: str) -> int:
        return client.post("/login", data={"username": name, "password": password}).status_code

    with caplog.at_level(logging.INFO, logger="rag.product.login"):
        storm = [attempt("carl", "gissning-{}".format(i)) for i in range(50)]
        right_password = attempt("carl", PASSWORD["carl"])
        typed_as_name = attempt(TYPED_AS_NAME, "x")
        other_user = attempt("anna", PASSWORD["anna"])

    assert storm == [400] * 3 + [429] * 47
    assert (right_password, typed_as_name, other_user) == (429, 400, 200)
    refused = client.post("/login", data={"username": "carl", "password": PASSWORD["carl"]})
    assert 890 <= int(refused.headers["retry-after"]) <= 901
    messages = [r.getMessage() for r in caplog.records if r.name == "rag.product.login"]
    assert messages[:3] == ["login refused from 127.0.0.1 for user carl: wrong password"] * 3
    assert "login refused from 127.0.0.1: unknown user name" in messages
    assert "login of anna from 127.0.0.1" in messages
    assert sum("carl: too many failed logins, next try in" in m for m in messages) == 47 + 1 + 1
    assert not any(TYPED_AS_NAME in r.getMessage() or "gissning" in r.getMessage() for r in caplog.records)


def test_uploads_are_refused_and_nothing_is_kept(app, tmp_path):
    from gradio.utils import get_upload_folder

    url = app[0]
    anna = signed_in(url, "anna")
    cache = Path(get_upload_folder())
    before = set(cache.rglob("*")) if cache.exists() else set()

    response = anna.post("/gradio_api/upload", files={"files": ("big.bin", b"x" * (5 * 1024 * 1024))})

    assert (response.status_code, response.json()) == (403, {"detail": "this app accepts no file uploads"})
    assert (set(cache.rglob("*")) if cache.exists() else set()) == before


def test_an_export_is_served_to_its_owner_only(app, tmp_path):
    url, demo, _users = app
    anna, bo = signed_in(url, "anna"), signed_in(url, "bo")
    source = tmp_path / "utkast"
    source.mkdir()
    (source / "pm.md").write_text("# Annas PM\n", encoding="utf-8")
    [path] = demo.rag_exports.claim([source / "pm.md"], "anna")
    # What Gradio does with the path the export handler returns in a gr.File.
    (md_file,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "md-file"]
    assert md_file.move_resource_to_block_cache(str(path)) == str(path)  # served in place, not copied

    address = "/gradio_api/file=" + str(path)
    assert bo.get(address).status_code == 404
    assert httpx.get(url + address).status_code == 404  # signed out: not even told it exists
    owner = anna.get(address)
    assert (owner.status_code, owner.text) == (200, "# Annas PM\n")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_gradio_keeps_at_most_ui_max_sessions_in_memory(app):
    url, demo, _users = app
    anna = signed_in(url, "anna")
    found = [search(anna, "strategi") for _ in range(25)]  # each API call is a Gradio session

    assert {f[0]["section"] for f in found} == {"1. Strategi"}
    assert len(demo.state_holder.session_data) == 10


def test_an_idle_session_ends_and_so_does_an_old_one(tmp_path):
    with login_app(tmp_path, session_idle_seconds=1, session_max_seconds=3) as (url, _demo, _users):
        idle = signed_in(url, "anna")
        assert search(idle)[0]["section"] == "1. Samverkan"
        time.sleep(1.5)
        assert search(idle) == 401

        busy = signed_in(url, "bo")

        statuses = []
        started = time.monotonic()
        while time.monotonic() - started < 5 and (not statuses or statuses[-1] != 401):
            status = search(busy)
            statuses.append(status if isinstance(status, int) else 200)
            time.sleep(0.4)
        assert statuses[0] == 200 and statuses[-1] == 401  # used all along, yet ended
