"""Small overlays: help for the screen under it, a card's context with its source line, and
leaving the settings with changes not saved.

Every overlay shows its content in a `.modal-box` whose border names it (top left) and says
what Escape does (bottom right, "Esc close"): `boxed` sets both, here and in exam_modals."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Markdown, Static

from studyaws.core.text import printable

if TYPE_CHECKING:
    from studyaws.services.review import CardView

W = TypeVar("W", bound=Widget)


def boxed(box: W, title: str, escape: str = "close") -> W:
    """`box` (a `.modal-box`) with its title in its top border and "Esc <escape>" in its
    bottom one."""
    box.border_title = Content(title)
    box.border_subtitle = Content.assemble(("Esc", "bold"), f" {escape}")
    return box


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding that is live on `screen` now: the ones it and
    its focused widgets (a question input) bind, and the others the footer shows; keys that
    do the same thing on one row. The screen's keys come first, in the order it binds them,
    then those of the widgets from the screen down to the focused one, then the app's."""
    app = screen.app
    chain = [node for node, _ in screen._modal_binding_chain]  # focused ... screen, app
    nodes = [node for node in reversed(chain) if node is not app]
    nodes = nodes[nodes.index(screen):] if screen in nodes else nodes
    rank = {id(node): place for place, node in enumerate([*nodes, app])}
    # The keys studyaws binds itself (not the ones every Textual widget has: focus moves,
    # copy, scrolling); others only when the footer shows them.
    own = {getattr(binding, "action", None) for node in nodes for cls in type(node).__mro__
           if cls.__module__.startswith("studyaws.") for binding in vars(cls).get("BINDINGS", ())}

    def place(active) -> tuple[int, int]:
        namespace = active.node
        bound = [binding for _, binding in namespace._bindings]
        at = next((i for i, binding in enumerate(bound) if binding is active.binding),
                  len(bound))
        return rank.get(id(namespace), len(rank)), at

    rows: dict[str, list[str]] = {}
    for active in sorted(screen.active_bindings.values(), key=place):
        binding = active.binding
        if not binding.description or (binding.action not in own and not binding.show):
            continue
        keys = rows.setdefault(binding.description, [])
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return [(" ".join(keys), description) for description, keys in rows.items()]


def help_content(title: str, rows: list[tuple[str, str]],
                 notes: tuple[tuple[str, str], ...] = ()) -> Content:
    parts: list = [(f"{title}\n", "bold $primary")]
    for key, action in [*rows, *notes]:
        parts.append((f"  {key:<16}", "bold"))
        parts.append(f"{action}\n")
    return Content.assemble(*parts).rstrip()


class HelpScreen(ModalScreen):
    """Help for the screen it is opened on, made from that screen's live bindings, with the
    screen's HELP_NOTES (keys it reads that have no description of their own, and how its
    answers count)."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, screen: Screen):
        super().__init__()
        self.content = help_content(getattr(screen, "HELP_TITLE", "Keys"), key_rows(screen),
                                    getattr(screen, "HELP_NOTES", ()))

    def compose(self) -> ComposeResult:
        with boxed(VerticalScroll(classes="modal-box"), "Help"):
            yield Static(self.content)


class ContextScreen(ModalScreen):
    BINDINGS = [Binding("escape,e,q", "dismiss", "Close")]

    def __init__(self, view: CardView):
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        view = self.view
        with boxed(VerticalScroll(classes="modal-box"), "Context"):
            yield Static(Content.assemble(("Source  ", "bold"), view.source, "\n",
                                          ("Topic   ", "bold"), printable(view.topic) or "–"))
            yield Markdown(printable(view.context, multiline=True)
                           or "_This card's section has no notes._", open_links=False)


class UnsavedChangesScreen(ModalScreen[str]):
    """Leaving the settings with changes not saved: save them, discard them, or stay.
    Dismissed with "save", "discard" or "" (keep editing)."""

    BINDINGS = [
        Binding("s", "choose('save')", "Save and leave"),
        Binding("d", "choose('discard')", "Discard and leave"),
        Binding("escape", "choose('')", "Keep editing"),
    ]

    def __init__(self, names: list[str]):
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        count = len(self.names)
        changed = (f"{self.names[0]} is" if count == 1
                   else f"{count} settings are")
        with boxed(Vertical(classes="modal-box"), "Unsaved changes", "keep editing"):
            yield Static(Content.assemble(
                f"{changed} changed and not saved.\n\n",
                ("s", "bold"), "    save and leave\n",
                ("d", "bold"), "    discard the changes and leave\n",
                ("Esc", "bold"), "  keep editing"))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
