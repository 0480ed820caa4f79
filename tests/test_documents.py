import logging

import pytest

from rag.documents import (
    SourceFile, Skipped, content_blocks, find_source_files, is_furniture, load_document, looks_binary,
    read_text,
)
from rag.errors import SourceNotFound


def test_title_is_first_nonempty_line(write):
    path = write("a.txt", "\n\n  Storm hits coast  \n\nThe storm arrived on Monday.\n")
    doc = load_document(SourceFile(path.parent, path))
    assert doc.title == "Storm hits coast"
    assert doc.source == "a.txt"


@pytest.mark.parametrize("line", [
    "Previous Article", "Next Post", "Related Posts", "Related", "Share this article",
    "Share on Facebook", "Your browser doesn't support HTML5", "Your browser doesn’t support HTML5",
    "Powered by automated translation", "Advertisement", "Read more", "Skip to content",
    "© 2024 Example News. All rights reserved", "Sign up for our newsletter", "3 min read",
])
def test_furniture_lines_are_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "The minister said the next article of the treaty would be signed.",
    "Shares in the company rose 5% on Monday.",
    "The factory is powered by solar energy and employs 300 people, officials said.",
    "Related talks will continue in Geneva next week, the spokesman said.",
])
def test_prose_is_not_furniture(line):
    assert not is_furniture(line)


def test_link_titles_under_navigation_are_dropped():
    raw = ("Markets rally\n\nStocks rose sharply on Friday after the report.\n\nPrevious Article\n\n"
           "Oil prices slip as demand cools\n\nNext Article\n\nCity council approves budget\n\nRelated Posts\n")
    texts = [b.text for b in content_blocks(raw)]
    assert texts == ["Markets rally", "Stocks rose sharply on Friday after the report."]


def test_blocks_point_into_the_file():
    raw = "Title\n\n   Indented paragraph here.\n"
    for block in content_blocks(raw):
        assert raw[block.start : block.start + len(block.text)] == block.text


def test_html_blocks_map_to_original_offsets():
    raw = ("<html><head><title>T</title><style>p{}</style></head><body><nav>Home | News</nav>"
           "<h1>Bridge opens</h1><p>The bridge opened on <b>Tuesday</b> &amp; cost $5m.</p>"
           "<script>alert(1)</script><footer>Copyright</footer></body></html>")
    blocks = content_blocks(raw, ".html")
    assert [b.text for b in blocks] == ["Bridge opens", "The bridge opened on Tuesday & cost $5m."]
    for block in blocks:
        for i, ch in enumerate(block.text):
            pos = block.file_pos(i)
            assert raw[pos] == ch or (ch == "&" and raw.startswith("&amp;", pos)) or ch == " "


def test_markdown_heading_markers_are_not_in_the_title(write):
    path = write("m.md", "# Heading here\n\nBody text of the article goes here.\n")
    assert load_document(SourceFile(path.parent, path)).title == "Heading here"


def test_invalid_utf8_is_read_as_cp1252_with_a_warning(write, caplog):
    path = write("bad.txt", b"Title\n\nCaf\xe9 prices rose.\n")
    with caplog.at_level(logging.WARNING):
        text = read_text(path)
    assert text == "Title\n\nCafé prices rose.\n"  # one character per stray byte
    assert "not valid UTF-8" in caplog.text


def test_crlf_offsets_match_text_mode_open(write):
    path = write("w.txt", b"Title\r\n\r\nFirst line.\r\n")
    assert read_text(path) == open(path, encoding="utf-8").read()


def test_missing_path_names_it(tmp_path):
    with pytest.raises(SourceNotFound, match="nowhere"):
        list(find_source_files([tmp_path / "nowhere"]))


def test_folder_walk_relative_ids_and_skips(write, tmp_path):
    write("bbc/business/001.txt", "A\n\nB text.\n")
    write("README.TXT", "about the corpus")
    write("notes.pdf", "x")
    write(".hidden/x.txt", "hidden")
    found = list(find_source_files([tmp_path / "articles"]))
    ids = [f.source_id for f in found if isinstance(f, SourceFile)]
    assert ids == ["bbc/business/001.txt"]


def test_unsupported_file_given_directly_is_skipped(write):
    path = write("notes.pdf", "x")
    (only,) = list(find_source_files([path]))
    assert isinstance(only, Skipped) and ".pdf" in only.reason


def test_a_written_replacement_character_is_text_but_undecodable_bytes_are_not(write):
    # "\ufffd" is a character like any other when the file holds it; only bytes that fail to
    # decode make a file look binary.
    path = write("odd.txt", "\ufffd\ufffd A storm hit the coast. \ufffd")
    assert read_text(path) == "\ufffd\ufffd A storm hit the coast. \ufffd"
    assert looks_binary("\ufffd".encode("utf-8")) is False
    assert looks_binary(b"\xff\xfe\xfa" * 20) is True
