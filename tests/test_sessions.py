"""Sessions that end, login throttling and private exports, as units with a FAKE clock (no waiting)."""

from __future__ import annotations

import asyncio
import logging
import os
import stat

import pytest

from rag.product import throttle as throttle_module
from rag.product.login import CLIENT_ADDRESS, PasswordLogin, UsersFile
from rag.product.sessions import SessionTokens, UserStamps
from rag.product.throttle import LoginThrottle
from rag.product.web.exports import DOWNLOADED_GRACE_S, PrivateExports

PASSWORD = "rätt-häftklammer-42"


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# ---- sessions -----------------------------------------------------------------------------------


def test_a_session_ends_after_idle_time_and_after_its_absolute_lifetime():
    clock = FakeClock()
    tokens = SessionTokens(idle_seconds=60, max_seconds=300, clock=clock)
    tokens["a"] = "anna"
    tokens["b"] = "bo"

    clock.advance(59)
    assert tokens.get("a") == "anna"  # used: its idle time starts again
    clock.advance(59)
    assert (tokens.get("a"), tokens.get("b")) == ("anna", None)  # b unused for 118 s
    for _ in range(3):
        clock.advance(50)
        assert tokens.get("a") == "anna"  # 268 s after the login
    clock.advance(50)  # 318 s after the login, though used 50 s ago
    assert tokens.get("a") is None
    assert len(tokens) == 0


def test_gradio_logout_over_the_table_skips_ended_sessions():
    clock = FakeClock()
    tokens = SessionTokens(idle_seconds=60, max_seconds=300, clock=clock)
    tokens["old"] = "anna"
    clock.advance(61)
    tokens["new"] = "anna"
    tokens["other"] = "bo"
    # What gradio.routes' logout does for all of a user's sessions:
    for token in list(tokens.keys()):
        if tokens[token] == "anna":
            del tokens[token]
    assert list(tokens) == ["other"]


def test_removing_a_user_or_changing_the_password_ends_the_session_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr("rag.product.login.SCRYPT_N", 2**10)  # cheap hashes; the check is on the stamp
    users = UsersFile(tmp_path / "users")
    users.add("anna", PASSWORD)
    users.add("bo", PASSWORD)
    tokens = SessionTokens(3600, 36000, UserStamps(users.path, users.load))
    tokens["a"], tokens["b"], tokens["b2"] = "anna", "bo", "bo"

    users.remove("bo")
    assert (tokens.get("a"), tokens.get("b"), tokens.get("b2")) == ("anna", None, None)
    users.add("bo", PASSWORD)  # added again: the old sessions stay ended
    assert tokens.get("b") is None
    tokens["b3"] = "bo"
    users.add("anna", "ett nytt lösenord")
    assert (tokens.get("a"), tokens.get("b3")) == (None, "bo")


def test_an_unreadable_users_file_ends_every_session(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("rag.product.login.SCRYPT_N", 2**10)
    users = UsersFile(tmp_path / "users")
    users.add("anna", PASSWORD)
    tokens = SessionTokens(3600, 36000, UserStamps(users.path, users.load))
    tokens["a"] = "anna"

    users.path.write_text("anna:klartext\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="rag.product.sessions"):
        assert tokens.get("a") is None
    assert caplog.messages == [
        "every session ends until the users file can be read again: {} line 1: expected NAME:scrypt$n$r$p$salt$hash "
        "as `rag users add` writes it; fix or delete that line".format(users.path)
    ]


# ---- throttle -----------------------------------------------------------------------------------


def test_failed_logins_grow_the_delay_then_lock_the_name():
    clock = FakeClock()
    throttle = LoginThrottle(lockout_failures=10, lockout_seconds=900, clock=clock)
    waits = []
    for _ in range(10):
        throttle.failed("anna", "10.0.0.1")
        waits.append(throttle.wait("anna", "10.0.0.1"))
        clock.advance(waits[-1])

    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 900.0]
    assert throttle.locked("anna", "10.0.0.2") is True  # the name is locked from any address
    clock.advance(1)
    throttle.failed("anna", "10.0.0.1")  # a failure after the lockout locks again at once
    assert throttle.wait("anna", "10.0.0.3") == 900.0
    assert throttle.wait("bo", "10.0.0.1") == 0.0  # the address has used 11 of its 50


def test_a_success_clears_the_name_but_not_the_address():
    clock = FakeClock()
    throttle = LoginThrottle(lockout_failures=2, lockout_seconds=60, clock=clock)
    for name in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]:
        throttle.failed(name, "10.0.0.1")
    throttle.succeeded("i", "10.0.0.1")

    assert throttle.wait("i", "10.0.0.9") == 0.0
    assert throttle.wait("z", "10.0.0.1") == 0.0  # 9 of 10 failures from the address
    throttle.failed("z", "10.0.0.1")
    assert (throttle.wait("y", "10.0.0.1"), throttle.locked("y", "10.0.0.1")) == (60.0, True)
    assert throttle.wait("y", "10.0.0.2") == 0.0


def test_failures_are_forgotten_after_a_quiet_day_and_the_table_is_bounded(monkeypatch):
    clock = FakeClock()
    throttle = LoginThrottle(lockout_failures=1, lockout_seconds=60, clock=clock)
    throttle.failed("anna", "10.0.0.1")
    clock.advance(throttle_module.FORGET_S + 1)
    assert throttle.wait("anna", "10.0.0.1") == 0.0

    monkeypatch.setattr(throttle_module, "MAX_KEYS", 4)
    for i in range(5):
        throttle.failed("u{}".format(i), "10.0.0.1")
    assert throttle.wait("u0", "10.0.0.2") == 0.0  # dropped as the oldest
    assert throttle.wait("u4", "10.0.0.2") == 60.0


class FakeUsers:
    """Counts password checks; ``anna`` with PASSWORD is the only valid login."""

    def __init__(self) -> None:
        self.checks = 0

    def check(self, name, password, address):
        self.checks += 1
        return (name, password) == ("anna", PASSWORD)

    def load(self):
        return {"anna": "scrypt$..."}


def _attempt(login, name, password, address="10.0.0.7"):
    async def run():
        CLIENT_ADDRESS.set(address)
        return await login.check(name, password)

    return asyncio.run(run())


def test_password_login_refuses_early_attempts_with_429_without_checking_the_password():
    from fastapi import HTTPException

    clock = FakeClock()
    users = FakeUsers()
    login = PasswordLogin(users, LoginThrottle(3, 600, clock=clock), SessionTokens(60, 600))
    assert [_attempt(login, "anna", "fel") for _ in range(3)] == [False, False, False]

    with pytest.raises(HTTPException) as refused:
        _attempt(login, "anna", PASSWORD)
    assert (refused.value.status_code, refused.value.headers) == (429, {"Retry-After": "601"})
    assert refused.value.detail == "För många misslyckade inloggningar. Försök igen om 601 sekunder."
    assert users.checks == 3
    clock.advance(600)
    assert _attempt(login, "anna", PASSWORD) is True


def test_guesses_sent_all_at_once_are_throttled_like_guesses_in_a_row():
    from fastapi import HTTPException

    users = FakeUsers()
    login = PasswordLogin(users, LoginThrottle(3, 600, clock=FakeClock()), SessionTokens(60, 600))

    async def storm():
        CLIENT_ADDRESS.set("10.0.0.8")
        return await asyncio.gather(*[login.check("anna", "fel-{}".format(i)) for i in range(10)], return_exceptions=True)

    outcomes = asyncio.run(storm())
    assert [o if isinstance(o, bool) else o.status_code for o in outcomes] == [False] * 3 + [429] * 7
    assert all(isinstance(o, (bool, HTTPException)) for o in outcomes)
    assert users.checks == 3


def test_the_log_names_the_address_and_never_an_unknown_user_name(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("rag.product.login.SCRYPT_N", 2**10)
    users = UsersFile(tmp_path / "users")
    users.add("anna", PASSWORD)

    with caplog.at_level(logging.INFO, logger="rag.product.login"):
        assert users.check("Hemligt-lösen-99", "x", "192.0.2.5") is False  # a password typed as the name
        assert users.check("anna", "fel", "192.0.2.5") is False
        assert users.check("anna", PASSWORD, "192.0.2.6") is True
    assert caplog.messages == [
        "login refused from 192.0.2.5: unknown user name",
        "login refused from 192.0.2.5 for user anna: wrong password",
        "login of anna from 192.0.2.6",
    ]


# ---- exports ------------------------------------------------------------------------------------


def test_exports_are_private_and_deleted_after_download_or_their_time(tmp_path):
    clock = FakeClock()
    exports = PrivateExports(tmp_path / "cache" / "rag-exports", keep_seconds=600, clock=clock).warm_up()
    source = tmp_path / "utkast-x"
    source.mkdir()
    (source / "pm.md").write_text("# PM\n", encoding="utf-8")
    (source / "pm.docx").write_bytes(b"PK")

    md, docx = exports.claim([source / "pm.md", source / "pm.docx"], "anna")

    assert not source.exists()
    assert (md.read_text(encoding="utf-8"), md.parent.parent) == ("# PM\n", exports.root)
    assert [stat.S_IMODE(os.stat(p).st_mode) for p in (exports.root, md.parent, md, docx)] == [0o700, 0o700, 0o600, 0o600]
    assert (exports.owner_of(str(md)), exports.owner_of(str(tmp_path / "other.md"))) == ("anna", None)

    exports.downloaded(str(md))
    clock.advance(DOWNLOADED_GRACE_S)
    assert exports.sweep() == 1
    assert (md.exists(), docx.exists(), exports.owner_of(str(md))) == (False, True, None)
    clock.advance(600 - DOWNLOADED_GRACE_S)
    assert exports.sweep() == 1
    assert not docx.parent.exists()
