"""Rendering an evaluation report: the printed table, report.json/.md, misses CSV, PNG charts.

Works on the dict from ``EvalResult.report()``. matplotlib is imported inside the chart
functions (Agg backend), so printing a table never loads it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .evaluate import misses

__all__ = ["render_table", "render_markdown", "write_misses_csv", "write_report",
           "SWEEP_SHOWN", "MISS_COLUMNS"]

# (column header, metric key, format); "r" = ratio, "ms" = milliseconds, "n" = count
COLUMNS = [
    ("n", "questions", "n"), ("EM", "em", "r"), ("F1", "f1", "r"), ("hit@1", "hit@1", "r"),
    ("hit@3", "hit@3", "r"), ("hit@5", "hit@5", "r"), ("src@1", "source@1", "r"),
    ("MRR", "mrr", "r"), ("abst", "abstention_recall", "r"), ("f-abst", "false_abstention", "r"),
    ("acc", "accuracy", "r"), ("p50ms", "latency_p50_ms", "ms"), ("p95ms", "latency_p95_ms", "ms"),
]
LEGEND = ("EM/F1/hit/src@1/MRR over answerable questions; abst = unanswerable declined; "
          "f-abst = answerable declined; acc = right answers + declined unanswerable")
SWEEP_SHOWN = [n / 10 for n in range(11)]
MISS_COLUMNS = ["id", "type", "question", "prediction", "gold", "abstained", "confidence", "em",
                "f1", "hit@1", "source@1", "first_citation_source"]


def _cell(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "n":
        return str(value)
    if kind == "ms":
        return f"{value:.0f}"
    return f"{value:.3f}"


def _metric_groups(report: dict) -> list[list[tuple[str, dict]]]:
    """Overall, per question type, per wording (literal / paraphrase)."""
    groups = [[("all", report["metrics"])], list(report["by_type"].items()),
              list(report.get("by_wording", {}).items())]
    return [g for g in groups if g]


def _metric_cells(name: str, metrics: dict) -> list[str]:
    return [name] + [_cell(metrics[key], kind) for _, key, kind in COLUMNS]


def _grid(header: list[str], body: list[list[str]], first_width: int) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    widths[0] = max(widths[0], first_width)

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                         enumerate(zip(cells, widths))).rstrip()

    return [line(header)] + [line(r) for r in body]


def _heading(report: dict) -> str:
    m = report["metrics"]
    parts = [f"{m['questions']} questions ({m['answerable']} answerable, "
             f"{m['unanswerable']} unanswerable)"]
    for key in ("questions_file", "store", "k"):
        if report.get(key) is not None:
            parts.append(f"{key.replace('_file', '')}={report[key]}")
    return "rag eval · " + " · ".join(parts)


def _sweep_rows(report: dict) -> list[list[str]]:
    best = report["best_threshold"]["threshold"]
    shown = {round(t, 4) for t in SWEEP_SHOWN} | {best}
    return [[f"{p['threshold']:.2f}" + (" *" if p["threshold"] == best else ""), str(p["answered"]),
             _cell(p["coverage"], "r"), _cell(p["accuracy"], "r"),
             _cell(p["unanswerable_declined"], "r"), _cell(p["overall_accuracy"], "r")]
            for p in report["sweep"] if p["threshold"] in shown]


def best_threshold_line(report: dict) -> str:
    b = report["best_threshold"]
    return (f"best threshold {b['threshold']:.2f}: overall accuracy "
            f"{_cell(b['overall_accuracy'], 'r')} (coverage {_cell(b['coverage'], 'r')}, "
            f"accuracy {_cell(b['accuracy'], 'r')}, unanswerable declined "
            f"{_cell(b['unanswerable_declined'], 'r')})")


def render_table(report: dict) -> str:
    """The text printed by `rag eval`."""
    header = ["type"] + [c[0] for c in COLUMNS]
    groups = [[_metric_cells(name, m) for name, m in group] for group in _metric_groups(report)]
    grid = _grid(header, [row for group in groups for row in group], 12)
    rule = "-" * len(grid[0])
    lines, at = [_heading(report), "", grid[0]], 1
    for group in groups:  # a rule between overall, per-type and per-wording rows
        lines += [rule] + grid[at : at + len(group)]
        at += len(group)
    lines += [LEGEND, ""]
    lines.append("coverage vs accuracy (answer only when confidence >= t; abstentions stay):")
    lines += _grid(["t", "answered", "coverage", "accuracy", "unans-declined", "overall"],
                   _sweep_rows(report), 6)
    lines.append(best_threshold_line(report))
    return "\n".join(lines)


def _md_table(header: list[str], body: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(r) + " |" for r in body])


def render_markdown(report: dict, charts: list[str]) -> str:
    header = ["type"] + [c[0] for c in COLUMNS]
    body = [_metric_cells(name, m) for group in _metric_groups(report) for name, m in group]
    lines = ["# Evaluation report", "", _heading(report), ""] + _md_table(header, body)
    lines += ["", LEGEND + ".", "", f"Correct means — {report['correct_rule']}.", "",
              "## Coverage vs accuracy", "",
              "At threshold t the system answers when it did not abstain and its confidence "
              "is ≥ t. coverage = answered / all; accuracy = right answers / answered; "
              "overall = (right answers + declined unanswerable) / all.", ""]
    lines += _md_table(["t", "answered", "coverage", "accuracy", "unanswerable declined",
                        "overall"], _sweep_rows(report))
    lines += ["", f"**{best_threshold_line(report)}** (the best threshold maximises overall "
                  "accuracy; ties go to the lowest threshold).", ""]
    if report.get("failures"):
        lines += ["## Floors missed", ""] + [f"- {f}" for f in report["failures"]] + [""]
    lines += ["## Charts", ""] + [f"![{c}]({c})" for c in charts]
    lines += ["", f"Misses ({len(misses(report['rows']))}): [misses.csv](misses.csv) — "
                  "answerable questions without an exact match, unanswerable ones answered.", ""]
    return "\n".join(lines)


def _miss_record(row: dict) -> list:
    return [row["id"], row["type"], row["question"], row["prediction"], " | ".join(row["gold"]),
            row["abstained"], f"{row['confidence']:.4f}", f"{row['em']:.0f}", f"{row['f1']:.3f}",
            f"{row['hit1']:.0f}", f"{row['source1']:.0f}", row["first_source"]]


def write_misses_csv(rows: list[dict], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(MISS_COLUMNS)
        writer.writerows(_miss_record(r) for r in misses(rows))
    return path


# --- charts -------------------------------------------------------------------------------


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and CI
    import matplotlib.pyplot as plt

    return plt


def plot_per_type(report: dict, path: Path) -> Path:
    plt = _pyplot()
    types = [(t, m) for t, m in report["by_type"].items() if m["answerable"]]
    names = [t for t, _ in types]
    xs = range(len(names))
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(names) + 2), 4))
    ax.bar([x - 0.2 for x in xs], [m["f1"] for _, m in types], width=0.4, label="F1")
    ax.bar([x + 0.2 for x in xs], [m["hit@1"] for _, m in types], width=0.4, label="hit@1")
    ax.set_xticks(list(xs), names, rotation=30, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("score")
    ax.set_title("F1 and hit@1 per question type")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_coverage(report: dict, path: Path) -> Path:
    plt = _pyplot()
    sweep = report["sweep"]
    best = report["best_threshold"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    answered = [p for p in sweep if p["accuracy"] is not None]
    left.plot([p["coverage"] for p in answered], [p["accuracy"] for p in answered], marker=".")
    if best["accuracy"] is not None:
        left.scatter([best["coverage"]], [best["accuracy"]], color="red", zorder=3,
                     label=f"best t={best['threshold']:.2f}")
        left.legend()
    left.set(xlabel="coverage (answered / all)", ylabel="accuracy of answered",
             xlim=(0, 1.02), ylim=(0, 1.02), title="coverage vs accuracy")
    ts = [p["threshold"] for p in sweep]
    right.plot(ts, [p["coverage"] for p in sweep], label="coverage")
    right.plot(ts, [p["accuracy"] if p["accuracy"] is not None else float("nan") for p in sweep],
               label="accuracy of answered")
    if sweep[0]["unanswerable_declined"] is not None:
        right.plot(ts, [p["unanswerable_declined"] for p in sweep], label="unanswerable declined")
    right.plot(ts, [p["overall_accuracy"] for p in sweep], label="overall accuracy", linewidth=2)
    right.axvline(best["threshold"], color="red", linestyle="--", linewidth=1)
    right.set(xlabel="confidence threshold t", ylim=(0, 1.02), title="by threshold")
    right.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_latency(report: dict, path: Path) -> Path:
    plt = _pyplot()
    m = report["metrics"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist([r["latency_ms"] for r in report["rows"]], bins=30)
    for key, style in (("latency_p50_ms", "-"), ("latency_p95_ms", "--")):
        if m[key] is not None:
            ax.axvline(m[key], color="black", linestyle=style,
                       label=f"{key.split('_')[1]} {m[key]:.0f} ms")
    ax.set(xlabel="latency per question (ms)", ylabel="questions", title="latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


CHARTS = {"per_type.png": plot_per_type, "coverage_accuracy.png": plot_coverage,
          "latency.png": plot_latency}


def write_report(report: dict, folder: str | Path) -> list[Path]:
    """report.json, report.md, misses.csv and the PNG charts in ``folder`` (created)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [plot(report, folder / name) for name, plot in CHARTS.items()]
    written.append(write_misses_csv(report["rows"], folder / "misses.csv"))
    json_path = folder / "report.json"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    md_path = folder / "report.md"
    md_path.write_text(render_markdown(report, list(CHARTS)), encoding="utf-8")
    return [json_path, md_path] + written
