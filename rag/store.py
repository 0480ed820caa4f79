"""The passage store: one Chroma collection, embedded on disk or on a Chroma server."""

from __future__ import annotations

import hashlib

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .errors import StoreError
from .schema import Passage

__all__ = ["PassageStore", "SourceInfo", "SourceState", "open_store", "is_server_url", "store_failures",
           "COLLECTION"]

COLLECTION = "rag-passages"
PAGE = 5000
WRITE_BATCH = 1000  # rows per upsert; under every Chroma client's max batch size
LOOKUP_BATCH = 500  # text hashes per "$in" lookup
GENERATION_KEY = "rag_generation"


def is_server_url(location: str | Path) -> bool:
    return str(location).startswith(("http://", "https://"))


@dataclass(frozen=True)
class SourceInfo:
    source: str
    title: str
    passages: int
    doc_hash: str
    root: str


@dataclass
class SourceState:
    """What the store holds for one source, read from metadata only (no texts, no vectors)."""

    doc_hashes: set[str]
    passages: int
    # passages the source had when written whole (absent on stores written before it was kept)
    expected: int | None = None


def _client(location: str | Path):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if is_server_url(location):
        url = urlparse(str(location))
        if not url.hostname:
            raise StoreError(f"not a Chroma server address: {location}")
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=settings
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {location}: {exc}") from exc
        return client
    path = Path(location)
    if path.exists() and not path.is_dir():
        raise StoreError(f"cannot open the store at {path}: it is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


@contextmanager
def store_failures(location: str) -> Iterator[None]:
    """Turn Chroma and network failures met while using a store into a StoreError naming it.

    A server that went away raises at the next request and works again once it is back, so
    callers can show the message and simply retry.
    """
    import httpx
    from chromadb.errors import ChromaError

    try:
        yield
    except httpx.TransportError as exc:
        raise StoreError(f"cannot reach the Chroma server at {location}: {exc}") from exc
    except ChromaError as exc:
        raise StoreError(f"the store at {location} failed: {exc}") from exc


def open_store(location: str | Path) -> PassageStore:
    return PassageStore(_client(location), str(location))


def text_hash(text: str) -> str:
    """Key of the embedded text: passages with the same text share one vector."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def _metadata(p: Passage, total: int | None = None) -> dict:
    meta = {
        "source": p.source,
        "title": p.title,
        "start": p.start,
        "end": p.end,
        "position": p.position,
        "hash": p.id,
        "doc_hash": p.doc_hash,
        "root": p.root,
        "text_hash": text_hash(p.embed_text),
        # The text lives in metadata, not as a Chroma "document": documents also feed a
        # full-text index nothing here uses, which costs 40 % of every write.
        "text": p.text,
    }
    if p.clean:
        meta["clean"] = p.clean
    if total is not None:
        meta["doc_passages"] = total
    return meta


def _passage(pid: str, document: str | None, meta: dict) -> Passage:
    return Passage(
        id=pid,
        source=meta["source"],
        title=meta.get("title", ""),
        text=meta.get("text") or document or "",  # older stores hold it as a document
        start=int(meta["start"]),
        end=int(meta["end"]),
        position=int(meta.get("position", 0)),
        doc_hash=meta.get("doc_hash", ""),
        root=meta.get("root", ""),
        clean=meta.get("clean", ""),
    )


class PassageStore:
    """Passages with their vectors and metadata (source, title, start, end, content hash)."""

    def __init__(self, client, location: str = "") -> None:
        self.client = client
        self.location = location
        try:
            self.collection = client.get_or_create_collection(
                COLLECTION,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:
            raise StoreError(f"cannot open the collection in {location or 'the store'}: {exc}") from exc

    # --- writing ---------------------------------------------------------------------------

    def add(
        self,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        totals: Mapping[str, int] | None = None,
        existing: Iterable[str] | None = None,
    ) -> None:
        """Write passages; ``totals`` (source -> passages of the whole file) marks them complete.

        ``existing`` lists ids that may already be stored (an edited file's unchanged
        sentences): those are upserted, the rest added, which skips Chroma's look-up per row.
        Without it every row is upserted.
        """
        totals = totals or {}
        vectors = np.asarray(vectors, dtype=np.float32)
        rows = list(zip(passages, vectors))
        if existing is None:
            groups = [(self.collection.upsert, rows)]
        else:
            present = set(existing)
            groups = [(self.collection.add, [r for r in rows if r[0].id not in present]),
                      (self.collection.upsert, [r for r in rows if r[0].id in present])]
        for write, group in groups:
            for i in range(0, len(group), WRITE_BATCH):
                batch = group[i : i + WRITE_BATCH]
                write(
                    ids=[p.id for p, _ in batch],
                    embeddings=np.stack([v for _, v in batch]),
                    metadatas=[_metadata(p, totals.get(p.source)) for p, _ in batch],
                )

    def delete_source(self, source: str, keep_ids: Sequence[str] = (), ids: Sequence[str] | None = None) -> int:
        """Remove a source's passages, except ``keep_ids``; returns how many went. ``ids``: the
        source's stored ids when the caller has just read them."""
        ids = self.ids_of(source) if ids is None else ids
        doomed = sorted(set(ids) - set(keep_ids))
        for i in range(0, len(doomed), PAGE):
            self.collection.delete(ids=doomed[i : i + PAGE])
        return len(doomed)

    def touch(self) -> None:
        """Mark the collection as changed, so every process sharing it reloads its indexes."""
        self.collection.modify(metadata={GENERATION_KEY: uuid.uuid4().hex})

    # --- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        return self.collection.count()

    def generation(self) -> str:
        """Changes whenever the collection's content changes (used to refresh caches)."""
        col = self.client.get_collection(COLLECTION, embedding_function=None)
        meta = col.metadata or {}
        return f"{meta.get(GENERATION_KEY, '')}:{col.count()}"

    def ids_of(self, source: str) -> list[str]:
        return self.collection.get(where={"source": source}, include=[])["ids"]

    def passages(self) -> Iterator[Passage]:
        """Every stored passage, fetched a page at a time."""
        offset = 0
        while True:
            got = self.collection.get(
                include=["documents", "metadatas"], limit=PAGE, offset=offset
            )
            for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                yield _passage(pid, text, meta)
            if len(got["ids"]) < PAGE:
                return
            offset += PAGE

    def passages_of(self, source: str) -> list[Passage]:
        got = self.collection.get(where={"source": source}, include=["documents", "metadatas"])
        found = [_passage(i, t, m) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]
        return sorted(found, key=lambda p: p.position)

    def metadatas(self) -> Iterator[dict]:
        """Every passage's metadata, a page at a time: memory stays flat, no texts or vectors."""
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=PAGE, offset=offset)
            yield from got["metadatas"]
            if len(got["ids"]) < PAGE:
                return
            offset += PAGE

    def sources(self) -> list[SourceInfo]:
        info: dict[str, list] = {}
        for meta in self.metadatas():
            entry = info.setdefault(
                meta["source"], [meta.get("title", ""), 0, meta.get("doc_hash", ""), meta.get("root", "")]
            )
            entry[1] += 1
        return [SourceInfo(s, *v) for s, v in sorted(info.items())]

    def source_states(self) -> dict[str, SourceState]:
        """source -> document hashes on its passages, how many there are, how many there should be."""
        states: dict[str, SourceState] = {}
        for meta in self.metadatas():
            state = states.get(meta["source"])
            if state is None:
                state = states[meta["source"]] = SourceState(set(), 0, meta.get("doc_passages"))
            state.doc_hashes.add(meta.get("doc_hash", ""))
            state.passages += 1
            if state.expected != meta.get("doc_passages"):
                state.expected = None  # passages written at different times: not known complete
        return states

    def vectors_by_text(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of passages whose text has one of these hashes (see ``text_hash``):
        the same sentence in another article, or unchanged in an edited one, is not embedded
        twice."""
        found: dict[str, np.ndarray] = {}
        hashes = list(dict.fromkeys(hashes))
        for i in range(0, len(hashes), LOOKUP_BATCH):
            chunk = hashes[i : i + LOOKUP_BATCH]
            got = self.collection.get(where={"text_hash": {"$in": chunk}}, include=["embeddings", "metadatas"])
            for meta, vector in zip(got["metadatas"], got["embeddings"]):
                found.setdefault(meta["text_hash"], np.asarray(vector, dtype=np.float32))
        return found

    def similarities(self, ids: Sequence[str], vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of stored passages to a unit vector."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        stored = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], (stored @ np.asarray(vector, dtype=np.float32)).tolist()))

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Ids of the passages nearest to a unit vector, with their cosine similarity."""
        query = np.asarray(vector, dtype=np.float32)
        try:
            got = self.collection.query(query_embeddings=[query], n_results=n, include=["distances"])
        except Exception:  # a Chroma that refuses n_results above the count
            total = self.count()
            if total == 0:
                return []
            got = self.collection.query(
                query_embeddings=[query], n_results=min(n, total), include=["distances"]
            )
        return [(pid, 1.0 - float(dist)) for pid, dist in zip(got["ids"][0], got["distances"][0])]

    def get_passages(self, ids: Sequence[str]) -> dict[str, Passage]:
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {
            pid: _passage(pid, text, meta)
            for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"])
        }

    def query(self, vector: np.ndarray, n: int) -> list[tuple[Passage, float]]:
        """Nearest passages to a unit vector, with their cosine similarity."""
        total = self.count()
        if total == 0:
            return []
        got = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(n, total),
            include=["documents", "metadatas", "distances"],
        )
        return [
            (_passage(pid, text, meta), 1.0 - float(dist))
            for pid, text, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
            )
        ]
