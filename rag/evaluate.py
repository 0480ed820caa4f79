"""Evaluation over a JSON-lines question set: exact match, token F1, hit@1."""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RagError
from .schema import Answer

__all__ = ["EvalQuestion", "EvalResult", "load_questions", "normalise_answer", "exact_match",
           "token_f1", "evaluate"]


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...]  # empty: the articles do not answer it
    sources: tuple[str, ...]
    type: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_questions(path: str | Path) -> list[EvalQuestion]:
    path = Path(path)
    if not path.is_file():
        raise RagError(f"no such question file: {path}")
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(EvalQuestion(
                id=str(row.get("id", n)),
                question=row["question"],
                answers=tuple(row.get("answers") or ()),
                sources=tuple(row.get("sources") or ()),
                type=row.get("type", ""),
            ))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise RagError(f"{path}:{n}: not a question record ({exc})") from exc
    return questions


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


@dataclass
class EvalResult:
    rows: list[dict] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        answerable = [r for r in self.rows if r["answerable"]]
        unanswerable = [r for r in self.rows if not r["answerable"]]

        def mean(values: list[float]) -> float:
            return sum(values) / len(values) if values else 0.0

        return {
            "questions": len(self.rows),
            "em": mean([r["em"] for r in answerable]),
            "f1": mean([r["f1"] for r in answerable]),
            "hit@1": mean([r["hit1"] for r in answerable]),
            "abstention_recall": mean([float(r["abstained"]) for r in unanswerable]),
            "false_abstention": mean([float(r["abstained"]) for r in answerable]),
        }


def score(q: EvalQuestion, answer: Answer) -> dict:
    top = answer.citations[0].text if answer.citations else ""
    return {
        "id": q.id,
        "type": q.type,
        "question": q.question,
        "answerable": q.answerable,
        "prediction": answer.answer,
        "gold": list(q.answers),
        "abstained": answer.abstained,
        "confidence": answer.confidence,
        "em": exact_match(answer.answer, q.answers) if q.answerable else 0.0,
        "f1": token_f1(answer.answer, q.answers) if q.answerable else 0.0,
        "hit1": float(holds_answer(top, q.answers)) if q.answerable else 0.0,
    }


def evaluate(questions: list[EvalQuestion], ask: Callable[[str], Answer]) -> EvalResult:
    result = EvalResult()
    for q in questions:
        result.rows.append(score(q, ask(q.question)))
    return result
