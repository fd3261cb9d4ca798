"""Editing a card at its source from a screen (the review's E): the app hands the terminal to
the editor ($VISUAL, $EDITOR, nano, vi) at the card's file and line, imports that file again
when the editor returns (services.editing), and tells the screen which card to show. A file
that no longer reads shows its problems (EditErrorScreen): edit again, or keep the collection
as it was (the import wrote nothing)."""

from __future__ import annotations

import subprocess
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from studyaws.core.decks.model import DeckError
from studyaws.services import editing

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

# Called with the card edited (its id, which the import keeps), or None when the card is no
# longer in its file; not called when nothing changed in the collection.
Edited = Callable[[int | None], Awaitable[None]]

GONE = ("The edited card is no longer in its file (removed, or changed too much to be the "
        "same card): on to the next one.")
KEPT = "The file still does not read: the collection keeps the cards as they were."


def edit_at_source(screen: Screen, card_id: int, edited: Edited) -> None:
    """Edit card `card_id` at its source; `edited` then shows the result on `screen`. Not
    in the app served to a browser: the deck files are outside its data folder."""
    if getattr(screen.app, "served", None) is not None:
        from studyaws.tui.served import refusal

        screen.app.notify(refusal("edit deck files"), severity="warning", markup=False)
        return
    screen.run_worker(_edit(screen.app, card_id, edited), group="edit-at-source",
                      exclusive=True)


async def _edit(app: App, card_id: int, edited: Edited) -> None:
    from studyaws.tui.screens.edit_error import EditErrorScreen

    try:
        source = editing.source_file(app.engine, card_id)
    except editing.EditError as exc:
        app.notify(str(exc), severity="warning", markup=False)
        return
    editor = editing.find_editor()
    if editor is None:
        app.notify(editing.NO_EDITOR, severity="warning", markup=False)
        return
    line = source.line
    while True:
        problem = run_editor(app, editing.editor_command(editor, source.path, line))
        if problem is not None:
            app.notify(problem, severity="error", markup=False, timeout=8)
            return
        try:
            result = editing.reimport(app.engine, source, app.clock.now())
        except DeckError as exc:
            choice = await app.push_screen(EditErrorScreen(exc.problems), wait_for_dismiss=True)
            if choice != "edit":
                app.notify(KEPT, severity="warning", markup=False)
                return
            line = next((p.line for p in exc.problems if p.line > 0), line)
            continue
        break
    if result.card_id is None:
        app.notify(GONE, severity="warning", markup=False, timeout=6)
    await edited(result.card_id)


def run_editor(app: App, command: list[str]) -> str | None:
    """Run the editor with the terminal handed over to it (the app suspended); None once it
    has returned, else why it could not run, in one line."""
    from textual.app import SuspendNotSupported

    if app.is_headless:  # no terminal to hand over (tests): the editor is a script
        return _run(command, stdin=subprocess.DEVNULL)
    try:
        with app.suspend():
            # Inside: an exception leaving the block would leave the app suspended.
            return _run(command)
    except SuspendNotSupported:
        return "This terminal cannot be handed over to an editor: edit the file outside."


def _run(command: list[str], stdin=None) -> str | None:
    try:
        subprocess.run(command, stdin=stdin, check=False)
    except FileNotFoundError:
        return (f"The editor {command[0]!r} was not found: set $EDITOR to an editor on your "
                "PATH.")
    except OSError as exc:
        return f"The editor {command[0]!r} could not be started ({exc.strerror or exc})."
    return None
