"""The question-answering pipeline: one per store, loaded once per process."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from .answer import select_answer
from .config import Settings
from .embedder import Embedder, LazyEmbedder
from .errors import InvalidQuestion
from .ingest import IngestReport, ingest
from .nlp import parse, parse_many
from .nlp import preload as preload_nlp
from .retriever import HybridRetriever
from .schema import Answer
from .store import PassageStore, is_server_url, open_store

__all__ = ["Pipeline", "get_pipeline", "ask", "validate_question", "MAX_QUESTION_CHARS"]

MAX_QUESTION_CHARS = 1000

_pipelines: dict[str, Pipeline] = {}
_lock = threading.RLock()


@lru_cache(maxsize=1)
def _background() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-parse")


_embedder = LazyEmbedder()


def _parse_candidates(question: str, hits) -> None:
    """Parse, as one spaCy batch, the passages the selector is about to parse one at a time.

    Batching is about twice as fast, and the selector then finds them in nlp's cache. Only a
    warm-up: it never changes an answer, and if the selector's internals move it does nothing.
    """
    try:
        from .answer import PARSED, _score_sentences
        from .question import analyse

        ranked = _score_sentences(analyse(question), hits)[:PARSED]
        texts = [s.hit.passage.search_text for s in ranked]
    except Exception:  # the selector changed shape: no warm-up, same answers
        return
    parse_many(texts)


def shared_embedder() -> Embedder:
    """all-MiniLM-L6-v2 through ONNX Runtime (sentence-transformers if ONNX cannot load),
    loaded when first needed."""
    return _embedder


def validate_question(question: object) -> str:
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    cleaned = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in question).strip()
    if not cleaned:
        raise InvalidQuestion("the question is empty: ask something about the articles")
    return cleaned[:MAX_QUESTION_CHARS]


class Pipeline:
    """Store + embedder + hybrid retriever + extractive selector."""

    def __init__(self, store: PassageStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self.retriever = HybridRetriever(store, embedder)

    def ask(self, question: str, k: int = 5) -> Answer:
        question = validate_question(question)
        # The selector's first step is a spaCy parse of the question: done meanwhile, while
        # the embedding runs in ONNX Runtime (which releases the GIL); the selector then finds
        # the parse in nlp's cache.
        parsed = _background().submit(parse, question)
        hits = self.retriever.retrieve(question, n=max(k, 20))
        parsed.result()
        _parse_candidates(question, hits)
        return select_answer(question, hits, k=k)

    def ask_batch(self, questions: list[str], k: int = 5) -> list[Answer]:
        return [self.ask(q, k) for q in questions]

    def ingest(self, paths, **options) -> IngestReport:
        report = ingest(paths, self.store, self.embedder, **options)
        self.retriever.invalidate()
        return report


def _normalise_location(store: str | Path | None, settings: Settings) -> str:
    if store is None:
        return settings.store
    text = str(store)
    return text.rstrip("/") if is_server_url(text) else str(Path(text).expanduser().resolve())


def get_pipeline(store: str | Path | None = None, *, load_nlp: bool = True) -> Pipeline:
    """The process-wide pipeline for a store; the default store is filled from seeds/ if empty.

    ``load_nlp=False`` when only ingesting: spaCy is then loaded only if a question comes.
    """
    settings = Settings.from_env()
    location = _normalise_location(store, settings)
    with _lock:
        pipeline = _pipelines.get(location)
        if pipeline is None:
            if load_nlp:
                # spaCy takes longest to load and is needed last: it loads while the rest opens.
                preload_nlp()
            pipeline = Pipeline(open_store(location), shared_embedder())
            if store is None and pipeline.store.count() == 0 and settings.seeds.is_dir():
                pipeline.ingest([settings.seeds], progress=False)
            _pipelines[location] = pipeline
        return pipeline


def ask(question: str, store: str | Path | None = None, k: int = 5) -> Answer:
    """Answer a question from the articles in ``store`` (default: the embedded store)."""
    validate_question(question)
    return get_pipeline(store).ask(question, k=k)
