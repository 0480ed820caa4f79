"""CI regression gate: `rag eval` on the seeds dev set must stay above the floors in
tests/data/eval_floors.json, and a missed floor must turn the exit code non-zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import DATA, SEEDS

pytestmark = pytest.mark.e2e

FLOORS = json.loads((DATA / "eval_floors.json").read_text())["seeds_dev.jsonl"]


def rag(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True,
                          text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("gate") / "store"
    done = rag("ingest", str(SEEDS), "--store", str(store), "--quiet")
    assert done.returncode == 0, done.stderr
    return store


def test_seeds_dev_stays_above_the_floors(seeds_store, tmp_path):
    done = rag("eval", str(DATA / "seeds_dev.jsonl"), "--store", str(seeds_store), "--quiet",
               "--min-f1", str(FLOORS["min_f1"]), "--min-hit1", str(FLOORS["min_hit1"]),
               "--report", str(tmp_path / "report"))
    print(done.stdout)  # the table, shown by pytest when the gate fails
    assert done.returncode == 0, done.stderr
    metrics = json.loads((tmp_path / "report" / "report.json").read_text())["metrics"]
    assert metrics["questions"] == 131
    assert metrics["f1"] >= FLOORS["min_f1"] and metrics["hit@1"] >= FLOORS["min_hit1"]
    assert "best threshold" in done.stdout


def test_a_missed_floor_fails_the_run(seeds_store, tmp_path):
    # An extractive answer is a span of the seeds, so a gold string found in no seed scores F1 0.
    gold = "zzqx-not-in-any-article"
    assert not any(gold in p.read_text(encoding="utf-8") for p in SEEDS.iterdir())
    questions = tmp_path / "one.jsonl"
    questions.write_text(json.dumps({"id": "x", "question": "Who led the Iraqi delegation?",
                                     "answers": [gold], "sources": [], "type": "person"}) + "\n")
    done = rag("eval", str(questions), "--store", str(seeds_store), "--quiet", "--min-f1", "0.1")
    assert done.returncode == 1
    assert "rag: eval: F1 0.000 is under the floor 0.100" in done.stderr
    assert "Traceback" not in done.stderr
