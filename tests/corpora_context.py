"""A tiny corpus whose first chapter packs into two passages at chunk_chars=200, so a passage
has a neighbour in its section, and whose second chapter holds markup that must never run."""

VAGLEDNING = """Vägledning för AI

1. Ledning

Ledningen behöver förstå vad AI kan göra för verksamheten.
Det kräver tid och utbildning för chefer på alla nivåer.

Kommunen bör börja med ett litet och tydligt avgränsat projekt.
Ett lyckat första projekt bygger förtroende hos medarbetarna.

Resultaten ska följas upp mot de mål som sattes i början.
Uppföljningen visar om nyttan blev den som var tänkt.

2. Säkerhet

Texten <script>alert("x")</script> och <img src=x onerror="alert(1)"> visas som text.
"""

# Passage ids and source spans of VAGLEDNING as "rapport.txt" at chunk_chars=200.
LEDNING_1 = "b931edf0d56a14e9"  # source 31..211, lines 5-8
LEDNING_2 = "25278651247fa899"  # source 212..386, lines 9-12
SAKERHET = "57eb02c5b6072dcc"  # source 401..486, line 16
