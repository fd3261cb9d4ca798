"""A deck's options from home (`o`): the presets, the one it uses, and each preset's name
and values (new cards a day, reviews a day, desired retention), and whether it has FSRS
parameters of its own (read-only: `studyaws optimize --preset NAME` fits them). Enter on a preset gives it
to the deck; Ctrl+S saves the values shown (and the name) and gives that preset to the
deck; Ctrl+N makes a new preset from the one highlighted. Nothing is written when a value
is refused: the line under the fields says why."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from studyaws.core.config import PRESET_KEYS, SettingError, parse_preset_value, preset_name
from studyaws.core.text import printable
from studyaws.services import presets as service
from studyaws.tui.screens.modals import boxed

FIELDS = (("name", "Name"), ("new-per-day", "New cards a day"),
          ("reviews-per-day", "Reviews a day"), ("desired-retention", "Desired retention"))


def describe(preset: service.Preset, decks: int) -> Content:
    return Content.assemble(
        (printable(preset.name), "bold"),
        (f"  {preset.new_per_day} new · {preset.reviews_per_day} reviews · "
         f"{preset.desired_retention:.2f} · {decks} deck{'s' if decks != 1 else ''}",
         "$foreground-muted"))


class DeckOptionsScreen(ModalScreen[str | None]):
    """Returns what was done (for a notice), or None when nothing was."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save and use", priority=True, id="options.save"),
        Binding("ctrl+n", "new_preset", "New preset", priority=True, id="options.new"),
        Binding("escape", "cancel", "Close", priority=True, id="options.cancel"),
    ]
    DEFAULT_CSS = """
    DeckOptionsScreen > .modal-box { width: 76; }
    #options-presets { height: auto; max-height: 6; margin: 0 0 1 0; }
    .options-row { height: 1; }
    .options-row.-last { margin-bottom: 1; }
    .options-row Label { width: 20; padding: 0 1 0 0; }
    .options-row Input { width: 1fr; height: 1; border: none; padding: 0 1;
                         background: $boost; }
    .options-row Input:focus { border: none; background: $primary 30%; }
    .options-row Input:disabled { background: transparent; }
    #options-error { height: auto; color: $error; }
    """

    def __init__(self, deck_id: int, deck_title: str):
        super().__init__()
        self.deck_id = deck_id
        self.deck_title = deck_title
        self.presets: list[tuple[service.Preset, int]] = []
        self.changed = ""

    def compose(self) -> ComposeResult:
        with boxed(Vertical(classes="modal-box"), f"Options: {printable(self.deck_title)}",
                   "close"):
            yield Static(id="options-using")
            yield OptionList(id="options-presets")
            for key, label in FIELDS:
                last = " -last" if key == FIELDS[-1][0] else ""
                with Horizontal(classes=f"options-row{last}"):
                    yield Label(label)
                    yield Input(id=f"options-{key}")
            yield Static(id="options-parameters", classes="muted")
            yield Static(id="options-error")
            yield Static(Content.assemble(
                ("Enter", "bold"), " use this preset  ·  ", ("Ctrl+S", "bold"),
                " save the values and use  ·  ", ("Ctrl+N", "bold"), " new preset"),
                classes="muted")

    def on_mount(self) -> None:
        using = service.deck_preset(self.app.engine, self.deck_id)
        self.load(using.name)
        self.query_one(OptionList).focus()

    def load(self, highlight: str) -> None:
        """The presets again, the one named `highlight` highlighted and in the fields."""
        self.presets = service.all_presets(self.app.engine)
        using = service.deck_preset(self.app.engine, self.deck_id)
        self.query_one("#options-using", Static).update(Content.assemble(
            "Uses ", (printable(using.name), "bold")))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(describe(p, decks), id=str(n))
                             for n, (p, decks) in enumerate(self.presets)])
        names = [p.name for p, _ in self.presets]
        options.highlighted = names.index(highlight) if highlight in names else 0
        self.fill()

    def current(self) -> service.Preset | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None else self.presets[index][0]

    def fill(self) -> None:
        preset = self.current()
        if preset is None:
            return
        values = {"name": preset.name, "new-per-day": str(preset.new_per_day),
                  "reviews-per-day": str(preset.reviews_per_day),
                  "desired-retention": f"{preset.desired_retention:g}"}
        for key, _ in FIELDS:
            field = self.query_one(f"#options-{key}", Input)
            field.value = printable(values[key])
            if key == "name":
                field.disabled = preset.id is None  # Default keeps its name
        self.query_one("#options-parameters", Static).update(Content(
            f"FSRS parameters: {service.parameters_text(preset)}"))
        self.query_one("#options-error", Static).update("")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.fill()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        preset = self.current()
        if preset is not None:
            self.use(preset.name)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def error(self, text: str) -> None:
        self.query_one("#options-error", Static).update(Content(text))

    def use(self, name: str) -> None:
        preset = service.assign_preset(self.app.engine, self.deck_id, name)
        self.dismiss(f"{self.changed}{printable(self.deck_title)} uses {preset.name}")

    def action_save(self) -> None:
        preset = self.current()
        if preset is None:
            return
        texts = {key: self.query_one(f"#options-{key}", Input).value for key, _ in FIELDS}
        try:  # everything checked before anything is written
            for key in PRESET_KEYS:
                parse_preset_value(key, texts[key])
            name = preset.name if preset.id is None else preset_name(texts["name"])
            other = service.find_preset(self.app.engine, name)
            if other is not None and other.id != preset.id:
                raise SettingError(f"there is a preset called {other.name!r} already")
        except SettingError as exc:
            self.error(str(exc))
            return
        try:
            if name != preset.name:
                service.rename_preset(self.app.engine, preset.name, name)
            for key in PRESET_KEYS:
                _, warning = service.set_preset_value(self.app.engine, self.app.clock, name,
                                                      key, texts[key], create=False)
                if warning:
                    self.notify(warning, severity="warning", markup=False)
        except service.PresetError as exc:
            self.error(str(exc))
            return
        self.changed = f"Saved {name}; "
        self.use(name)

    def action_new_preset(self) -> None:
        base = self.current()
        names = {p.name.lower() for p, _ in self.presets}
        number = len(self.presets) + 1
        while f"preset {number}" in names:
            number += 1
        created = service.create_preset(self.app.engine, f"Preset {number}", base)
        self.load(created.name)
        self.query_one("#options-name", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
