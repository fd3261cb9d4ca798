"""A module of this package run as a process of its own (`python -m`), found where this
process found the package, whatever the current folder or an installation's path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start(module: str) -> subprocess.Popen:
    """`python -m module`, its standard streams piped to this process."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
