"""OCR repair only where the corpus manifest says a file is OCR output (issue 20, finding 7): clean
text is quoted as written ("NordAI" stayed "Nörda i" on main), an index that repaired every file is
rebuilt once, and marking or unmarking a file in the manifest re-reads it. FAKE-embedded."""

from __future__ import annotations

import json

from fakes import HashEmbedder

from rag.index.ingest import ingest
from rag.index.store import LAYOUT_2_FILES, IndexDir

CLEAN = "Projekt\n\nProjektet NordAI och SkolAI använder OpenAI:s modeller i undervisningen.\n"
OCR = "Rapport\n\nKommunerna har manga AI-projekt dar resultaten mats for varje forvaltning.\n"
REPAIRED_CLEAN = "Projektet Nörda i och Skola i använder Openai:s modeller i undervisningen."
MARKED = {"documents": [{"file": "rapport.txt", "title": "Rapport", "ocr": True}]}


def _texts(settings) -> dict[str, str]:
    return {p.source: p.text for p in IndexDir(settings.index_dir).open_current().passages}


def _write(corpus, manifest=MARKED) -> None:
    (corpus / "projekt.md").write_text(CLEAN, encoding="utf-8")
    (corpus / "rapport.txt").write_text(OCR, encoding="utf-8")
    (corpus / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_clean_text_is_quoted_as_written_and_ocr_output_is_repaired(settings, corpus_dir):
    _write(corpus_dir)

    ingest(settings, embedder=HashEmbedder(), progress=False)

    assert _texts(settings) == {
        "projekt.md": "Projektet NordAI och SkolAI använder OpenAI:s modeller i undervisningen.",
        "rapport.txt": "Kommunerna har många AI-projekt där resultaten mäts för varje förvaltning.",
    }
    files = IndexDir(settings.index_dir).open_current().manifest.files
    assert (files["projekt.md"]["ocr"], files["rapport.txt"]["ocr"]) == (False, True)


def test_an_index_that_repaired_every_file_is_rebuilt_once_reusing_unchanged_vectors(settings, corpus_dir):
    _write(corpus_dir)
    ingest(settings, embedder=HashEmbedder(), progress=False)
    # What main wrote: no repair scope, and the clean file repaired like OCR output (in layout 1,
    # which has no line offsets to keep in step with the edited rows).
    folder = IndexDir(settings.index_dir).current()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["repair_scope"], manifest["layout"]
    for name in LAYOUT_2_FILES:
        (folder / name).unlink()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in ("passages.jsonl", "sentences.jsonl"):
        rows = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_text(rows.replace("NordAI och SkolAI använder OpenAI", "Nörda i och Skola i använder Openai"), encoding="utf-8")
    assert _texts(settings)["projekt.md"] == REPAIRED_CLEAN

    embedder = HashEmbedder()
    report = ingest(settings, embedder=embedder, progress=False)

    assert report.rebuild_reason == "repair_scope  -> ocr-marked"
    assert _texts(settings)["projekt.md"] == "Projektet NordAI och SkolAI använder OpenAI:s modeller i undervisningen."
    # Only the clean file's passage and sentence are new texts (the rest keep their vectors).
    assert embedder.texts_embedded == 2
    assert ingest(settings, embedder=HashEmbedder(), progress=False).up_to_date


def test_marking_a_file_as_ocr_output_in_the_manifest_reads_it_again(settings, corpus_dir):
    _write(corpus_dir, {"documents": []})
    ingest(settings, embedder=HashEmbedder(), progress=False)
    assert _texts(settings)["rapport.txt"] == "Kommunerna har manga AI-projekt dar resultaten mats for varje forvaltning."

    (corpus_dir / "manifest.json").write_text(json.dumps(MARKED), encoding="utf-8")
    report = ingest(settings, embedder=HashEmbedder(), progress=False)

    assert (report.changed, report.unchanged) == (["rapport.txt"], ["projekt.md"])
    assert _texts(settings)["rapport.txt"] == "Kommunerna har många AI-projekt där resultaten mäts för varje förvaltning."
    assert IndexDir(settings.index_dir).open_current().manifest.files["rapport.txt"]["curated"] is True
