"""Where the collection lives, and the user's settings with their defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

DB_NAME = "studyaws.sqlite3"


def data_home(cli_home: str | None = None) -> Path:
    """--home, else STUDYAWS_HOME, else the platform's user data folder."""
    if cli_home:
        return Path(cli_home).expanduser()
    env = os.environ.get("STUDYAWS_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("studyaws", appauthor=False))


def bundled_decks_dir() -> Path:
    """The decks shipped with the package (a link to the repository's decks/ in a checkout)."""
    return Path(__file__).resolve().parent.parent / "bundled_decks"


@dataclass(frozen=True)
class Settings:
    desired_retention: float = 0.9
    learning_steps: tuple[int, ...] = (1, 10)  # minutes
    relearning_steps: tuple[int, ...] = (10,)  # minutes
    maximum_interval: int = 36500  # days
    fuzz: bool = True
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_starts_at: int = 4  # local hour
    leech_threshold: int = 8  # lapses
    easy_seconds: float = 10.0  # a right objective answer faster than this rates Easy
    exam_feeds_schedule: bool = True
    exam_date: date | None = None
    target_exam: str = "saa-c03"  # the exam readiness is for (core.domains.EXAMS)


class SettingError(ValueError):
    pass


# setting name as typed by the user -> field name
NAMES = {f.name.replace("_", "-"): f.name for f in fields(Settings)}


def _steps(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(",", " ").split() if p]
    values = []
    for p in parts:
        value = p[:-1] if p.endswith("m") else p
        if not value.isdigit() or int(value) <= 0:
            raise SettingError(f"steps are minutes like '1 10', got {text!r}")
        values.append(int(value))
    return tuple(values)


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("on", "true", "yes", "1"):
        return True
    if lowered in ("off", "false", "no", "0"):
        return False
    raise SettingError(f"expected on or off, got {text!r}")


def parse_value(name: str, text: str):
    """Turn what the user typed into a checked setting value (raises SettingError)."""
    field = NAMES.get(name) or (name if name in NAMES.values() else None)
    if field is None:
        raise SettingError(f"unknown setting {name!r}; known: {', '.join(NAMES)}")
    try:
        if field == "desired_retention":
            value = float(text)
            if not 0.7 <= value <= 0.99:
                raise SettingError("desired-retention must be between 0.70 and 0.99")
            return value
        if field in ("learning_steps", "relearning_steps"):
            return _steps(text)
        if field == "fuzz" or field == "exam_feeds_schedule":
            return _bool(text)
        if field == "exam_date":
            return None if text.strip().lower() in ("", "none", "off") else date.fromisoformat(text.strip())
        if field == "target_exam":
            from studyaws.core.domains import EXAMS

            exam = text.strip().lower()
            if exam not in EXAMS:
                raise SettingError(f"target-exam must be one of: {', '.join(EXAMS)}")
            return exam
        if field == "easy_seconds":
            value = float(text)
            if value < 0:
                raise SettingError("easy-seconds must be 0 or more")
            return value
        value = int(text)
    except ValueError as exc:
        if isinstance(exc, SettingError):
            raise
        raise SettingError(f"{name}: cannot read {text!r}") from None
    limits = {
        "maximum_interval": (1, 36500),
        "new_per_day": (0, 9999),
        "reviews_per_day": (0, 99999),
        "day_starts_at": (0, 23),
        "leech_threshold": (1, 999),
    }
    low, high = limits[field]
    if not low <= value <= high:
        raise SettingError(f"{name} must be between {low} and {high}")
    return value


def format_value(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    if value is None:
        return "none"
    return str(value)
