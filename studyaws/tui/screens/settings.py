"""Settings: every scheduling option, checked before it is saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from studyaws.core.config import SettingError
from studyaws.services.settings import change_setting, load_settings, settings_items
from studyaws.tui.widgets.footer import KeysFooter

HELP = {
    "desired-retention": "chance of recall at review time (0.70-0.99)",
    "learning-steps": "minutes between first answers of a new card",
    "relearning-steps": "minutes between answers after a lapse",
    "maximum-interval": "days at most between reviews",
    "fuzz": "spread intervals a little (on/off)",
    "new-per-day": "new cards introduced a day",
    "reviews-per-day": "review cards answered a day at most",
    "day-starts-at": "local hour the next study day starts",
    "leech-threshold": "lapses before a card is suspended as a leech",
    "easy-seconds": "a right objective answer faster than this is Easy",
    "exam-feeds-schedule": "mock-exam answers update the schedule (on/off)",
    "exam-date": "YYYY-MM-DD, or none",
    "target-exam": "the exam readiness is for: saa-c03 or clf-c02",
}


class SettingsScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "leave", "Back", id="settings.back"),
    ]
    DEFAULT_CSS = """
    #settings-form { height: 1fr; padding: 1 2; }
    .setting-row { height: 3; }
    .setting-row Label { width: 28; padding: 1 1 0 0; }
    .setting-row Input { width: 30; }
    .setting-row .setting-help { width: 1fr; padding: 1 0 0 1; color: $text-muted; }
    #settings-error { height: auto; padding: 0 2; color: $error; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Settings", id="settings-title", classes="title-bar")
        with VerticalScroll(id="settings-form"):
            for name, value in settings_items(load_settings(self.app.engine)):
                with Horizontal(classes="setting-row"):
                    yield Label(Content(name))
                    yield Input(value, id=f"set-{name}", select_on_focus=False)
                    yield Static(Content(HELP.get(name, "")), classes="setting-help")
        yield Static(id="settings-error")
        yield KeysFooter()

    def action_save(self) -> None:
        errors, warnings = [], []
        saved = 0
        current = dict(settings_items(load_settings(self.app.engine)))
        for field in self.query(Input):
            name = field.id.removeprefix("set-")
            if field.value.strip() == current.get(name):
                continue
            try:
                _, warning = change_setting(self.app.engine, self.app.clock, name, field.value)
                saved += 1
                if warning:
                    warnings.append(warning)
            except SettingError as exc:
                errors.append(str(exc))
        self.query_one("#settings-error", Static).update(Content("\n".join(errors + warnings)))
        if not errors:
            self.notify(f"Saved {saved} setting{'s' if saved != 1 else ''}.", markup=False)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_leave(self) -> None:
        self.app.pop_screen()
