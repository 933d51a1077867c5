"""Peers for the OAI-PMH tests, all on 127.0.0.1 at free ports.

* :class:`ReplayServer` — ``http.server`` in a thread answering from a
  script of recorded real responses and faults (503 with or without
  Retry-After, dropped connections, hangs, truncated bodies ...), and
  logging every request it gets.
* :class:`Catalog` and :func:`pyoai_server` — a real OAI-PMH repository that
  we did not write (pyoai's server, ``tests/harvest/pyoai_server.py``) run as
  a process over a SQLite catalog the test edits between harvests.
* :class:`Waits` — the sleep/clock injected into the client: it records the
  waits the retry policy asks for instead of sleeping.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pymarc
from lxml import etree

from ..support import FIXTURES

OAI_FIXTURES = FIXTURES / "oai"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def fixture(name: str) -> bytes:
    return (OAI_FIXTURES / name).read_bytes()


def token_of(name: str) -> str | None:
    """The resumptionToken a fixture page hands out (read with a plain parser, not Sheaf's)."""
    root = etree.fromstring(fixture(name))
    node = root.find(".//{*}resumptionToken")
    return node.text.strip() if node is not None and node.text and node.text.strip() else None


# -- replayed responses and faults ------------------------------------------

@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)


@dataclass
class Drop:
    """Close the connection without answering."""


@dataclass
class Hang:
    """Say nothing for ``seconds`` (longer than the client's timeout), then close."""
    seconds: float = 1.0


@dataclass
class Truncate:
    """Announce the whole body in Content-Length, send only ``keep`` bytes, close."""
    body: bytes
    keep: int


class ReplayServer:
    """``route(replies, **params)``: requests whose query has these params get the
    replies in order (the last one repeats). Unmatched requests get a 404."""

    def __init__(self):
        self.routes: list[tuple[dict, list, list]] = []
        self.requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                query = urllib.parse.urlsplit(self.path).query
                params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
                with outer.lock:
                    outer.requests.append(params)
                    reply = outer._next(params)
                outer._answer(self, reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/oai"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def route(self, replies, **params) -> "ReplayServer":
        replies = replies if isinstance(replies, list) else [replies]
        self.routes.append((params, replies, [0]))
        return self

    def _next(self, params):
        for match, replies, used in self.routes:
            if all(params.get(k) == v for k, v in match.items()):
                reply = replies[min(used[0], len(replies) - 1)]
                used[0] += 1
                return reply
        return Reply(b"no route", status=404)

    @staticmethod
    def _answer(handler, reply) -> None:
        if isinstance(reply, Drop):
            handler.close_connection = True
            return
        if isinstance(reply, Hang):
            time.sleep(reply.seconds)
            handler.close_connection = True
            return
        body = reply.body if isinstance(reply, Reply) else reply.body[:reply.keep]
        full = len(reply.body)
        handler.send_response(reply.status if isinstance(reply, Reply) else 200)
        handler.send_header("Content-Type", "text/xml; charset=utf-8")
        handler.send_header("Content-Length", str(full))
        for name, value in (reply.headers.items() if isinstance(reply, Reply) else ()):
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        if isinstance(reply, Truncate):
            handler.close_connection = True

    def verbs(self) -> list[str]:
        return [r.get("verb", "") for r in self.requests]

    def __enter__(self) -> "ReplayServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Waits:
    """Injected ``sleep`` and ``clock``: waits are recorded, time stands still at ``now``."""

    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def clock(self) -> float:
        return self.now


# -- a real repository: pyoai's server over a catalog we edit ----------------

def utc_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def marcxml_records(path: Path) -> list[tuple[str, bytes]]:
    """(001, MARCXML record bytes) for every record of an ISO 2709 fixture, made by pymarc."""
    out = []
    with open(path, "rb") as fh:
        for record in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True):
            out.append((record["001"].data.strip(), pymarc.record_to_xml(record, namespace=True)))
    return out


def alma_records() -> list[tuple[str, bytes]]:
    """The 100 MARCXML records of the recorded Alma page, as (001, record bytes)."""
    root = etree.fromstring(fixture("alma_marc21_list_records_100.xml"))
    marc = "{http://www.loc.gov/MARC21/slim}"
    return [(rec.findtext(f"{marc}controlfield[@tag='001']"), etree.tostring(rec))
            for rec in root.iter(f"{marc}record")]


class Catalog:
    """The repository's content: what pyoai's server publishes, read on every request."""

    SCHEMA = """CREATE TABLE IF NOT EXISTS records (identifier TEXT PRIMARY KEY,
        datestamp TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, sets TEXT NOT NULL DEFAULT '',
        xml BLOB)"""

    def __init__(self, path: Path):
        self.path = Path(path)
        with self._db() as db:
            db.execute(self.SCHEMA)

    def _db(self):
        return sqlite3.connect(self.path, timeout=30)

    def put(self, identifier: str, xml: bytes, sets: str = "", datestamp: str | None = None):
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, 0, ?, ?)",
                       (identifier, datestamp or utc_stamp(), sets, xml))

    def delete(self, identifier: str, datestamp: str | None = None):
        with self._db() as db:
            db.execute("UPDATE records SET deleted=1, xml=NULL, datestamp=? WHERE identifier=?",
                       (datestamp or utc_stamp(), identifier))

    def forget(self, identifier: str):
        """Remove a record without a trace (as servers with deletedRecord=no do)."""
        with self._db() as db:
            db.execute("DELETE FROM records WHERE identifier=?", (identifier,))

    def live(self) -> dict[str, bytes]:
        with self._db() as db:
            return dict(db.execute("SELECT identifier, xml FROM records WHERE deleted=0"))


@contextmanager
def pyoai_server(catalog: Catalog, *, batch: int = 10, delay: float = 0.0,
                 deleted_record: str = "persistent", break_list_records: bool = False):
    """Run pyoai's OAI-PMH server over ``catalog``; yields (base URL, request log path)."""
    log = catalog.path.with_suffix(".requests")
    log.write_text("")
    cmd = [sys.executable, str(HERE / "pyoai_server.py"), str(catalog.path), "--batch", str(batch),
           "--delay", str(delay), "--deleted-record", deleted_record, "--log", str(log)]
    if break_list_records:
        cmd.append("--break-list-records")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"pyoai server did not start: {line}{proc.stderr.read()}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/oai", log
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def canonical(xml: bytes, *, blank_text: bool = True) -> bytes:
    """Exclusive C14N of an element: equal for the same XML however it was serialised.

    ``blank_text=False`` also ignores whitespace-only text between elements
    (pyoai's server pretty-prints what it sends).
    """
    parser = etree.XMLParser(remove_blank_text=not blank_text)
    return etree.tostring(etree.fromstring(xml, parser), method="c14n", exclusive=True)
