"""Building the index: from files on disk to searchable passages.

Data flows through these modules in this order:

- ``loaders``: read a .txt, .md or .pdf file into a Document (text, source, pages);
  ``pages`` finds the printed page numbers.
- ``clean``: repair OCR damage with an offset map back to the source; ``readings`` chooses
  between the ways a damaged token can be read, ``lexicon`` says which word forms are Swedish.
- ``chunking``: split repaired text into Passages (section path, span, sentences);
  ``segments`` streams a file's passages in bounded pieces.
- ``store``: the index folder (Chroma vectors, passages, manifest) and its generations;
  ``bm25`` is the lexical index kept beside it.
- ``ingest``: add, update and remove files incrementally, under a lock.
"""
