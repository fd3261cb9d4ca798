"""What a parsed deck is made of. Pure data: no database, no Textual."""

from __future__ import annotations

from dataclasses import dataclass, field

from studyaws.core.decks import cloze

KINDS = ("basic", "reverse", "cloze", "choice", "ordering", "numeric", "scenario")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class DeckError(Exception):
    """Everything wrong with one or more deck files, each as `path:line: message`."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Item:
    """One card as written in a deck: a prompt shown, an answer revealed, and for
    objective questions a `payload` describing the question. A cloze card has neither prompt
    nor answer of its own: its payload holds the cloze's text (one string for all its
    cards) and its group, and `sides()` makes them."""

    kind: str
    line: int
    topic: tuple[str, ...]
    prompt: str
    answer: str = ""
    payload: dict = field(default_factory=dict)
    explanation: str = ""
    domains: dict[str, str] = field(default_factory=dict)  # exam -> domain slug
    domain_inferred: bool = False  # the domains were inferred from the text, not written
    stable_id: str | None = None
    sibling: str = ""
    context: str = ""
    key: str = ""

    @property
    def topic_path(self) -> str:
        return " > ".join(self.topic)

    def sides(self) -> tuple[str, str]:
        """The prompt and the answer as shown."""
        if self.kind == "cloze":
            return cloze.sides(self.payload["text"], self.payload["group"])
        return self.prompt, self.answer


@dataclass
class ParsedDeck:
    path: str
    title: str
    domains: dict[str, str]  # the deck's default domain for each exam
    tags: tuple[str, ...]
    items: list[Item]
    # Where its cards say they come from: the file's path below the folder imported (the
    # bundled decks' folder for those); empty: `path`.
    source: str = ""
    # The pictures its cards show, to copy into the collection: stored name -> file
    # (services.media.resolve_pictures fills it in).
    pictures: dict = field(default_factory=dict)
