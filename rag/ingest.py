"""Ingest: files → cleaned documents → passages → vectors → store, incrementally and in batches."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .documents import SourceFile, Skipped, content_hash, find_source_files, load_document, read_text
from .embedder import Embedder
from .errors import UnusableFile
from .schema import Passage
from .splitter import split_document
from .store import PassageStore, SourceState, text_hash

__all__ = ["IngestReport", "ingest"]

log = logging.getLogger(__name__)

# Passages embedded and written per step: large enough for an efficient encode (sorted by
# length, little padding), small enough that memory stays flat however big the corpus is.
BATCH_PASSAGES = 2048

Progress = Callable[[int, int], None]  # (files done, files total)


@dataclass
class IngestReport:
    files: int = 0
    added: int = 0  # new files
    replaced: int = 0  # files whose content changed
    unchanged: int = 0
    passages: int = 0  # passages written
    removed: int = 0  # files pruned because they are gone
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.files} files: {self.added} new, {self.replaced} changed, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped",
            f"{self.passages} passages written",
        ]
        if self.removed:
            parts.append(f"{self.removed} removed")
        return "; ".join(parts)


@dataclass
class _Pending:
    passages: list[Passage] = field(default_factory=list)
    # source -> ids it must keep; anything else stored for the source is stale
    sources: dict[str, list[str]] = field(default_factory=dict)
    # sources the store held when the ingest began (only those can have rows to replace)
    known: set[str] = field(default_factory=set)


def _is_complete(stored: SourceState | None, doc_hash: str, passages: int | None = None) -> bool:
    """The store holds exactly this version of the file, every passage of it."""
    if stored is None or stored.doc_hashes != {doc_hash}:
        return False
    expected = stored.expected if passages is None else passages
    return expected is not None and stored.passages == expected


def ingest(
    paths: Iterable[str | Path],
    store: PassageStore,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    prune: bool = False,
    progress: bool = True,
) -> IngestReport:
    """Bring the store in line with the files under ``paths``.

    An unchanged file (same content hash, complete passage set) is skipped without embedding;
    a changed one has its passages replaced. Re-running after a crash finishes the job.
    """
    paths = list(paths)
    found = list(find_source_files(paths))  # raises SourceNotFound first
    report = IngestReport()
    report.skipped.extend(f for f in found if isinstance(f, Skipped))
    files = [f for f in found if isinstance(f, SourceFile)]
    report.files = len(files) + len(report.skipped)
    if rebuild:
        for info in store.sources():
            store.delete_source(info.source)
    # Metadata only (source, hash, counts): fast and flat however many passages are stored.
    state = {} if rebuild else store.source_states()

    pending = _Pending()
    bar = _progress_bar(len(files), progress)
    try:
        for sf in files:
            _ingest_file(sf, store, embedder, state, pending, report)
            if len(pending.passages) >= BATCH_PASSAGES:
                _flush(pending, store, embedder, report)
            bar.update(1)
            bar.set_postfix(passages=report.passages + len(pending.passages), refresh=False)
        _flush(pending, store, embedder, report)
    finally:
        bar.close()
    if prune:
        report.removed = _prune(store, files, paths, state)
    if report.passages or report.removed or rebuild:
        store.touch()
    return report


def _ingest_file(sf, store, embedder, state, pending: _Pending, report: IngestReport) -> None:
    try:
        raw = read_text(sf.path)
        stored = state.get(sf.source_id)
        # The common case of a re-ingest: same hash, complete; no parsing, splitting or embedding.
        if _is_complete(stored, content_hash(raw)):
            report.unchanged += 1
            return
        doc = load_document(sf, raw)
        passages = split_document(doc)
    except UnusableFile as exc:
        report.skipped.append(Skipped(str(sf.path), str(exc)))
        return
    except OSError as exc:
        report.skipped.append(Skipped(str(sf.path), f"cannot read: {exc.strerror or exc}"))
        return
    except (ValueError, LookupError, RecursionError) as exc:
        # One odd file must not abort a corpus ingest; it is reported like any other skip.
        report.skipped.append(Skipped(str(sf.path), f"cannot parse: {type(exc).__name__}: {exc}"))
        return
    if not passages:
        report.skipped.append(Skipped(str(sf.path), "no article text"))
        return
    if _is_complete(stored, doc.content_hash, len(passages)):  # written before counts were kept
        report.unchanged += 1
        return
    if stored is not None:
        report.replaced += 1
    else:
        report.added += 1
    pending.passages.extend(passages)
    pending.sources[doc.source] = [p.id for p in passages]
    if stored is not None:
        pending.known.add(doc.source)


def _vectors(passages: list[Passage], store: PassageStore, embedder: Embedder) -> np.ndarray:
    """One vector per passage; a text already stored or repeated in the batch is embedded once
    (6 % of the BBC corpus's passages are copies: the same story filed twice, same headline)."""
    keys = [text_hash(p.embed_text) for p in passages]
    known = store.vectors_by_text(keys)
    todo = {key: p.embed_text for key, p in zip(keys, passages) if key not in known}
    if todo:
        known.update(zip(todo, embedder.embed(list(todo.values()))))
    return np.stack([known[key] for key in keys]).astype(np.float32)


def _flush(pending: _Pending, store: PassageStore, embedder: Embedder, report: IngestReport) -> None:
    if not pending.passages:
        return
    vectors = _vectors(pending.passages, store, embedder)
    totals = {source: len(keep) for source, keep in pending.sources.items()}
    # A file new to the store has nothing stored to replace: no look-up (most of a first ingest).
    stored = {source: store.ids_of(source) if source in pending.known else [] for source in pending.sources}
    store.add(pending.passages, vectors, totals, existing=[i for ids in stored.values() for i in ids])
    # Old passages go only after the new ones are in, so a crash never leaves a file absent.
    for source, keep in pending.sources.items():
        store.delete_source(source, keep_ids=keep, ids=stored[source])
    report.passages += len(pending.passages)
    pending.passages.clear()
    pending.sources.clear()
    pending.known.clear()


def _prune(store: PassageStore, files: list[SourceFile], paths, state) -> int:
    """Drop sources stored from these roots whose files no longer exist."""
    present = {sf.source_id for sf in files}
    roots = {str(Path(p).resolve()) for p in paths if Path(p).is_dir()}
    removed = 0
    for info in store.sources():
        if info.root in roots and info.source not in present:
            store.delete_source(info.source)
            removed += 1
    return removed


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="ingest", disable=not enabled, leave=False)
