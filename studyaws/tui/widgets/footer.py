"""The key footer: rebuilt only when its keys change, and fitted to the terminal's width."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The keys kept whatever the width: how to get help, and how to get out (esc, or q on home).
ALWAYS = ("question_mark", "escape", "q")
PALETTE = "-command-palette"  # the class of the command palette's key


def _width(key: str, description: str, compact: bool) -> int:
    """The cells a FooterKey takes (Textual's footer CSS: padded key and description, or in
    compact mode one space between them and one after)."""
    if compact:
        return cell_len(key) + (1 + cell_len(description) if description else 0) + 1
    return cell_len(key) + 2 + (cell_len(description) + 1 if description else 0)


def fit(keys: list[tuple[str, str, str]], palette: tuple[str, str] | None,
        width: int) -> tuple[bool, bool, tuple[int, ...]]:
    """How the footer shows `keys` ((key, shown as, description) each) at `width`:
    (compact, with the palette key, the indexes of the keys shown). Roomy if all fit; else
    compact; else without the palette key; else the keys that are neither help nor a way
    out are left out from the last."""
    every = tuple(range(len(keys)))
    for compact, with_palette in ((False, True), (True, True), (True, False)):
        if with_palette and palette is None:
            continue
        used = sum(_width(shown, description, compact) for _, shown, description in keys)
        if with_palette and palette is not None:
            used += _width(*palette, compact) + 2  # its border and padding
        if used <= width:
            return compact, with_palette, every
    shown = list(every)
    dropped = [n for n in reversed(every) if keys[n][0] not in ALWAYS]
    while dropped and sum(_width(keys[n][1], keys[n][2], True) for n in shown) > width:
        shown.remove(dropped.pop(0))
    return True, False, tuple(shown)


class KeysFooter(Footer):
    """Textual's footer rebuilds all its keys after every screen switch and bindings
    update, a relayout that a key pressed just after has to wait for (about 20 ms when
    coming back to home). This one rebuilds only when what it would show has changed, and
    when only the keys' texts or its compact style have (the review's Space: Show answer,
    Good, Next), it relabels the keys it has, at once, rather than making new ones after a
    refresh. Its
    keys take its compact style when they are made, not by a data binding: each binding
    stays on the footer until its compact style changes, and every new key looks through
    all of them (a review of a few hundred cards piled up thousands).

    At 80 columns Textual's footer cuts the keys on the right, help and the way out among
    them: this one goes compact, then drops the palette key, then the least needed keys,
    so that `? Help` and `esc` always show."""

    _shown: tuple | None = None
    _fitted: tuple | None = None  # the fit() of the keys on show
    _rebuilding = False  # a rebuild is asked for (after the next refresh)

    def bindings_changed(self, screen: Screen) -> None:
        will_rebuild = (screen.app.app_focus and self.is_attached and screen is self.screen)
        if will_rebuild:
            shown = self._keys(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
            if self._bindings_ready and self._relabel():
                return
        self._bindings_ready = True  # as Textual's footer does, with one rebuild at a time
        if will_rebuild:
            self._rebuild()

    def _rebuild(self) -> None:
        """Make the keys again after the next refresh, once however often this is asked for
        before then (a new screen asks three times before its keys are first made: its
        bindings, its first state's, its size): the rebuild reads the keys of that moment."""
        if not self._rebuilding:
            self._rebuilding = True
            self.call_after_refresh(self._rebuilt)

    async def _rebuilt(self) -> None:
        self._rebuilding = False
        await self.recompose()

    def _made(self, width: int) -> list[tuple]:
        """The keys to show at `width` (FooterKey's arguments and classes each), and the
        fit they were chosen by."""
        compact, with_palette, shown = fitted = self._fit(width)
        bindings = self._key_bindings()
        made = []
        for n in shown:
            binding, enabled, tooltip = bindings[n]
            made.append((binding.key, self.app.get_key_display(binding), binding.description,
                         binding.action, not enabled, tooltip, ""))
        palette = self._palette() if with_palette else None
        if palette is not None:
            _, binding, enabled, tooltip = palette
            made.append((binding.key, self.app.get_key_display(binding), binding.description,
                         binding.action, not enabled, binding.tooltip or binding.description,
                         PALETTE))
        return [fitted, *made]

    def _relabel(self) -> bool:
        """Make the keys shown what they would be if made again, in place: each key takes
        the text, action and style of the key at its place, the keys short are added and
        those left over removed, and only what changed is styled again. False before the
        keys are first made."""
        keys = list(self.query_children(FooterKey))
        if self._fitted is None or len(keys) != len(self.children):
            return False
        fitted, *made = self._made(self.size.width or self.app.size.width)
        compact = fitted[0]
        self._fitted = fitted
        self.set_reactive(Footer.compact, compact)
        restyle = [key for key, key_made in zip(keys, made, strict=False)
                   if _remake(key, key_made, compact)]
        if len(made) > len(keys):
            self.mount_all(_key(key_made, compact) for key_made in made[len(keys):])
        for key in keys[len(made):]:
            key.remove()
        for key in restyle:
            key.update_node_styles()
        return True

    def _keys(self, screen: Screen) -> tuple:
        return tuple(
            (binding.key, binding.action, binding.description, binding.key_display,
             binding.group, enabled, tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        ) + (self.show_command_palette, self.size.width or self.app.size.width)

    def _key_bindings(self) -> list:
        """The keys to show, one per action, as Textual's footer takes them."""
        by_action: dict[str, tuple] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        return list(by_action.values())

    def _palette(self):
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        return self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)

    def _fit(self, width: int) -> tuple:
        bindings = self._key_bindings()
        palette = self._palette()
        keys = [(b.key, self.app.get_key_display(b), b.description) for b, _, _ in bindings]
        shown_palette = None
        if palette is not None:
            shown_palette = (self.app.get_key_display(palette[1]), palette[1].description)
        return fit(keys, shown_palette, width)

    def compose(self) -> Iterable[FooterKey]:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        fitted, *made = self._made(width)
        self._fitted = fitted
        compact = fitted[0]
        self.set_reactive(Footer.compact, compact)  # the keys take it (Key), not a class
        for key_made in made:
            yield _key(key_made, compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and self.is_attached and self._fit(event.size.width) != self._fitted:
            self._rebuild()


class Key(FooterKey):
    """A key of KeysFooter. Its compact look (the paddings of its key and its description,
    and the room around it, which Textual's footer sets through the `-compact` classes of the
    footer and of each key) is set here from `compact`, so that a change of the footer's
    compact style applies no stylesheet again: the keys are only drawn again. (At 120
    columns the review's footer changes it at each step: "Show answer" does not fit roomy,
    "Good" does.)"""

    def __init__(self, made: tuple, compact: bool):
        name, shown, description, action, disabled, tooltip, classes = made
        self._drawn: dict[tuple, tuple] = {}  # render_lines
        super().__init__(name, shown, description, action, disabled=disabled,
                         tooltip=tooltip, classes=classes)
        self.set_compact(compact)

    def set_compact(self, compact: bool) -> None:
        """Compact or roomy; the palette's key draws itself compact either way, as in
        Textual's footer, with the room on its right that the footer's style gives it."""
        self.set_reactive(FooterKey.compact, compact)
        palette = self.has_class(PALETTE)
        self.styles.margin = (0, 1 if compact else 0, 0, 0)
        self.styles.padding = (0, 1 if palette and not compact else 0, 0, 0)

    def _texts(self) -> tuple[str, str]:
        """The key and the description as drawn, with their paddings."""
        if not self.description:
            return self.key_display, ""
        if self.compact or self.has_class(PALETTE):
            return self.key_display, f" {self.description}"
        return f" {self.key_display} ", f"{self.description} "

    def render(self) -> Text:
        key, description = self._texts()
        text = Text.assemble((key, self.get_component_rich_style("footer-key--key")),
                             (description,
                              self.get_component_rich_style("footer-key--description")))
        text.stylize_before(self.rich_style)
        return text

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return sum(cell_len(part) for part in self._texts())  # one line, never wrapped

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines of each look the key has had since its styles last changed (the
        review's Space alternates between two), drawn once each."""
        # The parts' styles as the stylesheet last gave them (new objects each time it
        # does; Textual keeps them there, get_component_styles makes a copy each call).
        parts = (self._component_styles.get("footer-key--key"),
                 self._component_styles.get("footer-key--description"))
        look = (self._texts(), self.compact, self._disabled, self.has_class(PALETTE), self.size,
                crop, self.background_colors, self.app.ansi_color,
                tuple(map(id, self.get_line_filters())))  # the app's filters (dim, no colour)
        drawn = self._drawn.get(look)
        if drawn is None or drawn[0] is not parts[0] or drawn[1] is not parts[1]:
            if len(self._drawn) >= 4:
                self._drawn.clear()
            drawn = self._drawn[look] = (*parts, super().render_lines(crop))
        return drawn[2]

    def notify_style_update(self) -> None:
        self._drawn.clear()  # a class, hover, the theme: every look is drawn again
        super().notify_style_update()


def _key(made: tuple, compact: bool) -> FooterKey:
    """A key of the footer (KeysFooter._made gives what it shows)."""
    return Key(made, compact)


def _remake(key: Key, made: tuple, compact: bool) -> bool:
    """Make `key` show what `_key(made, compact)` would; whether its classes changed (its
    styles are then to be applied again)."""
    name, shown, description, action, disabled, tooltip, classes = made
    wanted = {"-disabled": disabled, PALETTE: classes == PALETTE}
    restyle = not all(key.has_class(name) == on for name, on in wanted.items())
    if restyle:
        key.update_classes(wanted, update=False)
    if (key.key, key.key_display, key.description, key.action, key._disabled,
            key.compact) != (name, shown, description, action, disabled, compact) or restyle:
        key.key, key.key_display, key.description = name, shown, description
        key.action, key._disabled = action, disabled
        key.set_compact(compact)
        key.refresh(layout=True)
    if (key.tooltip or "") != (tooltip or ""):
        key.tooltip = tooltip or None
    return restyle
