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
# paragraph separators, and lone surrogates (the bytes of a file name that is not UTF-8).
_UNSHOWN = re.compile(r"\r\n|[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
LINE_BREAK_MARK = "⏎"
REPLACEMENT = "\ufffd"


def _caret(char: str) -> str:
    """ESC as `^[`, BEL as `^G`, DEL as `^?`: the notation of `cat -v` and terminals."""
    return "^" + chr(ord(char) ^ 0x40)


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` as it may be written to a terminal: C0 controls and DEL in caret notation
    (`^[`), C1 controls and undecodable bytes as U+FFFD. One line (a name, a path, a title,
    a problem) stays one line: a line break shows as `⏎`, a tab as a space. With `multiline`
    (card text), line breaks (`\\r\\n` too) and tabs are kept."""

    def shown(match: re.Match) -> str:
        char = match.group()
        if char in ("\n", "\r\n", "\u2028", "\u2029"):
            return "\n" if multiline else LINE_BREAK_MARK
        if char == "\t":
            return "\t" if multiline else " "
        if char < "\x20" or char == "\x7f":
            return _caret(char)
        return REPLACEMENT

    return _UNSHOWN.sub(shown, text)
