"""Markdown deck -> typed items with source lines (see docs/deck-format.md).

Pure: `blocks.read_blocks` finds the blocks (CommonMark, as markdown-it-py reads it); each
block's own source lines are read back so that what the user wrote (code, tables, bold)
reaches the card unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from studyaws.core import scenarios
from studyaws.core.decks import cloze
from studyaws.core.decks.blocks import MAX_LEVEL, Block, read_blocks
from studyaws.core.decks.identity import assign_keys
from studyaws.core.decks.limits import MAX_OPTIONS, MAX_ORDER_ITEMS, too_many_cards
from studyaws.core.decks.model import DeckError, Item, ParsedDeck, Problem
from studyaws.core.domains import parse_domains
from studyaws.core.questions import Choice, Numeric, Ordering, answer_text, question_to_dict
from studyaws.core.text import clean

_MARKER = re.compile(r"^(Q|A|C|Order):(?:\s|$)")
_MARKER_FIRST = frozenset("QACO")  # what a line that _MARKER matches starts with
_SEPARATOR = re.compile(r"(?<=\S)\s+(:::?)\s+(?=\S)")
_FENCE_CLOSE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*$")
_STABLE_ID = re.compile(r"\s*\{#([A-Za-z0-9_.\-]+)\}\s*$")
_BAD_ID = re.compile(r"\{#([^}]*)\}\s*$")
_TASK = re.compile(r"^\s*[-*+]\s+\[( |x|X)\]\s?(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_ORDERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_NUMERIC = re.compile(
    r"^=\s*(?P<value>[^\s±]+)(?:\s*(?:\+-|±|\+/-)\s*(?P<tol>\S+))?\s*(?P<unit>.*)$"
)
_DOMAIN_LINE = re.compile(r"^\s*domain:\s*(.+?)\s*$", re.IGNORECASE)
_PARAM_LINE = re.compile(r"^\s*([A-Za-z][\w\-]*)\s*:\s*(.*?)\s*$")


@dataclass
class _Section:
    notes: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def parse_deck(text: str, path: str) -> ParsedDeck:
    """Parse one deck file's text. Raises DeckError listing every problem found."""
    return _Parser(clean(text), path).run()


class _Parser:
    def __init__(self, text: str, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.meta: dict[str, tuple[str, int]] = {}
        self.offset = 0
        lines = text.split("\n")
        if lines and lines[0].strip() == "---":
            for i in range(1, len(lines)):
                if lines[i].strip() == "---":
                    self._front_matter(lines[1:i])
                    self.offset = i + 1
                    break
            else:
                self.problem(1, "front matter opened with '---' is never closed")
        self.lines = lines[self.offset :]
        self.headings: list[tuple[int, str]] = []
        self.topic: tuple[str, ...] = ()  # the headings above, as the next card's topic
        self.first_h1: str | None = None
        self.sections: list[_Section] = [_Section()]
        self.last_question: Item | None = None
        self.ids: dict[str, int] = {}
        self.cards = 0
        self.full = False  # made MAX_CARDS_PER_FILE cards: the rest is not kept

    # -- helpers -------------------------------------------------------------------
    def problem(self, body_line: int, message: str, absolute: bool = True) -> None:
        line = body_line if absolute else body_line + self.offset + 1
        self.problems.append(Problem(self.path, line, message))

    def lineno(self, body_index: int) -> int:
        return body_index + self.offset + 1

    def _front_matter(self, lines: list[str]) -> None:
        for n, raw in enumerate(lines, start=2):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            key, sep, value = raw.partition(":")
            if not sep:
                self.problem(n, f"front matter line is not 'key: value': {raw.strip()!r}")
                continue
            self.meta[key.strip().lower()] = (value.strip(), n)

    def domains(self, value: str, line: int) -> dict[str, str]:
        try:
            return parse_domains(value)
        except ValueError as error:
            self.problem(line, str(error))
            return {}

    def take_id(self, first_line: str, line: int) -> tuple[str, str | None]:
        if "{#" not in first_line:
            return first_line, None
        match = _STABLE_ID.search(first_line)
        if not match:
            if _BAD_ID.search(first_line):
                self.problem(line, "a {#id} may hold only letters, digits, '-', '_' and '.'")
            return first_line, None
        stable = match.group(1)
        if stable in self.ids:
            self.problem(line, f"duplicate id {{#{stable}}} (first used on line {self.ids[stable]})")
        else:
            self.ids[stable] = line
        return first_line[: match.start()].rstrip(), stable

    def source(self, block: Block) -> str:
        return "\n".join(self.lines[block.start : block.end])

    def add(self, item: Item) -> Item:
        self.cards += 1
        if self.full:
            return item
        problem = too_many_cards(self.cards)
        if problem:
            self.full = True
            self.problem(item.line, problem)
            return item
        self.sections[-1].items.append(item)
        return item

    # -- blocks --------------------------------------------------------------------
    def blocks(self) -> list[Block]:
        blocks, too_deep = read_blocks(self.lines)
        if too_deep is not None:
            self.problem(self.lineno(too_deep), "lists or quotes nested too deeply (at most "
                         f"{(MAX_LEVEL - 1) // 2} levels of lists): the text after this "
                         "would be lost")
        for block in blocks:
            if block.type == "bullets" and any(
                _TASK.match(self.lines[i]) for i in range(block.start, block.end)
            ):
                block.type = "tasks"
        return blocks

    def run(self) -> ParsedDeck:
        blocks = self.blocks()
        i = 0
        while i < len(blocks):
            i = self.block(blocks, i)
        self.finish_sections()
        items = [item for section in self.sections for item in section.items]
        title = self.meta.get("title", ("", 0))[0] or self.first_h1 or Path(self.path).stem
        domains: dict[str, str] = {}
        if "domain" in self.meta:
            value, line = self.meta["domain"]
            domains = self.domains(value, line)
        tags = tuple(
            t.strip()
            for t in self.meta.get("tags", ("", 0))[0].strip("[]").split(",")
            if t.strip()
        )
        if self.problems:
            raise DeckError(self.problems)
        for item in items:  # a question's own domain for an exam wins over the deck's
            item.domains = {**domains, **item.domains}
        assign_keys(items)
        return ParsedDeck(self.path, title, domains, tags, items)

    def block(self, blocks: list[Block], i: int) -> int:
        block = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.type == "heading":
            text = self.lines[block.start].strip().lstrip("#").strip().rstrip("#").strip()
            if nxt is not None and nxt.type == "tasks":
                stem, stable = self.take_id(text, self.lineno(block.start))
                return self.choice(blocks, i + 1, stem, stable, self.lineno(block.start))
            if block.level == 1 and self.first_h1 is None:
                self.first_h1 = _STABLE_ID.sub("", text)
            while self.headings and self.headings[-1][0] >= block.level:
                self.headings.pop()
            self.headings.append((block.level, _STABLE_ID.sub("", text)))
            self.topic = tuple(heading for _, heading in self.headings)
            self.sections.append(_Section())
            self.last_question = None
            return i + 1
        if block.type == "paragraph":
            return self.paragraph(blocks, i)
        if block.type == "tasks":
            self.problem(self.lineno(block.start), "task list without a question stem before it")
            return i + 1
        if block.type == "fence" and block.info.split()[:1] == ["scenario"]:
            return self.scenario(blocks, i)
        if block.type == "quote" and self.last_question is not None:
            self.explanation(block, self.last_question)
            self.last_question = None
            return i + 1
        self.sections[-1].notes.append(self.source(block))
        self.last_question = None
        return i + 1

    def paragraph(self, blocks: list[Block], i: int) -> int:
        block = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        lines = self.lines[block.start : block.end]
        markers = [_MARKER.match(ln) if ln[:1] in _MARKER_FIRST else None for ln in lines]
        one_lines = [None if marker else _split_one_line(ln)
                     for ln, marker in zip(lines, markers, strict=True)]
        if not any(markers) and not any(one_lines):
            if nxt is not None and nxt.type == "tasks":
                first, stable = self.take_id(lines[-1], self.lineno(block.end - 1))
                stem = "\n".join([*lines[:-1], first]).strip()
                return self.choice(blocks, i + 1, stem, stable, self.lineno(block.start))
            self.sections[-1].notes.append(self.source(block))
            self.last_question = None
            return i + 1

        segments: list[tuple[str, int, list[str]]] = []  # (marker, body line, lines)
        prose: list[str] = []
        for offset, ln in enumerate(lines):
            at = block.start + offset
            match = markers[offset]
            if match:
                segments.append((match.group(1), at, [ln[match.end() :].strip()]))
            elif one_lines[offset]:
                segments.append(("::", at, [ln]))
            elif segments and segments[-1][0] != "::":
                segments[-1][2].append(ln)
            elif segments:
                segments.append(("text", at, [ln]))
            else:
                prose.append(ln)
        if prose:
            self.sections[-1].notes.append("\n".join(prose))
        self.last_question = None
        consumed = i + 1
        pending_q: tuple[int, list[str]] | None = None
        for index, (marker, at, seg) in enumerate(segments):
            is_last = index == len(segments) - 1
            line = self.lineno(at)
            if marker == "Q":
                if pending_q:
                    self.problem(self.lineno(pending_q[0]), "'Q:' without an 'A:'")
                pending_q = (at, seg)
            elif marker == "A":
                if not pending_q:
                    self.problem(line, "'A:' without a 'Q:' before it")
                    continue
                q_at, q_lines = pending_q
                pending_q = None
                answer_lines = list(seg)
                if is_last:
                    consumed = self.answer_continuation(blocks, i + 1, answer_lines)
                self.basic_or_numeric(q_at, q_lines, line, answer_lines)
            elif marker == "C":
                self.cloze_card(at, seg)
            elif marker == "Order":
                if is_last:
                    return self.ordering(blocks, i + 1, at, seg)
                self.problem(line, "'Order:' must be followed by a numbered list")
            elif marker == "::":
                self.one_line(at, one_lines[at - block.start])
            else:
                self.sections[-1].notes.append("\n".join(seg))
        if pending_q:
            self.problem(self.lineno(pending_q[0]), "'Q:' without an 'A:'")
        return consumed

    def answer_continuation(self, blocks: list[Block], j: int, answer: list[str]) -> int:
        while j < len(blocks) and blocks[j].type in ("bullets", "ordered", "code", "table") or (
            j < len(blocks)
            and blocks[j].type == "fence"
            and blocks[j].info.split()[:1] != ["scenario"]
        ):
            answer.append("")
            answer.append(self.source(blocks[j]))
            j += 1
        return j

    # -- card forms ----------------------------------------------------------------
    def basic_or_numeric(self, q_at: int, q_lines: list[str], a_line: int, answer: list[str]) -> None:
        line = self.lineno(q_at)
        first, stable = self.take_id(q_lines[0], line)
        prompt = "\n".join([first, *q_lines[1:]]).strip()
        written = "\n".join(answer).strip()
        if not prompt:
            self.problem(line, "'Q:' has no question text")
        if written.startswith("="):
            match = _NUMERIC.match(written)
            value = _number(match.group("value")) if match else None
            tol_text = match.group("tol") if match else None
            tol = _number(tol_text) if tol_text else 0.0
            if value is None or tol is None or tol < 0:
                self.problem(a_line, f"numeric answer is not a number: {written!r}")
                return
            unit = match.group("unit").strip()
            question = Numeric(prompt, value, tol, "", unit)
            item = Item("numeric", line, self.topic, prompt, answer_text(question),
                        payload=question_to_dict(question), stable_id=stable)
        else:
            if not written:
                self.problem(a_line, "'A:' has no answer text")
            item = Item("basic", line, self.topic, prompt, written, stable_id=stable)
        self.last_question = self.add(item)

    def one_line(self, at: int, split: tuple[str, str, str]) -> None:
        """A `front :: back` (or `:::`) line, as _split_one_line split it."""
        line = self.lineno(at)
        front, sep, back = split
        front, stable = self.take_id(front, line)
        back, back_id = self.take_id(back, line) if stable is None else (back, None)
        stable = stable or back_id
        if sep == ":::":
            group = f"rev:{line}"
            self.add(Item("reverse", line, self.topic, front, back, payload={"direction": "forward"},
                          stable_id=stable, sibling=group))
            self.add(Item("reverse", line, self.topic, back, front, payload={"direction": "backward"},
                          stable_id=stable, sibling=group))
        else:
            self.add(Item("basic", line, self.topic, front, back, stable_id=stable))

    def cloze_card(self, at: int, seg: list[str]) -> None:
        line = self.lineno(at)
        first, stable = self.take_id(seg[0], line)
        joined = "\n".join([first, *seg[1:]])
        # Lines stripped from the start (an empty `C:` line) still count for error lines.
        skipped = joined.count("\n", 0, len(joined) - len(joined.lstrip()))
        text = joined.strip()
        try:
            dels = cloze.deletions(text)
        except cloze.ClozeError as exc:
            self.problem(line + skipped + text.count("\n", 0, exc.offset), str(exc))
            return
        if not dels:
            self.problem(line, "cloze 'C:' has no {{...}} deletion")
            return
        group_key = f"cloze:{line}"
        for group in sorted({d.group for d in dels}):
            self.add(Item("cloze", line, self.topic, "", "", payload={"text": text, "group": group},
                          stable_id=stable, sibling=group_key))

    def choice(self, blocks: list[Block], j: int, stem: str, stable: str | None, line: int) -> int:
        block = blocks[j]
        options: list[str] = []
        correct: list[int] = []
        mixed_line = None
        for k in range(block.start, block.end):
            raw = self.lines[k]
            indented = raw.startswith((" ", "\t"))
            task = _TASK.match(raw)
            if task and not indented:
                if task.group(1) in "xX":
                    correct.append(len(options))
                options.append(task.group(2).strip())
            elif _BULLET.match(raw) and not indented:
                mixed_line = mixed_line or self.lineno(k)
            elif options and raw.strip():
                options[-1] = (options[-1] + "\n" + raw.strip()).strip()
        if mixed_line:
            self.problem(mixed_line, "task list mixes '- [ ]' options with plain list items")
        if not correct:
            self.problem(self.lineno(block.start), "task list has no correct option '- [x]'")
        if len(options) < 2:
            self.problem(self.lineno(block.start), "a choice question needs at least two options")
        if len(options) > MAX_OPTIONS:
            self.problem(self.lineno(block.start), f"a choice question has {len(options):,} "
                         f"options; at most {MAX_OPTIONS} (one per number key)")
        if len(set(options)) != len(options):
            self.problem(self.lineno(block.start), "a choice question has two identical options")
        if not stem:
            self.problem(line, "a choice question needs a stem")
        question = Choice(stem, tuple(options), frozenset(correct))
        item = Item("choice", line, self.topic, stem, _format_choice(question),
                    payload=question_to_dict(question), stable_id=stable)
        self.last_question = self.add(item)
        return j + 1

    def ordering(self, blocks: list[Block], j: int, at: int, seg: list[str]) -> int:
        line = self.lineno(at)
        first, stable = self.take_id(seg[0], line)
        stem = "\n".join([first, *seg[1:]]).strip()
        if j >= len(blocks) or blocks[j].type != "ordered":
            self.problem(line, "'Order:' must be followed by a numbered list")
            return j
        block = blocks[j]
        items: list[str] = []
        for k in range(block.start, block.end):
            raw = self.lines[k]
            match = _ORDERED.match(raw)
            if match and not raw.startswith((" ", "\t")):
                items.append(match.group(1).strip())
            elif items and raw.strip():
                items[-1] = items[-1] + "\n" + raw.strip()
        if len(items) < 2:
            self.problem(self.lineno(block.start), "an ordering list needs at least two items")
        if len(items) > MAX_ORDER_ITEMS:
            self.problem(self.lineno(block.start), f"an ordering list has {len(items):,} items; "
                         f"at most {MAX_ORDER_ITEMS}")
        if len(set(items)) != len(items):
            self.problem(self.lineno(block.start), "an ordering list has two identical items")
        question = Ordering(stem, tuple(items))
        answer = "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1))
        item = Item("ordering", line, self.topic, stem, answer,
                    payload=question_to_dict(question), stable_id=stable)
        self.last_question = self.add(item)
        return j + 1

    def scenario(self, blocks: list[Block], i: int) -> int:
        block = blocks[i]
        line = self.lineno(block.start)
        parts = block.info.split()
        if len(parts) < 2:
            self.problem(line, "scenario block needs a kind: ```scenario KIND")
            return i + 1
        kind = parts[1]
        params: dict[str, str] = {}
        param_lines: dict[str, int] = {}
        stable = None
        # An unclosed fence runs to the end of the file: its last line is a parameter too.
        closed = block.end - 1 > block.start and _FENCE_CLOSE.match(self.lines[block.end - 1])
        for k in range(block.start + 1, block.end - 1 if closed else block.end):
            raw = self.lines[k]
            if not raw.strip() or raw.strip().startswith("#"):
                continue
            match = _PARAM_LINE.match(raw)
            if not match:
                self.problem(self.lineno(k), f"scenario line is not 'key: value': {raw.strip()!r}")
                continue
            key, value = match.group(1).lower(), match.group(2)
            if key == "id":
                _, stable = self.take_id("{#" + value + "}", self.lineno(k))
                continue
            if key in params:
                self.problem(self.lineno(k), f"scenario parameter {key!r} given twice")
            params[key] = value
            param_lines[key] = self.lineno(k)
        for name, message in scenarios.validate(kind, params):
            self.problem(param_lines.get(name, line) if name else line, message)
        title = scenarios.KINDS[kind].TITLE if kind in scenarios.KINDS else kind
        item = Item("scenario", line, self.topic, f"Generated scenario: {title}", "",
                    payload={"kind": kind, "params": params}, stable_id=stable)
        self.last_question = self.add(item)
        return i + 1

    def explanation(self, block: Block, item: Item) -> None:
        kept = []
        for k in range(block.start, block.end):
            raw = self.lines[k]
            body = re.sub(r"^\s*>\s?", "", raw)
            match = _DOMAIN_LINE.match(body)
            if match:
                item.domains = self.domains(match.group(1), self.lineno(k))
                continue
            kept.append(body)
        item.explanation = "\n".join(kept).strip()
        if item.payload.get("type"):
            item.payload["explanation"] = item.explanation

    def finish_sections(self) -> None:
        for section in self.sections:
            context = "\n\n".join(n.strip() for n in section.notes if n.strip())
            for item in section.items:
                item.context = context


def _split_one_line(line: str) -> tuple[str, str, str] | None:
    """(front, separator, back) of a `front :: back` line, or None. A `::` inside a cloze
    deletion or an inline code span is not a separator: the next one may be."""
    if "::" not in line or _MARKER.match(line):
        return None
    for match in _SEPARATOR.finditer(line):
        before = line[: match.start()]
        if before.count("{{") == before.count("}}") and before.count("`") % 2 == 0:
            return before.strip(), match.group(1), line[match.end() :].strip()
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _format_choice(question: Choice) -> str:
    return "\n".join(
        f"- {'[x]' if n in question.correct else '[ ]'} {option}"
        for n, option in enumerate(question.options)
    )
