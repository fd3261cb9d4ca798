"""Buttons for a touch screen (the app served to a phone: studyaws.tui.served): a row of the
screen's actions, each a Button that runs one action of its screen, as its key would. The
screen says which show in each state (`show`); they are made once, so a state change only
shows and hides them. Pressing one does not take the focus (keys typed next go where they
went). The screen's check_action still decides whether the action acts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button

TouchButton = tuple[str, str, str]  # (name, label, the screen's action, e.g. "rate(1)")


class TouchBar(Horizontal):
    DEFAULT_CSS = """
    TouchBar { height: auto; padding: 0 1; background: $boost; }
    TouchBar Button, TouchBar Button:hover, TouchBar Button.-active {
        width: 1fr; min-width: 4; height: 3; margin: 0 1 0 0; padding: 0;
        border: none !important; background: $panel-lighten-2; text-style: bold;
    }
    TouchBar Button.-small { width: auto; padding: 0 1; }
    TouchBar Button.-chosen { background: $primary; }
    TouchBar Button:last-of-type { margin: 0; }
    TouchBar Button:hover { background: $panel-lighten-3; }
    TouchBar Button.-active { background: $primary-darken-1; }
    TouchBar.-line Button { height: 1; }
    TouchBar.-vertical { layout: vertical; padding: 1 0 0 0; background: transparent; }
    TouchBar.-vertical Button { width: 100%; height: 1; margin: 0 0 1 0; }
    """

    def __init__(self, buttons: list[TouchButton], *, small: tuple[str, ...] = (),
                 line: bool = False, vertical: bool = False, **kwargs):
        """`small`: names of buttons only as wide as their label (the others share the
        rest); `line`: one row high instead of three; `vertical`: one under the other."""
        super().__init__(**kwargs)
        self.buttons = buttons
        self.small = small
        if line:
            self.add_class("-line")
        if vertical:
            self.add_class("-vertical")

    def compose(self) -> ComposeResult:
        for name, label, action in self.buttons:
            button = Button(label, id=f"touch-{name}",
                            classes="-small" if name in self.small else "")
            button.can_focus = False
            button.touch_action = action
            yield button

    def show(self, *names: str, chosen: str | None = None) -> None:
        """Show the buttons named (in their order in the bar), hide the others; `chosen` is
        marked (a rating given)."""
        for name, _, _ in self.buttons:
            button = self.query_one(f"#touch-{name}", Button)
            button.display = name in names
            button.set_class(name == chosen, "-chosen")
        self.display = bool(names)

    def relabel(self, name: str, label: str) -> None:
        self.query_one(f"#touch-{name}", Button).label = label

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = getattr(event.button, "touch_action", None)
        if action:
            await self.screen.run_action(action)
