"""The chat in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Screenshots at laptop and phone width are saved under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from .chat_server import shared_chat_server
from .conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
SHOTS = ROOT / "test-artifacts" / "screenshots"
ANSWER_WAIT = 90_000  # ms; a busy machine can be slow to answer

UPLOADED = """The Quillfeather Lighthouse reopens to visitors

The restored Quillfeather Lighthouse on the island of Marrowby reopened on Saturday after a two-year renovation.
The renovation was led by the engineer Odile Brannock, who replaced the lantern and the spiral staircase.
The fishermen's leader said the <b>light</b> & the **foghorn** would be tested every week; a sign reads <img src=x onerror="window.__injected=1">.
Tickets cost 4 pounds for adults.
"""


@pytest.fixture(scope="module")
def server():
    return shared_chat_server()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _open(browser, server, viewport):
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(30_000)
    page.goto(server.url)
    page.wait_for_selector("#chatbot")
    return page


def _ask(page, question: str):
    replies = page.locator("#chatbot .rag-reply")
    before = replies.count()
    page.fill("#question textarea", question)
    page.click("#ask-btn")
    page.wait_for_function(
        f"document.querySelectorAll('#chatbot .rag-reply').length > {before}", timeout=ANSWER_WAIT
    )
    return replies.nth(before)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _mark_is_visible_in_viewer(page) -> bool:
    return page.evaluate("""() => {
        const box = document.querySelector('#rag-article');
        const mark = box && box.querySelector('mark.rag-hl, mark.rag-cited');
        if (!mark) return false;
        const b = box.getBoundingClientRect(), m = mark.getBoundingClientRect();
        return m.bottom > b.top && m.top < b.bottom;
    }""")


def test_first_question_shows_a_highlighted_answer_and_its_source(browser, server):
    page = _open(browser, server, LAPTOP)
    examples = page.locator("#chatbot").get_by_text("Which Iraqi official led the delegation")
    assert examples.count() >= 1  # example questions are shown on first load
    _shot(page, "laptop-first-load")

    examples.first.click()
    page.wait_for_selector("#chatbot .rag-answer", timeout=ANSWER_WAIT)
    reply = page.locator("#chatbot .rag-reply").first
    assert reply.locator(".rag-answer strong").inner_text() == "Fuad Hussein"
    assert reply.locator(".rag-cite").first.locator("mark.rag-hl").inner_text() == "Fuad Hussein"
    assert reply.locator(".rag-marker").first.inner_text() == "[1]"
    assert "000_1ac13b4e80a9a68e.txt" in reply.locator(".rag-source").first.inner_text()
    assert "articles agree" in reply.locator(".rag-agree").inner_text()
    assert re.search(r"confidence 0\.\d\d", reply.inner_text())

    # The source viewer opens on citation [1], whole article, passage and answer marked.
    page.wait_for_selector("#rag-article mark.rag-hl")
    assert page.locator("#rag-article mark.rag-hl").first.inner_text() == "Fuad Hussein"
    assert "SULAIMANI" in page.locator("#rag-article").inner_text()  # the article, not a snippet

    # Picking another citation shows that article, scrolled to the cited passage.
    page.locator("#cite-picker label").filter(has_text="[2]").click()
    page.wait_for_function(
        "document.querySelector('#source-html .rag-marker')?.textContent === '[2]'"
    )
    second = reply.locator(".rag-source").nth(1).inner_text()
    assert second in page.locator("#source-html .rag-viewer-head").inner_text()
    page.wait_for_function("""() => {
        const box = document.querySelector('#rag-article');
        const mark = box && box.querySelector('mark');
        if (!mark) return false;
        const b = box.getBoundingClientRect(), m = mark.getBoundingClientRect();
        return m.bottom > b.top && m.top < b.bottom;
    }""")
    _shot(page, "laptop-answer-and-source")

    # An elliptical follow-up borrows the previous question's subject.
    follow = _ask(page, "and when?")
    assert "Understood as" in follow.inner_text()
    assert "Iraqi official led the delegation to Washington" in follow.inner_text()
    assert follow.locator(".rag-answer strong").count() == 1

    # A question the articles cannot answer says so and marks the passages as not answering.
    declined = _ask(page, "What is a good recipe for banana bread?")
    assert "I couldn't find that in the articles." in declined.inner_text()
    assert declined.locator(".rag-not-answer").count() >= 1
    assert declined.locator("mark.rag-hl").count() == 0
    assert page.locator("#chatbot").get_by_text("Traceback").count() == 0
    _shot(page, "laptop-follow-up-and-abstention")
    page.close()


def test_upload_an_article_ask_about_it_then_remove_it(browser, server, tmp_path):
    article = tmp_path / "quillfeather lighthouse.txt"
    article.write_text(UPLOADED, encoding="utf-8")
    page = _open(browser, server, LAPTOP)
    page.get_by_role("tab", name="Library").click()
    page.wait_for_selector("#library-table")
    page.locator("#upload input[type=file]").set_input_files(str(article))
    page.wait_for_function(
        "document.querySelector('#library-status')?.innerText.includes('Added 1 article')",
        timeout=ANSWER_WAIT,
    )
    assert page.locator("#library-table").get_by_text("quillfeather_lighthouse.txt").count() >= 1
    assert (server.store / "uploads" / "quillfeather_lighthouse.txt").is_file()
    page.wait_for_timeout(300)
    _shot(page, "laptop-library")

    page.get_by_role("tab", name="Chat").click()
    reply = _ask(page, "Who replaced the lantern and the spiral staircase?")
    assert reply.locator(".rag-answer strong").inner_text() == "Odile Brannock"
    assert "quillfeather_lighthouse.txt" in reply.locator(".rag-source").first.inner_text()
    page.wait_for_selector("#rag-article mark.rag-hl")
    viewer = page.locator("#rag-article").inner_text()
    # Markup in an article is shown as text, never run.
    assert '<img src=x onerror="window.__injected=1">' in viewer
    assert "**foghorn**" in viewer and "fishermen's leader" in viewer
    assert "&#" not in viewer and "&#" not in reply.inner_text()
    assert page.locator("#source-html img, #chatbot .rag-reply img").count() == 0
    assert page.evaluate("window.__injected") is None

    page.get_by_role("tab", name="Library").click()
    page.locator("#remove-pick input").fill("quillfeather")
    page.locator("ul[role=listbox] li").filter(has_text="quillfeather_lighthouse.txt").first.click()
    page.click("#remove-btn")
    page.wait_for_function(
        "document.querySelector('#library-status')?.innerText.includes('Removed')"
    )
    assert page.locator("#library-table").get_by_text("quillfeather_lighthouse.txt").count() == 0
    assert not (server.store / "uploads" / "quillfeather_lighthouse.txt").exists()
    page.close()


def test_phone_width_is_readable(browser, server):
    page = _open(browser, server, PHONE)
    _shot(page, "phone-first-load")
    reply = _ask(page, "How much extra humanitarian assistance did the United States announce?")
    assert "155 million dollars" in reply.locator(".rag-answer strong").inner_text()
    assert reply.locator("mark.rag-hl").count() >= 1
    page.wait_for_selector("#rag-article mark.rag-hl")
    # The chat shows the start of the newest reply (the bold answer), not its last quote.
    page.wait_for_function("""() => {
        const a = [...document.querySelectorAll('#chatbot .rag-answer')].pop();
        const box = document.querySelector('#chatbot').getBoundingClientRect();
        const r = a && a.getBoundingClientRect();
        return r && r.top >= box.top && r.bottom <= box.bottom;
    }""")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # nothing wider than the screen
    _shot(page, "phone-answer")
    page.close()
