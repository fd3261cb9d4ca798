"""Where the collection lives, and the user's settings with their defaults."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
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


CONFIG_NAME = "config.toml"  # in the data folder: `database = "postgresql://..."`


def database_url(cli_db: str | None = None, cli_home: str | None = None) -> str | None:
    """The PostgreSQL database holding the collection: --db, else STUDYAWS_DB, else the
    `database` entry of config.toml in the data folder; None for the SQLite file there.
    Raises StoreError (core.errors) for a value that is no postgresql:// URL."""
    from studyaws.core.errors import StoreError

    url, origin = cli_db, "--db"
    if not url:
        url, origin = os.environ.get("STUDYAWS_DB") or None, "STUDYAWS_DB"
    if not url:
        config = data_home(cli_home) / CONFIG_NAME
        origin = str(config)
        try:
            text = config.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):  # the data folder's own problems
            return None                                      # are said when it is opened
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"{config}: cannot read it ({exc})") from None
        import tomllib

        try:
            url = tomllib.loads(text).get("database")
        except tomllib.TOMLDecodeError as exc:
            raise StoreError(f"{config}: not valid TOML ({exc})") from None
        if url is None:
            return None
        if not isinstance(url, str):
            raise StoreError(f"{config}: database must be a URL in quotes")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise StoreError(f"{origin}: the database must be a postgresql:// URL "
                         "(postgresql://user@host:port/dbname); without one the collection "
                         "is the SQLite file in the data folder")
    return url


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
    max_study_minutes: int = 60  # the daily load an exam plan may ask for, in minutes
    load_balance: bool = True  # review intervals prefer the lighter days of their fuzz range
    easy_days: tuple[str, ...] = ()  # days of the week ("sat", "sun") given half the load
    # Backlogs: the order due reviews come in (REVIEW_ORDERS), and whether new cards are
    # still given while more reviews are due than the reviews limit leaves.
    review_order: str = "due"
    new_while_backlog: bool = True


REVIEW_ORDERS = ("due", "retrievability", "random")

# A deck options preset's values (store.presets), checked as the settings of the same name.
PRESET_KEYS = ("new-per-day", "reviews-per-day", "desired-retention")
DEFAULT_PRESET = "Default"


@dataclass(frozen=True)
class Preset:
    """Deck options: the daily limits and the desired retention of the decks that use it.
    `id` None is the Default preset, whose values are the settings of the same names.
    `parameters` are FSRS parameters fitted on its decks' reviews alone (studyaws optimize
    --preset), and when (`fitted_at`); None: the decks use the collection's parameters (the
    Default preset always does)."""

    id: int | None
    name: str
    new_per_day: int
    reviews_per_day: int
    desired_retention: float
    parameters: tuple[float, ...] | None = None
    fitted_at: datetime | None = None


def default_preset(settings: Settings) -> Preset:
    return Preset(None, DEFAULT_PRESET, settings.new_per_day, settings.reviews_per_day,
                  settings.desired_retention)


def parse_preset_value(key: str, text: str):
    """A preset's value as typed (`key` one of PRESET_KEYS); raises SettingError."""
    if key.replace("_", "-") not in PRESET_KEYS:
        raise SettingError(f"unknown preset value {key!r}; known: {', '.join(PRESET_KEYS)}")
    return parse_value(key.replace("_", "-"), text)


def preset_name(text: str) -> str:
    """A preset's name as typed, checked; raises SettingError."""
    name = " ".join(text.split())
    if not name:
        raise SettingError("a preset needs a name")
    if len(name) > 60:
        raise SettingError("a preset's name is at most 60 characters")
    if not name.isprintable():
        raise SettingError("a preset's name is printable text")
    return name


class SettingError(ValueError):
    pass


# setting name as typed by the user -> field name
NAMES = {f.name.replace("_", "-"): f.name for f in fields(Settings)}


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(name: str, text: str) -> tuple[str, ...]:
    """'sat,sun' (or 'Saturday Sunday', or none) as the days' short names, Monday first."""
    days: set[int] = set()
    for part in text.replace(",", " ").lower().split():
        if part in ("none", "off"):
            continue
        day = next((i for i, full in enumerate(WEEK_NAMES)
                    if len(part) >= 3 and full.startswith(part)), None)
        if day is None:
            raise SettingError(f"{name}: days of the week like 'sat,sun' (or none), "
                               f"got {text!r}")
        days.add(day)
    if len(days) == 7:
        raise SettingError(f"{name}: at most six easy days; some day has to take the load")
    return tuple(WEEKDAYS[d] for d in sorted(days))


WEEK_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekday_numbers(days: tuple[str, ...]) -> frozenset[int]:
    """Easy days as `date.weekday()` numbers (Monday 0)."""
    return frozenset(WEEKDAYS.index(d) for d in days)


_STEP_UNITS = {"m": 1, "h": 60, "d": 24 * 60}  # minutes in each unit a step may carry


def _steps(name: str, text: str) -> tuple[int, ...]:
    """'1m 10m 1h 1d' (a bare number is minutes) as minutes: (1, 10, 60, 1440)."""
    values = []
    for part in text.replace(",", " ").lower().split():
        unit = _STEP_UNITS.get(part[-1])
        number = part[:-1] if unit is not None else part
        if not number.isdigit() or int(number) <= 0:
            raise SettingError(f"{name}: steps are whole minutes, hours or days like "
                               f"'1m 10m 1h 1d', got {text!r}")
        values.append(int(number) * (unit or 1))
    return tuple(values)


def _finite(name: str, text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise SettingError(f"{name} must be a number, got {text!r}")
    return value


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("on", "true", "yes", "1"):
        return True
    if lowered in ("off", "false", "no", "0"):
        return False
    raise SettingError(f"expected on or off, got {text!r}")


def parse_value(name: str, text: str, today: date | None = None):
    """Turn what the user typed into a checked setting value (raises SettingError).

    With `today` (the study day), an exam date before it is refused; a stored one is read
    without it, since yesterday's exam date was right when it was set."""
    field = NAMES.get(name) or (name if name in NAMES.values() else None)
    if field is None:
        raise SettingError(f"unknown setting {name!r}; known: {', '.join(NAMES)}")
    try:
        if field == "desired_retention":
            value = _finite(name, text)
            if not 0.7 <= value <= 0.99:
                raise SettingError("desired-retention must be between 0.70 and 0.99")
            return value
        if field in ("learning_steps", "relearning_steps"):
            return _steps(name, text)
        if field == "easy_days":
            return _weekdays(name, text)
        if field == "review_order":
            order = text.strip().lower()
            if order not in REVIEW_ORDERS:
                raise SettingError(f"review-order must be one of: {', '.join(REVIEW_ORDERS)}")
            return order
        if field in ("fuzz", "exam_feeds_schedule", "load_balance", "new_while_backlog"):
            return _bool(text)
        if field == "exam_date":
            return _exam_date(name, text, today)
        if field == "target_exam":
            from studyaws.core.domains import EXAMS

            exam = text.strip().lower()
            if exam not in EXAMS:
                raise SettingError(f"target-exam must be one of: {', '.join(EXAMS)}")
            return exam
        if field == "easy_seconds":
            value = _finite(name, text)
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
        "max_study_minutes": (1, 1440),
    }
    low, high = limits[field]
    if not low <= value <= high:
        raise SettingError(f"{name} must be between {low} and {high}")
    return value


def settings_from(stored: dict[str, str]) -> Settings:
    """The settings as stored (the `setting` table's keys and texts): a value this version
    cannot read keeps its default; keys that are not settings are left out."""
    changes = {}
    for name, field in NAMES.items():
        if name in stored:
            try:
                changes[field] = parse_value(name, stored[name])
            except SettingError:
                continue  # a value this version cannot read keeps its default
    return replace(Settings(), **changes)


def _exam_date(name: str, text: str, today: date | None) -> date | None:
    if text.strip().lower() in ("", "none", "off"):
        return None
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise SettingError(f"{name}: cannot read {text!r}; give a date like 2027-03-01, "
                           "or none") from None
    if today is not None and value < today:
        raise SettingError(f"{name}: {value.isoformat()} is in the past (today is "
                           f"{today.isoformat()}); give the day of the exam, or none")
    return value


def json_value(value):
    """A setting as JSON takes it: steps as a list of minutes, a date as YYYY-MM-DD."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def format_value(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    if value is None:
        return "none"
    return str(value)
