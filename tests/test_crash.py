"""SIGKILL in the middle of a real `rag ingest` leaves the previous index active and queryable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.subprocess, pytest.mark.models]

SMALL = """Samverkan mellan kommuner

1. Samverkan

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna för alla parter.
"""

TOPICS = ["digitalisering", "upphandling", "dataskydd", "kompetens", "styrning", "samverkan"]


def _large(paragraphs: int) -> str:
    """Enough distinct sentences that embedding them takes several seconds."""
    parts = ["Erfarenheter från kommunerna", "", "1. Erfarenheter", ""]
    for i in range(paragraphs):
        topic = TOPICS[i % len(TOPICS)]
        parts.append(
            "Kommun nummer {i} berättar om sitt arbete med {t} under år {y}. "
            "Förvaltningen har tagit fram {n} nya rutiner för {t} och följer upp dem varje kvartal.".format(
                i=i, t=topic, y=2000 + i % 25, n=i % 7 + 2
            )
        )
        parts.append("")
    return "\n".join(parts)


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}
    env.update(RAG_INDEX_DIR=str(root / "index"), RAG_CORPUS_DIR=str(root / "corpus"))
    return env


def _rag(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=root,
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _current(root: Path) -> str:
    return (root / "index" / "CURRENT").read_text(encoding="utf-8").strip()


def _partial(root: Path) -> list[Path]:
    return [p for p in (root / "index").glob("gen-*") if p.is_dir() and not (p / "manifest.json").exists()]


def _ask_sources(root: Path) -> set[str]:
    result = _rag(root, "ask", "--json", "Hur kan små kommuner samverka?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["passages"]
    return {p["source"] for p in data["passages"]}


def test_sigkill_mid_ingest_keeps_the_previous_generation(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "samverkan.txt").write_text(SMALL, encoding="utf-8")
    first = _rag(tmp_path, "ingest", "--no-progress")
    assert first.returncode == 0, first.stderr
    generation = _current(tmp_path)
    assert _ask_sources(tmp_path) == {"samverkan.txt"}

    (corpus / "samverkan.txt").write_text(SMALL.replace("Små kommuner", "Mindre kommuner"), encoding="utf-8")
    (corpus / "erfarenheter.txt").write_text(_large(100), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", "--no-progress"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _partial(tmp_path):
            assert proc.poll() is None, "ingest finished before it could be killed"
            assert time.monotonic() < deadline, "no generation folder appeared"
            time.sleep(0.02)
        time.sleep(0.5)  # well inside the embedding phase
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == -signal.SIGKILL
    [partial] = _partial(tmp_path)
    assert partial.name != generation
    assert _current(tmp_path) == generation
    assert _ask_sources(tmp_path) == {"samverkan.txt"}

    again = _rag(tmp_path, "ingest", "--no-progress")

    assert again.returncode == 0, again.stderr
    assert not partial.exists()
    assert _partial(tmp_path) == []
    assert _current(tmp_path) != generation
    gens = sorted(p.name for p in (tmp_path / "index").glob("gen-*"))
    assert len(gens) <= 2 and _current(tmp_path) in gens
    assert all((tmp_path / "index" / g / "manifest.json").exists() for g in gens)
    passages = [
        json.loads(line)
        for line in (tmp_path / "index" / _current(tmp_path) / "passages.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {p["source"] for p in passages} == {"samverkan.txt", "erfarenheter.txt"}
    [changed] = [p for p in passages if p["source"] == "samverkan.txt"]
    assert changed["text"].startswith("Mindre kommuner kan dela på kompetens")
