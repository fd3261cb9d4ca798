"""RDS automated backups, manual snapshots and restores.

Automated backups (a daily snapshot plus transaction logs) let you restore a DB instance to
any second from `now - retention` up to the latest restorable time, about five minutes
before now. Manual snapshots restore the data exactly as it was when they were taken and are
kept until you delete them, even after the DB instance is deleted. The model assumes the
automated backups are deleted together with the instance. Every restore creates a NEW DB
instance with a new endpoint.

Each scenario has its own fictional "now"; the real clock is never read.
Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from studyaws.core.questions import Question
from studyaws.core.scenarios._common import (
    Scenario,
    build_choice,
    check_enum,
    check_range,
    pick_enum,
    pick_from_range,
)

NAME = "backup-retention"
TITLE = "RDS backup retention and restores"
PARAMS = {
    "retention": "automated backup retention in days, a number or range within 0-35 "
    "(e.g. 7 or 1-35; 0 turns automated backups off); default 1-35",
    "deleted": "yes (the DB instance has been deleted), no, or any; default any",
    "variant": "restore (how can the data at a given time be restored?) or statements "
    "(choose the true statements); default any",
}

MIN_RETENTION, MAX_RETENTION = 0, 35
DEFAULT_RETENTION = (1, 35)
LATEST_RESTORABLE_LAG = timedelta(minutes=5)
VARIANTS = ("restore", "statements")
DELETED = ("yes", "no", "any")

PITR = "pitr"
SNAPSHOT = "snapshot"


# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A manual DB snapshot: the data exactly as it was at `taken`."""

    name: str
    taken: datetime
    final: bool = False


@dataclass(frozen=True)
class BackupSetup:
    """A DB instance's backups as of the scenario's own `now`."""

    now: datetime
    retention_days: int
    snapshots: tuple[Snapshot, ...] = ()
    deleted_at: datetime | None = None
    instance: str = "orders-db"

    def __post_init__(self) -> None:
        if not MIN_RETENTION <= self.retention_days <= MAX_RETENTION:
            raise ValueError(f"retention must be 0-35 days, got {self.retention_days}")
        if self.deleted_at is not None and self.deleted_at > self.now:
            raise ValueError("the instance cannot be deleted after now")
        for snap in self.snapshots:
            if snap.taken > self.now:
                raise ValueError(f"snapshot {snap.name} is in the future")
            if self.deleted_at is not None and snap.taken > self.deleted_at:
                raise ValueError(f"snapshot {snap.name} was taken after the instance was deleted")

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def has_automated_backups(self) -> bool:
        """Automated backups exist: retention above 0 and the instance not deleted."""
        return self.retention_days > 0 and not self.deleted


@dataclass(frozen=True)
class RestoreOption:
    """One way to get the requested data: point-in-time restore, or a manual snapshot."""

    source: str
    snapshot: Snapshot | None = None


def restore_window(setup: BackupSetup) -> tuple[datetime, datetime] | None:
    """(earliest, latest) restorable times of point-in-time restore, both inclusive; None
    without automated backups."""
    if not setup.has_automated_backups:
        return None
    earliest = setup.now - timedelta(days=setup.retention_days)
    latest = setup.now - LATEST_RESTORABLE_LAG
    return earliest, latest


def snapshot_holds(setup: BackupSetup, snap: Snapshot, requested: datetime) -> bool:
    """Whether restoring `snap` gives the data as it was at `requested`: taken exactly then, or
    the final snapshot of a deleted instance and a time after the deletion (nothing changed
    the data once the instance was gone)."""
    if snap.taken == requested:
        return True
    return (
        snap.final
        and setup.deleted_at is not None
        and setup.deleted_at <= requested <= setup.now
    )


def restore_options(setup: BackupSetup, requested: datetime) -> tuple[RestoreOption, ...]:
    """Every way to restore the data as it was at `requested`; empty when it is not possible.

    Each of them creates a new DB instance with a new endpoint.
    """
    options: list[RestoreOption] = []
    window = restore_window(setup)
    if window is not None and window[0] <= requested <= window[1]:
        options.append(RestoreOption(PITR))
    for snap in sorted(setup.snapshots, key=lambda s: s.taken):
        if snapshot_holds(setup, snap, requested):
            options.append(RestoreOption(SNAPSHOT, snap))
    return tuple(options)


def fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def ago(delta: timedelta) -> str:
    """'7 days', '7 days and 1 second', '3 minutes', '2 days, 4 hours and 30 minutes'."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0 seconds"
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def explain(setup: BackupSetup, requested: datetime) -> str:
    """A walk-through of why each source can or cannot restore the data at `requested`."""
    lines = [
        f"Requested: {fmt(requested)} ({ago(setup.now - requested)} before now).",
    ]
    window = restore_window(setup)
    if setup.deleted:
        lines.append(
            "Point-in-time restore: not available. The instance was deleted at "
            f"{fmt(setup.deleted_at)} and (as assumed) its automated backups went with it."
        )
    elif setup.retention_days == 0:
        lines.append(
            "Point-in-time restore: not available. A retention period of 0 days turns "
            "automated backups off."
        )
    else:
        assert window is not None
        earliest, latest = window
        span = (
            f"the window runs from the earliest restorable time {fmt(earliest)} (now minus "
            f"{setup.retention_days} day{'s' if setup.retention_days != 1 else ''}) to the latest "
            f"restorable time {fmt(latest)} (about five minutes before now), both inclusive"
        )
        if requested < earliest:
            lines.append(
                f"Point-in-time restore: not possible; {span}, and the requested time is "
                f"{ago(earliest - requested)} before the earliest restorable time."
            )
        elif requested > latest:
            lines.append(
                f"Point-in-time restore: not possible; {span}, and the requested time is after "
                "the latest restorable time (the most recent transaction logs are not yet "
                "backed up)."
            )
        else:
            lines.append(f"Point-in-time restore: possible; {span}.")
    for snap in sorted(setup.snapshots, key=lambda s: s.taken):
        if snap.taken != requested and snapshot_holds(setup, snap, requested):
            lines.append(
                f"Final snapshot {snap.name}: taken when the instance was deleted, at "
                f"{fmt(snap.taken)}, before the requested time. Nothing changed the data after "
                "the deletion, so restoring it gives the data as it was at the requested time."
            )
        elif snap.taken == requested:
            lines.append(
                f"Manual snapshot {snap.name}: taken exactly at the requested time, so restoring "
                "it gives that data. Manual snapshots are kept until you delete them, even after "
                "the instance is deleted."
            )
        else:
            lines.append(
                f"Manual snapshot {snap.name}: holds the data as of {fmt(snap.taken)}, not the "
                "requested time."
            )
    lines.append(
        "Any restore, from automated backups or from a snapshot, creates a new DB instance with "
        "a new endpoint; the application must be pointed at it."
    )
    return "\n".join(f"- {line}" for line in lines)


# --- parameters ---------------------------------------------------------------------------


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    check_range(params, "retention", MIN_RETENTION, MAX_RETENTION, problems)
    check_enum(params, "deleted", DELETED, problems)
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    return problems


# --- generation ---------------------------------------------------------------------------

PITR_OPTION = "A point-in-time restore from the automated backups"
NOT_POSSIBLE_OPTION = "It is not possible to restore the data as it was at that time"
IN_PLACE_OPTION = "Roll the existing DB instance back in place to that time"
INSTANCE_NAMES = ("orders-db", "billing-db", "inventory-db", "crm-db", "ledger-db")


@dataclass(frozen=True)
class RestoreSetup:
    backups: BackupSetup
    requested: datetime
    case: str


def snapshot_option(snap: Snapshot) -> str:
    return f"Restore the manual snapshot {snap.name} (taken {fmt(snap.taken)})"


def option_text(option: RestoreOption) -> str:
    if option.source == PITR:
        return PITR_OPTION
    assert option.snapshot is not None
    return snapshot_option(option.snapshot)


def _round_time(rng: random.Random) -> datetime:
    return datetime(
        2025,
        rng.randint(1, 12),
        rng.randint(1, 28),
        rng.randint(0, 23),
        rng.choice((0, 15, 30, 45)),
    )


def _make_setup(retention: int, deleted: bool, rng: random.Random) -> BackupSetup:
    now = _round_time(rng)
    name = rng.choice(INSTANCE_NAMES)
    deleted_at = now - timedelta(hours=rng.randint(1, 72)) if deleted else None
    horizon = deleted_at or now
    count = rng.choice((0, 1, 2, 2, 3)) if not deleted else rng.choice((0, 1, 2, 3))
    taken_at: set[datetime] = set()
    for _ in range(count):
        days_back = rng.choice((0, 1, max(1, retention // 2), retention + 1, retention + 10, 60))
        taken_at.add(horizon - timedelta(days=days_back, hours=rng.randint(1, 20)))
    # numbered in the order they were taken, and listed in that order
    snapshots = [
        Snapshot(f"{name}-manual-{i}", taken) for i, taken in enumerate(sorted(taken_at), 1)
    ]
    if deleted and rng.random() < 0.5:
        snapshots.append(Snapshot(f"{name}-final", deleted_at, final=True))
    return BackupSetup(now, retention, tuple(snapshots), deleted_at, name)


def _pick_requested(setup: BackupSetup, rng: random.Random) -> tuple[datetime, str]:
    cases = ["old", "too-recent"]
    window = restore_window(setup)
    if window is not None:
        cases += ["inside", "inside", "edge", "edge", "outside-edge", "outside-edge"]
    if setup.snapshots:
        cases += ["snapshot", "snapshot"]
    if setup.deleted:
        cases += ["before-deletion"]
    case = rng.choice(cases)
    now = setup.now
    if case == "inside":
        assert window is not None
        earliest, latest = window
        span = int((latest - earliest).total_seconds())
        requested = earliest + timedelta(seconds=rng.randint(1, span - 1))
        requested = requested.replace(second=0)
        if requested <= earliest:
            requested = earliest + timedelta(minutes=1)
    elif case == "edge":
        requested = now - timedelta(days=setup.retention_days)
    elif case == "outside-edge":
        requested = now - timedelta(days=setup.retention_days, seconds=1)
    elif case == "too-recent":
        requested = now - timedelta(minutes=rng.randint(1, 4))
    elif case == "snapshot":
        requested = rng.choice(setup.snapshots).taken
    elif case == "before-deletion":
        assert setup.deleted_at is not None
        requested = setup.deleted_at - timedelta(
            hours=rng.randint(1, 30), minutes=rng.randint(0, 59)
        )
    else:  # old: well before the retention window
        requested = now - timedelta(
            days=setup.retention_days + rng.randint(1, 20), hours=rng.randint(0, 23)
        )
    if case != "snapshot" and any(s.taken == requested for s in setup.snapshots):
        requested -= timedelta(minutes=7)
    return requested, case


def _describe(setup: BackupSetup) -> str:
    lines = [f"It is now {fmt(setup.now)} (scenario time)."]
    if setup.retention_days == 0:
        backups = "automated backups turned off"
    else:
        backups = (
            f"automated backups with a retention period of {setup.retention_days} "
            f"day{'s' if setup.retention_days != 1 else ''}"
        )
    if setup.deleted_at is not None:
        lines.append(f"The RDS DB instance {setup.instance} had {backups}.")
        lines.append(
            f"It was deleted at {fmt(setup.deleted_at)} "
            f"({ago(setup.now - setup.deleted_at)} ago)."
        )
        if setup.retention_days > 0:
            lines.append("Assume its automated backups were deleted with it.")
    elif setup.retention_days == 0:
        lines.append(f"The RDS DB instance {setup.instance} has {backups}.")
    else:
        lines.append(f"The RDS DB instance {setup.instance} has {backups}.")
        lines.append(
            "Assume point-in-time restore reaches back exactly the retention period from now "
            "and its latest restorable time is five minutes before now."
        )
    text = " ".join(lines)
    if setup.snapshots:
        rows = ["| Manual snapshot | Taken at |", "| --- | --- |"]
        for snap in setup.snapshots:
            label = f"{snap.name} (final snapshot)" if snap.final else snap.name
            rows.append(f"| {label} | {fmt(snap.taken)} ({ago(setup.now - snap.taken)} ago) |")
        text += "\n\n" + "\n".join(rows)
    else:
        text += " There are no manual snapshots."
    return text


def _restore_question(setup: BackupSetup, rng: random.Random) -> Scenario:
    requested, case = _pick_requested(setup, rng)
    found = restore_options(setup, requested)
    stem = (
        f"{_describe(setup)}\n\nThe team needs the data as it was at {fmt(requested)} "
        f"({ago(setup.now - requested)} ago). How can they get it?"
    )
    right = [option_text(o) for o in found] or [NOT_POSSIBLE_OPTION]
    wrong = []
    if PITR_OPTION not in right:
        wrong.append(PITR_OPTION)
    if NOT_POSSIBLE_OPTION not in right:
        wrong.append(NOT_POSSIBLE_OPTION)
    others = [snapshot_option(s) for s in setup.snapshots if snapshot_option(s) not in right]
    wrong += rng.sample(others, min(2, len(others)))
    if not setup.deleted:
        wrong.append(IN_PLACE_OPTION)
    question = build_choice(stem, right, wrong, explain(setup, requested), rng)
    return Scenario("restore", RestoreSetup(setup, requested, case), question)


def statement_truths(setup: RestoreSetup) -> list[tuple[str, bool]]:
    """Candidate statements about a setup, each with its truth from the model."""
    backups, requested = setup.backups, setup.requested
    found = restore_options(backups, requested)
    statements = [
        ("Any restore creates a new DB instance with a new endpoint.", True),
        ("A restore overwrites the existing DB instance and keeps its endpoint.", False),
        (
            "Manual snapshots are kept until you delete them, even after the DB instance is "
            "deleted.",
            True,
        ),
        ("Point-in-time restore can recover the data as it was one minute ago.", False),
        (
            f"A point-in-time restore to {fmt(requested)} is possible.",
            any(o.source == PITR for o in found),
        ),
        (
            f"The data as it was at {fmt(requested)} can be restored, from the automated "
            "backups or a manual snapshot.",
            bool(found),
        ),
    ]
    if backups.retention_days > 0:
        statements.append(
            ("Manual snapshots are deleted when the backup retention period ends.", False)
        )
    window = restore_window(backups)
    if window is not None:
        earliest, latest = window
        statements.append((f"The earliest restorable time is {fmt(earliest)}.", True))
        statements.append(
            (f"The earliest restorable time is {fmt(earliest - timedelta(days=1))}.", False)
        )
        statements.append((f"The latest restorable time is {fmt(latest)}.", True))
        statements.append((f"The latest restorable time is {fmt(backups.now)}.", False))
    if backups.deleted:
        statements.append(("The automated backups are still available after the deletion.", False))
    for snap in backups.snapshots:
        statements.append(
            (f"Restoring {snap.name} gives the data as it was at {fmt(snap.taken)}.", True)
        )
    return statements


def _statements_question(setup: BackupSetup, rng: random.Random) -> Scenario:
    requested, case = _pick_requested(setup, rng)
    restore = RestoreSetup(setup, requested, case)
    pool = statement_truths(restore)
    computed = [s for s in pool if fmt(requested) in s[0]]
    chosen = [rng.choice(computed)]
    rest = [s for s in pool if s not in chosen]
    trues = [s for s in rest if s[1]]
    falses = [s for s in rest if not s[1]]
    have_true = sum(ok for _, ok in chosen)
    need_true = min(rng.choice((2, 3)), have_true + len(trues))
    chosen += rng.sample(trues, need_true - have_true)
    chosen += rng.sample(falses, 5 - len(chosen))
    stem = (
        f"{_describe(setup)}\n\nThe team wants the data as it was at {fmt(requested)} "
        f"({ago(setup.now - requested)} ago). Which statements are true?"
    )
    question = build_choice(
        stem,
        [t for t, ok in chosen if ok],
        [t for t, ok in chosen if not ok],
        explain(setup, requested),
        rng,
    )
    return Scenario("statements", restore, question)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    """A generated variant together with the setup and requested time it was evaluated on."""
    variant = pick_enum(params, "variant", VARIANTS, rng)
    if "retention" in params:
        retention = pick_from_range(params, "retention", MIN_RETENTION, MAX_RETENTION, rng)
    else:
        retention = pick_from_range({}, "retention", *DEFAULT_RETENTION, rng)
    deleted = pick_enum(params, "deleted", ("yes", "no"), rng) == "yes"
    setup = _make_setup(retention, deleted, rng)
    if variant == "statements":
        return _statements_question(setup, rng)
    return _restore_question(setup, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
