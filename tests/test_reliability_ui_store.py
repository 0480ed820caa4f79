"""The chat over a real Chroma server that goes away and comes back (issue 7, UI side).

A `rag chat --store http://...` subprocess (started without --host, so it also shows the default
binding) keeps running while the Chroma server under it is killed and restarted on the same port
and path: the reader gets one friendly line meanwhile, then answers again with no app restart.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from rag.app import STORE_DOWN, safe_source_view
from rag.pipeline import Pipeline
from rag.store import open_store

from .chat_server import _rag_command, _serving, free_port
from .conftest import SEEDS, FakeEmbedder
from .test_reliability_store import ChromaServer
from .test_reliability_ui import answer_of, chat

pytestmark = pytest.mark.server

KNOWN = "Which Iraqi official led the delegation to Washington?"


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of sockets listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    srv = ChromaServer(tmp_path_factory.mktemp("chroma") / "data")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def chat_app(chroma, tmp_path_factory):
    root = tmp_path_factory.mktemp("chat-on-server")
    shutil.copytree(SEEDS, root / "seeds")
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
               GRADIO_TEMP_DIR=str(root / "gradio"))
    ingest = subprocess.run(_rag_command() + ["ingest", str(root / "seeds"), "--store", chroma.url, "--quiet"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert ingest.returncode == 0, ingest.stderr
    port = free_port()
    log = open(root / "chat.log", "wb")
    process = subprocess.Popen(_rag_command() + ["chat", "--store", chroma.url, "--port", str(port)],
                               cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 600
    while not _serving(url):
        assert process.poll() is None and time.monotonic() < deadline, (root / "chat.log").read_text()
        time.sleep(1)
    yield url, port, root
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def test_rag_chat_binds_loopback_only_by_default(chat_app):
    _, port, _ = chat_app
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and no other interface


def test_chroma_down_is_one_friendly_line_and_the_app_recovers_by_itself(chroma, chat_app):
    url, _, root = chat_app
    client = Client(url, verbose=False)
    _, reply = chat(client, KNOWN)
    assert answer_of(reply) == "Fuad Hussein"
    answered = client.predict(KNOWN, 3, api_name="/ask")

    chroma.stop()
    for _ in range(2):  # and again: a dead server must not turn into a stuck app
        _, reply = chat(client, KNOWN)
        assert reply == f'<div class="rag-reply">{STORE_DOWN}</div>'
    with pytest.raises(AppError, match=f"cannot reach the Chroma server at {chroma.url}"):
        client.predict(KNOWN, 3, api_name="/ask")

    chroma.start()  # same port, same path; the app is not restarted
    _, reply = chat(client, KNOWN)
    assert answer_of(reply) == "Fuad Hussein"
    assert client.predict(KNOWN, 3, api_name="/ask") == answered
    assert "Traceback" not in (root / "chat.log").read_text(errors="replace")


def test_the_source_viewer_says_so_when_the_store_is_gone(tmp_path):
    srv = ChromaServer(tmp_path / "data")
    srv.start()
    try:
        pipe = Pipeline(open_store(srv.url), FakeEmbedder())
        pipe.ingest([SEEDS], progress=False)
        answer = pipe.ask(KNOWN)
        assert 'id="rag-article"' in safe_source_view(pipe, answer, 0)
        srv.stop()
        down = safe_source_view(pipe, answer, 0)
        assert down == '<div class="rag-viewer-empty">The article store is not reachable right now.</div>'
    finally:
        srv.stop()
