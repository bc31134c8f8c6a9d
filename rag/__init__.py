"""Grounded retrieval and cited answers over the report "Från insikt till handling"."""
