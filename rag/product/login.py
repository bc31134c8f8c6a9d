"""Who may use the web app: a users file with hashed passwords, or a trusted reverse proxy's header.

* ``RAG_USERS_FILE``: one ``name:hash`` line per user, written by ``rag users add NAME``. The
  hash is scrypt (Python's ``hashlib``, no extra package) with a random salt, stored as
  ``scrypt$n$r$p$salt$hash`` so the cost can be raised later without breaking old lines. The
  web app shows Gradio's login form and checks against the file, read on every login, so
  users added or removed take effect without a restart; a signed-in session ends when its user
  is removed or given a new password, after ``RAG_SESSION_IDLE_SECONDS`` unused and after
  ``RAG_SESSION_MAX_SECONDS`` in all (``rag.product.sessions``). Failed logins are throttled per
  user name and client address (``rag.product.throttle``).
* ``RAG_TRUSTED_USER_HEADER`` (e.g. ``X-Forwarded-User``): an SSO proxy in front (oauth2-proxy
  behind nginx) signs people in and names them in that header; a request without it is refused.
  Anyone who can reach the app's port could send the header, so it is accepted only with the app
  on loopback (the proxy on the same machine) unless ``RAG_TRUSTED_HEADER_BEYOND_LOOPBACK`` says
  the port is reachable from the proxy alone.

Without either, the app has no login; bound beyond loopback it warns at start.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable

from rag.config import ConfigError, Settings
from rag.product.sessions import SessionTokens, UserStamps
from rag.product.throttle import LoginThrottle

log = logging.getLogger(__name__)

# scrypt cost n=2**15, r=8: 32 MiB and a median 319 ms per check on these 2 cores (9 checks, other
# work running). OWASP's minimum for scrypt is n=2**17 (128 MiB, about four times as slow), which a
# burst of logins on a small 2-core server would queue behind; stored per line, so raising it
# later keeps old hashes valid.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SALT_BYTES = 16
MIN_PASSWORD_CHARS = 10
USER_NAME = re.compile(r"^[\w.@+-]{1,64}$")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
UNKNOWN_ADDRESS = "an unknown address"
# One scrypt check at a time (32 MiB, about 0.3 s of one core each): a burst of logins queues
# behind itself in a worker thread and leaves the other core, and the event loop, to everyone else.
PASSWORD_CHECKS_AT_ONCE = 1
# The client address of the login being checked, set by the web app's guard for each request.
CLIENT_ADDRESS: ContextVar[str] = ContextVar("login_client_address", default=UNKNOWN_ADDRESS)


class UsersFileError(ValueError):
    """The users file cannot be used; the message names the file (and line) and what to do."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "scrypt${}${}${}${}${}".format(SCRYPT_N, SCRYPT_R, SCRYPT_P, _b64(salt), _b64(digest))


def verify_password(password: str, stored: str) -> bool:
    kind, n, r, p, salt, digest = stored.split("$")
    if kind != "scrypt":
        raise ValueError("unknown password hash kind {!r}".format(kind))
    expected = base64.b64decode(digest)
    return hmac.compare_digest(_scrypt(password, base64.b64decode(salt), int(n), int(r), int(p)), expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@functools.cache
def _decoy() -> str:
    """A hash to check unknown names against, so response times do not tell which names exist."""
    return hash_password(secrets.token_urlsafe(16))


class UsersFile:
    """The users file at ``path``: ``name:scrypt$…`` lines; blank lines and ``#`` comments allowed."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsersFileError(
                "users file {} does not exist; create it with `rag users add NAME` (RAG_USERS_FILE names it)".format(
                    self.path
                )
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsersFileError("cannot read the users file {}: {}".format(self.path, exc)) from None
        users: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, stored = line.partition(":")
            if not USER_NAME.match(name) or stored.count("$") != 5 or not stored.startswith("scrypt$"):
                raise UsersFileError(
                    "{} line {}: expected NAME:scrypt$n$r$p$salt$hash as `rag users add` writes it; "
                    "fix or delete that line".format(self.path, number)
                )
            users[name] = stored
        return users

    def check(self, name: str, password: str, address: str = UNKNOWN_ADDRESS) -> bool:
        """True when ``name`` is listed and ``password`` matches. The log line names the client's
        ``address``, and the user name only when it is a listed one: an unknown name may be a
        password typed into the wrong field."""
        try:
            users = self.load()
        except UsersFileError as exc:
            log.error("login refused: %s", exc)
            return False
        stored = users.get(name)
        matches = verify_password(password, stored or _decoy())
        if stored is None:
            log.warning("login refused from %s: unknown user name", address)
            return False
        if not matches:
            log.warning("login refused from %s for user %s: wrong password", address, name)
            return False
        log.info("login of %s from %s", name, address)
        return True

    def names(self) -> list[str]:
        return sorted(self.load()) if self.path.exists() else []

    def add(self, name: str, password: str) -> bool:
        """Set ``name``'s password (adding the user); True when the user is new."""
        if not USER_NAME.match(name):
            raise UsersFileError(
                "user name {!r}: use 1-64 letters, digits or . _ @ + - (no spaces or colons)".format(name)
            )
        if len(password) < MIN_PASSWORD_CHARS:
            raise UsersFileError("the password must have at least {} characters".format(MIN_PASSWORD_CHARS))
        users = self.load() if self.path.exists() else {}
        new = name not in users
        users[name] = hash_password(password)
        self._write(users)
        return new

    def remove(self, name: str) -> None:
        users = self.load()
        if name not in users:
            raise UsersFileError("{} has no user {!r}; listed: {}".format(self.path, name, ", ".join(sorted(users)) or "none"))
        del users[name]
        self._write(users)

    def _write(self, users: dict[str, str]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Readable by the owner only: the hashes are slow to attack, not impossible.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write("".join("{}:{}\n".format(n, h) for n, h in sorted(users.items())))
            tmp.replace(self.path)
        except OSError as exc:
            raise UsersFileError("cannot write the users file {}: {}".format(self.path, exc.strerror or exc)) from None


class PasswordLogin:
    """Gradio's ``auth`` callable for a users file: throttled per user name and client address
    (``LoginThrottle``), the password checked in a worker thread so the event loop keeps serving
    everyone else. ``sessions`` replaces Gradio's token table once the app runs (``SessionTokens``)."""

    def __init__(self, users: UsersFile, throttle: LoginThrottle, sessions: SessionTokens) -> None:
        self.users = users
        self.throttle = throttle
        self.sessions = sessions
        self._limiter = None

    async def check(self, name: str, password: str) -> bool:
        """True for a listed user with the right password; 429 while the name or address must wait.
        A coroutine function (Gradio awaits only those; any other callable's result is taken as is)."""
        import anyio
        from fastapi import HTTPException

        address = CLIENT_ADDRESS.get()
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(PASSWORD_CHECKS_AT_ONCE)
        # The throttle is asked inside the limiter, after the attempts queued before this one have
        # counted: guesses sent all at once are throttled like guesses sent one after another.
        async with self._limiter:
            wait = self.throttle.wait(name, address)
            if wait <= 0:
                ok = await anyio.to_thread.run_sync(self.users.check, name, password, address)
                (self.throttle.succeeded if ok else self.throttle.failed)(name, address)
                return ok
        known = name in self.listed_names()
        log.warning(
            "login refused from %s%s: too many failed logins, next try in %.0f s",
            address, " for user " + name if known else "", wait,
        )
        raise HTTPException(
            status_code=429,
            detail="För många misslyckade inloggningar. Försök igen om {} sekunder.".format(int(wait) + 1),
            headers={"Retry-After": str(int(wait) + 1)},
        )

    def listed_names(self) -> set[str]:
        try:
            return set(self.users.load())
        except UsersFileError:
            return set()


def password_login(settings: Settings) -> PasswordLogin:
    users = UsersFile(settings.users_file)
    return PasswordLogin(
        users,
        LoginThrottle(settings.login_lockout_failures, settings.login_lockout_seconds),
        SessionTokens(settings.session_idle_seconds, settings.session_max_seconds, UserStamps(users.path, users.load)),
    )


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def header_user(header: str) -> Callable[[Any], str | None]:
    """Gradio's ``auth_dependency``: the user the proxy names in ``header``, None (refused) without one."""

    def user(request: Any) -> str | None:
        name = (request.headers.get(header) or "").strip()
        return name or None

    return user


def user_of(request: Any) -> str:
    """Who sent a web request (the login form's name or the proxy's header, both as Gradio's
    ``request.username``); empty without a login."""
    return (getattr(request, "username", None) or "") if request is not None else ""


def login_options(settings: Settings) -> dict[str, Any]:
    """The ``launch`` arguments for the login the settings ask for; ConfigError for one that
    cannot be trusted. Warns when the app is reachable beyond loopback without a login."""
    if settings.users_file is not None:
        login = password_login(settings)
        try:
            names = login.users.load()
        except UsersFileError as exc:
            raise ConfigError(str(exc)) from None
        if not names:
            raise ConfigError("users file {} lists nobody; add a user with `rag users add NAME`".format(login.users.path))
        return {"auth": login.check, "auth_message": "Logga in med ditt användarnamn och lösenord."}
    if settings.trusted_user_header:
        if not is_loopback(settings.host) and not settings.trusted_header_beyond_loopback:
            raise ConfigError(
                "RAG_TRUSTED_USER_HEADER={} with RAG_HOST={}: anyone who can reach the app could name any user in "
                "that header. Bind to 127.0.0.1 with the proxy on this machine, or set "
                "RAG_TRUSTED_HEADER_BEYOND_LOOPBACK=true once only the proxy can reach this port".format(
                    settings.trusted_user_header, settings.host
                )
            )
        return {"auth_dependency": header_user(settings.trusted_user_header)}
    if not is_loopback(settings.host):
        log.warning(
            "the web app is bound to %s without a login: anyone who reaches port %s can use it and rate answers. "
            "Set RAG_USERS_FILE (rag users add NAME) or RAG_TRUSTED_USER_HEADER behind an SSO proxy",
            settings.host,
            settings.port,
        )
    return {}
