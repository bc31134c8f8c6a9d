"""Incremental ingest with the fake embedder: what is rebuilt, what is reused, what survives a crash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fakes import HashEmbedder, InterruptingEmbedder
from fpdf import FPDF

from rag.index.chunking import CHUNKER_VERSION
from rag.config import load_settings
from rag.embeddings import Embedder
from rag.index.ingest import embed_text, ingest
from rag.service import RagService
from rag.index.store import Generation, IndexDir
from rag.index.stores import make_store

STRATEGI = """Strategi för AI

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin beslutas av kommunfullmäktige.

2. Dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Kommunen måste göra en konsekvensbedömning innan systemet tas i bruk.
"""

SAMVERKAN = """Samverkan mellan kommuner

1. Samverkan

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna för alla parter.
"""

SAMVERKAN_NY = """Samverkan mellan kommuner

1. Samverkan

Regionen erbjuder stöd till kommuner som vill pröva språkmodeller. Stödet söks en gång per år.
"""


def _write(corpus: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")


def _pdf_bytes(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    for line in lines:
        if line:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln()
    return bytes(pdf.output())


def _current(settings) -> Generation:
    return make_store(settings).open_current()


def _ids(gen: Generation, source: str) -> list[str]:
    return [p.id for p in gen.passages if p.source == source]


def _generations(settings) -> list[Path]:
    return sorted(p for p in Path(settings.index_dir).glob("gen-*") if p.is_dir())


@pytest.fixture
def corpus(settings):
    _write(settings.corpus_dir, {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN})
    return settings.corpus_dir


def test_first_ingest_builds_an_index_of_every_file(store_settings, corpus, embedder):
    settings = store_settings
    assert isinstance(embedder, Embedder)

    report = ingest(settings, embedder=embedder, progress=False)

    gen = _current(settings)
    assert report.added == ["samverkan.txt", "strategi.txt"]
    assert report.failed == [] and report.rebuild_reason is None
    assert report.generation == gen.folder.name
    assert [(p.source, p.section) for p in gen.passages] == [
        ("samverkan.txt", "1. Samverkan"),
        ("strategi.txt", "1. Strategi"),
        ("strategi.txt", "2. Dataskydd"),
    ]
    assert report.passages == 3
    # 3 passages + 6 sentences, each embedded once.
    assert report.embedded == embedder.texts_embedded == 9
    assert gen.vectors.shape == (3, 64)
    assert gen.sentence_vectors.shape == (6, 64)
    text = (corpus / "strategi.txt").read_text(encoding="utf-8")
    for p in gen.passages:
        if p.source == "strategi.txt":
            assert text[p.start : p.end] == p.text


def test_manifest_describes_the_index(settings, corpus, embedder):
    ingest(settings, embedder=embedder, progress=False)

    gen = _current(settings)
    data = json.loads((gen.folder / "manifest.json").read_text(encoding="utf-8"))
    assert data["embedder"] == "fake-hash"
    assert data["dimension"] == 64
    assert data["chunker_version"] == CHUNKER_VERSION
    assert data["chunk_chars"] == 1200
    assert data["passages"] == 3
    assert set(data["files"]) == {"samverkan.txt", "strategi.txt"}
    entry = data["files"]["strategi.txt"]
    assert entry["sha256"] == hashlib.sha256((corpus / "strategi.txt").read_bytes()).hexdigest()
    assert entry["passages"] == 2
    assert entry["title"] == "Strategi för AI"
    assert Path(entry["path"]) == (corpus / "strategi.txt").resolve()
    assert (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip() == gen.folder.name


def test_reingest_of_an_unchanged_corpus_embeds_nothing(settings, corpus, embedder):
    first = ingest(settings, embedder=embedder, progress=False)
    fresh = HashEmbedder()

    report = ingest(settings, embedder=fresh, progress=False)

    assert report.up_to_date
    assert report.generation == first.generation
    assert report.unchanged == ["samverkan.txt", "strategi.txt"]
    assert report.embedded == 0
    assert fresh.texts_embedded == 0 and fresh.calls == 0
    assert _generations(settings) == [settings.index_dir / first.generation]


def test_changing_one_file_replaces_only_its_passages(store_settings, corpus, embedder):
    settings = store_settings
    ingest(settings, embedder=embedder, progress=False)
    before = _current(settings)
    _write(corpus, {"samverkan.txt": SAMVERKAN_NY})
    fresh = HashEmbedder()

    report = ingest(settings, embedder=fresh, progress=False)

    after = _current(settings)
    assert report.changed == ["samverkan.txt"]
    assert report.unchanged == ["strategi.txt"]
    assert _ids(after, "strategi.txt") == _ids(before, "strategi.txt")
    assert set(_ids(after, "samverkan.txt")).isdisjoint(_ids(before, "samverkan.txt"))
    [new] = [p for p in after.passages if p.source == "samverkan.txt"]
    assert new.text.startswith("Regionen erbjuder stöd")
    # Only the changed file's passage and its two sentences were embedded.
    assert fresh.texts_embedded == report.embedded == 3
    assert after.vectors.shape == (3, 64)
    # Reused vectors are those of the same text in the old generation.
    old_row = [p.id for p in before.passages].index(_ids(before, "strategi.txt")[0])
    new_row = [p.id for p in after.passages].index(_ids(after, "strategi.txt")[0])
    assert after.vectors[new_row].tolist() == before.vectors[old_row].tolist()


def test_removed_file_disappears_from_the_index(store_settings, corpus, embedder):
    settings = store_settings
    ingest(settings, embedder=embedder, progress=False)
    (corpus / "samverkan.txt").unlink()

    report = ingest(settings, embedder=embedder, progress=False)

    gen = _current(settings)
    assert report.removed == ["samverkan.txt"]
    assert {p.source for p in gen.passages} == {"strategi.txt"}
    assert set(gen.manifest.files) == {"strategi.txt"}
    assert {s.passage_id for s in gen.sentences} == {p.id for p in gen.passages}


def test_corrupt_pdf_is_reported_and_the_rest_is_ingested(settings, corpus, embedder):
    bad = corpus / "trasig.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")

    report = ingest(settings, embedder=embedder, progress=False)

    assert [path for path, _ in report.failed] == [str(bad)]
    assert "PDF" in report.failed[0][1]
    assert report.added == ["samverkan.txt", "strategi.txt"]
    assert "FAILED {}".format(bad) in report.summary()
    gen = _current(settings)
    assert {p.source for p in gen.passages} == {"samverkan.txt", "strategi.txt"}
    assert "trasig.pdf" not in gen.manifest.files


def test_a_file_that_now_fails_keeps_its_previous_passages(store_settings, corpus, embedder):
    settings = store_settings
    pdf = corpus / "bilaga.pdf"
    pdf.write_bytes(
        _pdf_bytes(
            [
                "1. Bilaga",
                "",
                "Kommunen redovisar kostnaderna for AI-projekten varje kvartal till namnden.",
            ]
        )
    )
    ingest(settings, embedder=embedder, progress=False)
    before = _current(settings)
    assert _ids(before, "bilaga.pdf")
    pdf.write_bytes(b"%PDF-1.4\ntruncated")
    _write(corpus, {"samverkan.txt": SAMVERKAN_NY})

    report = ingest(settings, embedder=embedder, progress=False)

    after = _current(settings)
    assert [path for path, _ in report.failed] == [str(pdf)]
    assert report.changed == ["samverkan.txt"]
    assert _ids(after, "bilaga.pdf") == _ids(before, "bilaga.pdf")
    assert after.manifest.files["bilaga.pdf"] == before.manifest.files["bilaga.pdf"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"chunk_chars": 600}, "chunk_chars 1200 -> 600"),
        ({"embedder": "fake-hash-v2"}, "embedder fake-hash -> fake-hash-v2"),
    ],
)
def test_a_different_build_key_rebuilds_with_a_reason(settings, corpus, embedder, change, reason):
    ingest(settings, embedder=embedder, progress=False)
    new_settings = load_settings(
        index_dir=settings.index_dir, corpus_dir=settings.corpus_dir, chunk_chars=change.get("chunk_chars")
    )
    fresh = HashEmbedder()
    if "embedder" in change:
        fresh.name = change["embedder"]

    report = ingest(new_settings, embedder=fresh, progress=False)

    assert report.rebuild_reason == reason
    assert not report.up_to_date
    assert "rebuilding the index: " + reason in report.summary()
    gen = _current(settings)
    assert gen.manifest.chunk_chars == change.get("chunk_chars", 1200)
    assert gen.manifest.embedder == fresh.name
    if "embedder" in change:
        # Vectors of another embedder are never reused.
        assert fresh.texts_embedded == 9


def test_service_rebuilds_an_index_that_does_not_match_the_settings(settings, corpus, embedder):
    ingest(settings, embedder=embedder, progress=False)
    messages: list[str] = []
    small = load_settings(index_dir=settings.index_dir, corpus_dir=settings.corpus_dir, chunk_chars=600)

    service = RagService(small, embedder=HashEmbedder(), notify=messages.append).warm_up()

    assert len(messages) == 1 and "chunk_chars: index has 1200, settings want 600" in messages[0]
    assert service.ingest_report is not None and service.ingest_report.rebuild_reason
    assert service.generation.manifest.chunk_chars == 600


def test_service_builds_a_missing_index(settings, corpus, embedder):
    messages: list[str] = []

    service = RagService(settings, embedder=embedder, notify=messages.append).warm_up()

    assert messages and messages[0].startswith("no index in ")
    assert len(service.generation.passages) == 3


def test_interrupted_ingest_leaves_the_previous_index_active_and_queryable(settings, corpus, embedder):
    first = ingest(settings, embedder=embedder, progress=False)
    before = _current(settings)
    _write(corpus, {"samverkan.txt": SAMVERKAN_NY, "ny.txt": STRATEGI.replace("Strategi", "Plan")})
    crashing = InterruptingEmbedder(after=1)

    with pytest.raises(KeyboardInterrupt):
        ingest(settings, embedder=crashing, progress=False)

    assert crashing.document_calls == 2
    assert (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip() == first.generation
    assert _generations(settings) == [settings.index_dir / first.generation]
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    answer = service.ask("Hur kan små kommuner samverka?")
    assert answer.hits[0].passage.id == _ids(before, "samverkan.txt")[0]
    assert {p.source for p in service.generation.passages} == {"samverkan.txt", "strategi.txt"}

    report = ingest(settings, embedder=HashEmbedder(), progress=False)

    assert report.added == ["ny.txt"] and report.changed == ["samverkan.txt"]
    gens = _generations(settings)
    assert [g.name for g in gens] == sorted([first.generation, report.generation])
    assert all((g / "manifest.json").exists() for g in gens)


def test_stale_partial_generation_is_removed_by_the_next_ingest(settings, corpus, embedder):
    first = ingest(settings, embedder=embedder, progress=False)
    # What a SIGKILL mid-ingest leaves: a generation folder without a manifest.
    partial = settings.index_dir / "gen-20000101T000000-1"
    (partial / "chroma").mkdir(parents=True)
    (partial / "passages.jsonl").write_text("{}\n", encoding="utf-8")
    _write(corpus, {"samverkan.txt": SAMVERKAN_NY})

    report = ingest(settings, embedder=embedder, progress=False)

    assert not partial.exists()
    assert [g.name for g in _generations(settings)] == sorted([first.generation, report.generation])


def test_stale_partial_generation_is_removed_even_when_nothing_changed(settings, corpus, embedder):
    first = ingest(settings, embedder=embedder, progress=False)
    partial = settings.index_dir / "gen-20000101T000000-1"
    partial.mkdir()

    report = ingest(settings, embedder=embedder, progress=False)

    assert report.up_to_date
    assert not partial.exists()
    assert _generations(settings) == [settings.index_dir / first.generation]


def test_embed_text_prefixes_the_nearest_headings(settings, corpus, embedder):
    ingest(settings, embedder=embedder, progress=False)

    p = _current(settings).passages[2]

    assert embed_text(p) == "2. Dataskydd\n" + p.text


PLAN = """Plan för AI

1. Plan

Nämnden följer upp planen varje kvartal och rapporterar till kommunstyrelsen.
"""


def test_ingesting_one_named_file_adds_it_and_keeps_the_rest_of_the_index(store_settings, corpus, embedder, tmp_path):
    settings = store_settings
    ingest(settings, embedder=embedder, progress=False)
    before = _current(settings)
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    fresh = HashEmbedder()

    report = ingest(settings, [plan], embedder=fresh, progress=False)

    after = _current(settings)
    source = plan.resolve().as_posix()
    assert (report.added, report.changed, report.removed) == ([source], [], [])
    assert report.kept == ["samverkan.txt", "strategi.txt"]
    assert report.passages == 4 and len(after.passages) == 4
    assert _ids(after, "strategi.txt") == _ids(before, "strategi.txt")
    assert _ids(after, "samverkan.txt") == _ids(before, "samverkan.txt")
    assert fresh.texts_embedded == report.embedded == 2  # the new passage and its one sentence
    assert report.summary().startswith(
        "indexed 4 passages (2 new texts embedded): 1 added, 0 changed, 0 removed, 0 unchanged, 2 kept (not named) in "
    )

    again = ingest(settings, embedder=HashEmbedder(), progress=False)

    assert again.up_to_date and again.kept == [source]
    assert {p.source for p in _current(settings).passages} == {"samverkan.txt", "strategi.txt", source}


def test_a_named_file_updates_only_itself(settings, corpus, embedder):
    ingest(settings, embedder=embedder, progress=False)
    before = _current(settings)
    _write(corpus, {"samverkan.txt": SAMVERKAN_NY, "strategi.txt": STRATEGI.replace("tydlig", "enkel")})

    report = ingest(settings, [corpus / "samverkan.txt"], embedder=HashEmbedder(), progress=False)

    after = _current(settings)
    assert (report.changed, report.kept, report.removed) == (["samverkan.txt"], ["strategi.txt"], [])
    assert _ids(after, "strategi.txt") == _ids(before, "strategi.txt")
    assert [p.text[:18] for p in after.passages if p.source == "samverkan.txt"] == ["Regionen erbjuder "]


def test_remove_takes_out_only_the_named_file_and_embeds_nothing(store_settings, corpus, embedder):
    settings = store_settings
    from rag.index.ingest import remove

    ingest(settings, embedder=embedder, progress=False)
    before = _current(settings)
    told: list[str] = []
    fresh = HashEmbedder()

    report = remove(settings, ["samverkan.txt"], embedder=fresh, progress=False, notify=told.append)

    after = _current(settings)
    assert report.removed == ["samverkan.txt"]
    assert told == ["removing samverkan.txt from the index: removed on request"]
    assert "\nremoved samverkan.txt: removed on request" in report.summary()
    assert [p.id for p in after.passages] == _ids(before, "strategi.txt")
    assert set(after.manifest.files) == {"strategi.txt"}
    assert fresh.calls == 0
    assert (corpus / "samverkan.txt").exists()  # the file itself is untouched


def test_remove_by_path_and_of_a_file_not_in_the_index(settings, corpus, embedder):
    from rag.index.ingest import remove

    ingest(settings, embedder=embedder, progress=False)

    report = remove(settings, [str(corpus / "strategi.txt")], embedder=HashEmbedder(), progress=False)
    assert report.removed == ["strategi.txt"]

    with pytest.raises(ValueError) as err:
        remove(settings, ["ingen.txt"], embedder=HashEmbedder(), progress=False)
    assert str(err.value) == "ingen.txt is not in the index, so there is nothing to remove; indexed files: samverkan.txt"
    with pytest.raises(ValueError) as err:
        remove(settings, ["samverkan.txt"], embedder=HashEmbedder(), progress=False)
    assert str(err.value) == "removing samverkan.txt would leave the index empty; ingest other files first"
    assert set(_current(settings).manifest.files) == {"samverkan.txt"}


def test_a_file_gone_from_an_ingested_folder_is_announced_before_any_work(settings, corpus):
    ingest(settings, embedder=HashEmbedder(), progress=False)
    (corpus / "samverkan.txt").unlink()
    _write(corpus, {"plan.txt": PLAN})
    events: list[str] = []

    class Recording(HashEmbedder):
        def embed_documents(self, texts):
            events.append("embed")
            return super().embed_documents(texts)

    report = ingest(settings, embedder=Recording(), progress=False, notify=events.append)

    message = "removing samverkan.txt from the index: no longer in {}".format(corpus.resolve())
    assert events[0] == message and events[1:] and set(events[1:]) == {"embed"}
    assert report.removed_why == {"samverkan.txt": "no longer in {}".format(corpus.resolve())}
    assert "\nremoved samverkan.txt: no longer in {}".format(corpus.resolve()) in report.summary()


def test_skipped_and_unresolvable_files_are_named_once_and_the_rest_ingests(settings, corpus, embedder):
    (corpus / "anteckningar.docx").write_bytes(b"PK\x03\x04")
    (corpus / "loop.txt").symlink_to("loop.txt")

    report = ingest(settings, embedder=embedder, progress=False)

    assert report.added == ["samverkan.txt", "strategi.txt"]
    assert report.skipped == [
        (str(corpus / "anteckningar.docx"),
         "unsupported file type .docx; supported: .txt, .md, .pdf (save it as PDF or text to index it)")
    ]
    [(path, why)] = report.failed
    assert path == str(corpus / "loop.txt")
    assert why.startswith("cannot be resolved (Symlink loop from ") and why.endswith("); fix or remove the link")
    lines = report.summary().splitlines()
    assert lines[1:] == [
        "skipped 1 file(s) that are not indexed:",
        "  {}: unsupported file type .docx; supported: .txt, .md, .pdf (save it as PDF or text to index it)".format(
            corpus / "anteckningar.docx"),
        "FAILED {}: {}".format(corpus / "loop.txt", why),
    ]


def test_a_utf16_file_without_bom_fails_by_name_and_the_rest_ingests(settings, corpus, embedder):
    (corpus / "utf16.txt").write_bytes(PLAN.encode("utf-16-le"))

    report = ingest(settings, embedder=embedder, progress=False)

    assert report.failed == [
        (str(corpus / "utf16.txt"), "UTF-16LE text without a byte order mark; save it as UTF-8 and ingest again")
    ]
    assert {p.source for p in _current(settings).passages} == {"samverkan.txt", "strategi.txt"}
    assert not any("\x00" in p.text for p in _current(settings).passages)


def test_service_construction_touches_nothing_until_warm_up(settings, corpus, embedder):
    messages: list[str] = []

    service = RagService(settings, embedder=embedder, notify=messages.append)

    assert messages == [] and not settings.index_dir.exists()
    assert service.warm_up() is service
    assert messages[0].startswith("no index in ")
    stats = service.stats()
    assert (stats.passages, stats.documents) == (3, 2)
    assert stats.generation == (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    service.warm_up()
    assert len(messages) == 1


def test_manifest_records_the_cleaner_version_and_a_new_one_rebuilds(settings, corpus, embedder, monkeypatch):
    import rag.index.store as store
    from rag.index.clean import CLEANER_VERSION

    ingest(settings, embedder=embedder, progress=False)
    assert _current(settings).manifest.cleaner_version == CLEANER_VERSION
    messages: list[str] = []
    monkeypatch.setattr(store, "CLEANER_VERSION", "repair-test")

    service = RagService(settings, embedder=HashEmbedder(), notify=messages.append).warm_up()

    assert messages == [
        "index does not match the settings (cleaner_version: index has {}, settings want repair-test): "
        "rebuilding".format(CLEANER_VERSION)
    ]
    assert service.generation.manifest.cleaner_version == "repair-test"
