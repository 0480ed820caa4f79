"""The question-answering pipeline: one per store, loaded once per process."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .answer import select_answer
from .config import Settings
from .embedder import Embedder, LazyEmbedder, TokenEncoder
from .errors import InvalidQuestion
from .ingest import IngestReport, ingest
from .nlp import parse
from .nlp import preload as preload_nlp
from .retriever import HybridRetriever
from .schema import Answer
from .store import PassageStore, is_server_url, open_store, store_failures

__all__ = ["Pipeline", "get_pipeline", "ask", "validate_question", "clean_question",
           "CleanQuestion", "MAX_QUESTION_CHARS"]

MAX_QUESTION_CHARS = 1000

_pipelines: dict[str, Pipeline] = {}
_lock = threading.RLock()


@lru_cache(maxsize=1)
def _background() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-parse")


_embedder = LazyEmbedder()


def shared_embedder() -> Embedder:
    """all-MiniLM-L6-v2 through ONNX Runtime (sentence-transformers if ONNX cannot load),
    loaded when first needed."""
    return _embedder


@dataclass(frozen=True)
class CleanQuestion:
    text: str
    original_length: int  # characters received; more than len(text) when it was cut

    @property
    def truncated(self) -> bool:
        return self.original_length > MAX_QUESTION_CHARS

    def note(self) -> str:
        if not self.truncated:
            return ""
        return (f"the question was truncated to {len(self.text)} characters "
                f"(it had {self.original_length:,}; the limit is {MAX_QUESTION_CHARS})")


def clean_question(question: object) -> CleanQuestion:
    """The question as the pipeline will use it, or InvalidQuestion with a one-line reason.

    Control characters become spaces; an over-long question is cut (at a word boundary when
    one is near) before anything else reads it, so a huge paste costs nothing.
    """
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    body = question.strip()
    head = body[:MAX_QUESTION_CHARS]
    if len(body) > MAX_QUESTION_CHARS:
        space = head.rfind(" ", MAX_QUESTION_CHARS - 100)
        head = head[:space] if space > 0 else head
    cleaned = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in head).strip()
    if not cleaned:
        raise InvalidQuestion("the question is empty: ask something about the articles")
    if not any(ch.isalnum() for ch in cleaned):
        raise InvalidQuestion("the question has no words (only symbols): ask something about the articles")
    return CleanQuestion(cleaned, len(body))


def validate_question(question: object) -> str:
    return clean_question(question).text


class Pipeline:
    """Store + embedder + hybrid retriever + extractive selector."""

    def __init__(self, store: PassageStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self.retriever = HybridRetriever(store, embedder)

    def ask(self, question: str, k: int = 5) -> Answer:
        cleaned = clean_question(question)
        # The selector's first step is a spaCy parse of the question: done meanwhile, while
        # the embedding runs in ONNX Runtime (which releases the GIL); the selector then finds
        # the parse in nlp's cache.
        parsed = _background().submit(parse, cleaned.text)
        with store_failures(self.store.location):
            hits = self.retriever.retrieve(cleaned.text, n=max(k, 20))
            idf = self.retriever.lexical_index().idf
        parsed.result()
        answer = select_answer(cleaned.text, hits, k=k, idf=idf, encoder=self._token_encoder())
        if cleaned.truncated:
            answer = replace(answer, note="; ".join(filter(None, [cleaned.note(), answer.note])))
        return answer

    def _token_encoder(self) -> TokenEncoder | None:
        # A test's fake embedder has no word pieces: the selector then loads the real model.
        return self.embedder if hasattr(self.embedder, "token_vectors") else None

    def ask_batch(self, questions: list[str], k: int = 5) -> list[Answer]:
        return [self.ask(q, k) for q in questions]

    def ingest(self, paths, **options) -> IngestReport:
        with store_failures(self.store.location):
            report = ingest(paths, self.store, self.embedder, **options)
        self.retriever.invalidate()
        return report


def _normalise_location(store: str | Path | None, settings: Settings) -> str:
    if store is None:
        return settings.store
    text = str(store)
    if is_server_url(text):  # "http://" alone stays a (bad) URL rather than becoming a folder "http:"
        return text.rstrip("/") if is_server_url(text.rstrip("/")) else text
    return str(Path(text).expanduser().resolve())


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
