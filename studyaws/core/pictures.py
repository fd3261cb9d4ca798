"""Pictures in card text: `![alt](path)` references, and the collection's copies they become.

An import copies each picture a card names into the collection's `media/` folder, named by
the hash of its bytes (so a picture used by many cards, or by many decks, is stored once),
and rewrites the reference to `![alt](media:NAME)`. Pure: nothing here reads a file, and
nothing is ever fetched from the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

MEDIA_PREFIX = "media:"
# The files a card may show: a deck cannot copy any other file into the collection (and
# from there into an export).
PICTURE_TYPES = ("png", "jpg", "jpeg", "gif", "webp", "bmp", "svg", "tif", "tiff", "avif")
MAX_PICTURE_BYTES = 5 * 1024 * 1024
TOO_BIG = "is over 5 MB"
# A stored picture's name: the SHA-256 of its bytes and its extension.
MEDIA_NAME = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
# `![alt](target)`, `![alt](<target with spaces>)`, with an optional "title".
_REF = re.compile(r"!\[([^\]\n]*)\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+\"[^\"\n]*\")?\s*\)")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]+:", re.IGNORECASE)


@dataclass(frozen=True)
class Ref:
    alt: str
    target: str
    start: int
    end: int

    @property
    def media(self) -> str | None:
        """The stored picture's name, when the reference is to one."""
        if self.target.startswith(MEDIA_PREFIX):
            name = self.target[len(MEDIA_PREFIX):]
            return name if MEDIA_NAME.match(name) else None
        return None

    @property
    def remote(self) -> bool:
        """An address on the network (never fetched)."""
        return bool(_REMOTE.match(self.target)) or self.target.lower().startswith(
            ("http:", "https:", "ftp:"))

    @property
    def local(self) -> bool:
        """A file's path (relative to the deck's folder, or absolute; `C:` is a drive)."""
        return not self.remote and not _SCHEME.match(self.target)


def refs(text: str) -> list[Ref]:
    """The picture references in `text`, in order."""
    if "![" not in text:
        return []
    return [Ref(m.group(1), (m.group(2) or m.group(3)).strip(), m.start(), m.end())
            for m in _REF.finditer(text)]


def rewrite(text: str, replace: Callable[[Ref], str | None]) -> str:
    """`text` with each reference replaced by what `replace` gives (None: kept)."""
    found = refs(text)
    if not found:
        return text
    parts: list[str] = []
    at = 0
    for ref in found:
        new = replace(ref)
        if new is not None:
            parts.append(text[at:ref.start])
            parts.append(new)
            at = ref.end
    parts.append(text[at:])
    return "".join(parts)


def reference(alt: str, target: str) -> str:
    """`![alt](target)`, its alt text kept to one line without brackets."""
    alt = " ".join(alt.replace("[", "(").replace("]", ")").split())
    if any(c in target for c in " ()<>"):
        target = "<" + target.replace("<", "%3C").replace(">", "%3E") + ">"
    return f"![{alt}]({target})"


def media_reference(alt: str, name: str) -> str:
    return reference(alt, MEDIA_PREFIX + name)


def picture_type(filename: str) -> str | None:
    """The picture type of a file by its extension (lower case), None when not a picture."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix if suffix in PICTURE_TYPES else None


def media_name(digest: str, filename: str) -> str:
    """The stored name of a picture with the SHA-256 `digest` whose file is `filename`."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    if not re.fullmatch(r"[a-z0-9]{1,8}", suffix):
        suffix = "bin"
    return f"{digest}.{suffix}"


@dataclass(frozen=True)
class Picture:
    alt: str
    name: str  # in media/


def pictures(text: str) -> list[Picture]:
    """The stored pictures `text` shows, in order, each once."""
    seen: dict[str, Picture] = {}
    for ref in refs(text):
        name = ref.media
        if name and name not in seen:
            seen[name] = Picture(ref.alt, name)
    return list(seen.values())


def placeholders(text: str) -> str:
    """Card Markdown with each stored picture named in words (the picture itself shows
    beside the text): `![VPC](media:…)` -> `*(picture: VPC)*`."""
    def named(ref: Ref) -> str | None:
        if ref.media is None:
            return None
        alt = re.sub(r"([\\`*_{}\[\]()#+!|<>~-])", r"\\\1", ref.alt) if ref.alt else ""
        return f"*(picture{': ' + alt if alt else ''})*"

    return rewrite(text, named)


def texts_of(value) -> list[str]:
    """Every string inside `value` (a payload: dicts, lists, strings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts_of(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in texts_of(v)]
    return []


def map_texts(value, change: Callable[[str], str]):
    """`value` with each string inside it changed by `change`."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {k: map_texts(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [map_texts(v, change) for v in value]
    if isinstance(value, tuple):
        return tuple(map_texts(v, change) for v in value)
    return value


def image_words(alt: str) -> str:
    """A picture that is not shown, named in words."""
    alt = " ".join(alt.split())
    return f"[image: {alt}]" if alt else "[image]"
