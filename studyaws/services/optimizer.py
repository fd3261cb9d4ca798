"""Fitting FSRS to the user's own reviews, with fsrs-rs-python (the Rust optimizer Anki
uses; imported here only, never on the app's start-up path).

- One item per long-term review: a card's answers up to and including one that came on a
  later study day than the one before, with the days between answers counted by study day
  (the day-starts-at hour in the user's zone), as the scheduler counts them and as Anki
  does. Cards whose first answer is missing (not from the new state) are left out.
- The items are ordered by time; the last fifth is held out. Parameters fitted on the rest
  win when their log loss on the held-out items is at least MARGIN (1 %) lower than the
  current ones'; then they are fitted again on every item, and those are kept.
- A preset's own parameters (`preset`): fitted on the reviews of the cards of the decks that
  use it alone, compared with the parameters they use now (its own, else the collection's)
  by the same rule, and kept on the preset (store.presets); the collection's parameters are
  left as they are.
- A time-series evaluation: five folds by time, fitted on the first k and tested on the next.
- A workload estimate: fsrs-rs-python's simulator run at desired retentions 0.80 to 0.95;
  the optimal retention (fsrs-rs-python's search) and a workload simulated from today's
  collection (core.srs.simulate).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from studyaws.core.clock import system_zone
from studyaws.core.config import Settings
from studyaws.core.srs import policy
from studyaws.core.srs.day import StudyDays
from studyaws.core.srs.fit_items import (
    EPOCH,
    QUARTER,
    Items,
    Review,
    build_items,
    collect,
    finish,
    merge,
)
from studyaws.core.srs.policy import NEW, Memory
from studyaws.services import fsrs_fit, log_items, module_process
from studyaws.services.presets import DeckSchedulers
from studyaws.store import stats_queries as queries
from studyaws.store.engine import reading, run_write
from studyaws.store.settings import (
    clear_pending_reschedule,
    load_parameters,
    load_pending_reschedule,
    load_settings,
    mark_rescheduled,
    save_parameters,
)
from studyaws.store.tables import to_db

HOLDOUT = 0.2  # the latest share of items, by time, kept for the comparison
MARGIN = 0.01  # a fit is kept only when its held-out log loss is at least 1 % lower
FOLDS = 5  # the time-series evaluation's folds
MIN_ITEMS = 100  # fewer long-term reviews than this: nothing is fitted
MIN_STEPS = 300  # optimizer steps at least (epochs grow for small histories)
WORKLOAD_RETENTIONS = (0.80, 0.85, 0.90, 0.95)  # the workload table's rows
BESIDE_ITEMS = 50_000  # from this many items the refit is started beside the first fit
READ_BESIDE_ANSWERS = 200_000  # from this many answers the log is read in two processes


# -- fsrs-rs items --------------------------------------------------------------------------
class _RsItems(Sequence):
    """A sequence (as fsrs-rs-python requires) that builds each FSRSItem when asked: the
    optimizer copies each into its own memory, so only one is alive at a time. The FSRSReview
    objects are shared: one per distinct (rating, days)."""

    def __init__(self, items: Items, *, once: bool = False):
        from fsrs_rs_python import FSRSReview

        self.items: Items | None = items
        self.length, self.once = len(items), once
        self.reviews = [FSRSReview(rating, days) for rating, days in items.pairs]

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        from fsrs_rs_python import FSRSItem

        items = self._items()
        if isinstance(index, slice):
            return _RsItems(items[index])
        at = items._at(index)
        return FSRSItem(list(map(self.reviews.__getitem__,
                                 items.codes[items.starts[at]:items.ends[at]])))

    def _items(self) -> Items:
        if self.items is None:
            raise RuntimeError("these fsrs-rs items were made to be read once, and were")
        return self.items

    def __iter__(self):
        items = self._items()
        if self.once:
            self.items = None
        return fsrs_fit.rs_items(items.pairs, items.codes, items.starts[items.lo:items.hi],
                                 items.ends[items.lo:items.hi])


def split(items: Sequence, holdout: float = HOLDOUT) -> tuple[Sequence, Sequence]:
    cut = len(items) - max(1, round(len(items) * holdout)) if items else 0
    return items[:cut], items[cut:]


def epochs_for(train_items: int, batch_size: int = 512) -> int:
    """Enough passes over a small history for the optimizer to converge."""
    batches = max(1, math.ceil(train_items / batch_size))
    return max(5, min(100, math.ceil(MIN_STEPS / batches)))


# -- fitting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    log_loss: float
    rmse_bins: float


@dataclass
class FitResult:
    reviews: int  # answers read from the log
    items: int  # long-term reviews (items)
    train: int
    test: int
    current: tuple[float, ...]  # the parameters in use before
    current_is_default: bool
    fitted: tuple[float, ...] | None = None
    before: Evaluation | None = None  # current parameters on the held-out items
    after: Evaluation | None = None  # fitted parameters on the held-out items
    kept: bool = False  # the fitted parameters are now in use
    refitted: bool = False  # `fitted` was fitted again on every item after winning
    margin: float = MARGIN
    preset: str | None = None  # the preset fitted for (None: the collection's parameters)
    rescheduled: int = 0
    resumed: int = 0  # cards rescheduled to finish the reschedule of an earlier run
    seconds: float = 0.0
    message: str = ""
    workload: list[Workload] = field(default_factory=list)

    @property
    def improvement(self) -> float | None:
        """How much lower the fitted parameters' held-out log loss is, as a share of the
        current ones' (negative: higher)."""
        if self.before is None or self.after is None or self.before.log_loss <= 0:
            return None
        return (self.before.log_loss - self.after.log_loss) / self.before.log_loss

    def to_json(self) -> dict:
        def ev(e: Evaluation | None):
            return None if e is None else {"log_loss": round(e.log_loss, 5),
                                           "rmse_bins": round(e.rmse_bins, 5)}

        return {
            "reviews": self.reviews, "items": self.items, "train": self.train,
            "test": self.test, "current_is_default": self.current_is_default,
            "current": list(self.current),
            "fitted": list(self.fitted) if self.fitted else None,
            "before": ev(self.before), "after": ev(self.after), "kept": self.kept,
            "refitted": self.refitted, "margin": self.margin, "preset": self.preset,
            "improvement": self.improvement,
            "rescheduled": self.rescheduled, "resumed": self.resumed,
            "seconds": round(self.seconds, 3),
            "message": self.message,
        }


def _rs_items(items: Sequence[Sequence[Review]]) -> Sequence:
    if isinstance(items, _RsItems):
        return items
    if isinstance(items, Items):
        return _RsItems(items)
    from fsrs_rs_python import FSRSItem, FSRSReview

    return [FSRSItem([FSRSReview(rating, days) for rating, days in reviews])
            for reviews in items]


def evaluate(parameters: tuple[float, ...], items: Sequence[Sequence[Review]]) -> Evaluation:
    return _evaluate_rs(parameters, _rs_items(items))


def _evaluate_rs(parameters: tuple[float, ...], rs_items: Sequence) -> Evaluation:
    from fsrs_rs_python import FSRS

    result = FSRS(list(parameters)).evaluate(rs_items)
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


def fit_items(items: Sequence[Sequence[Review]], current: tuple[float, ...],
              settings: Settings,
              ) -> tuple[tuple[float, ...] | None, Evaluation | None, Evaluation | None]:
    """Fit on all but the latest fifth of `items`; (fitted, current's, fitted's evaluation on
    the held-out fifth). Pure apart from the optimizer itself (seeded, so deterministic)."""
    train, test = split(items)
    fitted = fsrs_fit.fit(_rs_items(train), epochs_for(len(train)),
                          len(settings.relearning_steps))
    held_out = list(_rs_items(test))  # made once for both evaluations
    return fitted, _evaluate_rs(current, held_out), _evaluate_rs(fitted, held_out)


def fit_all(items: Sequence[Sequence[Review]], current: tuple[float, ...],
            settings: Settings) -> tuple[float, ...]:
    """Parameters fitted on every item (after a fit on all but the held-out fifth won)."""
    return fsrs_fit.fit(_rs_items(items), epochs_for(len(items)),
                        len(settings.relearning_steps))


def refit_beside(items: Items, settings: Settings) -> fsrs_fit.Background | None:
    """fit_all on `items` started in a process of its own, to run on another core while
    this one fits and evaluates on the held-out fifth (its parameters are fit_all's: the fit
    is seeded); None where it would not run beside this process (a single usable core) or
    would not pay for starting it (fewer than BESIDE_ITEMS items)."""
    if len(items) < BESIDE_ITEMS or module_process.usable_cores() < 2:
        return None
    try:
        return fsrs_fit.Background(items.pairs, items.codes, items.starts, items.ends,
                                   epochs_for(len(items)), len(settings.relearning_steps))
    except OSError:
        return None


def wins(before: Evaluation, after: Evaluation, margin: float = MARGIN) -> bool:
    """The fitted parameters (`after`) win when their log loss is at least `margin` (a
    share) below the current ones' (`before`)."""
    return after.log_loss <= before.log_loss * (1 - margin)


@dataclass(frozen=True)
class Fold:
    k: int  # fitted on the first k folds, tested on fold k + 1
    train: int
    test: int
    current: Evaluation
    fitted: Evaluation


def time_series(items: Sequence[Sequence[Review]], current: tuple[float, ...],
                settings: Settings, folds: int = FOLDS) -> list[Fold]:
    """The items cut into `folds` folds by time; for k = 1 .. folds - 1, parameters fitted
    on the first k folds and the current ones, each evaluated on the next fold."""
    n = len(items)
    cuts = [round(n * i / folds) for i in range(folds + 1)]
    result = []
    for k in range(1, folds):
        train, test = items[:cuts[k]], items[cuts[k]:cuts[k + 1]]
        if not train or not test:
            continue
        fitted = fsrs_fit.fit(_rs_items(train), epochs_for(len(train)),
                              len(settings.relearning_steps))
        result.append(Fold(k, len(train), len(test), evaluate(current, test),
                           evaluate(fitted, test)))
    return result


def time_series_for(engine: Engine, zone: tzinfo | None = None) -> tuple[list[Fold], int, bool]:
    """The time-series evaluation of the collection's items under the parameters in use;
    also how many items there were and whether the parameters in use are the defaults.
    Fewer than MIN_ITEMS items: no folds."""
    settings = load_settings(engine)
    stored = load_parameters(engine)
    current = tuple(stored) if stored else default_parameters()
    items, _ = read_items(engine, StudyDays(zone or system_zone(), settings.day_starts_at))
    if len(items) < MIN_ITEMS:
        return [], len(items), stored is None
    return time_series(items, current, settings), len(items), stored is None


def read_items(engine: Engine, days: StudyDays,
               deck_ids: list[int] | None = None) -> tuple[Items, int]:
    """The collection's items (those of the cards of `deck_ids` when given), and how many
    answers they were read from. A large log in a SQLite file is read in two halves at once,
    the second in a process of its own (services.log_items), where there is a core for it."""
    reader = _read_beside(engine, days, deck_ids)
    if reader is None:
        return build_items(queries.answers_by_card(engine, deck_ids), days)
    middle = reader.cards[0]
    try:
        own = collect(queries.answers_by_card(engine, deck_ids, (None, middle)), days)
        other = reader.result()
    finally:
        reader.stop()
    if other is None:  # the process failed: its half is read here
        other = collect(queries.answers_by_card(engine, deck_ids, reader.cards), days)
    parts = merge(own, other)
    return finish(parts), parts.answers


def _read_beside(engine: Engine, days: StudyDays,
                 deck_ids: list[int] | None) -> log_items.Beside | None:
    """The process reading the log's second half (its cards from the one the log's middle
    answer belongs to), for a log of at least READ_BESIDE_ANSWERS answers in a SQLite file,
    with a second core; else None."""
    path = engine.url.database
    zone = log_items.zone_spec(days.zone)
    if (engine.dialect.name != "sqlite" or not path or path == ":memory:" or zone is None
            or module_process.usable_cores() < 2):
        return None
    size, middle = queries.answer_log_middle(engine)
    if size < READ_BESIDE_ANSWERS or middle is None:
        return None
    try:
        return log_items.Beside(Path(path), zone, days.hour, deck_ids, (middle, None))
    except OSError:
        return None


def default_parameters() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


class OptimizeError(ValueError):
    """A fit that cannot be asked for (an unknown preset, say); nothing was written."""


def optimize(engine: Engine, *, reschedule: bool = False, now: datetime | None = None,
             save: bool = True, zone: tzinfo | None = None,
             margin: float = MARGIN, preset: str | None = None) -> FitResult:
    """Fit, compare on the held-out reviews, keep the better parameters (saved for the
    review service), and optionally reschedule every studied card under them. A reschedule
    an earlier run left unfinished (killed, a full disk) is finished first. Days are study
    days in `zone` (the machine's zone when None).

    With `preset` (a named preset's name), the fit is the preset's own: on the reviews of its
    decks' cards only, against the parameters they use now, kept on the preset, and only its
    decks' cards are rescheduled. Raises OptimizeError for the Default preset or an unknown
    name."""
    from studyaws.services.presets import find_preset
    from studyaws.store.presets import decks_of_preset, set_preset_parameters

    started = time.perf_counter()
    zone = zone or system_zone()
    target = None
    if preset is not None:
        target = find_preset(engine, preset)
        if target is None:
            raise OptimizeError(f"no preset called {preset!r} (see: studyaws presets list)")
        if target.id is None:
            raise OptimizeError("the Default preset uses the collection's parameters: fit "
                                "them with studyaws optimize, without --preset")
    resumed = finish_pending_reschedule(engine, zone) if save else 0
    settings = load_settings(engine)
    stored = load_parameters(engine)
    if target is not None and target.parameters is not None:
        current, current_is_default = target.parameters, False
    else:
        current = tuple(stored) if stored else default_parameters()
        current_is_default = stored is None
    deck_ids = None if target is None else decks_of_preset(engine, target.id)
    items, answers = read_items(engine, StudyDays(zone, settings.day_starts_at), deck_ids)
    train, test = split(items)
    result = FitResult(answers, len(items), len(train), len(test), current,
                       current_is_default, resumed=resumed, margin=margin,
                       preset=None if target is None else target.name)
    if len(items) < MIN_ITEMS:
        if target is None:
            result.message = (f"Not enough reviews to fit yet: {len(items)} long-term "
                              f"reviews (answers on a later day than the one before), "
                              f"{MIN_ITEMS} needed. The current parameters are kept.")
        else:
            keeps = ("its own parameters" if target.parameters is not None
                     else "the collection's parameters")
            result.message = (f"Not enough reviews in the decks of preset {target.name!r} to "
                              f"fit its own parameters: {len(items)} long-term reviews "
                              f"(answers on a later day than the one before), {MIN_ITEMS} "
                              f"needed. Nothing was kept; its decks keep {keeps}.")
        result.seconds = time.perf_counter() - started
        return result
    del train, test
    # The refit on every item does not depend on the first fit: from the default parameters
    # (a collection's first fit, which wins by far on a large history), it is started at
    # once beside the first fit, on the other core, and ended if the first fit does not
    # win. Against fitted parameters, which a new fit seldom beats by the margin, it waits
    # for the verdict (a second fit at once would double fsrs-rs's memory for nothing).
    beside = refit_beside(items, settings) if current_is_default else None
    try:
        result.fitted, result.before, result.after = fit_items(items, current, settings)
        won = wins(result.before, result.after, margin)
        refitted = beside.result() if won and beside is not None else None
    finally:
        if beside is not None:
            beside.stop()
    change = result.improvement or 0.0
    # Nothing below needs the items but a refit here, which is given the only hold on them:
    # they are freed as fsrs-rs copies them in, before its memory peaks.
    everything = _RsItems(items, once=True) if won and refitted is None else None
    del items
    if won:
        # The held-out fifth showed the fit is better: the latest reviews now count too.
        result.fitted = refitted or fit_all(everything, current, settings)
        del everything
        result.refitted = result.kept = True
        if save and target is not None:
            set_preset_parameters(engine, target.id, result.fitted,
                                  now or datetime.now(UTC))
        elif save:
            # With a reschedule, the parameters and the record that the cards are still to
            # be rescheduled under them are saved together: a run killed from here on is
            # finished by the next one.
            save_parameters(engine, result.fitted, reschedule=reschedule)
        kept_on = "" if target is None else f" for preset {target.name!r}"
        result.message = (f"The fitted parameters' log loss on your held-out reviews is "
                          f"{change:.1%} lower, at least the {margin:.0%} margin: fitted again "
                          f"on all {result.items} long-term reviews and kept{kept_on}.")
    else:
        than = "lower" if change > 0 else "higher"
        result.message = (f"The fitted parameters' log loss on your held-out reviews is "
                          f"{abs(change):.1%} {than}, short of the {margin:.0%} margin a fit must "
                          "win by (lower): not kept, the current parameters stay.")
    if reschedule and result.kept and save:
        if target is None:
            result.rescheduled = reschedule_cards(engine, settings, result.fitted, zone=zone)
        else:
            result.rescheduled = reschedule_cards(engine, settings, stored, zone=zone,
                                                  deck_ids=deck_ids)
    result.seconds = time.perf_counter() - started
    return result


# -- rescheduling ---------------------------------------------------------------------------
# Cards replayed together, then written in one write transaction: each holds the write
# lock for a fraction of a second (at most 0.26 s at 100,000 cards on a loaded two-core
# machine, bench/RESULTS.md), so that an answer given in the app meanwhile goes in between.
RESCHEDULE_CARDS = 1_000


def reschedule_cards(engine: Engine, settings: Settings,
                     parameters: tuple[float, ...] | None, *, after: int = 0,
                     zone: tzinfo | None = None, deck_ids: list[int] | None = None) -> int:
    """Replay each studied card's answers under `parameters` (with the app's policy: steps,
    fuzz, interval order) and store the resulting memory and due date; returns how many
    cards were rescheduled. Cards whose history does not start from new, or does not end at
    their current last review, are left alone.

    The cards are taken in id order from `after` on, RESCHEDULE_CARDS at a time: a batch is
    read and replayed outside any write transaction, then written in a short one, which also
    records how far the reschedule got (store.settings.PendingReschedule; the last one
    clears it). A card answered between the two is replayed again, with that answer, inside
    the write. Days are study days in `zone` (the machine's zone when None).

    Each card is replayed with its deck's preset's desired retention and parameters: the
    preset's own when it has them, else `parameters` (the collection's). With `deck_ids`
    only those decks' cards are replayed (a preset's, after its own fit), and no record of
    how far it got is kept: a run cut short is simply run again."""
    schedulers = DeckSchedulers(engine, settings, tuple(parameters) if parameters else None,
                                zone or system_zone())
    done = 0
    while True:
        batch = _replay_batch(engine, schedulers, after, deck_ids)
        done += run_write(engine, partial(_write_batch, schedulers=schedulers,
                                          parameters=parameters, batch=batch,
                                          deck_ids=deck_ids))
        if batch.last is None or not batch.full:
            return done
        after = batch.last


def finish_pending_reschedule(engine: Engine, zone: tzinfo | None = None) -> int:
    """Finish a reschedule an earlier run began and did not complete, under the parameters
    in use (from the card it reached, or from the first if the parameters changed since);
    returns how many cards were rescheduled."""
    pending = load_pending_reschedule(engine)
    if pending is None:
        return 0
    parameters = load_parameters(engine)
    after = pending.after if pending.parameters == parameters else 0
    return reschedule_cards(engine, load_settings(engine), parameters, after=after, zone=zone)


@dataclass
class _Batch:
    """Studied cards replayed outside the write lock: for each card, its last review as
    stored when it was read and its new memory (None: its history is not replayable)."""

    after: int  # the batch holds the studied cards after this id, up to `last`
    planned: dict[int, tuple[str | None, Memory | None]]
    last: int | None  # the highest card id read; None when no studied card was left
    full: bool  # RESCHEDULE_CARDS cards were read: there may be more after `last`


def _studied(deck_ids: list[int] | None) -> str:
    """The statement reading studied cards (card, last review, deck) after an id, up to an
    id or a count; only the cards of `deck_ids` when given (whole numbers, written in)."""
    decks = ("" if deck_ids is None else " AND c.deck_id IN ("
             + (", ".join(str(int(d)) for d in deck_ids) or "NULL") + ")")
    return ("SELECT s.card_id, s.last_review, c.deck_id FROM card_state s"
            " JOIN card c ON c.id = s.card_id WHERE s.state != ? AND s.card_id > ?" + decks)


def _replay_batch(engine: Engine, schedulers, after: int,
                  deck_ids: list[int] | None = None) -> _Batch:
    with reading(engine) as session:
        conn = session.connection()
        states = conn.exec_driver_sql(
            _studied(deck_ids) + " ORDER BY s.card_id LIMIT ?",
            (NEW, after, RESCHEDULE_CARDS)).all()
        if not states:
            return _Batch(after, {}, None, False)
        histories = queries.histories_between(conn, states[0][0], states[-1][0])
    planned = {card_id: (last, _replay(schedulers(deck_id), card_id, histories.get(card_id),
                                       last))
               for card_id, last, deck_id in states}
    return _Batch(after, planned, states[-1][0], len(states) == RESCHEDULE_CARDS)


def _replay(scheduler, card_id: int, history: list[tuple[datetime, int, int]] | None,
            last_review: str | None) -> Memory | None:
    if not history or history[0][2] != NEW or last_review is None:
        return None
    if history[-1][0] != queries.parse_time(last_review):
        return None
    memory = Memory()
    for when, rating, _ in history:
        memory = policy.review(scheduler, card_id, memory, rating, when)
    return memory


def _write_batch(session, *, schedulers, parameters, batch: _Batch,
                 deck_ids: list[int] | None = None) -> int:
    """Inside a write transaction: store the batch's memories, replaying again any card
    whose last review changed since it was read (or that was new then). How far the
    reschedule got is recorded unless it is of some decks only (`deck_ids`)."""
    conn = session.connection()
    if batch.last is None:
        if deck_ids is None:
            clear_pending_reschedule(session)
        return 0
    current = conn.exec_driver_sql(
        _studied(deck_ids) + " AND s.card_id <= ?", (NEW, batch.after, batch.last)).all()
    changes = []
    for card_id, last, deck_id in current:
        planned = batch.planned.get(card_id)
        if planned is not None and planned[0] == last:
            memory = planned[1]
        else:  # answered (or an answer undone) since the batch was read
            history = queries.histories_between(conn, card_id, card_id).get(card_id)
            memory = _replay(schedulers(deck_id), card_id, history, last)
        if memory is not None:
            changes.append((memory.state, memory.step, memory.stability, memory.difficulty,
                            to_db(memory.due), card_id))
    if changes:
        conn.exec_driver_sql(
            "UPDATE card_state SET state = ?, step = ?, stability = ?, difficulty = ?,"
            " due = ? WHERE card_id = ?", changes)
    if deck_ids is not None:
        pass
    elif batch.full:
        mark_rescheduled(session, parameters, batch.last)
    else:
        clear_pending_reschedule(session)
    return len(changes)


# -- workload -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Workload:
    retention: float
    reviews_per_day: float
    new_per_day: float
    minutes_per_day: float
    remembered: int  # cards remembered at the end of the span


def table_retentions(*also: float) -> tuple[float, ...]:
    """The workload table's desired retentions with `also` (the user's setting, the optimal
    one) among them, in order."""
    return tuple(sorted({*WORKLOAD_RETENTIONS, *(round(r, 3) for r in also)}))


def is_row_of(row: Workload, retention: float) -> bool:
    """Whether `row` of a workload table is the one simulated at `retention`."""
    return abs(row.retention - round(retention, 3)) < 1e-9


def workload_for(engine: Engine, *, now: datetime, zone: tzinfo | None = None) -> Forecast:
    """The workload table: the next year simulated from today's collection at each of the
    table's retentions and the user's own, as the stats screen's retention section does."""
    settings = load_settings(engine)
    return forecast(engine, table_retentions(settings.desired_retention), now=now, zone=zone)


# -- the workload from today's collection, and the optimal retention ------------------------
MIN_TIMED = 20  # timed answers of a rating needed before its median replaces the default
MIN_RATED = 100  # first answers (recalled reviews) needed before their shares replace the default
RETENTION_RANGE = (0.70, 0.95)  # where fsrs-rs-python's optimal_retention searches
RETENTION_CARDS = 2_000  # the most cards fsrs-rs's search simulates (limits scaled to match)
FORECAST_DAYS = 365


@dataclass(frozen=True)
class AnswerTimes:
    """Seconds an answer takes by rating (Again, Hard, Good, Easy), and for each whether it
    is the median of the user's own timed answers (else the default)."""

    seconds: tuple[float, float, float, float]
    own: tuple[bool, bool, bool, bool]
    timed: int  # timed answers read


@dataclass(frozen=True)
class RatingShares:
    """How the user rates: a new card's first answer (Again, Hard, Good, Easy) and a
    recalled review (Hard, Good, Easy), each the user's own share once there are enough
    answers of that kind (else fsrs-rs's defaults, from Anki users' logs)."""

    first: tuple[float, float, float, float]
    recall: tuple[float, float, float]
    own_first: bool
    own_recall: bool


def answer_profile(answers: Iterable[tuple[int, int, int]]) -> tuple[AnswerTimes, RatingShares]:
    """The answer times and rating shares of `answers` ((state before, rating,
    milliseconds), as stats_queries.recent_answers reads them)."""
    answers = list(answers)
    return (answer_times((rating, ms) for _, rating, ms in answers),
            rating_shares((state, rating) for state, rating, _ in answers))


def rating_shares(answers: Iterable[tuple[int, int]], minimum: int = MIN_RATED) -> RatingShares:
    """The shares of each rating among first answers (state before: new) and among recalled
    reviews (state before: review, rated Hard or above) in `answers` ((state before,
    rating)); a kind with fewer than `minimum` answers keeps the default shares."""
    from studyaws.core.srs.policy import NEW, REVIEW
    from studyaws.core.srs.simulate import FIRST_RATING_PROB, RECALL_RATING_PROB

    first = [0, 0, 0, 0]
    recall = [0, 0, 0]
    for state, rating in answers:
        if state == NEW and 1 <= rating <= 4:
            first[rating - 1] += 1
        elif state == REVIEW and 2 <= rating <= 4:
            recall[rating - 2] += 1
    own_first, own_recall = sum(first) >= minimum, sum(recall) >= minimum
    return RatingShares(
        tuple(n / sum(first) for n in first) if own_first else FIRST_RATING_PROB,
        tuple(n / sum(recall) for n in recall) if own_recall else RECALL_RATING_PROB,
        own_first, own_recall)


def answer_times(durations: Iterable[tuple[int, int]], minimum: int = MIN_TIMED) -> AnswerTimes:
    """The median seconds of each rating's answers in `durations` ((rating, milliseconds));
    a rating with fewer than `minimum` answers keeps the default (core.srs.simulate)."""
    from studyaws.core.srs.simulate import DEFAULT_SECONDS

    by_rating: dict[int, list[int]] = {1: [], 2: [], 3: [], 4: []}
    timed = 0
    for rating, ms in durations:
        if rating in by_rating and ms > 0:
            by_rating[rating].append(ms)
            timed += 1
    seconds, own = [], []
    for rating in (1, 2, 3, 4):
        values = by_rating[rating]
        mine = len(values) >= minimum
        seconds.append(statistics.median(values) / 1000 if mine else DEFAULT_SECONDS[rating - 1])
        own.append(mine)
    return AnswerTimes(tuple(seconds), tuple(own), timed)


def simulation_start(engine: Engine, settings: Settings, now: datetime,
                     zone: tzinfo | None = None):
    """The studied cards as the simulation's cards (days counted by study day from today's,
    in `zone`), and how many new cards there are."""
    from studyaws.core.srs.simulate import SimCard

    days = StudyDays(zone or system_zone(), settings.day_starts_at)
    today = days.date_of(now).toordinal()
    rows, new = queries.simulation_cards(engine)
    # Each quarter of an hour that has a time is turned into its study day once (every
    # zone's day starts on a quarter hour).
    quarters = {micros // QUARTER for _, _, last, due in rows for micros in (last, due)}
    day = {q: days.date_of(EPOCH + timedelta(microseconds=q * QUARTER)).toordinal() - today
           for q in quarters}
    cards = [SimCard(stability, difficulty, day[last // QUARTER], day[due // QUARTER])
             for stability, difficulty, last, due in rows]
    return cards, new


def limits_for(settings: Settings):
    from studyaws.core.srs.simulate import Limits

    return Limits(settings.new_per_day, settings.reviews_per_day, settings.maximum_interval,
                  len(settings.learning_steps), len(settings.relearning_steps))


@dataclass
class Forecast:
    """Workloads simulated from today's collection."""

    parameters_fitted: bool  # False: no fitted parameters yet, the defaults were used
    times: AnswerTimes
    shares: RatingShares
    studied: int
    new: int
    days: int
    rows: list[Workload]


class Abandoned(Exception):
    """The caller's `abandoned()` said its result is no longer wanted (a screen closed)."""


def _check(abandoned: Callable[[], bool] | None) -> None:
    if abandoned is not None and abandoned():
        raise Abandoned


def forecast(engine: Engine, retentions: Sequence[float], *, now: datetime,
             zone: tzinfo | None = None, days: int = FORECAST_DAYS, seed: int = 42,
             abandoned: Callable[[], bool] | None = None,
             profile: tuple[AnswerTimes, RatingShares] | None = None) -> Forecast:
    """The workload over the next `days` days at each of `retentions`, simulated from the
    collection's memory states, due dates, daily limits and the user's answer times and
    rating shares (`profile`, read from the log when not given). With `abandoned`, asked
    before the collection is read and every 16 simulated days (simulate's `stop`; a
    simulation is about 0.4 s at 100,000 cards): Abandoned is raised once it says True."""
    from studyaws.core.srs.simulate import Stopped, simulate

    settings = load_settings(engine)
    stored = load_parameters(engine)
    parameters = tuple(stored) if stored else default_parameters()
    times, shares = profile or answer_profile(queries.recent_answers(engine))
    _check(abandoned)
    cards, new = simulation_start(engine, settings, now, zone)
    limits = limits_for(settings)
    rows = []
    for retention in retentions:
        try:
            run = simulate(parameters, retention, cards, new, limits, times.seconds, days,
                           seed, shares.first, shares.recall, stop=abandoned)
        except Stopped:
            raise Abandoned from None
        rows.append(Workload(retention, run.reviews_per_day, run.new_per_day,
                             run.minutes_per_day, round(run.remembered)))
    return Forecast(stored is not None, times, shares, len(cards), new, days, rows)


def search_config(settings: Settings, cards: int, times: AnswerTimes, shares: RatingShares,
                  span: int = FORECAST_DAYS):
    """fsrs-rs's simulator set up for the optimal retention search: the user's limits,
    maximum interval, steps, answer times and rating shares. Only the cards that can be introduced within
    the span matter to a simulation from an empty deck; above RETENTION_CARDS they are
    scaled down, with the daily limits scaled alike (kept at 1 or more)."""
    from fsrs_rs_python import default_simulator_config

    deck = max(1, min(cards, max(1, settings.new_per_day) * span))
    scale = min(1.0, RETENTION_CARDS / deck)
    config = default_simulator_config()
    config.deck_size = max(1, round(deck * scale))
    config.learn_span = span
    config.learn_limit = max(1, round(settings.new_per_day * scale))
    config.review_limit = max(1, round(settings.reviews_per_day * scale))
    config.max_cost_perday = 86_400.0
    config.max_ivl = float(settings.maximum_interval)
    config.learning_step_count = len(settings.learning_steps)
    config.relearning_step_count = len(settings.relearning_steps)
    config.state_rating_costs = [list(times.seconds)] * 3
    config.first_rating_prob = list(shares.first)
    config.review_rating_prob = list(shares.recall)
    return config


@dataclass
class RetentionResult:
    optimal: float  # the desired retention with the least study time per card remembered
    current: float  # the desired retention setting
    forecast: Forecast  # rows: at the optimal, then at the current retention
    seconds: float = 0.0

    def at(self, retention: float) -> Workload:
        return next(row for row in self.forecast.rows if is_row_of(row, retention))

    def marks(self, row: Workload) -> list[str]:
        """What `row` of the table is: "optimal", "yours", both or neither."""
        return [name for name, value in (("optimal", self.optimal), ("yours", self.current))
                if is_row_of(row, value)]

    @property
    def at_optimal(self) -> Workload:
        return self.at(self.optimal)

    @property
    def at_current(self) -> Workload:
        return self.at(self.current)

    @property
    def note(self) -> str:
        parts = []
        if not self.forecast.parameters_fitted:
            parts.append("No parameters fitted to your reviews yet (`studyaws optimize` fits "
                         f"them from {MIN_ITEMS} long-term reviews on): the default parameters "
                         "are used.")
        own = sum(self.forecast.times.own)
        if own < 4:
            parts.append(f"Answer times: your own median for {own} of 4 ratings, defaults for "
                         f"the rest (each needs {MIN_TIMED} timed answers).")
        shares = self.forecast.shares
        if not (shares.own_first and shares.own_recall):
            default = [name for name, own in (("first answers", shares.own_first),
                                              ("recalled reviews", shares.own_recall))
                       if not own]
            parts.append(f"Ratings of {' and '.join(default)}: the default shares (yours "
                         f"from {MIN_RATED} answers of the kind).")
        return " ".join(parts)

    def to_json(self) -> dict:
        return {"optimal_retention": round(self.optimal, 4), "current_retention": self.current,
                "parameters_fitted": self.forecast.parameters_fitted,
                "answer_seconds": list(self.forecast.times.seconds),
                "own_answer_times": list(self.forecast.times.own),
                "first_rating_shares": [round(x, 4) for x in self.forecast.shares.first],
                "recall_rating_shares": [round(x, 4) for x in self.forecast.shares.recall],
                "own_rating_shares": [self.forecast.shares.own_first,
                                      self.forecast.shares.own_recall],
                "studied": self.forecast.studied, "new": self.forecast.new,
                "days": self.forecast.days,
                "at_optimal": self.at_optimal.__dict__, "at_current": self.at_current.__dict__,
                "workload": [row.__dict__ for row in self.forecast.rows],
                "note": self.note, "seconds": round(self.seconds, 3)}


def optimal_retention(engine: Engine, *, now: datetime, zone: tzinfo | None = None,
                      seed: int = 42,
                      abandoned: Callable[[], bool] | None = None) -> RetentionResult:
    """The desired retention that minimises study time per card remembered, found by
    fsrs-rs-python's optimal_retention (a simulation from an empty deck with the user's
    parameters, limits and answer times: in fsrs-rs-python 0.9.3 cards handed to it keep
    their own desired retention, so the collection's cards cannot take part in the search),
    and the workload table from today's collection: the table's retentions, the optimal one
    and the current setting (one simulation each, the cards read once). `abandoned` as
    forecast takes it."""
    from fsrs_rs_python import optimal_retention as search

    started = time.perf_counter()
    settings = load_settings(engine)
    stored = load_parameters(engine)
    parameters = tuple(stored) if stored else default_parameters()
    times, shares = answer_profile(queries.recent_answers(engine))
    _check(abandoned)
    config = search_config(settings, queries.active_card_count(engine), times, shares)
    low, high = RETENTION_RANGE
    optimal = min(high, max(low, float(search(config, list(parameters)))))
    optimal = round(optimal, 3)
    _check(abandoned)
    rows = forecast(engine, table_retentions(optimal, settings.desired_retention), now=now,
                    zone=zone, seed=seed, abandoned=abandoned, profile=(times, shares))
    return RetentionResult(optimal, settings.desired_retention, rows,
                           time.perf_counter() - started)
