"""Settings: where the default store and the seed articles live, read once at the edge."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "project_root"]


def project_root() -> Path:
    """The checkout holding ``seeds/`` (the package's parent), else the working directory."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "seeds").is_dir() else Path.cwd()


@dataclass(frozen=True)
class Settings:
    store: str  # a folder (embedded Chroma) or http://host:port (a Chroma server)
    seeds: Path  # ingested into an empty default store on first use
    k: int = 5

    @classmethod
    def from_env(cls) -> Settings:
        root = project_root()
        return cls(
            store=os.environ.get("RAG_STORE") or str(root / "vectorstore"),
            seeds=Path(os.environ.get("RAG_SEEDS") or root / "seeds"),
        )
