"""The optimizer's items, made from a review log (pure): one item per long-term review, a
card's answers up to and including one that came on a later study day than the one before,
as (rating, study days since the answer before) pairs, the items in time order.

The log can be read in parts, each a range of cards (in another process, say): `collect`
makes a part's items in the order they come, `merge` joins parts of consecutive card ranges
and `finish` puts them in time order, so that the items are the ones `build_items` makes
from the whole log at once."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from studyaws.core.srs.day import StudyDays
from studyaws.core.srs.policy import NEW

Review = tuple[int, int]  # (rating, study days since the answer before)
QUARTER = 900_000_000  # microseconds: every zone's offset, and so its day start, is whole quarters
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def study_day_numbers(days: StudyDays):
    """A function from a time in microseconds since 1970 to its study day's number (the
    date's ordinal); worked out once for each quarter of an hour that has answers."""
    known: dict[int, int] = {}

    def number(micros: int) -> int:
        quarter = micros // QUARTER
        found = known.get(quarter)
        if found is None:
            moment = EPOCH + timedelta(microseconds=quarter * QUARTER)
            found = known[quarter] = days.date_of(moment).toordinal()
        return found

    return number


class Items(Sequence[tuple[Review, ...]]):
    """Long-term reviews as fsrs-rs items, oldest first (ties by card id): item i is its
    card's answers up to and including the i-th long-term review, as (rating, days) pairs.

    Held compactly, since a card's items repeat its earlier answers (1,000,000 answers make
    about 900,000 items holding 6,700,000 answers in all): each answer once, as a code for
    its (rating, days) pair, card after card, and each item as the offsets of its first and
    last answer there. Slicing gives a view on the same arrays."""

    def __init__(self, pairs: list[Review], codes: array, starts: array, ends: array,
                 lo: int = 0, hi: int | None = None):
        self.pairs, self.codes, self.starts, self.ends = pairs, codes, starts, ends
        self.lo, self.hi = lo, len(starts) if hi is None else hi

    def __len__(self) -> int:
        return self.hi - self.lo

    def _at(self, index: int) -> int:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.lo + index

    def __getitem__(self, index):
        if isinstance(index, slice):
            lo, hi, step = index.indices(len(self))
            if step != 1:
                raise ValueError("items are sliced with a step of 1 only")
            return Items(self.pairs, self.codes, self.starts, self.ends, self.lo + lo,
                         self.lo + max(lo, hi))
        at = self._at(index)
        pairs = self.pairs
        return tuple(pairs[code] for code in self.codes[self.starts[at]:self.ends[at]])


@dataclass
class ItemParts:
    """Items as `collect` makes them, in the order their answers came (card after card): the
    distinct pair keys (rating + 8 * days) in code order, each answer's code, each item's
    first and last answer, its time (microseconds) and its position under its study day's
    number; and how many answers were read."""

    keys: list[int] = field(default_factory=list)
    codes: array = field(default_factory=lambda: array("I"))
    starts: array = field(default_factory=lambda: array("I"))
    ends: array = field(default_factory=lambda: array("I"))
    times: array = field(default_factory=lambda: array("q"))
    by_day: dict[int, array] = field(default_factory=dict)
    answers: int = 0


def collect(answers: Iterable[tuple[int, int, int, int]], days: StudyDays) -> ItemParts:
    """The items in `answers` (card id, rating, state before, time in microseconds), which
    come card by card, each card's in time order.

    An item for each answer that came on a later study day (`days`) than the card's previous
    one; a card whose first answer is not from the new state gives none."""
    day_of = study_day_numbers(days)
    day_of_quarter: dict[int, int] = {}  # the same, kept here to save a call per answer
    pair_codes: dict[int, int] = {}  # rating + 8 * days -> the pair's code
    parts = ItemParts()
    add_code, add_start, add_end, add_time = (parts.codes.append, parts.starts.append,
                                              parts.ends.append, parts.times.append)
    by_day = parts.by_day
    count = length = start = previous = made = 0
    card = None
    keep = False
    for card_id, rating, before, when in answers:
        count += 1
        if card_id != card:
            card, keep = card_id, before == NEW
            if not keep:
                continue
            start, previous, elapsed = length, day_of(when), 0
        elif keep:
            today = day_of_quarter.get(when // QUARTER)
            if today is None:
                today = day_of_quarter[when // QUARTER] = day_of(when)
            elapsed = today - previous if today > previous else 0
            previous = today
        else:
            continue
        code = pair_codes.get(rating + 8 * elapsed)
        if code is None:
            code = pair_codes[rating + 8 * elapsed] = len(pair_codes)
        add_code(code)
        length += 1
        if elapsed > 0:
            add_start(start)
            add_end(length)
            add_time(when)
            bucket = by_day.get(today)
            if bucket is None:
                bucket = by_day[today] = array("I")
            bucket.append(made)
            made += 1
    parts.keys = list(pair_codes)  # in code order
    parts.answers = count
    return parts


def merge(first: ItemParts, second: ItemParts) -> ItemParts:
    """`first` and `second` as one, `second` read from cards after `first`'s. `first`'s
    arrays are extended in place and returned; `second` is emptied as it is taken in."""
    codes = {key: code for code, key in enumerate(first.keys)}
    for key in second.keys:
        if key not in codes:
            codes[key] = len(first.keys)
            first.keys.append(key)
    recode = list(map(codes.__getitem__, second.keys))
    first.codes.extend(array("I", map(recode.__getitem__, second.codes)))
    offset, items = len(first.codes) - len(second.codes), len(first.starts)
    first.starts.extend(array("I", map(offset.__add__, second.starts)))
    first.ends.extend(array("I", map(offset.__add__, second.ends)))
    first.times.extend(second.times)
    for day, positions in second.by_day.items():
        moved = array("I", map(items.__add__, positions))
        if day in first.by_day:
            first.by_day[day].extend(moved)
        else:
            first.by_day[day] = moved
    first.answers += second.answers
    second.codes = second.starts = second.ends = second.times = array("I")
    second.by_day = {}
    return first


def finish(parts: ItemParts) -> Items:
    """The items of `parts` in time order, equal times in the order they were collected (card
    order). Sorted a study day at a time (a later study day is a later time): sorting all at
    once would hold two Python ints per item (70 MB for 900,000 items)."""
    order = array("I")
    times, by_day = parts.times, parts.by_day
    for day in sorted(by_day):
        order.extend(sorted(by_day.pop(day), key=times.__getitem__))
    parts.times = array("q")
    starts = array("I", map(parts.starts.__getitem__, order))
    ends = array("I", map(parts.ends.__getitem__, order))
    pairs = [(key % 8, key // 8) for key in parts.keys]
    return Items(pairs, parts.codes, starts, ends)


def build_items(answers: Iterable[tuple[int, int, int, int]],
                days: StudyDays) -> tuple[Items, int]:
    """The items in `answers` (as `collect` reads them), in time order; and how many answers
    there were."""
    parts = collect(answers, days)
    return finish(parts), parts.answers

