"""Tiny inline corpora shared by the answer and CLI tests."""

STRATEGI = """Strategi för AI

1. Strategi

Kommunen behöver en tydlig strategi för hur AI ska användas i verksamheten. Strategin beslutas av kommunfullmäktige efter en bred dialog.

2. Dataskydd

Dataskyddsförordningen gäller när personuppgifter behandlas i ett AI-system. Kommunen måste göra en konsekvensbedömning innan systemet tas i bruk.
"""

SAMVERKAN = """Samverkan mellan kommuner

1. Samverkan

Små kommuner kan dela på kompetens genom att samverka med grannkommunerna. Gemensamma upphandlingar sänker kostnaderna för alla parter.
"""
