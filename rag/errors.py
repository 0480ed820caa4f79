"""Errors meant to be shown to users as one line.

    RagError
     ├── InvalidQuestion (also a ValueError)
     ├── SourceNotFound (also a FileNotFoundError)
     ├── UnusableFile (one file cannot be ingested; ingest skips it with this reason)
     └── StoreError
"""

from __future__ import annotations

__all__ = ["RagError", "InvalidQuestion", "SourceNotFound", "UnusableFile", "StoreError"]


class RagError(Exception):
    """Base of every error the package raises on purpose."""


class InvalidQuestion(RagError, ValueError):
    """The question cannot be asked (empty, whitespace only, no words at all, not text)."""


class SourceNotFound(RagError, FileNotFoundError):
    """A path given to ingest does not exist."""


class UnusableFile(RagError):
    """A file that cannot be an article (binary, too large, not a regular file); the message
    is the one-line reason shown in the ingest summary."""


class StoreError(RagError):
    """The vector store cannot be opened or reached."""
