"""Part of the review log made into the optimizer's items in a process of its own, on
another core, while the optimizer reads the rest (services.optimizer.read_items).

Reading a million answers and making their items is about 2.3 s of Python on one core, half
of `studyaws optimize`; split by card, the two halves are made at once and joined
(core.srs.fit_items.merge), giving the items the whole log makes. `Beside` starts the
process (`python -m studyaws.services.log_items`) and reads back its part as arrays. This
module imports nothing but the core's item making, the store's reader of a SQLite file and
the standard library, so that the process starts without SQLAlchemy.

Each process reads in its own transaction: an answer written meanwhile is in the items or not
according to its card's part, and every card's answers are read whole.
"""

from __future__ import annotations

import json
import sys
from array import array
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from studyaws.core.srs.day import StudyDays
from studyaws.core.srs.fit_items import ItemParts, collect
from studyaws.services import module_process
from studyaws.store.answer_rows import Cards, answers_in_file


def zone_spec(zone: tzinfo) -> dict | None:
    """`zone` as the process is told it: a named zone or a fixed offset; None for a zone it
    could not make again (a zone file read without a name)."""
    if isinstance(zone, ZoneInfo):
        return None if zone.key is None else {"zone": zone.key}
    if isinstance(zone, timezone):  # UTC among them
        return {"offset": zone.utcoffset(None).total_seconds()}
    return None


def _zone_of(spec: dict) -> tzinfo:
    if "zone" in spec:
        return ZoneInfo(spec["zone"])
    return timezone(timedelta(seconds=spec["offset"]))


class Beside(module_process.Started):
    """The items of the answers of `cards` of the SQLite collection at `path`, made in a
    process started at once."""

    def __init__(self, path: Path, zone: dict, hour: int, deck_ids: list[int] | None,
                 cards: Cards):
        self.cards = cards
        header = {"path": str(path), "zone": zone, "hour": hour, "deck_ids": deck_ids,
                  "cards": list(cards)}
        super().__init__("studyaws.services.log_items", [json.dumps(header).encode() + b"\n"])

    def result(self) -> ItemParts | None:
        """The part's items, once made; None if the process failed."""
        out = self.output()
        if out is None:
            return None
        try:
            return _parts_from(out)
        except (ValueError, EOFError):
            return None


def _parts_to(parts: ItemParts) -> bytes:
    days = sorted(parts.by_day)
    header = {"keys": parts.keys, "answers": parts.answers, "codes": len(parts.codes),
              "items": len(parts.starts),
              "days": [[day, len(parts.by_day[day])] for day in days]}
    chunks = [json.dumps(header).encode(), b"\n", parts.codes.tobytes(),
              parts.starts.tobytes(), parts.ends.tobytes(), parts.times.tobytes()]
    chunks += [parts.by_day[day].tobytes() for day in days]
    return b"".join(chunks)


def _parts_from(data: bytes) -> ItemParts:
    line, _, body = data.partition(b"\n")
    header = json.loads(line)
    view, at = memoryview(body), 0

    def take(typecode: str, count: int) -> array:
        nonlocal at
        made = array(typecode)
        size = made.itemsize * count
        if at + size > len(view):
            raise EOFError("the part's arrays end early")
        made.frombytes(view[at:at + size])
        at += size
        return made

    parts = ItemParts(keys=header["keys"], answers=header["answers"])
    parts.codes = take("I", header["codes"])
    parts.starts = take("I", header["items"])
    parts.ends = take("I", header["items"])
    parts.times = take("q", header["items"])
    parts.by_day = {day: take("I", count) for day, count in header["days"]}
    if at != len(view):
        raise ValueError("the part has more than its arrays")
    return parts


def main() -> int:
    header = json.loads(sys.stdin.buffer.readline())
    days = StudyDays(_zone_of(header["zone"]), header["hour"])
    answers = answers_in_file(Path(header["path"]), header["deck_ids"], tuple(header["cards"]))
    sys.stdout.buffer.write(_parts_to(collect(answers, days)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
