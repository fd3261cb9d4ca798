"""Served mode: the app in a browser (`studyaws serve`), where whoever holds the page is not
at this machine. Nothing there may reach the machine beyond the collection: import reads only
under `import_root` (none: no import), and nothing is written outside the data folder (no
screenshots, no editor on the deck files, no picture viewer). The screens show touch buttons
for every step of a review and an exam."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Served:
    data_folder: Path
    import_root: Path | None = None

    def may_read(self, path: Path) -> bool:
        """`path` is under the import root (after following links and `..`)."""
        if self.import_root is None:
            return False
        root = self.import_root.resolve()
        try:
            resolved = Path(path).expanduser().resolve()
        except (OSError, RuntimeError):
            return False
        return resolved == root or root in resolved.parents


NOT_SERVED = ("Not in the browser: the app served by studyaws serve does not {what} on the "
              "server's machine.")


def refusal(what: str) -> str:
    return NOT_SERVED.format(what=what)
