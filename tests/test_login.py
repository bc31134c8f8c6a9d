"""Login: the users file and its hashes, `rag users`, which login the settings give the web app,
and the real app refusing requests without it (over HTTP on loopback)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import stat
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from fakes import HashEmbedder

from rag.config import ConfigError, load_settings
from rag.product.login import UsersFile, UsersFileError, hash_password, login_options, user_of, verify_password

PASSWORD = "rätt-häftklammer-42"


@pytest.fixture
def clean_env(monkeypatch):
    for key in [k for k in os.environ if k.upper().startswith("RAG_")]:
        monkeypatch.delenv(key)


def test_the_user_of_a_request_is_its_login_name_or_empty():
    class Request:
        def __init__(self, username):
            self.username = username

    assert user_of(Request("anna@kommun.se")) == "anna@kommun.se"
    assert user_of(Request(None)) == ""  # no login
    assert user_of(None) == ""


def test_a_hash_checks_its_own_password_only_and_never_repeats():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)

    assert first.startswith("scrypt$32768$8$1$") and first.count("$") == 5
    assert first != second  # a new salt each time
    assert (verify_password(PASSWORD, first), verify_password(PASSWORD, second)) == (True, True)
    assert verify_password(PASSWORD + " ", first) is False
    assert PASSWORD not in first


def test_users_file_add_check_remove(tmp_path):
    users = UsersFile(tmp_path / "etc" / "users")

    assert users.add("anna@kommun.se", PASSWORD) is True
    assert users.add("bo", "ett annat lösenord") is True
    assert users.add("bo", "bytt lösenord igen") is False

    assert users.names() == ["anna@kommun.se", "bo"]
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
    assert (users.check("anna@kommun.se", PASSWORD), users.check("bo", "bytt lösenord igen")) == (True, True)
    assert (users.check("bo", "ett annat lösenord"), users.check("anna@kommun.se", "fel"), users.check("eva", PASSWORD)) == (
        False, False, False,
    )
    users.remove("bo")
    assert (users.names(), users.check("bo", "bytt lösenord igen")) == (["anna@kommun.se"], False)
    with pytest.raises(UsersFileError, match=r"has no user 'bo'; listed: anna@kommun.se"):
        users.remove("bo")


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("anna svensson", PASSWORD, "user name 'anna svensson': use 1-64 letters"),
        ("anna:x", PASSWORD, "user name 'anna:x'"),
        ("anna", "kort", "the password must have at least 10 characters"),
    ],
)
def test_bad_names_and_short_passwords_are_refused_and_nothing_is_written(tmp_path, name, password, message):
    users = UsersFile(tmp_path / "users")

    with pytest.raises(UsersFileError, match=message):
        users.add(name, password)
    assert not users.path.exists()


def test_a_damaged_users_file_is_named_with_its_line_and_logs_nobody_in(tmp_path, caplog):
    path = tmp_path / "users"
    UsersFile(path).add("anna", PASSWORD)
    path.write_text(path.read_text(encoding="utf-8") + "# kommentar\n\nbo:klartext\n", encoding="utf-8")

    with pytest.raises(UsersFileError) as bad:
        UsersFile(path).load()
    with caplog.at_level(logging.ERROR, logger="rag.product.login"):
        assert UsersFile(path).check("anna", PASSWORD) is False

    assert str(bad.value) == (
        "{} line 4: expected NAME:scrypt$n$r$p$salt$hash as `rag users add` writes it; fix or delete that line".format(path)
    )
    assert caplog.messages == ["login refused: " + str(bad.value)]


def _rag(tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args], cwd=tmp_path, input=stdin, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=120, check=False,
    )


@pytest.mark.subprocess
def test_cli_users_add_list_remove(tmp_path):
    path = tmp_path / "users"

    added = _rag(tmp_path, "users", "add", "anna", "--users-file", str(path), "--password-stdin", stdin=PASSWORD + "\n")
    short = _rag(tmp_path, "users", "add", "bo", "--users-file", str(path), "--password-stdin", stdin="kort\n")
    listed = _rag(tmp_path, "users", "list", "--users-file", str(path))
    unnamed = _rag(tmp_path, "users", "list")

    assert (added.returncode, added.stdout) == (0, "added anna in {}\n".format(path))
    assert (short.returncode, short.stderr) == (2, "rag: error: the password must have at least 10 characters\n")
    assert (listed.returncode, listed.stdout) == (0, "anna\n")
    assert (unnamed.returncode, unnamed.stderr) == (2, "rag: error: name the users file with --users-file or RAG_USERS_FILE\n")
    assert UsersFile(path).check("anna", PASSWORD) is True
    assert PASSWORD not in path.read_text(encoding="utf-8") + added.stdout + added.stderr


def test_cli_asks_twice_and_changes_nothing_when_the_passwords_differ(tmp_path, monkeypatch, capsys):
    from rag import cli

    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    code = cli.main(["users", "add", "anna", "--users-file", str(tmp_path / "users")])

    assert code == 2
    assert capsys.readouterr().err == "rag: error: the two passwords differ; nothing was changed\n"
    assert not (tmp_path / "users").exists()


def test_login_options_follow_the_settings(tmp_path, clean_env, caplog):
    users = tmp_path / "users"
    UsersFile(users).add("anna", PASSWORD)

    with caplog.at_level(logging.WARNING, logger="rag.product.login"):
        by_file = login_options(load_settings(users_file=users, host="0.0.0.0"))
        by_header = login_options(load_settings(trusted_user_header="X-Forwarded-User"))
        beyond = login_options(
            load_settings(trusted_user_header="X-Forwarded-User", host="10.0.0.5", trusted_header_beyond_loopback=True)
        )
        local = login_options(load_settings(host="::1"))
    assert caplog.messages == []

    assert sorted(by_file) == ["auth", "auth_message"]
    # Gradio awaits the check only when it is a coroutine function; any other result counts as is.
    assert inspect.iscoroutinefunction(by_file["auth"])
    assert (asyncio.run(by_file["auth"]("anna", PASSWORD)), asyncio.run(by_file["auth"]("anna", "fel"))) == (True, False)
    assert list(by_header) == list(beyond) == ["auth_dependency"]
    assert local == {}


def test_no_login_beyond_loopback_warns_at_start(clean_env, caplog):
    with caplog.at_level(logging.WARNING, logger="rag.product.login"):
        assert login_options(load_settings(host="0.0.0.0", port=8080)) == {}

    assert caplog.messages == [
        "the web app is bound to 0.0.0.0 without a login: anyone who reaches port 8080 can use it and rate answers. "
        "Set RAG_USERS_FILE (rag users add NAME) or RAG_TRUSTED_USER_HEADER behind an SSO proxy"
    ]


def test_logins_that_cannot_be_trusted_refuse_to_start(tmp_path, clean_env):
    (tmp_path / "empty").write_text("# nobody yet\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"RAG_TRUSTED_USER_HEADER=X-Forwarded-User with RAG_HOST=0.0.0.0: anyone"):
        login_options(load_settings(trusted_user_header="X-Forwarded-User", host="0.0.0.0"))
    with pytest.raises(ConfigError, match=r"users file .*empty lists nobody; add a user with `rag users add NAME`"):
        login_options(load_settings(users_file=tmp_path / "empty"))
    with pytest.raises(ConfigError, match=r"users file .*missing does not exist; create it with `rag users add NAME`"):
        login_options(load_settings(users_file=tmp_path / "missing"))
    with pytest.raises(ConfigError, match="choose one login"):
        load_settings(users_file=tmp_path / "empty", trusted_user_header="X-Forwarded-User")


def _get(url: str, headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_app_behind_a_trusted_header_refuses_requests_without_it(tmp_path, clean_env):
    from ui_harness import running_app

    with running_app(tmp_path, {"a.txt": "Rubrik\n\nKommunen behöver en strategi för AI.\n"}, HashEmbedder(),
                     trusted_user_header="X-Forwarded-User") as (url, _backend):
        assert _get(url) == 401
        assert _get(url + "config") == 401
        assert _get(url, {"X-Forwarded-User": "anna@kommun.se"}) == 200
        assert _get(url + "gradio_api/info", {"X-Forwarded-User": ""}) == 401
