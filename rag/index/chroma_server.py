"""The index in a Chroma server, shared by several app replicas (``RAG_CHROMA_URL``).

What the server holds, per generation ``gen-…``:

* ``rag-<gen>-passages``: the passages' dense index, exactly what the folder store's Chroma
  holds (vectors, embedding text, the metadata the scope filters use); candidate search runs here;
* ``rag-<gen>-files``: every other file of the generation folder (passages, sentences, exact
  vectors, hubness, BM25, manifest) in chunks of base64 in metadata, with a listing of sizes and
  SHA-256. Stored rather than recomputed at load: a replica then reads the very bytes the
  ingest wrote (float32 vectors come back from Chroma's API rounded by up to one unit in the
  last place, and hubness and BM25 take minutes to rebuild at 100,000 passages), and answers
  are identical to the folder store's. Chunks go into metadata, not documents: Chroma builds a
  full-text index over documents, which took 200 s for 16 MB here.

and in ``rag-meta`` the pointer record ``current`` (the generation every replica should read,
and the one before it) and the ingest lease. A replica downloads the files of the current
generation into a private temporary folder (removed when no question uses that generation any
more) and queries the server for dense candidates.
"""

from __future__ import annotations

import base64
import binascii
import gc
import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import numpy as np
import pybase64

from rag.config import Settings, redact_url
from rag.index.store import (
    Generation,
    IndexBusy,
    IndexMissing,
    Manifest,
    StoreUnavailable,
    _metadata,
)
from rag.types import Passage

log = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "rag"
META = PREFIX + "-meta"
POINTER_ID = "current"
LEASE_ID = "ingest-lease"
LISTING_ID = "listing"
# Raw bytes per stored chunk and chunks per request: 2 MiB of base64 in metadata took 0.3 s per
# chunk to add on loopback; eight of them keep a request near 22 MB.
CHUNK_BYTES = 2 * 1024 * 1024
CHUNKS_PER_REQUEST = 8
PASSAGES_PER_REQUEST = 4000
# Downloading a replica's files (1.17 GB in 572 chunks at 100,099 passages; a client on the server's
# machine, 2 cores, 2026-12-07): one request in flight 4.4 s, three 3.6-4.0 s; 2, 4 or 8 chunks a
# request within 0.2 s of each other, the process's peak 220, 330 and 400 MB.
DOWNLOAD_CHUNKS_PER_REQUEST = 2
PARALLEL_REQUESTS = 3
# After writing the lease, wait this long and read it back: an ingest that read "free" just
# before ours was written has overwritten it by then (see ``Lease``).
LEASE_SETTLE_SECONDS = 0.5
# Local scratch folders, named with the owning process's id so orphans can be found.
GENERATION_SCRATCH = "rag-generation-"
INGEST_SCRATCH = "rag-ingest-"


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    import httpx

    return (httpx.TransportError, ConnectionError)


class ServerStore:
    """The ``IndexStore`` of a Chroma server."""

    def __init__(self, url: str, token: str | None, lease_seconds: float) -> None:
        parts = urlsplit(url)
        self.url = url
        self.shown = redact_url(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 8000)
        self.ssl = parts.scheme == "https"
        self._headers = {"Authorization": "Bearer " + token} if token else {}
        self.lease_seconds = lease_seconds
        self.lease: Lease | None = None
        self._client = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "ServerStore":
        token = settings.chroma_token.get_secret_value() if settings.chroma_token else None
        return cls(settings.chroma_url, token, settings.ingest_lease_seconds)

    def describe(self) -> str:
        return "Chroma server " + self.shown

    def client(self):
        """The HTTP client, made on first use (making one already asks the server)."""
        if self._client is None:
            self._client = self.call(self._connect)
        return self._client

    def _connect(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        try:
            return chromadb.HttpClient(
                host=self.host, port=self.port, ssl=self.ssl, headers=dict(self._headers),
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        except ValueError as exc:  # how chromadb reports a refused connection while connecting
            if "Could not connect" in str(exc):
                raise ConnectionError(str(exc)) from None
            raise

    def call(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``, with the server being unreachable raised as ``StoreUnavailable``."""
        try:
            return fn(*args, **kwargs)
        except _unavailable_errors() as exc:
            raise StoreUnavailable(
                "the index server {} cannot be reached ({}); it is retried with every question".format(
                    self.shown, type(exc).__name__
                )
            ) from None

    def collection(self, name: str, create: bool = False):
        client = self.client()
        if create:
            return self.call(client.get_or_create_collection, name, embedding_function=None)
        return self.call(client.get_collection, name)

    def meta(self):
        return self.collection(META, create=True)

    def pointer(self) -> dict:
        got = self.call(self.meta().get, ids=[POINTER_ID], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else {}

    def current_id(self) -> str | None:
        return self.pointer().get("generation") or None

    def current_manifest(self) -> Manifest | None:
        name = self.current_id()
        if name is None:
            return None
        files = GenerationFiles(self, name)
        return Manifest(**_known(Manifest, json.loads(files.read("manifest.json"))))

    def open_current(self) -> Generation:
        name = self.current_id()
        if name is None:
            raise IndexMissing("no index in {}; run `rag ingest` with RAG_CHROMA_URL set first".format(self.describe()))
        remove_orphans(GENERATION_SCRATCH)
        scratch = Path(tempfile.mkdtemp(prefix="{}{}-".format(GENERATION_SCRATCH, os.getpid())))
        folder = scratch / name
        try:
            GenerationFiles(self, name).download(folder)
            generation = ServerGeneration(folder, self, passages_collection(name))
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        # The files stay while any question still reads this generation, and go with it.
        weakref.finalize(generation, shutil.rmtree, scratch, True)
        return generation

    def lock(self) -> "Lease":
        return Lease(self)

    def begin(self) -> "ServerDraft":
        if self.lease is None:
            raise RuntimeError("a generation is written only while holding the ingest lease")
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        name = "gen-{}-{}".format(stamp, os.getpid())
        remove_orphans(INGEST_SCRATCH)
        folder = Path(tempfile.mkdtemp(prefix="{}{}-".format(INGEST_SCRATCH, os.getpid()))) / name
        folder.mkdir()
        return ServerDraft(self, folder)

    def prune(self) -> None:
        """Drop every generation but the current one and the one before it (replicas may still be
        answering from it until their next poll), including what killed ingests left behind."""
        pointer = self.pointer()
        keep = {pointer.get("generation"), pointer.get("previous")}
        client = self.client()
        for collection in self.call(client.list_collections):
            generation = generation_of(collection.name)
            if generation is not None and generation not in keep:
                log.info("pruning %s from %s", collection.name, self.shown)
                self.call(client.delete_collection, collection.name)


def remove_orphans(prefix: str) -> None:
    """Remove this machine's scratch folders ``<prefix><pid>-…`` of processes that no longer run
    (a replica or an ingest killed with SIGKILL cannot remove its own)."""
    for folder in Path(tempfile.gettempdir()).glob(prefix + "*"):
        pid = folder.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def passages_collection(generation: str) -> str:
    return "{}-{}-passages".format(PREFIX, generation)


def files_collection(generation: str) -> str:
    return "{}-{}-files".format(PREFIX, generation)


def generation_of(collection: str) -> str | None:
    for suffix in ("-passages", "-files"):
        if collection.startswith(PREFIX + "-gen-") and collection.endswith(suffix):
            return collection[len(PREFIX) + 1 : -len(suffix)]
    return None


def _known(cls, data: dict) -> dict:
    data.setdefault("manifest_version", 0)
    return {k: v for k, v in data.items() if k in cls.__dataclass_fields__}


class GenerationFiles:
    """A generation folder's files (all but its own Chroma store) as chunks in one collection."""

    def __init__(self, store: ServerStore, generation: str) -> None:
        self.store = store
        self.generation = generation
        self.name = files_collection(generation)

    def upload(self, folder: Path) -> int:
        """Store every file under ``folder`` but ``chroma/``; the number of records written."""
        collection = self.store.collection(self.name, create=True)
        listing, batch, written = {}, [], 0
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "chroma" not in p.relative_to(folder).parts):
            rel = path.relative_to(folder).as_posix()
            digest, parts = hashlib.sha256(), 0
            with open(path, "rb") as fh:
                while True:
                    data = fh.read(CHUNK_BYTES)
                    if not data and parts:
                        break
                    digest.update(data)
                    batch.append((part_id(rel, parts), {"data": base64.b64encode(data).decode("ascii")}))
                    parts += 1
                    if len(batch) == CHUNKS_PER_REQUEST:
                        written += self._add(collection, batch)
                        batch = []
                    if not data:
                        break
            listing[rel] = {"parts": parts, "size": path.stat().st_size, "sha256": digest.hexdigest()}
        batch.append((LISTING_ID, {"data": json.dumps(listing)}))
        written += self._add(collection, batch)
        return written

    def _add(self, collection, batch: list[tuple[str, dict]]) -> int:
        # Chroma needs a vector per record; a one-number vector costs nothing to index.
        self.store.call(
            collection.add, ids=[i for i, _ in batch], metadatas=[m for _, m in batch],
            embeddings=np.zeros((len(batch), 1), dtype=np.float32),
        )
        return len(batch)

    def listing(self) -> dict:
        return json.loads(self._get([LISTING_ID])[LISTING_ID])

    def _get(self, ids: list[str], collection=None) -> dict[str, str]:
        if collection is None:
            collection = self.store.collection(self.name)
        got = self.store.call(collection.get, ids=ids, include=["metadatas"])
        return {i: m["data"] for i, m in zip(got["ids"], got["metadatas"])}

    def read(self, rel: str) -> bytes:
        parts = self.listing()[rel]["parts"]
        return b"".join(self._fetch(self.store.collection(self.name), rel, part_ids(rel, range(parts))))

    def _fetch(self, collection, rel: str, ids: list[str]) -> list[bytes]:
        """The decoded chunks ``ids`` of ``rel``, in that order."""
        got = self._get(ids, collection)
        chunks = []
        for i in ids:
            if i not in got:
                raise self._damaged(rel, "{} missing".format(i))
            try:
                # pybase64 (a dependency of chromadb) decodes at about 20 GB/s where the standard
                # library's 0.5 GB/s took 1.9 s of a 100,099-passage download.
                chunks.append(pybase64.b64decode(got.pop(i), validate=True))
            except binascii.Error:
                raise self._damaged(rel, "{} is not base64".format(i)) from None
        return chunks

    def _damaged(self, rel: str, what: str) -> ValueError:
        return ValueError("{} of generation {} in {} is damaged ({}); run `rag ingest` again".format(
            rel, self.generation, self.store.shown, what))

    def download(self, folder: Path) -> None:
        """Write every stored file under ``folder``; ValueError when one does not match its listing.

        ``PARALLEL_REQUESTS`` requests are in flight at once, taken in the order the files are
        written: the server reads and encodes the next chunks while this process decodes, hashes
        and writes the ones before (one after the other, the two waited for each other)."""
        with _bodies_freed():
            listing = self.listing()
            collection = self.store.collection(self.name)
            requests = {rel: request_ids(rel, entry["parts"]) for rel, entry in listing.items()}
            calls = [partial(self._fetch, collection, rel, ids) for rel, batches in requests.items() for ids in batches]
            with ThreadPoolExecutor(PARALLEL_REQUESTS, thread_name_prefix="rag-download") as pool:
                try:
                    fetched = in_order(pool, calls, PARALLEL_REQUESTS)
                    for rel, entry in listing.items():
                        self._write(folder / rel, rel, entry["sha256"], (next(fetched) for _ in requests[rel]))
                finally:
                    pool.shutdown(cancel_futures=True)  # after an error, the requests not yet started are not made

    def _write(self, path: Path, rel: str, sha256: str, fetched: Iterable[list[bytes]]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(path, "wb") as fh:
            for chunks in fetched:
                for data in chunks:
                    digest.update(data)
                    fh.write(data)
                gc.collect()  # see _bodies_freed
        if digest.hexdigest() != sha256:
            raise self._damaged(rel, "SHA-256 differs")


@contextmanager
def _bodies_freed():
    """Lets ``gc.collect()`` after each request free its response in well under a millisecond.

    httpx's Response and its stream refer to each other, so the body of every answer (bytes and
    text, twice the chunks' base64) lives until the cyclic collector runs, which the few objects a
    download makes seldom trigger: 1.2 GB were held at once downloading 100,099 passages' files
    eight chunks a request. Collecting after each request bounds that to the requests in flight;
    freezing the objects already there keeps each collection to those made since (one over a
    replica's 150,000 objects takes 70 ms; frozen, the 293 of a download took 105 ms in all).
    Freezing is process-wide: cycles among the older objects that other threads drop meanwhile
    wait for a collection after the download."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def part_id(rel: str, part: int) -> str:
    """The record id of chunk ``part`` of the file ``rel``: one spelling for upload and download."""
    return "{}#{}".format(rel, part)


def part_ids(rel: str, parts) -> list[str]:
    return [part_id(rel, i) for i in parts]


def request_ids(rel: str, parts: int) -> list[list[str]]:
    """The chunk ids of ``rel``, ``DOWNLOAD_CHUNKS_PER_REQUEST`` per request."""
    return [part_ids(rel, range(start, min(start + DOWNLOAD_CHUNKS_PER_REQUEST, parts)))
            for start in range(0, parts, DOWNLOAD_CHUNKS_PER_REQUEST)]


def in_order(pool: ThreadPoolExecutor, calls: list[Callable[[], T]], ahead: int) -> Iterator[T]:
    """The results of ``calls`` in their order, run on ``pool`` with at most ``ahead`` submitted and
    not yet taken (so at most that many results held); a call's exception is raised in its turn."""
    pending: deque[Future] = deque()
    for call in calls:
        if len(pending) == ahead:
            result = pending.popleft().result()
            pending.append(pool.submit(call))
            yield result
        else:
            pending.append(pool.submit(call))
    while pending:
        yield pending.popleft().result()


class ServerGeneration(Generation):
    """A generation read from the server: its files from a local copy, dense search on the server."""

    def __init__(self, folder: Path, store: ServerStore, collection: str) -> None:
        super().__init__(folder)
        self.store = store
        self.collection = collection

    def vectorstore(self, embedder):
        from langchain_chroma import Chroma

        chroma = self.store.call(
            Chroma, collection_name=self.collection, embedding_function=embedder, client=self.store.client(),
            create_collection_if_not_exists=False,
        )
        return _Guarded(chroma, self.store)


class _Guarded:
    """The one search call retrieval makes, with an unreachable server as ``StoreUnavailable``."""

    def __init__(self, chroma, store: ServerStore) -> None:
        self.chroma = chroma
        self.store = store

    def similarity_search_by_vector_with_relevance_scores(self, *args, **kwargs):
        return self.store.call(self.chroma.similarity_search_by_vector_with_relevance_scores, *args, **kwargs)


class ServerDraft:
    """A generation being written: the dense index straight to the server, the rest to a local
    folder that ``publish`` uploads, checks and then makes current with one write of the pointer."""

    def __init__(self, store: ServerStore, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.name = folder.name
        self.passages = 0
        self.published = False

    def write_dense(self, passages: list[Passage], texts: list[str], vectors: np.ndarray) -> None:
        collection = self.store.call(
            self.store.client().get_or_create_collection,
            passages_collection(self.name), embedding_function=None, metadata={"hnsw:space": "cosine"},
        )
        for i in range(0, len(passages), PASSAGES_PER_REQUEST):
            chunk = passages[i : i + PASSAGES_PER_REQUEST]
            self.store.call(
                collection.add, ids=[p.id for p in chunk], documents=texts[i : i + PASSAGES_PER_REQUEST],
                metadatas=[_metadata(p) for p in chunk], embeddings=vectors[i : i + PASSAGES_PER_REQUEST],
            )
        self.passages += len(passages)

    def publish(self) -> None:
        manifest = Manifest.read(self.folder / "manifest.json")
        files = GenerationFiles(self.store, self.name)
        records = files.upload(self.folder)
        self._verify(manifest, files, records)
        lease = self.store.lease
        lease.check()
        previous = self.store.current_id()
        self.store.call(
            self.store.meta().upsert, ids=[POINTER_ID], embeddings=np.zeros((1, 1), dtype=np.float32),
            metadatas=[{"generation": self.name, "previous": previous or "", "switched_at": _utc(time.time())}],
        )
        self.published = True  # from here on, readers may be on it: never discarded
        if self.store.current_id() != self.name:
            raise RuntimeError("the pointer in {} did not take generation {}".format(self.store.shown, self.name))
        log.info("generation %s is current in %s", self.name, self.store.shown)
        shutil.rmtree(self.folder.parent, ignore_errors=True)
        try:
            self.store.prune()
        except StoreUnavailable as exc:
            log.warning("generation %s is current; superseded ones are pruned by the next ingest: %s", self.name, exc)

    def _verify(self, manifest: Manifest, files: GenerationFiles, records: int) -> None:
        """The counts the server holds against those written, before any reader can see them."""
        held = {
            "passages": self.store.call(self.store.collection(passages_collection(self.name)).count),
            "file chunks": self.store.call(self.store.collection(files.name).count),
        }
        wanted = {"passages": manifest.passages, "file chunks": records}
        if held != wanted:
            raise RuntimeError("generation {} is incomplete in {}: holds {}, written {}; nothing was switched".format(
                self.name, self.store.shown, held, wanted))

    def discard(self) -> None:
        shutil.rmtree(self.folder.parent, ignore_errors=True)
        if self.published:
            return
        try:
            client = self.store.client()
            for name in (passages_collection(self.name), files_collection(self.name)):
                if name in {c.name for c in client.list_collections()}:
                    client.delete_collection(name)
        except Exception as exc:  # the next ingest prunes what is left
            log.warning("could not remove the unfinished generation %s from %s: %s", self.name, self.store.shown,
                        type(exc).__name__)


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class Lease:
    """The ingest lease: a record in ``rag-meta`` naming its holder and when it expires, renewed
    while the ingest runs.

    Chroma has no compare-and-set, so taking it is read, write, wait, read back: an ingest
    refuses when the record names another holder that has not expired; otherwise it writes its
    own (holder plus a random nonce), waits ``LEASE_SETTLE_SECONDS`` and reads it back, and
    goes on only if its nonce is still there. Two ingests that both read "free" both write;
    the later write wins and the earlier one sees that on read-back and stops. What remains is
    an ingest that stalls for longer than the settle time between its read and its write
    (a paused machine): it would overwrite a lease already taken. Renewal reads back too, and
    the switch checks the lease once more, so such a loser finds out before it changes anything
    a reader sees. Expiry compares wall clocks: machines that ingest need synchronised clocks.
    """

    def __init__(self, store: ServerStore) -> None:
        self.store = store
        self.seconds = store.lease_seconds
        self.holder = "{}:{}".format(socket.gethostname(), os.getpid())
        self.nonce = uuid.uuid4().hex
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _read(self) -> dict:
        got = self.store.call(self.store.meta().get, ids=[LEASE_ID], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else {}

    def _write(self) -> None:
        record = {"holder": self.holder, "nonce": self.nonce, "expires": time.time() + self.seconds}
        self.store.call(
            self.store.meta().upsert, ids=[LEASE_ID], metadatas=[record], embeddings=np.zeros((1, 1), dtype=np.float32)
        )

    def _refuse(self, record: dict) -> IndexBusy:
        return IndexBusy(
            "another ingest holds the index lease in {}: {} until {}; wait for it to finish, or for the lease of "
            "an ingest that was killed to expire, and try again".format(
                self.store.shown, record.get("holder", "?"), _utc(float(record.get("expires", 0)))
            )
        )

    def __enter__(self) -> "Lease":
        record = self._read()
        if record and record.get("nonce") != self.nonce and float(record.get("expires", 0)) > time.time():
            raise self._refuse(record)
        self._write()
        time.sleep(LEASE_SETTLE_SECONDS)
        record = self._read()
        if record.get("nonce") != self.nonce:
            raise self._refuse(record)
        self.store.lease = self
        self._thread = threading.Thread(target=self._renew, name="rag-ingest-lease", daemon=True)
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                record = self._read()
                if record.get("nonce") != self.nonce:
                    self.lost = "the lease now names {}".format(record.get("holder", "nobody"))
                    return
                self._write()
            except StoreUnavailable as exc:
                log.warning("could not renew the ingest lease: %s", exc)

    def check(self) -> None:
        """IndexBusy unless this ingest still holds the lease (called before the switch)."""
        record = self._read()
        if self.lost or record.get("nonce") != self.nonce:
            raise IndexBusy("this ingest lost its lease in {} ({}); nothing was switched".format(
                self.store.shown, self.lost or "the lease now names {}".format(record.get("holder", "nobody"))))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.store.lease = None
        try:
            if self._read().get("nonce") == self.nonce:
                self.store.call(self.store.meta().delete, ids=[LEASE_ID])
        except StoreUnavailable as error:
            log.warning("could not release the ingest lease; it expires by itself: %s", error)
