"""Hostile text and hostile uploads in a real browser (issue 7, UI side).

tests/test_browser.py already shows one `<img onerror>` in an uploaded .txt as text. Here: an
uploaded Markdown and an HTML article full of scripts, event handlers, `javascript:` links and
images pointing at a local beacon, asked about with a question that is itself markup. Nothing may
run (window.__pwned and document.title stay as they were), the beacon must get no hit, and the
page may talk to no host but the app's. Then upload names that try to leave the upload folder.
"""

from __future__ import annotations

import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .chat_server import free_port
from .test_browser import ANSWER_WAIT, LAPTOP, _ask, _open, _shot, browser, server  # noqa: F401

pytestmark = pytest.mark.browser


class Beacon:
    """A loopback HTTP server that counts every request made to it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        beacon = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                beacon.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def beacon():
    b = Beacon()
    yield b
    b.close()


def hostile_markdown(beacon: Beacon) -> str:
    return f"""# The Vexmoor Canal reopens

The Vexmoor Canal in the town of Quorlin reopened on Tuesday after a year of dredging.
The dredging was overseen by the harbour master Tamsin Okonkwo, who inspected every lock.
A plaque by the gate reads <script>window.__pwned = "script"; document.title = "pwned"</script> in brass letters.
A second sign shows <img src=x onerror="window.__pwned = 'onerror'; document.title = 'pwned'"> and a [canal map](javascript:window.__pwned='link') for visitors.
The programme printed ![beacon]({beacon.url("md-image")}) and <img src="{beacon.url("img-tag")}"> and <a href="{beacon.url("a-tag")}">the timetable</a>.
<iframe src="{beacon.url("iframe")}"></iframe> <svg onload="window.__pwned='svg'"></svg>
"""


def hostile_html(beacon: Beacon) -> str:
    return f"""<!doctype html><html><head><title>Brisk ferry returns to Lowmere</title>
<script>window.__pwned = "head-script"</script>
<link rel="stylesheet" href="{beacon.url("css")}"></head>
<body><h1>Brisk ferry returns to Lowmere</h1>
<p>The Brisk ferry returned to Lowmere harbour on Sunday after repairs to its engine.</p>
<p>The repairs were paid for by the shipping firm Dunmarrow Lines, which owns the ferry.
A notice reads &lt;script&gt;window.__pwned="entity"&lt;/script&gt; on the quay.
<img src="{beacon.url("html-img")}" onerror="window.__pwned='html-onerror'">
<a href="javascript:window.__pwned='html-link'">Timetable</a>
<script>document.title = "pwned"</script></p>
</body></html>
"""


def _upload(page, files) -> str:
    page.get_by_role("tab", name="Library").click()
    page.wait_for_selector("#library-table")
    page.locator("#upload input[type=file]").set_input_files(files)
    page.wait_for_function(
        "() => /Added|Not added|Choose/.test(document.querySelector('#library-status')?.innerText)",
        timeout=ANSWER_WAIT,
    )
    return page.locator("#library-status").inner_text()


def _remove(page, name: str) -> None:
    page.get_by_role("tab", name="Library").click()
    page.locator("#remove-pick input").fill(name.split(".")[0])
    page.locator("ul[role=listbox] li").filter(has_text=name).first.click()
    page.click("#remove-btn")
    page.wait_for_function(
        "(name) => document.querySelector('#library-status')?.innerText.includes('Removed')"
        " && document.querySelector('#library-status').innerText.includes(name)", arg=name,
    )


def _assert_nothing_ran_or_left(page, app_url: str, requests: list[str], beacon: Beacon, title: str):
    assert page.evaluate("window.__pwned") is None
    assert page.title() == title
    assert beacon.hits == []
    app = urlparse(app_url).netloc
    assert any(urlparse(u).netloc == app for u in requests)  # the listener did see the page's traffic
    elsewhere = [u for u in requests if urlparse(u).scheme not in ("data", "blob")
                 and urlparse(u).netloc != app]
    assert elsewhere == []


def test_hostile_articles_and_question_show_as_text_and_nothing_runs_or_leaves(
        browser, server, beacon, tmp_path):  # noqa: F811 (fixtures imported from test_browser)
    md = tmp_path / "vexmoor canal.md"
    md.write_text(hostile_markdown(beacon), encoding="utf-8")
    page_html = tmp_path / "brisk ferry.html"
    page_html.write_text(hostile_html(beacon), encoding="utf-8")

    page = _open(browser, server, LAPTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    title = page.title()
    status = _upload(page, [str(md), str(page_html)])
    assert "Added 2 articles" in status, status

    page.get_by_role("tab", name="Chat").click()
    question = (f'<script>document.title="pwned"</script><img src=x onerror="window.__pwned=1"> '
                f'![q]({beacon.url("question")}) Who oversaw the dredging of the Vexmoor Canal?')
    reply = _ask(page, question)
    # The markup costs the question confidence: an answer or an abstention, from the canal article.
    assert reply.locator(".rag-answer, .rag-abstain").count() == 1
    assert "vexmoor_canal.md" in reply.locator(".rag-source").first.inner_text()
    user_bubble = page.locator("#chatbot .message-row.user-row, #chatbot .user-row").last.inner_text()
    assert '<script>document.title="pwned"</script>' in user_bubble, user_bubble
    cited = reply.inner_text()
    page.wait_for_selector("#rag-article mark")
    viewer = page.locator("#rag-article").inner_text()
    for shown in ('<script>window.__pwned = "script"; document.title = "pwned"</script>',
                  "onerror=\"window.__pwned = 'onerror'",
                  "[canal map](javascript:window.__pwned='link')",
                  f"![beacon]({beacon.url('md-image')})"):
        assert shown in viewer, shown
    # Which of the article's sentences are cited besides the answer depends on the ranking; the
    # markup of whichever are cited shows as text (the viewer above shows all of it).
    assert any(markup in cited for markup in ("<script>", "onerror=", "javascript:", "<img src=", "<a href="))
    assert "&#" not in cited and "&#" not in viewer
    _shot(page, "laptop-hostile-article")

    reply = _ask(page, "Which shipping firm paid for the repairs to the Brisk ferry?")
    assert "Dunmarrow Lines" in reply.locator(".rag-answer strong").inner_text()
    page.wait_for_selector("#rag-article mark.rag-hl")
    viewer = page.locator("#rag-article").inner_text()
    assert '<script>window.__pwned="entity"</script>' in viewer  # the text the page showed
    assert "head-script" not in viewer and "html-onerror" not in viewer  # markup is not text

    for area in ("#chatbot", "#source-html"):
        active = page.locator(f"{area} script, {area} img, {area} iframe, {area} svg[onload], "
                              f"{area} a[href^='javascript'], {area} [onerror], {area} [onload]")
        assert active.count() == 0, area
    page.wait_for_timeout(500)  # let any late image or script fetch show up
    _assert_nothing_ran_or_left(page, server.url, requests, beacon, title)

    _remove(page, "vexmoor_canal.md")
    _remove(page, "brisk_ferry.html")
    page.close()


def test_upload_names_cannot_leave_the_upload_folder(browser, server, beacon):  # noqa: F811
    token = uuid.uuid4().hex[:8]
    body = (f"The Orrin Bridge {token} reopens\n\nThe bridge reopened on Monday after the "
            "engineer Pell Ashgrove replaced its cables.\n").encode()
    files = [
        {"name": f"../../evil-{token}.txt", "mimeType": "text/plain", "buffer": body},
        {"name": f"..\\..\\evil2-{token}.txt", "mimeType": "text/plain", "buffer": body},
        {"name": f"/etc/evil3-{token}.md", "mimeType": "text/markdown", "buffer": body},
        {"name": f"tool-{token}.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"},
    ]
    page = _open(browser, server, LAPTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    status = _upload(page, files)
    uploads = server.store / "uploads"
    stored = sorted(p.name for p in uploads.iterdir() if token in p.name)
    assert len(stored) == 3, (status, stored)
    assert all(name.startswith("evil") and "/" not in name and "\\" not in name for name in stored)
    assert f"tool-{token}" not in status.split("Not added")[0]  # never reported as added
    assert not any(token in p.name for p in uploads.iterdir() if p.suffix == ".exe")
    # Nothing was written beside or above the upload folder, nor at the absolute path.
    for folder in (uploads.parent, server.root, server.root.parent, Path("/etc")):
        assert not [p for p in folder.iterdir() if token in p.name], folder
    _assert_nothing_ran_or_left(page, server.url, requests, beacon, page.title())
    for name in stored:
        _remove(page, name)
    page.close()
