"""The real `studyaws` command in a pseudo-terminal, its screen output collected as it comes."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
from pathlib import Path

from waiting import wait_until


def studyaws_command() -> list[str]:
    script = Path(sys.executable).with_name("studyaws")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studyaws"]


class Terminal:
    """A program running in a pseudo-terminal, its output collected as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], size=(40, 120)):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execvpe(args[0], args, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        self.output = bytearray()
        self.exited = False
        self.closed = False  # the program's end of the terminal is closed: no more output
        self.changed = threading.Condition()  # notified when output arrives or ends
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self.changed:
                self.output.extend(chunk)
                self.changed.notify_all()
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def text(self) -> str:
        with self.changed:
            return self.output.decode("utf-8", "replace")

    def mark(self) -> int:
        """Where the output is now: `wait_for(..., since=mark)` looks only at what comes after."""
        with self.changed:
            return len(self.output)

    def wait_for(self, needle: str, timeout: float = 20.0, since: int = 0) -> None:
        """Wait until `needle` is drawn (after byte `since` of the output)."""
        wanted = needle.encode()
        start = since

        def drawn() -> bool:
            nonlocal start
            if self.output.find(wanted, start) >= 0:
                return True
            start = max(start, len(self.output) - len(wanted) + 1)  # not searched again
            return self.closed

        with self.changed:
            self.changed.wait_for(drawn, timeout)
            if self.output.find(wanted, since) >= 0:
                return
        raise AssertionError(f"{needle!r} never appeared on screen; last output:\n"
                             f"{self.text()[-2000:]}")

    def send(self, keys: str, expect: str | None = None, timeout: float = 20.0) -> None:
        """Type `keys`; with `expect`, wait until that text is drawn after them."""
        since = self.mark()
        os.write(self.fd, keys.encode())
        if expect is not None:
            self.wait_for(expect, timeout, since)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self._close()

    def _close(self) -> None:
        self.exited = True
        self.reader.join(2)  # what the program wrote last is still read
        os.close(self.fd)

    def wait_exit(self, timeout: float = 10.0) -> int:
        def ended() -> tuple[int, int] | None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            return (pid, status) if pid else None

        try:
            _, status = wait_until(ended, timeout, "the app to exit")
        except AssertionError:
            self.kill()
            raise
        self._close()
        return os.waitstatus_to_exitcode(status)
