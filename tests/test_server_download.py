"""A replica's download of a generation's files from Chroma's own server: several requests in
flight, the files written byte for byte, a damaged or missing part refused naming the file, and
a server that goes away mid-download raised as ``StoreUnavailable`` with no thread left behind.
Every server here is a real ``chroma run`` on loopback."""

from __future__ import annotations

import base64
import gc
import hashlib
import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from rag.index import chroma_server as server_store
from rag.index.chroma_server import GenerationFiles, ServerStore, in_order
from rag.index.store import StoreUnavailable

GENERATION = "gen-20261207T000000000000-1"
# Small chunks so that one file spans many requests: 25,500 bytes are 26 chunks, 13 requests.
SIZES = {"vectors.npy": 25_500, "sub/passages.jsonl": 2_000, "empty.txt": 0}


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(server_store, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(server_store, "CHUNKS_PER_REQUEST", 3)
    monkeypatch.setattr(server_store, "DOWNLOAD_CHUNKS_PER_REQUEST", 2)
    monkeypatch.setattr(server_store, "PARALLEL_REQUESTS", 3)


@pytest.fixture
def uploaded(tmp_path, chroma_server, small_chunks) -> tuple[Path, GenerationFiles]:
    source = tmp_path / "source"
    rng = random.Random(23)
    for rel, size in SIZES.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_bytes(rng.randbytes(size))
    (source / "chroma").mkdir()
    (source / "chroma" / "chroma.sqlite3").write_bytes(b"not uploaded")
    files = GenerationFiles(ServerStore(chroma_server.url, None, 60), GENERATION)
    assert files.upload(source) == 26 + 2 + 1 + 1  # chunks of each file and the listing
    return source, files


def _download_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("rag-download")]


def test_files_spanning_many_requests_download_byte_identical(uploaded, tmp_path, monkeypatch):
    source, files = uploaded
    asked: list[list[str]] = []
    in_flight, most = [0], [0]
    lock = threading.Lock()
    get = GenerationFiles._get

    def counted(self, ids, collection=None):
        with lock:
            asked.append(list(ids))
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            return get(self, ids, collection)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(GenerationFiles, "_get", counted)
    files.download(tmp_path / "copy")
    requested = sorted(asked)

    copied = sorted(p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*") if p.is_file())
    assert copied == ["empty.txt", "sub/passages.jsonl", "vectors.npy"]
    for rel in copied:
        assert (tmp_path / "copy" / rel).read_bytes() == (source / rel).read_bytes()
        assert hashlib.sha256((tmp_path / "copy" / rel).read_bytes()).hexdigest() == files.listing()[rel]["sha256"]
    vectors = [["vectors.npy#{}".format(i), "vectors.npy#{}".format(i + 1)] for i in range(0, 26, 2)]
    assert requested == sorted([["listing"], ["empty.txt#0"], ["sub/passages.jsonl#0", "sub/passages.jsonl#1"]]
                                   + vectors)
    assert 1 <= most[0] <= 3
    assert _download_threads() == []


def test_no_response_body_outlives_its_request(uploaded, tmp_path):
    import httpx

    _, files = uploaded
    gc.collect()
    gc.disable()  # as when a download makes too few objects for the collector to run by itself
    try:
        files.download(tmp_path / "copy")
        left = [o for o in gc.get_objects() if isinstance(o, httpx.Response)]
    finally:
        gc.enable()
    assert left == []
    assert gc.get_freeze_count() == 0


def test_a_part_that_is_not_base64_is_refused_naming_the_file(uploaded, tmp_path, chroma_server):
    _, files = uploaded
    files.store.collection(files.name).update(ids=["sub/passages.jsonl#1"], metadatas=[{"data": "not base64!"}])

    with pytest.raises(ValueError) as damaged:
        files.download(tmp_path / "copy")

    assert str(damaged.value) == (
        "sub/passages.jsonl of generation {} in http://127.0.0.1:{} is damaged (sub/passages.jsonl#1 is not "
        "base64); run `rag ingest` again".format(GENERATION, chroma_server.port))


def _replace_part(files: GenerationFiles, part: str, data: bytes) -> None:
    collection = files.store.collection(files.name)
    collection.update(ids=[part], metadatas=[{"data": base64.b64encode(data).decode("ascii")}],
                      embeddings=np.zeros((1, 1), dtype=np.float32))


def test_a_damaged_part_is_refused_naming_the_file(uploaded, tmp_path, chroma_server):
    _, files = uploaded
    _replace_part(files, "vectors.npy#7", b"\0" * 1000)

    with pytest.raises(ValueError) as damaged:
        files.download(tmp_path / "copy")

    assert str(damaged.value) == (
        "vectors.npy of generation {} in http://127.0.0.1:{} is damaged (SHA-256 differs); run `rag ingest` again"
        .format(GENERATION, chroma_server.port))
    assert _download_threads() == []


def test_a_missing_part_is_refused_naming_the_file(uploaded, tmp_path, chroma_server):
    _, files = uploaded
    files.store.collection(files.name).delete(ids=["vectors.npy#3"])

    with pytest.raises(ValueError) as damaged:
        files.download(tmp_path / "copy")

    assert str(damaged.value) == (
        "vectors.npy of generation {} in http://127.0.0.1:{} is damaged (vectors.npy#3 missing); run `rag ingest` "
        "again".format(GENERATION, chroma_server.port))
    assert _download_threads() == []


def test_a_server_gone_mid_download_is_store_unavailable_and_the_scratch_folder_goes(
    uploaded, tmp_path, chroma_server, monkeypatch
):
    _, files = uploaded
    store = files.store
    store.meta().upsert(ids=[server_store.POINTER_ID], metadatas=[{"generation": GENERATION, "previous": ""}],
                        embeddings=np.zeros((1, 1), dtype=np.float32))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(server_store.tempfile, "tempdir", str(scratch))
    fetch = GenerationFiles._fetch
    fetched = [0]

    def stop_after_two(self, collection, rel, ids):
        fetched[0] += 1
        if fetched[0] == 3:
            chroma_server.stop()
        return fetch(self, collection, rel, ids)

    monkeypatch.setattr(GenerationFiles, "_fetch", stop_after_two)

    with pytest.raises(StoreUnavailable) as gone:
        store.open_current()

    # Requests in flight when it stopped fail reading, later ones connecting: the first in order is raised.
    assert re.fullmatch(r"the index server http://127\.0\.0\.1:{} cannot be reached \((ConnectError|ReadError|"
                        r"RemoteProtocolError|WriteError)\); it is retried with every question".format(chroma_server.port),
                        str(gone.value))
    assert 3 <= fetched[0] <= 5  # the stopping request and those already in flight; no more were started
    assert list(scratch.iterdir()) == []
    assert _download_threads() == []


def test_in_order_keeps_order_holds_at_most_ahead_and_raises_in_turn():
    started: list[int] = []
    lock = threading.Lock()

    def call(i: int):
        with lock:
            started.append(i)
        if i == 5:
            raise RuntimeError("call 5 failed")
        return i * 10

    with ThreadPoolExecutor(2) as pool:
        results = in_order(pool, [lambda i=i: call(i) for i in range(8)], ahead=2)
        taken = []
        with pytest.raises(RuntimeError, match="call 5 failed"):
            for value in results:
                taken.append(value)
                assert len(started) <= len(taken) + 2
        assert taken == [0, 10, 20, 30, 40]
    assert sorted(started) == [0, 1, 2, 3, 4, 5, 6]  # 7 was never submitted
