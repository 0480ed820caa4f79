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
    p.add_argument("--k", type=int, default=5, help="citations per answer (default 5)")
    p.add_argument("--report", metavar="DIR",
                   help="write report.json, report.md, misses.csv and PNG charts to DIR")
    p.add_argument("--min-f1", type=_ratio, metavar="X", help="exit 1 if F1 is under X")
    p.add_argument("--min-hit1", type=_ratio, metavar="X", help="exit 1 if hit@1 is under X")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def _fail(message: str, code: int = 1) -> int:
    message = " ".join(line.strip() for line in str(message).splitlines() if line.strip())
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
    except BrokenPipeError:
        # The reader closed the pipe (`rag ask ... | head -1`): the usual quiet exit.
        _silence_stdout()
        return 141
    except Exception as exc:  # a bug or an unforeseen fault: still one line, unless debugging
        if os.environ.get("RAG_DEBUG"):
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        return _fail(f"unexpected {type(exc).__name__}: {first} (RAG_DEBUG=1 shows the traceback)")


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush to a closed pipe is quiet."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind stdout: nothing will be flushed to a pipe
        pass


def cmd_ingest(args) -> int:
    from .documents import check_sources_exist
    from .pipeline import get_pipeline

    check_sources_exist(args.paths)  # before loading the model, so a typo fails at once

    report = get_pipeline(args.store or None, load_nlp=False).ingest(
        args.paths, rebuild=args.rebuild, prune=args.prune, progress=not args.quiet
    )
    print(report.summary())
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    return 1 if report.skipped else 0


def cmd_ask(args) -> int:
    from .pipeline import clean_question, get_pipeline

    question = clean_question(args.question)  # before loading the model, so bad input fails at once
    if question.truncated:
        print(f"rag: note: {question.note()}", file=sys.stderr)
    answer = get_pipeline(args.store or None).ask(args.question, k=args.k)
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
    from .eval_report import render_table, write_report
    from .evaluate import check_floors, evaluate, load_questions
    from .pipeline import get_pipeline

    questions = load_questions(args.questions)
    pipeline = get_pipeline(args.store or None)
    result = evaluate(questions, lambda q: pipeline.ask(q, k=args.k), progress=not args.quiet)
    failures = check_floors(result.metrics(), {"f1": args.min_f1, "hit@1": args.min_hit1})
    report = result.report(questions_file=args.questions, store=args.store or "(default)",
                           k=args.k, floors={"f1": args.min_f1, "hit@1": args.min_hit1},
                           failures=failures)
    print(render_table(report))
    if args.report:
        written = write_report(report, args.report)
        print(f"report: {', '.join(str(p) for p in written)}")
    for failure in failures:
        print(f"rag: eval: {failure}", file=sys.stderr)
    return 1 if failures else 0


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval}

if __name__ == "__main__":
    sys.exit(main())
