import pytest

import rag
from rag.pipeline import validate_question


def test_public_surface():
    assert set(rag.__all__) == {"ask", "Answer", "Citation", "RagError", "InvalidQuestion",
                                "SourceNotFound", "StoreError"}


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "\x00\x00"])
def test_empty_question_is_a_value_error(bad):
    with pytest.raises(ValueError, match="empty"):
        rag.ask(bad)


def test_control_characters_are_removed():
    assert validate_question("Who\x00 won?") == "Who  won?"


def test_answer_to_dict_is_json_ready():
    import json

    a = rag.Answer(question="q", answer="x", abstained=False, confidence=0.5,
                   citations=[rag.Citation("s", "t", "x", 0, 1, 0.3)])
    assert json.loads(json.dumps(a.to_dict()))["citations"][0]["source"] == "s"
