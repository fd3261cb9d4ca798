"""Settings: every scheduling option, checked before it is saved. Leaving with changes not
saved asks first: save them, discard them, or keep editing."""

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
    "desired-retention": "chance of recall at review time (0.70-0.99; Default preset)",
    "learning-steps": "minutes between first answers of a new card",
    "relearning-steps": "minutes between answers after a lapse",
    "maximum-interval": "days at most between reviews",
    "fuzz": "spread intervals a little (on/off)",
    "new-per-day": "new cards a day (Default preset; all decks together)",
    "reviews-per-day": "reviews a day at most (Default preset; all decks together)",
    "day-starts-at": "local hour the next study day starts",
    "leech-threshold": "lapses before a card is suspended as a leech",
    "easy-seconds": "a right objective answer faster than this is Easy",
    "exam-feeds-schedule": "mock-exam answers update the schedule (on/off)",
    "exam-date": "YYYY-MM-DD, or none",
    "target-exam": "the exam readiness is for: saa-c03 or clf-c02",
    "max-study-minutes": "the daily load an exam plan may ask for, in minutes",
    "load-balance": "reviews go to the lighter days of their fuzz range (on/off)",
    "easy-days": "days of the week with about half the reviews: sat,sun or none",
    "review-order": "due reviews by: due, retrievability (lowest first) or random",
    "new-while-backlog": "new cards while more reviews are due than the limit (on/off)",
}


class SettingsScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "leave", "Back", id="settings.back"),
    ]
    DEFAULT_CSS = """
    #settings-form { height: 1fr; padding: 1 2; }
    .setting-row { height: auto; min-height: 3; }
    .setting-row Label { width: 21; padding: 1 1 0 0; }
    .setting-row Input { width: 24; }
    .setting-row .setting-help { width: 1fr; height: auto; padding: 1 0 0 1; color: $text-muted; }
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

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def edited(self) -> list[str]:
        """The settings whose field differs from what is stored."""
        current = dict(settings_items(load_settings(self.app.engine)))
        return [name for field in self.query(Input)
                if field.value.strip() != current.get(name := field.id.removeprefix("set-"))]

    def action_save(self) -> bool:
        """Save every changed field; True when each was accepted. A field that was saved
        shows the value as stored (0.90 becomes 0.9); one refused keeps what was typed."""
        errors, warnings = [], []
        saved = []
        for name in self.edited():
            field = self.query_one(f"#set-{name}", Input)
            try:
                _, warning = change_setting(self.app.engine, self.app.clock, name, field.value)
                saved.append(field)
                if warning:
                    warnings.append(warning)
            except SettingError as exc:
                errors.append(str(exc))
        current = dict(settings_items(load_settings(self.app.engine)))
        for field in saved:
            field.value = current[field.id.removeprefix("set-")]
        self.query_one("#settings-error", Static).update(Content("\n".join(errors + warnings)))
        if not errors:
            count = len(saved)
            self.notify(f"Saved {count} setting{'s' if count != 1 else ''}.", markup=False)
        return not errors

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_leave(self) -> None:
        """Back to the home screen; with changes not saved, ask first."""
        from studyaws.tui.screens.modals import UnsavedChangesScreen

        edited = self.edited()
        if not edited:
            self.dismiss()
            return

        def chosen(choice: str | None) -> None:
            if choice == "discard" or (choice == "save" and self.action_save()):
                self.dismiss()

        self.app.push_screen(UnsavedChangesScreen(edited), chosen)
