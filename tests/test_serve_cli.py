"""`studyaws serve` as a command: what it refuses (one line, exit 2, no address said), the one
address it prints, the folder it serves, and a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import closing

import pytest
from test_serve_browser import free_port

pytestmark = [pytest.mark.slow]


def run(tmp_path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    env = {**os.environ, "STUDYAWS_HOME": str(tmp_path / "home")}
    env.pop("STUDYAWS_DB", None)
    return subprocess.run([sys.executable, "-m", "studyaws", "serve", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(("args", "said"), [
    (["--import-root", "/no/such/folder"], "--import-root /no/such/folder: no such folder"),
    (["--public-url", "ftp://x"], "--public-url ftp://x: give an http:// or https://"),
    (["--port", "70000"], "--port 70000: give a port from 1 to 65535"),
])
def test_bad_arguments_are_one_line_and_nothing_listens(tmp_path, args, said):
    done = run(tmp_path, *args)
    assert done.returncode == 2
    assert done.stderr.startswith(f"studyaws serve: {said}")
    assert len(done.stderr.strip().splitlines()) == 1 and "token=" not in done.stdout


def test_a_short_token_file_is_refused(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("short\n", encoding="utf-8")
    done = run(tmp_path, "--token-file", str(token_file))
    assert done.returncode == 2 and "at least 16 characters" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_port_in_use_is_said_before_any_address(tmp_path):
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = run(tmp_path, "--port", str(taken.getsockname()[1]))
    assert done.returncode == 2
    assert "cannot listen on 127.0.0.1" in done.stderr and "token=" not in done.stdout


def test_the_token_file_address_and_a_clean_stop(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("a-token-kept-from-serve-to-serve\n", encoding="utf-8")
    port = free_port()
    env = {**os.environ, "STUDYAWS_HOME": str(tmp_path / "home")}
    env.pop("STUDYAWS_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "studyaws", "serve", "--port", str(port), "--token-file",
         str(token_file)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not any("?token=" in line for line in lines):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        address = f"http://127.0.0.1:{port}/?token=a-token-kept-from-serve-to-serve"
        assert [line.strip() for line in lines if "token=" in line] == [address]
        with urllib.request.urlopen(address, timeout=10) as page:
            body = page.read().decode()
        assert "textual-terminal" in body and f"ws://127.0.0.1:{port}/ws" in body
        assert "https://" not in body  # nothing from elsewhere
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/textual.js", timeout=10)
        assert refused.value.code == 403
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
