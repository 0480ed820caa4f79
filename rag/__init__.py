"""Extractive question answering over news articles, with exact citations."""

from .errors import InvalidQuestion, RagError, SourceNotFound, StoreError
from .pipeline import ask
from .schema import Answer, Citation

__all__ = ["ask", "Answer", "Citation", "RagError", "InvalidQuestion", "SourceNotFound", "StoreError"]
