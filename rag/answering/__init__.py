"""Answering a question: from the typed question to a cited answer.

Data flows through these modules in this order:

- ``query``: the question as typed becomes a Query; ``followup`` understands a follow-up from
  the conversation, ``translate`` gives an English question Swedish terms for BM25.
- ``retrieval``: dense and BM25 search fused into ranked Hits.
- ``selection``: candidate sentences scored (weights in ``selection_weights``) and chained.
- ``abstention``: answer, partial answer or decline.
- ``compose``: the answer in parts with its citations; ``answer`` runs the extractive path end to end.
- ``generative`` (with ``prompts``, ``validate`` and the factory in ``llm``): an answer written by the
  operator's LLM endpoint and checked sentence by sentence against the cited passages.

``messages`` holds every user-facing string in Swedish and English.
"""
