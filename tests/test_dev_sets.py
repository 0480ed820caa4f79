"""The dev sets are sound: every acceptable answer is a verbatim span of one of its sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.evaluate import load_questions

from .conftest import DATA, ROOT, SEEDS

# The BBC corpus sits next to the checkout (../shared/corpora); CI clones may not have it.
BBC_CORPUS = ROOT.parent / "shared" / "corpora"


def unsupported_answers(questions, root: Path) -> list[str]:
    problems = []
    for q in questions:
        texts = [(root / s).read_text(encoding="utf-8") for s in q.sources if (root / s).is_file()]
        if q.answerable and len(texts) != len(q.sources):
            problems.append(f"{q.id}: missing source among {q.sources}")
        problems += [f"{q.id}: {a!r}" for a in q.answers if not any(a in t for t in texts)]
        if not q.answerable and q.sources:
            problems.append(f"{q.id}: unanswerable but lists sources")
    return problems


@pytest.mark.parametrize("name", ["seeds_dev.jsonl", "seeds_dev2.jsonl", "seeds_dev3.jsonl", "seeds_dev4.jsonl",
                                  "seeds_dev5.jsonl", "seeds_dev6.jsonl", "seeds_dev7.jsonl", "seeds_dev8.jsonl",
                                  "seeds_dev9.jsonl", "seeds_dev10.jsonl", "seeds_dev11.jsonl", "seeds_dev12.jsonl",
                                  "seeds_dev13.jsonl", "seeds_dev14.jsonl", "seeds_dev15.jsonl", "seeds_dev16.jsonl",
                                  "seeds_dev17.jsonl", "seeds_dev18.jsonl", "seeds_dev19.jsonl", "seeds_check.jsonl",
                                  "bbc_dev.jsonl", "bbc_dev2.jsonl", "bbc_dev3.jsonl", "bbc_dev4.jsonl",
                                  "bbc_dev5.jsonl", "bbc_dev6.jsonl", "bbc_dev7.jsonl", "bbc_dev8.jsonl",
                                  "bbc_dev9.jsonl", "bbc_dev10.jsonl", "bbc_dev11.jsonl", "bbc_dev12.jsonl",
                                  "bbc_dev13.jsonl", "bbc_dev14.jsonl", "bbc_dev15.jsonl", "bbc_dev16.jsonl",
                                  "bbc_dev17.jsonl", "bbc_dev18.jsonl", "bbc_dev19.jsonl", "bbc_check.jsonl"])
def test_dev_sets_load_with_unique_ids(name):
    questions = load_questions(DATA / name)
    assert len({q.id for q in questions}) == len(questions)
    assert any(not q.answerable for q in questions) and any(q.answerable for q in questions)


@pytest.mark.parametrize("name,count", [("seeds_dev.jsonl", 131), ("seeds_dev2.jsonl", 60), ("seeds_dev3.jsonl", 60),
                                        ("seeds_dev4.jsonl", 64), ("seeds_dev5.jsonl", 64),
                                        ("seeds_dev6.jsonl", 64), ("seeds_dev7.jsonl", 64), ("seeds_dev8.jsonl", 64),
                                        ("seeds_dev9.jsonl", 64), ("seeds_dev10.jsonl", 64), ("seeds_dev11.jsonl", 64),
                                        ("seeds_dev12.jsonl", 64), ("seeds_dev13.jsonl", 64), ("seeds_dev14.jsonl", 64),
                                        ("seeds_dev15.jsonl", 64), ("seeds_dev16.jsonl", 64),
                                        ("seeds_dev17.jsonl", 64), ("seeds_dev18.jsonl", 64), ("seeds_dev19.jsonl", 64),
                                        ("seeds_check.jsonl", 60)])
def test_seed_answers_are_verbatim_in_their_sources(name, count):
    questions = load_questions(DATA / name)
    assert len(questions) == count
    assert unsupported_answers(questions, SEEDS) == []


@pytest.mark.parametrize("name,count", [("bbc_dev.jsonl", 107), ("bbc_dev2.jsonl", 66), ("bbc_dev3.jsonl", 70),
                                        ("bbc_dev4.jsonl", 66), ("bbc_dev5.jsonl", 66),
                                        ("bbc_dev6.jsonl", 66), ("bbc_dev7.jsonl", 66), ("bbc_dev8.jsonl", 66),
                                        ("bbc_dev9.jsonl", 66), ("bbc_dev10.jsonl", 66), ("bbc_dev11.jsonl", 66),
                                        ("bbc_dev12.jsonl", 66), ("bbc_dev13.jsonl", 66), ("bbc_dev14.jsonl", 66), ("bbc_dev15.jsonl", 66),
                                        ("bbc_dev16.jsonl", 66), ("bbc_dev17.jsonl", 66), ("bbc_dev18.jsonl", 66), ("bbc_dev19.jsonl", 66),
                                        ("bbc_check.jsonl", 54)])
def test_bbc_answers_are_verbatim_in_their_sources(name, count):
    questions = load_questions(DATA / name)
    assert len(questions) == count
    assert all(s.startswith("bbc/") for q in questions for s in q.sources)
    if BBC_CORPUS.is_dir():  # checked wherever the corpus exists; CI clones may lack it
        assert unsupported_answers(questions, BBC_CORPUS) == []
