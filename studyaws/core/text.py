"""Card text is data: strip terminal control characters, keep everything else as typed."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (ESC sequences lose their ESC).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)
