"""Deck options as presets, as Anki has them: a named preset (new cards a day, reviews a day,
desired retention) that decks use. Every deck uses the Default preset until given another;
the Default preset's values are the settings new-per-day, reviews-per-day and
desired-retention (changing one changes the other), which are also the collection's own
limits (services.limits).

A named preset may also hold its own FSRS parameters, fitted on its decks' reviews alone
(services.optimizer, `studyaws optimize --preset NAME`); its decks are then scheduled with
them and its desired retention (DeckSchedulers). Without them, and for the Default preset,
the collection's parameters are used."""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.core.config import (
    DEFAULT_PRESET,
    PRESET_KEYS,
    Preset,
    SettingError,
    default_preset,
    parse_preset_value,
    preset_name,
)
from studyaws.core.srs import policy
from studyaws.store import presets as store
from studyaws.store.settings import load_settings

__all__ = ["DEFAULT_PRESET", "PRESET_KEYS", "Preset", "PresetError", "all_presets",
           "DeckSchedulers", "assign_preset", "create_preset", "deck_preset", "find_preset",
           "parameters_text", "rename_preset", "reset_parameters", "set_preset_value"]


class PresetError(ValueError):
    """A preset change that cannot be made; the message says why. Nothing was written."""


def all_presets(engine: Engine) -> list[tuple[Preset, int]]:
    """Every preset, Default first, with how many decks use it."""
    used = store.preset_decks(engine)
    default = default_preset(load_settings(engine))
    return [(default, used.get(None, 0))] + [(preset, used.get(preset.id, 0))
                                             for preset in store.named_presets(engine)]


def find_preset(engine: Engine, name: str) -> Preset | None:
    """The preset called `name` (any case), or None."""
    if name.strip().lower() == DEFAULT_PRESET.lower():
        return default_preset(load_settings(engine))
    return store.preset_by_name(engine, " ".join(name.split()))


def _checked_name(engine: Engine, text: str, current: int | None = -1) -> str:
    try:
        name = preset_name(text)
    except SettingError as exc:
        raise PresetError(str(exc)) from None
    existing = find_preset(engine, name)
    if existing is not None and existing.id != current:
        raise PresetError(f"there is a preset called {existing.name!r} already")
    return name


def create_preset(engine: Engine, name: str, based_on: Preset | None = None) -> Preset:
    """A new preset with the values of `based_on` (the Default preset when None)."""
    name = _checked_name(engine, name)
    base = based_on or default_preset(load_settings(engine))
    store.create_preset(engine, name, base.new_per_day, base.reviews_per_day,
                        base.desired_retention)
    return find_preset(engine, name)


def rename_preset(engine: Engine, old: str, new: str) -> Preset:
    preset = find_preset(engine, old)
    if preset is None:
        raise PresetError(f"no preset called {old!r} (see: studyaws presets list)")
    if preset.id is None:
        raise PresetError("the Default preset keeps its name")
    name = _checked_name(engine, new, preset.id)
    store.rename_preset(engine, preset.id, name)
    return find_preset(engine, name)


def set_preset_value(engine: Engine, clock: Clock, name: str, key: str, text: str,
                     *, create: bool = True) -> tuple[Preset, str]:
    """Check and store one value of a preset (a preset not there yet is made from the
    Default preset's values, with `create`); returns the preset and a warning (as the
    settings give one for the Default preset's new-per-day under an exam plan)."""
    key = key.strip().lower().replace("_", "-")
    try:
        value = parse_preset_value(key, text)
    except SettingError as exc:
        raise PresetError(str(exc)) from None
    preset = find_preset(engine, name)
    if preset is None and not create:
        raise PresetError(f"no preset called {name!r} (see: studyaws presets list)")
    if preset is not None and preset.id is None:
        from studyaws.services.settings import change_setting

        try:
            _, warning = change_setting(engine, clock, key, text)
        except SettingError as exc:
            raise PresetError(str(exc)) from None
        return find_preset(engine, name), warning
    if preset is None:
        preset_name_ = _checked_name(engine, name)
        base = default_preset(load_settings(engine))
        values = {"new-per-day": base.new_per_day, "reviews-per-day": base.reviews_per_day,
                  "desired-retention": base.desired_retention, key: value}
        store.create_preset(engine, preset_name_, values["new-per-day"],
                            values["reviews-per-day"], values["desired-retention"])
        return find_preset(engine, preset_name_), ""
    store.set_preset_value(engine, preset.id, key, value)
    return find_preset(engine, preset.name), ""


def assign_preset(engine: Engine, deck_id: int, name: str) -> Preset:
    """Make the deck use the preset called `name`."""
    preset = find_preset(engine, name)
    if preset is None:
        raise PresetError(f"no preset called {name!r} (see: studyaws presets list)")
    store.assign_preset(engine, [deck_id], preset.id)
    return preset


def deck_preset(engine: Engine, deck_id: int) -> Preset:
    """The preset the deck uses."""
    preset_id = store.deck_presets(engine).get(deck_id)
    if preset_id is not None:
        for preset in store.named_presets(engine):
            if preset.id == preset_id:
                return preset
    return default_preset(load_settings(engine))


def parameters_text(preset: Preset) -> str:
    """Which FSRS parameters the preset's decks use, as said on screen and by `studyaws
    presets list`: "own (fitted DATE)" or "the collection's"."""
    if preset.parameters is None:
        return "the collection's"
    if preset.fitted_at is None:
        return "own"
    return f"own (fitted {preset.fitted_at.astimezone():%Y-%m-%d})"


def reset_parameters(engine: Engine, name: str) -> Preset:
    """Drop the preset's own FSRS parameters: its decks use the collection's again."""
    preset = find_preset(engine, name)
    if preset is None:
        raise PresetError(f"no preset called {name!r} (see: studyaws presets list)")
    if preset.id is None:
        raise PresetError("the Default preset uses the collection's parameters; it has none "
                          "of its own to drop")
    if preset.parameters is None:
        raise PresetError(f"{preset.name!r} has no parameters of its own; its decks use the "
                          "collection's")
    store.set_preset_parameters(engine, preset.id, None, None)
    return find_preset(engine, preset.name)


class DeckSchedulers:
    """The scheduler for a card of each deck: its preset's desired retention and FSRS
    parameters (its own, else the collection's `parameters`). Read once; one scheduler is
    made for each distinct (retention, parameters)."""

    def __init__(self, engine: Engine, settings, parameters: tuple[float, ...] | None,
                 zone: tzinfo | None):
        self.settings, self.parameters, self.zone = settings, parameters, zone
        self.default = policy.scheduler_for(settings, parameters, zone)
        self._decks = store.deck_schedules(engine, settings)
        self._made: dict[tuple, object] = {}

    def parameters_for(self, deck_id: int | None) -> tuple[float, ...] | None:
        """The parameters the deck's cards are scheduled with (None: the defaults)."""
        _, own = self._decks.get(deck_id, (None, None))
        return own if own is not None else self.parameters

    def __call__(self, deck_id: int | None):
        retention, own = self._decks.get(deck_id, (self.settings.desired_retention, None))
        if retention == self.settings.desired_retention and own is None:
            return self.default
        key = (retention, own)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = policy.scheduler_for(
                replace(self.settings, desired_retention=retention),
                own if own is not None else self.parameters, self.zone)
        return made
