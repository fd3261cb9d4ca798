"""A loopback TCP relay between the app and a PostgreSQL server, to make network faults
happen for real: the server goes out of reach (new connections are cut at once), or the
connection is cut right after the client sends COMMIT, before the server's reply reaches
it (the commit happened; the client cannot know). It also counts the round trips that go
through it (bench/pg_bench.py)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit


class Relay:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._target = (parts.hostname, parts.port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        port = self._listener.getsockname()[1]
        self.url = urlunsplit(parts._replace(netloc=parts.netloc.replace(
            f":{parts.port}", f":{port}")))
        self.reachable = True
        self.cut_after_commit = False  # once: set back to False when it cuts
        self.cuts = 0
        # Round trips: the times the server answered after the client had sent something
        # (a reply that comes in several pieces is one; a batch of statements sent before
        # their reply, as psycopg's pipeline sends them, is one).
        self.round_trips = 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.reachable:
                client.close()
                continue
            server = socket.create_connection(self._target)
            with self._lock:
                self._sockets += [client, server]
            pair = (client, server)
            held: dict[str, bool] = {"replies": False, "asked": False}
            threading.Thread(target=self._pump, args=(client, server, pair, held, True),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, pair, held, False),
                             daemon=True).start()

    def _pump(self, source, sink, pair, held, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                if not from_client and held["replies"]:
                    continue  # the reply to COMMIT (and anything after it) is lost
                commit = from_client and self.cut_after_commit and b"COMMIT" in data
                if commit:
                    self.cut_after_commit = False
                    held["replies"] = True
                if from_client:
                    held["asked"] = True  # before the server can see it
                elif held["asked"]:
                    held["asked"] = False  # before the client can see the reply
                    self.round_trips += 1
                sink.sendall(data)
                if commit:
                    time.sleep(0.5)  # the server commits; its reply is never relayed
                    self._cut(pair)
                    return
        except OSError:
            pass
        self._cut(pair)

    def _cut(self, pair) -> None:
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        self.cuts += 1

    def cut_all(self) -> None:
        """Every open connection through the relay is cut."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.cut_all()
