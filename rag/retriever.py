"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from .embedder import Embedder, cache_dir
from .schema import Hit, Passage
from .store import PassageStore

__all__ = ["HybridRetriever", "LexicalIndex", "tokenize", "alias_spans", "stopwords", "RRF_K"]

log = logging.getLogger(__name__)

RRF_K = 60  # the usual constant of reciprocal rank fusion; flattens the top of each list
DEPTH = 40  # how deep each ranking is read before fusing
REFRESH_SECONDS = 1.0  # how often a process checks whether the shared collection changed
ARTICLES = 3  # top articles whose every sentence becomes a candidate
CACHE_MIN_PASSAGES = 5000  # collections at least this big keep their BM25 index on disk
LEXICAL_FORMAT = "v2"  # bump when the cached files change
PASSAGE_FIELDS = [f.name for f in fields(Passage)]

TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


# Names written several ways in news text; folded to one form before matching words.
ALIASES = [
    (re.compile(r"\b(?:the\s+)?united\s+states(\s+of\s+america)?\b|\bu\.\s?s\.(\s?a\.)?", re.I), " US "),
    (re.compile(r"\b(?:the\s+)?united\s+kingdom\b|\bu\.k\.", re.I), " UK "),
    (re.compile(r"\b(?:the\s+)?united\s+nations\b|\bu\.n\.", re.I), " UN "),
    (re.compile(r"\b(?:the\s+)?european\s+union\b|\be\.u\.", re.I), " EU "),
    (re.compile(r"\bprime\s+minister\b", re.I), " premier "),  # news calls one the other
]

# Irregular English verb forms, so "led" matches "leads" and "met" matches "meet".
IRREGULAR = {
    form: base
    for base, forms in {
        "be": "was were been", "begin": "began begun", "bring": "brought", "build": "built",
        "buy": "bought", "catch": "caught", "choose": "chose chosen", "come": "came",
        "cost": "cost", "cut": "cut", "do": "did done", "draw": "drew drawn", "drive": "drove driven",
        "eat": "ate eaten", "fall": "fell fallen", "feel": "felt", "fight": "fought", "find": "found",
        "fly": "flew flown", "forget": "forgot forgotten", "get": "got gotten", "give": "gave given",
        "go": "went gone", "grow": "grew grown", "have": "had", "hear": "heard", "hold": "held",
        "keep": "kept", "know": "knew known", "lead": "led", "leave": "left", "lend": "lent",
        "lose": "lost", "make": "made", "mean": "meant", "meet": "met", "pay": "paid",
        "rise": "rose risen", "run": "ran", "say": "said", "see": "saw seen", "sell": "sold",
        "send": "sent", "shake": "shook shaken", "shoot": "shot", "sing": "sang sung",
        "sit": "sat", "speak": "spoke spoken", "spend": "spent", "stand": "stood",
        "steal": "stole stolen", "strike": "struck", "swear": "swore sworn", "take": "took taken",
        "teach": "taught", "tell": "told", "think": "thought", "throw": "threw thrown",
        "understand": "understood", "win": "won", "write": "wrote written", "sink": "sank sunk",
        "seek": "sought", "slide": "slid", "split": "split", "withdraw": "withdrew withdrawn",
        "overtake": "overtook overtaken", "undertake": "undertook undertaken", "freeze": "froze frozen",
        "hit": "hit", "bear": "bore born borne", "break": "broke broken", "wear": "wore worn",
    }.items()
    for form in forms.split()
}


# ... and after a prefix: "repaid" → "repay", "withheld" → "withhold"
IRREGULAR.update({prefix + form: prefix + base for prefix in ("re", "over", "under", "out", "mis", "with", "up")
                  for form, base in list(IRREGULAR.items()) if prefix + form not in IRREGULAR})


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens without stop words (shared by BM25 and the selector)."""
    # The selector tokenises the same passages and words again and again: memoised.
    return list(_cached_tokens(text))


@lru_cache(maxsize=1 << 15)
def _cached_tokens(text: str) -> tuple[str, ...]:
    return tuple(_tokens(text))


def alias_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each name written one of several ways ("the United
    States" → "us"), so words read one at a time fold like the whole text does."""
    if not MAY_ALIAS.search(text):
        return []
    return [(m.start(), m.end(), alias.strip().lower()) for pattern, alias in ALIASES
            for m in pattern.finditer(text)]


MAY_ALIAS = re.compile(r"united|european|[ue]\.|prime", re.I)  # cheap test before the alias patterns
INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]?")


def _tokens(text: str) -> list[str]:
    if MAY_ALIAS.search(text):
        for pattern, alias in ALIASES:
            text = pattern.sub(alias, text)
    words = [w.lower().replace("’", "'") for w in TOKEN.findall(text)]
    words = [w.replace(".", "") if "." in w and INITIALS.fullmatch(w) else w for w in words]
    stop = stopwords()
    words = [IRREGULAR.get(w, w) for w in words]
    words = [w for w in words if w not in stop and w != "be"]
    return _stemmer().stemWords(words)


@dataclass
class LexicalIndex:
    """BM25 over every passage of a collection, built from the collection itself."""

    passages: list[Passage]
    bm25: object | None
    by_position: dict[tuple[str, int], Passage] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    by_id: dict[str, Passage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.by_id:
            self.by_id = {p.id: p for p in self.passages}

    @classmethod
    def build(cls, passages: list[Passage]) -> LexicalIndex:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.ERROR)

        if not passages:
            return cls([], None)
        by_position = {(p.source, p.position): p for p in passages}
        vocab: dict[str, int] = {}
        # Straight to token ids (no list of token strings per passage: a big corpus would hold
        # them all at once); each passage is tokenised once, so not through the cache.
        ids = [[vocab.setdefault(t, len(vocab)) for t in _tokens(p.search_text)] for p in passages]
        model = bm25s.BM25()
        model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(passages, model, by_position, _idf(ids, vocab))

    # --- on disk: any process serving the same collection generation can load it -------------

    def save(self, folder: Path) -> None:
        """Write to ``folder`` atomically (a finished folder or none; another writer may win)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder.parent))
        try:
            self.bm25.save(str(partial), show_progress=False)
            rows = [[getattr(p, f) for f in PASSAGE_FIELDS] for p in self.passages]
            (partial / "passages.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            (partial / "idf.json").write_text(json.dumps(self.idf, ensure_ascii=False), encoding="utf-8")
            os.rename(partial, folder)
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
            if not folder.is_dir():
                raise

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.ERROR)
        rows = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
        passages = [Passage(*row) for row in rows]  # rows are in PASSAGE_FIELDS order
        # Memory-mapped: the score matrix is shared by every worker through the page cache.
        model = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        idf = json.loads((folder / "idf.json").read_text(encoding="utf-8"))
        return cls(passages, model, {(p.source, p.position): p for p in passages}, idf)

    def context(self, p: Passage, before: int = 2, after: int = 1) -> str:
        """The article's title, lead and the sentences around a passage (who "he" is, which event)."""
        return " ".join(self.context_parts(p, before, after))

    def context_parts(self, p: Passage, before: int = 2, after: int = 1) -> tuple[str, ...]:
        """The texts ``context`` joins: each is a whole sentence, so its words are tokenised
        once per process however many passages it is context for."""
        near = [self.by_position.get((p.source, p.position + d)) for d in range(-before, after + 1)]
        near += [self.by_position.get((p.source, i)) for i in (0, 1)]
        texts = dict.fromkeys(n.search_text for n in near if n is not None and n.id != p.id)
        return (p.title, *texts)

    def expand(self, hits: list[Hit], articles: int) -> list[Hit]:
        """Hits for the passages of the best ``articles`` sources that are not hits already."""
        seen = {h.passage.id for h in hits}
        sources = list(dict.fromkeys(h.passage.source for h in hits))[:articles]
        extra = []
        for source in sources:
            position = 0
            while (p := self.by_position.get((source, position))) is not None:
                if p.id not in seen:
                    extra.append(Hit(p, 0.0))
                position += 1
        return extra

    def search(self, query: str, n: int) -> list[tuple[Passage, float]]:
        if self.bm25 is None:
            return []
        terms = [t for t in tokenize(query) if t in self.bm25.vocab_dict]
        if not terms:
            return []
        scores = self.bm25.get_scores(terms)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.passages[i], float(scores[i])) for i in top if scores[i] > 0]


def _idf(ids: list[list[int]], vocab: dict[str, int]) -> dict[str, float]:
    """BM25's inverse document frequency of every word, for weighting matched words."""
    df = np.zeros(len(vocab), dtype=np.int64)
    for doc in ids:
        df[list(set(doc))] += 1
    n = len(ids)
    return {t: math.log(1.0 + (n - df[i] + 0.5) / (df[i] + 0.5)) for t, i in vocab.items()}


class HybridRetriever:
    """Top passages for a question; the lexical index follows the collection as it changes."""

    def __init__(self, store: PassageStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self._index: LexicalIndex | None = None
        self._generation = ""
        self._checked = 0.0
        self._lock = threading.Lock()

    def lexical_index(self) -> LexicalIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is not None and now - self._checked < REFRESH_SECONDS:
                return self._index
            generation = self.store.generation()
            self._checked = now
            if self._index is None or generation != self._generation:
                self._index = self._load_or_build(generation)
                self._generation = generation
            return self._index

    def _load_or_build(self, generation: str) -> LexicalIndex:
        """The index of this collection generation: from the shared cache, else built and cached."""
        folder = self._cache_folder(generation)
        if folder is not None and folder.is_dir():
            try:
                return LexicalIndex.load(folder)
            except Exception as exc:  # removed under us, half-written by an old version, ...
                log.warning("lexical index cache %s unusable (%s); rebuilding", folder, exc)
        index = LexicalIndex.build(list(self.store.passages()))
        if folder is not None and index.bm25 is not None:
            try:
                index.save(folder)
                _drop_other_generations(folder)
            except OSError as exc:
                log.warning("cannot cache the lexical index in %s: %s", folder, exc)
        return index

    def _cache_folder(self, generation: str) -> Path | None:
        """Small collections rebuild faster than they load; big ones are cached per generation."""
        if self.store.count() < CACHE_MIN_PASSAGES:
            return None
        store_key = hashlib.sha1(f"{self.store.location}|{self.store.collection.id}".encode())
        gen_key = hashlib.sha1(f"{LEXICAL_FORMAT}|{_code_version()}|{generation}".encode())
        return cache_dir() / "lexical" / store_key.hexdigest()[:16] / gen_key.hexdigest()[:16]

    def invalidate(self) -> None:
        with self._lock:
            self._index = None

    def _dense(self, vector: np.ndarray, index: LexicalIndex) -> list[tuple[Passage, float]]:
        """Chroma's nearest passages. Only ids and distances come from Chroma (a fraction of
        the cost of a full query): the passages are already in memory in the lexical index,
        and the few it lacks (written since its last refresh) are fetched."""
        nearest = self.store.nearest(vector, DEPTH)
        missing = [pid for pid, _ in nearest if pid not in index.by_id]
        found = {**self.store.get_passages(missing), **index.by_id} if missing else index.by_id
        return [(found[pid], sim) for pid, sim in nearest if pid in found]

    def retrieve(self, question: str, n: int = 20, articles: int = ARTICLES) -> list[Hit]:
        """The best ``n`` fused passages, then every other sentence of the top articles.

        The sentence that answers often lacks the words that name the article's subject
        ("the firm", "he"); taking whole top articles lets the selector judge it in context.
        """
        vector = self.embedder.embed([question])[0]
        index = self.lexical_index()
        dense = self._dense(vector, index)
        lexical = index.search(question, DEPTH)
        hits = fuse(dense, lexical)[:n]
        hits += index.expand(hits, articles)
        # Passages found only by BM25 or by expansion still need their cosine for the selector
        # (an expanded passage may be one the dense ranking found below the fused cut).
        cosine = {p.id: sim for p, sim in dense}
        cosine.update(self.store.similarities([h.passage.id for h in hits if h.passage.id not in cosine], vector))
        out = []
        for h in hits:
            parts = index.context_parts(h.passage)
            out.append(replace(h, dense=cosine.get(h.passage.id, h.dense), context=" ".join(parts),
                               context_parts=parts))
        return out


@lru_cache(maxsize=1)
def _code_version() -> str:
    """Any edit to this module (tokenizer, index settings) invalidates cached indexes."""
    from importlib.metadata import version

    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:16] + "|bm25s " + version("bm25s")


def _drop_other_generations(keep: Path) -> None:
    for old in keep.parent.iterdir():
        if old != keep and not old.name.startswith(".partial-"):
            shutil.rmtree(old, ignore_errors=True)


def fuse(dense: list[tuple[Passage, float]], lexical: list[tuple[Passage, float]]) -> list[Hit]:
    """Reciprocal rank fusion; each hit keeps its cosine and BM25 score for the selector."""
    fused: dict[str, float] = {}
    passages: dict[str, Passage] = {}
    cosine: dict[str, float] = {}
    bm25: dict[str, float] = {}
    for rank, (p, sim) in enumerate(dense):
        fused[p.id] = fused.get(p.id, 0.0) + 1.0 / (RRF_K + rank + 1)
        passages[p.id] = p
        cosine[p.id] = sim
    for rank, (p, score) in enumerate(lexical):
        fused[p.id] = fused.get(p.id, 0.0) + 1.0 / (RRF_K + rank + 1)
        passages.setdefault(p.id, p)
        bm25[p.id] = score
    order = sorted(fused, key=fused.get, reverse=True)
    return [
        Hit(passages[i], fused[i], dense=cosine.get(i, 0.0), lexical=bm25.get(i, 0.0))
        for i in order
    ]
