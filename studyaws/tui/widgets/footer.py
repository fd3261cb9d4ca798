"""The key footer, rebuilt only when its keys change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's footer rebuilds all its keys after every screen switch and bindings
    update, a relayout that a key pressed just after has to wait for (about 20 ms when
    coming back to home). This one rebuilds only when what it would show has changed."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        will_rebuild = (screen.app.app_focus and self.is_attached and screen is self.screen)
        if will_rebuild:
            shown = self._keys(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)

    def _keys(self, screen: Screen) -> tuple:
        return tuple(
            (binding.key, binding.action, binding.description, binding.key_display,
             binding.group, enabled, tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        ) + (self.show_command_palette, self.compact)
