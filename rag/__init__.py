"""Grounded retrieval and cited answers over the report "Från insikt till handling"."""

from rag.config import Settings, load_settings
from rag.types import Answer, Citation, Document, Hit, Passage

__version__ = "0.1.0"
__all__ = ["Answer", "Citation", "Document", "Hit", "Passage", "RagService", "Settings", "load_settings", "__version__"]


def __getattr__(name: str):
    # RagService pulls in the embedder, Chroma and langchain; importing it lazily keeps `import rag`
    # (and every module that only needs settings or types) cheap.
    if name == "RagService":
        from rag.service import RagService

        return RagService
    raise AttributeError("module 'rag' has no attribute {!r}".format(name))
