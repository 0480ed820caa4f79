"""Property-based tests (hypothesis) of reading and splitting, and of ingest's idempotence.

For arbitrary text, written to a file and read back as ingest reads it:
  * every passage is the exact slice of the file at its offsets;
  * passages come in file order and never overlap;
  * no content word is lost: every word of every content block (what survives the furniture
    filter) is in some passage (a repeated sentence is kept once, so its words are still there);
  * splitting is deterministic, and ingesting the same files twice stores the same ids.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag import splitter
from rag.documents import SourceFile, content_blocks, load_document, read_text
from rag.ingest import ingest
from rag.splitter import normalise, split_document
from rag.store import open_store

from .conftest import FakeEmbedder

WORD = re.compile(r"\w+")
# Prose-like pieces and awkward characters: quotes, dashes, ellipses, abbreviations, CRLF,
# tabs, non-breaking and zero-width spaces, a BOM, accents, CJK, emoji, markdown markers.
PIECES = st.sampled_from(
    ["The", "council", "said", "Mr.", "Dr.", "U.S.", "e.g.", "£5m", "3.5%", "1,200", "2004",
     "it's", "“quoted”", "‘single’", "\"plain\"", "(aside)", "—", "–", "-", "…", ".", "!", "?",
     ";", ":", ",", "'", "\"", " ", " ", " ", "\n", "\n\n", "\r\n", "\t", "\xa0", "\u200b",
     "\ufeff", "é", "Straße", "中文", "🙂", "# ", "* ", "> ", "1. ", "Next Article", "Share",
     "Advertisement", "Related", "A", "b", "x"]
)
ARTICLE = st.one_of(
    st.lists(PIECES, max_size=120).map("".join),
    # Any text a text file can hold (control characters make it binary, tested elsewhere).
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\r\t"),
            max_size=300),
)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _document(text: str, suffix: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"a{suffix}"
        path.write_bytes(text.encode("utf-8"))
        raw = read_text(path)
        doc = load_document(SourceFile(path.parent, path))
    return raw, doc


@FAST
@given(text=ARTICLE, suffix=st.sampled_from([".txt", ".md"]))
def test_passages_are_exact_ordered_disjoint_slices(text, suffix):
    raw, doc = _document(text, suffix)
    assert doc.raw == raw
    passages = split_document(doc)
    for p in passages:
        assert raw[p.start : p.end] == p.text
        assert p.text and p.text == p.text.strip()
    for a, b in zip(passages, passages[1:]):
        assert a.end <= b.start
    assert [p.position for p in passages] == list(range(len(passages)))


@FAST
@given(text=ARTICLE, suffix=st.sampled_from([".txt", ".md"]))
def test_no_content_word_is_lost(text, suffix):
    raw, doc = _document(text, suffix)
    passages = split_document(doc)
    kept = {w for p in passages for w in WORD.findall(normalise(p.text))}
    for block in content_blocks(raw, suffix):
        for word in WORD.findall(normalise(block.text)):
            assert word in kept, (word, block.text)


HTML = st.lists(
    PIECES | st.sampled_from(["<p>", "</p>", "<b>", "</b>", "<br>", "<h1>", "</h1>", "&amp;",
                              "&#8217;", "&nbsp;", "&bogus;", "<script>var x = 1;</script>",
                              "<!-- note -->", "<a href='javascript:alert(1)'>", "</a>", "<", ">",
                              "&", "<img src=x onerror=alert(1)>", "<nav>Home</nav>"]),
    max_size=150,
).map("".join)


@FAST
@given(text=HTML)
def test_html_passages_are_exact_ordered_disjoint_slices(text):
    raw, doc = _document(text, ".html")
    passages = split_document(doc)
    for p in passages:
        assert raw[p.start : p.end] == p.text
    for a, b in zip(passages, passages[1:]):
        assert a.end <= b.start


@FAST
@given(text=ARTICLE)
def test_splitting_is_deterministic(text):
    _, doc = _document(text, ".txt")
    assert split_document(doc) == split_document(doc)


@settings(max_examples=100, deadline=None)
@given(paragraph=st.lists(PIECES, min_size=50, max_size=400).map("".join))
def test_windowed_segmentation_keeps_exact_offsets(paragraph):
    # A tiny window forces the long-paragraph path on ordinary text.
    old = splitter.SEGMENT_WINDOW
    splitter.SEGMENT_WINDOW = 60
    try:
        spans = splitter.sentence_spans(paragraph)
    finally:
        splitter.SEGMENT_WINDOW = old
    for (s1, e1), (s2, _) in zip(spans, spans[1:]):
        assert e1 <= s2
    covered = set().union(*(range(s, e) for s, e in spans)) if spans else set()
    assert all(i in covered for i, ch in enumerate(paragraph) if not ch.isspace())


ARTICLES = st.lists(st.lists(PIECES, min_size=1, max_size=60).map("".join), min_size=1, max_size=4)


@settings(max_examples=15, deadline=None)
@given(texts=ARTICLES)
def test_ingest_is_idempotent(texts):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "articles"
        root.mkdir()
        for i, text in enumerate(texts):
            (root / f"{i}.txt").write_bytes(text.encode("utf-8"))
        store = open_store(Path(tmp) / "store")
        embedder = FakeEmbedder()
        first = ingest([root], store, embedder, progress=False)
        ids = sorted(p.id for p in store.passages())
        calls = embedder.texts
        second = ingest([root], store, embedder, progress=False)
        assert sorted(p.id for p in store.passages()) == ids
        assert second.passages == 0 and embedder.texts == calls
        assert second.unchanged == first.added
        assert len(second.skipped) == len(first.skipped)  # files with no text, both times
