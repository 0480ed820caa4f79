"""The warm-path speed-ups (batched parses, background question parse) never change an answer."""

from __future__ import annotations

import json
import shutil

import pytest

from rag import nlp
from rag.pipeline import Pipeline, shared_embedder
from rag.store import open_store

from .conftest import DATA, SEEDS

pytestmark = pytest.mark.e2e


def _analysis(doc):
    return [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.ent_iob_) for t in doc]


def test_batched_parses_equal_single_parses():
    texts = [line for path in sorted(SEEDS.iterdir()) for line in path.read_text().splitlines() if line][:40]
    nlp._cache.clear()
    single = [_analysis(nlp.parse(t)) for t in texts]
    nlp._cache.clear()
    batched = [_analysis(d) for d in nlp.parse_many(texts)]
    assert batched == single
    assert [_analysis(nlp.parse(t)) for t in texts] == single  # served from the cache


def test_parses_without_lemmas_differ_only_in_lemmas():
    texts = [line for path in sorted(SEEDS.iterdir()) for line in path.read_text().splitlines() if line][:40]
    full = [_analysis(d) for d in nlp.parse_many(texts)]
    bare = [_analysis(d) for d in nlp.parse_many(texts, lemmas=False)]
    without_lemma = [[row[:5] + row[6:] for row in doc] for doc in full]
    assert [[row[:5] + row[6:] for row in doc] for doc in bare] == without_lemma
    assert nlp.parse(texts[0], lemmas=False) is nlp.parse_many(texts, lemmas=False)[0]  # cached apart


def test_answers_are_the_same_without_the_warm_ups(tmp_path, monkeypatch):
    import rag.answer
    import rag.pipeline

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    pipeline = Pipeline(open_store(tmp_path / "store"), shared_embedder())
    pipeline.ingest([seeds], progress=False)
    questions = [json.loads(line)["question"] for line in open(DATA / "seeds_dev.jsonl")][:40]

    nlp._cache.clear()
    fast = [pipeline.ask(q).to_dict() for q in questions]
    nlp._cache.clear()
    monkeypatch.setattr(rag.answer, "parse_many", lambda texts, **options: None)
    monkeypatch.setattr(rag.pipeline, "parse", lambda text: None)
    plain = [pipeline.ask(q).to_dict() for q in questions]
    assert fast == plain
