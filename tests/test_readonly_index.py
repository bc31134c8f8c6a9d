"""An index on a read-only disk still answers, and asking never changes a byte of it.

``chmod -R a-w`` does not stop root, so when the tests run as root the question is asked in a
child process that holds no capabilities over the files: in a new user namespace (util-linux
``unshare --user``) it still owns what root owns, so it reads the clone wherever it lies (a fresh
clone in a private ``mktemp -d`` folder included), but the permission bits bind it and the copy
really is read-only. Where user namespaces are not allowed it runs as ``nobody`` (``setpriv``),
which needs every folder above the clone to be readable by others.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import fake_index

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Hur kan små kommuner dela på kompetens?"
ASK = """
import json, sys
sys.path.insert(0, "tests")
from pathlib import Path
from fakes import HashEmbedder
from rag.config import load_settings
from rag.service import RagService

root = Path(sys.argv[1])
settings = load_settings(index_dir=root / "index", corpus_dir=root / "corpus")
answer = RagService(settings, embedder=HashEmbedder(), notify=print).ask(sys.argv[2])
print(json.dumps({"answer": answer.text, "passages": [[h.passage.source, h.passage.id] for h in answer.hits]}))
"""


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def readable_root():
    """A folder that the user ``nobody`` can read (pytest's own tmp folders are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="rag-readonly-"))
    root.chmod(0o755)
    yield root
    subprocess.run(["chmod", "-R", "u+w", str(root)], check=True)
    shutil.rmtree(root)


def _without_privileges() -> list[str]:
    """A command prefix under which root's files obey their permission bits; empty for a normal user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("unshare") and subprocess.run(["unshare", "--user", "true"], check=False).returncode == 0:
        return ["unshare", "--user"]
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    pytest.skip("running as root without unshare or setpriv: cannot make the copy read-only")


def _ask(root: Path) -> subprocess.CompletedProcess:
    command = [*_without_privileges(), sys.executable, "-c", ASK, str(root), QUESTION]
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}
    env["HOME"] = tempfile.gettempdir()
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)


def test_a_read_only_copy_of_an_index_answers_and_is_left_unchanged(readable_root):
    built = readable_root / "built"
    built.mkdir()
    with fake_index(built, {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as settings:
        pass
    copy = readable_root / "copy"
    shutil.copytree(settings.index_dir, copy / "index")
    shutil.copytree(settings.corpus_dir, copy / "corpus")
    writable = _ask(built)
    assert writable.returncode == 0, writable.stderr
    subprocess.run(["chmod", "-R", "a-w,a+rX", str(copy)], check=True)
    before = _digest(copy)

    result = _ask(copy)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    got = json.loads(result.stdout.splitlines()[-1])
    assert got == json.loads(writable.stdout.splitlines()[-1])
    assert [source for source, _ in got["passages"]] == ["samverkan.txt", "strategi.txt", "strategi.txt"]
    assert _digest(copy) == before
