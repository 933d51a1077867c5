"""Slow clients (issue 17: with 2 sync workers, 2 connections trickling a header every 5 s
left every other reader unanswered for 30 s). `sheaf serve` runs gthread workers: a slow
client holds one thread. A real server, 20 real connections that trickle their headers,
and a reader who must still be answered within 2 s."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import urllib.request

import pytest

from ..support import FIXTURES, running_server
from .helpers import build_home

pytestmark = pytest.mark.slow

SLOW = 20


def trickle(base: str, stop: threading.Event, opened: list) -> None:
    """Open SLOW connections that send a request line and then one header a second."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    socks = []
    for _ in range(SLOW):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /?q=china HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)
    opened.extend(socks)
    n = 0
    while not stop.wait(1.0):
        n += 1
        for sock in socks:
            try:
                sock.sendall(f"X-Slow-{n}: still typing\r\n".encode())
            except OSError:
                pass
    for sock in socks:
        sock.close()


def test_twenty_slow_clients_do_not_keep_a_reader_waiting(tmp_path):
    home = build_home(tmp_path / "home", {"lc": ("LC", FIXTURES / "multilingual_lc_50.mrc")})
    with running_server(home, tmp_path, workers=2) as base:
        for _ in range(4):   # each worker's first search loads the dictionaries: not timed
            with urllib.request.urlopen(f"{base}/api/search?q=china", timeout=60) as r:
                assert r.status == 200
        stop, opened = threading.Event(), []
        slow = threading.Thread(target=trickle, args=(base, stop, opened), daemon=True)
        slow.start()
        try:
            deadline = time.monotonic() + 10
            while len(opened) < SLOW and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(opened) == SLOW
            time.sleep(1.5)       # the slow requests have reached the workers and hold them
            times = []
            for _ in range(3):
                started = time.monotonic()
                with urllib.request.urlopen(f"{base}/api/search?q=china", timeout=10) as r:
                    assert r.status == 200 and json.load(r)["total"] >= 1
                times.append(time.monotonic() - started)
            assert max(times) < 2.0, times
        finally:
            stop.set()
            slow.join(timeout=10)
