from rag.retriever import RRF_K, fuse, tokenize
from rag.schema import Passage


def _p(pid):
    return Passage(id=pid, source="s", title="t", text=pid, start=0, end=1, position=0)


def test_rrf_rewards_agreement():
    a, b, c = _p("a"), _p("b"), _p("c")
    hits = fuse([(a, 0.9), (b, 0.8)], [(b, 5.0), (c, 4.0)])
    assert [h.passage.id for h in hits] == ["b", "a", "c"]
    assert abs(hits[0].score - (1 / (RRF_K + 2) + 1 / (RRF_K + 1))) < 1e-9
    assert hits[0].dense == 0.8 and hits[0].lexical == 5.0


def test_tokenize_folds_names_and_verb_forms():
    assert tokenize("The United States led") == tokenize("U.S. leads")
    assert "meet" in tokenize("They met")
