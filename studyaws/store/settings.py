"""Settings and fitted FSRS parameters, kept in the `setting` table."""

from __future__ import annotations

import json
from dataclasses import fields, replace

from sqlalchemy import Engine, select
from sqlalchemy.dialects.sqlite import insert

from studyaws.core.config import NAMES, SettingError, Settings, format_value, parse_value
from studyaws.store.engine import reading, writing
from studyaws.store.tables import Setting

_PARAMETERS = "fsrs-parameters"


def load_settings(engine: Engine) -> Settings:
    with reading(engine) as session:
        stored = dict(session.execute(select(Setting.key, Setting.value)).all())
    settings = Settings()
    changes = {}
    for name, field in NAMES.items():
        if name in stored:
            try:
                changes[field] = parse_value(name, stored[name])
            except SettingError:
                continue  # a value this version cannot read keeps its default
    return replace(settings, **changes)


def save_setting(engine: Engine, name: str, text: str) -> object:
    """Check and store one setting as typed by the user; returns the parsed value."""
    value = parse_value(name, text)
    name = name if name in NAMES else name.replace("_", "-")
    _put(engine, name, format_value(value))
    return value


def settings_items(settings: Settings) -> list[tuple[str, str]]:
    return [(f.name.replace("_", "-"), format_value(getattr(settings, f.name))) for f in fields(settings)]


def load_parameters(engine: Engine) -> tuple[float, ...] | None:
    with reading(engine) as session:
        value = session.execute(select(Setting.value).where(Setting.key == _PARAMETERS)).scalar()
    return tuple(json.loads(value)) if value else None


def save_parameters(engine: Engine, parameters: tuple[float, ...] | None) -> None:
    _put(engine, _PARAMETERS, json.dumps(list(parameters)) if parameters else "")


def _put(engine: Engine, key: str, value: str) -> None:
    with writing(engine) as session:
        session.execute(
            insert(Setting).values(key=key, value=value)
            .on_conflict_do_update(index_elements=["key"], set_={"value": value})
        )
