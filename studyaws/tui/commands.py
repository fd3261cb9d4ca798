"""Command palette: the current screen's key actions, searchable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


class ScreenActions(Provider):
    """The keys live on the screen under the palette now, by their description: those of
    the screen, of its focused widgets (a question input's) and of the app that studyaws
    binds itself, each action once, and only while it is enabled (its `check_action`), so
    nothing is offered that would do nothing. Quit is left to Textual's own command."""

    def _actions(self) -> list[tuple[str, DOMNode, str, str]]:
        screen = self.screen
        app = screen.app
        own = {getattr(binding, "action", None) for node, _ in screen._modal_binding_chain
               for cls in type(node).__mro__ if cls.__module__.startswith("studyaws.")
               for binding in vars(cls).get("BINDINGS", ())}
        seen, result = set(), []
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action not in own:
                continue
            node, action = active.node, binding.action
            if action.startswith("app."):
                node, action = app, action[len("app."):]
            elif action.startswith("screen."):
                node, action = screen, action[len("screen."):]
            if node is app and action == "quit":
                continue  # Textual's system commands have it
            if (id(node), action) in seen:
                continue
            seen.add((id(node), action))
            result.append((binding.description, node, action, app.get_key_display(binding)))
        return result

    async def _run(self, node: DOMNode, action: str) -> None:
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for description, node, action, key in self._actions():
            yield DiscoveryHit(description, partial(self._run, node, action), help=f"key: {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, node, action, key in self._actions():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), partial(self._run, node, action),
                          help=f"key: {key}")
