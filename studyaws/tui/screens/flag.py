"""Flagging a card: `f` then a digit (1-4 a colour, 0 none). A terminal seldom sends Ctrl+1-4
(Anki's keys), so the flag is a two-key sequence, with this box saying the second key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from studyaws.services.flags import FLAG_NAMES
from studyaws.tui.widgets.touch_bar import TouchBar

# Fixed colours (as Anki's), readable on a dark and a light theme.
FLAG_STYLES = {1: "bold #e5484d", 2: "bold #f59e0b", 3: "bold #30a46c", 4: "bold #3e8ed0"}


def flag_mark(flag: int) -> Content:
    """`⚑ red` in its colour; nothing for no flag."""
    if flag not in FLAG_NAMES:
        return Content("")
    return Content.styled(f"⚑ {FLAG_NAMES[flag]}", FLAG_STYLES[flag])


class FlagScreen(ModalScreen[int | None]):
    """Dismissed with the flag chosen (0-4), or None when left with Escape. `current`: the
    flag now (0 none), or -1 when there is not one (cards with different flags)."""

    BINDINGS = [
        *(Binding(str(n), f"choose({n})", show=False) for n in range(5)),
        Binding("escape,f", "dismiss(None)", "Close"),
    ]

    def __init__(self, current: int):
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        parts: list = []
        for flag in FLAG_NAMES:
            parts += [(f" {flag}  ", "bold"), flag_mark(flag),
                      ("  (now)" if flag == self.current else "", "$foreground-muted"), "\n"]
        parts += [(" 0  ", "bold"), "no flag",
                  ("  (now)" if self.current == 0 else "", "$foreground-muted")]
        from studyaws.tui.screens.modals import boxed  # not with the flag's mark (a header)

        with boxed(Vertical(classes="modal-box"), "Flag"):
            yield Static(Content.assemble(*parts))
            if self.app.served is not None:
                yield TouchBar([*((name, name.capitalize(), f"choose({flag})")
                                  for flag, name in FLAG_NAMES.items()),
                                ("none", "No flag", "choose(0)")], id="touch-steps",
                               vertical=True)

    def action_choose(self, flag: int) -> None:
        self.dismiss(flag)
