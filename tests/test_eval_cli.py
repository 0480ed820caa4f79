"""`rag eval` end to end through the CLI with a canned pipeline: options, table, report, exit codes."""

from __future__ import annotations

import json

import pytest

from rag import cli
from rag.schema import Answer, Citation

QUESTIONS = [
    {"id": "q1", "question": "Who led the delegation?", "answers": ["Fuad Hussein"],
     "sources": ["a.txt"], "type": "person"},
    {"id": "q2", "question": "How many died?", "answers": ["137"], "sources": ["b.txt"],
     "type": "number"},
    {"id": "q3", "question": "When was he born?", "answers": [], "sources": [],
     "type": "unanswerable"},
]
REPLIES = {  # q1 right, q2 wrong (answer in the second citation), q3 declined
    "Who led the delegation?": ("Fuad Hussein", False, 0.9, ["Fuad Hussein leads it"]),
    "How many died?": ("35", False, 0.6, ["35 were hurt", "137 died"]),
    "When was he born?": ("", True, 0.2, ["unrelated"]),
}


class CannedPipeline:
    def __init__(self):
        self.asked = []

    def ask(self, question, k=5):
        self.asked.append((question, k))
        answer, abstained, confidence, texts = REPLIES[question]
        citations = [Citation(source="a.txt", title="t", text=t, start=0, end=len(t), score=1.0)
                     for t in texts]
        return Answer(question=question, answer=answer, abstained=abstained,
                      confidence=confidence, citations=citations[:k])


@pytest.fixture
def canned(monkeypatch, tmp_path):
    import rag.pipeline

    pipeline = CannedPipeline()
    monkeypatch.setattr(rag.pipeline, "get_pipeline", lambda store=None: pipeline)
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    return pipeline, path


def test_eval_prints_table_and_writes_report(canned, tmp_path, capsys):
    pipeline, path = canned
    code = cli.main(["eval", str(path), "--k", "3", "--report", str(tmp_path / "r"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert all(k == 3 for _, k in pipeline.asked)
    lines = out.splitlines()
    all_row = next(line for line in lines if line.startswith("all ")).split()
    assert all_row[1:4] == ["3", "0.500", "0.500"]  # n, EM, F1 over the two answerable
    assert "best threshold" in out
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    assert saved["k"] == 3 and saved["failures"] == []
    assert saved["metrics"]["hit@1"] == 0.5 and saved["metrics"]["mrr"] == 0.75
    assert saved["metrics"]["abstention_recall"] == 1.0
    misses = (tmp_path / "r" / "misses.csv").read_text().splitlines()
    assert len(misses) == 2 and misses[1].startswith("q2,number,")
    assert {p.name for p in (tmp_path / "r").iterdir()} >= {"report.md", "latency.png"}


def test_eval_missed_floor_exits_nonzero(canned, capsys):
    _, path = canned
    assert cli.main(["eval", str(path), "--quiet", "--min-f1", "0.5", "--min-hit1", "0.5"]) == 0
    assert cli.main(["eval", str(path), "--quiet", "--min-f1", "0.9"]) == 1
    err = capsys.readouterr().err
    assert "F1 0.500 is under the floor 0.900" in err and "Traceback" not in err


def test_eval_bad_input_is_one_line_exit_2(canned, tmp_path, capsys):
    assert cli.main(["eval", str(tmp_path / "nope.jsonl")]) == 2
    assert capsys.readouterr().err.strip().startswith("rag: error: no such question file")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    assert cli.main(["eval", str(bad)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_:
        cli.main(["eval", str(canned[1]), "--min-f1", "1.5"])
    assert exit_.value.code == 2
