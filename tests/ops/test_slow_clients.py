"""Slow clients (issue 17: with 2 sync workers, 2 connections trickling a header every 5 s
left every other reader unanswered for 30 s; with gthread workers, 200 such connections
held all 32 threads). `sheaf serve` runs web/serving.py's worker: a request is read whole
on the worker's event loop before it gets a thread, and one not complete within
``serve_read_timeout`` is answered 408 and dropped. A real server, 200 real connections
that trickle their headers, and a reader who must still be answered within 2 s."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import urllib.request

import pytest

from ..support import FIXTURES, running_server
from .helpers import build_home, set_setting

# a reader must be answered within 2 s: on a machine of its own
pytestmark = [pytest.mark.slow, pytest.mark.solo]

SLOW = 200   # more than serve_workers x serve_threads (2 x 16)


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


def test_two_hundred_slow_clients_do_not_keep_a_reader_waiting(tmp_path):
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


def test_a_request_not_sent_within_the_read_timeout_is_answered_408(tmp_path):
    home = build_home(tmp_path / "home", {"lc": ("LC", FIXTURES / "multilingual_lc_50.mrc")})
    set_setting(home, "serve_read_timeout", 2)
    with running_server(home, tmp_path, workers=1) as base:
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /?q=china HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            for n in range(8):              # a header a second, never the blank line
                time.sleep(0.5)
                try:
                    sock.sendall(f"X-Slow-{n}: a\r\n".encode())
                except OSError:
                    break
            answer = sock.recv(200)
            took = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert 1.5 < took < 6, took
        # a whole request sent in pieces within the time, body included, is answered
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            body = b"operation=searchRetrieve&version=1.2&query=china&maximumRecords=1"
            for piece in (b"POST /sru HTTP/1.1\r\nHost: x\r\n",
                          b"Content-Type: application/x-www-form-urlencoded\r\n",
                          b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body),
                          body[:20], body[20:]):
                sock.sendall(piece)
                time.sleep(0.2)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
        assert b"numberOfRecords>" in answer and b"numberOfRecords>0<" not in answer
        # bodies a client could trickle for ever are refused at once, before any thread
        for head, status in ((b"Content-Length: 5000000", b"413"),
                             (b"Transfer-Encoding: chunked", b"411")):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(b"POST /sru HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n\r\nab")
                assert sock.recv(200).startswith(b"HTTP/1.1 " + status + b" "), head
