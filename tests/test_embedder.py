"""The ONNX Runtime query embedder against the sentence-transformers reference."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from .conftest import SEEDS

pytestmark = pytest.mark.e2e

SENTENCES = [
    "Which Iraqi official led the delegation to Washington?",
    "How many US troops are in Iraq?",
    "The harbour reopened on Tuesday after repairs costing $2m.",
    "Ça coûte 20 € — naïve café façade, 東京, emoji 🎉.",
    "a",
    "",
    " ".join(["The committee met again and discussed the budget in great detail."] * 40),  # > 256 tokens
]


@pytest.fixture(scope="module")
def onnx_embedder(tmp_path_factory):
    """Exported afresh from the bundled weights into an empty folder, as on a new machine."""
    from rag.embedder import OnnxMiniLMEmbedder

    target = tmp_path_factory.mktemp("onnx") / "model.onnx"
    embedder = OnnxMiniLMEmbedder(onnx_file=target)
    assert target.stat().st_size > 50_000_000
    assert [p.name for p in target.parent.iterdir()] == ["model.onnx"]  # no partial files left
    return embedder


def test_onnx_vectors_match_sentence_transformers(onnx_embedder):
    from rag.embedder import MiniLMEmbedder

    reference = MiniLMEmbedder().embed(SENTENCES)
    ours = onnx_embedder.embed(SENTENCES)
    assert ours.shape == reference.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


def test_batching_and_order_do_not_change_vectors(onnx_embedder):
    alone = np.stack([onnx_embedder.embed([s])[0] for s in SENTENCES])
    together = onnx_embedder.embed(SENTENCES)
    assert np.allclose(alone, together, atol=1e-5)
    assert onnx_embedder.embed([]).shape == (0, 384)


def test_onnx_word_pieces_match_sentence_transformers(onnx_embedder):
    from rag.embedder import MiniLMEmbedder

    reference = MiniLMEmbedder().token_vectors(SENTENCES)
    ours = onnx_embedder.token_vectors(SENTENCES)  # one padded batch: padding must not leak in
    for text, mine, theirs in zip(SENTENCES, ours, reference, strict=True):
        assert mine.spans == theirs.spans
        assert mine.vectors.shape == (len(mine.spans), 384)
        assert np.allclose(mine.vectors, theirs.vectors, atol=1e-4)
    pieces = [SENTENCES[0][a:b] for a, b in ours[0].spans]
    assert pieces[:4] == ["Which", "Iraqi", "official", "led"]  # no [CLS]: spans index the text
    assert ours[5].vectors.shape == (0, 384)  # the empty text has no pieces
    assert len(ours[6].spans) == 254  # truncated like the sentence vectors, [CLS] and [SEP] aside


def test_a_question_embedded_alone_keeps_its_word_pieces(onnx_embedder):
    from rag.embedder import RECENT_TEXTS

    fresh = onnx_embedder.token_vectors([SENTENCES[1], SENTENCES[2]])
    onnx_embedder.embed([SENTENCES[1]])  # retrieval embeds the question alone
    assert SENTENCES[1] in onnx_embedder._recent
    kept = onnx_embedder.token_vectors([SENTENCES[1], SENTENCES[2]])
    for a, b in zip(fresh, kept, strict=True):
        assert a.spans == b.spans and np.allclose(a.vectors, b.vectors, atol=1e-5)
    for i in range(RECENT_TEXTS + 5):
        onnx_embedder.embed([f"question number {i}"])
    assert len(onnx_embedder._recent) == RECENT_TEXTS and SENTENCES[1] not in onnx_embedder._recent


def test_asking_from_the_cli_never_imports_torch(tmp_path, onnx_embedder):
    """The query path is ONNX Runtime + tokenizers + spaCy without torch: a fast cold start."""
    store = tmp_path / "store"
    ingest = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", str(SEEDS), "--store", str(store), "--quiet"],
        capture_output=True, text=True, timeout=600,
    )
    assert ingest.returncode == 0, ingest.stderr
    probe = (
        "import json, sys\n"
        "from rag.pipeline import get_pipeline\n"
        f"a = get_pipeline({str(store)!r}).ask('Which Iraqi official led the delegation to Washington?')\n"
        "print(json.dumps([a.answer, sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    answer, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    assert "Fuad Hussein" in answer
    assert heavy == []
