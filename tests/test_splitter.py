import subprocess
import sys

from rag.documents import SourceFile, load_document
from rag.splitter import split_document


def _passages(write, name, text):
    path = write(name, text)
    return split_document(load_document(SourceFile(path.parent, path))), path


def test_offsets_slice_the_original_file(write):
    text = ("Rain expected\n\nDr. Smith said rain would fall on Monday. It did not. The U.S. agency "
            "disagreed with him about the forecast for the coming week.\n\n“We were right,” he said.\n")
    passages, path = _passages(write, "a.txt", text)
    raw = open(path, encoding="utf-8").read()
    assert passages
    for p in passages:
        assert raw[p.start : p.end] == p.text


def test_sentences_never_split_mid_word(write):
    passages, _ = _passages(write, "a.txt", "T\n\nAlpha beta gamma delta epsilon. Zeta eta theta iota kappa lambda.\n")
    for p in passages:
        assert p.text[0].isalnum() or p.text[0] in "“\"("
        assert p.text[-1] in ".!?”\"" or p.text[-1].isalnum()


def test_short_sentences_join_a_neighbour(write):
    passages, _ = _passages(write, "a.txt", "T\n\nHe agreed. The committee then approved the new budget for the year.\n")
    texts = [p.text for p in passages]
    assert "He agreed. The committee then approved the new budget for the year." in texts


def test_repeated_body_is_stored_once(write):
    body = "Officials met in Paris on Monday to discuss trade.\nThey agreed to meet again next month in Rome.\n"
    passages, _ = _passages(write, "a.txt", "Trade talks\n" + body + body)
    texts = [p.text for p in passages]
    assert len(texts) == len(set(texts)) == 3


def test_ids_come_from_content(write):
    first, _ = _passages(write, "a.txt", "T\n\nThe same sentence appears here for testing.\n")
    again, _ = _passages(write, "a.txt", "T\n\nThe same sentence appears here for testing.\n")
    assert [p.id for p in first] == [p.id for p in again]


def test_html_passages_keep_offsets_and_visible_text(write):
    html = "<html><body><h1>Vote held</h1><p>The council voted on <em>Friday</em> to approve it.</p></body></html>"
    passages, path = _passages(write, "a.html", html)
    raw = open(path, encoding="utf-8").read()
    vote = [p for p in passages if "council" in p.search_text][0]
    assert raw[vote.start : vote.end] == vote.text
    assert vote.search_text == "The council voted on Friday to approve it."


def test_sentences_are_pysbds_own():
    """The splitter locates pysbd's sentences itself (pysbd's own step is quadratic): the
    sentences must be exactly those ``Segmenter.segment`` returns."""
    import pysbd

    from rag.splitter import _segment

    texts = [
        "Mr. Smith went to Washington D.C. on Jan. 5. He met Gen. Jones at 3 p.m. and left.",
        "The U.S. economy grew 3.1% in Q3. Analysts at J.P. Morgan said: \"It's strong.\" Really?",
        "She said (quoting Dr. A. Brown) that it worked… Then nothing. Then e.g. this, i.e. that.",
        "Line one\nline two without a stop\n\nA new paragraph! Another one? Yes.",
    ]
    segmenter = pysbd.Segmenter(language="en", clean=False)
    for text in texts:
        theirs = [s.strip() for s in segmenter.segment(text) if s.strip()]
        assert [text[a:b] for a, b in _segment(text)] == theirs


def test_pysbd_is_imported_before_any_background_thread_can_race_it():
    # spaCy's model load (a background thread at start-up) imports pysbd.utils through pysbd's
    # spaCy-factory entry point; a first import of pysbd in another thread at the same moment
    # fails on pysbd's circular import. Importing the pipeline must already have imported it.
    code = ("import sys, rag.pipeline; u = sys.modules.get('pysbd.utils'); "
            "print(u is not None and hasattr(u, 'Text') and 'spacy' not in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
