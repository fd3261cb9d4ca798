"""Stored times come back exactly as written, UTC-aware with the UTC singleton (py-fsrs
refuses any other tzinfo), whichever of the two parsing paths reads them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from studyaws.store.tables import _FORMAT, UTCDateTime, from_db, to_db


def test_round_trip_matches_strptime_and_keeps_the_utc_singleton():
    rng = random.Random(5)
    start = datetime(1000, 1, 1, tzinfo=UTC)
    for _ in range(20_000):
        when = start + timedelta(seconds=rng.uniform(0, 8_999 * 365.25 * 86400))
        when = when.replace(microsecond=rng.choice([0, rng.randrange(1_000_000)]))
        text = to_db(when)
        back = from_db(text)
        assert back == when == datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
        assert back.tzinfo is UTC


def test_column_type_reads_what_it_writes():
    column = UTCDateTime()
    when = datetime(2026, 3, 29, 1, 30, 0, 1, tzinfo=timezone(timedelta(hours=2)))
    text = column.process_bind_param(when, None)
    assert text == "2026-03-28 23:30:00.000001"
    back = column.process_result_value(text, None)
    assert back == when and back.tzinfo is UTC
    assert column.process_result_value(None, None) is None


def test_other_text_still_goes_through_strptime():
    assert from_db("2026-01-02 03:04:05.5") == datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)
    with pytest.raises(ValueError):
        from_db("2026-01-02T03:04:05.000000")
    with pytest.raises(ValueError):
        from_db("not a time at all, 26 chars")
