"""Split cleaned articles into sentence passages with exact offsets into the original file."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

# Imported here, with the module, never lazily: pysbd registers a spaCy factory
# (pysbd.utils), so spaCy's loading in its background thread (rag.nlp.preload) imports
# pysbd.utils too; a first import of pysbd racing it fails on pysbd's own circular import
# ("cannot import name 'Text' from partially initialized module 'pysbd.utils'"). 7 ms.
import pysbd

from .documents import raw_end
from .schema import Block, Document, Passage

__all__ = ["split_document", "sentence_spans", "passage_id", "normalise"]

# A sentence this short ("He added.", a dateline) reads badly alone; it joins a neighbour.
MIN_WORDS = 5
MAX_WORDS = 70


@lru_cache(maxsize=1)
def _segmenter():
    return pysbd.Segmenter(language="en", clean=False)


# pysbd's time grows with the square of a paragraph's length (0.5 s at 50k characters); a
# giant paragraph is fed to it in windows cut at a space (mid-word only if a "word" is longer
# than half a window), so no file can stall an ingest.
SEGMENT_WINDOW = 20_000


def _windows(text: str) -> list[tuple[int, str]]:
    out = []
    pos = 0
    while len(text) - pos > SEGMENT_WINDOW:
        lo, hi = pos + SEGMENT_WINDOW // 2, pos + SEGMENT_WINDOW
        cut = max(text.rfind(space, lo, hi) for space in " \t\n")
        cut = cut + 1 if cut > 0 else pos + SEGMENT_WINDOW
        out.append((pos, text[pos:cut]))
        pos = cut
    out.append((pos, text[pos:]))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``, surrounding whitespace excluded."""
    return [
        (offset + start, offset + end)
        for offset, window in _windows(text)
        for start, end in _segment(window)
    ]


def _sentences(text: str) -> list[str]:
    """pysbd's sentences of ``text``, as ``Segmenter.segment`` finds them but without its final
    step: that step locates each sentence with a fresh regex scanning from the text's start
    (half of pysbd's time on a long paragraph); ``_segment`` locates them in one pass."""
    if not text:
        return []
    return _segmenter().processor(text).process()


def _segment(text: str) -> list[tuple[int, int]]:
    spans = []
    cursor = 0
    for sentence in _sentences(text):
        stripped = sentence.strip()
        if not stripped:
            continue
        start = text.find(stripped, cursor)
        if start < 0:  # the segmenter altered the text; fall back to its running position
            start = cursor + (len(sentence) - len(sentence.lstrip()))
            stripped = text[start : start + len(stripped)]
        end = start + len(stripped)
        spans.append((start, end))
        cursor = end
    return spans


def _merge_short(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for start, end in spans:
        if pending is not None:
            start = pending[0]
            pending = None
        if len(text[start:end].split()) < MIN_WORDS:
            pending = (start, end)
            continue
        merged.append((start, end))
    if pending is not None:
        if merged and len(text[merged[-1][0] : pending[1]].split()) <= MAX_WORDS:
            merged[-1] = (merged[-1][0], pending[1])
        else:
            merged.append(pending)
    return merged


def normalise(text: str) -> str:
    """Form used to recognise the same passage twice: case, quotes and spacing ignored."""
    text = text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def passage_id(source: str, text: str) -> str:
    digest = hashlib.sha256(f"{source}\n{normalise(text)}".encode()).hexdigest()
    return digest[:24]


def _block_passages(doc: Document, block: Block) -> list[tuple[int, int, str]]:
    out = []
    for start, end in _merge_short(sentence_spans(block.text), block.text):
        file_start = block.file_pos(start)
        file_end = raw_end(doc.raw, block.file_pos(end - 1)) if block.offsets else block.start + end
        out.append((file_start, file_end, block.text[start:end]))
    return out


def split_document(doc: Document) -> list[Passage]:
    """Passages of an article in reading order; a passage repeated in the article is kept once."""
    passages = []
    seen = set()
    for block in doc.blocks:
        for start, end, visible in _block_passages(doc, block):
            text = doc.raw[start:end]
            key = normalise(visible)
            if key in seen:
                continue
            seen.add(key)
            passages.append(
                Passage(
                    id=passage_id(doc.source, visible),
                    source=doc.source,
                    title=doc.title,
                    text=text,
                    start=start,
                    end=end,
                    position=len(passages),
                    doc_hash=doc.content_hash,
                    root=doc.root,
                    clean=visible if visible != text else "",
                )
            )
    return passages
