"""A real `rag chat` server for the client and browser tests, started once per test run.

It runs as a subprocess on a free loopback port over its own store, filled from a copy of the
seeds on first use (the same path as the README's run command), and is stopped at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .conftest import SEEDS

START_TIMEOUT = 600  # seconds; loading the model and indexing the seeds on a busy machine


@dataclass
class ChatServer:
    url: str
    process: subprocess.Popen
    root: Path

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def store(self) -> Path:
        return self.root / "store"

    def log(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rag_command() -> list[str]:
    script = Path(sys.executable).with_name("rag")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]


def _serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def start_chat_server() -> ChatServer:
    root = Path(tempfile.mkdtemp(prefix="rag-chat-test-"))
    shutil.copytree(SEEDS, root / "articles")
    port = free_port()
    env = dict(os.environ, RAG_STORE=str(root / "store"), RAG_SEEDS=str(root / "articles"),
               HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    log = open(root / "server.log", "wb")
    process = subprocess.Popen(
        _rag_command() + ["chat", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    server = ChatServer(f"http://127.0.0.1:{port}/", process, root)
    deadline = time.monotonic() + START_TIMEOUT
    while not _serving(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            message = server.log()
            server.stop()
            raise RuntimeError(f"rag chat did not start:\n{message}")
        time.sleep(1)
    return server


_shared: ChatServer | None = None


def shared_chat_server() -> ChatServer:
    """The one server every test module uses (starting it is the slow part)."""
    global _shared
    if _shared is None or _shared.process.poll() is not None:
        _shared = start_chat_server()
        atexit.register(_shared.stop)
    return _shared
