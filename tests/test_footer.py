"""The key footer rebuilds its keys only when they change."""

from __future__ import annotations

from support import basic_deck, make_collection
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets._footer import FooterKey

from studyaws.tui.app import StudyApp
from studyaws.tui.widgets.footer import KeysFooter


class Toggling(App):
    BINDINGS = [("a", "first", "First"), ("b", "second", "Second")]
    second_shown = True

    def compose(self) -> ComposeResult:
        yield KeysFooter()

    def check_action(self, action: str, parameters) -> bool | None:
        return self.second_shown if action == "second" else True

    def action_first(self) -> None: ...

    def action_second(self) -> None: ...


def keys(app) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))


async def test_unchanged_keys_are_not_rebuilt_and_changed_ones_are():
    app = Toggling()
    async with app.run_test() as pilot:
        await pilot.pause()
        before = keys(app)
        assert [k.description for k in before] == ["First", "Second", "palette"]
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert keys(app) == before  # the same widgets: nothing was rebuilt
        app.second_shown = False
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert [k.description for k in keys(app)] == ["First", "palette"]


async def test_coming_back_to_home_keeps_its_footer(tmp_path):
    engine, clock, _ = make_collection(tmp_path, basic_deck(3))
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = keys(app)
        assert "Review all" in [k.description for k in home]
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert keys(app) == home


class Stepping(App):
    """Space does one thing a step, as in the review: one binding a step, the others
    hidden; the long label makes the footer compact at 60 columns, the short one not."""

    BINDINGS = [
        Binding("space", "long", "Show the whole answer now", key_display="Space"),
        Binding("space", "short", "Go", key_display="Space"),
        ("a", "again", "Again"), ("u", "undo", "Undo"), ("s", "suspend", "Suspend"),
        ("question_mark", "help", "Help"),
    ]
    step = "long"
    undo_shown = True

    def compose(self) -> ComposeResult:
        yield KeysFooter()

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("long", "short"):
            return action == self.step
        if action == "undo":
            return self.undo_shown
        return True


def shown(app) -> list[tuple]:
    return [(k.key, k.key_display, k.description, k.action, sorted(k.classes), k.region)
            for k in keys(app)]


async def test_changed_keys_are_relabelled_in_place_as_they_would_be_made():
    app = Stepping()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        for step, undo_shown in (("short", True), ("long", True), ("short", True),
                                 ("long", False), ("short", False), ("short", True),
                                 ("long", True), ("theme", True), ("short", True)):
            before = keys(app)
            if step == "theme":  # the keys drawn before are not shown again
                app.theme = "textual-light"
            else:
                app.step, app.undo_shown = step, undo_shown
            app.screen.refresh_bindings()
            await pilot.pause()
            await pilot.pause()
            relabelled, painted = shown(app), app.export_screenshot()
            kept = min(len(before), len(keys(app)))
            assert keys(app)[:kept] == before[:kept]  # the same widgets, relabelled
            await footer.recompose()  # what making them again shows, and draws
            await pilot.pause()
            assert shown(app) == relabelled
            assert app.export_screenshot() == painted
        assert footer.compact is False and "Go" in [k.description for k in keys(app)]
        app.step = "long"
        app.screen.refresh_bindings()
        await pilot.pause()
        assert footer.compact is True
