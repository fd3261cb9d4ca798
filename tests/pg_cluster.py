"""A throwaway PostgreSQL cluster for the tests: `initdb` and `pg_ctl` of the machine's
PostgreSQL server, on a free loopback port, in a temporary folder that is removed at the end.

As root (CI), the server runs as the unprivileged user `nobody` (PostgreSQL refuses to run as
root). Its superuser is `studyaws` with password PASSWORD over TCP (scram-sha-256), so that a
wrong password can be tested. Durability is off (fsync, full page writes) unless `durable`
(the benchmark's): it is thrown away.

    python tests/pg_cluster.py      starts one, prints its URL, and stops it on Enter
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "studyaws"
PASSWORD = "throwaway-test-password"


def server_bin() -> Path | None:
    """The folder of initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/N/bin,
    else wherever they are on PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, durable: bool = False) -> None:
        self.durable = durable  # fsync and synchronous commits on, as a real server (bench/)
        self.bin = server_bin()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL server found (apt-get install postgresql, or "
                               "set PG_BIN to the folder of initdb and pg_ctl)")
        self.root = Path(tempfile.mkdtemp(prefix="studyaws-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.running = False
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "nobody", "--"]
            shutil.chown(self.root, "nobody")
        os.chmod(self.root, 0o700)

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._as, *args], capture_output=True, text=True,
                                cwd=self.root, stdin=subprocess.DEVNULL, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stdout}{result.stderr}")

    def start(self) -> Cluster:
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as:
            shutil.chown(pwfile, "nobody")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER,
                  f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=200 -c shared_buffers="
                   + ("128MB" if self.durable else
                      "32MB -c fsync=off -c full_page_writes=off -c synchronous_commit=off"))
        atexit.register(self.stop)  # whatever happens to the caller
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-o", options, "-w", "start")
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self.running = False
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                          "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


if __name__ == "__main__":
    with Cluster() as cluster:
        print(cluster.url, flush=True)
        with contextlib.suppress(EOFError, KeyboardInterrupt):
            input("Enter stops it. ")
