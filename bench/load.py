"""Load on a real ``sheaf serve``: concurrent readers, then the same with slow clients.

    python bench/load.py [--records 50000] [--readers 32] [--seconds 60]
                         [--slow 200] [--workers 2] [--trickle 5] [--seed 5]
                         [--sample 10] [--no-slow]

The home is bench/bench_search.py's, built the first time in ``--root``
(``/tmp/sheaf-bench-load/home-<records>x1``). ``sheaf serve`` starts on a free port
and, after a warm-up, two phases of ``--seconds`` each run:

1. ``--readers`` threads, each a reader with a kept-alive connection, loop over
   bench_search.py's query mix (title words, authors, subjects ...): the search page
   (``/?q=``, 60 %), the JSON API (``/api/search``, 25 %) and the record page of a
   hit (``/record/<id>``, 15 %);
2. the same readers while ``--slow`` connections trickle a request header every
   ``--trickle`` seconds and open a new connection whenever the server drops one
   (a slowloris).

Printed for each phase: requests, req/s, p50/p95/p99/max latency, errors (anything but
a 200, or no answer within 30 s), the slowest request, and for phase 2 how many slow
connections the server dropped, and the workers' memory (RSS) every ``--sample`` seconds;
then the workers' memory at the start and the end. ``--no-slow`` runs phase 1 only.
Numbers only; nothing asserts them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import sys
import threading
import time
import urllib.parse
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import build, query_mix  # noqa: E402
from tests.support import running_server  # noqa: E402

ANSWER_TIMEOUT = 30.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else 0.0


class Reader(threading.Thread):
    """One reader: a kept-alive connection, a query after the other until told to stop."""

    def __init__(self, base: str, queries: list[str], ids: list[str], seed: int,
                 stop: threading.Event):
        super().__init__(daemon=True)
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.queries, self.ids, self.stop = queries, ids, stop
        self.rng = random.Random(seed)
        self.times: list[float] = []
        self.errors: list[str] = []
        self.slowest = (0.0, "")
        self.conn = None

    def path(self) -> str:
        roll = self.rng.random()
        if roll < 0.15 and self.ids:
            return "/record/" + urllib.parse.quote(self.rng.choice(self.ids), safe=":")
        q = urllib.parse.quote(self.rng.choice(self.queries))
        return f"/api/search?q={q}" if roll < 0.40 else f"/?q={q}"

    def get(self, path: str) -> int:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port,
                                                   timeout=ANSWER_TIMEOUT)
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status
        except Exception:
            self.conn.close()
            self.conn = None
            raise

    def run(self) -> None:
        while not self.stop.is_set():
            path = self.path()
            started = time.perf_counter()
            try:
                status = self.get(path)
                if status != 200:
                    self.errors.append(f"{status} {path}")
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__} {path}")
            took = time.perf_counter() - started
            self.times.append(took)
            if took > self.slowest[0]:
                self.slowest = (took, path)
        if self.conn is not None:
            self.conn.close()


class Slowloris(threading.Thread):
    """``count`` connections that send a request line, then a header every ``every``
    seconds, never the blank line; a connection the server closes is opened again."""

    def __init__(self, base: str, count: int, every: float, stop: threading.Event):
        super().__init__(daemon=True)
        parts = urllib.parse.urlsplit(base)
        self.address = (parts.hostname, parts.port)
        self.count, self.every, self.stop = count, every, stop
        self.dropped = 0
        self.opened = 0

    def open(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(self.address, timeout=5)
            sock.sendall(b"GET /?q=history HTTP/1.1\r\nHost: bench\r\n")
            self.opened += 1
            return sock
        except OSError:
            return None

    @staticmethod
    def still_open(sock: socket.socket) -> bool:
        """Nothing came back: any answer (a 408) or an end means the server dropped it."""
        sock.setblocking(False)
        try:
            sock.recv(1024)
            return False
        except BlockingIOError:
            return True
        except OSError:
            return False
        finally:
            sock.setblocking(True)

    def run(self) -> None:
        socks = [self.open() for _ in range(self.count)]
        n = 0
        while not self.stop.wait(self.every):
            n += 1
            for i, sock in enumerate(socks):
                try:
                    if sock is not None and self.still_open(sock):
                        sock.sendall(f"X-Slow-{n}: a\r\n".encode())
                        continue
                except OSError:
                    pass
                if sock is not None:
                    sock.close()
                    self.dropped += 1
                socks[i] = self.open()
        for sock in socks:
            if sock is not None:
                sock.close()


def worker_rss(port: int) -> list[int]:
    """RSS (MiB) of the gunicorn workers serving ``port`` (the master's children)."""
    master = None
    procs = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            status = (proc / "status").read_text()
        except OSError:
            continue
        if b"gunicorn" not in cmd:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        procs[proc.name] = fields
        if f"127.0.0.1:{port}".encode() in cmd and b"--bind" in cmd:
            if fields["PPid"].strip() not in procs and master is None:
                master = proc.name
    workers = [f for pid, f in procs.items() if f["PPid"].strip() == master]
    return sorted(int(f["VmRSS"].split()[0]) // 1024 for f in workers if "VmRSS" in f)


def phase(name: str, base: str, args, queries, ids, slow: int) -> None:
    stop = threading.Event()
    readers = [Reader(base, queries, ids, args.seed * 1000 + i, stop)
               for i in range(args.readers)]
    loris = Slowloris(base, slow, args.trickle, stop) if slow else None
    if loris:
        loris.start()
        time.sleep(min(3.0, args.trickle))     # the slow connections are in
    started = time.perf_counter()
    for r in readers:
        r.start()
    port = urllib.parse.urlsplit(base).port
    memory = []                                 # (seconds into the phase, worker RSS)
    while (elapsed := time.perf_counter() - started) < args.seconds:
        memory.append((elapsed, worker_rss(port)))
        time.sleep(min(args.sample, max(0.0, args.seconds - elapsed)))
    memory.append((time.perf_counter() - started, worker_rss(port)))
    stop.set()
    for r in readers:
        r.join(timeout=ANSWER_TIMEOUT + 5)
    took = time.perf_counter() - started
    if loris:
        loris.join(timeout=args.trickle + 10)
    times = [t for r in readers for t in r.times]
    errors = [e for r in readers for e in r.errors]
    slowest = max((r.slowest for r in readers), default=(0.0, ""))
    print(f"{name}: {len(times)} requests in {took:.0f} s = {len(times) / took:.1f} req/s;"
          f" p50 {pct(times, 50) * 1000:.0f} ms, p95 {pct(times, 95) * 1000:.0f} ms,"
          f" p99 {pct(times, 99) * 1000:.0f} ms, max {max(times, default=0) * 1000:.0f} ms;"
          f" errors {len(errors)}" + (f" (e.g. {errors[0]})" if errors else ""))
    print(f"  slowest: {slowest[0] * 1000:.0f} ms {slowest[1]}")
    statuses: dict[str, int] = {}
    for e in errors:
        statuses[e.split()[0]] = statuses.get(e.split()[0], 0) + 1
    if statuses:
        print("  errors by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(statuses.items())))
    print("  worker RSS (MiB) over the phase: "
          + ", ".join(f"{t:.0f} s {rss}" for t, rss in memory))
    if loris:
        print(f"  slow clients: {slow} held open, {loris.opened} connections opened,"
              f" {loris.dropped} dropped by the server")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=50000)
    ap.add_argument("--readers", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--trickle", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--root", type=Path, default=Path("/tmp/sheaf-bench-load"))
    ap.add_argument("--sample", type=float, default=10.0,
                    help="seconds between two readings of the workers' RSS")
    ap.add_argument("--no-slow", action="store_true", help="the readers' phase only")
    args = ap.parse_args()
    sys.argv = sys.argv[:1]          # bench_search.build reads --rebuild from it
    args.root.mkdir(parents=True, exist_ok=True)
    home, marc = build(args.records, 1, 1, root=args.root)
    queries = [q for _g, q in query_mix(marc, args.queries, seed=args.seed)]
    with running_server(home.path, home.path.parent, workers=args.workers,
                        wait=120) as base:
        port = urllib.parse.urlsplit(base).port
        ids = []
        for q in queries[:40]:           # warm-up: every worker's searcher, and record ids
            try:
                with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote(q)}",
                                            timeout=60) as response:
                    ids += [r["id"] for r in json.load(response)["results"][:3]]
            except urllib.error.HTTPError as exc:   # a cold worker's first search: a 503
                print(f"warm-up: {exc.code} for {q!r}")
        rss = worker_rss(port)
        print(f"{args.records} records; sheaf serve --workers {args.workers};"
              f" {args.readers} readers, {len(queries)} queries;"
              f" worker RSS at the start {rss} MiB")
        phase("readers", base, args, queries, ids, 0)
        if not args.no_slow:
            phase(f"readers + {args.slow} slow clients", base, args, queries, ids, args.slow)
        print(f"worker RSS at the end {worker_rss(port)} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
