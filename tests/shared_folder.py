"""Where the project's shared folder is (the source article, the W3C protocol cases).

A module of its own, so that the conftest and the helpers it imports share it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The project's shared folder (the source article, the W3C protocol cases):
    ``$GBKG_SHARED``, or ``../shared`` beside the checkout."""
    return Path(os.environ.get("GBKG_SHARED", REPO.parent / "shared"))


def missing_shared(what: str, path: Path) -> str:
    """The reason of a skip for want of a file of the shared folder: what to set."""
    return (
        f"{what} is not at {path}: set GBKG_SHARED to a copy of the project's shared folder "
        "(default: ../shared beside the checkout)"
    )
