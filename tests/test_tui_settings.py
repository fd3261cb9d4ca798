"""The settings screen under Pilot on a real collection: it opens on its first field, every
key its footer shows does what it says, and Esc never throws edits away without asking."""

from __future__ import annotations

from support import basic_deck, make_collection
from test_tui_review import screen_text
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from studyaws.store.settings import load_settings
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.modals import UnsavedChangesScreen
from studyaws.tui.screens.settings import SettingsScreen

SIZE = (100, 32)


async def open_settings(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(1))
    app = StudyApp(engine, clock)
    return engine, app


async def settings_shown(pilot) -> SettingsScreen:
    await pilot.press("s")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


async def retype(pilot, text: str) -> None:
    """Clear the focused field and type `text` into it, as a user does."""
    field = pilot.app.screen.focused
    assert isinstance(field, Input)
    await pilot.press("end", *["backspace"] * len(field.value), *text)
    await pilot.pause()


def footer(app) -> dict[str, str]:
    return {key.key: key.description for key in app.screen.query(FooterKey)}


async def test_the_first_field_has_focus_and_the_footer_shows_save_and_back(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings_shown(pilot)
        assert screen.focused is screen.query(Input).first()
        assert screen.focused.id == "set-desired-retention"
        await pilot.pause()
        assert footer(app) == {"ctrl+s": "Save", "escape": "Back", "ctrl+p": "palette"}
        # Typing goes straight into the field.
        await retype(pilot, "0.85")
        assert screen.focused.value == "0.85"


async def test_escape_with_nothing_changed_leaves_at_once(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settings_shown(pilot)
        await pilot.press("tab", "tab")  # moving between fields changes nothing
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_escape_with_edits_asks_and_keep_editing_keeps_them(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings_shown(pilot)
        await retype(pilot, "0.85")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedChangesScreen)
        text = screen_text(app)
        assert "Unsaved changes" in text and "desired-retention is changed and not saved" in text
        for shown in ("s    save and leave", "d    discard the changes and leave",
                      "Esc  keep editing"):
            assert shown in text, shown
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#set-desired-retention", Input).value == "0.85"
        assert screen.focused.id == "set-desired-retention"
        assert load_settings(engine).desired_retention == 0.9  # nothing saved yet


async def test_discard_leaves_and_stores_nothing(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settings_shown(pilot)
        await retype(pilot, "0.85")
        await pilot.press("tab")
        await retype(pilot, "1 5")
        await pilot.press("escape")
        await pilot.pause()
        assert "2 settings are changed and not saved" in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        settings = load_settings(engine)
        assert settings.desired_retention == 0.9 and settings.learning_steps == (1, 10)
        # Opened again: the stored values, not the discarded ones.
        screen = await settings_shown(pilot)
        assert screen.query_one("#set-desired-retention", Input).value == "0.9"


async def test_save_from_the_question_stores_and_leaves(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settings_shown(pilot)
        await retype(pilot, "0.85")
        await pilot.press("escape", "s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert load_settings(engine).desired_retention == 0.85


async def test_save_from_the_question_that_fails_stays_and_says_why(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings_shown(pilot)
        await retype(pilot, "2")
        await pilot.press("escape", "s")
        await pilot.pause()
        assert app.screen is screen
        assert "between 0.70 and 0.99" in screen_text(app)
        assert load_settings(engine).desired_retention == 0.9
        await pilot.press("escape")  # still not saved: asks again
        await pilot.pause()
        assert isinstance(app.screen, UnsavedChangesScreen)


async def test_ctrl_s_saves_from_a_field_and_then_escape_leaves_without_asking(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await settings_shown(pilot)
        await retype(pilot, "0.850")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert load_settings(engine).desired_retention == 0.85
        # The field shows the value as stored, so nothing is left unsaved.
        assert screen.query_one("#set-desired-retention", Input).value == "0.85"
        assert "Saved 1 setting." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_enter_in_a_field_saves(tmp_path):
    engine, app = await open_settings(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settings_shown(pilot)
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # new-per-day
        assert app.screen.focused.id == "set-new-per-day"
        await retype(pilot, "7")
        await pilot.press("enter")
        await pilot.pause()
        assert load_settings(engine).new_per_day == 7
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
