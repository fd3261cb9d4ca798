"""A module of this package run as a process of its own (`python -m`), found where this
process found the package, whatever the current folder or an installation's path."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path


def start(module: str) -> subprocess.Popen:
    """`python -m module`, its standard streams piped to this process."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


class Started:
    """`python -m module` started at once and handed `given` (chunks of bytes) on its
    standard input, which is then closed; what it writes to its standard output is read
    back once it ends."""

    def __init__(self, module: str, given: Iterable[bytes]):
        self.process = start(module)
        stdin, self.process.stdin = self.process.stdin, None  # written here, then closed
        with contextlib.suppress(OSError), stdin:  # OSError: it died at once, output() says so
            for chunk in given:
                stdin.write(chunk)

    def output(self) -> bytes | None:
        """Its standard output once it ends; None if it failed."""
        out, _ = self.process.communicate()
        return out if self.process.returncode == 0 else None

    def stop(self) -> None:
        """End the process (its result is not wanted, or was read)."""
        if self.process.returncode is None:
            self.process.kill()
            self.process.communicate()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
