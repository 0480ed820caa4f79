"""Evaluation metrics over hand-made rows and answers: no model, no store."""

import csv
import json

import pytest

from rag.errors import RagError
from rag.eval_report import MISS_COLUMNS, render_table, write_report
from rag.evaluate import (
    EvalQuestion,
    best_threshold,
    check_floors,
    coverage_sweep,
    evaluate,
    exact_match,
    first_answer_rank,
    holds_answer,
    is_correct,
    load_questions,
    misses,
    normalise_answer,
    percentile,
    score,
    summarise,
    sweep_point,
    token_f1,
)
from rag.schema import Answer, Citation


def test_squad_normalisation():
    assert normalise_answer("The 2,500 U.S. troops!") == "2500 us troops"
    assert normalise_answer("  An   apple, a day ") == "apple day"


def test_em_and_f1_take_the_best_gold():
    assert exact_match("Fuad Hussein", ["Hussein", "fuad hussein"]) == 1.0
    assert token_f1("Foreign Minister Fuad Hussein", ["Fuad Hussein"]) == 2 * (0.5 * 1) / 1.5
    assert token_f1("", ["x"]) == 0.0
    assert exact_match("anything", []) == 0.0


def test_holds_answer_on_word_boundaries():
    assert holds_answer("There are about 2,500 US troops.", ["2500"])
    assert not holds_answer("In 12500 cases", ["2500"])
    assert first_answer_rank(["nothing", "the troops", "troops again"], ["troops"]) == 2
    assert first_answer_rank(["nothing"], ["troops"]) == 0


def test_load_questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "1", "question": "Q?", "answers": [], "sources": [],
                                "type": "x", "paraphrase": True}) + "\n\n")
    (q,) = load_questions(path)
    assert not q.answerable and q.paraphrase and q.type == "x"


@pytest.mark.parametrize("content", ["", "not json\n", '{"answers": []}\n', '{"question": " "}\n'])
def test_bad_question_files_are_user_errors(tmp_path, content):
    path = tmp_path / "q.jsonl"
    path.write_text(content)
    with pytest.raises(RagError):
        load_questions(path)
    with pytest.raises(RagError):
        load_questions(tmp_path / "missing.jsonl")


def cite(text: str, source: str = "a.txt") -> Citation:
    return Citation(source=source, title="t", text=text, start=0, end=len(text), score=1.0)


def reply(answer: str, confidence: float, *texts: str, abstained: bool = False,
          source: str = "a.txt") -> Answer:
    citations = [cite(t, source if n == 0 else "other.txt") for n, t in enumerate(texts)]
    return Answer(question="q", answer="" if abstained else answer, abstained=abstained,
                  confidence=confidence, citations=citations)


def question(qid: str, answers=("Fuad Hussein",), qtype="person", sources=("a.txt",)):
    return EvalQuestion(id=qid, question=f"question {qid}?", answers=tuple(answers),
                        sources=tuple(sources), type=qtype)


def test_score_row_citation_metrics():
    q = question("1")
    row = score(q, reply("Hussein", 0.9, "no", "x", "met Fuad Hussein"), latency_ms=12.0)
    assert (row["em"], row["hit1"], row["hit3"], row["hit5"]) == (0.0, 0.0, 1.0, 1.0)
    assert row["rr"] == pytest.approx(1 / 3)
    assert row["f1"] == pytest.approx(2 / 3)
    assert row["source1"] == 1.0 and row["first_source"] == "a.txt"
    other = score(q, reply("x", 0.9, "Fuad Hussein", source="z.txt"))
    assert other["source1"] == 0.0 and other["hit1"] == 1.0 and other["rr"] == 1.0


@pytest.fixture
def rows():
    """Four answerable (right, partly right, wrong, declined) and two unanswerable."""
    return [
        score(question("right", qtype="person"), reply("Fuad Hussein", 0.9, "Fuad Hussein said"), 10),
        score(question("partial", ["June 2020"], "date"), reply("in June 2020 talks", 0.6, "June 2020"), 20),
        score(question("wrong", ["137"], "number"), reply("35", 0.5, "35 died", "137 died"), 30),
        score(question("declined", ["Baghdad"], "place"), reply("", 0.3, "Baghdad", abstained=True), 40),
        score(question("u-declined", [], "unanswerable", ()), reply("", 0.2, "x", abstained=True), 50),
        score(question("u-answered", [], "unanswerable", ()), reply("Tuesday", 0.55, "x"), 60),
    ]


def test_summary_metrics(rows):
    m = summarise(rows)
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (6, 4, 2)
    assert m["em"] == pytest.approx(1 / 4)
    f1_partial = 2 * (2 / 4) * 1 / (2 / 4 + 1)
    assert m["f1"] == pytest.approx((1 + f1_partial) / 4)
    assert m["hit@1"] == pytest.approx(3 / 4)  # declined still shows Baghdad first
    assert m["hit@3"] == pytest.approx(1.0)
    assert m["mrr"] == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    assert m["abstention_recall"] == 0.5 and m["false_abstention"] == 0.25
    assert m["accuracy"] == pytest.approx(3 / 6)  # right, partial (F1 >= 0.5), u-declined
    assert m["latency_p50_ms"] == pytest.approx(35.0)
    assert m["latency_p95_ms"] == pytest.approx(57.5)


def test_summary_of_unanswerable_only_has_no_answer_metrics(rows):
    m = summarise([r for r in rows if not r["answerable"]])
    assert m["f1"] is None and m["hit@1"] is None and m["false_abstention"] is None
    assert m["abstention_recall"] == 0.5


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5


def test_correctness_rule(rows):
    assert [is_correct(r) for r in rows] == [True, True, False, False, True, False]
    assert [r["id"] for r in misses(rows)] == ["partial", "wrong", "declined", "u-answered"]


def test_sweep_definitions(rows):
    everything = sweep_point(rows, 0.0)  # the system's own abstentions stay abstentions
    assert everything.answered == 4 and everything.coverage == pytest.approx(4 / 6)
    assert everything.accuracy == pytest.approx(2 / 4)
    assert everything.unanswerable_declined == 0.5
    assert everything.overall_accuracy == pytest.approx(3 / 6)
    strict = sweep_point(rows, 0.85)  # only "right" is answered
    assert strict.answered == 1 and strict.accuracy == 1.0
    assert strict.unanswerable_declined == 1.0
    assert strict.overall_accuracy == pytest.approx(3 / 6)
    assert sweep_point(rows, 1.0).accuracy is None


def test_best_threshold_maximises_overall_accuracy(rows):
    sweep = coverage_sweep(rows)
    assert [p.threshold for p in sweep][:3] == [0.0, 0.01, 0.02] and sweep[-1].threshold == 1.0
    best = best_threshold(sweep)
    # above 0.55 u-answered is declined, up to 0.60 partial is still answered: 4 of 6 right
    assert best.threshold == 0.56
    assert best.overall_accuracy == pytest.approx(4 / 6)
    assert (best.answered, best.accuracy, best.unanswerable_declined) == (2, 1.0, 1.0)
    assert all(p.overall_accuracy < best.overall_accuracy for p in sweep if p.threshold < 0.56)


def test_floors():
    metrics = {"f1": 0.6, "hit@1": None}
    assert check_floors(metrics, {"f1": 0.5, "hit@1": None}) == []
    (missed,) = check_floors(metrics, {"f1": 0.7})
    assert "0.600" in missed and "0.700" in missed
    assert len(check_floors(metrics, {"f1": 0.7, "hit@1": 0.1})) == 2


def test_evaluate_times_and_warms_up():
    asked = []

    def ask(text):
        asked.append(text)
        return reply("Fuad Hussein", 0.9, "Fuad Hussein")

    qs = [question("1"), question("2")]
    result = evaluate(qs, ask)
    assert asked == [qs[0].question, qs[0].question, qs[1].question]
    assert [r["id"] for r in result.rows] == ["1", "2"]
    assert all(r["latency_ms"] >= 0 for r in result.rows)
    assert result.metrics()["em"] == 1.0


def test_table_and_report_files(rows, tmp_path):
    from rag.evaluate import EvalResult

    report = EvalResult(rows).report(questions_file="q.jsonl", k=5)
    table = render_table(report)
    best = report["best_threshold"]
    assert f"best threshold {best['threshold']:.2f}" in table
    for name in ("person", "date", "number", "place", "unanswerable", "all", "literal"):
        assert any(line.startswith(name) for line in table.splitlines())

    written = write_report(report, tmp_path / "out")
    names = {p.name for p in written}
    assert names == {"report.json", "report.md", "misses.csv", "per_type.png",
                     "coverage_accuracy.png", "latency.png"}
    for png in tmp_path.glob("out/*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((tmp_path / "out/report.json").read_text())
    assert saved["best_threshold"]["threshold"] == best["threshold"]
    assert saved["metrics"]["em"] == pytest.approx(0.25)
    with open(tmp_path / "out/misses.csv", newline="") as fh:
        table_rows = list(csv.reader(fh))
    assert table_rows[0] == MISS_COLUMNS
    assert [r[0] for r in table_rows[1:]] == [r["id"] for r in misses(rows)]
    assert "![per_type.png](per_type.png)" in (tmp_path / "out/report.md").read_text()
