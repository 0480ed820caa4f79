"""Faults of the store: unreachable or vanished Chroma server, a store path that cannot be
written, a corrupted store. Each is a StoreError naming the store; the CLI prints one line and
exits non-zero; a server that comes back is used again without a restart.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.errors import StoreError
from rag.pipeline import Pipeline
from rag.store import open_store

from .conftest import SEEDS, FakeEmbedder

CHROMA = Path(sys.executable).parent / "chroma"
WORKER = Path(__file__).resolve().parent / "ingest_worker.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rag_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("rag: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    for needle in needles:
        assert needle in proc.stderr


# --- an unreachable server ---------------------------------------------------------------------


def test_ask_against_a_closed_port_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    proc = rag_cli("ask", "Who won?", "--store", url)
    assert_one_line_error(proc, f"cannot reach the Chroma server at {url}")


def test_ingest_against_a_closed_port_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    proc = rag_cli("ingest", str(SEEDS), "--store", url, "--quiet")
    assert_one_line_error(proc, f"cannot reach the Chroma server at {url}")


def test_store_url_without_a_host_is_one_line():
    proc = rag_cli("ask", "Who won?", "--store", "http://")
    assert_one_line_error(proc, "not a Chroma server address: http://")


# --- a server that goes away and comes back ------------------------------------------------------


class ChromaServer:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                assert self.proc.poll() is None, "chroma server exited"
                time.sleep(0.1)
        raise AssertionError("chroma server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "server-data")
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.server
def test_server_going_away_is_a_store_error_and_coming_back_just_works(server):
    pipe = Pipeline(open_store(server.url), FakeEmbedder())
    pipe.ingest([SEEDS], progress=False)
    question = "Which Iraqi official led the delegation to Washington?"
    first = pipe.ask(question)
    server.stop()
    with pytest.raises(StoreError, match=f"cannot reach the Chroma server at {server.url}"):
        pipe.ask(question)
    server.start()  # same port, same data
    assert pipe.ask(question) == first


@pytest.mark.server
def test_cli_ingest_then_ask_on_a_server_then_server_down(server, tmp_path):
    proc = subprocess.run([sys.executable, str(WORKER), str(SEEDS), "--store", server.url],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    server.stop()
    assert_one_line_error(rag_cli("ask", "Who won?", "--store", server.url), "cannot reach")


# --- a store folder that cannot be used ------------------------------------------------------------


def test_store_path_that_is_a_file(tmp_path):
    path = tmp_path / "store"
    path.write_text("not a store")
    with pytest.raises(StoreError, match=f"cannot open the store at {path}: it is a file, not a folder"):
        open_store(path)
    assert_one_line_error(rag_cli("ask", "Who won?", "--store", str(path)), str(path), "not a folder")


def test_store_path_under_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    path = tmp_path / "file" / "store"
    with pytest.raises(StoreError, match=f"cannot open the store at {path}: .*Not a directory"):
        open_store(path)


@pytest.mark.parametrize("path", ["/proc/self", "/proc/rag-store"])
def test_store_where_nothing_can_be_written_even_by_root(path):
    # Permissions don't stop root, but /proc refuses new files to everyone.
    with pytest.raises(StoreError, match=f"cannot open the store at {path}: "):
        open_store(path)
    # (the CLI names the resolved path: /proc/self is /proc/<pid> of that process)
    assert_one_line_error(rag_cli("ask", "Who won?", "--store", path), "cannot open the store at /proc/")


def _good_store(root: Path) -> Path:
    path = root / "store"
    proc = subprocess.run([sys.executable, str(WORKER), str(SEEDS), "--store", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return path


def _garbage_everywhere(db: Path) -> None:
    db.write_bytes(bytes((i * 7919) % 251 for i in range(db.stat().st_size)))


def _garbage_in_the_middle(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.seek(db.stat().st_size // 4)
        fh.write(b"\xde\xad\xbe\xef" * 20000)


def _truncated(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 10)


@pytest.mark.parametrize("corrupt", [_garbage_everywhere, _garbage_in_the_middle, _truncated])
def test_corrupted_store_is_a_store_error_naming_it(tmp_path, corrupt):
    path = _good_store(tmp_path)
    corrupt(path / "chroma.sqlite3")
    proc = rag_cli("ask", "Who led the delegation?", "--store", str(path))
    assert_one_line_error(proc, f"cannot open the store at {path}")
    assert "not a database" in proc.stderr or "malformed" in proc.stderr
    proc = rag_cli("ingest", str(SEEDS), "--store", str(path), "--quiet")
    assert_one_line_error(proc, f"cannot open the store at {path}")


def test_store_database_replaced_by_a_folder(tmp_path):
    path = _good_store(tmp_path)
    db = path / "chroma.sqlite3"
    db.unlink()
    db.mkdir()
    assert_one_line_error(rag_cli("ask", "Who won?", "--store", str(path)),
                          f"cannot open the store at {path}", "unable to open database file")


def test_copy_of_a_good_store_still_works(tmp_path):
    # The control for the corruption tests: copying a store is not what breaks it.
    path = _good_store(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    assert open_store(copy).count() == open_store(path).count() > 0
