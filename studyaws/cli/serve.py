"""`studyaws serve`: the app in a browser (a phone's, say), through textual-serve. Each page
that connects runs its own app process (studyaws.cli.served_app) on the same collection, in
served mode: no import beyond --import-root, no screenshots or editors, touch buttons.

Only those who hold the serve's token get in (studyaws.cli.serve_guard). textual-serve and
aiohttp are imported here only, when the command runs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from studyaws.core.text import printable

PAGE = Path(__file__).parent / "serve_page"


def served_app_command(home: Path, import_root: Path | None) -> str:
    """The shell command textual-serve runs for each page: the app in served mode. A
    PostgreSQL URL goes to it in STUDYAWS_DB, not on a command line others can list."""
    words = [sys.executable, "-m", "studyaws.cli.served_app", "--home", str(home)]
    if import_root is not None:
        words += ["--import-root", str(import_root)]
    return shlex.join(words)


def address_for(host: str, port: int) -> str:
    """The address to open: the host as given, or, for a serve on every interface, this
    machine's name."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(args: argparse.Namespace) -> int:
    from studyaws.cli.serve_guard import ServeError, check_bind, new_token, read_token
    from studyaws.core.config import data_home

    try:
        if not 0 < args.port < 65536:
            raise ServeError(f"--port {args.port}: give a port from 1 to 65535")
        public_url = (args.public_url or "").rstrip("/") or None
        if public_url is not None:
            parts = urlsplit(public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ServeError(f"--public-url {args.public_url}: give an http:// or "
                                 "https:// address, e.g. https://study.example.org")
        import_root = None
        if args.import_root is not None:
            import_root = Path(args.import_root).expanduser().resolve()
            if not import_root.is_dir():
                raise ServeError(f"--import-root {args.import_root}: no such folder")
        token = read_token(Path(args.token_file).expanduser()) if args.token_file \
            else new_token()
        check_bind(args.host, token)
    except ServeError as exc:
        print(printable(f"studyaws serve: {exc}"), file=sys.stderr)
        return 2
    home = data_home(args.home).resolve()
    if args.db:
        os.environ["STUDYAWS_DB"] = args.db  # each page's app inherits it
    server = StudyServer(served_app_command(home, import_root), host=args.host,
                         port=args.port, public_url=public_url, token=token)
    base = public_url or address_for(args.host, args.port)
    try:
        server.run(ready=lambda: print(
            f"studyaws: serving the app (data folder {printable(str(home))}).\n"
            f"Open this address in a browser; it holds the secret token, so keep it private:\n"
            f"  {base}/?token={token}\n"
            "Ctrl+C stops the server.", flush=True))
    except OSError as exc:  # the port taken, an address not on this machine
        print(printable(f"studyaws serve: cannot listen on {args.host}:{args.port}: "
                        f"{exc.strerror or exc}"), file=sys.stderr)
        return 2
    return 0


def _server_class():
    """textual-serve's Server with the token gate, a page of our own (every file it loads
    from this server) and no access log (its lines would hold the token)."""
    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.server import Server, to_int

    from studyaws.cli.serve_guard import token_guard

    class _StudyServer(Server):
        def __init__(self, command: str, *, host: str, port: int, public_url: str | None,
                     token: str):
            super().__init__(command, host=host, port=port, title="studyaws",
                             public_url=public_url, templates_path=PAGE)
            self.given_public_url = public_url
            self.token = token
            self.ready: Any = None

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            secure = (self.given_public_url or "").startswith("https:")
            app.middlewares.append(token_guard(self.token, secure=secure))
            return app

        async def on_startup(self, app: web.Application) -> None:
            pass  # the address is said once the socket listens (run)

        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request: web.Request) -> dict[str, Any]:
            if self.given_public_url is not None:
                base = self.given_public_url
            else:  # the address the browser used: a phone reaches this machine by its own
                base = f"{request.scheme}://{request.host}"
            socket_base = "wss" + base[5:] if base.startswith("https") else "ws" + base[4:]
            return {
                "title": "studyaws",
                "static_url": "static/" if self.given_public_url is None
                else f"{base}/static/",
                "websocket_url": f"{socket_base}/ws",
                "font_size": max(8, min(40, to_int(request.query.get("fontsize", "16"), 16))),
            }

        def run(self, ready) -> None:
            """Listen, then call `ready()`; until Ctrl+C or SIGTERM. A socket that cannot
            listen raises OSError before anything is said."""
            logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                                format="%(asctime)s studyaws serve: %(message)s",
                                datefmt="%H:%M:%S")
            asyncio.run(self._serve(ready))

        async def _serve(self, ready) -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            # No access log: its lines would hold the token of the first request.
            runner = web.AppRunner(await self._make_app(), access_log=None,
                                   handle_signals=False)
            await runner.setup()
            try:
                await web.TCPSite(runner, self.host, self.port).start()
                ready()
                await stop.wait()
            finally:
                await runner.cleanup()

    return _StudyServer


def StudyServer(command: str, **kwargs) -> Any:  # noqa: N802 (a class made on first use)
    return _server_class()(command, **kwargs)
