import json

from rag.evaluate import exact_match, load_questions, normalise_answer, token_f1


def test_squad_normalisation():
    assert normalise_answer("The 2,500 U.S. troops!") == "2500 us troops"


def test_em_and_f1_take_the_best_gold():
    assert exact_match("Fuad Hussein", ["Hussein", "fuad hussein"]) == 1.0
    assert token_f1("Foreign Minister Fuad Hussein", ["Fuad Hussein"]) == 2 * (0.5 * 1) / 1.5
    assert token_f1("", ["x"]) == 0.0


def test_load_questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "1", "question": "Q?", "answers": [], "sources": [], "type": "x"}) + "\n")
    (q,) = load_questions(path)
    assert not q.answerable
