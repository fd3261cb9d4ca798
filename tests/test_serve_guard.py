"""The gate of `studyaws serve` on its own: a small aiohttp app behind the token middleware,
on a real loopback socket; and the rules for tokens and the address to listen on."""

from __future__ import annotations

import logging
import stat

import pytest
from aiohttp import ClientSession, CookieJar, WSServerHandshakeError, web
from aiohttp.test_utils import TestServer

from studyaws.cli.serve_guard import (
    COOKIE,
    ServeError,
    check_bind,
    is_loopback,
    read_token,
    token_guard,
)

TOKEN = "s3cret-token-of-enough-length"


async def page(request: web.Request) -> web.Response:
    return web.Response(text="the page")


async def socket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str("hello")
    await ws.close()
    return ws


def guarded_app() -> web.Application:
    app = web.Application(middlewares=[token_guard(TOKEN)])
    app.add_routes([web.get("/", page), web.get("/ws", socket),
                    web.get("/static/{name}", page)])
    return app


@pytest.fixture
async def server():
    server = TestServer(guarded_app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def test_without_the_token_every_path_is_403_and_nothing_else(server, caplog):
    caplog.set_level(logging.WARNING, logger="studyaws.serve")
    async with ClientSession() as client:
        for path in ("/", "/static/textual.js", "/nowhere", "/?token=wrong"):
            async with client.get(server.make_url(path)) as response:
                assert response.status == 403
                assert await response.text() == "403 Forbidden\n"
                assert COOKIE not in response.cookies
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect(server.make_url("/ws"))
        assert refused.value.status == 403
    said = [r.getMessage() for r in caplog.records]
    assert any("refused GET / from 127.0.0.1: no token" in line for line in said)
    assert any("a wrong token" in line for line in said)
    assert not any("wrong" in line and TOKEN in line for line in said)  # never the token


async def test_the_token_once_in_the_url_then_the_cookie(server):
    # unsafe: the jar keeps cookies of an IP address (127.0.0.1), as browsers do
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
        async with client.get(server.make_url(f"/?token={TOKEN}")) as response:
            assert response.status == 200 and await response.text() == "the page"
            cookie = response.cookies[COOKIE]
            assert cookie.value == TOKEN
            assert cookie["httponly"] is True
            assert cookie["samesite"] == "Strict"
            assert response.headers["Referrer-Policy"] == "no-referrer"
        # the cookie alone lets the page, its files and its websocket in
        async with client.get(server.make_url("/static/textual.js")) as response:
            assert response.status == 200
        ws = await client.ws_connect(server.make_url("/ws"))
        assert (await ws.receive_str()) == "hello"
        await ws.close()


async def test_a_wrong_cookie_is_refused(server):
    async with ClientSession() as client:
        for value, status in ((TOKEN[:-1] + "x", 403), ("", 403), (TOKEN, 200)):
            headers = {"Cookie": f"{COOKIE}={value}"}
            async with client.get(server.make_url("/"), headers=headers) as response:
                assert response.status == status


def test_loopback_only_without_a_token():
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert is_loopback(host)
        check_bind(host, None)
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        assert not is_loopback(host)
        with pytest.raises(ServeError, match="needs a token"):
            check_bind(host, "")
        check_bind(host, TOKEN)


def test_a_token_file_is_made_once_then_read(tmp_path):
    path = tmp_path / "token"
    first = read_token(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token(path) == first
    path.write_text("short\n", encoding="utf-8")
    with pytest.raises(ServeError, match="at least 16"):
        read_token(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(ServeError):
        read_token(path)
