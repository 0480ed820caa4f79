from rag.ingest import ingest
from rag.retriever import HybridRetriever


def _corpus(write):
    write("one.txt", "Harbour reopens\n\nThe harbour reopened on Tuesday after repairs costing $2m.\n")
    write("two.txt", "Festival news\n\nThe film festival opened in Venice with 40 films.\n")
    return write("x.txt", "X\n\nPlaceholder text for the folder.\n").parent


def test_ingest_twice_changes_nothing(write, store, fake_embedder):
    root = _corpus(write)
    first = ingest([root], store, fake_embedder, progress=False)
    count = store.count()
    calls = fake_embedder.texts
    second = ingest([root], store, fake_embedder, progress=False)
    assert first.added == 3 and second.unchanged == 3 and second.passages == 0
    assert store.count() == count
    assert fake_embedder.texts == calls  # nothing re-embedded


def test_changed_file_replaces_its_passages(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    write("one.txt", "Harbour reopens\n\nThe harbour reopened on Wednesday instead.\n")
    report = ingest([root], store, fake_embedder, progress=False)
    assert report.replaced == 1
    texts = [p.text for p in store.passages_of("one.txt")]
    assert texts == ["Harbour reopens", "The harbour reopened on Wednesday instead."]


def test_metadata_and_offsets(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    for p in store.passages():
        raw = open(root / p.source, encoding="utf-8").read()
        assert raw[p.start : p.end] == p.text
        assert p.title and p.doc_hash and p.id


def test_prune_drops_deleted_files(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    (root / "two.txt").unlink()
    report = ingest([root], store, fake_embedder, progress=False, prune=True)
    assert report.removed == 1
    assert {s.source for s in store.sources()} == {"one.txt", "x.txt"}


def test_retriever_sees_new_passages(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    retriever = HybridRetriever(store, fake_embedder)
    assert retriever.retrieve("harbour repairs")[0].passage.source == "one.txt"
    write("three.txt", "Zoo\n\nA panda was born at the zoo in Madrid.\n")
    ingest([root], store, fake_embedder, progress=False)
    retriever.invalidate()
    assert retriever.retrieve("panda born zoo")[0].passage.source == "three.txt"


def test_unchanged_files_are_not_even_split(write, store, fake_embedder, monkeypatch):
    import rag.ingest

    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)

    def refuse(doc):
        raise AssertionError(f"{doc.source} was split again")

    monkeypatch.setattr(rag.ingest, "split_document", refuse)
    report = ingest([root], store, fake_embedder, progress=False)
    assert report.unchanged == 3 and report.passages == 0


def test_a_file_missing_passages_is_written_again(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    complete = [p.id for p in store.passages_of("one.txt")]
    store.collection.delete(ids=complete[:1])  # as if a crash cut the write short
    report = ingest([root], store, fake_embedder, progress=False)
    assert report.replaced == 1 and report.unchanged == 2
    assert [p.id for p in store.passages_of("one.txt")] == complete


def test_stores_written_without_passage_counts_are_still_recognised(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    got = store.collection.get(include=["metadatas"])
    legacy = [dict(m, doc_passages=None) for m in got["metadatas"]]  # None deletes the key
    store.collection.update(ids=got["ids"], metadatas=legacy)
    assert all(s.expected is None for s in store.source_states().values())
    report = ingest([root], store, fake_embedder, progress=False)
    assert report.unchanged == 3 and fake_embedder.calls == 1


def test_source_states_read_metadata_page_by_page(write, store, fake_embedder, monkeypatch):
    import rag.store

    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    whole = store.source_states()
    monkeypatch.setattr(rag.store, "PAGE", 2)
    assert store.source_states() == whole
    assert sum(s.passages for s in whole.values()) == store.count()
    assert {s: st.expected for s, st in whole.items()} == {s: st.passages for s, st in whole.items()}


def test_dense_results_include_passages_newer_than_the_lexical_index(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    retriever = HybridRetriever(store, fake_embedder)
    index = retriever.lexical_index()  # held for REFRESH_SECONDS: it will not know three.txt
    write("three.txt", "Zoo\n\nA panda was born at the zoo in Madrid.\n")
    ingest([root], store, fake_embedder, progress=False)
    vector = fake_embedder.embed(["A panda was born at the zoo in Madrid."])[0]
    dense = retriever._dense(vector, index)
    assert dense[0][0].source == "three.txt" and dense[0][0].text == "A panda was born at the zoo in Madrid."
    assert [(p.id, round(s, 6)) for p, s in dense] == [(p.id, round(s, 6)) for p, s in store.query(vector, 40)]


WIRE = "The agency said the deal was worth about $40m to the company."


def _wire_in_two_files(write, store, embedder, a_text: str, b_text: str):
    """Ingest a.txt and b.txt, both holding WIRE; the two stored copies and their vectors."""
    write("a.txt", a_text)
    root = write("b.txt", b_text).parent
    ingest([root], store, embedder, progress=False)
    copies = [p for s in ("a.txt", "b.txt") for p in store.passages_of(s) if p.text == WIRE]
    vectors = store.collection.get(ids=[p.id for p in copies], include=["embeddings"])["embeddings"]
    return root, copies, vectors


def test_a_sentence_is_embedded_once_however_many_files_hold_it(write, store, fake_embedder):
    # The same wire story filed twice under one headline: a vector is computed from the
    # headline and the sentence, so each shared sentence is embedded once.
    root, both, vectors = _wire_in_two_files(
        write, store, fake_embedder, f"Deal agreed\n\n{WIRE} Shares rose on the news in early trading.\n",
        f"Deal agreed\n\n{WIRE} Analysts had expected a smaller figure.\n")
    assert len(both) == 2  # stored for each article, with the same vector
    assert (vectors[0] == vectors[1]).all()
    assert fake_embedder.texts == store.count() - 2  # the headline and the wire sentence

    # A third file repeating them later reuses the stored vectors; an edited file re-embeds only
    # its new sentence.
    embedded = fake_embedder.texts
    write("c.txt", f"Deal agreed\n\n{WIRE}\n")
    write("a.txt", f"Deal agreed\n\n{WIRE} Shares fell on the news in late trading.\n")
    ingest([root], store, fake_embedder, progress=False)
    assert fake_embedder.texts - embedded == 1  # the edited sentence


def test_a_sentence_is_embedded_with_its_headline(write, store, fake_embedder):
    # Under another headline the same sentence is another vector: "the company" is then a
    # different company.
    _, both, vectors = _wire_in_two_files(write, store, fake_embedder, f"Deal agreed\n\n{WIRE}\n",
                                          f"Bank takeover\n\n{WIRE}\n")
    assert not (vectors[0] == vectors[1]).all()
    assert {p.embed_text for p in both} == {f"Deal agreed. {WIRE}", f"Bank takeover. {WIRE}"}


def test_rows_already_stored_are_rewritten_not_duplicated(write, store, fake_embedder):
    root = _corpus(write)
    ingest([root], store, fake_embedder, progress=False)
    before = store.count()
    # A file whose hash changed but whose sentences did not (a trailing newline): its rows are
    # upserted in place, with the new file hash.
    write("one.txt", "Harbour reopens\n\nThe harbour reopened on Tuesday after repairs costing $2m.\n\n")
    report = ingest([root], store, fake_embedder, progress=False)
    assert report.replaced == 1 and store.count() == before
    assert len({p.doc_hash for p in store.passages_of("one.txt")}) == 1


def test_passages_written_as_documents_by_older_versions_still_read(store):
    """Earlier versions kept the text as a Chroma document; it now lives in the metadata."""
    store.collection.upsert(
        ids=["old-1"], embeddings=[[0.1] * 64], documents=["The harbour reopened on Tuesday."],
        metadatas=[{"source": "old.txt", "title": "Harbour", "start": 0, "end": 32, "position": 0}],
    )
    (passage,) = store.passages_of("old.txt")
    assert passage.text == "The harbour reopened on Tuesday."
    assert store.get_passages(["old-1"])["old-1"].text == passage.text


def test_files_stored_the_old_way_are_rewritten_once(write, store, fake_embedder, monkeypatch):
    import rag.documents

    root = _corpus(write)
    monkeypatch.setattr(rag.documents, "STORED_FORMAT", "1")  # a store written by an older version
    ingest([root], store, fake_embedder, progress=False)
    monkeypatch.undo()
    upgraded = ingest([root], store, fake_embedder, progress=False)
    again = ingest([root], store, fake_embedder, progress=False)
    assert upgraded.replaced == 3 and again.unchanged == 3
