"""What a reader is told about where a passage is: its chapter › section and page.

Character offsets and OCR line numbers stay in the JSON (they are what a program needs to
find a span again) but never reach a person: a manager holding the published report checks
a citation by its section and page. An estimated page says so ("ca s. 20"); a source without
pages is located by its section alone. Every place that shows a location to a person (the
`rag ask` output, the web app's source cards and passage viewer, the memo references) uses
these functions.
"""

from __future__ import annotations

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
