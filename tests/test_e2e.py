"""End-to-end over the real seeds with the real model and an embedded Chroma store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from rag.documents import is_furniture
from rag.pipeline import Pipeline, shared_embedder
from rag.store import open_store

from .conftest import SEEDS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    pipeline = Pipeline(open_store(root / "store"), shared_embedder())
    pipeline.ingest([seeds], progress=False)
    return pipeline, seeds, root


CASES = [
    ("Which Iraqi official led the delegation to Washington?", "Fuad Hussein",
     {"000_1ac13b4e80a9a68e.txt", "001_c4d47938a8aa6427.txt"}),
    ("How many people were killed in the attack on the Moscow concert hall?", "137",
     {"003_c25e05c46d36f518.txt"}),
    ("When did Iraq and the United States begin their strategic dialogue?", "June 2020",
     {"000_1ac13b4e80a9a68e.txt", "004_5c4bb48409f0628a.txt"}),
    ("How much extra humanitarian assistance did the United States announce?", "155 million dollars",
     {"004_5c4bb48409f0628a.txt"}),
    ("Where did a suicide bombing kill about 35 people in July?", "Sadr City",
     {"002_9278fec51398675f.txt"}),
    ("Who is Al Sudani's military spokesman?", "Yahya Rasool", {"003_c25e05c46d36f518.txt"}),
]


@pytest.mark.parametrize("question,expected,sources", CASES)
def test_real_questions(seeded, question, expected, sources):
    pipeline, seeds, _ = seeded
    answer = pipeline.ask(question)
    assert not answer.abstained
    assert expected in answer.answer
    assert len(answer.answer) <= len(expected) + 25  # a short span, not a sentence
    first = answer.citations[0]
    assert first.source in sources
    assert answer.answer in first.text
    raw = open(seeds / first.source, encoding="utf-8").read()
    for c in answer.citations:
        assert open(seeds / c.source, encoding="utf-8").read()[c.start : c.end] == c.text
    assert raw[first.start : first.end] == first.text
    assert 0.0 <= answer.confidence <= 1.0


@pytest.mark.parametrize("question", [
    "What is a good recipe for banana bread?",
    "How do I change a flat bicycle tyre?",
])
def test_off_topic_questions_abstain(seeded, question):
    answer = seeded[0].ask(question)
    assert answer.abstained and answer.answer == ""


def test_ingesting_twice_keeps_the_count(seeded):
    pipeline, seeds, _ = seeded
    before = pipeline.store.count()
    report = pipeline.ingest([seeds], progress=False)
    assert report.unchanged == 5 and pipeline.store.count() == before


def test_repeated_article_body_is_stored_once(seeded):
    texts = [p.text for p in seeded[0].store.passages_of("002_9278fec51398675f.txt")]
    assert len(texts) == len(set(texts))


def test_page_furniture_is_never_stored_or_cited(seeded):
    pipeline = seeded[0]
    stored = [p.text for p in pipeline.store.passages()]
    for text in stored:
        assert not is_furniture(text)
        for label in ("Previous Article", "Next Article", "Related Posts", "support HTML5",
                      "Powered by automated translation"):
            assert label not in text
    answer = pipeline.ask("What are the previous and next articles?")
    for c in answer.citations:
        assert "Previous Article" not in c.text and "Next Article" not in c.text


def test_cli_ask_names_fuad_hussein(seeded):
    _, _, root = seeded
    out = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "Which Iraqi official led the delegation to Washington?",
         "--store", str(root / "store"), "--json"],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(out.stdout)
    assert "Fuad Hussein" in data["answer"]
    assert data["citations"][0]["source"].endswith(".txt")


def test_cli_empty_question_is_one_line_exit_2(seeded):
    _, _, root = seeded
    out = subprocess.run([sys.executable, "-m", "rag.cli", "ask", "   ", "--store", str(root / "store")],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "empty" in out.stderr
