"""The `rag` command: ingest, ask, chat, eval. Parses, calls the library, prints."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from .errors import InvalidQuestion, RagError

__all__ = ["main"]

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Extractive question answering over news articles."
    )
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", help="store folder or http://HOST:PORT of a Chroma server "
                       "(default: $RAG_STORE or ./vectorstore)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[store], help="add .txt/.md/.html files or folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--rebuild", action="store_true", help="empty the store first")
    p.add_argument("--prune", action="store_true", help="drop stored files that are gone")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("ask", parents=[store], help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--k", type=int, default=5, help="citations to return (default 5)")

    p = sub.add_parser("chat", parents=[store], help="open the browser chat")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)

    p = sub.add_parser("eval", parents=[store], help="score a JSON-lines question set")
    p.add_argument("questions", metavar="QUESTIONS.jsonl")
    p.add_argument("--k", type=int, default=5)
    return parser


def _fail(message: str, code: int = 1) -> int:
    print(f"rag: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.WARNING, format="rag: warning: %(message)s")
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InvalidQuestion as exc:
        return _fail(str(exc), EXIT_USAGE)
    except RagError as exc:
        return _fail(str(exc), EXIT_USAGE if isinstance(exc, FileNotFoundError) else 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def cmd_ingest(args) -> int:
    from .errors import SourceNotFound
    from .pipeline import get_pipeline

    for path in args.paths:  # before loading the model, so a typo fails at once
        if not os.path.exists(path):
            raise SourceNotFound(f"no such file or folder: {path}")

    report = get_pipeline(args.store or None, load_nlp=False).ingest(
        args.paths, rebuild=args.rebuild, prune=args.prune, progress=not args.quiet
    )
    print(report.summary())
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    return 1 if report.skipped else 0


def cmd_ask(args) -> int:
    from .pipeline import get_pipeline, validate_question

    question = validate_question(args.question)
    answer = get_pipeline(args.store or None).ask(question, k=args.k)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_answer(answer))
    return 0


def render_answer(answer) -> str:
    lines = []
    if answer.abstained:
        lines.append("I couldn't find that in the articles.")
        lines.append(f"  confidence {answer.confidence:.2f}; closest passages (not answers):")
    else:
        lines.append(answer.answer)
        extra = f" · {answer.note}" if answer.note else ""
        lines.append(f"  confidence {answer.confidence:.2f}{extra}")
    for n, c in enumerate(answer.citations, 1):
        lines.append(f"  [{n}] {c.source} [{c.start}:{c.end}] — {c.title}")
        lines.append(f"      {c.text}")
    return "\n".join(lines)


def cmd_chat(args) -> int:
    from .app import launch

    launch(store=args.store or None, host=args.host, port=args.port)
    return 0


def cmd_eval(args) -> int:
    from .evaluate import evaluate, load_questions
    from .pipeline import get_pipeline

    questions = load_questions(args.questions)
    pipeline = get_pipeline(args.store or None)
    result = evaluate(questions, lambda q: pipeline.ask(q, k=args.k))
    for name, value in result.metrics().items():
        print(f"{name:>20}  {value:.3f}" if isinstance(value, float) else f"{name:>20}  {value}")
    return 0


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval}

if __name__ == "__main__":
    sys.exit(main())
