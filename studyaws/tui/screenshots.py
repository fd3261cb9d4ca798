"""`studyaws screenshots DIR`: drive the real app with Pilot on a demo collection (the bundled
decks, a fixed clock) and write an SVG of each main screen."""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from studyaws.core.clock import FakeClock
from studyaws.core.questions import Choice, Numeric, format_number
from studyaws.services.demo import demo_collection, first_card, studied_collection

SIZE = (110, 34)
STATS_SIZE = (110, 76)  # tall enough for every section of the stats screen
DEMO_NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def _saver(app, directory: Path, written: list[Path]):
    """save(name): the app's screen as directory/name.svg, remembered in `written`."""

    def save(name: str) -> None:
        path = directory / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"studyaws: {name}"), encoding="utf-8")
        written.append(path)

    return save


async def _shoot(directory: Path, engine, clock: FakeClock) -> list[Path]:
    from studyaws.tui.app import StudyApp
    from studyaws.tui.screens.review import ReviewScreen

    written: list[Path] = []
    app = StudyApp(engine, clock)
    save = _saver(app, directory, written)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        save("home")
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        basic = first_card(engine, "basic")
        if basic:
            await screen.show(screen.service.card(basic))
            await pilot.pause()
            save("review-question")
            await pilot.press("space")
            await pilot.pause()
            save("review-answer")

        objective = [
            ("choice", ["2"]),
            ("multi-select", ["1", "3"]),
            ("ordering", ["shift+down"]),
            ("numeric", ["3", "5"]),
            ("scenario", None),
        ]
        for name, keys in objective:
            card_id = first_card(engine, name)
            if card_id is None:
                continue
            await screen.show(screen.service.card(card_id))
            await pilot.pause()
            question = screen.view.question
            if keys is None and isinstance(question, Choice):
                keys = [str(n + 1) for n in range(question.choose)]
            for key in keys or []:
                await pilot.press(key)
            await pilot.pause()
            save(f"{name}-question")
            await pilot.press("enter")
            await pilot.pause()
            save(f"{name}-feedback")
            await pilot.press("u")
            await pilot.pause()

        # Answer until the day's (demo-sized) queue is empty: the session summary.
        for _ in range(200):
            if not isinstance(app.screen, ReviewScreen):
                break
            current = app.screen.view
            question = current.question if current is not None else None
            if isinstance(question, Choice):
                await pilot.press(*[str(n + 1) for n in range(question.choose)])
            elif isinstance(question, Numeric):
                await pilot.press("1")
            if question is not None:
                await pilot.press("enter", "3", "space")
            else:
                await pilot.press("space", "3")
            clock.advance(20)
            await pilot.pause()
        save("summary")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        save("settings")
        await pilot.press("escape")
        await pilot.pause()
        await _shoot_exam(app, pilot, engine, clock, save)
    return written


async def _shoot_exam(app, pilot, engine, clock: FakeClock, save) -> None:
    """Four past SAA-C03 exams, the setup of a new one, an exam part-way through, its
    navigator, the review before submitting, the results, the answer review and the
    history."""
    from studyaws.services import exam as service

    rng = random.Random(7)
    for n, share in enumerate((0.35, 0.5, 0.45, 0.7)):
        past = service.start_exam(engine, clock, "saa-c03", seed=n)
        for item in past.items:
            question = item.question
            if isinstance(question, Choice):
                wrong = [i for i in range(len(question.options)) if i not in question.correct]
                chosen = (sorted(question.correct) if rng.random() < share or not wrong
                          else wrong[:1])
                service.save_answer(engine, past.id, item, {"chosen": chosen}, 60, clock.now())
        past.remaining_s -= 100 * 60
        service.finish_exam(engine, clock, past)
        clock.advance(3 * 86400)
    await pilot.press("x")
    await pilot.pause()
    save("exam-setup")
    await pilot.press("escape")
    await pilot.pause()
    view = service.start_exam(engine, clock, "saa-c03", seed=2026)
    for item in view.items[:40]:
        question = item.question
        right = rng.random() < 0.7
        if isinstance(question, Choice):
            response = {"chosen": sorted(question.correct) if right
                        else list(range(question.choose))}
        elif isinstance(question, Numeric):
            response = {"text": format_number(question.answer * (1 if right else 2))}
        else:  # ordering: right, or the first two swapped
            order = list(range(len(question.items)))
            if not right:
                order[:2] = order[1::-1]
            response = {"order": order}
        service.save_answer(engine, view.id, item, response, rng.uniform(40, 110), clock.now())
    for item in view.items[5:40:9]:
        service.set_flag(engine, view.id, item, True)
    current = next(n for n, item in enumerate(view.items)
                   if n > 40 and isinstance(item.question, Choice))
    service.save_clock(engine, view.id, view.time_limit_s - 74 * 60 - 13, current)
    app.open_exam(view.id)
    await pilot.pause()
    save("exam")
    await pilot.press("g")
    await pilot.pause()
    save("exam-navigator")
    await pilot.press("escape", "r")
    await pilot.pause()
    save("exam-review")
    await pilot.press("escape", "s", "y")
    await pilot.pause()
    save("exam-results")
    await pilot.press("a", "w")
    await pilot.pause()
    save("exam-answers")
    await pilot.press("escape", "h")
    await pilot.pause()
    save("exam-history")


async def _shoot_progress(directory: Path, engine, clock: FakeClock) -> list[Path]:
    from studyaws.tui.app import StudyApp
    from studyaws.tui.screens.stats import StatsScreen

    written: list[Path] = []
    app = StudyApp(engine, clock)
    save = _saver(app, directory, written)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        save("home-exam-date")
        await pilot.press("t")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.resize_terminal(*STATS_SIZE)
        await pilot.press("o")  # fit FSRS to the learner's reviews
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        save("stats")
        await pilot.resize_terminal(*SIZE)
        await pilot.press("escape")
        await pilot.pause()
        await _shoot_browser(app, pilot, save)
    return written


async def _shoot_browser(app, pilot, save) -> None:
    """The browser on a search among studied cards, then one card's details."""
    from studyaws.tui.screens.browse import BrowseScreen

    await pilot.press("slash")
    await pilot.pause()
    assert isinstance(app.screen, BrowseScreen)
    await pilot.press("slash", *"vpc -is:new", "enter")
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
    save("browser")
    await pilot.press("down", "down", "i")
    await pilot.pause()
    save("card-details")
    await pilot.press("escape", "escape")
    await pilot.pause()


PICTURE_DECK = """# Networking

Which route table entry sends the private subnet's internet traffic through the NAT gateway?
![A VPC: a public subnet with a NAT gateway, a private subnet with two instances](vpc.png)

- [ ] 0.0.0.0/0 to the internet gateway
- [x] 0.0.0.0/0 to the NAT gateway
- [ ] 10.0.0.0/16 to local
"""


def _diagram(path: Path) -> None:
    """A small VPC diagram: the VPC, a public subnet with a NAT gateway, a private subnet
    with two instances."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 235, 115), outline=(90, 60, 160), width=4)
    draw.rectangle((16, 16, 112, 104), fill=(214, 236, 214), outline=(60, 140, 60), width=3)
    draw.rectangle((128, 16, 224, 104), fill=(214, 226, 244), outline=(50, 90, 170), width=3)
    draw.ellipse((44, 44, 84, 84), fill=(230, 130, 30))
    draw.rectangle((142, 36, 206, 56), fill=(240, 160, 40))
    draw.rectangle((142, 68, 206, 88), fill=(240, 160, 40))
    image.save(path)


async def _shoot_picture(directory: Path, engine, clock: FakeClock) -> list[Path]:
    from studyaws.tui.app import StudyApp

    written: list[Path] = []
    app = StudyApp(engine, clock)
    save = _saver(app, directory, written)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.pause()
        save("picture-question")
    return written


TREE_DECK = """---
title: {title}
---

# {topic}

Q: Which service {what}?
A: {answer}
"""
# (file under the bank's folder or at the top, deck title, topic, question, answer)
TREE_DECKS = (
    ("Practice bank/practice-exam-1.md", "Practice Exam 1", "Mixed", "stores objects", "Amazon S3"),
    ("Practice bank/practice-exam-2.md", "Practice Exam 2", "Mixed", "queues messages", "Amazon SQS"),
    ("Practice bank/practice-exam-10.md", "Practice Exam 10", "Mixed", "resolves names",
     "Amazon Route 53"),
    ("security-iam.md", "Security::IAM", "IAM", "issues temporary credentials", "AWS STS"),
    ("security-kms.md", "Security::KMS", "KMS", "manages encryption keys", "AWS KMS"),
    ("security-waf.md", "Security::Edge::WAF", "WAF", "filters HTTP requests", "AWS WAF"),
)


async def _shoot_tree(directory: Path, engine, clock: FakeClock) -> list[Path]:
    from studyaws.tui.app import StudyApp

    written: list[Path] = []
    app = StudyApp(engine, clock)
    save = _saver(app, directory, written)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        save("deck-tree")
    return written


def write_screenshots(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="studyaws-demo-") as home:
        clock = FakeClock(DEMO_NOW)
        engine = demo_collection(home, clock)
        try:
            written += asyncio.run(_shoot(directory, engine, clock))
        finally:
            engine.dispose()
    with tempfile.TemporaryDirectory(prefix="studyaws-demo-") as home:
        clock = FakeClock(DEMO_NOW)
        engine = studied_collection(home, clock, DEMO_NOW)
        try:
            written += asyncio.run(_shoot_progress(directory, engine, clock))
        finally:
            engine.dispose()
    with tempfile.TemporaryDirectory(prefix="studyaws-demo-") as home:
        from studyaws.services.collection import open_collection
        from studyaws.services.importer import import_paths

        clock = FakeClock(DEMO_NOW)
        folder = Path(home) / "deck"
        folder.mkdir()
        deck = folder / "networking.md"
        deck.write_text(PICTURE_DECK, encoding="utf-8")
        _diagram(folder / "vpc.png")
        engine = open_collection(str(Path(home) / "collection"), import_bundled=False,
                                 clock=clock, backup=False)
        try:
            import_paths(engine, [deck], clock.now())
            written += asyncio.run(_shoot_picture(directory, engine, clock))
        finally:
            engine.dispose()
    with tempfile.TemporaryDirectory(prefix="studyaws-demo-") as home:
        from studyaws.services.collection import open_collection
        from studyaws.services.importer import import_paths

        clock = FakeClock(DEMO_NOW)
        folder = Path(home) / "decks"
        for name, title, topic, what, answer in TREE_DECKS:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(TREE_DECK.format(title=title, topic=topic, what=what, answer=answer),
                            encoding="utf-8")
        engine = open_collection(str(Path(home) / "collection"), import_bundled=True,
                                 clock=clock, backup=False)
        try:
            # The bank's folder as one import (its decks under the folder's name), the
            # Security::... decks one by one (under the parent their titles name).
            import_paths(engine, [folder / "Practice bank"], clock.now())
            import_paths(engine, sorted(folder.glob("security-*.md")), clock.now())
            written += asyncio.run(_shoot_tree(directory, engine, clock))
        finally:
            engine.dispose()
    return written
