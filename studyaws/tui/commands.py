"""Command palette: the current screen's key actions, searchable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActions(Provider):
    """Every binding of the screen under the palette, by its description."""

    def _actions(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        seen, result = set(), []
        for binding in getattr(screen, "BINDINGS", []):
            action = binding.action
            if action in seen or not binding.description:
                continue
            seen.add(action)
            key = binding.key_display or binding.key.split(",")[0]
            result.append((binding.description, action, key))
        return result

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)

    async def discover(self) -> Hits:
        for description, action, key in self._actions():
            yield DiscoveryHit(description, partial(self._run, action), help=f"key: {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, key in self._actions():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), partial(self._run, action),
                          help=f"key: {key}")
