"""Index the corpus (or the given files/folders): `python ingest.py [PATHS] [--index-dir DIR]`.

A thin entry point; the work happens in rag.index.ingest through the `rag ingest` command.
"""

import sys

from rag.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
