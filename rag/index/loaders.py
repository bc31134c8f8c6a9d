"""Turn files into ``Document`` objects: text exactly as decoded, plus a page map for PDFs.

Offsets everywhere else in the system index into ``Document.text``, so the loaders never
rewrite text: line endings stay as they are in the file ("\\r\\n" stays two characters).

Decisions, stated once:

* **Text files** (``.txt``, ``.md``) are read as strict UTF-8. A leading UTF-8 byte order
  mark is dropped, so offset 0 is the first character *after* the BOM. Bytes that are not
  UTF-8 are decoded as Windows-1252 (a superset of Latin-1 for printable text) only when that
  decodes cleanly, yields no control characters and contains Swedish letters (å ä ö); a
  warning is logged. Anything else is refused with a LoaderError saying how to fix it.
* **Text files with printed page numbers** (an OCR'd report) get the pages of the published
  report, derived from the layout by ``rag.index.pages`` and marked where they are estimates.
* **PDFs** go through pypdf: the page texts from ``page.extract_text()`` are joined with a
  form feed ``"\\f"``. Each ``Page`` span covers its page's text *and* the form feed that
  ends it (the last page has none), so the spans tile ``Document.text`` and every offset
  maps to a page. Form feeds inside a page's text become ``"\\n"`` (same length) so that
  ``"\\f"`` only ever marks a page boundary.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rag.index.pages import printed_pages
from rag.types import Document, Page

if TYPE_CHECKING:
    from pypdf import PdfReader

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")
PAGE_SEPARATOR = "\f"
MAX_TITLE_CHARS = 120

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SWEDISH_LETTERS = frozenset("åäöÅÄÖ")
_ALLOWED_CONTROLS = frozenset("\t\n\r\f")
_SKIPPED_NAMES = frozenset({"manifest.json"})


class LoaderError(Exception):
    """A file that cannot be ingested; ``str()`` names the file, the reason and what to do."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass
class Scan:
    """What ``scan`` found: files to load, files in folders that are not indexed (path, why),
    and paths that cannot even be looked at, such as a symlink loop (path, why)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)


def scan(paths: Iterable[Path]) -> Scan:
    """Expand folders recursively to supported files; keep explicitly named files as given.

    Inside folders, hidden files and folders (name starting with "."), ``manifest.json``
    and README files are passed over, files of other types are listed in ``skipped``, and
    files are sorted by their path within the folder. Explicit files are kept whatever their
    type, so ``load_document`` can say why an unsupported one is refused. Duplicates (same
    resolved path) are kept once, first occurrence wins. A symlink that cannot be resolved (a
    loop) goes to ``broken`` and the rest is still found. A path that does not exist raises
    LoaderError.
    """
    found = Scan()
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            candidates = _walk(path, found.skipped)
        elif path.exists():
            candidates = [path]
        elif path.is_symlink():
            candidates = [path]  # a dangling link: loading it says what is wrong
        else:
            raise LoaderError(path, "no such file or folder; check the path and try again")
        for candidate in candidates:
            try:
                key = candidate.resolve()
            except (RuntimeError, OSError) as exc:
                # Python reports a symlink loop as RuntimeError ("Symlink loop from …").
                found.broken.append((str(candidate), "cannot be resolved ({}); fix or remove the link".format(exc)))
                continue
            if key not in seen:
                seen.add(key)
                found.files.append(candidate)
    return found


def discover(paths: Iterable[Path]) -> list[Path]:
    """The files ``scan`` finds."""
    return scan(paths).files


def load_document(path: Path, corpus_dir: Path | None = None) -> Document:
    """Load one ``.txt``, ``.md`` or ``.pdf`` file; raises LoaderError when it cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoaderError(path, _unsupported(suffix))
    if path.is_dir():
        raise LoaderError(path, "is a folder, not a file; pass the folder to discover() instead")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoaderError(path, "no such file; check the path and try again") from None
    except OSError as exc:
        raise LoaderError(path, f"cannot be read ({exc.strerror}); check its permissions") from exc

    if suffix == ".pdf":
        text, pages, title = _read_pdf(path, data)
    else:
        text = _decode_text(path, data)
        if not text.strip():
            raise LoaderError(path, "empty (no text); add content or leave it out")
        # Printed page numbers in an OCR'd report give the pages of the published report.
        pages, title = printed_pages(text), _first_line(text)

    resolved = path.resolve()
    return Document(
        source=source_name(resolved, corpus_dir),
        path=str(resolved),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
        title=title,
    )


def _walk(folder: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if _is_skipped(name):
                continue
            suffix = Path(name).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                skipped.append((str(Path(root, name)), _unsupported(suffix)))
                continue
            files.append(Path(root, name))
    skipped.sort()
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def _unsupported(suffix: str) -> str:
    shown = suffix or "(no suffix)"
    return f"unsupported file type {shown}; supported: {', '.join(SUPPORTED_SUFFIXES)} (save it as PDF or text to index it)"


def _is_skipped(name: str) -> bool:
    return (
        name.startswith(".")
        or name.lower() in _SKIPPED_NAMES
        or Path(name).stem.lower() == "readme"
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()
    except OSError as exc:
        raise LoaderError(path, f"cannot be read ({exc.strerror}); check its permissions") from exc


def source_name(resolved: Path, corpus_dir: Path | None) -> str:
    """Citation name of a file: relative to the corpus folder when inside it, else absolute."""
    if corpus_dir is not None:
        try:
            return resolved.relative_to(Path(corpus_dir).resolve()).as_posix()
        except ValueError:
            pass
    return resolved.as_posix()


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        # A Markdown heading's "#" markers are syntax, not part of the title.
        title = line.strip().lstrip("#").strip()
        if title:
            return title[:MAX_TITLE_CHARS]
    return None


def _decode_text(path: Path, data: bytes) -> str:
    _refuse_nul_bytes(path, data)
    if data.startswith(_UTF8_BOM):
        body, skipped = data[len(_UTF8_BOM) :], len(_UTF8_BOM)
    else:
        body, skipped = data, 0
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = exc
    if data.startswith(_UTF16_BOMS):
        raise LoaderError(path, "UTF-16 text; save it as UTF-8 and ingest again")
    fallback = _decode_cp1252(body)
    if fallback is not None:
        logger.warning(
            "%s: not UTF-8, read as Windows-1252 (Swedish letters found); "
            "save it as UTF-8 to be sure",
            path,
        )
        return fallback
    bad = body[error.start]
    raise LoaderError(
        path,
        f"not UTF-8 (byte 0x{bad:02X} at offset {error.start + skipped}); "
        "save it as UTF-8 and ingest again",
    )


def _refuse_nul_bytes(path: Path, data: bytes) -> None:
    """Text has no NUL bytes. UTF-16 without a byte order mark decodes as "valid" UTF-8 with a
    NUL between the characters, so it is named as what it is; anything else with NULs is binary."""
    first = data.find(b"\0")
    if first < 0 or data.startswith(_UTF16_BOMS):
        return
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) // 4 and even == 0:
        raise LoaderError(path, "UTF-16LE text without a byte order mark; save it as UTF-8 and ingest again")
    if even > len(sample) // 4 and odd == 0:
        raise LoaderError(path, "UTF-16BE text without a byte order mark; save it as UTF-8 and ingest again")
    raise LoaderError(
        path, f"has a NUL byte at offset {first}, so it is not a text file; save it as UTF-8 text"
    )


def _decode_cp1252(data: bytes) -> str | None:
    """The text if ``data`` reads as Swedish Windows-1252/Latin-1 text, else None."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in _ALLOWED_CONTROLS for ch in text):
        return None
    if _SWEDISH_LETTERS.isdisjoint(text):
        return None
    return text


def _read_pdf(path: Path, data: bytes) -> tuple[str, tuple[Page, ...], str | None]:
    from pypdf import PdfReader  # keeps `import rag` light for non-PDF users
    from pypdf.errors import DependencyError

    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    unlocked = reader.decrypt("")
                except DependencyError:
                    raise LoaderError(
                        path,
                        "encrypted with AES, which needs the 'cryptography' package; "
                        "install it or remove the password, then ingest again",
                    ) from None
                if not unlocked:
                    raise LoaderError(
                        path, "encrypted; remove the password and ingest again"
                    )
            page_texts = _extract_pages(path, reader)
            title = _pdf_title(reader)
        except LoaderError:
            raise
        except Exception as exc:
            raise LoaderError(
                path, f"not a readable PDF ({_describe(exc)}); re-export or repair it"
            ) from exc

    if not page_texts:
        raise LoaderError(path, "PDF has no pages; re-export it")
    if not any(t.strip() for t in page_texts):
        raise LoaderError(
            path, "no text layer (scanned images?); run OCR first, e.g. ocrmypdf"
        )

    pages, offset = [], 0
    last = len(page_texts)
    for number, page_text in enumerate(page_texts, start=1):
        end = offset + len(page_text) + (number < last)
        pages.append(Page(number=number, start=offset, end=end))
        offset = end
    return PAGE_SEPARATOR.join(page_texts), tuple(pages), title


def _extract_pages(path: Path, reader: PdfReader) -> list[str]:
    """Each page's text; a page that fails alone is kept empty so the rest still ingests."""
    texts, failures = [], []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text()
        except Exception as exc:
            failures.append(exc)
            logger.warning("%s: page %d has unreadable text, kept empty (%s)", path, number, exc)
            text = ""
        texts.append(text.replace(PAGE_SEPARATOR, "\n"))
    if failures and len(failures) == len(texts):
        raise failures[0]
    return texts


def _pdf_title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except Exception:  # broken metadata should not cost us the text
        return None
    if not title:
        return None
    return str(title).strip()[:MAX_TITLE_CHARS] or None


def _describe(exc: Exception) -> str:
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_level = logging.NOTSET


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Mute pypdf's repair chatter ("EOF marker not found" …) while one file loads.

    The failure itself still reaches the user as a LoaderError; the logger level is
    restored afterwards so the rest of the program's logging is untouched.
    """
    global _quiet_depth, _saved_level
    pypdf_logger = logging.getLogger("pypdf")
    with _quiet_lock:
        if _quiet_depth == 0:
            _saved_level = pypdf_logger.level
            pypdf_logger.setLevel(logging.ERROR)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                pypdf_logger.setLevel(_saved_level)
