"""Frozen dataclasses passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Block", "Document", "Passage", "Hit", "Citation", "Answer"]


@dataclass(frozen=True)
class Block:
    """A run of article content (a paragraph) inside a source file.

    ``text`` is what a reader sees; ``offsets[i]`` is the position in the original file of
    ``text[i]``. For plain text the block is a verbatim slice, so ``offsets`` is empty and
    position ``i`` maps to ``start + i``.
    """

    start: int
    text: str
    offsets: tuple[int, ...] = ()

    def file_pos(self, i: int) -> int:
        return self.offsets[i] if self.offsets else self.start + i


@dataclass(frozen=True)
class Document:
    """One cleaned article: the full original text plus its content blocks."""

    source: str  # path relative to the ingested root
    title: str
    raw: str  # the file as read (text mode, utf-8), offsets index into this
    blocks: tuple[Block, ...]
    root: str = ""  # absolute path of the ingested root
    content_hash: str = ""  # hash of ``raw``; unchanged files are skipped on re-ingest


@dataclass(frozen=True)
class Passage:
    """A sentence or a few sentences; ``raw[start:end] == text`` in its source file."""

    id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    position: int  # order inside the article
    doc_hash: str = ""
    root: str = ""
    clean: str = ""  # visible text when the file has markup (HTML); else equals text

    @property
    def search_text(self) -> str:
        return self.clean or self.text

    @property
    def embed_text(self) -> str:
        """What the passage's vector is computed from: the sentence after its article's title.
        A sentence that says "he" or "the ceremony" is then still near a question naming the
        story (measured on the dev sets: the answer sentence is chosen more often)."""
        text = self.search_text
        if not self.title or text == self.title:
            return text
        return f"{self.title}. {text}"


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its scores."""

    passage: Passage
    score: float  # fused retrieval score
    dense: float = 0.0  # cosine similarity to the question
    lexical: float = 0.0  # BM25 score
    context: str = ""  # title and neighbouring sentences of the passage's article
    context_parts: tuple[str, ...] = ()  # the same, text by text


@dataclass(frozen=True)
class Citation:
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    answer_type: str = ""
    # Where the answer sits inside the first citation's text (for highlighting); -1 if none.
    answer_start: int = -1
    answer_end: int = -1
    agreeing_sources: list[str] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
