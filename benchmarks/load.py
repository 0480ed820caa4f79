"""Concurrent ask(): throughput and latency of N threads against one store, vs a serial run.

    .venv/bin/python benchmarks/load.py [--store DIR|URL] [--threads 16] [--rounds 1]
    .venv/bin/python benchmarks/load.py --chat [URL] [--clients 8] [--per-client 50]

Questions: tests/data/seeds_dev.jsonl. Without --store, the seeds are ingested into a temporary
store with the real model first. With --chat, N gradio_client clients each ask their own run of
questions through the /ask endpoint of a running `rag chat` (given by URL, or started here over a
copy of the seeds, as the tests do). Prints figures; checks that every concurrent answer equals
the serial one and that no call failed (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import ask  # noqa: E402
from rag.pipeline import get_pipeline  # noqa: E402


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def timed(question: str, store: str) -> tuple[float, dict | str]:
    start = time.perf_counter()
    try:
        result: dict | str = ask(question, store=store).to_dict()
    except Exception as exc:  # counted and reported, not raised
        result = f"{type(exc).__name__}: {exc}"
    return time.perf_counter() - start, result


def report(name: str, latencies: list[float], seconds: float) -> None:
    print(f"{name:>11}: {len(latencies)} asks in {seconds:.1f} s = {len(latencies) / seconds:.1f} q/s; "
          f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95(latencies) * 1000:.0f} ms")


def chat_load(url: str | None, clients: int, per_client: int, questions: list[str]) -> int:
    """N gradio_client clients at once against a running `rag chat`, vs one client asking serially."""
    from gradio_client import Client

    server = None
    if url is None:
        from tests.chat_server import start_chat_server

        server = start_chat_server()
        url = server.url
    try:
        work = [[questions[(c * per_client + i) % len(questions)] for i in range(per_client)]
                for c in range(clients)]
        distinct = list(dict.fromkeys(q for w in work for q in w))
        sessions = [Client(url, verbose=False) for _ in range(clients)]

        def call(c: int, q: str) -> tuple[float, dict | str]:
            start = time.perf_counter()
            try:
                result: dict | str = sessions[c].predict(q, 3, api_name="/ask")
            except Exception as exc:  # counted and reported, not raised
                result = f"{type(exc).__name__}: {exc}"
            return time.perf_counter() - start, result

        for q in distinct:  # warm parse cache and indexes, so both runs measure the same work
            call(0, q)
        start = time.perf_counter()
        serial = [call(0, q) for q in distinct]
        serial_wall = time.perf_counter() - start
        expected = {q: r for q, (_, r) in zip(distinct, serial)}

        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            runs = list(pool.map(lambda c: [call(c, q) for q in work[c]], range(clients)))
        wall = time.perf_counter() - start
        concurrent = [(q, t, r) for c in range(clients) for q, (t, r) in zip(work[c], runs[c])]
    finally:
        if server is not None:
            server.stop()

    errors = [r for _, _, r in concurrent if isinstance(r, str)] + [r for _, r in serial if isinstance(r, str)]
    differ = sum(1 for q, _, r in concurrent if not isinstance(r, str) and r != expected[q])
    print(f"rag chat at {url}: {len(distinct)} distinct questions, gradio_client /ask, k=3")
    report("serial", [t for t, _ in serial], serial_wall)
    report(f"{clients} clients", [t for _, t, _ in concurrent], wall)
    print(f"errors: {len(errors)}; answers different from the serial run: {differ}")
    for e in errors[:5]:
        print("  ", e)
    return 1 if errors or differ else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="times each question is asked concurrently")
    parser.add_argument("--chat", nargs="?", const="", metavar="URL",
                        help="load a running `rag chat` (started here if no URL) with gradio clients")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=50)
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in open(ROOT / "tests/data/seeds_dev.jsonl")]
    if args.chat is not None:
        return chat_load(args.chat or None, args.clients, args.per_client, questions)
    store = args.store
    if store is None:
        store = str(Path(tempfile.mkdtemp()) / "store")
        get_pipeline(store).ingest([ROOT / "seeds"], progress=False)
    get_pipeline(store)

    warm = time.perf_counter()
    for q in questions:  # parses and indexes warm, so both runs measure the same work
        ask(q, store=store)
    print(f"warm-up: {len(questions)} questions in {time.perf_counter() - warm:.1f} s")

    start = time.perf_counter()
    serial = [timed(q, store) for q in questions]
    serial_wall = time.perf_counter() - start
    expected = {q: r for q, (_, r) in zip(questions, serial)}

    work = questions * args.rounds
    start = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        concurrent = list(pool.map(lambda q: timed(q, store), work))
    wall = time.perf_counter() - start

    errors = [r for _, r in concurrent if isinstance(r, str)]
    differ = sum(1 for q, (_, r) in zip(work, concurrent) if not isinstance(r, str) and r != expected[q])
    for name, runs, seconds in (("serial", serial, serial_wall), (f"{args.threads} threads", concurrent, wall)):
        report(name, [t for t, _ in runs], seconds)
    print(f"errors: {len(errors)}; answers different from the serial run: {differ}")
    for e in errors[:5]:
        print("  ", e)
    return 1 if errors or differ else 0


if __name__ == "__main__":
    sys.exit(main())
