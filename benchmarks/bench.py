#!/usr/bin/env python
"""Scale and speed benchmark (a script, not a test): prints a table and writes JSON.

    .venv/bin/python benchmarks/bench.py                  # seeds + ../shared/corpora (minutes)
    .venv/bin/python benchmarks/bench.py --limit 200      # a quick run on 200 corpus files
    .venv/bin/python benchmarks/bench.py --skip-ingest --serve-store /path/to/seeds+bbc/store

Each figure is measured in its own process, so start-up and peak memory are those a user sees.
Where the machine's noise would decide, figures are ratios of two things measured in the same
run: ingest throughput against plain encoding of the same passages, and ask() latency against
the question's embedding time (the floor), measured question by question, interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora"
COLD_QUESTION = "Which Iraqi official led the delegation to Washington?"
WARM_UP = ["Who won the election?", "What happened to the share price?", "Where was the film made?"]

TARGETS = {
    "ingest_ratio_vs_model_encode": (">=", 0.8),
    "reingest_unchanged_cli_s": ("<=", 5.0),
    "warm_p50_ms_seeds": ("<=", 30.0),
    "warm_p95_ms_seeds": ("<=", 60.0),
    "warm_p50_ms_seeds_bbc": ("<=", 30.0),
    "warm_p95_ms_seeds_bbc": ("<=", 60.0),
    "warm_p50_over_embed_seeds": ("<=", 2.5),
    "warm_p50_over_embed_seeds_bbc": ("<=", 2.5),
    "cold_start_s_seeds": ("<=", 4.0),
    "cold_start_s_seeds_bbc": ("<=", 4.0),
    "serving_peak_rss_mb_seeds_bbc": ("<=", 700.0),
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- phases, each run in a child process ------------------------------------------------------


def phase_ingest(args) -> dict:
    """Fresh store, seeds + corpus, then the same again unchanged (in-process)."""
    from rag.embedder import default_embedder
    from rag.ingest import ingest
    from rag.store import open_store

    embedder = default_embedder()
    embedder.embed(["warm up the model"])
    store = open_store(args.store)
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest(args.paths, store, embedder, progress=not args.quiet)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = peak_rss_mb()
    started = time.perf_counter()
    again = ingest(args.paths, store, embedder, progress=False)
    return {
        "files": report.files,
        "passages": report.passages,
        "ingest_s": seconds,
        "ingest_passages_per_s": report.passages / seconds,
        "ingest_cpu_s": cpu,
        "ingest_peak_rss_mb": rss,
        "reingest_unchanged_inprocess_s": time.perf_counter() - started,
        "reingest_embedded": again.passages,
    }


def phase_encode(args) -> dict:
    """Plain encoding of exactly the passages ingest wrote: sentence-transformers and ONNX."""
    from rag.documents import SourceFile, find_source_files, load_document
    from rag.embedder import MiniLMEmbedder, OnnxMiniLMEmbedder
    from rag.splitter import split_document

    texts = [
        p.embed_text
        for sf in find_source_files(args.paths)
        if isinstance(sf, SourceFile)
        for p in split_document(load_document(sf))
    ]
    out = {"passages": len(texts)}
    model = MiniLMEmbedder().model
    model.encode(texts[:64])
    started, cpu = time.perf_counter(), time.process_time()
    # Plain model.encode: its default batch size (32), the fastest on this machine.
    model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
    out["model_encode_s"] = time.perf_counter() - started
    out["model_encode_cpu_s"] = time.process_time() - cpu
    onnx = OnnxMiniLMEmbedder()
    onnx.embed(texts[:64])
    started, cpu = time.perf_counter(), time.process_time()
    onnx.embed(texts)
    out["onnx_encode_s"] = time.perf_counter() - started
    out["onnx_encode_cpu_s"] = time.process_time() - cpu
    return out


def phase_serve(args) -> dict:
    """A serving process: load the store, answer every question once; latency and memory."""
    from rag.pipeline import get_pipeline

    questions = []
    for path in args.questions:
        questions += [json.loads(line)["question"] for line in open(path, encoding="utf-8") if line.strip()]
    pipeline = get_pipeline(args.store)
    for q in WARM_UP:
        pipeline.ask(q)
    embed_ms, retrieve_ms, ask_ms = [], [], []
    for q in questions:  # interleaved, so the machine's load hits each figure alike
        started = time.perf_counter()
        pipeline.embedder.embed([q])
        embed_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        pipeline.retriever.retrieve(q, 20)
        retrieve_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        pipeline.ask(q)
        ask_ms.append(1000 * (time.perf_counter() - started))
    return {
        "questions": len(questions),
        "passages": pipeline.store.count(),
        "embed_p50_ms": statistics.median(embed_ms),
        "retrieve_p50_ms": statistics.median(retrieve_ms),
        "ask_p50_ms": statistics.median(ask_ms),
        "ask_p95_ms": percentile(ask_ms, 0.95),
        "peak_rss_mb": peak_rss_mb(),
    }


PHASES = {"ingest": phase_ingest, "encode": phase_encode, "serve": phase_serve}


def run_phase(name: str, **options) -> dict:
    command = [sys.executable, __file__, "--phase", name]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            command += [flag] if value else []
        elif isinstance(value, list):
            command += [flag, *map(str, value)]
        else:
            command += [flag, str(value)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rag_cli(*args: str) -> float:
    """Wall time of one `rag ...` command in a new process."""
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "rag"), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"rag {' '.join(args)} failed: {done.stderr}")
    return seconds


def cold_start(store: str, runs: int) -> dict:
    primer = rag_cli("ask", COLD_QUESTION, "--store", store)  # fills on-disk caches if empty
    times = [rag_cli("ask", COLD_QUESTION, "--store", store) for _ in range(runs)]
    return {"first_s": primer, "median_s": statistics.median(times), "min_s": min(times), "runs": times}


# --- orchestration ----------------------------------------------------------------------------


def corpus_paths(args, workdir: Path) -> list[str]:
    """Seeds and the corpus; with --limit, the first N corpus files linked into a temp folder."""
    if not args.limit:
        return [str(SEEDS), str(args.corpus)]
    from rag.documents import SourceFile, find_source_files

    files = sorted(
        (f for f in find_source_files([args.corpus]) if isinstance(f, SourceFile)), key=lambda f: str(f.path)
    )[: args.limit]
    subset = workdir / "corpora"
    for sf in files:
        link = subset / sf.source_id
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(sf.path)
    return [str(SEEDS), str(subset)]


def measure(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    results: dict = {"machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()}}
    try:
        seeds_store = str(workdir / "seeds-store")
        subprocess.run([str(Path(sys.executable).parent / "rag"), "ingest", str(SEEDS), "--store", seeds_store,
                        "--quiet"], check=True, capture_output=True)
        big_store = args.serve_store
        if not args.skip_ingest:
            paths = corpus_paths(args, workdir)
            big_store = str(workdir / "big-store")
            print(f"ingesting {' + '.join(paths)} into a fresh store ...", file=sys.stderr)
            results["ingest"] = run_phase("ingest", store=big_store, paths=paths, quiet=args.quiet)
            print("encoding the same passages with model.encode and ONNX ...", file=sys.stderr)
            results["encode"] = run_phase("encode", paths=paths)
            results["reingest_cli_s"] = rag_cli("ingest", *paths, "--store", big_store, "--quiet")
        print("serving ...", file=sys.stderr)
        seeds_q = [str(DATA / "seeds_dev.jsonl")]
        # Cold starts first: the first one leaves the on-disk lexical index that every later
        # process (and so the serving process measured next) loads instead of building.
        results["cold_seeds"] = cold_start(seeds_store, args.cold_runs)
        results["serve_seeds"] = run_phase("serve", store=seeds_store, questions=seeds_q)
        if big_store:
            both_q = seeds_q + [str(DATA / "bbc_dev.jsonl")]
            results["cold_seeds_bbc"] = cold_start(big_store, args.cold_runs)
            results["serve_seeds_bbc"] = run_phase("serve", store=big_store, questions=both_q)
        results["machine"]["load_average_at_end"] = os.getloadavg()
    finally:
        if args.keep:
            print(f"kept the stores in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def figures(results: dict) -> dict:
    out = {}
    if "ingest" in results:
        ingest, encode = results["ingest"], results["encode"]
        out["ingest_passages_per_s"] = ingest["ingest_passages_per_s"]
        out["model_encode_passages_per_s"] = encode["passages"] / encode["model_encode_s"]
        out["onnx_encode_passages_per_s"] = encode["passages"] / encode["onnx_encode_s"]
        out["ingest_ratio_vs_model_encode"] = out["ingest_passages_per_s"] / out["model_encode_passages_per_s"]
        out["ingest_ratio_vs_onnx_encode"] = out["ingest_passages_per_s"] / out["onnx_encode_passages_per_s"]
        # CPU seconds: what the work costs, whatever else the machine was running meanwhile
        out["ingest_cpu_ratio_vs_model_encode"] = encode["model_encode_cpu_s"] / ingest["ingest_cpu_s"]
        out["ingest_cpu_ratio_vs_onnx_encode"] = encode["onnx_encode_cpu_s"] / ingest["ingest_cpu_s"]
        out["ingest_peak_rss_mb"] = ingest["ingest_peak_rss_mb"]
        out["reingest_unchanged_cli_s"] = results["reingest_cli_s"]
        out["reingest_unchanged_inprocess_s"] = ingest["reingest_unchanged_inprocess_s"]
    for key, name in (("seeds", "serve_seeds"), ("seeds_bbc", "serve_seeds_bbc")):
        if name in results:
            serve = results[name]
            out[f"warm_p50_ms_{key}"] = serve["ask_p50_ms"]
            out[f"warm_p95_ms_{key}"] = serve["ask_p95_ms"]
            out[f"embed_p50_ms_{key}"] = serve["embed_p50_ms"]
            out[f"retrieve_p50_ms_{key}"] = serve["retrieve_p50_ms"]
            out[f"warm_p50_over_embed_{key}"] = serve["ask_p50_ms"] / serve["embed_p50_ms"]
            out[f"serving_peak_rss_mb_{key}"] = serve["peak_rss_mb"]
        if f"cold_{key}" in results:
            out[f"cold_start_s_{key}"] = results[f"cold_{key}"]["median_s"]
    return out


def table(results: dict, numbers: dict) -> str:
    rows = [("figure", "measured", "target")]
    for name, value in numbers.items():
        target = TARGETS.get(name)
        mark = ""
        if target:
            op, limit = target
            ok = value >= limit if op == ">=" else value <= limit
            mark = f"{op} {limit:g} {'ok' if ok else 'MISSED'}"
        rows.append((name, f"{value:.3f}" if value < 10 else f"{value:.1f}", mark))
    if "ingest" in results:
        rows.append(("passages ingested", str(results["ingest"]["passages"]), ""))
    for key in ("serve_seeds", "serve_seeds_bbc"):
        if key in results:
            rows.append((f"{key}: questions / passages",
                         f"{results[key]['questions']} / {results[key]['passages']}", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="corpus folder ingested after the seeds")
    parser.add_argument("--limit", type=int, default=0, help="only the first N corpus files (quick run)")
    parser.add_argument("--skip-ingest", action="store_true", help="no ingest figures")
    parser.add_argument("--serve-store", help="a ready seeds+corpus store for the serving figures")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "latest.json"))
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--keep", action="store_true", help="keep the stores made (their folder is printed)")
    # internal: one phase in a child process
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--paths", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--questions", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT))
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return 0

    results = measure(args)
    numbers = figures(results)
    Path(args.json).write_text(json.dumps({"figures": numbers, "raw": results}, indent=2) + "\n")
    print(table(results, numbers))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
