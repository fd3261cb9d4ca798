"""`studyaws serve` end to end: the real command on a free loopback port, driven by a real
headless browser (Debian's chromium through Playwright). The page with the token answers
three cards by tapping the app's buttons (textual-serve draws the app in a terminal on a
canvas: taps are clicks at its cells), and the collection then holds three answers; the same
page without the token is a bare 403 that opens no websocket."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

CHROMIUM = Path(os.environ.get("STUDYAWS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 740}  # a phone's screen in CSS pixels: about 40 x 38 cells


def browser_or_skip():
    """Playwright's sync API, with chromium at hand. In CI both must be there (.ci/run
    installs them): a missing one fails the test there, and skips it elsewhere."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed (pip install -e '.[test]')"
    if missing is None and not CHROMIUM.exists():
        missing = f"no chromium at {CHROMIUM} (apt-get install chromium)"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {missing}")
        pytest.skip(missing)
    return sync_playwright


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(home: Path, port: int):
    """`studyaws serve` running; yields (the URL it printed, the lines it wrote so far)."""
    env = {**os.environ, "STUDYAWS_HOME": str(home)}
    env.pop("STUDYAWS_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "studyaws", "serve", "--port", str(port)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if "?token=" in line:
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert found.wait(30), "serve printed no address:\n" + "".join(lines)
        url = next(line.strip() for line in lines if "?token=" in line)
        yield url, lines
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        reader.join(5)


def review_rows(home: Path) -> int:
    with closing(sqlite3.connect(home / "studyaws.sqlite3")) as db:
        return db.execute("SELECT count(*) FROM review_log").fetchone()[0]


def whole_cell(length: float, measured: float) -> int:
    """The whole-pixel cell size near `measured` that `length` is a whole number of."""
    for size in sorted(range(int(measured) - 2, int(measured) + 3),
                       key=lambda n: abs(n - measured)):
        if size > 0 and abs(length / size - round(length / size)) < 0.01:
            return size
    raise AssertionError(f"no cell size near {measured} divides {length}")


class Terminal:
    """The app's terminal in the page: its cells' size, and taps at a cell."""

    def __init__(self, page):
        self.page = page
        box = page.locator(".xterm-screen").bounding_box()
        # The font's cell as the page measures it; xterm draws cells of whole pixels, so the
        # screen is a whole number of them.
        width, height = page.evaluate("""() => {
            const size = document.querySelector('#terminal').dataset.fontSize;
            const context = new OffscreenCanvas(1, 1).getContext('2d');
            context.font = `${size}px 'Roboto Mono'`;
            const m = context.measureText('W');
            return [m.width, m.fontBoundingBoxAscent + m.fontBoundingBoxDescent];
        }""")
        self.cell_w = whole_cell(box["width"], width)
        self.cell_h = whole_cell(box["height"], height)
        self.cols = round(box["width"] / self.cell_w)
        self.rows = round(box["height"] / self.cell_h)
        self.x, self.y = box["x"], box["y"]

    def tap(self, col: float, row: float) -> None:
        """A tap in the middle of the cell (col, row), counted from 0; negative rows count
        from the bottom."""
        if row < 0:
            row += self.rows
        self.page.mouse.click(self.x + (col + 0.5) * self.cell_w,
                              self.y + (row + 0.5) * self.cell_h)
        time.sleep(0.6)  # the app redraws; a button takes no second press for 0.2 s


def until(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def wait_for(condition, seconds: float, what: str) -> None:
    if not until(condition, seconds):
        raise AssertionError(f"timed out waiting for {what}")


def test_a_phone_answers_three_cards_by_tapping_and_no_token_gets_403(tmp_path):
    sync_playwright = browser_or_skip()
    home = tmp_path / "home"
    env = {**os.environ, "STUDYAWS_HOME": str(home)}
    env.pop("STUDYAWS_DB", None)
    subprocess.run([sys.executable, "-m", "studyaws", "import", "--bundled"], env=env,
                   check=True, capture_output=True, timeout=300)
    port = free_port()
    with served(home, port) as (url, lines), sync_playwright() as playwright:
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")
        token = url.split("token=", 1)[1]
        # A fresh profile: Playwright makes a new temporary user-data-dir for each launch.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=CHROMIUM_ARGS)
        try:
            # -- without the token: 403, nothing else, no websocket ---------------------------
            stranger = browser.new_context(viewport=PHONE)
            page = stranger.new_page()
            sockets: list[str] = []
            page.on("websocket", lambda ws: sockets.append(ws.url))
            response = page.goto(f"http://127.0.0.1:{port}/")
            assert response.status == 403
            assert page.content().count("<script") == 0
            assert page.inner_text("body").strip() == "403 Forbidden"
            wrong = page.goto(f"http://127.0.0.1:{port}/?token={token[:-2]}xx")
            assert wrong.status == 403
            time.sleep(1)
            assert sockets == []
            stranger.close()
            wait_for(lambda: sum("refused GET /" in line for line in lines) >= 2, 10,
                     "the refusals in the log")
            assert not any(token in line for line in lines if "refused" in line)

            # -- with the token: the app, on a phone's screen ---------------------------------
            phone = browser.new_context(viewport=PHONE, has_touch=False)
            page = phone.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.on("websocket", lambda ws: sockets.append(ws.url))
            response = page.goto(url)
            assert response.status == 200
            page.wait_for_selector("body.-first-byte", timeout=30_000)
            assert sockets and sockets[0].startswith(f"ws://127.0.0.1:{port}/ws")
            assert "token" not in page.url  # out of the address bar once in the cookie
            assert all(r.startswith(f"http://127.0.0.1:{port}/") for r in requests), requests
            cookie = next(c for c in phone.cookies() if c["name"] == "studyaws_token")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            time.sleep(3)  # home reads its numbers
            terminal = Terminal(page)
            assert 36 <= terminal.cols <= 44, terminal.cols
            assert review_rows(home) == 0

            terminal.tap(3, -1)  # the footer's first key: r Review all
            time.sleep(2)
            # The touch bars sit above the footer: the steps (three rows), then a line.
            steps_row = -4  # the middle row of the steps bar
            for answered in range(1, 4):
                terminal.tap(terminal.cols // 2, steps_row)  # Show answer (the whole row)
                time.sleep(0.5)
                # Good, the third of four; again if a slow machine drew the answer late
                # (a tap on Show answer then only shows it)
                for _ in range(3):
                    terminal.tap(terminal.cols * 5 // 8, steps_row)
                    if until(lambda n=answered: review_rows(home) >= n, 8):
                        break
                assert review_rows(home) == answered
            with closing(sqlite3.connect(home / "studyaws.sqlite3")) as db:
                ratings = [row[0] for row in db.execute("SELECT rating FROM review_log")]
            assert ratings == [3, 3, 3]  # Good, tapped three times
            terminal.tap(terminal.cols // 2, steps_row)  # the next card's answer shows
            page.mouse.move(terminal.x + 1, terminal.y + terminal.cell_h * 6)  # off the buttons
            time.sleep(1)
            page.screenshot(path=str(tmp_path / "serve-review-phone.png"))
            if os.environ.get("STUDYAWS_SCREENSHOT_DIR"):
                shutil.copy(tmp_path / "serve-review-phone.png",
                            Path(os.environ["STUDYAWS_SCREENSHOT_DIR"]))
            phone.close()
        finally:
            browser.close()
