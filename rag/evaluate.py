"""Evaluation over a JSON-lines question set.

Scoring turns each (question, Answer) into a flat row; every metric is a pure function over
rows, so it can be tested without a model. Report files and charts live in ``eval_report``.

Definitions (documented in the README's "Evaluation" section):

- EM / token F1: SQuAD-style, best over the acceptable answers, answerable questions only.
- hit@k: an acceptable answer occurs (normalised, on word boundaries) in the text of one of the
  first k citations; source@1: the first citation's source is a gold source; MRR: mean of
  1/rank of the first citation holding an answer (0 if none). Citation metrics count every
  answerable question, abstained or not: an abstention still shows its closest passages.
- A row is *correct* when an answerable question is answered with EM = 1 or F1 >= 0.5, or an
  unanswerable one is declined.
- Coverage sweep: at threshold t the system answers when it did not abstain and its confidence
  is >= t. coverage = answered / all questions; accuracy = correct answers / answered;
  unanswerable_declined = declined unanswerable / unanswerable; overall_accuracy =
  (correct answers + declined unanswerable) / all questions. The best threshold maximises
  overall_accuracy (ties: the lowest threshold, i.e. the most coverage).
"""

from __future__ import annotations

import json
import re
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import InvalidQuestion, SourceNotFound
from .schema import Answer

__all__ = ["EvalQuestion", "EvalResult", "SweepPoint", "load_questions", "normalise_answer",
           "exact_match", "token_f1", "holds_answer", "score", "evaluate",
           "first_answer_rank", "breakdown", "summarise", "coverage_sweep", "sweep_point",
           "answers_at", "best_threshold", "percentile", "answered_right", "is_correct", "misses",
           "check_floors", "CORRECT_F1", "FLOOR_METRICS"]

CORRECT_F1 = 0.5  # token F1 from which a non-exact answer still counts as right
HIT_DEPTHS = (1, 3, 5)
SWEEP_STEP = 0.01


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...]  # empty: the articles do not answer it
    sources: tuple[str, ...]
    type: str = ""
    paraphrase: bool = False  # worded unlike the article (harder for lexical matching)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """The question records of a JSON-lines file; bad input is a user error (exit 2 in the CLI)."""
    path = Path(path)
    if not path.is_file():
        raise SourceNotFound(f"no such question file: {path}")
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row["question"], str) or not row["question"].strip():
                raise TypeError("empty question")
            questions.append(EvalQuestion(
                id=str(row.get("id", n)),
                question=row["question"],
                answers=tuple(row.get("answers") or ()),
                sources=tuple(row.get("sources") or ()),
                type=row.get("type", ""),
                paraphrase=bool(row.get("paraphrase", False)),
            ))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidQuestion(f"{path}:{n}: not a question record ({exc})") from exc
    if not questions:
        raise InvalidQuestion(f"{path}: no questions in the file")
    return questions


# --- answer matching ----------------------------------------------------------------------

_PUNCT = set(string.punctuation) | set("“”‘’—–…")


def normalise_answer(text: str) -> str:
    """SQuAD-style: lower case, no thousands separators, punctuation or articles, single spaces."""
    text = text.lower()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, gold: Iterable[str]) -> float:
    p = normalise_answer(prediction)
    return max((float(p == normalise_answer(g)) for g in gold), default=0.0)


def _f1(prediction: str, gold: str) -> float:
    p, g = normalise_answer(prediction).split(), normalise_answer(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return float(p == g)
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, gold: Iterable[str]) -> float:
    return max((_f1(prediction, g) for g in gold), default=0.0)


def holds_answer(text: str, gold: Iterable[str]) -> bool:
    t = f" {normalise_answer(text)} "
    return any(normalise_answer(g) and f" {normalise_answer(g)} " in t for g in gold)


def first_answer_rank(texts: Sequence[str], gold: Iterable[str]) -> int:
    """1-based rank of the first text holding an acceptable answer; 0 when none does."""
    gold = list(gold)
    return next((n for n, text in enumerate(texts, 1) if holds_answer(text, gold)), 0)


# --- per-question rows --------------------------------------------------------------------


def score(q: EvalQuestion, answer: Answer, latency_ms: float = 0.0) -> dict:
    """One flat row per question: what was asked, what came back, and its scores."""
    texts = [c.text for c in answer.citations]
    rank = first_answer_rank(texts, q.answers) if q.answerable else 0
    first_source = answer.citations[0].source if answer.citations else ""
    row = {
        "id": q.id,
        "type": q.type,
        "paraphrase": q.paraphrase,
        "question": q.question,
        "answerable": q.answerable,
        "prediction": answer.answer,
        "gold": list(q.answers),
        "sources": list(q.sources),
        "abstained": answer.abstained,
        "confidence": answer.confidence,
        "em": exact_match(answer.answer, q.answers) if q.answerable else 0.0,
        "f1": token_f1(answer.answer, q.answers) if q.answerable else 0.0,
        "source1": float(first_source in q.sources) if q.answerable else 0.0,
        "rr": 1.0 / rank if rank else 0.0,
        "first_source": first_source,
        "latency_ms": latency_ms,
    }
    for depth in HIT_DEPTHS:
        row[f"hit{depth}"] = float(0 < rank <= depth)
    return row


def answered_right(row: dict) -> bool:
    """An answer given to an answerable question that matches a gold answer well enough."""
    return (row["answerable"] and not row["abstained"]
            and (row["em"] == 1.0 or row["f1"] >= CORRECT_F1))


def is_correct(row: dict) -> bool:
    """Right answer to an answerable question, or a declined unanswerable one."""
    return answered_right(row) if row["answerable"] else bool(row["abstained"])


def misses(rows: Iterable[dict]) -> list[dict]:
    """Rows worth a look: answerable without an exact match, or unanswerable but answered."""
    return [r for r in rows if (r["em"] < 1.0 if r["answerable"] else not r["abstained"])]


# --- aggregate metrics --------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in [0, 100]), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(rows: Sequence[dict]) -> dict:
    """All headline metrics over some rows; None where no question applies."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    latencies = [r["latency_ms"] for r in rows]
    metrics = {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "em": _mean([r["em"] for r in answerable]),
        "f1": _mean([r["f1"] for r in answerable]),
    }
    for depth in HIT_DEPTHS:
        metrics[f"hit@{depth}"] = _mean([r[f"hit{depth}"] for r in answerable])
    metrics.update({
        "source@1": _mean([r["source1"] for r in answerable]),
        "mrr": _mean([r["rr"] for r in answerable]),
        "abstention_recall": _mean([float(r["abstained"]) for r in unanswerable]),
        "false_abstention": _mean([float(r["abstained"]) for r in answerable]),
        "accuracy": _mean([float(is_correct(r)) for r in rows]),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    })
    return metrics


def breakdown(rows: Sequence[dict], key: Callable[[dict], str]) -> dict[str, dict]:
    """``summarise`` per group, groups in sorted order."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return {name: summarise(groups[name]) for name in sorted(groups)}


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    answered: int
    coverage: float  # answered / all questions
    accuracy: float | None  # correct answers / answered (None when nothing is answered)
    unanswerable_declined: float | None  # declined unanswerable / unanswerable
    overall_accuracy: float  # (correct answers + declined unanswerable) / all questions


def answers_at(row: dict, threshold: float) -> bool:
    """Whether the system answers this question when it must be at least this confident."""
    return not row["abstained"] and row["confidence"] >= threshold


def sweep_point(rows: Sequence[dict], threshold: float) -> SweepPoint:
    answered = [r for r in rows if answers_at(r, threshold)]
    right = sum(answered_right(r) for r in answered)
    unanswerable = [r for r in rows if not r["answerable"]]
    declined = sum(not answers_at(r, threshold) for r in unanswerable)
    total = len(rows)
    return SweepPoint(
        threshold=round(threshold, 4),
        answered=len(answered),
        coverage=len(answered) / total if total else 0.0,
        accuracy=right / len(answered) if answered else None,
        unanswerable_declined=declined / len(unanswerable) if unanswerable else None,
        overall_accuracy=(right + declined) / total if total else 0.0,
    )


def coverage_sweep(rows: Sequence[dict], step: float = SWEEP_STEP) -> list[SweepPoint]:
    """Coverage and accuracy for confidence thresholds 0, step, ..., 1."""
    count = round(1 / step)
    return [sweep_point(rows, n / count) for n in range(count + 1)]


def best_threshold(sweep: Sequence[SweepPoint]) -> SweepPoint:
    """The point with the highest overall accuracy; on ties the lowest threshold."""
    return max(sweep, key=lambda p: (p.overall_accuracy, -p.threshold))


# --- floors -------------------------------------------------------------------------------

FLOOR_METRICS = {"f1": "F1", "hit@1": "hit@1"}


def check_floors(metrics: dict, floors: dict[str, float | None]) -> list[str]:
    """One message per floor that is given and missed (an unmeasured metric misses)."""
    failures = []
    for name, floor in floors.items():
        if floor is None:
            continue
        value = metrics.get(name)
        label = FLOOR_METRICS.get(name, name)
        if value is None:
            failures.append(f"{label} not measured (no answerable questions); floor {floor:.3f}")
        elif value < floor:
            failures.append(f"{label} {value:.3f} is under the floor {floor:.3f}")
    return failures


# --- running ------------------------------------------------------------------------------


@dataclass
class EvalResult:
    rows: list[dict] = field(default_factory=list)

    def metrics(self) -> dict:
        return summarise(self.rows)

    def by_type(self) -> dict[str, dict]:
        return breakdown(self.rows, lambda r: r["type"] or "untyped")

    def by_wording(self) -> dict[str, dict]:
        return breakdown(self.rows, lambda r: "paraphrase" if r["paraphrase"] else "literal")

    def sweep(self) -> list[SweepPoint]:
        return coverage_sweep(self.rows)

    def best_threshold(self) -> SweepPoint:
        return best_threshold(self.sweep())

    def misses(self) -> list[dict]:
        return misses(self.rows)

    def report(self, **meta) -> dict:
        """Everything report.json holds; ``meta`` says what was run (file, store, k...)."""
        sweep = self.sweep()
        return {
            **meta,
            "correct_rule": f"answerable: answered with EM = 1 or F1 >= {CORRECT_F1}; "
                            "unanswerable: declined",
            "metrics": self.metrics(),
            "by_type": self.by_type(),
            "by_wording": self.by_wording(),
            "best_threshold": {"objective": "overall_accuracy", **asdict(best_threshold(sweep))},
            "sweep": [asdict(p) for p in sweep],
            "rows": self.rows,
        }


def evaluate(questions: list[EvalQuestion], ask: Callable[[str], Answer],
             progress: bool = False, warm_up: bool = True) -> EvalResult:
    """Ask every question, timing each; one untimed warm-up question first loads lazy indexes."""
    from tqdm import tqdm

    if warm_up and questions:
        ask(questions[0].question)
    result = EvalResult()
    right = 0
    bar = tqdm(questions, desc="eval", unit="q", disable=not progress, leave=False)
    for q in bar:
        started = time.perf_counter()
        answer = ask(q.question)
        row = score(q, answer, latency_ms=(time.perf_counter() - started) * 1000.0)
        result.rows.append(row)
        right += is_correct(row)
        bar.set_postfix(accuracy=f"{right / len(result.rows):.2f}")
    return result
