"""What a reader is told about where a passage is: its chapter › section and page, and what its
source is called (``shown_title``).

Character offsets and OCR line numbers stay in the JSON (they are what a program needs to
find a span again) but never reach a person: a manager holding the published report checks
a citation by its section and page. An estimated page says so ("ca s. 20"); a source without
pages is located by its section alone. Every place that shows a location to a person (the
`rag ask` output, the web app's source cards and passage viewer, the memo references) uses
these functions.
"""

from __future__ import annotations

import unicodedata

from rag.types import PageSpan

_PAGE_WORDS = {
    "sv": {"one": "s. {}", "range": "s. {}–{}", "estimate": "ca {}"},
    "en": {"one": "p. {}", "range": "pp. {}–{}", "estimate": "approx. {}"},
}


def page_label(pages: PageSpan | None, lang: str = "sv") -> str:
    """ "s. 17", "s. 17–18", "ca s. 17" (English "p. 17", "pp. 17–18", "approx. p. 17"); "" without pages."""
    if pages is None:
        return ""
    words = _PAGE_WORDS.get(lang, _PAGE_WORDS["sv"])
    if pages.first == pages.last:
        label = words["one"].format(pages.first)
    else:
        label = words["range"].format(pages.first, pages.last)
    return words["estimate"].format(label) if pages.estimated else label


def citation_label(section: str, pages: PageSpan | None, lang: str = "sv") -> str:
    """ "4. AI-strategin som grund för AI-användning › Juridiken måste gå i takt med strategin, s. 21"."""
    where = page_label(pages, lang)
    return "{}, {}".format(section, where) if where else section


def shown_title(files: dict[str, dict], source: str) -> str | None:
    """The title of ``source`` as a reader sees it, from the index's file entries. A file the corpus
    manifest describes (``curated``: the report) goes by its title. Any other file goes by its own
    title (first line, PDF title), followed by its file name when that title could be taken for
    the report's: a file headed "# Från insikt till handling" is not the report and must not read
    as it in an answer, the viewer or a memo's references."""
    return _shown(files, source, _curated_titles(files))


def shown_titles(files: dict[str, dict]) -> dict[str, str | None]:
    """``shown_title`` of every file: the curated titles are read once, not once per file (at
    10,000 files that took 1.8 s of a replica's load)."""
    curated = _curated_titles(files)
    return {source: _shown(files, source, curated) for source in files}


def _curated_titles(files: dict[str, dict]) -> list[str]:
    return [_comparable(f["title"]) for f in files.values() if f.get("curated") and f.get("title")]


def _shown(files: dict[str, dict], source: str, curated: list[str]) -> str | None:
    entry = files.get(source) or {}
    title = entry.get("title")
    if not title or entry.get("curated"):
        return title
    own = _comparable(title)
    if any(c in own for c in curated):
        return "{} ({})".format(title, source.rsplit("/", 1)[-1])
    return title


def _comparable(title: str) -> str:
    """Letters and digits only, without case or accents: "Fran insikt till handling!" reads as the report's title."""
    flat = unicodedata.normalize("NFKD", title.casefold())
    return "".join(ch for ch in flat if ch.isalnum())
