"""The key footer: rebuilt only when its keys change, and fitted to the terminal's width."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The keys kept whatever the width: how to get help, and how to get out (esc, or q on home).
ALWAYS = ("question_mark", "escape", "q")


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
    coming back to home). This one rebuilds only when what it would show has changed.

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
        self._bindings_ready = True  # as Textual's footer does, with one rebuild at a time
        if will_rebuild:
            self._rebuild()

    def _rebuild(self) -> None:
        """Make the keys again after the next refresh, once however often this is asked for
        before then (a new screen asks three times: its bindings, its first state's, its
        size): the rebuild reads the keys of that moment."""
        if not self._rebuilding:
            self._rebuilding = True
            self.call_after_refresh(self._rebuilt)

    async def _rebuilt(self) -> None:
        self._rebuilding = False
        await self.recompose()

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
        compact, with_palette, shown = self._fitted = self._fit(width)
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        bindings = self._key_bindings()
        for n in shown:
            binding, enabled, tooltip = bindings[n]
            yield self._bound(FooterKey(binding.key, self.app.get_key_display(binding),
                                        binding.description, binding.action,
                                        disabled=not enabled, tooltip=tooltip,
                                        classes="-compact" if compact else ""), compact)
        palette = self._palette() if with_palette else None
        if palette is not None:
            _, binding, enabled, tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)

    @staticmethod
    def _bound(key: FooterKey, compact: bool) -> FooterKey:
        """`key` made in the footer's style (compact or not) from the start, and bound to
        it: its styles are worked out once when it is mounted, not again as it takes the
        footer's style (a key is compact until told otherwise)."""
        key.set_reactive(FooterKey.compact, compact)
        return key.data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and self.is_attached and self._fit(event.size.width) != self._fitted:
            self._rebuild()
