"""The import screen's picker under Pilot on a real collection: it opens where it was last
used or on the home folder (never the folder the program runs from), a path typed in its box
goes to a folder or picks a file, Tab completes names, Backspace goes up a folder, long names
end in "…", and a folder that cannot be read is one line naming it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from backends import open_test_engine
from backup_support import run
from support import START
from test_tui_review import screen_text
from textual.widgets import Input
from textual.widgets._footer import FooterKey
from waiting import settle

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.store.queries import deck_count
from studyaws.store.settings import load_last_import_folder, save_last_import_folder
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.home import HomeScreen
from studyaws.tui.screens.importing import BankTree, ImportScreen, complete

SIZE = (120, 40)
DECK = "# Networking\n\nQ: What does a NAT gateway do?\nA: Lets private subnets reach out.\n"


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    """A home folder with decks in it; the program runs from another folder."""
    home = tmp_path / "home-folder"
    (home / "decks" / "networking").mkdir(parents=True)
    (home / "decks" / "networking" / "vpc.md").write_text(DECK, encoding="utf-8")
    (home / "decks" / "notes.md").write_text("# Notes\n\nQ: one\nA: two\n", encoding="utf-8")
    (home / "documents").mkdir()
    (home / "photo.jpg").write_bytes(b"\xff\xd8")
    monkeypatch.setenv("HOME", str(home))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "not-here.md").write_text(DECK, encoding="utf-8")
    monkeypatch.chdir(cwd)
    return home


def new_app(tmp_path: Path) -> StudyApp:
    return StudyApp(open_test_engine(tmp_path / "data" / DB_NAME), FakeClock(START))


async def import_screen(pilot) -> ImportScreen:
    await pilot.press("i")
    screen = await settle(pilot, lambda: isinstance(pilot.app.screen, ImportScreen)
                          and pilot.app.screen, 5, "the import screen")
    await listed(pilot, screen)
    return screen


async def listed(pilot, screen: ImportScreen) -> None:
    """Until the tree shows the entries of the folder the screen is on."""
    tree = screen.query_one(BankTree)
    await settle(pilot, lambda: tree.root.data.path == screen.folder and tree.root.children
                 and screen.pending is None, 5, "the folder to be listed")
    await pilot.pause()


def path_box(screen: ImportScreen) -> Input:
    return screen.query_one("#import-path", Input)


def footer(app) -> dict[str, str]:
    return {key.key: key.description for key in app.screen.query(FooterKey)}


def cursor_path(screen: ImportScreen) -> Path:
    return Path(screen.query_one(BankTree).cursor_node.data.path)


async def test_it_opens_on_the_home_folder_not_the_working_folder(tmp_path, home):
    app = new_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        assert screen.folder == home and screen.selected == home
        assert path_box(screen).value == "~/"
        text = screen_text(app)
        assert "decks" in text and "documents" in text
        assert "not-here.md" not in text and "photo.jpg" not in text
        assert isinstance(screen.focused, BankTree)
        assert footer(app) == {"p": "Preview", "i": "Import", "backspace": "Parent folder",
                               "slash": "Type a path", "escape": "Back", "ctrl+p": "palette"}


async def test_a_typed_folder_opens_and_tab_completes_names(tmp_path, home):
    app = new_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        await pilot.press("slash")  # to the path box
        await pilot.pause()
        box = path_box(screen)
        assert screen.focused is box and box.cursor_position == len(box.value)
        # While typing, the footer offers what the box does; p and i are letters of a path.
        assert footer(app) == {"enter": "Open", "escape": "Back", "ctrl+p": "palette"}
        await pilot.press("d", "e")
        await settle(pilot, lambda: box._suggestion == "~/decks/", 5, "the completion")
        assert footer(app)["tab"] == "Complete"
        await pilot.press("tab")
        await pilot.pause()
        assert box.value == "~/decks/" and screen.focused is box
        await pilot.press("n")
        await settle(pilot, lambda: box._suggestion == "~/decks/networking/", 5, "completion")
        await pilot.press("tab", "enter")
        await listed(pilot, screen)
        assert screen.folder == home / "decks" / "networking"
        assert screen.selected == screen.folder
        assert box.value == "~/decks/networking/"
        assert isinstance(screen.focused, BankTree)  # arrows browse the folder opened
        assert "vpc.md" in screen_text(app)

        # A path from the folder shown, and "..".
        await pilot.press("slash", *"../", "enter")
        await listed(pilot, screen)
        assert screen.folder == home / "decks"
        await pilot.press("slash", *"networking", "enter")
        await listed(pilot, screen)
        assert screen.folder == home / "decks" / "networking"
        assert deck_count(app.engine) == 0  # p and i typed in the box did nothing


async def test_tab_with_nothing_to_complete_moves_on(tmp_path, home):
    app = new_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        await pilot.press("slash", "z", "z")
        await pilot.pause(0.2)
        assert "tab" not in footer(app)
        await pilot.press("tab")
        await pilot.pause()
        assert path_box(screen).value == "~/zz" and screen.focused is not path_box(screen)


async def test_a_typed_file_is_picked_and_previewed_then_i_imports_it(tmp_path, home):
    app = new_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        await pilot.press("slash", *"decks/networking/vpc.md", "enter")
        await settle(pilot, lambda: screen.last is not None, 10, "the preview")
        vpc = home / "decks" / "networking" / "vpc.md"
        assert screen.last.dry_run and screen.last.path == vpc
        assert "Preview (nothing was written): ~/decks/networking/vpc.md" in screen_text(app)
        await listed(pilot, screen)
        assert screen.folder == vpc.parent and screen.selected == vpc
        assert cursor_path(screen) == vpc and isinstance(screen.focused, BankTree)
        screen.last = None
        await pilot.press("i")
        await settle(pilot, lambda: screen.last is not None, 10, "the import")
        assert not screen.last.dry_run and deck_count(app.engine) == 1


async def test_backspace_goes_up_a_folder_with_the_cursor_on_the_one_left(tmp_path, home):
    app = new_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        await pilot.press("slash", *"decks/networking", "enter")
        await listed(pilot, screen)
        await pilot.press("backspace")
        await listed(pilot, screen)
        assert screen.folder == home / "decks"
        assert cursor_path(screen) == home / "decks" / "networking"
        assert screen.selected == home / "decks" / "networking"
        assert path_box(screen).value == "~/decks/"
        await pilot.press("backspace")
        await listed(pilot, screen)
        assert screen.folder == home and cursor_path(screen) == home / "decks"
        await pilot.press("backspace")  # above the home folder too
        await listed(pilot, screen)
        assert screen.folder == home.parent
        assert path_box(screen).value == f"{home.parent}/"
        # In the path box Backspace deletes a character and goes nowhere.
        await pilot.press("slash", "backspace")
        await pilot.pause()
        assert path_box(screen).value == f"{home.parent}"[:-1] + f"{home.parent}"[-1]
        assert screen.folder == home.parent


async def test_the_folder_last_used_is_where_it_opens_next(tmp_path, home):
    app = new_app(tmp_path)
    engine = app.engine
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        await pilot.press("slash", *"decks", "enter")
        await listed(pilot, screen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await app.workers.wait_for_complete()
        assert load_last_import_folder(engine) == str(home / "decks")
        screen = await import_screen(pilot)
        assert screen.folder == home / "decks" and path_box(screen).value == "~/decks/"

        # An import keeps its folder at once (the app may be quit from this screen).
        await pilot.press("slash", *"networking/vpc.md", "enter")
        await settle(pilot, lambda: screen.last is not None, 10, "the preview")
        assert load_last_import_folder(engine) == str(home / "decks")  # a preview writes nothing
        screen.last = None
        await pilot.press("i")
        await settle(pilot, lambda: screen.last is not None, 10, "the import")
        assert load_last_import_folder(engine) == str(home / "decks" / "networking")

    # It is not one of the user's settings.
    engine.dispose()
    data = tmp_path / "data"
    listing = run(data, "config")
    assert listing.returncode == 0 and "desired-retention" in listing.stdout
    assert "import" not in listing.stdout
    assert run(data, "config", "get", "last-import-folder").returncode == 2


async def test_a_last_folder_gone_opens_the_nearest_one_above_it(tmp_path, home):
    app = new_app(tmp_path)
    save_last_import_folder(app.engine, str(home / "decks" / "gone" / "deeper"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        assert screen.folder == home / "decks"
        assert not screen.query_one("#import-error").display


async def test_a_missing_path_or_a_folder_that_cannot_be_read_is_one_line(tmp_path, home):
    app = new_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        error = screen.query_one("#import-error")
        await pilot.press("slash", *"decks/nothing-here", "enter")
        await pilot.pause()
        assert error.display
        assert str(error.render()) == "~/decks/nothing-here: no such file or folder"
        assert screen.folder == home  # it stays where it was

        # A folder that goes away after the tree listed it: opened, it says so.
        await pilot.press("ctrl+a", "ctrl+k", *"~/decks", "enter")
        await listed(pilot, screen)
        assert not error.display  # a folder opened clears the line
        shutil.rmtree(home / "decks" / "networking")
        await pilot.press("down")
        assert cursor_path(screen) == home / "decks" / "networking"
        await pilot.press("enter")  # expand it
        await settle(pilot, lambda: error.display, 5, "the error line")
        assert str(error.render()) == "~/decks/networking: no such file or folder"
        assert screen.last is None and not screen.running  # nothing previewed


def permissions_hold() -> bool:
    """Whether a folder without permissions cannot be read here (root reads any)."""
    with tempfile.TemporaryDirectory() as scratch:
        locked = Path(scratch) / "locked"
        locked.mkdir(mode=0)
        try:
            os.listdir(locked)
        except PermissionError:
            return True
        finally:
            locked.chmod(0o755)
    return False


@pytest.mark.skipif(not permissions_hold(), reason="this user reads every folder (root)")
async def test_a_folder_without_permission_is_one_line_naming_it(tmp_path, home):
    locked = home / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        app = new_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_screen(pilot)
            await pilot.press("slash", *"locked", "enter")
            await pilot.pause()
            error = screen.query_one("#import-error")
            assert str(error.render()) == "Cannot open ~/locked: Permission denied"
            assert screen.folder == home

            # Listed in the tree and expanded there: the same line.
            await pilot.press("escape")
            await pilot.pause()
            screen = await import_screen(pilot)
            tree = screen.query_one(BankTree)
            while cursor_path(screen) != locked:
                await pilot.press("down")
            await pilot.press("enter")
            await settle(pilot, lambda: screen.query_one("#import-error").display, 5,
                         "the error line")
            assert (str(screen.query_one("#import-error").render())
                    == "Cannot open ~/locked: Permission denied")
            assert tree.cursor_node is not None
    finally:
        locked.chmod(0o755)


async def test_long_names_end_in_an_ellipsis_and_the_selection_shows_them_whole(tmp_path,
                                                                                home):
    long_name = "aws-solutions-architect-associate-practice-questions-" + "x" * 60 + ".md"
    for n in range(40):  # enough for a scroll bar
        (home / f"folder-{n:02}").mkdir()
    (home / "decks" / long_name).write_text(DECK, encoding="utf-8")
    app = new_app(tmp_path)
    async with app.run_test(size=(90, 24)) as pilot:
        screen = await import_screen(pilot)
        tree = screen.query_one(BankTree)
        await pilot.press("down")
        assert cursor_path(screen) == home / "decks"
        await pilot.press("enter")  # expand decks
        await settle(pilot, lambda: len(tree.cursor_node.children) == 3, 5, "decks listed")
        await pilot.press("down", "down")
        assert cursor_path(screen) == home / "decks" / long_name
        await pilot.pause()
        line = tree.render_line(tree.cursor_line - tree.scroll_offset.y).text.rstrip()
        assert line.endswith("…"), line
        shown = line.split()[-1].removesuffix("…")
        assert len(shown) > 12 and long_name.startswith(shown)
        assert tree.show_vertical_scrollbar
        assert tree.virtual_size.width <= tree.scrollable_content_region.width
        selected = str(screen.query_one("#import-selected").render())
        assert selected == f"Selected file: ~/decks/{long_name}"


def test_completion_of_names(tmp_path, home):
    decks = home / "decks"
    (decks / "networking-advanced").mkdir()
    (decks / "network.gift").write_text("x", encoding="utf-8")
    (decks / ".hidden").mkdir()
    (decks / "notes.pdf").write_text("x", encoding="utf-8")
    assert complete("~/decks/ne", home) == "~/decks/network"  # what all three share
    assert complete("~/decks/network.", home) == "~/decks/network.gift"
    assert complete("decks/networking", home) == "decks/networking/"  # folders first
    assert complete("decks/networking-", home) == "decks/networking-advanced/"
    assert complete("no", decks) == "notes.md"  # from the folder shown; no .pdf
    assert complete(f"{decks}/no", Path("/")) == f"{decks}/notes.md"
    assert complete("decks/.h", home) == "decks/.hidden/"  # hidden only when asked for
    assert complete("decks/", home) is None  # nothing typed yet: nothing shown
    assert complete("decks/zz", home) is None
    assert complete("decks/zz/a", home) is None


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_import_screen_snapshot(tmp_path, home, snap_compare, size):
    """The path box, the tree with a long name ending in "…", the selection in full."""
    long_name = "aws-solutions-architect-associate-practice-questions-volume-one.md"
    (home / "decks" / long_name).write_text(DECK, encoding="utf-8")

    async def open_on_a_long_name(pilot):
        screen = await import_screen(pilot)
        path_box(screen).cursor_blink = False
        await pilot.press("down", "enter")
        tree = screen.query_one(BankTree)
        await settle(pilot, lambda: len(tree.cursor_node.children) == 3, 5, "decks listed")
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(new_app(tmp_path), run_before=open_on_a_long_name,
                        terminal_size=size)


async def test_while_an_import_runs_its_keys_wait_and_say_so(tmp_path, home, monkeypatch):
    import threading

    from studyaws.services import importer

    release = threading.Event()
    import_paths = importer.import_paths

    def held(*args, **kwargs):
        release.wait(10)
        return import_paths(*args, **kwargs)

    monkeypatch.setattr(importer, "import_paths", held)
    app = new_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await import_screen(pilot)
        await pilot.press("slash", *"decks/notes.md", "enter")
        await settle(pilot, lambda: screen.running, 5, "the preview to start")
        await pilot.pause()
        disabled = {key.key for key in app.screen.query(FooterKey) if key.has_class("-disabled")}
        assert disabled == {"p", "i", "escape"}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen  # not left while it runs
        release.set()
        await settle(pilot, lambda: screen.last is not None, 10, "the preview")
        await pilot.pause()
        assert not any(key.has_class("-disabled") for key in app.screen.query(FooterKey))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
