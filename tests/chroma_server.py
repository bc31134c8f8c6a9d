"""Chroma's own server (``chroma run`` from the chromadb package) on a free loopback port, for the
tests of the server store. Started and stopped by the tests; nothing leaves loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

START_TIMEOUT_S = 60.0


def chroma_executable() -> str:
    """The ``chroma`` command of this venv (the chromadb package's CLI)."""
    beside = Path(sys.executable).with_name("chroma")
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the chroma command is missing: chromadb installs it; reinstall with pip install -e '.[test]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """One ``chroma run`` process on ``port`` storing in ``path``; ``stop`` and ``start`` again keep the data."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = path.parent / "chroma-{}.log".format(self.port)

    @property
    def url(self) -> str:
        return "http://127.0.0.1:{}".format(self.port)

    def start(self) -> "ChromaServer":
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [chroma_executable(), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text()[-2000:]
                pytest.fail("chroma run exited with {}: {}".format(self.process.returncode, tail))
            try:
                with urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("chroma run did not answer on {} within {:.0f} s".format(self.url, START_TIMEOUT_S))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def chroma_server(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server").start()
    yield server
    server.stop()
