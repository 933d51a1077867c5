"""The gunicorn worker ``sheaf serve`` runs: threads for requests, none for waiting.

gunicorn's gthread worker gives a connection a thread as soon as its first bytes
arrive, and the thread then blocks until the request is complete. A client that
trickles its headers (a "slowloris") holds that thread for as long as it likes,
so as many slow clients as there are threads (``serve_workers`` × ``serve_threads``)
leave every reader unanswered (issue 17: 200 of them did).

:class:`WholeRequestWorker` reads a request on the worker's event loop instead,
without a thread, the way a buffering proxy does: the head up to its blank line and a
body up to its ``Content-Length`` (a longer body than :data:`MAX_BODY` is a 413, a
chunked one a 411). Only a complete request is handed to a thread,
with its bytes given back to gunicorn's parser, so a thread is only ever busy
answering. A client that has not sent its whole request within
``serve_read_timeout`` seconds (``SHEAF_READ_TIMEOUT``, set by ``sheaf serve``) is
answered 408 and dropped; the worker's ``worker_connections`` bound how many may
wait at once. TLS connections (gunicorn's own ``--certfile``) are left to gthread's
own path, since their bytes can only be read after a handshake.
"""

from __future__ import annotations

import os
import re
import selectors
import time
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

READ_TIMEOUT_ENV = "SHEAF_READ_TIMEOUT"
DEFAULT_READ_TIMEOUT = 10.0
# a head longer than this is handed on as it is: gunicorn's parser refuses it (its limits)
MAX_HEAD = 64 * 1024
# a body longer than this is read by the thread (the site takes no uploads)
MAX_BODY = 1 << 20
_END_OF_HEAD = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d{1,12})[ \t]*\r\n", re.I)
# a client that waits for "100 Continue" before its body: the thread answers it
_EXPECT = re.compile(rb"\r\nexpect:[ \t]*100-continue", re.I)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.I)


def read_timeout() -> float:
    try:
        return max(0.5, float(os.environ.get(READ_TIMEOUT_ENV, DEFAULT_READ_TIMEOUT)))
    except ValueError:
        return DEFAULT_READ_TIMEOUT


def complete(data: bytes) -> bool:
    """Whether ``data`` holds a whole request head, and its body when it has one (or is
    past the sizes the thread should read or refuse itself)."""
    end = data.find(_END_OF_HEAD)
    if end < 0:
        return len(data) > MAX_HEAD
    length = _CONTENT_LENGTH.search(data[:end + 2])
    if not length or _EXPECT.search(data[:end + 2]):
        return True
    wanted = int(length.group(1))
    return wanted > MAX_BODY or len(data) - end - len(_END_OF_HEAD) >= wanted


def refusal(data: bytes) -> bytes | None:
    """The answer to a whole head whose body no thread should wait for: longer than
    :data:`MAX_BODY` (413), or of no stated length (a chunked body, 411), since a
    client could trickle either; the site takes no uploads."""
    end = data.find(_END_OF_HEAD)
    if end < 0:
        return None
    head = data[:end + 2]
    length = _CONTENT_LENGTH.search(head)
    if length and int(length.group(1)) > MAX_BODY:
        return _answer(b"413 Content Too Large")
    if _CHUNKED.search(head):
        return _answer(b"411 Length Required")
    return None


def _answer(status: bytes) -> bytes:
    return (b"HTTP/1.1 " + status + b"\r\nConnection: close\r\nContent-Length: 0\r\n"
            b"Content-Type: text/plain\r\n\r\n")


class WholeRequestWorker(ThreadWorker):
    """gthread, with each request read whole on the event loop before it gets a thread."""

    def init_process(self):
        self.timeout_seconds = read_timeout()
        self.reading = {}   # conn -> (bytes so far, deadline)
        super().init_process()

    def enqueue_req(self, conn):
        """Every way a request reaches a thread (accepted, kept alive, deferred) comes
        here: a request already read whole goes on, any other is read first."""
        if self.cfg.is_ssl:
            return super().enqueue_req(conn)
        buffered = conn.parser.unreader.buf.getvalue() if conn.parser is not None else b""
        if buffered and complete(buffered):
            return super().enqueue_req(conn)
        conn.sock.setblocking(False)
        self.reading[conn] = (buffered, time.monotonic() + self.timeout_seconds)
        if conn.parser is not None:
            conn.parser.unreader.buf.seek(0)
            conn.parser.unreader.buf.truncate()
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))

    def _readable(self, conn, _sock):
        data, deadline = self.reading[conn]
        try:
            chunk = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:                       # the client went away
            self._drop(conn)
            return
        data += chunk
        if not complete(data):
            self.reading[conn] = (data, deadline)
            return
        refused = refusal(data)
        if refused:
            self._drop(conn, refused)
            return
        del self.reading[conn]
        self.poller.unregister(conn.sock)
        conn.init()                         # the parser (no TLS here: nothing is read)
        conn.parser.unreader.unread(data)
        conn.data_ready = True
        super().enqueue_req(conn)

    def _drop(self, conn, answer: bytes = b"") -> None:
        self.reading.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (OSError, KeyError, ValueError):
            pass
        if answer:
            try:
                conn.sock.send(answer)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """gthread's own clean-up, then the requests still unread at their deadline."""
        super().murder_pending()
        now = time.monotonic()
        for conn, (_data, deadline) in list(self.reading.items()):
            if deadline <= now or not self.alive:
                self._drop(conn, _answer(b"408 Request Timeout"))
