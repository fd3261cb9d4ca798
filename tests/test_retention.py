"""The optimal retention, the workload simulated from today's collection, and fitting's
refit, margin and time-series evaluation, on real SQLite collections."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from support import START, basic_deck, make_collection, studied_collection

from studyaws.core.srs.policy import REVIEW
from studyaws.core.srs.simulate import DEFAULT_SECONDS, Limits, SimCard, Stopped, simulate
from studyaws.services import optimizer
from studyaws.services.learner import perturbed_parameters
from studyaws.store.engine import writing
from studyaws.store.settings import load_parameters, save_parameters
from studyaws.store.tables import to_db

TRUTH = perturbed_parameters(seed=6, spread=0.3)
DEFAULTS = optimizer.default_parameters()


def make_due(engine, count: int, due_in_days: int, *, now=START, stability: float = 30.0):
    """`count` of the collection's cards made studied: in review, answered ten days ago,
    due `due_in_days` study days from `now` (at 10:00 UTC, well inside the study day)."""
    day = (now + timedelta(days=due_in_days)).replace(hour=10)
    with writing(engine) as session:
        conn = session.connection()
        ids = [i for (i,) in conn.exec_driver_sql(
            "SELECT card_id FROM card_state ORDER BY card_id LIMIT ?", (count,)).all()]
        conn.exec_driver_sql(
            "UPDATE card_state SET state = ?, stability = ?, difficulty = 5.0, reps = 3,"
            " last_review = ?, due = ? WHERE card_id = ?",
            [(REVIEW, stability, to_db(now - timedelta(days=10)), to_db(day), i) for i in ids])
    return ids


# -- the simulation (core) ------------------------------------------------------------------
def test_new_cards_come_at_the_daily_limit_and_higher_retention_costs_more_reviews():
    limits = Limits(new_per_day=10, reviews_per_day=9999, maximum_interval=36500)
    runs = {r: simulate(DEFAULTS, r, [], 500, limits, days=120) for r in (0.8, 0.9, 0.95)}
    run = runs[0.9]
    assert [d.new for d in run.days[:50]] == [10] * 50 and run.days[50].new == 0
    assert sum(d.new for d in run.days) == 500
    assert runs[0.8].reviews_per_day < run.reviews_per_day < runs[0.95].reviews_per_day
    assert runs[0.8].remembered < runs[0.95].remembered <= 500
    # Time is the answers' seconds: doubling them doubles the minutes.
    slow = simulate(DEFAULTS, 0.9, [], 500, limits, tuple(2 * s for s in DEFAULT_SECONDS),
                    days=120)
    assert slow.minutes_per_day == pytest.approx(2 * run.minutes_per_day)


def test_the_review_limit_holds_back_the_rest_for_the_next_days():
    # Answered yesterday with a stability of years: recalled, and not due again for years.
    cards = [SimCard(5000.0, 5.0, -1, 0) for _ in range(50)]
    run = simulate(DEFAULTS, 0.9, cards, 0, Limits(0, 20, 36500), days=5)
    assert [d.reviews for d in run.days[:3]] == [20, 20, 10]
    assert run.days[3].reviews == 0 and run.days[0].new == 0


def test_a_simulation_stops_when_told_and_runs_whole_when_not():
    limits = Limits(new_per_day=10, reviews_per_day=9999, maximum_interval=36500)
    asked: list[int] = []

    def stop_at_third_ask() -> bool:
        asked.append(1)
        return len(asked) >= 3

    with pytest.raises(Stopped):
        simulate(DEFAULTS, 0.9, [], 500, limits, days=120, stop=stop_at_third_ask)
    assert len(asked) == 3  # every 16 days: stopped on day 32, not at the end
    never = simulate(DEFAULTS, 0.9, [], 500, limits, days=120, stop=lambda: False)
    assert never == simulate(DEFAULTS, 0.9, [], 500, limits, days=120)


# -- from the collection (services, real SQLite) --------------------------------------------
def test_fifty_cards_due_tomorrow_are_fifty_reviews_on_day_one(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(80),
                                       settings={"new-per-day": "0"})
    make_due(engine, 50, 1, now=clock.now())
    settings = optimizer.load_settings(engine)
    cards, new = optimizer.simulation_start(engine, settings, clock.now(), UTC)
    assert len(cards) == 50 and new == 30
    assert {(c.last_day, c.due_day) for c in cards} == {(-10, 1)}
    run = simulate(DEFAULTS, settings.desired_retention, cards, new,
                   optimizer.limits_for(settings), days=30)
    assert run.days[0].reviews == 0 and run.days[1].reviews == 50
    assert sum(d.new for d in run.days) == 0  # new-per-day 0: none introduced
    forecast = optimizer.forecast(engine, (0.9,), now=clock.now(), zone=UTC, days=30)
    assert forecast.studied == 50 and forecast.new == 30 and not forecast.parameters_fitted
    assert forecast.rows[0].reviews_per_day >= 50 / 30


def test_the_collections_limits_are_used(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(200),
                                       settings={"new-per-day": "7", "reviews-per-day": "15"})
    make_due(engine, 40, 0, now=clock.now())
    settings = optimizer.load_settings(engine)
    cards, new = optimizer.simulation_start(engine, settings, clock.now(), UTC)
    run = simulate(DEFAULTS, 0.9, cards, new, optimizer.limits_for(settings), days=10)
    assert [d.reviews for d in run.days[:2]] == [15, 15]
    assert all(d.new == 7 for d in run.days)


def test_answer_times_are_the_users_medians_with_defaults_for_rare_ratings():
    durations = [(3, 8_000)] * 30 + [(3, 20_000)] * 21 + [(1, 30_000)] * 25 + [(4, 5_000)] * 3
    times = optimizer.answer_times(durations)
    assert times.seconds[0] == 30.0 and times.seconds[2] == 8.0
    assert times.seconds[1] == DEFAULT_SECONDS[1] and times.seconds[3] == DEFAULT_SECONDS[3]
    assert times.own == (True, False, True, False) and times.timed == 79


def test_rating_shares_are_the_users_own_from_enough_answers():
    """First answers (state before: new) and recalled reviews (review, Hard or above) are
    counted apart; relearning answers and lapses count in neither; a kind with too few
    answers keeps fsrs-rs's default shares."""
    from studyaws.core.srs.policy import LEARNING, NEW, REVIEW
    from studyaws.core.srs.simulate import FIRST_RATING_PROB, RECALL_RATING_PROB

    answers = ([(NEW, 1)] * 50 + [(NEW, 3)] * 150 + [(REVIEW, 2)] * 20 + [(REVIEW, 3)] * 60
               + [(REVIEW, 1)] * 500 + [(LEARNING, 4)] * 500)
    shares = optimizer.rating_shares(answers)
    assert shares.own_first and shares.first == (0.25, 0.0, 0.75, 0.0)
    assert not shares.own_recall and shares.recall == RECALL_RATING_PROB  # 80 < 100
    shares = optimizer.rating_shares(answers + [(REVIEW, 4)] * 20)
    assert shares.own_recall and shares.recall == (0.2, 0.6, 0.2)
    assert optimizer.rating_shares([]).first == FIRST_RATING_PROB


def test_the_users_rating_shares_reach_the_simulation_and_the_search(tmp_path):
    """A learner who rates everything Good or Easy is simulated that way: more remembered
    and fewer lapses' minutes than with the default shares, and fsrs-rs's search gets the
    same shares."""
    from studyaws.core.srs.policy import NEW, REVIEW

    engine, clock, _ = make_collection(tmp_path, basic_deck(200),
                                       settings={"new-per-day": "10"})
    settings = optimizer.load_settings(engine)
    cards, new = optimizer.simulation_start(engine, settings, clock.now(), UTC)
    limits = optimizer.limits_for(settings)
    easy = optimizer.rating_shares([(NEW, 4)] * 100 + [(REVIEW, 4)] * 100)
    default = simulate(DEFAULTS, 0.9, cards, new, limits, days=60)
    mine = simulate(DEFAULTS, 0.9, cards, new, limits, days=60, first_shares=easy.first,
                    recall_shares=easy.recall)
    assert mine.reviews_per_day < default.reviews_per_day  # Easy gives longer intervals
    config = optimizer.search_config(settings, 200, optimizer.answer_times([]), easy)
    assert [round(x, 6) for x in config.first_rating_prob] == [0, 0, 0, 1]
    assert [round(x, 6) for x in config.review_rating_prob] == [0, 0, 1]


@pytest.fixture(scope="module")
def studied(tmp_path_factory):
    """60 days of a synthetic learner's reviews on 300 cards."""
    engine, clock, reviews = studied_collection(tmp_path_factory.mktemp("studied"), 300, 60, 10,
                                                TRUTH)
    yield engine, clock, reviews
    engine.dispose()


def test_optimal_retention_is_in_the_search_range_and_says_when_defaults_are_used(studied):
    engine, clock, _ = studied
    result = optimizer.optimal_retention(engine, now=clock.now(), zone=UTC)
    low, high = optimizer.RETENTION_RANGE
    assert low <= result.optimal <= high
    assert result.current == 0.9
    assert result.at_optimal.retention == result.optimal
    assert result.at_current.retention == 0.9
    assert result.at_current.reviews_per_day > 0 and result.at_current.minutes_per_day > 0
    if result.optimal < 0.9:
        assert result.at_optimal.reviews_per_day < result.at_current.reviews_per_day
    assert not result.forecast.parameters_fitted
    assert "default parameters are used" in result.note
    assert result.forecast.times.own == (True, True, True, True)  # the learner's timed answers
    shares = result.forecast.shares  # and the learner's ratings: 300 first answers and more
    assert shares.own_first and shares.own_recall
    assert abs(sum(shares.first) - 1) < 1e-9 and abs(sum(shares.recall) - 1) < 1e-9
    assert "default shares" not in result.note
    data = result.to_json()
    assert data["parameters_fitted"] is False and low <= data["optimal_retention"] <= high


def test_optimal_retention_abandoned_by_its_caller_stops_at_the_next_step(studied):
    """A stats screen closed while its retention worker runs: the worker stops at the next
    step (after the answer profile, after the search, before the collection is read for the
    simulations, at a simulation's next 16 days) instead of running on in the background."""
    engine, clock, _ = studied
    for closed_at in (1, 2, 3, 4):
        asked: list[int] = []

        def closed(asked: list[int] = asked, closed_at: int = closed_at) -> bool:
            asked.append(1)
            return len(asked) >= closed_at

        with pytest.raises(optimizer.Abandoned):
            optimizer.optimal_retention(engine, now=clock.now(), zone=UTC, abandoned=closed)
        assert len(asked) == closed_at
    with pytest.raises(optimizer.Abandoned):
        optimizer.forecast(engine, (0.8, 0.9), now=clock.now(), zone=UTC,
                           abandoned=lambda: True)


def test_optimal_retention_uses_fitted_parameters_when_there_are_some(tmp_path):
    engine, clock, _ = studied_collection(tmp_path, 100, 20, 5, TRUTH)
    save_parameters(engine, TRUTH)
    result = optimizer.optimal_retention(engine, now=clock.now(), zone=UTC)
    assert result.forecast.parameters_fitted and "default" not in result.note
    assert 0.70 <= result.optimal <= 0.95


def test_the_search_is_scaled_down_for_large_collections():
    times, shares = optimizer.answer_profile([])
    settings = optimizer.Settings(new_per_day=20, reviews_per_day=200)
    config = optimizer.search_config(settings, 100_000, times, shares)
    # 7,300 cards can be introduced in a year at 20 a day: scaled to 2,000 with the limits.
    assert config.deck_size == optimizer.RETENTION_CARDS
    assert config.learn_limit == round(20 * 2000 / 7300)
    assert config.review_limit == round(200 * 2000 / 7300)
    small = optimizer.search_config(settings, 500, times, shares)
    assert (small.deck_size, small.learn_limit, small.review_limit) == (500, 20, 200)


# -- fitting: margin, refit, time series ----------------------------------------------------
def test_a_fit_must_win_by_the_margin():
    before = optimizer.Evaluation(0.400, 0.05)
    assert optimizer.wins(before, optimizer.Evaluation(0.396, 0.04))  # exactly 1 % lower
    assert not optimizer.wins(before, optimizer.Evaluation(0.397, 0.04))
    assert not optimizer.wins(before, optimizer.Evaluation(0.41, 0.04))


def test_a_winning_fit_is_refitted_on_everything_and_kept(tmp_path):
    engine, _, _ = studied_collection(tmp_path, 400, 80, 12, TRUTH)
    result = optimizer.optimize(engine, zone=UTC)
    assert result.improvement >= optimizer.MARGIN
    assert result.kept and result.refitted
    # The kept parameters are the refit on all items, not the fit on four fifths.
    items, _ = optimizer.read_items(engine, optimizer.StudyDays(UTC, 4))
    train, _ = optimizer.split(items)
    on_train, _, _ = optimizer.fit_items(items, DEFAULTS, optimizer.load_settings(engine))
    assert result.fitted == pytest.approx(optimizer.fit_all(items, DEFAULTS,
                                                            optimizer.load_settings(engine)))
    assert result.fitted != pytest.approx(on_train)
    assert load_parameters(engine) == pytest.approx(result.fitted)
    assert "lower, at least the 1% margin" in result.message
    assert f"all {len(items)} long-term reviews" in result.message


def test_a_fit_short_of_the_margin_is_not_kept_and_the_message_says_so(tmp_path):
    engine, _, _ = studied_collection(tmp_path, 400, 80, 12, TRUTH)
    result = optimizer.optimize(engine, zone=UTC, margin=0.5)  # no fit wins by half
    assert result.before is not None and result.after is not None
    assert not result.kept and not result.refitted
    assert load_parameters(engine) is None
    assert "short of the 50% margin a fit must win by (lower): not kept" in result.message
    assert f"{abs(result.improvement):.1%}" in result.message


def test_time_series_evaluation_fits_on_earlier_folds_and_tests_on_the_next(studied):
    engine, _, _ = studied
    folds, items, default = optimizer.time_series_for(engine, UTC)
    assert default and items > optimizer.MIN_ITEMS
    assert [f.k for f in folds] == [1, 2, 3, 4]
    assert [f.train for f in folds] == [round(items * k / 5) for k in (1, 2, 3, 4)]
    assert all(abs(f.test - items / 5) <= 1 for f in folds)
    assert all(0 < f.fitted.log_loss < 1 and 0 < f.current.log_loss < 1 for f in folds)


def test_time_series_says_when_there_are_too_few_reviews(tmp_path):
    engine, _, _ = studied_collection(tmp_path, 12, 12, 4, TRUTH)
    folds, items, _ = optimizer.time_series_for(engine, UTC)
    assert folds == [] and items < optimizer.MIN_ITEMS
