"""Grounded retrieval and cited answers over the report "Från insikt till handling"."""

__version__ = "0.1.0"
