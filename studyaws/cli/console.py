"""The command's standard output and error under any locale.

Under LC_ALL=C (or any terminal or pipe whose encoding is not Unicode) Python would stop a
command at its first `é` or `→`. There, each character the encoding lacks is written as its
nearest ASCII of the same width instead (`é` as `e`, `→` as `>`, a box line as `-` or `|`,
anything else as `?`), so that every command prints and the app keeps its layout. A file's
content sent to standard output (`studyaws export -o -`) is written as the file would be:
UTF-8 bytes.
"""

from __future__ import annotations

import codecs
import sys
from contextlib import suppress
from functools import lru_cache

ERRORS = "studyaws-nearest"


def prepare_streams() -> None:
    """Make standard output and error write what their encoding cannot show as its nearest
    ASCII (nothing changes on a UTF-8 terminal)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding or _is_unicode(encoding):
            continue
        codecs.register_error(ERRORS, nearest)
        # A stream that is not one of the io module's text files (a test's capture) is left.
        with suppress(AttributeError, ValueError):
            stream.reconfigure(errors=ERRORS)


def write_data(text: str) -> None:
    """`text` to standard output as UTF-8 bytes, whatever the locale (a file's content)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def _is_unicode(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def nearest(error: UnicodeError) -> tuple[str, int]:
    """The error handler: the characters that could not be encoded, as ASCII."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chars = error.object[error.start:error.end]
    return "".join(nearest_ascii(char) for char in chars), error.end


# Characters the app and the commands use, and common typography, by what they look like.
_LOOKALIKES = {
    "→": ">", "←": "<", "↑": "^", "↓": "v", "›": ">", "‹": "<", "«": "<", "»": ">",
    "·": ".", "•": "*", "…": ".", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
    "✓": "v", "✗": "x", "×": "x", "±": "+", "⏎": "|", "⚑": "!", "\xa0": " ",
}


@lru_cache(maxsize=1024)
def nearest_ascii(char: str) -> str:
    """One character as ASCII taking as many terminal cells (`?` when nothing is close)."""
    import unicodedata

    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        return "-" if "HORIZONTAL" in name else "|" if "VERTICAL" in name else "+"
    if name.endswith("SHADE") or name == "FULL BLOCK":
        return {"LIGHT SHADE": ".", "MEDIUM SHADE": ":"}.get(name, "#")
    if name.endswith("BLOCK"):
        if name.startswith(("LEFT", "RIGHT")):
            return "|"
        if name.startswith("UPPER"):
            return "-"
        return "_" if "ONE EIGHTH" in name or "ONE QUARTER" in name else "#"
    base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if len(base) == 1 and base.isprintable():
        return base
    return "??" if unicodedata.east_asian_width(char) in ("W", "F") else "?"
