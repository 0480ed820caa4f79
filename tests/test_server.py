"""Against a real Chroma server (`chroma run`): ingest, ask and eval, and two processes sharing it."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import DATA, SEEDS

pytestmark = pytest.mark.server

BIN = Path(sys.executable).parent
QUESTION = "Which Iraqi official led the delegation to Washington?"
NEW_ARTICLE = (
    "Zoo welcomes rare twins\n\n"
    "Two red panda cubs named Pip and Moss were born at Chester Zoo on 3 May, keepers said.\n\n"
    "The zoo said the twins weighed 110 grams each and were doing well with their mother.\n"
)
NEW_QUESTION = "When were the two red panda cubs born at Chester Zoo?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_heartbeat(url: str, server: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma run exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no heartbeat from {url} after {timeout:.0f} s")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "wb")
    server = subprocess.Popen(
        [str(BIN / "chroma"), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("server-seeds") / "seeds"
    shutil.copytree(SEEDS, root)
    return root


def rag(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    env.pop("RAG_STORE", None)
    return subprocess.run(
        [str(BIN / "rag"), *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def ingested(chroma_url, seeds):
    done = rag("ingest", str(seeds), "--store", chroma_url, "--quiet")
    assert done.returncode == 0, done.stderr
    assert "5 files: 5 new" in done.stdout
    return chroma_url


def test_reingest_of_unchanged_files_embeds_nothing(ingested, seeds):
    again = rag("ingest", str(seeds), "--store", ingested, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "5 unchanged" in again.stdout and "0 passages written" in again.stdout


def test_cli_ask_against_the_server(ingested, seeds):
    done = rag("ask", QUESTION, "--store", ingested, "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert "Fuad Hussein" in answer["answer"] and not answer["abstained"]
    for c in answer["citations"]:
        assert (seeds / c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["text"]


def test_store_from_the_environment(ingested):
    env = dict(os.environ, HF_HUB_OFFLINE="1", RAG_STORE=ingested)
    done = subprocess.run(
        [str(BIN / "rag"), "ask", QUESTION, "--json"], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Fuad Hussein" in json.loads(done.stdout)["answer"]


def test_cli_eval_against_the_server(ingested):
    done = rag("eval", str(DATA / "seeds_dev.jsonl"), "--store", ingested)
    assert done.returncode == 0, done.stderr
    # metrics are printed as "name  value" lines
    assert re.search(r"^all\s+\d+\s+\d\.\d{3}\s+\d\.\d{3}", done.stdout, re.M), done.stdout


def test_python_ask_against_the_server(ingested):
    from rag import ask

    answer = ask(QUESTION, store=ingested)
    assert "Fuad Hussein" in answer.answer
    assert answer.citations[0].source.endswith(".txt")


def _wait_until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


def test_a_warm_worker_sees_what_another_process_ingests(ingested, tmp_path):
    """Process A (the CLI) ingests; this process's already-warm pipeline (B) finds the article."""
    from rag.pipeline import get_pipeline

    worker = get_pipeline(ingested)
    worker.ask(QUESTION)  # warm: lexical index built, models loaded
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "zoo.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    done = rag("ingest", str(folder), "--store", ingested, "--quiet")
    assert done.returncode == 0, done.stderr

    def lexical_sources():
        return {p.source for p, _ in worker.retriever.lexical_index().search(NEW_QUESTION, 5)}

    assert _wait_until(lambda: "zoo.txt" in lexical_sources())
    vector = worker.embedder.embed([NEW_QUESTION])[0]
    assert worker.store.query(vector, 3)[0][0].source == "zoo.txt"
    answer = worker.ask(NEW_QUESTION)
    assert answer.citations[0].source == "zoo.txt"
    assert "3 May" in answer.answer

    # A changes the file, then removes it with --prune: B follows both.
    (folder / "zoo.txt").write_text(NEW_ARTICLE.replace("3 May", "9 June"), encoding="utf-8")
    done = rag("ingest", str(folder), "--store", ingested, "--quiet")
    assert "1 changed" in done.stdout, done.stdout + done.stderr
    assert _wait_until(lambda: "9 June" in worker.ask(NEW_QUESTION).answer)
    assert [p.text for p in worker.store.passages_of("zoo.txt") if "3 May" in p.text] == []

    (folder / "zoo.txt").unlink()
    (folder / "other.txt").write_text("Harbour\n\nThe harbour reopened on Tuesday after repairs.\n")
    done = rag("ingest", str(folder), "--store", ingested, "--quiet", "--prune")
    assert done.returncode == 0 and "1 removed" in done.stdout, done.stdout + done.stderr
    assert _wait_until(lambda: "zoo.txt" not in lexical_sources())
    assert worker.store.passages_of("zoo.txt") == []
