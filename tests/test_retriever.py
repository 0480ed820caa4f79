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
    assert tokenize("Prime Minister Ana Costa") == tokenize("premier Ana Costa")  # news uses both


def test_lexical_index_is_cached_per_generation_and_shared(tmp_path, monkeypatch, write, store, fake_embedder):
    import rag.retriever as retriever
    from rag.ingest import ingest

    monkeypatch.setenv("RAG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(retriever, "CACHE_MIN_PASSAGES", 0)
    write("one.txt", "Harbour reopens\n\nThe harbour reopened on Tuesday after repairs costing $2m.\n")
    root = write("two.txt", "Festival news\n\nThe film festival opened in Venice with 40 films.\n").parent
    ingest([root], store, fake_embedder, progress=False)

    first = retriever.HybridRetriever(store, fake_embedder)
    built = first.lexical_index().search("harbour repairs", 5)
    cached = list((tmp_path / "cache" / "lexical").glob("*/*"))
    assert len(cached) == 1 and (cached[0] / "passages.json").is_file()

    # Another worker on the same generation loads it instead of reading the collection.
    monkeypatch.setattr(retriever.LexicalIndex, "build", classmethod(lambda cls, p: 1 / 0))
    second = retriever.HybridRetriever(store, fake_embedder)
    loaded = second.lexical_index().search("harbour repairs", 5)
    assert [(p, round(s, 5)) for p, s in loaded] == [(p, round(s, 5)) for p, s in built]
    assert second.lexical_index().context(loaded[0][0]) == first.lexical_index().context(built[0][0])

    # A new generation gets its own index; the old one is dropped.
    monkeypatch.undo()
    monkeypatch.setenv("RAG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(retriever, "CACHE_MIN_PASSAGES", 0)
    write("three.txt", "Zoo\n\nA panda was born at the zoo in Madrid.\n")
    ingest([root], store, fake_embedder, progress=False)
    third = retriever.HybridRetriever(store, fake_embedder)
    assert third.lexical_index().search("panda zoo", 1)[0][0].source == "three.txt"
    remaining = list((tmp_path / "cache" / "lexical").glob("*/*"))
    assert len(remaining) == 1 and remaining != cached


def test_every_hit_carries_its_true_cosine(write, store, fake_embedder):
    """Sentences added by article expansion keep the cosine the dense ranking found for them,
    even when they fell below the fused cut (they once came back as 0.0)."""
    import numpy as np

    from rag.ingest import ingest
    from rag.retriever import HybridRetriever

    sentences = [f"The harbour crew number {i} repaired the old crane on pier {i}." for i in range(12)]
    root = write("harbour.txt", "Harbour news\n\n" + " ".join(sentences) + "\n").parent
    ingest([root], store, fake_embedder, progress=False)
    question = "Which crane did the harbour crew repair?"
    hits = HybridRetriever(store, fake_embedder).retrieve(question, n=2)
    assert len(hits) > 2  # the rest of the article came by expansion
    vector = fake_embedder.embed([question])[0]
    for hit in hits:
        expected = float(fake_embedder.embed([hit.passage.embed_text])[0] @ vector)
        assert abs(hit.dense - expected) < 1e-4, hit.passage.search_text
        assert not np.isnan(hit.dense)
