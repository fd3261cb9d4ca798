"""The stats screen and the exam line on home, driven with Pilot."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import START, basic_deck, make_collection
from waiting import settle

from studyaws.core.config import Settings
from studyaws.core.srs import policy
from studyaws.services.learner import (
    SyntheticLearner,
    perturbed_parameters,
    simulate_study,
    write_history,
)
from studyaws.store.engine import reading
from studyaws.store.settings import load_parameters, save_setting
from studyaws.store.tables import Card
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.stats import StatsScreen
from studyaws.tui.widgets.charts import (
    BarChart,
    CalendarHeatmap,
    bar_chart_content,
    hbar,
    heatmap_content,
    shade,
)

SIZE = (110, 50)
DECK = "---\ntitle: Studied [/] deck\ndomain: secure\n---\n# Things\n\n" + "\n\n".join(
    f"Which option [b]{n}[/b]?\n\n- [x] right {n}\n- [ ] wrong {n}\n" for n in range(300))


def studied(tmp_path, days: int = 80, **settings):
    """A collection of 300 choice questions and `days` days of a learner's reviews."""
    engine, clock, _ = make_collection(tmp_path, DECK, settings=settings)
    with reading(engine) as session:
        ids = list(session.execute(select(Card.id).order_by(Card.id)).scalars())
    learner = SyntheticLearner(perturbed_parameters(seed=6), seed=1)
    reviews, memories = simulate_study(ids, learner, policy.scheduler_for(Settings()), START,
                                       days, new_per_day=12, seed=1)
    write_history(engine, reviews, memories)
    clock.set(START + timedelta(days=days, hours=1))
    return engine, clock, reviews


async def all_done(pilot) -> None:
    """Wait for every worker, and for those they started (the numbers' worker starts the
    retention worker once the numbers are shown)."""
    while any(not worker.is_finished for worker in pilot.app.workers):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def open_stats(pilot) -> StatsScreen:
    await pilot.press("t")
    await pilot.pause()
    await all_done(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StatsScreen)
    return screen


async def test_stats_screen_opens_from_home_and_shows_the_numbers(tmp_path):
    engine, clock, reviews = studied(tmp_path)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_stats(pilot)
        stats = screen.stats
        assert stats is not None and stats.heatmap.total == len(reviews)
        readiness = text(app, "#stats-readiness")
        today = stats.readiness.today
        assert (f"Readiness  SAA-C03 mock exam today: expected {today.scaled} "
                f"({today.low}-{today.high})") in readiness
        assert "estimate" in readiness and "pass mark 720" in readiness
        assert f"{stats.heatmap.total} answers" in text(app, "#stats-heatmap-title")
        assert screen.query_one(CalendarHeatmap).counts == stats.heatmap.counts
        assert screen.query_one(BarChart).values == stats.forecast
        assert "review" in text(app, "#stats-states")
        retention = text(app, "#stats-retention")
        row = stats.retention[2].all
        assert f"{100 * row.rate:5.1f}% ({row.total})" in retention
        assert "secure" in text(app, "#stats-domains")
        assert "No mock exam" in text(app, "#stats-exams")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_optimal_retention_is_worked_out_in_a_worker_and_shown(tmp_path):
    engine, clock, _ = studied(tmp_path, days=40)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        # The screen is up before the search finishes (it runs in its own worker).
        assert isinstance(app.screen, StatsScreen)
        await all_done(pilot)
        shown = text(app, "#stats-optimal")
        optimal = float(shown.split("Optimal ")[1].split(" ")[0])
        assert 0.70 <= optimal <= 0.95
        assert "yours 0.90" in shown and "from your collection" in shown
        rows = {line.split()[0]: line for line in shown.splitlines()
                if line[:1] == "0" and len(line.split()) >= 4}
        # The table's retentions, the optimal one and the user's, each a simulated row.
        assert {"0.800", "0.850", "0.900", "0.950", f"{optimal:.3f}"} == set(rows)
        assert "yours" in rows["0.900"] and "optimal" in rows[f"{optimal:.3f}"]
        assert float(rows["0.800"].split()[1]) < float(rows["0.950"].split()[1])
        assert "default parameters are used" in shown


async def test_fitting_from_the_stats_screen(tmp_path):
    engine, clock, _ = studied(tmp_path)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_stats(pilot)
        await pilot.press("o")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        fit = text(app, "#stats-fit")
        assert "log loss" in fit and "current (defaults)" in fit and "fitted" in fit
        assert "kept" in fit
    assert load_parameters(engine) is not None


async def test_fitting_with_too_few_reviews_says_so(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_stats(pilot)
        assert "No mock exam" in text(app, "#stats-exams")
        await pilot.press("o")
        await all_done(pilot)
        assert "Not enough reviews" in text(app, "#stats-fit")
    assert load_parameters(engine) is None


async def test_home_shows_the_exam_plan_and_readiness(tmp_path):
    engine, clock, _ = studied(tmp_path, days=10, **{"new-per-day": "5"})
    save_setting(engine, "exam-date", (START + timedelta(days=40)).date().isoformat())
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await all_done(pilot)
        line = text(app, "#home-exam")
        # 300 cards, 120 introduced; 180 left over the 18 days the plan gives them 30 days
        # out (a little over half the days left): 10 a day, up from the 5 the settings ask for.
        assert "30 days left" in line
        assert "10 new cards a day to finish by" in line
        assert app.screen.query_one("#home-exam").display
        ready = text(app, "#home-ready")
        assert "SAA-C03 mock exam: expected" in ready and "estimate" in ready
        assert "pass mark 720" in ready


async def test_home_without_an_exam_date_has_no_exam_line(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await all_done(pilot)
        assert not app.screen.query_one("#home-exam").display
        # Plain cards only: no exam question, so no readiness line either.
        assert not app.screen.query_one("#home-ready").display


async def test_home_shows_readiness_without_an_exam_date(tmp_path):
    engine, clock, _ = studied(tmp_path, days=10)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await all_done(pilot)
        assert not app.screen.query_one("#home-exam").display
        ready = text(app, "#home-ready")
        assert ready.startswith("Ready  SAA-C03 mock exam: expected ")


async def test_help_lists_the_stats_key(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Stats" in str(app.screen.query_one("Static").render())  # home's t
        await pilot.press("escape", "t")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Fit FSRS to me" in str(app.screen.query_one("Static").render())


# -- the chart drawing --------------------------------------------------------------------
def test_heatmap_grid_has_weeks_as_columns_and_days_as_rows():
    from datetime import date

    end = date(2026, 6, 17)  # a Wednesday
    counts = {end: 10, end - timedelta(days=1): 5, date(2026, 6, 1): 1}
    lines = heatmap_content(counts, end, 4).plain.split("\n")
    assert lines[1].startswith("Mon ") and lines[7].startswith("Sun ")
    assert len(lines[1]) == 4 + 4  # four weeks, one cell each
    assert len(lines[4]) == 4 + 3  # Thursday of this week is still to come
    assert "Jun" in lines[0]
    assert shade(0, 10) == 0 and shade(1, 10) == 1 and shade(10, 10) == 4 and shade(6, 10) == 3
    wide = heatmap_content(counts, end, 4, cell=2).plain.split("\n")
    assert len(wide[1].rstrip()) == 4 + 7


def test_bar_chart_scales_to_the_largest_value():
    content = bar_chart_content([80, 40, 0, 1], {0: "today"}, height=2, width=40)
    rows = content.plain.split("\n")
    assert rows[0].startswith(" 80 ") and rows[-1].strip() == "today"
    assert rows[0][4:6] == "██" and rows[1][4:6] == "██"  # 80 of 80: both rows full
    assert rows[0][7:9] == "  " and rows[1][7:9] == "██"  # 40 of 80: the lower row
    assert rows[1][13:15] == "▁▁"  # any card at all shows
    assert hbar(0.5, 4).plain == "██" + "██" and len(hbar(0.3, 10).plain) == 10
    assert hbar(0.5, 4).plain == "██" + "██" and len(hbar(0.3, 10).plain) == 10


# -- the loaded screen, as a picture ----------------------------------------------------
def test_loaded_stats_screen_snapshot(tmp_path, snap_compare):
    """Every section with its numbers (the screen is tall enough to show them all)."""
    engine, clock, _ = studied(tmp_path)
    save_setting(engine, "exam-date", (START + timedelta(days=120)).date().isoformat())

    async def open_and_wait(pilot):
        await open_stats(pilot)

    assert snap_compare(StudyApp(engine, clock), run_before=open_and_wait,
                        terminal_size=(110, 56))


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_stats_screen_snapshot_at_both_sizes(tmp_path, snap_compare, size):
    """The top of the screen as a user first sees it, in a small and a large terminal."""
    engine, clock, _ = studied(tmp_path)
    save_setting(engine, "exam-date", (START + timedelta(days=120)).date().isoformat())
    assert snap_compare(StudyApp(engine, clock), run_before=open_stats, terminal_size=size)


# -- before the numbers arrive -----------------------------------------------------------
def held_collect(monkeypatch):
    """Make the stats worker wait (at most 10 s) until the returned event is set."""
    import threading

    from studyaws.services import stats_report as report

    release = threading.Event()
    collect = report.collect

    def held(engine, clock):
        release.wait(10)
        return collect(engine, clock)

    monkeypatch.setattr(report, "collect", held)
    return release


async def test_the_first_frame_is_light_and_the_numbers_fill_it_in(tmp_path, monkeypatch):
    engine, clock, reviews = studied(tmp_path, days=20)
    release = held_collect(monkeypatch)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is None
        assert "Working out your stats" in text(app, "#stats-readiness")
        assert "o fits FSRS" in text(app, "#stats-fit")
        assert not screen.query(CalendarHeatmap) and not screen.query("#stats-retention")
        assert len(screen.query("*")) < 15  # the sections wait for their numbers
        release.set()
        await all_done(pilot)
        assert screen.stats is not None and screen.stats.heatmap.total == len(reviews)
        assert f"{len(reviews)} answers" in text(app, "#stats-heatmap-title")
        assert screen.query_one(CalendarHeatmap).counts == screen.stats.heatmap.counts
        assert "Readiness" in text(app, "#stats-readiness")
        # the sections sit between the readiness lines and the FSRS parameters
        body = [w.id for w in screen.query_one("#stats-body").children]
        assert body.index("stats-readiness") < body.index("stats-heatmap") < body.index(
            "stats-fit")


async def test_fitting_before_the_numbers_arrive(tmp_path, monkeypatch):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    release = held_collect(monkeypatch)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("o")
        await settle(pilot, lambda: "Not enough reviews" in text(app, "#stats-fit"), 10,
                     lambda: f"the fit to be refused, not {text(app, '#stats-fit')!r}")
        release.set()
        await all_done(pilot)
        assert "No mock exam" in text(app, "#stats-exams")
        assert len(app.screen.query(CalendarHeatmap)) == 1


async def test_leaving_before_the_numbers_arrive(tmp_path, monkeypatch):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    release = held_collect(monkeypatch)
    searches = searched(monkeypatch)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        release.set()
        await all_done(pilot)
        assert isinstance(app.screen, HomeScreen) and app.is_running
        assert searches == []  # closed before its numbers: no retention search either
    assert app.return_code in (0, None)


def searched(monkeypatch) -> list[float]:
    """The times (monotonic) at which the stats screen's retention worker starts its search."""
    from studyaws.services import optimizer

    started: list[float] = []
    search = optimizer.optimal_retention

    def recorded(*args, **kwargs):
        started.append(time.monotonic())
        return search(*args, **kwargs)

    monkeypatch.setattr(optimizer, "optimal_retention", recorded)
    return started


async def test_the_retention_search_follows_the_numbers(tmp_path, monkeypatch):
    """The search and the workload simulations start once the numbers are shown: run at the
    same time, the two workers shared the interpreter and both came later."""
    engine, clock, _ = studied(tmp_path, days=20)
    release = held_collect(monkeypatch)
    searches = searched(monkeypatch)
    app = StudyApp(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause(0.3)
        assert searches == [] and "Working out the optimal" in text(app, "#stats-optimal")
        release.set()
        await all_done(pilot)
        assert len(searches) == 1 and "Optimal " in text(app, "#stats-optimal")
        assert "Readiness" in text(app, "#stats-readiness")
