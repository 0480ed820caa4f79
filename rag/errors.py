"""Errors meant to be shown to users as one line.

    RagError
     ├── InvalidQuestion (also a ValueError)
     ├── SourceNotFound (also a FileNotFoundError)
     └── StoreError
"""

from __future__ import annotations

__all__ = ["RagError", "InvalidQuestion", "SourceNotFound", "StoreError"]


class RagError(Exception):
    """Base of every error the package raises on purpose."""


class InvalidQuestion(RagError, ValueError):
    """The question cannot be asked (empty, whitespace only, ...)."""


class SourceNotFound(RagError, FileNotFoundError):
    """A path given to ingest does not exist."""


class StoreError(RagError):
    """The vector store cannot be opened or reached."""
