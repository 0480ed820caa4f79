"""The chat's pure parts: escaping, highlighting, replies, the source viewer, uploads, library."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from rag.app import (
    MAX_UPLOAD_BYTES,
    NOT_FOUND,
    add_articles,
    answer_turn,
    escape,
    example_questions,
    format_reply,
    highlight,
    library_rows,
    remove_article,
    render_article,
    render_passages,
    safe_upload_name,
    shown_question,
    source_view,
    stage_uploads,
    uploads_dir,
)
from rag.errors import InvalidQuestion, StoreError
from rag.pipeline import MAX_QUESTION_CHARS, Pipeline
from rag.schema import Answer, Citation, Passage
from rag.store import SourceInfo

NASTY = ("A <script>alert(1)</script> & **bold** _it_ `code` [link](x) $5 # head | pipe "
         "we've said \"so\" &amp; &#35;")


class Elements(HTMLParser):
    """Tags and visible text of an HTML fragment, to check what a browser would show."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.marked: list[str] = []
        self._in_mark = 0
        self.feed(fragment)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_mark += tag == "mark"

    def handle_endtag(self, tag):
        self._in_mark -= tag == "mark"

    def handle_data(self, data):
        self.text.append(data)
        if self._in_mark:
            self.marked.append(data)

    @property
    def visible(self) -> str:
        return "".join(self.text)


def test_escape_shows_markup_and_markdown_as_typed():
    out = escape(NASTY)
    assert "<" not in out and ">" not in out
    bare = re.sub(r"&#?\w+;", "", out)  # character references are inert
    assert not re.search(r"[*_`\[\]$#|]", bare)  # nothing left for Markdown or LaTeX to act on
    assert Elements(out).visible == NASTY
    assert Elements(out).tags == []


def test_escape_keeps_html_on_one_line():
    assert escape("first\n\nsecond") == "first second"


def test_highlight_marks_exactly_the_span():
    text = "Blinken met Fuad Hussein <b>today</b>."
    out = Elements(highlight(text, 12, 24))
    assert out.marked == ["Fuad Hussein"]
    assert out.visible == text
    assert out.tags == ["mark"]


@pytest.mark.parametrize("start,end", [(-1, -1), (5, 5), (3, 999), (7, 2)])
def test_highlight_without_a_valid_span_marks_nothing(start, end):
    assert "<mark" not in highlight("some text", start, end)


def _answer(**overrides) -> Answer:
    citations = [
        Citation("a.txt", "Iraq <talks>", "On Friday, Blinken met Fuad Hussein.", 10, 46, 0.9),
        Citation("b.txt", "World news", "The delegation was led by FUAD HUSSEIN, it said.", 0, 48, 0.7),
        Citation("c.txt", "Other", "Unrelated sentence about *markets*.", 5, 40, 0.2),
    ]
    fields = dict(question="Who led the delegation?", answer="Fuad Hussein", abstained=False,
                  confidence=0.934, citations=citations, answer_type="person",
                  answer_start=23, answer_end=35, agreeing_sources=["a.txt", "b.txt"],
                  note="2 articles agree")
    fields.update(overrides)
    return Answer(**fields)


def test_reply_has_bold_answer_numbered_citations_and_highlights():
    html = format_reply(_answer())
    page = Elements(html)
    assert "<strong>Fuad Hussein</strong>" in html
    assert re.findall(r"\[(\d)\]", page.visible)[:2] == ["1", "2"]
    assert "[3]" in page.visible
    assert page.marked == ["Fuad Hussein", "FUAD HUSSEIN"]  # [1] by offsets, [2] by search
    assert "confidence 0.93" in page.visible
    assert "2 articles agree" in page.visible
    assert "Iraq <talks>" in page.visible  # a title is text, not a tag
    assert "talks" not in page.tags
    assert "Unrelated sentence about *markets*." in page.visible
    assert "\n" not in html  # one HTML block: Markdown leaves it alone


def test_reply_for_a_single_source_does_not_claim_agreement():
    page = Elements(format_reply(_answer(agreeing_sources=[], note="")))
    assert "agree" not in page.visible


def test_abstention_says_so_and_marks_passages_as_not_answering():
    answer = _answer(answer="", abstained=True, confidence=0.12, answer_start=-1, answer_end=-1,
                     agreeing_sources=[], note="")
    html = format_reply(answer)
    page = Elements(html)
    assert NOT_FOUND in page.visible
    assert page.visible.count("does not answer") == 3
    assert page.marked == []
    assert "<strong>" in html


def test_reply_of_an_html_source_quotes_its_visible_text():
    c = Citation("page.html", "Page", "<p>The <b>minister</b> spoke &amp; left.</p>", 0, 45, 0.8)
    answer = _answer(citations=[c], answer="minister", answer_start=-1, answer_end=-1,
                     agreeing_sources=[])
    page = Elements(format_reply(answer))
    assert "The minister spoke & left." in page.visible
    assert page.marked == ["minister"]


def test_understood_as_is_shown_for_a_rewritten_follow_up():
    page = Elements(format_reply(_answer(), understood_as="When <did> it happen?"))
    assert "Understood as: “When <did> it happen?”" in page.visible


def test_answer_turn_rewrites_follow_ups_and_reports_what_it_asked():
    asked = []

    def ask(q):
        asked.append(q)
        return _answer(question=q)

    turn = answer_turn(ask, "and who said that?", "How many people were killed in the attack?")
    assert asked == ["Who said people were killed in the attack?"]
    assert turn.asked == asked[0]
    assert "Understood as" in turn.reply
    assert turn.answer.answer == "Fuad Hussein"


@pytest.mark.parametrize("error,shown", [
    (InvalidQuestion("the question is empty: ask something"), "the question is empty"),
    (StoreError("cannot reach the Chroma server"), "cannot be searched right now"),
    (RuntimeError("boom at line 3"), "something went wrong"),
])
def test_answer_turn_turns_errors_into_a_message(error, shown):
    def ask(q):
        raise error

    turn = answer_turn(ask, "Who?", None)
    assert turn.answer is None
    assert shown in turn.reply
    assert "Traceback" not in turn.reply and "boom" not in turn.reply


def test_answer_turn_cuts_a_huge_message_and_says_so():
    asked = []

    def ask(q):
        asked.append(q)
        return _answer(question=q)

    message = "Who led the delegation? " + "word " * 20_000
    turn = answer_turn(ask, message, None)
    assert len(asked) == 1 and len(asked[0]) <= MAX_QUESTION_CHARS
    assert asked[0].startswith("Who led the delegation?")
    assert f"only its first {len(asked[0]):,} of {len(message.strip()):,} characters" in turn.reply
    assert turn.answer is not None and "Understood as" not in turn.reply


def test_shown_question_is_escaped_cut_and_free_of_control_characters():
    assert shown_question("  <b>Who?</b>\x00\x1b ") == "&lt;b&gt;Who?&lt;/b&gt;"
    long = shown_question("a" * 5000)
    assert long == "a" * MAX_QUESTION_CHARS + "…"
    assert shown_question(None) == ""


def test_answer_turn_on_empty_message_asks_nothing():
    def ask(q):
        raise AssertionError("must not be called")

    turn = answer_turn(ask, "   ", "previous question")
    assert turn.answer is None and "type a question" in turn.reply


# --- the source viewer -------------------------------------------------------------------------

ARTICLE = "Title line\n\nFirst paragraph <here>.\nOn Friday, Blinken met Fuad Hussein. More after.\n"


def test_render_article_marks_passage_and_answer_by_file_offsets():
    start = ARTICLE.index("On Friday")
    end = ARTICLE.index(" More")
    a = ARTICLE.index("Fuad")
    page = Elements(render_article(ARTICLE, ".txt", start, end, a, a + len("Fuad Hussein")))
    assert page.marked == ["On Friday, Blinken met ", "Fuad Hussein", "."]
    assert "First paragraph <here>." in page.visible
    assert page.tags.count("p") == 3


def test_render_article_of_html_shows_visible_text_with_marks():
    raw = "<html><body><h1>Head</h1><p>The <b>minister</b> said &lt;no&gt;.</p></body></html>"
    start = raw.index("The")
    end = raw.index("</p>")
    a = raw.index("minister")
    page = Elements(render_article(raw, ".html", start, end, a, a + len("minister")))
    assert "The minister said <no>." in page.visible
    assert "minister" in page.marked
    assert "b" not in page.tags


def test_render_passages_rebuilds_the_article_and_marks_the_cited_one():
    passages = [Passage(str(i), "x.txt", "T", t, s, s + len(t), i)
                for i, (t, s) in enumerate([("One <a>.", 0), ("Two has Fuad Hussein.", 9)])]
    page = Elements(render_passages(passages, 9, "Fuad Hussein"))
    assert page.visible == "One <a>.Two has Fuad Hussein."
    assert page.marked == ["Two has ", "Fuad Hussein", "."]


# --- uploads and the library -------------------------------------------------------------------


@pytest.mark.parametrize("name,safe", [
    ("notes.txt", "notes.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\Report 2024.MD", "Report_2024.md"),
    (".hidden.html", "hidden.html"),
    ("a b<c>.html", "a_b_c.html"),
    ("...txt", "article.txt"),
    ("script.exe", None),
    ("page.htm.exe", None),
    ("noextension", None),
])
def test_safe_upload_name(name, safe):
    assert safe_upload_name(name) == safe


@pytest.mark.parametrize("name,safe", [
    ("../../evil.txt", "evil.txt"),
    ("..\\..\\evil.txt", "evil.txt"),
    ("/etc/cron.d/evil.md", "evil.md"),
    ("C:\\Windows\\evil.html", "evil.html"),
    ("\\\\server\\share\\evil.txt", "evil.txt"),
    ("evil\x00.txt", "evil.txt"),
    ("evil.txt\x00.exe", None),
    ("evil.exe\x00.txt", "evil_exe.txt"),
    ("../", None),
    ("..", None),
    ("", None),
    ("..txt", "article.txt"),
    ("line\nbreak.txt", "line_break.txt"),
    ("x" * 500 + ".txt", "x" * 100 + ".txt"),
    ("évènement.MD", "v_nement.md"),
])
def test_safe_upload_name_of_hostile_names_is_a_plain_name_or_none(name, safe):
    got = safe_upload_name(name)
    assert got == safe
    if got is not None:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(txt|md|html)", got)


def test_staged_uploads_with_hostile_names_stay_in_the_folder(tmp_path):
    incoming = tmp_path / "in"
    incoming.mkdir()
    names = ["..\\..\\evil.txt", "evil\nname.md", "....html", "a\\b\\c.txt"]
    paths = []
    for name in names:
        (incoming / name).write_text("An article.\n")
        paths.append(incoming / name)
    folder = tmp_path / "store" / "uploads"
    staged = stage_uploads(paths, folder)
    assert len(staged.files) == len(names) and not staged.rejected
    assert all(p.parent == folder and p.resolve().parent == folder.resolve() for p in staged.files)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in staged.files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "store"]


def test_stage_uploads_copies_allowed_files_only(tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    ok = incoming / "story.md"
    ok.write_text("# A story\n\nIt happened.\n")
    bad = incoming / "tool.exe"
    bad.write_bytes(b"MZ")
    big = incoming / "big.txt"
    big.write_bytes(b"x" * (MAX_UPLOAD_BYTES + 1))
    clash = incoming / "000_seed.txt"
    clash.write_text("Another article.\n")
    folder = tmp_path / "uploads"
    staged = stage_uploads([ok, bad, big, clash], folder, other_sources={"000_seed.txt"})
    assert [p.name for p in staged.files] == ["story.md", "000_seed-2.txt"]
    assert all(p.parent == folder for p in staged.files)
    assert {name for name, _ in staged.rejected} == {"tool.exe", "big.txt"}
    assert (folder / "story.md").read_text() == ok.read_text()


def test_uploads_dir_is_inside_an_embedded_store_and_named_for_a_server(tmp_path):
    assert uploads_dir(str(tmp_path / "store")) == tmp_path / "store" / "uploads"
    server = uploads_dir("http://127.0.0.1:8123")
    assert server.parent.name == "uploads" and server.name == "127.0.0.1_8123"


@pytest.fixture
def pipeline(tmp_path, fake_embedder):
    from rag.store import open_store

    return Pipeline(open_store(tmp_path / "store"), fake_embedder)


def test_add_view_and_remove_an_uploaded_article(pipeline, tmp_path):
    upload = tmp_path / "Harbour News.txt"
    upload.write_text("Harbour reopens\n\nThe harbour reopened on Monday after repairs.\n"
                      "The mayor <em>Ada Quint</em> cut the ribbon.\n", encoding="utf-8")
    status = add_articles(pipeline, [upload])
    assert "Added 1 article: Harbour_News.txt" in Elements(status).visible
    [info] = pipeline.store.sources()
    assert info.source == "Harbour_News.txt"
    assert info.root == str((tmp_path / "store" / "uploads").resolve())
    assert library_rows([info]) == [["Harbour reopens", "Harbour_News.txt", info.passages]]

    passages = pipeline.store.passages_of("Harbour_News.txt")
    cited = next(p for p in passages if "mayor" in p.text)
    answer = _answer(answer="Ada Quint", agreeing_sources=[],
                     citations=[Citation(cited.source, cited.title, cited.text, cited.start,
                                         cited.end, 0.9)],
                     answer_start=cited.text.index("Ada"), answer_end=cited.text.index("Ada") + 9)
    view = Elements(source_view(pipeline, answer, 0))
    assert "The harbour reopened on Monday after repairs." in view.visible
    assert "Ada Quint" in view.marked
    assert "em" not in view.tags and "<em>Ada Quint</em>" in view.visible

    # With the file gone, the viewer falls back to the stored passages.
    (tmp_path / "store" / "uploads" / "Harbour_News.txt").unlink()
    fallback = Elements(source_view(pipeline, answer, 0))
    assert "passages stored from it" in fallback.visible
    assert "Ada Quint" in fallback.marked

    status = remove_article(pipeline, "Harbour_News.txt")
    assert "Removed" in status
    assert pipeline.store.sources() == []
    assert "not in the library" in remove_article(pipeline, "Harbour_News.txt")


def test_remove_deletes_the_uploaded_copy_but_never_other_files(pipeline, tmp_path):
    elsewhere = tmp_path / "corpus"
    elsewhere.mkdir()
    (elsewhere / "kept.txt").write_text("Kept story\n\nIt stays on disk.\n")
    pipeline.ingest([elsewhere], progress=False)
    upload = tmp_path / "gone.txt"
    upload.write_text("Gone story\n\nIt goes.\n")
    add_articles(pipeline, [upload])
    copy = tmp_path / "store" / "uploads" / "gone.txt"
    assert copy.is_file()
    remove_article(pipeline, "gone.txt")
    remove_article(pipeline, "kept.txt")
    assert not copy.exists()
    assert (elsewhere / "kept.txt").is_file()
    assert pipeline.store.sources() == []


def test_rejected_uploads_are_reported_and_not_stored(pipeline, tmp_path):
    bad = tmp_path / "virus.exe"
    bad.write_bytes(b"MZ")
    status = add_articles(pipeline, [bad])
    assert "Not added: virus.exe" in Elements(status).visible
    assert pipeline.store.sources() == []


def test_examples_are_offered_only_for_articles_in_the_store():
    from rag.app import EXAMPLES

    question, source = EXAMPLES[0]
    assert example_questions([SourceInfo(source, "t", 3, "h", "/r")]) == [question]
    assert example_questions([SourceInfo("other.txt", "t", 3, "h", "/r")]) == []


def test_reply_reads_a_relative_date_in_its_article():
    note = "2 articles agree; “Friday” is relative to the article, which gives the date 23 July, 2021"
    page = Elements(format_reply(_answer(answer="Friday", note=note)))
    assert "“Friday” is relative to the article, which gives the date 23 July, 2021" in page.visible
