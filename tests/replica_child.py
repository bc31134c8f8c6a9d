"""One app replica in its own process for the server-store tests: a ``RagService`` from the
``RAG_*`` environment that answers one question per stdin line with one JSON line: the
generation it answered from, the passages (id, source, span) and the answer text."""

from __future__ import annotations

import json
import sys

from rag.config import load_settings
from rag.service import RagService
from rag.index.store import StoreUnavailable


def main() -> None:
    service = RagService(load_settings())
    print(json.dumps({"ready": service.generation.name}), flush=True)
    for line in sys.stdin:
        # The poller may switch generations while a question is answered: the answer is said to come
        # from a generation only when the service was on it both before and after answering.
        before = service.generation.name
        try:
            answer = service.ask(line.strip())
        except StoreUnavailable as exc:
            print(json.dumps({"error": str(exc)}), flush=True)
            continue
        after = service.generation.name
        print(json.dumps({
            "generation": after if before == after else "{} -> {}".format(before, after),
            "hits": [[h.passage.id, h.passage.source, h.passage.start, h.passage.end] for h in answer.hits],
            "text": answer.text,
        }, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
