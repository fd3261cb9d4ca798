"""The gate of `studyaws serve`: nothing is served to a browser that does not hold the
serve's secret token. The token comes once in the URL (`?token=...`), is compared in constant
time, and is then kept in an HttpOnly, SameSite=Strict cookie; a request with neither gets a
bare 403, and each refusal is logged (the address, the method and path: never the token).
An aiohttp middleware, tested on its own (tests/test_serve_guard.py)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

COOKIE = "studyaws_token"
TOKEN_MIN_LENGTH = 16
log = logging.getLogger("studyaws.serve")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeError(Exception):
    """A serve that cannot start as asked (one line for the user)."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def read_token(path: Path) -> str:
    """The token in `path` (its first line); a file that does not exist yet is made with a new
    token, readable by its owner only, so the address stays the same from one serve to the
    next."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        token = new_token()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as file:
                path.chmod(0o600)
                file.write(token + "\n")
        except OSError as exc:
            raise ServeError(f"{path}: cannot write a new token there "
                             f"({exc.strerror or exc}); give another --token-file") from exc
        return token
    except (OSError, UnicodeDecodeError) as exc:
        raise ServeError(f"{path}: cannot read the token ({getattr(exc, 'strerror', None) or exc})"
                         "; give a readable --token-file") from exc
    lines = text.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if len(token) < TOKEN_MIN_LENGTH or not token.isprintable() or " " in token:
        raise ServeError(f"{path}: the token must be one line of at least {TOKEN_MIN_LENGTH} "
                         "characters without spaces (remove the file for a new one)")
    return token


def is_loopback(host: str) -> bool:
    """Only this machine can reach `host`: localhost or an address in 127.0.0.0/8 or ::1."""
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """A serve on anything but loopback without a token is refused: the collection would be
    open to the network."""
    if not token and not is_loopback(host):
        raise ServeError(f"--host {host}: serving beyond this machine needs a token "
                         "(none was given)")


def token_guard(token: str, *, secure: bool = False) -> Callable:
    """The middleware: a request passes with the token in its `token` query parameter (which
    also sets the cookie) or in the cookie; any other gets 403 and nothing else. `secure`
    marks the cookie Secure (a serve behind https)."""
    expected = token.encode("utf-8")

    def matches(given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8"), expected)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        in_query = request.query.get("token")
        if matches(in_query):
            response = await handler(request)
            if not response.prepared:  # a websocket's headers are long sent
                response.set_cookie(COOKIE, token, httponly=True, samesite="Strict",
                                    path="/", secure=secure)
                response.headers["Cache-Control"] = "no-store"
                response.headers["Referrer-Policy"] = "no-referrer"
            return response
        if matches(request.cookies.get(COOKIE)):
            response = await handler(request)
            if not response.prepared:
                response.headers.setdefault("Referrer-Policy", "no-referrer")
            return response
        why = "a wrong token" if in_query is not None or COOKIE in request.cookies \
            else "no token"
        log.warning("refused %s %s from %s: %s", request.method, request.path,
                    request.remote or "?", why)
        return web.Response(status=403, text="403 Forbidden\n")

    return guard
