"""Bad files: each is skipped with a one-line reason, the rest ingests, the exit code says so.

Every case is a real file-system condition (the tests run as root, so permissions can't make a
file unreadable: a FIFO, a link to a file whose read fails with EIO, and link loops are used).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.documents import MAX_FILE_BYTES, SourceFile, Skipped, find_source_files, read_text
from rag.errors import SourceNotFound, UnusableFile
from rag.ingest import ingest

WORKER = Path(__file__).resolve().parent / "ingest_worker.py"
GOOD = "Harbour reopens\n\nThe harbour reopened on Tuesday after repairs costing two million.\n"


def make_bad_folder(root: Path) -> dict[str, str]:
    """Good and bad files side by side; returns {file name: expected reason} for the bad ones."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "good1.txt").write_text(GOOD)
    (root / "good2.md").write_text("# Festival\n\nThe film festival opened in Venice with forty films.\n")
    # One stray Windows-1252 byte, as in BBC sport/199.txt: read, not skipped.
    (root / "latin.txt").write_bytes(b"Transfer\n\nChelsea paid a fee of \xa315.8m for the striker.\n")
    expected = {}
    (root / "empty.txt").write_bytes(b"")
    expected["empty.txt"] = "no article text"
    (root / "blank.txt").write_text("  \n\n\t\n")
    expected["blank.txt"] = "no article text"
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    expected["image.txt"] = "binary file"
    (root / "noise.html").write_bytes(bytes((i * 37 + 11) % 256 for i in range(1, 4000) if (i * 37 + 11) % 256))
    expected["noise.html"] = "binary file"
    with open(root / "huge.txt", "wb") as fh:  # 50 MB (sparse: cheap to make, real to stat)
        fh.write(GOOD.encode())
        fh.truncate(50 * 2**20)
    expected["huge.txt"] = "too large (50.0 MB; the limit is 10 MB)"
    (root / "slides.pdf").write_bytes(b"%PDF-1.4")
    expected["slides.pdf"] = "unsupported file type .pdf"
    (root / "notes").write_text("no suffix")
    expected["notes"] = "unsupported file type (none)"
    os.mkfifo(root / "pipe.txt")  # opening it for reading would block forever
    expected["pipe.txt"] = "not a regular file"
    os.symlink("/proc/self/mem", root / "mem.txt")  # a regular file whose read fails (EIO)
    expected["mem.txt"] = "cannot read: Input/output error"
    os.symlink("loop.txt", root / "loop.txt")
    expected["loop.txt"] = "symlink loop"
    os.symlink("gone.txt", root / "dangling.txt")
    expected["dangling.txt"] = "broken symlink"
    os.symlink(".", root / "again")  # a folder loop: the walk must not descend into it
    expected["again"] = "symlinked folder not followed"
    return expected


def test_each_bad_file_is_skipped_with_its_reason_and_the_rest_ingests(tmp_path, store, fake_embedder):
    root = tmp_path / "articles"
    expected = make_bad_folder(root)
    report = ingest([root], store, fake_embedder, progress=False)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons == expected
    assert {s.source for s in store.sources()} == {"good1.txt", "good2.md", "latin.txt"}
    assert report.added == 3
    assert all("\n" not in s.reason for s in report.skipped)


def test_stray_cp1252_byte_is_read_as_its_character(tmp_path, store, fake_embedder):
    root = tmp_path / "articles"
    make_bad_folder(root)
    ingest([root], store, fake_embedder, progress=False)
    (passage,) = [p for p in store.passages_of("latin.txt") if "fee" in p.text]
    assert passage.text == "Chelsea paid a fee of £15.8m for the striker."
    assert read_text(root / "latin.txt")[passage.start : passage.end] == passage.text


def test_cli_prints_one_line_per_skip_and_exits_1(tmp_path):
    root = tmp_path / "articles"
    expected = make_bad_folder(root)
    proc = subprocess.run([sys.executable, str(WORKER), str(root), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1  # something was skipped
    assert "Traceback" not in proc.stderr
    skipped = [line for line in proc.stderr.splitlines() if line.startswith("skipped ")]
    assert sorted(skipped) == sorted(f"skipped {root / name}: {why}" for name, why in expected.items())
    # The only other stderr line is the warning about the stray byte, on one line too.
    others = [line for line in proc.stderr.splitlines() if not line.startswith("skipped ")]
    assert len(others) == 1 and "latin.txt is not valid UTF-8" in others[0]
    assert proc.stdout.startswith(f"{3 + len(expected)} files: 3 new, 0 changed, 0 unchanged, "
                                  f"{len(expected)} skipped")


def test_cli_exits_0_when_nothing_is_skipped(tmp_path):
    root = tmp_path / "articles"
    root.mkdir()
    (root / "good.txt").write_text(GOOD)
    proc = subprocess.run([sys.executable, str(WORKER), str(root), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stderr == ""


def test_bad_file_given_directly(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (only,) = find_source_files([tmp_path / "pipe.txt"])
    assert only == Skipped(str(tmp_path / "pipe.txt"), "not a regular file")


@pytest.mark.parametrize("target", ["loop.txt", "missing.txt"])
def test_link_loop_or_dangling_link_given_directly_names_it(tmp_path, target):
    os.symlink(target, tmp_path / "loop.txt")
    with pytest.raises(SourceNotFound, match="broken link or a symlink loop: .*loop.txt"):
        list(find_source_files([tmp_path / "loop.txt"]))


def test_cli_link_loop_given_directly_is_one_line_exit_2(tmp_path):
    os.symlink("loop.txt", tmp_path / "loop.txt")
    proc = subprocess.run([sys.executable, str(WORKER), str(tmp_path / "loop.txt"), "--store",
                           str(tmp_path / "s")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr == f"rag: error: a broken link or a symlink loop: {tmp_path / 'loop.txt'}\n"


def test_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(UnusableFile, match=r"too large \(10\.0 MB"):
        read_text(path)


def test_a_file_just_under_the_limit_is_read(tmp_path):
    path = tmp_path / "big.txt"
    line = b"The council met again on Monday to discuss the budget for the coming year.\n"
    path.write_bytes(line * (MAX_FILE_BYTES // len(line)))
    assert len(read_text(path)) > MAX_FILE_BYTES - len(line)


def test_giant_paragraph_is_split_with_exact_offsets(tmp_path, store, fake_embedder):
    # pysbd is quadratic in paragraph length; windows keep a 300k-character paragraph cheap.
    root = tmp_path / "articles"
    root.mkdir()
    body = " ".join(f"Sentence number {i} talks about the harbour and the council." for i in range(5000))
    (root / "wall.txt").write_text("Wall of text\n\n" + body + "\n")
    report = ingest([root], store, fake_embedder, progress=False)
    assert report.added == 1 and not report.skipped
    raw = read_text(root / "wall.txt")
    passages = store.passages_of("wall.txt")
    assert len(passages) > 1000
    for p in passages:
        assert raw[p.start : p.end] == p.text


def test_thousands_of_files(tmp_path, store, fake_embedder):
    root = tmp_path / "many"
    for i in range(3000):
        folder = root / f"part{i // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:04d}.txt").write_text(f"Story {i}\n\nThe council approved plan number {i} on Monday.\n")
    found = list(find_source_files([root]))
    assert len(found) == 3000 and all(isinstance(f, SourceFile) for f in found)
    report = ingest([root], store, fake_embedder, progress=False)
    assert report.added == 3000 and not report.skipped
    assert store.count() == 6000
    again = ingest([root], store, fake_embedder, progress=False)
    assert again.unchanged == 3000 and again.passages == 0
