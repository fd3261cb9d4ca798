"""The media folder beside a SQLite collection, as it is read before the collection is
open: whether it holds pictures (the command line asks, before Textual takes the terminal)
and where a picture of the first card is (services.first_card). The rest of the pictures'
work, which needs the collection, is services.media."""

from __future__ import annotations

from pathlib import Path

from studyaws.core import pictures

MEDIA_FOLDER = "media"


def folder_has_pictures(folder: Path | None) -> bool:
    """Whether a collection's media folder holds a picture (stops at the first)."""
    if folder is None or not folder.is_dir():
        return False
    return any(p.is_file() and pictures.MEDIA_NAME.match(p.name) for p in folder.iterdir())


def picture_in(folder: Path | None, name: str) -> Path | None:
    """Where a stored picture is in the media folder `folder` (None: there is none)."""
    if folder is None or not pictures.MEDIA_NAME.match(name):
        return None
    path = folder / name
    return path if path.is_file() else None
