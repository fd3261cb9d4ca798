"""What a JSON backup must hold before a restore writes anything: every row of every table
with the columns of its table, each value of its column's type and range (whole numbers
that fit SQLite's 64 bits, finite numbers, times as the store writes them, valid text),
known card kinds with the payload each kind needs, scheduling states, ratings, exam modes
and fitted parameters the app can use. Whatever passes here can be reviewed, examined and
exported without an error; the database then checks keys and references.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Boolean, Float, Integer, String, Table
from sqlalchemy.types import TypeDecorator

from studyaws.services.exchange import RestoreError
from studyaws.store.tables import UTCDateTime, from_db

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
CARD_KINDS = ("basic", "reverse", "cloze", "choice", "ordering", "numeric", "scenario")
STATES = (0, 1, 2, 3)  # new, learning, review, relearning
RATINGS = (1, 2, 3, 4)


class Problem(Exception):
    """What is wrong with one value (the caller says where)."""


def check_tables(path: Path, data: dict, tables: dict[str, Table]) -> None:
    """Raise RestoreError naming `path`, the table, the row and what is wrong with it, for
    the first problem in the document's tables."""
    for name, rows in data.items():
        if name not in tables:
            raise RestoreError(f"{path}: unknown table {name!r} in the backup")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RestoreError(f"{path}: table {name!r} is not a list of rows")
        table = tables[name]
        columns = _column_checks(table)
        known = frozenset(columns)
        row_check = _ROW_CHECKS.get(name)
        for number, row in enumerate(rows, start=1):
            try:
                _check_row(columns, known, row, row_check)
            except Problem as exc:
                raise RestoreError(f"{path}: table {name!r}, row {number}{_which(row)}: "
                                   f"{exc}") from None


def check_media(path: Path, media) -> dict[str, bytes]:
    """The backup's `media` section checked (each name a picture's stored name, its bytes
    base64 of at most 5 MB whose SHA-256 is the name's): the pictures' bytes by name."""
    import base64
    import binascii
    import hashlib

    from studyaws.core.pictures import MAX_PICTURE_BYTES, MEDIA_NAME

    if media is None:
        return {}
    if not isinstance(media, dict):
        raise RestoreError(f"{path}: \"media\" is not an object of pictures by name")
    pictures: dict[str, bytes] = {}
    for name, encoded in media.items():
        shown = name if len(name) <= 80 else name[:77] + "..."
        if not MEDIA_NAME.match(name):
            raise RestoreError(f"{path}: media {shown!r} is not a picture's stored name "
                               "(its SHA-256 and extension)")
        if not isinstance(encoded, str) or len(encoded) > (MAX_PICTURE_BYTES + 2) // 3 * 4:
            raise RestoreError(f"{path}: media {shown!r} is not base64 text of at most 5 MB")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise RestoreError(f"{path}: media {shown!r} is not valid base64") from None
        if len(data) > MAX_PICTURE_BYTES:
            raise RestoreError(f"{path}: media {shown!r} is over 5 MB")
        if hashlib.sha256(data).hexdigest() != name.split(".", 1)[0]:
            raise RestoreError(f"{path}: media {shown!r} does not hold the picture its name "
                               "says (its SHA-256 differs)")
        pictures[name] = data
    return pictures


def _which(row: dict) -> str:
    for key in ("id", "card_id", "key"):
        value = row.get(key)
        if isinstance(value, (int, str)) and not isinstance(value, bool) and \
                len(str(value)) <= 40:
            return f" ({key} {value!r})" if isinstance(value, str) else f" ({key} {value})"
    return ""


def _column_checks(table: Table) -> dict[str, tuple[bool, Callable[[str, object], object]]]:
    """Per column: whether it may be null, and the check of its values' type."""
    checks = {}
    for column in table.columns:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            check = _time
        else:
            if isinstance(kind, TypeDecorator):  # SQLModel's text columns, say
                kind = kind.impl_instance
            check = (_boolean if isinstance(kind, Boolean) else
                     _whole if isinstance(kind, Integer) else
                     _number if isinstance(kind, Float) else
                     _text if isinstance(kind, String) else _anything)
        checks[column.name] = (bool(column.nullable), check)
    return checks


def _check_row(columns: dict, known: frozenset, row: dict, row_check) -> None:
    if not known.issuperset(row):
        raise Problem(f"unknown column {sorted(set(row) - known)[0]!r}")
    for name, (nullable, check) in columns.items():
        value = row.get(name)
        if value is None:
            if not nullable:
                raise Problem(f"no {name}" if name not in row else
                              f"{name} is null; it needs a value")
            continue
        check(name, value)
    if row_check is not None:
        row_check(row)


def _time(name: str, value) -> None:
    if not isinstance(value, str):
        raise Problem(f"{name} is {_shown(value)}, not a stored time")
    try:
        from_db(value)
    except (TypeError, ValueError):
        raise Problem(f"{name} is not a stored time: {_shown(value)}") from None


def _boolean(name: str, value) -> None:
    if not isinstance(value, bool) and value not in (0, 1):
        raise Problem(f"{name} is {_shown(value)}, not true or false")


def _anything(name: str, value) -> None:
    return None


def _whole(name: str, value, low: int = INT_MIN, high: int = INT_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem(f"{name} is {_shown(value)}, not a whole number")
    if not low <= value <= high:
        raise Problem(f"{name} is {_shown(value)}, out of range ({low} to {high})")
    return value


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Problem(f"{name} is {_shown(value)}, not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise Problem(f"{name} is not a finite number")
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise Problem(f"{name} is {_shown(value)}, out of range")
    return float(value)


def _text(name: str, value) -> str:
    if not isinstance(value, str):
        raise Problem(f"{name} is {_shown(value)}, not text")
    try:
        if not value.isascii():
            value.encode("utf-8")
    except UnicodeEncodeError:
        raise Problem(f"{name} is not valid text (an unpaired surrogate escape)") from None
    return value


def _shown(value) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _json(name: str, text: str, *, empty_ok: bool = False):
    if text == "" and empty_ok:
        return None
    try:
        return json.loads(text)
    except RecursionError:
        raise Problem(f"{name} is nested too deeply") from None
    except ValueError:
        raise Problem(f"{name} is not JSON: {_shown(text)}") from None


def _json_object(name: str, text: str, *, empty_ok: bool = False) -> dict | None:
    value = _json(name, text, empty_ok=empty_ok)
    if value is not None and not isinstance(value, dict):
        raise Problem(f"{name} is not a JSON object")
    return value


def _one_of(name: str, value, allowed: tuple) -> None:
    if value not in allowed:
        raise Problem(f"{name} is {_shown(value)}; it must be one of "
                      f"{', '.join(map(str, allowed))}")


# -- per table ---------------------------------------------------------------------------------


def _card(row: dict) -> None:
    kind = row.get("kind")
    _one_of("kind", kind, CARD_KINDS)
    if row.get("source_line") is not None and row["source_line"] < 0:
        raise Problem("source_line is negative")
    payload = _json_object("payload", row.get("payload", "{}") or "{}")
    try:
        _PAYLOADS[kind](payload)
    except Problem as exc:
        raise Problem(f"the payload does not fit a {kind} card: {exc}") from None


def _card_state(row: dict) -> None:
    state = row.get("state")
    _one_of("state", state, STATES)
    for name in ("reps", "lapses", "step"):
        if row.get(name) is not None and row[name] < 0:
            raise Problem(f"{name} is negative")
    if row.get("stability") is not None and row["stability"] <= 0:
        raise Problem("stability must be above 0")
    if row.get("difficulty") is not None and not 1 <= row["difficulty"] <= 10:
        raise Problem("difficulty must be between 1 and 10")
    if state != 0:
        for name in ("stability", "difficulty", "last_review"):
            if row.get(name) is None:
                raise Problem(f"a card in state {state} (studied) needs {name}")


def _review_log(row: dict) -> None:
    _one_of("rating", row.get("rating"), RATINGS)
    for name in ("state_before", "state"):
        if name in row:
            _one_of(name, row[name], STATES)
    if row.get("duration_ms", 0) < 0:
        raise Problem("duration_ms is negative")
    if row.get("stability") is not None and row["stability"] <= 0:
        raise Problem("stability must be above 0")
    _json_object("prior_state", row.get("prior_state", "") or "", empty_ok=True)
    _json("response", row.get("response", "") or "", empty_ok=True)


def _exam(row: dict) -> None:
    _one_of("mode", row.get("mode"), ("exam", "practice"))
    _one_of("status", row.get("status"), ("running", "finished"))
    for name in ("time_limit_s", "remaining_s", "current", "total"):
        if row.get(name) is not None and row[name] < 0:
            raise Problem(f"{name} is negative")
    _json_object("settings", row.get("settings", "") or "", empty_ok=True)


def _exam_question(row: dict) -> None:
    for name in ("position", "seconds"):
        if row.get(name) is not None and row[name] < 0:
            raise Problem(f"{name} is negative")
    _json_object("response", row.get("response", "") or "", empty_ok=True)


def _parameters(name: str, text: str) -> None:
    """Fitted FSRS parameters (a JSON list of numbers) the scheduler can use."""
    values = _json(name, text)
    if not isinstance(values, list) or not values:
        raise Problem(f"{name} is not a list of numbers")
    for value in values:
        _number(name, value)
    from fsrs import Scheduler  # loaded only for a backup that carries fitted parameters

    try:
        Scheduler(parameters=tuple(values))
    except Exception as exc:  # noqa: BLE001  (what py-fsrs says of unusable parameters)
        raise Problem(f"{name} cannot be used ({exc})") from None


def _setting(row: dict) -> None:
    if row.get("key") == "fsrs-parameters" and row.get("value"):
        _parameters("fsrs-parameters", row["value"])


def _preset(row: dict) -> None:
    """A preset's own parameters, when it has them (schema 12; older backups have none)."""
    if row.get("parameters"):
        _parameters("parameters", row["parameters"])


_ROW_CHECKS = {"card": _card, "card_state": _card_state, "review_log": _review_log,
               "exam": _exam, "exam_question": _exam_question, "setting": _setting,
               "preset": _preset}


# -- card payloads, per kind -------------------------------------------------------------------


def _no_question(payload: dict) -> None:
    if "type" in payload:
        raise Problem(f"it holds a {_shown(payload['type'])} question")


def _reverse(payload: dict) -> None:
    _one_of("direction", payload.get("direction"), ("forward", "backward"))


def _cloze(payload: dict) -> None:
    # The cloze's text is a shared_text row (the card's cloze_text_id) since schema 5.
    if "text" in payload:
        _text("text", payload["text"])
    _whole("group", payload.get("group"), 1, 10_000)


def _stem(payload: dict, kind: str) -> None:
    if payload.get("type") != kind:
        raise Problem(f"type is {_shown(payload.get('type'))}, not {kind!r}")
    _text("stem", payload.get("stem"))
    if "explanation" in payload:
        _text("explanation", payload["explanation"])


def _texts(name: str, values) -> list:
    if not isinstance(values, list) or len(values) < 2:
        raise Problem(f"{name} is not a list of at least two")
    for value in values:
        _text(name, value)
    return values


def _choice(payload: dict) -> None:
    _stem(payload, "choice")
    options = _texts("options", payload.get("options"))
    correct = payload.get("correct")
    if not isinstance(correct, list) or not correct:
        raise Problem("correct is not a list of option numbers")
    for index in correct:
        _whole("correct", index, 0, len(options) - 1)
    if len(set(correct)) != len(correct):
        raise Problem("correct names an option twice")


def _ordering(payload: dict) -> None:
    _stem(payload, "ordering")
    _texts("items", payload.get("items"))


def _numeric(payload: dict) -> None:
    _stem(payload, "numeric")
    _number("answer", payload.get("answer"))
    if payload.get("tolerance") is not None and _number("tolerance", payload["tolerance"]) < 0:
        raise Problem("tolerance is negative")
    if "unit" in payload:
        _text("unit", payload["unit"])


def _scenario(payload: dict) -> None:
    from studyaws.core import scenarios

    kind = payload.get("kind")
    _one_of("kind", kind, tuple(sorted(scenarios.KINDS)))
    params = payload.get("params", {})
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise Problem("params is not a set of text values")
    problems = scenarios.validate(kind, params)
    if problems:
        raise Problem(problems[0][1])


_PAYLOADS = {"basic": _no_question, "reverse": _reverse, "cloze": _cloze, "choice": _choice,
             "ordering": _ordering, "numeric": _numeric, "scenario": _scenario}
