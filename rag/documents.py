"""Load articles from files or folders and clean them into content blocks with file offsets."""

from __future__ import annotations

import codecs
import errno
import hashlib
import html
import logging
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import SourceNotFound, UnusableFile
from .schema import Block, Document

__all__ = [
    "SUPPORTED_SUFFIXES",
    "MAX_FILE_BYTES",
    "SourceFile",
    "Skipped",
    "find_source_files",
    "check_sources_exist",
    "read_bytes",
    "looks_binary",
    "read_text",
    "load_document",
    "content_hash",
    "content_blocks",
    "is_furniture",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")
# A corpus folder's own documentation is not an article.
NOT_ARTICLES = re.compile(r"^(readme|license|licence|changelog|contributing)(\.\w+)?$", re.I)
# A news article is tens of kilobytes; anything this big is a dump or a mistake, not an article.
MAX_FILE_BYTES = 10 * 1024 * 1024
# Share of undecodable bytes and control characters above which a file is taken for binary.
BINARY_SHARE = 0.3


@dataclass(frozen=True)
class SourceFile:
    root: Path
    path: Path

    @property
    def source_id(self) -> str:
        return self.path.relative_to(self.root).as_posix()


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def find_source_files(paths: Iterable[str | Path]) -> Iterator[SourceFile | Skipped]:
    """Yield every article file under the given files or folders, ids relative to each path.

    A missing path raises SourceNotFound naming it, before anything is yielded. Anything that
    cannot be an article (unsupported type, FIFO, broken link, symlink loop) is yielded as
    Skipped with its reason; symlinked folders are not followed, so a link loop cannot hang it.
    """
    resolved = [Path(p) for p in paths]
    check_sources_exist(resolved)
    for p in resolved:
        p = p.resolve()
        if p.is_dir():
            yield from _walk(p)
        elif not p.is_file():
            yield Skipped(str(p), "not a regular file")
        elif p.suffix.lower() in SUPPORTED_SUFFIXES:
            yield SourceFile(p.parent, p)
        else:
            yield Skipped(str(p), f"unsupported file type {p.suffix or '(none)'}")


def check_sources_exist(paths: Iterable[str | Path]) -> None:
    """SourceNotFound naming the first path that is missing (or a dead link)."""
    for p in map(Path, paths):
        if not p.exists():
            kind = "a broken link or a symlink loop" if p.is_symlink() else "no such file or folder"
            raise SourceNotFound(f"{kind}: {p}")


def _walk(root: Path) -> Iterator[SourceFile | Skipped]:
    # rglob (Python 3.11/3.12) lists a symlinked folder but never descends into it.
    for f in sorted(root.rglob("*")):
        rel = f.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or NOT_ARTICLES.match(f.name):
            continue
        if f.is_dir():
            if f.is_symlink():
                yield Skipped(str(f), "symlinked folder not followed")
            continue
        reason = _not_an_article(f)
        if reason:
            yield Skipped(str(f), reason)
        else:
            yield SourceFile(root, f)


def _not_an_article(f: Path) -> str:
    """Why a listed entry cannot be read as an article, or "" when it can."""
    if f.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {f.suffix or '(none)'}"
    try:
        mode = f.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if exc.errno == errno.ENOENT:
            return "broken symlink"
        return f"cannot read: {exc.strerror or exc}"
    return "" if stat.S_ISREG(mode) else "not a regular file"


def _stray_bytes_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    # A stray non-UTF-8 byte in a news file is almost always Windows-1252 (e.g. 0xA3 is "£");
    # one character per byte, so offsets stay as they would be with errors="replace".
    bad = exc.object[exc.start : exc.end]
    return "".join(bytes([b]).decode("cp1252", errors="replace") for b in bad), exc.end


codecs.register_error("rag-cp1252", _stray_bytes_as_cp1252)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing what cannot be an article (UnusableFile says why)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):  # never open a FIFO: reading it would block forever
        raise UnusableFile("not a regular file")
    if info.st_size > limit:
        raise UnusableFile(f"too large ({info.st_size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB)")
    with path.open("rb") as fh:
        data = fh.read(limit + 1)  # the file may have grown since stat()
    if len(data) > limit:
        raise UnusableFile(f"too large (over {limit / 2**20:.0f} MB)")
    return data


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or mostly undecodable bytes and control characters: not a text file."""
    if b"\x00" in data:
        return True
    if not data:
        return False
    text = data.decode("utf-8", errors="replace")
    # Only the replacement characters the decoding made count: a "\ufffd" written in the
    # file is text like any other.
    undecodable = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    noise = undecodable + len(re.findall(r"[\x01-\x08\x0e-\x1f\x7f]", text))
    return noise > BINARY_SHARE * len(text)


def read_text(path: Path) -> str:
    """Read a file exactly as ``open(path, encoding="utf-8").read()`` would see it.

    Invalid UTF-8 bytes are read as Windows-1252, one character each, with a warning instead
    of failing. Binary, oversized and non-regular files raise UnusableFile (a one-line reason).
    """
    data = read_bytes(path)
    if looks_binary(data):
        raise UnusableFile("binary file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.warning("%s is not valid UTF-8 (byte %d); stray bytes read as Windows-1252", path, exc.start)
        text = data.decode("utf-8", errors="rag-cp1252")
    # Universal newlines, as text-mode open() does, so offsets agree with it.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Bump when what is stored for an unchanged file changes (its passages, or the text their
# vectors are computed from), so the next ingest rewrites files stored the old way.
STORED_FORMAT = "2"  # 2: vectors of "title. sentence"


def content_hash(raw: str) -> str:
    """The hash stored with every passage; an unchanged file is recognised by it."""
    return hashlib.sha256(f"{STORED_FORMAT}\n{raw}".encode("utf-8")).hexdigest()


def load_document(sf: SourceFile, raw: str | None = None) -> Document:
    """The cleaned article; ``raw`` is the file's text when the caller has already read it."""
    raw = read_text(sf.path) if raw is None else raw
    suffix = sf.path.suffix.lower()
    blocks = content_blocks(raw, suffix)
    title = blocks[0].text.strip() if blocks else sf.path.stem
    return Document(
        source=sf.source_id,
        title=title.lstrip("\ufeff"),
        raw=raw,
        blocks=tuple(blocks),
        root=str(sf.root),
        content_hash=content_hash(raw),
    )


def content_blocks(raw: str, suffix: str = ".txt") -> list[Block]:
    """Article blocks of a file in reading order, page furniture removed."""
    if suffix in HTML_SUFFIXES:
        blocks = html_blocks(raw)
    else:
        blocks = text_blocks(raw, markdown=suffix in MARKDOWN_SUFFIXES)
    return drop_furniture(blocks)


# --- plain text and markdown ---------------------------------------------------------------

MARKDOWN_PREFIX = re.compile(r"^\s*(#{1,6}\s+|[-*+]\s+|>\s*|\d+[.)]\s+)")


def text_blocks(raw: str, markdown: bool = False) -> list[Block]:
    """One block per non-empty line (news text puts one paragraph on a line)."""
    blocks = []
    pos = 0
    for line in raw.split("\n"):
        start = pos
        pos += len(line) + 1
        lead = len(line) - len(line.lstrip())
        if markdown:
            m = MARKDOWN_PREFIX.match(line)
            if m:
                lead = m.end()
        text = line[lead:].rstrip()
        if text.strip("\ufeff \t"):
            blocks.append(Block(start + lead, text))
    return blocks


# --- HTML ------------------------------------------------------------------------------------

# Tags whose text is never article content.
HTML_SKIP = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer",
             "aside", "form", "button", "select", "iframe", "object", "canvas", "menu"}
HTML_BLOCK = {"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4",
              "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th",
              "blockquote", "pre", "figure", "figcaption", "br", "hr", "title", "address",
              "caption", "details", "summary"}
VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source",
        "track", "wbr"}


class _VisibleText(HTMLParser):
    """Visible characters of an HTML page, each with its offset in the original file."""

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.blocks: list[tuple[list[str], list[int]]] = [([], [])]
        self.skip_depth = 0
        self.stack: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _break(self) -> None:
        if self.blocks[-1][0]:
            self.blocks.append(([], []))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HTML_BLOCK:
            self._break()
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag in HTML_SKIP:
            self.skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HTML_BLOCK:
            self._break()
        if tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in HTML_SKIP:
                self.skip_depth -= 1
            if top == tag:
                break

    def _emit(self, chars: str, offsets: list[int]) -> None:
        if self.skip_depth:
            return
        text, offs = self.blocks[-1]
        text.extend(chars)
        offs.extend(offsets)

    def handle_data(self, data: str) -> None:
        start = self._offset()
        self._emit(data, list(range(start, start + len(data))))

    def handle_entityref(self, name: str) -> None:
        start = self._offset()
        char = html.unescape(f"&{name};")
        self._emit(char, [start] * len(char))

    def handle_charref(self, name: str) -> None:
        self.handle_entityref(f"#{name}")


def html_blocks(raw: str) -> list[Block]:
    """Blocks of visible text in an HTML page; offsets point at the original markup."""
    parser = _VisibleText(raw)
    parser.feed(raw)
    parser.close()
    blocks = []
    for chars, offsets in parser.blocks:
        text, offs = _collapse_whitespace(chars, offsets)
        if text:
            blocks.append(Block(offs[0], text, tuple(offs)))
    return blocks


def _collapse_whitespace(chars: list[str], offsets: list[int]) -> tuple[str, list[int]]:
    out: list[str] = []
    offs: list[int] = []
    for ch, off in zip(chars, offsets):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                offs.append(off)
            continue
        out.append(ch)
        offs.append(off)
    while out and out[-1] == " ":
        out.pop()
        offs.pop()
    return "".join(out), offs


def raw_end(raw: str, pos: int) -> int:
    """End offset in ``raw`` of the visible character that starts at ``pos``."""
    if raw.startswith("&", pos):
        m = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|\w+);?").match(raw, pos)
        if m:
            return m.end()
    return pos + 1


# --- page furniture --------------------------------------------------------------------------

# Navigation and widget labels; matched against a whole short line, never inside prose.
NAV_LABEL = re.compile(
    r"""^(
        (previous|prev|next|older|newer)\s+(article|post|story|page|item|entry)s?
      | related(\s+(posts?|articles?|stories|news|content|links|reading|topics|coverage))?
      | (more|top|latest|popular|trending)\s+(stories|news|articles|posts|from\s+.+)
      | (read|see|view|load|show)\s+(more|also|all|next|comments?)\b.*
      | share(\s+(this|on|via|the)\b.*)?
      | (tweet|email|print|whatsapp|facebook|twitter|linkedin|reddit|telegram|pinterest|copy\s+link)
      | (advertisement|advert|sponsored(\s+content)?|ad)
      | (subscribe|sign\s+up|log\s*in|sign\s+in|register|follow\s+us)\b.*
      | (leave\s+a\s+(comment|reply)|\d*\s*comments?|skip\s+to\s+.*|back\s+to\s+top|cookie.*)
      | (all\s+rights\s+reserved|copyright\b|©).*
      | (click|tap)\s+here\b.*
      | your\s+browser\s+(does\s*n[o’']t|does\s+not|cannot|can[’']t)\s+support\b.*
      | (powered\s+by|translated\s+by)\s+.*
      | (listen\s+to\s+(this\s+)?(article|story)|\d+\s+min(ute)?s?\s+read)
    )$""",
    re.I | re.X,
)
# Labels that introduce a list of links to other articles.
LINK_LIST_LABEL = re.compile(
    r"^((previous|prev|next|older|newer)\s+\w+|related\b.*|(more|top|latest|popular|trending)\s+.*"
    r"|(read|see)\s+(more|also)\b.*)$",
    re.I,
)
# Lines after such a label that look like link titles: short and without a full stop.
LINK_TITLE_MAX_WORDS = 16
FURNITURE_MAX_WORDS = 12


def _label(line: str) -> str:
    return line.strip().strip(":|»«›‹>-–—•·*").strip()


def is_furniture(line: str) -> bool:
    """True for a line that is page navigation or a widget label rather than article text."""
    text = _label(line)
    if not text or len(text.split()) > FURNITURE_MAX_WORDS:
        return False
    return bool(NAV_LABEL.match(text))


def _looks_like_link_title(text: str) -> bool:
    words = text.split()
    return len(words) <= LINK_TITLE_MAX_WORDS and not re.search(r"[.!?][\"”’')]*$", text)


def drop_furniture(blocks: list[Block]) -> list[Block]:
    """Drop navigation labels, and the link titles listed under them (e.g. 'Next Article')."""
    kept = []
    in_navigation = False
    for block in blocks:
        if is_furniture(block.text):
            in_navigation = bool(LINK_LIST_LABEL.match(_label(block.text)))
            continue
        if in_navigation and _looks_like_link_title(block.text):
            continue
        in_navigation = False
        kept.append(block)
    return kept
