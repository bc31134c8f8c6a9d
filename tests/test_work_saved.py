"""A person's conversation and draft as the page keeps them (``rag.product.web.saved``) over the
SQLite store, a FAKE clock and a tiny FAKE-embedded index: exact round trips, retention, versioned
draft writes, the size limits, and a pinned part whose source changed after a re-ingest."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from corpora import SAMVERKAN, STRATEGI
from fakes import HashEmbedder, fake_index

from rag.limits import MAX_DRAFT_ITEM_CHARS, MAX_DRAFT_ITEMS, MAX_MEMO_TITLE_CHARS
from rag.product.memo import DraftItem
from rag.product.memo_export import swedish_date
from rag.product.web import draft as ui_draft
from rag.product.web.render import ChatTurn
from rag.product.web.saved import Conversations, Draft, Drafts, TabChat, turn_from_dict, turn_to_dict
from rag.product.work import CHAT, WorkError
from rag.product.work_sqlite import SqliteWorkStore

T0 = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
QUESTION = "Hur kan små kommuner dela på kompetens?"


class Clock:
    """A FAKE clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def built(tmp_path):
    with fake_index(tmp_path, {"strategi.txt": STRATEGI, "samverkan.txt": SAMVERKAN}) as settings:
        yield settings.model_copy(update={"decline_below": 0.0, "partial_below": 0.0, "answer_sentences": 1})


@pytest.fixture
def service(built):
    from rag.service import RagService

    return RagService(built, embedder=HashEmbedder()).warm_up()


def test_a_turn_is_stored_and_read_back_exactly(service):
    turn = ChatTurn(QUESTION, "1. Samverkan", answer=service.ask(QUESTION), comment="Bra", note="Tack!",
                    suggestions=("Vad säger rapporten om upphandling?",), asked_at=T0.isoformat())
    turn.partial = "halvfärdig text"  # streamed text is not kept: the answer is

    back = turn_from_dict(turn_to_dict(turn))

    assert back == ChatTurn(QUESTION, "1. Samverkan", answer=turn.answer, comment="Bra", note="Tack!",
                            suggestions=("Vad säger rapporten om upphandling?",), id=turn.id, asked_at=T0.isoformat())
    assert back.answer.text == (
        "Ur «Samverkan mellan kommuner», ett annat dokument än rapporten:\n\n"
        "Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. [1]"
    )


def test_conversations_are_kept_per_owner_for_the_retention_and_purged_after(tmp_path):
    clock = Clock()
    store = SqliteWorkStore(tmp_path / "work.sqlite3", clock=clock)
    chats = Conversations(store, retention_days=30, clock=clock)
    first = ChatTurn("Första frågan?", None, error="Frågan kunde inte besvaras: x")
    turns, _, problem = chats.change("user:alice", None, lambda ts: ts + [first])
    assert ([t.question for t in turns], problem) == (["Första frågan?"], "")
    clock.now = T0 + timedelta(days=20)
    second = ChatTurn("Andra frågan?", None, error="y")
    chats.change("user:alice", None, lambda ts: ts + [second])

    assert [(t.question, t.asked_at) for t in chats.turns("user:alice", None)] == [
        ("Första frågan?", T0.isoformat()), ("Andra frågan?", (T0 + timedelta(days=20)).isoformat())
    ]
    assert chats.turns("user:bob", TabChat("user:alice", [first])) == []  # a tab's state grants nothing
    # Day 31: the first turn is past the retention and is not shown; day 51 the whole conversation goes.
    clock.now = T0 + timedelta(days=31)
    assert [t.question for t in chats.turns("user:alice", None)] == ["Andra frågan?"]
    clock.now = T0 + timedelta(days=51)
    assert chats.turns("user:alice", None) == []
    assert store.load("user:alice", CHAT).version == 0  # purged from the store, not only hidden

    chats.change("user:alice", None, lambda ts: ts + [first])
    chats.delete("user:alice")
    assert store.load("user:alice", CHAT).version == 0


def test_retention_zero_writes_nothing_and_binds_the_tab_to_its_owner(tmp_path):
    store = SqliteWorkStore(tmp_path / "work.sqlite3")
    chats = Conversations(store, retention_days=0)
    turn = ChatTurn("Fråga?", None, error="x")

    turns, tab, problem = chats.change("browser:" + "a" * 43, None, lambda ts: ts + [turn])

    assert (tab, problem) == (TabChat("browser:" + "a" * 43, [turn]), "")
    assert chats.turns("browser:" + "a" * 43, tab) == [turn]
    assert chats.turns("user:bob", tab) == []
    assert not (tmp_path / "work.sqlite3").exists() or store.load("browser:" + "a" * 43, CHAT).version == 0


def test_a_draft_write_on_a_version_another_tab_replaced_is_refused(tmp_path):
    drafts = Drafts(SqliteWorkStore(tmp_path / "work.sqlite3"))
    item = DraftItem("Text", ("p1",))
    first, written = drafts.write("user:alice", "tab-a", 0, "Viktig promemoria", [item])
    assert (first, written) == (Draft("Viktig promemoria", (item,), 1), True)

    # Tab B saw version 1; tab A writes version 2; B's change on version 1 is refused with A's draft.
    drafts.write("user:alice", "tab-a", 1, "Ny rubrik", [item])
    current, written = drafts.write("user:alice", "tab-b", 1, "Viktig promemoria", [])
    assert (current, written) == (Draft("Ny rubrik", (item,), 2), False)
    # A tab's own earlier write never refuses its next one (its events may overtake each other).
    assert drafts.write("user:alice", "tab-a", 1, "Tredje", [item]) == (Draft("Tredje", (item,), 3), True)
    # Adding (a pin) goes onto whatever is stored now.
    other = DraftItem("Mer", ("p2",))
    added, said = drafts.add("user:alice", "tab-b", lambda d: (d.items + (other,), "fäst"))
    assert (added, said) == (Draft("Tredje", (item, other), 4), "fäst")
    assert drafts.load("user:bob") == Draft()


def test_limits_on_part_text_note_title_and_count(service):
    items = [DraftItem("a", ("p1",))]
    with pytest.raises(ValueError) as refused:
        ui_draft.edited(items, 0, "x" * (50 * 1024 * 1024), "")
    assert str(refused.value) == (
        "Texten är 52\u00a0428\u00a0800 tecken lång; en del av utkastet får ha högst 20\u00a0000 tecken. Korta ner den "
        "eller dela upp den på flera delar."
    )
    assert ui_draft.edited(items, 0, "x" * MAX_DRAFT_ITEM_CHARS, "")[0].text == "x" * MAX_DRAFT_ITEM_CHARS
    with pytest.raises(ValueError, match="^Anteckningen är 5\u00a0001 tecken lång"):
        ui_draft.edited(items, 0, "x", "n" * 5001)
    with pytest.raises(ValueError) as refused:
        ui_draft.export(items, service, "R" * (1024 * 1024))
    assert str(refused.value) == "Rubriken är 1048576 tecken lång; den får ha högst 200 tecken. Korta ner den."
    assert MAX_MEMO_TITLE_CHARS == 200
    full = [DraftItem("t{}".format(i), ()) for i in range(MAX_DRAFT_ITEMS)]
    pid = next(p.id for p in service.generation.passages if p.text.startswith("Kommunen behöver"))
    with pytest.raises(ValueError, match="^Utkastet kan ha högst 200 delar"):
        ui_draft.pin_passage(full, service, pid)


def test_a_part_whose_source_changed_is_exported_with_the_mark(built, tmp_path):
    from rag.index.ingest import ingest
    from rag.service import RagService

    before = RagService(built, embedder=HashEmbedder()).warm_up()
    items, _, _ = ui_draft.pin_answer([], before.ask(QUESTION), before)
    stored = [DraftItem.from_dict(i.to_dict()) for i in items]  # as the store keeps it

    # The file changes and is ingested again: the cited passage is gone from the index.
    (built.corpus_dir / "samverkan.txt").write_text(SAMVERKAN.replace("grannkommunerna", "regionen"), encoding="utf-8")
    ingest(built, embedder=HashEmbedder(), progress=False)
    after = RagService(built, embedder=HashEmbedder()).warm_up()
    with pytest.raises(KeyError):
        after.passage(stored[0].citation_ids[0])

    md, _ = ui_draft.export(stored, after, "PM")
    assert md.read_text(encoding="utf-8") == (
        "# PM\n\n" + swedish_date(date.today()) + "\n\n"
        "*Sammanställd med verktyget «Från insikt till handling – frågor till rapporten», som tar fram svar "
        "automatiskt ur rapporten. Varje citat har kontrollerats ordagrant mot rapportens text vid exporten.*\n\n"
        "## " + QUESTION + "\n\n"
        "Ur «Samverkan mellan kommuner», ett annat dokument än rapporten:\n\n"
        "> Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. [1]\n\n"
        "## Referenser\n\n"
        "1. *Samverkan mellan kommuner*. 1. Samverkan. (Källan har ändrats sedan avsnittet fästes; citerat som det "
        "löd då.)\n"
    )
    # A part pinned before parts remembered their sources says which part to remove.
    with pytest.raises(ValueError, match="^del 1 citerar avsnittet {}, som inte".format(stored[0].citation_ids[0])):
        ui_draft.export([DraftItem(stored[0].text, stored[0].passage_ids, citation_ids=stored[0].citation_ids)], after, "PM")


def test_a_conversation_that_cannot_be_stored_stays_in_its_tab_and_is_stored_later(tmp_path):
    path = tmp_path / "work.sqlite3"
    chats = Conversations(SqliteWorkStore(path), retention_days=30)
    first, second = ChatTurn("Första?", None, error="x"), ChatTurn("Andra?", None, error="y")
    _, tab, _ = chats.change("user:alice", None, lambda ts: ts + [first])
    path.rename(tmp_path / "aside")
    path.mkdir()  # a folder where the file should be: the store cannot be opened

    turns, tab, problem = chats.change("user:alice", tab, lambda ts: ts + [second])
    assert ([t.question for t in turns], tab.unsaved) == (["Första?", "Andra?"], True)
    assert problem.startswith("cannot use the file {} for saved conversations".format(path))
    assert [t.question for t in chats.turns("user:alice", tab)] == ["Första?", "Andra?"]
    with pytest.raises(WorkError):
        chats.turns("user:bob", tab)  # someone else's tab is no fallback

    path.rmdir()
    (tmp_path / "aside").rename(path)
    turns, tab, problem = chats.change("user:alice", tab, lambda ts: ts)
    assert ([t.question for t in turns], tab.unsaved, problem) == (["Första?", "Andra?"], False, "")
    assert [t.question for t in chats.turns("user:alice", None)] == ["Första?", "Andra?"]
