"""Fitting FSRS to the user's own reviews, with fsrs-rs-python (the Rust optimizer Anki
uses; imported here only, never on the app's start-up path).

- One item per long-term review: a card's answers up to and including one that came a whole
  day (24 hours) or more after the one before, with the days between answers as py-fsrs
  counts them. Cards whose first answer is missing (not from the new state) are left out.
- The items are ordered by time; the last fifth is held out. Parameters fitted on the rest
  are kept only when their log loss on the held-out items is lower than the current ones'.
- A workload estimate: fsrs-rs-python's simulator run at desired retentions 0.80 to 0.95.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, update

from studyaws.config import Settings
from studyaws.srs import policy
from studyaws.srs.policy import NEW, Memory
from studyaws.stats import queries
from studyaws.store.engine import writing
from studyaws.store.settings import load_parameters, load_settings, save_parameters
from studyaws.store.tables import CardState

HOLDOUT = 0.2  # the latest share of items, by time, kept for the comparison
MIN_ITEMS = 100  # fewer long-term reviews than this: nothing is fitted
MIN_STEPS = 300  # optimizer steps at least (epochs grow for small histories)
WORKLOAD_RETENTIONS = (0.80, 0.825, 0.85, 0.875, 0.90, 0.925, 0.95)
WORKLOAD_DAYS = 365


# -- items (pure) ---------------------------------------------------------------------------
Item = tuple[datetime, tuple[tuple[int, int], ...]]  # (time of the last answer, (rating, days))


def items_from_history(history: list[tuple[datetime, int, int]]) -> list[Item]:
    """A card's answers (time, rating, state before), in time order, as items: one for each
    answer that came at least a whole day after the previous one."""
    if not history or history[0][2] != NEW:
        return []
    items: list[Item] = []
    reviews: list[tuple[int, int]] = []
    previous = None
    for when, rating, _ in history:
        days = 0 if previous is None else max(0, (when - previous).days)
        reviews.append((rating, days))
        previous = when
        if days > 0:
            items.append((when, tuple(reviews)))
    return items


def build_items(histories: dict[int, list[tuple[datetime, int, int]]]) -> list[Item]:
    """Every card's items, oldest first."""
    items = [item for history in histories.values() for item in items_from_history(history)]
    items.sort(key=lambda item: item[0])
    return items


def split(items: list[Item], holdout: float = HOLDOUT) -> tuple[list[Item], list[Item]]:
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
    rescheduled: int = 0
    seconds: float = 0.0
    message: str = ""
    workload: list[Workload] = field(default_factory=list)

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
            "rescheduled": self.rescheduled, "seconds": round(self.seconds, 3),
            "message": self.message,
        }


def _rs_items(items: list[Item]):
    from fsrs_rs_python import FSRSItem, FSRSReview

    return [FSRSItem([FSRSReview(rating, days) for rating, days in reviews])
            for _, reviews in items]


def evaluate(parameters: tuple[float, ...], items: list[Item]) -> Evaluation:
    from fsrs_rs_python import FSRS

    result = FSRS(list(parameters)).evaluate(_rs_items(items))
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


def fit_items(items: list[Item], current: tuple[float, ...], settings: Settings,
              ) -> tuple[tuple[float, ...] | None, Evaluation | None, Evaluation | None]:
    """Fit on all but the latest fifth of `items`; (fitted, current's, fitted's evaluation on
    the held-out fifth). Pure apart from the optimizer itself (seeded, so deterministic)."""
    from fsrs_rs_python import FSRS, TrainingConfig

    train, test = split(items)
    fitted = FSRS(list(current)).compute_parameters(
        _rs_items(train), enable_short_term=True,
        num_relearning_steps=len(settings.relearning_steps),
        training_config=TrainingConfig(num_epochs=epochs_for(len(train))))
    fitted = tuple(float(w) for w in fitted)
    return fitted, evaluate(current, test), evaluate(fitted, test)


def default_parameters() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


def optimize(engine: Engine, *, reschedule: bool = False, now: datetime | None = None,
             save: bool = True) -> FitResult:
    """Fit, compare on the held-out reviews, keep the better parameters (saved for the
    review service), and optionally reschedule every studied card under them."""
    started = time.perf_counter()
    settings = load_settings(engine)
    stored = load_parameters(engine)
    current = tuple(stored) if stored else default_parameters()
    histories = queries.review_histories(engine)
    items = build_items(histories)
    train, test = split(items)
    result = FitResult(sum(len(h) for h in histories.values()), len(items), len(train),
                       len(test), current, stored is None)
    if len(items) < MIN_ITEMS:
        result.message = (f"Not enough reviews to fit yet: {len(items)} long-term reviews "
                          f"(answers a day or more apart), {MIN_ITEMS} needed. "
                          "The current parameters are kept.")
        result.seconds = time.perf_counter() - started
        return result
    result.fitted, result.before, result.after = fit_items(items, current, settings)
    if result.after.log_loss < result.before.log_loss:
        result.kept = True
        if save:
            save_parameters(engine, result.fitted)
        result.message = "The fitted parameters predict your held-out reviews better: kept."
    else:
        result.message = ("The fitted parameters do not predict your held-out reviews better "
                          "than the current ones: the current parameters are kept.")
    if reschedule and result.kept and save:
        result.rescheduled = reschedule_cards(engine, settings, result.fitted, histories, now)
    result.seconds = time.perf_counter() - started
    return result


# -- rescheduling ---------------------------------------------------------------------------
def reschedule_cards(engine: Engine, settings: Settings, parameters: tuple[float, ...],
                     histories: dict[int, list[tuple[datetime, int, int]]] | None = None,
                     now: datetime | None = None) -> int:
    """Replay each studied card's answers under `parameters` (with the app's policy: steps,
    fuzz, interval order) and store the resulting memory and due date. Cards whose history
    does not start from new, or does not end at their current last review, are left alone."""
    histories = histories if histories is not None else queries.review_histories(engine)
    scheduler = policy.scheduler_for(settings, tuple(parameters))
    with writing(engine) as session:
        current = {row.card_id: row for row in session.execute(
            CardState.__table__.select().where(CardState.state != NEW))}
        changes = []
        for card_id, history in histories.items():
            state = current.get(card_id)
            if state is None or not history or history[0][2] != NEW:
                continue
            if state.last_review is None or history[-1][0] != state.last_review:
                continue
            memory = Memory()
            for when, rating, _ in history:
                memory = policy.review(scheduler, card_id, memory, rating, when)
            changes.append({"card_id": card_id, "state": memory.state, "step": memory.step,
                            "stability": memory.stability, "difficulty": memory.difficulty,
                            "due": memory.due})
        if changes:
            session.execute(update(CardState), changes)
    return len(changes)


# -- workload -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Workload:
    retention: float
    reviews_per_day: float
    new_per_day: float
    minutes_per_day: float
    remembered: int  # cards remembered at the end of the span


def workload(parameters: tuple[float, ...], settings: Settings, cards: int,
             retentions: tuple[float, ...] = WORKLOAD_RETENTIONS, days: int = WORKLOAD_DAYS,
             seed: int = 42) -> list[Workload]:
    """Reviews a day over the next `days` days, at each desired retention, for a collection
    of `cards` cards learnt at the user's new-cards-a-day (fsrs-rs-python's simulator)."""
    from fsrs_rs_python import default_simulator_config, simulate

    config = default_simulator_config()
    config.deck_size = max(1, cards)
    config.learn_span = days
    config.learn_limit = max(1, settings.new_per_day)
    config.max_cost_perday = 86_400.0
    config.max_ivl = float(settings.maximum_interval)
    config.learning_step_count = len(settings.learning_steps)
    config.relearning_step_count = len(settings.relearning_steps)
    result = []
    for retention in retentions:
        run = simulate(list(parameters), retention, config, seed)
        result.append(Workload(
            retention, statistics.fmean(run.review_cnt_per_day),
            statistics.fmean(run.learn_cnt_per_day),
            statistics.fmean(run.cost_per_day) / 60,
            round(run.memorized_cnt_per_day[-1]) if run.memorized_cnt_per_day else 0))
    return result


def workload_for(engine: Engine) -> list[Workload]:
    """The workload table for the collection as it is, under the parameters in use."""
    settings = load_settings(engine)
    parameters = load_parameters(engine) or default_parameters()
    return workload(parameters, settings, queries.active_card_count(engine))
