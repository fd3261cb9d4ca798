"""Start-up stays light: heavy optional modules are imported where they are used, never on
the way to the first screen (see bench/RESULTS.md for what each one costs)."""

from __future__ import annotations

import json
import subprocess
import sys

from studyaws.core.formats import FORMATS

# The question-bank readers (the package itself is a light table of their names).
READERS = ("studyaws.core.formats.common",
           *(f"studyaws.core.formats.{f.module}" for f in FORMATS.values() if f.module))
# Modules no command needs before it runs: the UI toolkit, the optimizer, exporters, other
# formats, Markdown rendering.
HEAVY = ("textual", "fsrs_rs_python", "genanki", "textual_image", "PIL", *READERS,
         "textual_serve", "aiohttp", "jinja2",
         "studyaws.services.exchange",
         "rich.markdown")
# Modules the review screen does not need before its first card is painted.
NOT_FOR_REVIEW = ("fsrs_rs_python", "genanki", "textual_image", "PIL", *READERS,
                  "textual_serve", "aiohttp",
                  "studyaws.services.exchange")


def loaded_after(code: str) -> set[str]:
    """The modules in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def offenders(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_importing_the_command_loads_nothing_heavy():
    assert offenders(loaded_after("import studyaws.cli.main"), HEAVY) == []


def test_help_does_not_import_the_ui():
    code = ("import contextlib, io\nfrom studyaws.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    main(['--help'])")
    assert offenders(loaded_after(code), HEAVY) == []


def test_the_review_screen_loads_no_optional_module():
    code = ("import studyaws.cli.main, studyaws.services.collection, studyaws.tui.app\n"
            "import studyaws.tui.screens.home, studyaws.tui.screens.review")
    assert offenders(loaded_after(code), NOT_FOR_REVIEW) == []


def test_the_media_folder_is_read_without_the_pictures_service():
    """The command line asks whether the media folder holds pictures before the first frame,
    and the first card's pictures are found in it before the collection is open: neither
    loads the rest of the pictures' work (hashing, copying, the deck model)."""
    code = ("import studyaws.cli.main\n"
            "from studyaws.services.media_folder import folder_has_pictures, picture_in")
    assert offenders(loaded_after(code), ("studyaws.services.media", "studyaws.core.decks",
                                          "hashlib", "subprocess", "tempfile")) == []


def test_the_review_screen_loads_no_markdown_parser():
    """Card text that is a plain paragraph needs no Markdown parser: Rich's Markdown is
    loaded when a card needs it, or behind the first card (tui.app)."""
    code = "import studyaws.tui.app, studyaws.tui.screens.flag, studyaws.tui.screens.review"
    assert offenders(loaded_after(code), ("rich.markdown", "rich.syntax", "markdown_it",
                                          "pygments")) == []


# The first card of `studyaws review` where the light path does not apply (PostgreSQL, an
# exam date, ...; here: the app not given it): the real app (headless) until the first card
# is on screen, in a fresh interpreter, on a collection made beforehand in another one. The
# modules it has loaded by then are pinned: the third-party packages and the project's own.
# A module added to (or dropped from) the way to the first card fails this test, to be
# weighed against start-up (bench/RESULTS.md) and the lists below changed on purpose.
FIRST_CARD = """
import asyncio, json, sys
from studyaws.services.collection import open_collection
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.review import ReviewScreen

async def main():
    def opening():  # as `studyaws review` opens it: behind the first frame
        return open_collection(sys.argv[1], import_bundled=False, backup=False), None

    app = StudyApp(None, start="review", opening=opening)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            screen = app.screen
            if isinstance(screen, ReviewScreen) and getattr(screen, "view", None) is not None:
                break
            await pilot.pause(0.05)
        else:
            raise SystemExit("no card was shown")
        loaded = sorted(sys.modules)
    print(json.dumps(loaded))

asyncio.run(main())
"""

# Third-party packages loaded by the first card (the test harness's own aside).
FIRST_CARD_PACKAGES = {
    "annotated_types", "fsrs", "linkify_it", "markdown_it", "mdurl", "platformdirs",
    "pydantic", "pydantic_core", "pygments", "rich", "sqlalchemy", "sqlmodel", "textual",
    "typing_extensions", "typing_inspection",
}
FIRST_CARD_MODULES = {
    "studyaws", "studyaws.core", "studyaws.core.clock", "studyaws.core.config",
    "studyaws.core.decks", "studyaws.core.decks.cloze", "studyaws.core.decks.limits",
    "studyaws.core.domains", "studyaws.core.errors",
    "studyaws.core.exam", "studyaws.core.exam.blueprints", "studyaws.core.exam.readiness",
    "studyaws.core.exam.scoring", "studyaws.core.inline_markdown", "studyaws.core.pictures",
    "studyaws.core.questions", "studyaws.core.srs", "studyaws.core.srs.day",
    "studyaws.core.srs.exam_plan", "studyaws.core.srs.policy", "studyaws.core.srs.queue",
    "studyaws.core.stats", "studyaws.core.text", "studyaws.services",
    "studyaws.services.card_view", "studyaws.services.collection", "studyaws.services.decks",
    "studyaws.services.deck_tree", "studyaws.services.flags", "studyaws.services.limits",
    "studyaws.services.overview", "studyaws.services.presets",
    "studyaws.services.review", "studyaws.store", "studyaws.store.answer_rows",
    "studyaws.store.answers",
    "studyaws.store.backup", "studyaws.store.card_sets", "studyaws.store.columns",
    "studyaws.store.deck_summary", "studyaws.store.decks", "studyaws.store.driver_reads",
    "studyaws.store.engine",
    "studyaws.store.first_read", "studyaws.store.load", "studyaws.store.postgres",
    "studyaws.store.presets",
    "studyaws.store.queries", "studyaws.store.settings", "studyaws.store.stats_queries",
    "studyaws.store.tables", "studyaws.store.text_index", "studyaws.tui", "studyaws.tui.app",
    "studyaws.tui.commands", "studyaws.tui.saving", "studyaws.tui.screens",
    "studyaws.tui.screens.flag", "studyaws.tui.screens.home",
    "studyaws.tui.screens.opening", "studyaws.tui.screens.review", "studyaws.tui.widgets",
    "studyaws.tui.widgets.card_picture", "studyaws.tui.widgets.card_text",
    "studyaws.tui.widgets.footer", "studyaws.tui.widgets.header_text",
    "studyaws.tui.widgets.inline_text", "studyaws.tui.widgets.plain_paragraph",
    "studyaws.tui.widgets.question", "studyaws.tui.widgets.question_input",
    "studyaws.tui.widgets.rows", "studyaws.tui.widgets.touch_bar",
}
# Loaded by the headless test harness (pytest's interpreter aside), not by the app.
HARNESS = {"_pytest", "pytest", "pluggy", "iniconfig", "packaging", "py"}


def test_the_first_card_loads_the_modules_it_always_did(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("# Deck\n\n## Topic\n\nQ: What does S3 stand for?\nA: Simple Storage "
                    "Service\n", "utf-8")
    home = tmp_path / "home"
    make = (f"from studyaws.services.collection import open_collection\n"
            f"from studyaws.services.importer import import_paths\n"
            f"from datetime import UTC, datetime\nfrom pathlib import Path\n"
            f"engine = open_collection({str(home)!r}, import_bundled=False)\n"
            f"import_paths(engine, [Path({str(deck)!r})], datetime.now(UTC))\n")
    made = subprocess.run([sys.executable, "-c", make], capture_output=True, text=True,
                          timeout=120)
    assert made.returncode == 0, made.stderr
    done = subprocess.run([sys.executable, "-c", FIRST_CARD, str(home)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    packages = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names) - HARNESS
    packages = {name for name in packages if not name.startswith("_")} - {"cython_runtime"}
    assert packages == FIRST_CARD_PACKAGES | {"studyaws"}
    assert {name for name in loaded if name.split(".")[0] == "studyaws"} == FIRST_CARD_MODULES


# The first frame itself (`studyaws review`, `studyaws`): painted before the collection is
# opened, so none of the database libraries, the store or the services is loaded by then.
FIRST_FRAME = """
import asyncio, json, sys, threading
import studyaws.cli.main
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.opening import OpeningScreen

gate = threading.Event()

def opening():
    gate.wait(30)
    raise RuntimeError("not opened: the test ends here")

async def main():
    app = StudyApp(None, start="review", opening=opening)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OpeningScreen), app.screen
        loaded = sorted(sys.modules)
        gate.set()
        await pilot.pause(0.2)
    print(json.dumps(loaded))

asyncio.run(main())
"""
FIRST_FRAME_PACKAGES = {"platformdirs", "rich", "textual", "typing_extensions"}
FIRST_FRAME_MODULES = {
    "studyaws", "studyaws.cli", "studyaws.cli.main", "studyaws.core", "studyaws.core.clock",
    "studyaws.core.formats", "studyaws.core.text", "studyaws.tui", "studyaws.tui.app",
    "studyaws.tui.commands", "studyaws.tui.screens", "studyaws.tui.screens.opening",
}


def test_the_first_frame_is_painted_before_any_database_library_is_loaded():
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert offenders(loaded, ("sqlalchemy", "sqlmodel", "pydantic", "fsrs", "studyaws.store",
                              "studyaws.services.review", "studyaws.services.collection")) == []
    packages = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names) - HARNESS
    packages = {name for name in packages if not name.startswith("_")} - {"cython_runtime"}
    assert packages == FIRST_FRAME_PACKAGES | {"studyaws"}
    assert {name for name in loaded if name.split(".")[0] == "studyaws"} == FIRST_FRAME_MODULES


# The first card of `studyaws review` on a SQLite collection: read on the light path
# (services.first_card) and shown before the collection is opened, so none of the database
# libraries, the store's tables or the review service is loaded by then. Opening the
# collection is held back here until the modules are listed.
FIRST_CARD_LIGHT = """
import asyncio, json, sys, threading
from pathlib import Path
import studyaws.cli.main
from studyaws.tui.app import StudyApp

gate = threading.Event()

def opening():
    gate.wait(30)
    raise RuntimeError("not opened: the test ends here")

def first_card(clock):
    from studyaws.services.first_card import first_card as read
    return read(Path(sys.argv[1]) / "studyaws.sqlite3", clock)

async def main():
    app = StudyApp(None, start="review", opening=opening, first_card=first_card)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            screen = app.screen
            if type(screen).__name__ == "ReviewScreen" and screen.view is not None:
                break
            await pilot.pause(0.05)
        else:
            raise SystemExit("no card was shown")
        loaded = sorted(sys.modules)
        shown = screen.query_one("#prompt").text
        gate.set()
        await pilot.pause(0.2)
    print(json.dumps([loaded, shown]))

asyncio.run(main())
"""
# No Markdown parser: the card's text is a plain paragraph (widgets.plain_paragraph); Rich's
# Markdown (markdown_it, pygments) loads behind the card once the collection is open.
FIRST_CARD_LIGHT_PACKAGES = {"fsrs", "platformdirs", "rich", "textual", "typing_extensions"}
FIRST_CARD_LIGHT_MODULES = {
    "studyaws", "studyaws.cli", "studyaws.cli.main", "studyaws.core", "studyaws.core.clock",
    "studyaws.core.config", "studyaws.core.decks", "studyaws.core.decks.cloze",
    "studyaws.core.decks.limits",
    "studyaws.core.formats", "studyaws.core.inline_markdown",
    "studyaws.core.pictures", "studyaws.core.questions", "studyaws.core.srs",
    "studyaws.core.srs.day", "studyaws.core.srs.policy", "studyaws.core.srs.queue",
    "studyaws.core.text", "studyaws.services", "studyaws.services.card_view",
    "studyaws.services.deck_tree", "studyaws.services.first_card", "studyaws.services.flags",
    "studyaws.services.limits", "studyaws.services.media_folder", "studyaws.store",
    "studyaws.store.columns",
    "studyaws.store.deck_summary", "studyaws.store.first_read", "studyaws.tui",
    "studyaws.tui.app", "studyaws.tui.commands", "studyaws.tui.saving",
    "studyaws.tui.screens", "studyaws.tui.screens.flag",
    "studyaws.tui.screens.opening", "studyaws.tui.screens.review", "studyaws.tui.widgets",
    "studyaws.tui.widgets.card_picture", "studyaws.tui.widgets.card_text",
    "studyaws.tui.widgets.footer", "studyaws.tui.widgets.header_text",
    "studyaws.tui.widgets.inline_text", "studyaws.tui.widgets.plain_paragraph",
    "studyaws.tui.widgets.question", "studyaws.tui.widgets.question_input",
    "studyaws.tui.widgets.rows", "studyaws.tui.widgets.touch_bar",
}


def test_the_first_card_on_sqlite_is_shown_before_any_database_library_is_loaded(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("# Deck\n\n## Topic\n\nQ: What does S3 stand for?\nA: Simple Storage "
                    "Service\n", "utf-8")
    home = tmp_path / "home"
    make = (f"from studyaws.services.collection import open_collection\n"
            f"from studyaws.services.importer import import_paths\n"
            f"from datetime import UTC, datetime\nfrom pathlib import Path\n"
            f"engine = open_collection({str(home)!r}, import_bundled=False)\n"
            f"import_paths(engine, [Path({str(deck)!r})], datetime.now(UTC))\n"
            f"from studyaws.store.settings import mark_bundled_decks\n"
            f"mark_bundled_decks(engine, datetime.now(UTC).isoformat())\n")  # given once
    made = subprocess.run([sys.executable, "-c", make], capture_output=True, text=True,
                          timeout=120)
    assert made.returncode == 0, made.stderr
    done = subprocess.run([sys.executable, "-c", FIRST_CARD_LIGHT, str(home)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded, shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert "What does S3 stand for?" in shown
    loaded = set(loaded)
    assert offenders(loaded, ("sqlalchemy", "sqlmodel", "pydantic", "studyaws.store.tables",
                              "studyaws.store.engine", "studyaws.services.review",
                              "studyaws.services.collection", "rich.markdown",
                              "rich.syntax")) == []
    packages = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names) - HARNESS
    packages = {name for name in packages if not name.startswith("_")} - {"cython_runtime"}
    assert packages == FIRST_CARD_LIGHT_PACKAGES | {"studyaws"}
    assert {name for name in loaded if name.split(".")[0] == "studyaws"} == \
        FIRST_CARD_LIGHT_MODULES
