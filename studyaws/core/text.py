"""Text from users' files, made safe twice: `clean` when it is imported (control characters
dropped, line ends made `\\n`), `printable` whenever it is shown (control characters made
visible, so that nothing a file, a file name or a restored collection holds can drive the
terminal)."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (ESC sequences lose their ESC).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


# What `printable` replaces: every C0 control, DEL, the C1 controls, the Unicode line and
# paragraph separators.
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LINE_BREAK_MARK = "⏎"
REPLACEMENT = "\ufffd"


def _caret(char: str) -> str:
    """ESC as `^[`, BEL as `^G`, DEL as `^?`: the notation of `cat -v` and terminals."""
    return "^" + chr(ord(char) ^ 0x40)


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` as it may be written to a terminal: C0 controls and DEL in caret notation
    (`^[`), C1 controls as U+FFFD, the undecodable bytes of a file name read as UTF-8. One
    line (a name, a path, a title, a problem) stays one line: a line break shows as `⏎`, a
    tab as a space. With `multiline` (card text), line breaks (`\\r\\n` too) and tabs are
    kept."""

    def shown(match: re.Match) -> str:
        char = match.group()
        if char in ("\n", "\u2028", "\u2029"):
            return "\n" if multiline else LINE_BREAK_MARK
        if char == "\t":
            return "\t" if multiline else " "
        if char < "\x20" or char == "\x7f":
            return _caret(char)
        return REPLACEMENT

    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # surrogates
            text = _from_file_system(text)
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return _UNSHOWN.sub(shown, text)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _from_file_system(text: str) -> str:
    """A name Python decoded with `surrogateescape` (under LC_ALL=C, `été` arrives as six
    undecodable bytes): its bytes read as UTF-8, the rest as U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return _SURROGATE.sub(REPLACEMENT, text)


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """A key that sorts names as people read them: `Practice Exam 2` before `Practice Exam
    10`, case aside (the text itself breaks ties)."""
    parts = _DIGITS.split(text.casefold())
    return tuple((int(part), part) if n % 2 else part for n, part in enumerate(parts)), text


def path_text(path) -> str:
    """A file's path as text that can be stored and shown: its bytes read as UTF-8, whatever
    the locale decoded them as (under LC_ALL=C, Python holds `été.md` as undecodable bytes,
    which SQLite refuses); bytes that are not UTF-8 become U+FFFD."""
    import os

    return os.fsencode(path).decode("utf-8", "replace")
