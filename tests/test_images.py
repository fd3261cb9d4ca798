"""Pictures in cards, on real files: an import copies each into the collection's media/ by
the hash of its bytes, refuses one over 5 MB or missing (path:line, nothing written), never
fetches one from the network; the review and the exam show it and `o` opens it in the
viewer ($STUDYAWS_OPENER, a real script here); JSON backups and .apkg exports carry it."""

from __future__ import annotations

import hashlib
import html
import os
import re
import sqlite3
import struct
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import backends
import pytest
from backup_support import run
from sqlalchemy import select
from support import START, make_collection
from waiting import settle, wait_until

from studyaws.core.clock import FakeClock
from studyaws.core.decks.model import DeckError
from studyaws.services.exchange.anki_export import write_apkg
from studyaws.services.exchange.json_dump import export_json, restore_json
from studyaws.services.importer import import_paths
from studyaws.services.media import media_dir
from studyaws.store.engine import reading
from studyaws.store.tables import Card
from studyaws.tui.app import StudyApp
from studyaws.tui.screens.review import ReviewScreen
from studyaws.tui.widgets.card_picture import CardPicture

SIZES = {"80x24": (80, 24), "200x50": (200, 50)}


def png(width: int = 12, height: int = 8, rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A small valid PNG: a block of one colour with a darker stripe."""
    dark = tuple(c // 3 for c in rgb)
    rows = b"".join(b"\x00" + b"".join(bytes(dark if x < width // 3 else rgb)
                                        for x in range(width)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PICTURE = png()
STORED = hashlib.sha256(PICTURE).hexdigest() + ".png"

DECK = """\
# Networking

Which service does this diagram show?
![VPC with two subnets](pics/vpc.png)

- [x] Amazon VPC
- [ ] Amazon S3

> The same picture again: ![the diagram](./pics/vpc.png)
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def screen_text(app) -> str:
    """Everything the screen shows, as plain text (from the real screenshot)."""
    svg = app.export_screenshot()
    spans = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape("".join(spans)).replace("\xa0", " ")


def picture_collection(tmp_path: Path, deck: str = DECK):
    (tmp_path / "pics").mkdir(exist_ok=True)
    (tmp_path / "pics" / "vpc.png").write_bytes(PICTURE)
    return make_collection(tmp_path, deck)


def prompts(engine) -> list[str]:
    with reading(engine) as session:
        return list(session.execute(select(Card.prompt).order_by(Card.id)).scalars())


def test_import_copies_the_picture_once_by_its_hash(tmp_path):
    engine, clock, deck = picture_collection(tmp_path)
    folder = media_dir(engine)
    assert folder == tmp_path / "home" / "media"
    assert [p.name for p in folder.iterdir()] == [STORED]
    assert (folder / STORED).read_bytes() == PICTURE
    (prompt,) = prompts(engine)
    assert f"![VPC with two subnets](media:{STORED})" in prompt
    assert "pics/vpc.png" not in prompt
    with reading(engine) as session:
        explanation = session.execute(select(Card.explanation)).scalar_one()
    assert f"![the diagram](media:{STORED})" in explanation
    # Another deck (another folder, another file name) with the same picture: stored once.
    other = tmp_path / "other"
    other.mkdir()
    (other / "same.png").write_bytes(PICTURE)
    write(other / "more.md", "Q: What is shown? ![same](same.png)\nA: A VPC\n")
    import_paths(engine, [other / "more.md"], clock.now())
    assert [p.name for p in folder.iterdir()] == [STORED]


def test_anki_img_tags_and_markdown_bank_pictures(tmp_path):
    (tmp_path / "lifecycle.png").write_bytes(PICTURE)
    write(tmp_path / "notes.txt", "#separator:tab\n#html:true\n"
          'What does this show? <img src="lifecycle.png" alt="S3 rules">\tLifecycle\n')
    engine = backends.open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    import_paths(engine, [tmp_path / "notes.txt"], START)
    assert prompts(engine) == [f"What does this show? ![S3 rules](media:{STORED})"]
    assert (media_dir(engine) / STORED).is_file()


def test_a_picture_over_5_mb_is_refused_and_nothing_is_written(tmp_path):
    big = tmp_path / "big.png"
    with big.open("wb") as f:  # sparse: 5 MB and one byte on no disk
        f.truncate(5 * 1024 * 1024 + 1)
    deck = write(tmp_path / "deck.md", "Q: A first card\nA: fine\n\n"
                 "Q: What is this?\n![huge](big.png)\nA: Too big\n")
    engine = backends.open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    with pytest.raises(DeckError) as info:
        import_paths(engine, [deck], START)
    assert str(info.value) == f"{deck}:5: picture big.png is over 5 MB"
    assert prompts(engine) == []
    assert not media_dir(engine).exists()


def test_a_missing_picture_is_a_line_of_its_file_in_import_and_check(tmp_path):
    home = tmp_path / "home"
    (tmp_path / "here.png").write_bytes(PICTURE)
    deck = write(tmp_path / "deck.md", "Q: Shown\n![fine](here.png)\nA: yes\n\n"
                 "Q: Which one?\nA: This one: ![gone](missing/gone.png)\n")
    for command in ("check", "import"):
        result = run(home, command, str(deck))
        assert result.returncode != 0
        assert f"{deck}:6: no such picture missing/gone.png\n" in result.stderr
        assert "here.png" not in result.stderr
        assert "Traceback" not in result.stderr
    assert not (home / "media").exists()  # all or nothing: not even the picture found
    db = home / "studyaws.sqlite3"
    if db.exists() or backends.on_postgres():
        assert backends.query(db, "SELECT count(*) FROM card WHERE prompt LIKE '%Shown%'"
                              ) == [(0,)]


def test_a_file_that_is_not_a_picture_is_refused(tmp_path):
    """A deck cannot copy any file into the collection (and from there into an export)."""
    (tmp_path / "secret.txt").write_text("not a picture")
    deck = write(tmp_path / "deck.md", "Q: Which?\n![x](secret.txt)\nA: none\n")
    engine = backends.open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    with pytest.raises(DeckError) as info:
        import_paths(engine, [deck], START)
    assert str(info.value).startswith(f"{deck}:2: secret.txt is not a picture (one of png, ")
    assert not media_dir(engine).exists()


async def test_a_damaged_picture_is_named_by_its_line(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    engine, clock, _ = make_collection(tmp_path, "Q: Which?\n![broken one](broken.png)\nA: x\n")
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                     and app.screen.view is not None)
        picture = app.screen.query_one(CardPicture)
        assert picture.display and not picture.query_one(".picture-image").display
        assert "Picture: broken one" in str(picture.query_one(".picture-caption").render())


def test_a_picture_on_the_network_is_never_fetched(tmp_path):
    deck = write(tmp_path / "deck.md",
                 "Q: Which?\n![tracker](https://tracker.example/pixel.png)\nA: none\n")
    engine = backends.open_test_engine(tmp_path / "home" / "studyaws.sqlite3")
    report = import_paths(engine, [deck], START)
    assert [str(s) for s in report.skipped] == [
        f"{deck}:2: picture https://tracker.example/pixel.png is on the network: not "
        "fetched, the card names it in words"]
    assert prompts(engine) == ["Which?\n[image: tracker]"]
    assert not media_dir(engine).exists()


OPENER = """\
#!{python}
import sys
from pathlib import Path
Path({marker!r}).write_text("\\n".join(sys.argv[1:]))
"""


async def test_review_shows_the_picture_and_o_opens_it(tmp_path, monkeypatch):
    marker = tmp_path / "opened.txt"
    opener = tmp_path / "opener.py"
    opener.write_text(OPENER.format(python=sys.executable, marker=str(marker)))
    opener.chmod(0o755)
    monkeypatch.setenv("STUDYAWS_OPENER", str(opener))
    engine, clock, _ = picture_collection(tmp_path)
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                     and app.screen.view is not None)
        picture = app.screen.query_one(CardPicture)
        assert picture.display
        image = picture.query_one(".picture-image")
        assert image.display and image.size.height == 8
        assert str(picture.query_one(".picture-caption").render()) == \
            "o opens the picture in your viewer"
        assert app.screen.check_action("open_picture", ()) is True
        await pilot.press("o")
        wait_until(marker.exists)
        assert marker.read_text() == str(media_dir(engine) / STORED)
        # The card's text names the picture in words, not its file.
        text = screen_text(app)
        assert "(picture: VPC with two subnets)" in text and "media:" not in text


async def test_a_card_without_a_picture_has_no_picture_key(tmp_path):
    engine, clock, _ = make_collection(tmp_path, "Q: Plain\nA: text\n")
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                     and app.screen.view is not None)
        assert not app.screen.query_one(CardPicture).display
        assert not app.screen.check_action("open_picture", ())


async def test_without_a_viewer_o_says_where_the_picture_is(tmp_path, monkeypatch):
    monkeypatch.delenv("STUDYAWS_OPENER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    engine, clock, _ = picture_collection(tmp_path)
    app = StudyApp(engine, clock)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen)
                     and app.screen.view is not None)
        await pilot.press("o")
        await settle(pilot, lambda: app._notifications)
        (note,) = list(app._notifications)
        assert note.message == ("No picture viewer here (set $STUDYAWS_OPENER): the picture is "
                                f"{media_dir(engine) / STORED}")


EXAM_QUESTIONS = "\n\n".join(
    f"Question number {n}?\n![exam picture {n}](pics/vpc.png)\n\n- [x] Right {n}\n"
    f"- [ ] Wrong {n}\n\n> domain: {('secure', 'resilient')[n % 2]}"
    for n in range(1, 11))


async def test_the_exam_shows_the_picture_and_o_opens_it(tmp_path, monkeypatch):
    from studyaws.services import exam as service
    from studyaws.tui.screens.exam import ExamScreen

    marker = tmp_path / "opened.txt"
    opener = tmp_path / "opener.py"
    opener.write_text(OPENER.format(python=sys.executable, marker=str(marker)))
    opener.chmod(0o755)
    monkeypatch.setenv("STUDYAWS_OPENER", str(opener))
    engine, clock, _ = picture_collection(tmp_path, EXAM_QUESTIONS)
    view = service.start_exam(engine, clock, "quick", seed=3)
    app = StudyApp(engine, clock, start="exam", exam_id=view.id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, ExamScreen))
        picture = app.screen.query_one(CardPicture)
        assert picture.display and picture.query_one(".picture-image").display
        number = app.screen.item.question.stem.split("?")[0].rsplit(" ", 1)[1]
        assert f"(picture: exam picture {number})" in screen_text(app)
        await pilot.press("o")
        wait_until(marker.exists)
        assert marker.read_text() == str(media_dir(engine) / STORED)


def test_json_backup_carries_the_pictures_and_a_restore_writes_them_back(tmp_path):
    engine, _, _ = picture_collection(tmp_path)
    document = export_json(engine)
    assert f'"{STORED}": "' in document
    backup = tmp_path / "backup.json"
    backup.write_text(document, encoding="utf-8")
    fresh = tmp_path / "elsewhere" / "studyaws.sqlite3"
    fresh.parent.mkdir()
    backends.restore_test_json(backup, fresh)
    assert (fresh.parent / "media" / STORED).read_bytes() == PICTURE
    restored = backends.open_test_engine(fresh)
    assert export_json(restored) == document
    restored.dispose()


@pytest.mark.parametrize(("name", "data", "said"), [
    ("../evil.png", PICTURE, "is not a picture's stored name"),
    (STORED, "not base64!", "is not valid base64"),
    ("0" * 64 + ".png", PICTURE, "does not hold the picture its name says"),
])
@pytest.mark.sqlite_only  # restore_json writes a SQLite file (PostgreSQL's restore: test_postgres)
def test_a_restore_checks_the_pictures_before_writing(tmp_path, name, data, said):
    import base64
    import json

    engine, _, _ = picture_collection(tmp_path)
    document = json.loads(export_json(engine))
    document["media"] = {name: data if isinstance(data, str)
                         else base64.b64encode(data).decode()}
    backup = tmp_path / "bad.json"
    backup.write_text(json.dumps(document), encoding="utf-8")
    fresh = tmp_path / "elsewhere" / "studyaws.sqlite3"
    fresh.parent.mkdir()
    from studyaws.services.exchange import RestoreError

    with pytest.raises(RestoreError) as info:
        restore_json(backup, fresh)
    assert said in str(info.value)
    assert not fresh.exists() and not (fresh.parent / "media").exists()


def test_apkg_carries_the_pictures(tmp_path):
    engine, _, _ = picture_collection(tmp_path)
    out = tmp_path / "deck.apkg"
    write_apkg(engine, out)
    with zipfile.ZipFile(out) as package:
        import json

        media = json.loads(package.read("media"))
        assert list(media.values()) == [STORED]
        (number,) = media
        assert package.read(number) == PICTURE
        package.extract("collection.anki2", tmp_path / "unpacked")
    with sqlite3.connect(tmp_path / "unpacked" / "collection.anki2") as conn:
        fields = "\n".join(f for (f,) in conn.execute("SELECT flds FROM notes"))
    assert f'<img src="{STORED}" alt="VPC with two subnets">' in fields


def _still(*keys: str):
    async def run_before(pilot):
        await pilot.press(*keys)
        await settle(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                     and pilot.app.screen.view is not None)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_snapshot_picture_question(tmp_path, monkeypatch, snap_compare, size):
    monkeypatch.chdir(tmp_path)
    engine, _, _ = picture_collection(tmp_path)
    app = StudyApp(engine, FakeClock(START))
    assert snap_compare(app, run_before=_still("r"), terminal_size=SIZES[size])


def test_the_opener_is_a_real_process(tmp_path):
    """The viewer runs detached, as a process of its own (not this one)."""
    from studyaws.services.media import open_picture

    marker = tmp_path / "pid.txt"
    script = tmp_path / "opener.py"
    script.write_text(f"#!{sys.executable}\nimport os\n"
                      f"open({str(marker)!r}, 'w').write(str(os.getpid()))\n")
    script.chmod(0o755)
    os.environ["STUDYAWS_OPENER"] = str(script)
    try:
        said = open_picture(tmp_path / "x.png")
    finally:
        del os.environ["STUDYAWS_OPENER"]
    assert said.startswith("Opening the picture")
    wait_until(lambda: marker.exists() and marker.read_text())
    assert int(marker.read_text()) != os.getpid()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_real_command_in_a_terminal_shows_the_picture_and_opens_it(tmp_path):
    """textual-image asks the terminal what it draws before the app starts (this one answers
    nothing): the review still comes up with the picture, and o runs the viewer."""
    import subprocess

    from support import without_bundled_decks
    from terminal import Terminal, studyaws_command

    marker = tmp_path / "opened.txt"
    opener = tmp_path / "opener.py"
    opener.write_text(OPENER.format(python=sys.executable, marker=str(marker)))
    opener.chmod(0o755)
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "vpc.png").write_bytes(PICTURE)
    deck = write(tmp_path / "deck.md", DECK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40",
               STUDYAWS_HOME=str(tmp_path / "home"), STUDYAWS_OPENER=str(opener))
    env = backends.cli_env(env, tmp_path / "home")
    subprocess.run([*studyaws_command(), "import", str(deck)], env=env, check=True,
                   capture_output=True)
    without_bundled_decks(tmp_path / "home" / "studyaws.sqlite3")
    term = Terminal([*studyaws_command(), "review"], env)
    try:
        term.wait_for("opens the picture")
        assert "\u2580" in term.text()  # drawn in half blocks: this terminal has no graphics
        term.send("o")
        wait_until(marker.exists)
    finally:
        term.kill()
    assert marker.read_text() == str(tmp_path / "home" / "media" / STORED)
