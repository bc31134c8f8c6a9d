"""Citations survive an index switch (issue 20, finding 9): an answer given from one generation
has its citations clicked after the service switched to the next (6 of 1,227 clicks failed with
"unknown passage id" on main). The passages of the last generations stay readable; an id from a
newer generation than the service's makes it switch at once. FAKE-embedded, no poller."""

from __future__ import annotations

from datetime import date

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder

from rag.config import load_settings
from rag.index.ingest import ingest
from rag.product.memo import passage_item
from rag.product.memo_export import draft_markdown
from rag.service import EARLIER_GENERATIONS, RagService

EDITED = STRATEGI.replace("Kommunen behöver en tydlig strategi", "Kommunen behöver en skriven strategi")


@pytest.fixture
def deployment(settings, corpus_dir):
    (corpus_dir / "strategi.txt").write_text(STRATEGI, encoding="utf-8")
    (corpus_dir / "samverkan.txt").write_text(SAMVERKAN, encoding="utf-8")
    settings = load_settings(index_dir=settings.index_dir, corpus_dir=corpus_dir, index_poll_seconds=0)
    ingest(settings, embedder=HashEmbedder(), progress=False)
    return settings, corpus_dir


def _reingest(settings, corpus_dir, text: str) -> None:
    (corpus_dir / "strategi.txt").write_text(text, encoding="utf-8")
    ingest(settings, embedder=HashEmbedder(), progress=False)


def test_a_citation_from_the_previous_generation_still_opens(deployment):
    settings, corpus = deployment
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    cited = service.search("tydlig strategi för AI", k=1)[0].passage
    first = service.sentences(cited.id)[0]
    assert cited.text.startswith("Kommunen behöver en tydlig strategi")

    _reingest(settings, corpus, EDITED)
    assert service.refresh()

    view = service.passage_view(cited.id, [(first.start, first.end)])
    assert view.passage == cited
    assert view.highlights == ((0, len("Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten.")),)
    assert service.passage(cited.id) == cited
    assert draft_markdown([passage_item(service, cited.id)], service, "PM", date(2026, 12, 6)) == (
        "# PM\n\n6 december 2026\n\n"
        "*Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar "
        "automatiskt ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten.*\n\n"
        "## 1. Strategi\n\n"
        "> Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. "
        "Strategin beslutas av kommunfullmäktige efter en bred dialog. [1]\n\n"
        "## Referenser\n\n1. *Strategi för AI*. 1. Strategi.\n"
    )


def test_only_the_last_generations_are_kept(deployment):
    settings, corpus = deployment
    service = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    cited = service.search("tydlig strategi för AI", k=1)[0].passage

    for n in range(EARLIER_GENERATIONS + 1):
        _reingest(settings, corpus, EDITED.replace("skriven", "skriven{}".format(n)))
        assert service.refresh()

    with pytest.raises(KeyError, match="unknown passage id '{}'".format(cited.id)):
        service.passage_view(cited.id)


def test_a_citation_from_a_newer_generation_switches_at_once(deployment):
    settings, corpus = deployment
    behind = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail).warm_up()
    _reingest(settings, corpus, EDITED)
    ahead = RagService(settings, embedder=HashEmbedder(), notify=pytest.fail)
    cited = ahead.search("skriven strategi för AI", k=1)[0].passage
    assert cited.text.startswith("Kommunen behöver en skriven strategi")

    assert behind.passage_view(cited.id).passage == cited
    assert behind.stats().generation == ahead.stats().generation
