"""A real PostgreSQL server for tests: Debian's binaries, a cluster in a temporary folder, loopback only.

``PostgresServer`` runs ``initdb`` in a fresh folder, starts ``postgres`` on a free loopback port
(its unix socket in the same folder, so nothing outside it is touched), creates one database and
can stop, start and restart the server so tests can see what a client does while it is down.

PostgreSQL refuses to run as root. Run as root (CI does), the server runs as the ``postgres``
user that Debian's package creates, in a folder under /tmp owned by it.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

START_TIMEOUT_S = 60
DATABASE = "rag"


def binaries() -> Path | None:
    """The folder with initdb, pg_ctl and postgres: on PATH, else the newest Debian version."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None."""
    if binaries() is None:
        return "PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql/*/bin): apt-get install -y postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run PostgreSQL as (apt-get install -y postgresql creates it)"
    return None


def require_postgres() -> None:
    """Skip with the reason when PostgreSQL cannot run here; under CI=true fail instead: CI must run these tests."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + "; CI must run the PostgreSQL tests (.ci/run installs it)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.bin = binaries()
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        # Under /tmp, not pytest's tmp_path: as root that folder is private to root.
        self.root = Path(tempfile.mkdtemp(prefix="rag-pg-"))
        self.data = self.root / "data"
        self.password = "pg-" + secrets.token_hex(8)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        return "postgresql://{}@127.0.0.1:{}/{}".format(self.user, self.port, DATABASE)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        run_as = "postgres" if os.geteuid() == 0 else None
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=run_as, cwd=self.root, capture_output=True, text=True, check=check, timeout=START_TIMEOUT_S,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )

    def init(self) -> "PostgresServer":
        """A new cluster: the unix socket (in this folder) trusts its owner; TCP, which the app
        uses, wants ``password`` (scram-sha-256), as a real deployment would."""
        self._run(
            "initdb", "-D", str(self.data), "-U", self.user, "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--no-sync",
        )
        self.start()
        self.psql("ALTER ROLE {} PASSWORD '{}'".format(self.user, self.password), database="postgres")
        self._run("createdb", "-h", str(self.root), "-p", str(self.port), "-U", self.user, DATABASE)
        return self

    def psql(self, sql: str, database: str = DATABASE) -> str:
        """Run ``sql`` over the unix socket (no password); its output, unaligned."""
        return self._run(
            "psql", "-h", str(self.root), "-p", str(self.port), "-U", self.user, "-d", database,
            "-v", "ON_ERROR_STOP=1", "-At", "-c", sql,
        ).stdout

    def start(self) -> None:
        options = "-c listen_addresses=127.0.0.1 -p {} -k {}".format(self.port, self.root)
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "-t", str(START_TIMEOUT_S), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def start_if_stopped(self) -> None:
        if self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode != 0:
            self.start()

    def restart(self, mode: str = "immediate") -> None:
        """Stop (``immediate``: like a crash, no shutdown checkpoint) and start again."""
        self.stop(mode)
        self.start()

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
