"""Crashes lose nothing: an ingest killed (SIGKILL) or interrupted (SIGINT) at many points, then
re-run, leaves exactly the store a clean ingest makes: same ids, texts, metadata and vectors.

Every run is a real subprocess (tests/ingest_worker.py: the real CLI with the fake embedder).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from rag.store import COLLECTION, open_store

WORKER = Path(__file__).resolve().parent / "ingest_worker.py"
WORDS = ("harbour council minister election budget festival storm market shares bank rail strike "
         "court league match film album growth jobs energy price river bridge vote tax").split()
FILES = 120
WAIT_SECONDS = 180  # for a worker to reach its point; generous, the machine is shared


def write_corpus(root: Path, version: int = 1, seed: int = 7) -> Path:
    """FILES small articles; version 2 changes every third file and drops a paragraph of others."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(FILES):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
            for _ in range(rng.randint(3, 10))
        ]
        if version == 2 and i % 3 == 0:
            sentences = [s.replace("budget", "deficit") for s in sentences] + ["A late update was added here."]
        paragraphs = [" ".join(sentences[j : j + 2]) for j in range(0, len(sentences), 2)]
        if version == 2 and i % 5 == 1:
            paragraphs = paragraphs[:-1]
        (root / f"a{i:03d}.txt").write_text(f"Title {i}\n\n" + "\n\n".join(paragraphs) + "\n")
    return root


def start_worker(corpus: Path, store: Path, progress: Path, pause_at: str = "") -> subprocess.Popen:
    env = dict(os.environ, RAG_TEST_PROGRESS=str(progress), RAG_TEST_PAUSE_AT=pause_at,
               HF_HUB_OFFLINE="1")
    return subprocess.Popen([sys.executable, str(WORKER), str(corpus), "--store", str(store)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_worker(corpus: Path, store: Path, tmp: Path) -> subprocess.CompletedProcess:
    proc = start_worker(corpus, store, tmp / f"progress-{time.monotonic_ns()}")
    out, err = proc.communicate(timeout=WAIT_SECONDS * 2)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_for(proc: subprocess.Popen, progress: Path, line: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if progress.exists() and line in progress.read_text().splitlines():
            return
        if proc.poll() is not None:
            pytest.fail(f"worker ended (exit {proc.returncode}) before {line!r}: {proc.stderr.read()}")
        time.sleep(0.01)
    proc.kill()
    pytest.fail(f"worker never reached {line!r}")


def snapshot(store_dir: Path) -> dict:
    """Everything stored, by id; also proves the vector index and the metadata agree."""
    # Chroma caches an embedded store per process; another process has written it since.
    SharedSystemClient.clear_system_cache()
    store = open_store(store_dir)
    col = store.client.get_collection(COLLECTION, embedding_function=None)
    got = col.get(include=["documents", "metadatas", "embeddings"])
    ids = got["ids"]
    assert len(ids) == len(set(ids)) == col.count()
    # Nothing the vector index returns is unknown to the records (no orphan vectors). (Whether
    # every record is reachable in the index can't be checked exactly: HNSW search is
    # approximate, and misses some of the fake embedder's clustered vectors even in a clean store.)
    vectors = np.asarray(got["embeddings"], dtype=np.float32)
    found = col.query(query_embeddings=vectors, n_results=min(len(ids), 10), include=[])["ids"]
    assert set().union(*map(set, found)) <= set(ids)
    # No article is duplicated or half-written: positions are 0..n-1 once each.
    positions: dict[str, list[int]] = {}
    for meta in got["metadatas"]:
        positions.setdefault(meta["source"], []).append(meta["position"])
    for source, seen in positions.items():
        assert sorted(seen) == list(range(len(seen))), source
    return {
        pid: (doc, tuple(sorted(meta.items())), tuple(np.round(np.asarray(vec), 5)))
        for pid, doc, meta, vec in zip(ids, got["documents"], got["metadatas"], got["embeddings"])
    }


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """Corpus v1 and v2 (v2 = v1 edited), and snapshots of clean ingests of each."""
    tmp = tmp_path_factory.mktemp("crash")
    v1 = write_corpus(tmp / "v1" / "corpus", 1)
    v2 = write_corpus(tmp / "v2" / "corpus", 2)
    run_worker(v1, tmp / "clean-v1", tmp)
    run_worker(v2, tmp / "clean-v2", tmp)
    clean = {1: snapshot(tmp / "clean-v1"), 2: snapshot(tmp / "clean-v2")}
    assert clean[1] != clean[2] and len(clean[1]) > 400
    return tmp, {1: v1, 2: v2}, clean


# Where to kill: paused exactly before a batch is written, after it is written but before the
# changed files' old passages are deleted, between two deletes, and "race" points where the
# worker does not pause, so the kill lands wherever it is (inside embedding or the upsert).
KILL_POINTS = ["before-add:1", "before-add:4", "after-add:2", "after-delete:5", "race-add:3",
               "race-add:9"]


def _kill_at(point: str, corpus: Path, store: Path, tmp: Path, sig: int) -> tuple[int, str]:
    progress = tmp / f"progress-{store.name}"
    progress.unlink(missing_ok=True)
    race = point.startswith("race-")
    proc = start_worker(corpus, store, progress, pause_at="" if race else point)
    if race:
        wait_for(proc, progress, "before " + point.removeprefix("race-"))
    else:
        wait_for(proc, progress, "paused")
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()  # a worker that ignored the signal must not outlive the test
        proc.communicate()
        raise
    return proc.returncode, err


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_then_rerun_equals_clean_ingest_of_new_files(corpora, point):
    tmp, corpus, clean = corpora
    store = tmp / f"kill-new-{point}"
    code, _ = _kill_at(point, corpus[1], store, tmp, signal.SIGKILL)
    assert code == -signal.SIGKILL
    run_worker(corpus[1], store, tmp)
    assert snapshot(store) == clean[1]


@pytest.mark.parametrize("point", ["after-add:1", "after-delete:3", "race-add:2"])
def test_sigkill_while_updating_changed_files_then_rerun_equals_clean(corpora, point):
    tmp, corpus, clean = corpora
    work = tmp / f"edit-{point}" / "corpus"
    shutil.copytree(corpus[1], work)
    store = tmp / f"kill-changed-{point}"
    run_worker(work, store, tmp)
    shutil.copytree(corpus[2], work, dirs_exist_ok=True)  # edit the articles in place
    code, _ = _kill_at(point, work, store, tmp, signal.SIGKILL)
    assert code == -signal.SIGKILL
    run_worker(work, store, tmp)
    assert _without_root(snapshot(store)) == _without_root(clean[2])


def _without_root(snap: dict) -> dict:
    # The same corpus ingested from another folder differs only in the stored root.
    return {pid: (doc, tuple(kv for kv in meta if kv[0] != "root"), vec)
            for pid, (doc, meta, vec) in snap.items()}


@pytest.mark.parametrize("point", ["before-add:2", "after-add:3", "race-add:5"])
def test_ctrl_c_exits_cleanly_and_leaves_a_consistent_store(corpora, point):
    tmp, corpus, clean = corpora
    store = tmp / f"sigint-{point}"
    code, err = _kill_at(point, corpus[1], store, tmp, signal.SIGINT)
    assert code == 130
    assert err.strip().splitlines()[-1] == "rag: error: interrupted"
    assert "Traceback" not in err
    # Consistent as it stands: what is stored is right, and every stored article is whole.
    partial = snapshot(store)
    assert partial and set(partial) < set(clean[1])
    assert all(clean[1][pid] == value for pid, value in partial.items())
    for source in {dict(meta)["source"] for _, meta, _ in partial.values()}:
        assert _ids_of(partial, source) == _ids_of(clean[1], source)
    run_worker(corpus[1], store, tmp)
    assert snapshot(store) == clean[1]


def _ids_of(snap: dict, source: str) -> set[str]:
    return {pid for pid, (_, meta, _) in snap.items() if dict(meta)["source"] == source}
