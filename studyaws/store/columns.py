"""What some of the store's columns hold, without a database library (the first card's
light path, store.first_read, reads them too): times as fixed-width UTC text (sortable),
read back UTC-aware; a card's domain in each exam, a column an exam."""

from __future__ import annotations

from datetime import UTC, datetime

# The schema this version writes (PRAGMA user_version; store.engine migrates up to it).
SCHEMA_VERSION = 14
FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_db(value: datetime) -> str:
    """The stored text for a time, for hand-written SQL comparisons."""
    return value.astimezone(UTC).strftime(FORMAT)


def from_db(value: str | None) -> datetime | None:
    return None if value is None else parse_time(value)


def parse_time(value: str) -> datetime:
    """Stored text back to an aware UTC time. The fixed-width form the store writes is read
    by fromisoformat, fifty times faster than strptime (an exam or the stats read tens of
    thousands of times), with the offset in the text: its tzinfo is then the UTC singleton
    itself, as py-fsrs requires, without a slower replace(). Anything else goes through
    strptime as before."""
    if len(value) == 26 and value[10] == " " and value[4] == "-":
        return datetime.fromisoformat(value + "+00:00")
    return datetime.strptime(value, FORMAT).replace(tzinfo=UTC)


# exam (core.domains.EXAMS) -> the card column holding a card's domain in that exam
DOMAIN_COLUMNS: dict[str, str] = {"saa-c03": "saa_domain", "clf-c02": "clf_domain"}


def domain_values(domains: dict[str, str]) -> dict[str, str | None]:
    """The card columns for a card's domains (exam -> slug)."""
    return {column: domains.get(exam) for exam, column in DOMAIN_COLUMNS.items()}


def domains_of(row) -> dict[str, str]:
    """A card's domains (exam -> slug) from a row or object with the domain columns."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    return {exam: get(column) for exam, column in DOMAIN_COLUMNS.items() if get(column)}
