"""`studyaws cards`: a search's cards as a table or JSON, or one card's details."""

from __future__ import annotations

import argparse
import json
import shutil
import sys

from studyaws.core.text import printable

_FLAGS = {1: "red", 2: "orange", 3: "green", 4: "blue"}


def cards(args: argparse.Namespace, engine) -> int:
    from studyaws.core.clock import Clock
    from studyaws.services import browse

    clock = Clock()
    if args.id is not None:
        if args.search:
            print("studyaws cards: --id shows one card; give it without a search",
                  file=sys.stderr)
            return 2
        try:
            details = browse.card_details(engine, clock, args.id)
        except browse.NoSuchCard as exc:
            print(f"studyaws cards: {exc}", file=sys.stderr)
            return 1
        if args.json:
            print(json.dumps(details.to_json(), indent=2))
        else:
            _print_details(details)
        return 0
    if _action(args) is not None:
        return _act(args, engine, clock)
    if args.limit < 0:
        print("studyaws cards: --limit is a number of cards, 0 for all", file=sys.stderr)
        return 2
    query = " ".join(args.search)
    limit = args.limit or 1_000_000_000
    try:
        page = browse.search_cards(engine, clock, query, args.sort, args.desc, 0, limit)
        total = (len(page.rows) if not page.more
                 else browse.count_cards(engine, clock, query))
    except browse.SearchError as exc:
        print(printable(f"studyaws cards: {exc}"), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"query": query, "sort": args.sort, "descending": args.desc,
                          "total": total, "cards": [row.to_json() for row in page.rows]},
                         indent=2))
        return 0
    if not page.rows:
        print("No cards match." if query.strip() else "No cards yet: studyaws import PATH.")
        return 0
    _print_table(page.rows)
    shown = len(page.rows)
    print(f"{total} card{'s' if total != 1 else ''}" if shown == total else
          f"{shown} of {total} cards (--limit N for more, 0 for all)")
    return 0


def _due(row) -> str:
    if row.due is None:
        return "new"
    return f"{row.due.astimezone():%Y-%m-%d}"


def _marks(row) -> str:
    marks = [name for name, on in (("suspended", row.suspended), ("buried", row.buried),
                                   ("leech", row.leech), ("retired", row.retired)) if on]
    if row.flag:
        marks.append(_FLAGS.get(row.flag, str(row.flag)))
    return " [" + ", ".join(marks) + "]" if marks else ""


def _print_table(rows) -> None:
    ids = [str(r.id) for r in rows]
    decks = [printable(r.deck) for r in rows]
    id_w = max(len("id"), *(len(i) for i in ids))
    deck_w = min(24, max(len("deck"), *(len(d) for d in decks)))
    kind_w = max(len("kind"), *(len(r.kind) for r in rows))
    columns = shutil.get_terminal_size((100, 24)).columns
    prompt_w = max(20, columns - id_w - deck_w - kind_w - len("  due         interval") - 8)
    print(f"{'id':>{id_w}}  {'deck':<{deck_w}}  {'kind':<{kind_w}}  "
          f"{'prompt':<{prompt_w}}  {'due':<10}  interval")
    for card_id, deck, row in zip(ids, decks, rows, strict=True):
        prompt = printable(" ".join(row.prompt.split())) + _marks(row)
        print(f"{card_id:>{id_w}}  {_cut(deck, deck_w):<{deck_w}}  {row.kind:<{kind_w}}  "
              f"{_cut(prompt, prompt_w):<{prompt_w}}  {_due(row):<10}  "
              f"{'' if row.interval is None else str(row.interval) + 'd':>8}")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _print_details(d) -> None:
    def when(moment):
        return "-" if moment is None else f"{moment.astimezone():%Y-%m-%d %H:%M}"

    def number(value, digits=2):
        return "-" if value is None else f"{value:.{digits}f}"

    marks = _marks(d).strip(" []") or "none"
    lines = [
        ("card", f"{d.id} ({d.kind}) in {printable(d.deck)}"),
        ("source", printable(d.source)),
        ("domains", printable(d.domains_text)),
        ("state", d.state),
        ("due", "new" if d.due is None else when(d.due)),
        ("last review", when(d.last_review)),
        ("interval", "-" if d.interval is None else f"{d.interval}d"),
        ("stability", "-" if d.stability is None else f"{d.stability:.1f} days"),
        ("difficulty", number(d.difficulty)),
        ("retrievability", "-" if d.retrievability is None else f"{d.retrievability:.0%}"),
        ("reps, lapses", f"{d.reps}, {d.lapses}"),
        ("marks", marks),
    ]
    for name, value in lines:
        print(f"{name + ':':<16}{value}")
    print()
    print(printable(d.prompt, multiline=True))
    print("---")
    print(printable(d.answer, multiline=True))
    print()
    if not d.answers:
        print("No answers yet.")
    else:
        print("date              source  rating  correct  interval  stability  difficulty  "
              "seconds")
        for a in d.answers:
            correct = "-" if a.correct is None else ("yes" if a.correct else "no")
            print(f"{when(a.at):<16}  {printable(a.source):<6}  {a.rating_name:<6}  "
                  f"{correct:<7}  {'-' if a.interval is None else str(a.interval) + 'd':>8}  "
                  f"{number(a.stability, 1):>9}  {number(a.difficulty):>10}  "
                  f"{a.seconds:>7.1f}")
    for e in d.exam_answers:
        correct = "-" if e.correct is None else ("right" if e.correct else "wrong")
        print(f"exam {e.exam_id} ({e.preset}, {e.mode}) {when(e.at)}: {correct}"
              + (", flagged" if e.flagged else ""))


def _action(args: argparse.Namespace) -> str | None:
    for name in ("suspend", "unsuspend", "bury", "forget"):
        if getattr(args, name, False):
            return name
    if getattr(args, "flag", None) is not None:
        return "flag"
    if getattr(args, "set_due", None) is not None:
        return "set-due"
    return None


def _act(args: argparse.Namespace, engine, clock) -> int:
    """--suspend, --unsuspend, --bury, --forget, --flag N, --set-due DAYS on every card the
    search finds, in one transaction."""
    from studyaws.services import browse
    from studyaws.services.card_actions import (
        ActionError,
        CardActions,
        due_text,
        parse_due_days,
    )
    from studyaws.services.flags import flag_name

    action = _action(args)
    query = " ".join(args.search)
    if not query.strip():
        print(f"studyaws cards: --{action} acts on the cards a search finds: give a search "
              "(every card: studyaws cards -- -is:retired)", file=sys.stderr)
        return 2
    try:
        days = parse_due_days(args.set_due) if action == "set-due" else None
        if action == "flag" and args.flag not in range(5):
            raise ActionError(f"--flag is 0 (none) or 1-4 (red, orange, green, blue), "
                              f"not {args.flag}")
        ids = browse.search_ids(engine, clock, query)
    except (ActionError, browse.SearchError) as exc:
        print(printable(f"studyaws cards: {exc}"), file=sys.stderr)
        return 2
    actions = CardActions(engine, clock)
    detail = ""
    if action in ("suspend", "unsuspend"):
        done = actions.suspend(ids, action == "suspend")
    elif action == "bury":
        done = actions.bury(ids)
    elif action == "forget":
        done = actions.forget(ids)
    elif action == "flag":
        done, detail = actions.flag(ids, args.flag), flag_name(args.flag)
    else:
        done, detail = actions.set_due(ids, days), due_text(days)
    if args.json:
        print(json.dumps({"query": query, "action": action, "found": len(ids),
                          "changed": done.changed}, indent=2))
    else:
        print(done.message(detail) if ids else "No cards match: nothing changed.")
    return 0
