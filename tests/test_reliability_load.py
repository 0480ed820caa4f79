"""Load: 16 threads calling ask() at once (real model, real store) get exactly the serial answers.

They start together on a cold process state, so they also race to open the pipeline, build the
BM25 index and fill the parse cache. Throughput and latency figures: benchmarks/load.py.
"""

from __future__ import annotations

import json
import shutil
import threading

import pytest

import rag
from rag import pipeline
from rag.pipeline import Pipeline, shared_embedder
from rag.store import open_store

from .conftest import DATA, SEEDS

pytestmark = pytest.mark.e2e

THREADS = 16
PER_THREAD = 4


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("load")
    shutil.copytree(SEEDS, root / "seeds")
    Pipeline(open_store(root / "store"), shared_embedder()).ingest([root / "seeds"], progress=False)
    return str(root / "store")


def test_16_threads_at_once_answer_exactly_like_a_serial_run(store_dir, monkeypatch):
    monkeypatch.setattr(pipeline, "_pipelines", {})  # cold: the threads race to open it
    questions = [json.loads(line)["question"] for line in (DATA / "seeds_dev.jsonl").open()]
    work = [questions[(t * PER_THREAD + i) % len(questions)] for t in range(THREADS) for i in range(PER_THREAD)]
    results: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(t: int) -> None:
        start.wait()
        try:
            results[t] = [rag.ask(q, store=store_dir).to_dict()
                          for q in work[t * PER_THREAD : (t + 1) * PER_THREAD]]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=600)
    assert not errors, errors
    assert not any(th.is_alive() for th in threads)
    assert len(pipeline._pipelines) == 1  # one pipeline, however many threads asked for it

    concurrent = [a for t in range(THREADS) for a in results[t]]
    serial = [rag.ask(q, store=store_dir).to_dict() for q in work]
    assert concurrent == serial
    assert sum(not a["abstained"] for a in serial) > len(serial) // 2  # real answers, not all declines
