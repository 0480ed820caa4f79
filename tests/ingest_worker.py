"""`rag ingest` in a subprocess with the fake embedder, for the crash tests.

    python tests/ingest_worker.py PATH --store STORE

The real CLI runs (rag.cli.main), with two test hooks set through the environment:
  RAG_TEST_PROGRESS  file that receives a line before and after every store write
                     ("before add:3", "after delete:7", ...), so a test knows where it is;
  RAG_TEST_PAUSE_AT  a point such as "before-add:3": on reaching it the worker writes "paused"
                     and sleeps, so a test can kill it exactly there.
Batches are made small (RAG_TEST_BATCH passages) so a small corpus takes many writes.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag import cli, pipeline  # noqa: E402
from rag import ingest as ingest_module  # noqa: E402
from rag.store import PassageStore  # noqa: E402
from tests.conftest import FakeEmbedder  # noqa: E402

PROGRESS = os.environ.get("RAG_TEST_PROGRESS", "")
PAUSE_AT = os.environ.get("RAG_TEST_PAUSE_AT", "")


def mark(line: str) -> None:
    if not PROGRESS:
        return
    with open(PROGRESS, "a") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def instrument(method: str, key: str) -> None:
    original = getattr(PassageStore, method)
    calls = 0

    def wrapper(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        point = f"{key}:{calls}"
        mark(f"before {point}")
        if PAUSE_AT == f"before-{point}":
            pause()
        result = original(self, *args, **kwargs)
        mark(f"after {point}")
        if PAUSE_AT == f"after-{point}":
            pause()
        return result

    setattr(PassageStore, method, wrapper)


def pause() -> None:
    mark("paused")
    while True:
        time.sleep(0.05)


def main() -> int:
    # A shell starting this in the background (a CI script with `&`, nohup) makes it ignore
    # SIGINT, and Python then never raises KeyboardInterrupt: Ctrl-C is what the tests send.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ingest_module.BATCH_PASSAGES = int(os.environ.get("RAG_TEST_BATCH", "20"))
    pipeline._embedder = FakeEmbedder()
    instrument("add", "add")
    instrument("delete_source", "delete")
    return cli.main(["ingest", "--quiet", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
