"""The browser chat (Gradio). Renders answers; all logic lives in the pipeline."""

from __future__ import annotations

import html

from .pipeline import get_pipeline
from .schema import Answer

__all__ = ["build_app", "launch", "format_answer"]


def format_answer(answer: Answer) -> str:
    """Markdown for one reply; article text is escaped so it shows as text, never as HTML."""
    parts = []
    if answer.abstained:
        parts.append("**I couldn't find that in the articles.** The closest passages (they do not answer it):")
    else:
        parts.append(f"**{html.escape(answer.answer)}**")
        note = f" · {html.escape(answer.note)}" if answer.note else ""
        parts.append(f"confidence {answer.confidence:.2f}{note}")
    for n, c in enumerate(answer.citations, 1):
        parts.append(f"[{n}] *{html.escape(c.title)}* — `{html.escape(c.source)}`\n> {html.escape(c.text)}")
    return "\n\n".join(parts)


def build_app(store=None):
    import gradio as gr

    pipeline = get_pipeline(store)

    def respond(message, history):
        try:
            return format_answer(pipeline.ask(message))
        except ValueError as exc:
            return str(exc)

    return gr.ChatInterface(respond, title="Ask the news articles")


def launch(store=None, host: str = "127.0.0.1", port: int = 7860) -> None:
    build_app(store).launch(server_name=host, server_port=port)
