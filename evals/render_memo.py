"""Build a real memo from the real index and render it the way a strategist will see it.

    python -m evals.render_memo [--out runs/memo-render] [--author "Namn"]

Asks a few real questions, pins what a strategist would (answers under their questions, a cited
passage of the first answer, which repeats its sentences and must appear once, and a whole
passage found by search), exports Markdown and DOCX as the web app does, then renders the DOCX
to PDF with LibreOffice headless and the PDF to one PNG per page with pdftoppm (Debian packages
libreoffice-writer and poppler-utils). Everything goes into ``--out``, which is not tracked;
look at the PNGs. Without LibreOffice or pdftoppm the memo files are still written and the
missing tool is named.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from rag.product.web import draft as ui_draft
from rag.config import load_settings
from rag.service import RagService

QUESTIONS = (
    "Vilka bör vi bjuda in när vi tar fram vår AI-strategi?",
    "Hur går vi från pilotprojekt till storskalig användning av AI?",
    "Vad säger rapporten om juridiken kring AI?",
)
SEARCH = "nyttorealisering"
TITLE = "PM: AI-strategi och nyttorealisering"
RENDER_TIMEOUT_S = 180


def build_draft(service: RagService) -> list:
    """The draft: each answer, the first answer's cited passages (the cited sentences of one, the
    whole of another) and the best search hit as a whole passage."""
    items: list = []
    answers = [service.ask(q) for q in QUESTIONS]
    for answer in answers:
        items, _, message = ui_draft.pin_answer(items, answer, service)
        print("{}: {}".format(answer.question, message))
    first = answers[0]
    cited = first.citations[0].passage.id
    spans = [(s.start, s.end) for s in first.sentences if 1 in s.citations and s.start is not None]
    items, _, message = ui_draft.pin_passage(items, service, cited, spans)
    print("cited sentences of answer 1's first passage:", message)
    items, _, message = ui_draft.pin_passage(items, service, first.citations[1].passage.id)
    print("answer 1's second passage, whole (the sentence the answer quotes is left out):", message)
    hit = service.search(SEARCH, k=1)[0]
    items, _, message = ui_draft.pin_passages(items, service, [hit.passage.id])
    print("search hit {!r}: {}".format(hit.passage.section, message))
    return items


def render(docx: Path, out: Path) -> list[Path]:
    """DOCX -> PDF (LibreOffice) -> PNG per page (pdftoppm); the PNGs, or [] with the tool named."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftoppm = shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("cannot render: install libreoffice-writer and poppler-utils (apt-get install -y ...)", file=sys.stderr)
        return []
    # A profile folder of its own, so a LibreOffice the user has open is not disturbed.
    profile = (out / "lo-profile").resolve().as_uri()
    subprocess.run(
        [soffice, "-env:UserInstallation=" + profile, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True, timeout=RENDER_TIMEOUT_S, capture_output=True,
    )
    pdf = out / (docx.stem + ".pdf")
    subprocess.run([pdftoppm, "-png", "-r", "70", str(pdf), str(out / docx.stem)], check=True, timeout=RENDER_TIMEOUT_S)
    return sorted(out.glob(docx.stem + "*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/memo-render"))
    parser.add_argument("--author", default=None, help="RAG_MEMO_AUTHOR for this render")
    args = parser.parse_args(argv)
    service = RagService(load_settings(memo_author=args.author))
    items = build_draft(service)
    md, docx = ui_draft.export(items, service, TITLE)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in (md, docx):
        shutil.copy(path, args.out / path.name)
    print("memo:", args.out / md.name, args.out / docx.name)
    for png in render(args.out / docx.name, args.out):
        print("page:", png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
