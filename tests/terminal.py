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
import time
from pathlib import Path


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
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.output.extend(chunk)

    def text(self) -> str:
        with self.lock:
            return self.output.decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared on screen; last output:\n"
                             f"{self.text()[-2000:]}")

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self._close()

    def _close(self) -> None:
        self.exited = True
        self.reader.join(2)  # what the program wrote last is still read
        os.close(self.fd)

    def wait_exit(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._close()
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        self.kill()
        raise AssertionError("the app did not exit")
