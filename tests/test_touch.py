"""The app served to a phone (studyaws serve): every step of the review and the exam by
tapping, at a phone's size (40 columns by 30 rows), with every count and button on screen."""

from __future__ import annotations

from pathlib import Path

from support import basic_deck, card_id_by_prompt, make_collection, review_count
from test_tui_exam_flow import MIXED
from textual.widgets import Button

from studyaws.core.questions import Choice
from studyaws.services import exam as service
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.exam_modals import ConfirmScreen, ReviewBeforeSubmitScreen
from studyaws.tui.screens.exam_results import ExamResultScreen
from studyaws.tui.served import Served
from studyaws.tui.widgets.question import OptionsView

PHONE = (40, 30)
CHOICE = ("Which one is a storage service? {#s3}\n\n- [ ] EC2\n- [x] S3\n- [ ] Lambda\n\n"
          "> S3 stores objects.\n")


def served(tmp_path: Path, import_root: Path | None = None) -> Served:
    return Served(data_folder=tmp_path / "home", import_root=import_root)


def on_screen(app, widget) -> bool:
    """The widget shows whole inside the screen (not cut off at its right or bottom)."""
    region = widget.region
    screen = app.screen.region
    return bool(region.area) and screen.contains_region(region)


def visible_buttons(app) -> dict[str, Button]:
    return {b.id.removeprefix("touch-"): b for b in app.screen.query(Button) if b.display
            and b.parent.display}


async def tap(pilot, name: str) -> None:
    buttons = visible_buttons(pilot.app)
    assert name in buttons, f"no {name!r} button: {sorted(buttons)}"
    assert on_screen(pilot.app, buttons[name]), f"{name} is off screen"
    while buttons[name].has_class("-active"):  # a button takes no press for 0.2 s after one
        await pilot.pause(0.05)
    assert await pilot.click(buttons[name])
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()


def assert_all_on_screen(app) -> None:
    for name, button in visible_buttons(app).items():
        assert on_screen(app, button), f"button {name} is off screen: {button.region}"
    counts = app.screen.query_one("#review-counts")
    assert on_screen(app, counts)
    text = str(counts.render())
    for word in ("New", "Learning", "Due"):
        assert word in text
    # every count is drawn whole on its one line
    assert counts.render().cell_length <= counts.content_region.width
    assert counts.region.height == 1


async def test_a_flashcard_review_by_tapping_at_phone_size(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock, start="review", served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        for rating in ("good", "again", "easy"):
            assert_all_on_screen(app)
            assert set(visible_buttons(app)) == {"show", "flag", "undo", "home", "more"}
            await tap(pilot, "show")
            assert_all_on_screen(app)
            assert {"again", "hard", "good", "easy"} <= set(visible_buttons(app))
            await tap(pilot, rating)
        assert review_count(engine) == 3


async def test_a_choice_question_by_tapping_an_option_then_submit_and_next(tmp_path):
    engine, clock, _ = make_collection(tmp_path, CHOICE + "\n" + basic_deck(1))
    app = StudyApp(engine, clock, start="review", served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        screen = app.screen
        if screen.view.question is None:  # the flashcard came first
            await tap(pilot, "show")
            await tap(pilot, "good")
        assert screen.view.question is not None
        assert_all_on_screen(app)
        assert str(screen.query_one("#keys").render()) == "Tap an option, then Submit"
        options = screen.query_one(OptionsView)
        right = options.order.index(1)  # where S3 shows
        assert await pilot.click(options, offset=(4, right))
        await pilot.pause()
        assert options.picked == [1]
        await tap(pilot, "submit")
        assert screen.submitted and screen.last_correct
        assert_all_on_screen(app)
        assert {"again", "hard", "good", "easy", "next"} <= set(visible_buttons(app))
        await tap(pilot, "hard")  # the suggested rating changed by a tap
        assert screen.rated == 2
        await tap(pilot, "next")
    assert review_count(engine) >= 1


async def test_flag_by_tapping_in_the_review(tmp_path):
    from studyaws.tui.screens.flag import FlagScreen

    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock, start="review", served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        await tap(pilot, "flag")
        assert isinstance(app.screen, FlagScreen)
        await tap(pilot, "orange")
        assert app.screen.view.flag == 2


async def test_no_touch_buttons_in_the_terminal(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock, start="review")
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        assert not visible_buttons(app)


async def test_an_exam_by_tapping_at_phone_size(tmp_path):
    engine, clock, _ = make_collection(tmp_path, MIXED)
    view = service.start_exam(engine, clock, "quick", seed=5)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id, served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        screen = app.screen
        seen = set()
        for _ in range(len(view.items)):
            for name, button in visible_buttons(app).items():
                assert on_screen(app, button), name
            assert on_screen(app, screen.query_one("#exam-clock"))
            title = screen.query_one("#exam-title")
            assert on_screen(app, title)
            assert f"Question {screen.index + 1} of {len(view.items)}" in str(title.render())
            lines = title.render().wrap(title.content_region.width)
            assert len(lines) <= title.region.height  # every line of it shows
            status = screen.query_one("#exam-status")
            assert len(status.render().wrap(status.content_region.width)) <= status.region.height
            seen.add(screen.index)
            assert {"previous", "next", "flag", "submit"} <= set(visible_buttons(app))
            await tap(pilot, "next")
        assert seen == set(range(len(view.items)))
        # past the last question: the review before submitting, then the confirmation
        assert isinstance(app.screen, ReviewBeforeSubmitScreen)
        await tap(pilot, "submit")
        assert isinstance(app.screen, ConfirmScreen)
        await tap(pilot, "yes")
        assert isinstance(app.screen, ExamResultScreen)
    assert service.load_exam(engine, view.id).status == "finished"


async def test_an_exam_question_flagged_and_an_option_picked_by_tapping(tmp_path):
    engine, clock, _ = make_collection(tmp_path, MIXED)
    view = service.start_exam(engine, clock, "quick", seed=5)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id, served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        screen = app.screen
        while not isinstance(screen.item.question, Choice):
            await tap(pilot, "next")
        await tap(pilot, "flag")
        assert screen.item.flagged
        options = screen.query_one(OptionsView)
        assert await pilot.click(options, offset=(4, 0))
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        position = screen.item.position
    saved = service.load_exam(engine, view.id).items[position]
    assert saved.flagged and saved.response == {"chosen": [options.order[0]]}


# -- what a served app may not do -------------------------------------------------------------


async def test_served_without_an_import_root_has_no_import(tmp_path):
    from studyaws.tui.screens.home import HomeScreen

    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock, served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.check_action("import", ()) is False


async def test_served_import_stays_in_its_folder(tmp_path):
    from studyaws.tui.screens.importing import ImportScreen

    root = tmp_path / "decks"
    root.mkdir()
    (root / "more.md").write_text("# More\n\nQ: Inside?\nA: Yes\n", encoding="utf-8")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "other.md").write_text("# Other\n\nQ: Outside?\nA: No\n", encoding="utf-8")
    (root / "link").symlink_to(secret)
    engine, clock, _ = make_collection(tmp_path, basic_deck(2))
    app = StudyApp(engine, clock, served=served(tmp_path, import_root=root))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen) and screen.folder == root
        screen.action_parent()  # the top: nowhere further up
        assert screen.folder == root
        assert not screen.open_folder(secret)
        assert "outside the folder" in str(screen.query_one("#import-error").render())
        screen.select_path(root / "link" / "other.md")  # a link out of it is outside too
        screen.start(dry_run=False)
        await pilot.pause()
        assert not screen.running
        screen.select_path(root / "more.md")
        screen.start(dry_run=False)
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "import"])
        await pilot.pause()
    assert card_id_by_prompt(engine, "Inside?") is not None
    assert card_id_by_prompt(engine, "Outside?") is None


async def test_served_app_saves_no_screenshot_and_edits_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine, clock, deck = make_collection(tmp_path, basic_deck(2))
    before = deck.read_text(encoding="utf-8")
    monkeypatch.setenv("EDITOR", "sh -c 'echo changed > \"$1\"' editor")
    monkeypatch.setenv("VISUAL", "sh -c 'echo changed > \"$1\"' editor")
    app = StudyApp(engine, clock, start="review", served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles and "Quit" in titles
        assert app.deliver_screenshot(path=str(tmp_path)) is None
        assert app.screen.check_action("edit", ()) is False
        await pilot.press("E")
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert not list(tmp_path.glob("*.svg"))
    assert deck.read_text(encoding="utf-8") == before
    app = StudyApp(engine, clock, start="review")  # in the terminal, both are there
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        assert "Screenshot" in [c.title for c in app.get_system_commands(app.screen)]
        assert app.screen.check_action("edit", ()) is True


async def test_a_phone_and_a_terminal_on_one_collection_lose_no_answer(tmp_path):
    """Two apps on one collection file (each page of a serve is its own process with its own
    connection), answering in turns: every answer of both is kept."""
    from backends import open_test_engine

    engine, clock, _ = make_collection(tmp_path, basic_deck(8))
    other = open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    phone = StudyApp(engine, clock, start="review", served=served(tmp_path))
    terminal = StudyApp(other, clock, start="review")
    async with phone.run_test(size=PHONE) as on_phone, \
            terminal.run_test(size=(80, 30)) as on_terminal:
        await on_phone.pause()
        await on_terminal.pause()
        for _ in range(3):
            await tap(on_phone, "show")
            await tap(on_phone, "good")
            await on_terminal.press("space", "space")
            await on_terminal.pause()
    assert review_count(engine) == 6


async def test_from_home_a_review_and_an_exam_start_by_tapping(tmp_path):
    from studyaws.tui.screens.exam import ExamScreen
    from studyaws.tui.screens.exam_setup import ExamSetupScreen
    from studyaws.tui.screens.home import HomeScreen
    from studyaws.tui.screens.review import ReviewScreen

    engine, clock, _ = make_collection(tmp_path, MIXED + "\n" + basic_deck(2))
    app = StudyApp(engine, clock, served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await tap(pilot, "review")
        assert isinstance(app.screen, ReviewScreen)
        await tap(pilot, "home")
        assert isinstance(app.screen, HomeScreen)
        await tap(pilot, "exam")
        assert isinstance(app.screen, ExamSetupScreen)
        for name in ("field-up", "field-down", "less", "more-value", "start", "cancel"):
            assert name in visible_buttons(app)
        await tap(pilot, "start")
        assert isinstance(app.screen, ExamScreen)


async def test_an_ordering_by_tapping_an_item_and_moving_it(tmp_path):
    from studyaws.tui.widgets.question import OrderingView

    engine, clock, _ = make_collection(tmp_path, "Order: Put these in order. {#o}\n"
                                       "1. First\n2. Second\n3. Third\n")
    app = StudyApp(engine, clock, start="review", served=served(tmp_path))
    async with app.run_test(size=PHONE) as pilot:
        await pilot.pause()
        screen = app.screen
        ordering = screen.query_one(OrderingView)
        assert {"item-up", "item-down", "submit"} <= set(visible_buttons(app))
        # put it right with taps: choose each right item and move it up to its place
        for place, item in enumerate(range(3)):
            position = ordering.order.index(item)
            assert await pilot.click(ordering, offset=(5, position))
            await pilot.pause()
            assert ordering.cursor == position
            for _ in range(position - place):
                await tap(pilot, "item-up")
        assert ordering.order == [0, 1, 2]
        await tap(pilot, "submit")
        assert screen.submitted and screen.last_correct
