"""The card search language (Anki-like), parsed into a tree the store turns into SQL.

    words "a phrase" deck:NAME tag:NAME domain:SLUG kind:KIND is:STATE rated:N[:RATING]
    prop:ivl>=N prop:r<0.8 prop:lapses>N flag:N  -term  a or b  (a b)

Terms side by side must all match; `or` (any case) joins alternatives and binds looser than
the implicit and; `-` before a term or a parenthesis negates it. Words and phrases match the
prompt, answer, options and explanation of a card, case-insensitively, anywhere in the text;
`*` in a word, a deck or a tag stands for any run of characters. A word with a colon whose
prefix is no search key (`s3:GetObject`, `arn:aws:...`) is a word. Pure: no SQL here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studyaws.core.domains import DOMAINS, normalize_domain


class SearchError(ValueError):
    """A search that cannot be read; the message is one line for the user."""

    def __init__(self, message: str):
        super().__init__(f"search: {message}")


# -- the tree -----------------------------------------------------------------------------

@dataclass(frozen=True)
class All:
    """The empty search: every card."""


@dataclass(frozen=True)
class Text:
    text: str  # `*` stands for any run of characters (never in a phrase)
    phrase: bool = False


@dataclass(frozen=True)
class DeckIs:
    pattern: str  # a title, `*` for any run; also matches its children (`Parent::Child`)


@dataclass(frozen=True)
class Tag:
    pattern: str


@dataclass(frozen=True)
class Domain:
    slug: str | None  # None: cards filed under no domain


@dataclass(frozen=True)
class Kind:
    name: str  # one of KINDS


@dataclass(frozen=True)
class Is:
    state: str  # one of STATES


@dataclass(frozen=True)
class Rated:
    days: int  # 1 is today (the study day), 2 today and yesterday...
    rating: int | None = None


@dataclass(frozen=True)
class Prop:
    name: str  # one of PROPS
    op: str  # one of OPS
    value: float


@dataclass(frozen=True)
class Flag:
    flag: int  # 0 none, 1-4 FLAG_NAMES


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = All | Text | DeckIs | Tag | Domain | Kind | Is | Rated | Prop | Flag | Not | And | Or

# kind: values -> what each means (the store maps them onto Card.kind)
KINDS: dict[str, str] = {
    "basic": "question and answer",
    "reverse": "a card asked both ways",
    "cloze": "fill in the gap",
    "choice": "one correct option",
    "multi": "several correct options (choose N)",
    "order": "put items in order",
    "numeric": "type a number",
    "scenario": "a generated scenario",
}
_KIND_ALIASES = {"ordering": "order", "reversed": "reverse", "single": "choice",
                 "mcq": "choice", "number": "numeric"}
STATES = ("new", "learning", "review", "due", "suspended", "buried", "leech", "retired",
          "flagged")
PROPS: dict[str, str] = {
    "ivl": "interval in days (last review to due)",
    "r": "retrievability now, 0 to 1",
    "lapses": "times forgotten",
    "reps": "answers",
    "d": "difficulty, 1 to 10",
    "s": "stability in days",
}
_PROP_ALIASES = {"interval": "ivl", "difficulty": "d", "stability": "s", "lapse": "lapses"}
OPS = (">=", "<=", "!=", ">", "<", "=")
FLAG_NAMES = {1: "red", 2: "orange", 3: "green", 4: "blue"}
RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}
KEYS = ("deck", "tag", "domain", "kind", "is", "rated", "prop", "flag")

# sort columns a search's rows can be ordered by
SORTS = ("due", "interval", "difficulty", "lapses", "reps", "deck", "created")
_SORT_ALIASES = {"ease": "difficulty", "ivl": "interval", "d": "difficulty"}


def parse_sort(name: str) -> str:
    """A sort column's name (or alias) -> its name in SORTS, else SearchError."""
    key = name.strip().lower()
    key = _SORT_ALIASES.get(key, key)
    if key not in SORTS:
        raise SearchError(f"unknown sort {name!r} (known: {', '.join(SORTS)})")
    return key


# -- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # "term", "phrase", "(", ")", "-", "or"
    text: str = ""
    at: int = 0


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(_Token(c, c, i))
            i += 1
        elif c == "-":  # at a term's start: what follows is left out
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise SearchError("'-' must come right before what it leaves out (-deck:X)")
            tokens.append(_Token("-", "-", i))
            i += 1
        elif c == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise SearchError(f'a quote is not closed: {query[i:]}')
            tokens.append(_Token("phrase", query[i + 1:end], i))
            i = end + 1
        else:
            start, text = i, []
            while i < n and not query[i].isspace() and query[i] not in "()":
                if query[i] == '"':  # deck:"My deck": a quoted value
                    end = query.find('"', i + 1)
                    if end < 0:
                        raise SearchError(f'a quote is not closed: {query[start:]}')
                    text.append(query[i + 1:end])
                    i = end + 1
                else:
                    text.append(query[i])
                    i += 1
            word = "".join(text)
            if query[start:i].lower() == "or":
                tokens.append(_Token("or", word, start))
            elif query[start:i].lower() != "and":
                tokens.append(_Token("term", word, start))
    return tokens


def parse(query: str) -> Node:
    """A search's tree; SearchError names what is wrong. The empty search is All()."""
    parser = _Parser(_tokens(query))
    if not parser.tokens:
        return All()
    node = parser.alternatives()
    if parser.peek() is not None:  # only a ')' stops alternatives() early
        raise SearchError("')' without a '(' before it")
    return node


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def alternatives(self) -> Node:
        nodes = [self.terms()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.i += 1
            nodes.append(self.terms())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def terms(self) -> Node:
        nodes = []
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            nodes.append(self.unary())
        if not nodes:
            raise SearchError("'or' needs a search on each side")
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        token = self.tokens[self.i]
        self.i += 1
        if token.kind == "-":
            following = self.peek()
            if following is None or following.kind in ("or", ")"):
                raise SearchError("'-' must come right before what it leaves out (-deck:X)")
            return Not(self.unary())
        if token.kind == "(":
            following = self.peek()
            if following is not None and following.kind == ")":
                raise SearchError("empty parentheses: put a search between ( and )")
            node = self.alternatives()
            if self.peek() is None:
                raise SearchError("'(' is not closed: add a ')'")
            self.i += 1
            return node
        if token.kind == "phrase":
            if not token.text.strip():
                raise SearchError('empty quotes: put words between " and "')
            return Text(token.text, phrase=True)
        return _term(token.text)


def _term(text: str) -> Node:
    key, sep, value = text.partition(":")
    key = key.lower()
    if not sep or key not in KEYS:
        return Text(text)
    if not value:
        raise SearchError(f"{key}: needs a value, as in {_EXAMPLES[key]}")
    return _FIELDS[key](value)


_EXAMPLES = {"deck": "deck:Networking or deck:\"Practice Exam*\"", "tag": "tag:vpc",
             "domain": "domain:secure", "kind": "kind:cloze", "is": "is:due",
             "rated": "rated:7 or rated:7:again", "prop": "prop:ivl>=10",
             "flag": "flag:1 (or flag:red)"}


def _domain(value: str) -> Node:
    slug = normalize_domain(value)
    if slug == "none":
        return Domain(None)
    if slug not in DOMAINS:
        raise SearchError(f"unknown domain {value!r} (known: none, {', '.join(DOMAINS)})")
    return Domain(slug)


def _kind(value: str) -> Node:
    name = value.lower()
    name = _KIND_ALIASES.get(name, name)
    if name not in KINDS:
        raise SearchError(f"unknown kind {value!r} (known: {', '.join(KINDS)})")
    return Kind(name)


def _is(value: str) -> Node:
    state = value.lower()
    if state not in STATES:
        raise SearchError(f"unknown state is:{value} (known: {', '.join(STATES)})")
    return Is(state)


_RATED = re.compile(r"(\d+)(?::(\w+))?")


def _rated(value: str) -> Node:
    match = _RATED.fullmatch(value)
    if not match:
        raise SearchError(f"rated:{value} is not a number of days: {_EXAMPLES['rated']}")
    days = int(match.group(1))
    if not 1 <= days <= 36500:
        raise SearchError(f"rated:{days}: the days go from 1 (today) to 36500")
    rating = match.group(2)
    if rating is None:
        return Rated(days)
    number = RATINGS.get(rating.lower()) or (int(rating) if rating in "1234" else None)
    if number is None:
        raise SearchError(f"rated:{value}: the rating is 1-4 or again, hard, good, easy")
    return Rated(days, number)


_PROP = re.compile(r"([a-zA-Z]+)\s*(>=|<=|!=|>|<|=)\s*(.*)")


def _prop(value: str) -> Node:
    match = _PROP.fullmatch(value)
    name = (match.group(1) if match else re.match(r"[a-zA-Z]*", value).group(0)).lower()
    name = _PROP_ALIASES.get(name, name)
    if name not in PROPS:
        raise SearchError(f"unknown property prop:{value} (known: {', '.join(PROPS)})")
    if not match:
        raise SearchError(f"prop:{value} needs a comparison ({' '.join(OPS)}) and a number, "
                          f"as in prop:{name}>=10")
    try:
        number = float(match.group(3))
    except ValueError:
        raise SearchError(f"prop:{value}: {match.group(3)!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SearchError(f"prop:{value}: {match.group(3)!r} is not a number")
    if name == "r" and not 0 <= number <= 1:
        raise SearchError(f"prop:{value}: retrievability goes from 0 to 1 (prop:r<0.8)")
    return Prop(name, match.group(2), number)


def _flag(value: str) -> Node:
    name = value.lower()
    for number, colour in FLAG_NAMES.items():
        if name == colour:
            return Flag(number)
    if name in ("0", "none"):
        return Flag(0)
    if name in ("1", "2", "3", "4"):
        return Flag(int(name))
    raise SearchError(f"unknown flag flag:{value} (known: 0 or none, "
                      + ", ".join(f"{n} or {c}" for n, c in FLAG_NAMES.items()) + ")")


_FIELDS = {"deck": DeckIs, "tag": Tag, "domain": _domain, "kind": _kind, "is": _is,
           "rated": _rated, "prop": _prop, "flag": _flag}
