"""The studyaws Textual app."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notify

from studyaws.core.clock import Clock
from studyaws.tui.commands import ScreenActions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy import Engine
    from textual.screen import Screen

    from studyaws.services.first_card import FirstCard
    from studyaws.tui.screens.review import ReviewScreen
    from studyaws.tui.served import Served


class StudyApp(App):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "studyaws"
    COMMANDS = App.COMMANDS | {ScreenActions}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", show=False)]

    def __init__(self, engine: Engine | None, clock: Clock | None = None, *,
                 start: str = "home", deck_id: int | None = None, exam_id: int | None = None,
                 served: Served | None = None,
                 opening: Callable[[], tuple[Engine, int | None]] | None = None,
                 first_card: Callable[[Clock], FirstCard | None] | None = None):
        """`opening` (without an engine): opens the collection and names the deck to study,
        run in a thread behind the first frame (OpeningScreen); what it raises ends the app
        and is kept in `opening_error` for the command line to say. `first_card` (with
        start "review"): reads the first card on the light path (services.first_card),
        in that thread before `opening`: shown at once, the collection opened behind it."""
        super().__init__()
        self.served = served  # in a browser (studyaws serve): studyaws.tui.served
        self.engine = engine
        self.clock = clock or Clock()
        self.start = start
        self.start_deck = deck_id
        self.start_exam_id = exam_id
        self.opening = opening
        self.first_card = first_card
        self.opening_error: BaseException | None = None
        self._first_screen: ReviewScreen | None = None  # showing the light path's card
        self.media_folder: Path | None = None  # the first card's pictures (CardPicture)

    def on_mount(self) -> None:
        if self.opening is not None:
            from studyaws.tui.screens.opening import OpeningScreen

            self.push_screen(OpeningScreen())
            # After the first frame is on screen: the database libraries load meanwhile.
            self.call_after_refresh(self._open_behind)
            return
        self._start_screens()

    def _open_behind(self) -> None:
        import threading

        def open_collection() -> None:
            try:
                first = None
                if self.first_card is not None and self.start == "review":
                    first = self._read_first_card()
                if first is not None:
                    shown = threading.Event()
                    self._hand_over(self._show_first, first, shown)
                    # On screen before the rest loads (it would slow the painting down).
                    shown.wait(5)
                self._collect_again()  # before the collection's work (an import, a migration)
                engine, deck_id = self.opening()
                # The screens' modules (and the services under them) load here too.
                import studyaws.tui.screens.home  # noqa: F401
                import studyaws.tui.screens.review  # noqa: F401
                service = None
                if first is not None:  # the service that answers the card on screen
                    from studyaws.services.review import ReviewService

                    service = ReviewService(engine, self.clock, first.deck_id)
                    service.last_counts = service.counts()
                else:
                    _load_markdown()
            except BaseException as error:  # said by the command line once the app is gone
                self._hand_over(self._not_opened, error)
                return
            self._hand_over(self._opened, engine, deck_id, service)
            if first is not None:  # while the first card is read: before a card needs it
                _load_markdown()

        threading.Thread(target=open_collection, name="opening", daemon=True).start()

    def _read_first_card(self) -> FirstCard | None:
        """The light path's first card, read in a thread of its own while this one imports
        the review screen: SQLite reads without holding Python's lock, so the two overlap."""
        import threading

        read: list = [None, None]  # the card, or what reading it raised

        def run() -> None:
            try:
                read[0] = self.first_card(self.clock)
            except BaseException as error:  # raised in the opening thread, as its own
                read[1] = error

        reader = threading.Thread(target=run, name="first card", daemon=True)
        reader.start()
        import studyaws.tui.screens.flag  # noqa: F401 (the card's flag, in its header)
        import studyaws.tui.screens.review  # noqa: F401

        reader.join()
        if read[1] is not None:
            raise read[1]
        return read[0]

    def _hand_over(self, callback, *args) -> None:
        import contextlib

        # RuntimeError: the app was left (Ctrl+Q) before the collection was open.
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(callback, *args)

    async def _show_first(self, first: FirstCard, shown) -> None:
        """The review with its first card, before the collection is open (its service is
        given in _opened); `shown` is set once it is painted."""
        from studyaws.tui.screens.review import ReviewScreen

        self.start_deck = first.deck_id
        self.media_folder = first.media  # its pictures, until the collection is open
        self._first_screen = ReviewScreen(first.deck_id, first=first)
        await self.switch_screen(self._first_screen)  # in place of the opening screen
        self.call_after_refresh(self._first_painted, shown)

    def _first_painted(self, shown) -> None:
        self._collect_again()
        shown.set()

    def _opened(self, engine: Engine, deck_id: int | None, service=None) -> None:
        self.engine = engine
        self.start_deck = deck_id
        if service is not None and self._first_screen is not None:
            self._first_screen.attach(service)
            self._first_screen = None
            self._freeze_start()
            return
        self.pop_screen()
        self._start_screens()

    def _not_opened(self, error: BaseException) -> None:
        self.opening_error = error
        self.exit()

    def _start_screens(self) -> None:
        if self.start == "review":  # home is made when the review is left (go_home)
            self.start_review(self.start_deck)
        else:
            from studyaws.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
            if self.start == "exam" and self.start_exam_id is not None:
                self.open_exam(self.start_exam_id)
        self._freeze_start()

    def _freeze_start(self) -> None:
        self.call_after_refresh(self._collect_again)
        if not self.is_headless:
            # What start-up made lives as long as the app: the collector's full passes skip it
            # (one took about 100 ms, mid-review, at 100,000 cards; see bench/RESULTS.md).
            self.call_after_refresh(gc.freeze)

    def _collect_again(self) -> None:
        """Python's collector on again once the first screen is painted (the first card, or
        the opening screen before the collection is opened), if the command line held it off
        while the app started (cli.main). What start-up made is frozen first, as
        _freeze_start does: the collector would otherwise go through all of it at once now
        (40 - 80 ms), and none of it is to be freed."""
        if not gc.isenabled():
            if not self.is_headless:
                gc.freeze()
            gc.enable()

    def go_home(self) -> None:
        """Leave the screen shown for home: the one under it (home, or what opened it), or,
        for the review `studyaws review` started with, a home made now."""
        if len(self.screen_stack) > 2:  # Textual's own empty screen is the first
            self.pop_screen()
            return
        from studyaws.tui.screens.home import HomeScreen

        self.switch_screen(HomeScreen())

    _quit_asked: tuple[object, float] | None = None  # (what waits to be saved, when)

    async def action_quit(self) -> None:
        """Quit; while an answer waits to be saved, only when asked twice (it would be lost)."""
        import time

        waiting = [saves.pending for screen in self.screen_stack
                   if (saves := getattr(screen, "saves", None)) is not None and saves.waiting]
        if waiting:
            asked = self._quit_asked
            if asked is None or asked[0] is not waiting[0] or time.monotonic() - asked[1] > 5:
                self._quit_asked = (waiting[0], time.monotonic())
                self.notify("An answer is not saved yet (the line above the keys says why). "
                            "Quit anyway and lose it? Press Ctrl+Q again.", severity="warning",
                            markup=False, timeout=5)
                return
        await super().action_quit()

    # -- toasts ----------------------------------------------------------------------------
    def _on_notify(self, event: Notify) -> None:
        """One toast at a time: a new one takes the place of those showing (burying cards
        one after another would stack them over the options). Done here, as each is shown,
        not in notify(): toasts asked for together arrive after each other."""
        self._notifications.clear()
        super()._on_notify(event)

    # -- the command palette's system commands --------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot" and self.served is not None:
                continue  # it would write on the server's machine
            if command.title == "Screenshot":  # ours: saved where it can be, and said where
                command = command._replace(
                    callback=lambda: self.set_timer(0.1, self.deliver_screenshot))
            yield command

    def screenshot_folder(self) -> Path:
        """The Downloads folder, or, without one, the collection's data folder."""
        from platformdirs import user_downloads_path

        downloads = user_downloads_path()
        if downloads.is_dir():
            return downloads
        from studyaws.services.media import data_folder

        return data_folder(self.engine)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Save an SVG picture of the screen (Textual's command wrote it to ~/Downloads only,
        and failed without one) and say where it went. Served to a browser, nothing: it
        would write on the server's machine."""
        if self.served is not None:
            from studyaws.tui.served import refusal

            self.notify(refusal("save screenshots"), severity="warning", markup=False)
            return None
        folder = Path(path) if path else self.screenshot_folder()
        try:
            if not path:  # the data folder of a PostgreSQL collection may not be made yet
                folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(filename, str(folder), time_format)
        except OSError as error:
            self.notify(f"The screenshot could not be saved in {folder}: "
                        f"{error.strerror or error}", title="Screenshot", severity="error",
                        markup=False)
            return None
        self.notify(f"Screenshot saved to {saved}", title="Screenshot", markup=False)
        return saved

    def start_review(self, deck_id: int | tuple[int, ...] | None = None) -> None:
        """The review of every deck, one (its id) or several (a parent's: their ids)."""
        from studyaws.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck_id))

    # -- crashes --------------------------------------------------------------------------
    crash_report: Path | None = None
    crash_error: BaseException | None = None

    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for an unhandled exception (the app then exits with code 1): write a
        crash report to the data folder; `run_app` says where it is once the screen is back."""
        if self.crash_error is None:
            self.crash_error = error
            from studyaws.services.media import data_folder
            from studyaws.services.reliability import write_crash_report

            try:
                folder = data_folder(self.engine)
                self.crash_report = write_crash_report(folder, error)
            except Exception:  # no report (a full disk?): Textual's traceback is all there is
                self.crash_report = None
        super()._handle_exception(error)
        from studyaws.services.reliability import describe_error

        if self.crash_report is not None or describe_error(error) is not None:
            # The traceback is in the report; an error of the environment (a full disk) is
            # said in one line by report_crash, and its traceback would say nothing more.
            self._exit_renderables.clear()


    def open_exam(self, exam_id: int) -> None:
        """Show an exam: running ones continue where they were, finished ones show results."""
        from studyaws.services import exam as service
        from studyaws.tui.screens.exam import ExamScreen
        from studyaws.tui.screens.exam_results import ExamResultScreen

        view = service.load_exam(self.engine, exam_id)
        if view.status == "finished":
            self.push_screen(ExamResultScreen(view, service.result_of(view)))
        else:
            self.push_screen(ExamScreen(view))

    def choose_exam(self) -> None:
        """Resume the running exam, or set up and start a new one."""
        from studyaws.services import exam as service

        running = service.running_exam(self.engine)
        if running is not None:
            self.open_exam(running)
            return
        from studyaws.tui.screens.exam_setup import ExamSetupScreen

        def started(exam_id: int | None) -> None:
            if exam_id is not None:
                self.open_exam(exam_id)

        self.push_screen(ExamSetupScreen(), started)


def _load_markdown() -> None:
    """Rich's Markdown, for card text that is more than a plain paragraph (CardText): loaded
    behind the screen, so that the card that first needs it does not wait for it."""
    import rich.markdown  # noqa: F401


def run_app(engine: Engine, start: str = "home", deck: str | None = None,
            exam_id: int | None = None) -> int:
    deck_id = None
    if deck:
        from studyaws.core.text import printable
        from studyaws.services.deck_names import DeckNameError, resolve_deck

        try:
            deck_id = resolve_deck(engine, deck)
        except DeckNameError as exc:
            print(printable(f"studyaws: {exc}"), file=sys.stderr)
            return 1
    from studyaws.services.media import has_stored_pictures

    if has_stored_pictures(engine):  # textual-image asks the terminal before Textual takes it
        from studyaws.tui.widgets.card_picture import preload_pictures

        preload_pictures()
    app = StudyApp(engine, start=start, deck_id=deck_id, exam_id=exam_id)
    app.run()
    if app.crash_error is not None:
        report_crash(app.crash_error, app.crash_report)
        return 1
    return 0


def run_app_opening(opening: Callable[[], tuple[Engine, int | None]], start: str = "home",
                    pictures: bool = False,
                    first_card: Callable[[Clock], FirstCard | None] | None = None) -> int:
    """The app with its first frame painted at once, the collection opened behind it by
    `opening` (see StudyApp). What opening it raises is raised here once the terminal is
    back, for the command line to say as it says it without the app; warnings it writes
    (a backup copy not made) are written then too. `pictures`: the collection holds
    pictures (textual-image asks the terminal before Textual takes it). `first_card`: the
    review's first card on the light path (see StudyApp)."""
    import contextlib
    import io

    if pictures:
        from studyaws.tui.widgets.card_picture import preload_pictures

        preload_pictures()
    said = io.StringIO()
    app = StudyApp(None, start=start, opening=opening, first_card=first_card)
    try:
        with contextlib.redirect_stderr(said):  # not onto the app's screen
            app.run()
    finally:
        if said.getvalue():
            sys.stderr.write(said.getvalue())
    if app.opening_error is not None:
        raise app.opening_error
    if app.crash_error is not None:
        report_crash(app.crash_error, app.crash_report)
        return 1
    return 0


def report_crash(error: BaseException, report: Path | None) -> None:
    """Two lines on stderr after a crash: what went wrong and where the report is."""
    from studyaws.core.text import printable
    from studyaws.services.reliability import describe_error

    lines = str(error).strip().splitlines()
    what = describe_error(error) or f"{type(error).__name__}: {lines[0] if lines else ''}"
    print(printable(f"studyaws: stopped on an unexpected error: {what}"), file=sys.stderr)
    if report is not None:
        print(printable(f"studyaws: answers given before it are saved; a crash report is in "
                        f"{report}"), file=sys.stderr)
    else:
        print("studyaws: answers given before it are saved; no crash report could be written",
              file=sys.stderr)
