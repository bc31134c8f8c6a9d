"""Grounded retrieval and cited answers over the report "Från insikt till handling"."""

from rag.config import Settings, load_settings
from rag.types import Answer, Citation, Document, Hit, Passage

__version__ = "0.1.0"
__all__ = ["Answer", "Citation", "Document", "Hit", "Passage", "Settings", "load_settings", "__version__"]
