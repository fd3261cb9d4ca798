"""Deck option presets (tables.Preset) and the one each deck uses (Deck.preset_id, None for
the Default preset, whose values are settings: store.settings)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update

from studyaws.core.config import Preset as PresetValues
from studyaws.store.engine import reading, writing
from studyaws.store.first_read import preset_parameters as _parameters
from studyaws.store.first_read import preset_values
from studyaws.store.tables import Deck, Preset

_COLUMNS = {"new-per-day": "new_per_day", "reviews-per-day": "reviews_per_day",
            "desired-retention": "desired_retention"}


def _values(row: Preset) -> PresetValues:
    return preset_values(row.id, row.name, row.new_per_day, row.reviews_per_day,
                         row.desired_retention, row.parameters, row.parameters_fitted_at)


def named_presets(engine: Engine) -> list[PresetValues]:
    """The named presets (not Default), by name."""
    with reading(engine) as session:
        rows = session.execute(select(Preset).order_by(func.lower(Preset.name))).scalars()
        return [_values(row) for row in rows]


def preset_by_name(engine: Engine, name: str) -> PresetValues | None:
    """The named preset called `name` (any case), or None."""
    with reading(engine) as session:
        row = session.execute(select(Preset).where(func.lower(Preset.name) == name.lower())
                              ).scalars().first()
        return None if row is None else _values(row)


def create_preset(engine: Engine, name: str, new_per_day: int, reviews_per_day: int,
                  desired_retention: float) -> int:
    with writing(engine) as session:
        return session.execute(insert(Preset).values(
            name=name, new_per_day=new_per_day, reviews_per_day=reviews_per_day,
            desired_retention=desired_retention)).inserted_primary_key[0]


def rename_preset(engine: Engine, preset_id: int, name: str) -> None:
    with writing(engine) as session:
        session.execute(update(Preset).where(Preset.id == preset_id).values(name=name))


def set_preset_value(engine: Engine, preset_id: int, key: str, value) -> None:
    """Store one value (`key` a name of core.config.PRESET_KEYS) of a named preset."""
    with writing(engine) as session:
        session.execute(update(Preset).where(Preset.id == preset_id)
                        .values({_COLUMNS[key]: value}))


def set_preset_parameters(engine: Engine, preset_id: int,
                          parameters: tuple[float, ...] | None,
                          fitted_at: datetime | None) -> None:
    """Give a named preset its own FSRS parameters, fitted at `fitted_at` (None: drop them,
    its decks use the collection's again)."""
    text = json.dumps(list(parameters)) if parameters else None
    with writing(engine) as session:
        session.execute(update(Preset).where(Preset.id == preset_id).values(
            parameters=text, parameters_fitted_at=fitted_at if text else None))


def assign_preset(engine: Engine, deck_ids: list[int], preset_id: int | None) -> None:
    """Make the decks use the preset (None: Default)."""
    with writing(engine) as session:
        session.execute(update(Deck).where(Deck.id.in_(deck_ids)).values(preset_id=preset_id))


def deck_presets(engine: Engine) -> dict[int, int | None]:
    """Each deck's preset id (None: Default), removed decks too."""
    with reading(engine) as session:
        return dict(session.execute(select(Deck.id, Deck.preset_id)).all())


def deck_schedules(engine: Engine, settings) -> dict[int, tuple[float, tuple[float, ...] | None]]:
    """Each deck's desired retention and its preset's own FSRS parameters (None: the
    collection's), the settings' retention for the Default preset."""
    with reading(engine) as session:
        rows = session.execute(select(Deck.id, Preset.desired_retention, Preset.parameters)
                               .join(Preset, Preset.id == Deck.preset_id, isouter=True)).all()
    return {deck_id: (settings.desired_retention if retention is None else retention,
                      _parameters(parameters))
            for deck_id, retention, parameters in rows}


def decks_of_preset(engine: Engine, preset_id: int | None) -> list[int]:
    """The decks (removed ones too: their cards' reviews are history) that use the preset
    (None: Default)."""
    condition = (Deck.preset_id.is_(None) if preset_id is None
                 else Deck.preset_id == preset_id)
    with reading(engine) as session:
        return list(session.execute(select(Deck.id).where(condition).order_by(Deck.id))
                    .scalars())


def preset_decks(engine: Engine) -> dict[int | None, int]:
    """How many decks (not removed) use each preset (None: Default)."""
    with reading(engine) as session:
        return dict(session.execute(
            select(Deck.preset_id, func.count(Deck.id)).where(Deck.deleted_at.is_(None))
            .group_by(Deck.preset_id)).all())
