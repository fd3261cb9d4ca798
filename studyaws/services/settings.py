"""The user's settings as the settings screen and `studyaws config` read and change them:
each value checked (studyaws.core.config) before it is stored."""

from __future__ import annotations

from sqlalchemy import Engine

from studyaws.core.clock import Clock
from studyaws.store.settings import (
    load_last_import_folder,
    load_settings,
    save_last_import_folder,
    save_setting,
    settings_items,
)

__all__ = ["HEAVY_NEW_PER_DAY", "change_setting", "last_import_folder", "load_settings",
           "remember_import_folder", "save_setting", "settings_items"]

# An exam plan that asks for more new cards a day than this is warned about: at about
# ten seconds a card, 200 new cards are over half an hour before their reviews.
HEAVY_NEW_PER_DAY = 200


def change_setting(engine: Engine, clock: Clock, name: str, text: str) -> tuple[object, str]:
    """Check and store one setting against today's study day; returns the value and a
    warning ("" for none). An exam date in the past is refused (SettingError); one so close
    that the plan asks for more than HEAVY_NEW_PER_DAY new cards a day is kept, with a
    warning that gives the number. So is one the plan cannot meet within max-study-minutes:
    the warning says how many new cards it can introduce by then."""
    from studyaws.services.review import ReviewService

    start, _ = ReviewService(engine, clock).day_bounds()
    today = start.astimezone(clock.local_zone()).date()
    value = save_setting(engine, name, text, today)
    if name.replace("_", "-") not in ("exam-date", "new-per-day", "max-study-minutes"):
        return value, ""
    plan = ReviewService(engine, clock).exam_plan()
    if plan is None or (plan.new_per_day <= HEAVY_NEW_PER_DAY and not plan.capped):
        return value, ""
    away = (f"the exam on {plan.exam_date.isoformat()} is {plan.days_left} day"
            f"{'s' if plan.days_left != 1 else ''} away")
    if plan.capped:
        return value, (f"{away}: {plan.summary()}; a later exam-date, a higher "
                       "max-study-minutes, or fewer decks, lets it introduce them all")
    return value, (f"{away}: the plan asks for {plan.new_per_day:,} new cards a day to "
                   f"introduce the {plan.new_left:,} not yet seen by {plan.target.isoformat()}; "
                   "a later exam-date, or fewer decks, makes that lighter")


def last_import_folder(engine: Engine) -> str | None:
    """The folder the import screen showed when last used, or None."""
    return load_last_import_folder(engine)


def remember_import_folder(engine: Engine, folder: str) -> None:
    """Keep `folder` for the import screen's next opening. Best effort: a collection that is
    busy with another program's write (waited for a moment only) or cannot be written keeps
    the folder it had; the import screen opens there, or in the home folder."""
    from sqlalchemy.exc import OperationalError

    from studyaws.core.errors import StoreError
    from studyaws.store.engine import quick_writes

    try:
        if load_last_import_folder(engine) == folder:
            return
        with quick_writes(0.5):
            save_last_import_folder(engine, folder)
    except (OperationalError, StoreError, OSError):
        pass
