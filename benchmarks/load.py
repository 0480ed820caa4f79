"""Concurrent ask(): throughput and latency of N threads against one store, vs a serial run.

    .venv/bin/python benchmarks/load.py [--store DIR|URL] [--threads 16] [--rounds 1]

Questions: tests/data/seeds_dev.jsonl. Without --store, the seeds are ingested into a temporary
store with the real model first. Prints figures; checks that every concurrent answer equals the
serial one and that no call failed (exit 1 otherwise).
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="times each question is asked concurrently")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in open(ROOT / "tests/data/seeds_dev.jsonl")]
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
        latencies = [t for t, _ in runs]
        print(f"{name:>11}: {len(runs)} asks in {seconds:.1f} s = {len(runs) / seconds:.1f} q/s; "
              f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95(latencies) * 1000:.0f} ms")
    print(f"errors: {len(errors)}; answers different from the serial run: {differ}")
    for e in errors[:5]:
        print("  ", e)
    return 1 if errors or differ else 0


if __name__ == "__main__":
    sys.exit(main())
