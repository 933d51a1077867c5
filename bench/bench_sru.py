"""SRU latency: a CQL query mix against a real ``sheaf serve`` over HTTP.

    python bench/bench_sru.py [MARC_FILE] [--home DIR] [--rounds 20] [--workers 2]

Builds a home from MARC_FILE (by default LC's first 10,000 records,
``bench/data/lc-10000.mrc``, cut by ``bench_search.py``) unless ``--home`` already has an index, serves it on a free
loopback port with gunicorn, and sends every query of the mix ``--rounds``
times, one request at a time: title, author and subject words, everything
(``cql.serverChoice``), booleans with dates, masking, Han, ``sortBy``, Dublin
Core records beside MARCXML, deep ``startRecord`` windows, and ``scan``.
Printed: p50/p95/max milliseconds per group and over the whole mix, the
records returned, and the server's memory (resident, all its processes).
The last line, ``RESULT {...}``, has the numbers as JSON. Numbers only;
nothing asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discovery.engines import open_index  # noqa: E402
from harvest.config import Home, Source  # noqa: E402
from harvest.importer import import_files  # noqa: E402
from harvest.store import RecordStore  # noqa: E402
from indexer import build  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import bench_search  # noqa: E402  (fetches LC's "Books All 2016" part 1 when it is missing)

MIX = {
    "title": ["dc.title = history", "dc.title = poetry", "dc.title = china",
              "dc.title = law", 'dc.title = "united states"', "dc.title adj \"civil war\""],
    "author": ["dc.creator = smith", "dc.creator = wang", "dc.creator = johnson",
               "dc.creator = lee"],
    "subject": ["dc.subject = economic", "dc.subject = education", "dc.subject = women",
                "dc.subject any \"art music\""],
    "anywhere": ["history", "world war", "japan economic policy", "cql.serverChoice = science"],
    "boolean+date": ['history and dc.date within "1990 2000"', "china or japan",
                     "war not dc.language = eng", "(poetry or fiction) and dc.date > 1995"],
    "masked": ["dc.title = hist*", "dc.subject = educat*", "dc.creator = john*"],
    "han": ["dc.title = 中国", "dc.title = 歷史", "cql.serverChoice = 文学"],
    "sortBy": ["history sortBy dc.date/sort.descending", "dc.subject = art sortBy dc.title"],
}
DC_QUERIES = ["dc.title = history", "dc.subject = education", "china or japan"]
SCAN = ["dc.subject = a", "dc.subject = m", "dc.creator = s", "dc.language = e"]


def make_home(path: Path, marc: Path) -> Home:
    home = Home.load(path) if (path / "sheaf.toml").exists() else Home.init(path)
    if home.index_path.exists() and any(home.index_path.glob("gen-*")):
        return home
    if "lc" not in home.sources:
        home.add_source(Source(code="lc", name="Library of Congress", kind="marc", path=str(marc)))
    started = time.monotonic()
    with RecordStore(home.store_path) as store:
        import_files(home, store, "lc", [str(marc)])
        build.rebuild(home, store, open_index(home))
    print(f"built {path} from {marc.name} in {time.monotonic() - started:.1f} s")
    return Home.load(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(home: Path, workers: int, workdir: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SHEAF_HOME"}
    env["HOME"] = str(workdir)
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "cli", "--home", str(home), "serve",
                             "--port", str(port), "--workers", str(workers)],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {(workdir / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("server did not start within 60 s")


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (kB)."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        pids += [int(p) for p in children.stdout.split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def timed(base: str, params: dict) -> tuple[float, int]:
    url = f"{base}/sru?{urllib.parse.urlencode(params)}"
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, body.count(b"<srw:recordPosition>") + body.count(b"<srw:term>")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("marc", nargs="?", type=Path, default=None,
                    help="default: LC's first 10,000 records (bench/data/lc-10000.mrc)")
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.marc is None:
        bench_search.fetch_corpus()
        args.marc = bench_search.slice_corpus(10_000)
    work = Path(tempfile.mkdtemp(prefix="bench-sru-"))
    home = make_home(args.home or work / "home", args.marc)
    groups: dict[str, list[dict]] = {
        name: [{"version": "1.2", "operation": "searchRetrieve", "query": q} for q in queries]
        for name, queries in MIX.items()}
    groups["dc records"] = [{"version": "1.2", "operation": "searchRetrieve", "query": q,
                             "recordSchema": "dc"} for q in DC_QUERIES]
    groups["startRecord 500"] = [{"version": "1.2", "operation": "searchRetrieve", "query": q,
                                  "startRecord": "500"} for q in ("history", "china or japan")]
    groups["scan"] = [{"version": "1.2", "operation": "scan", "scanClause": c,
                       "maximumTerms": "20"} for c in SCAN]
    proc, base = serve(home.path, args.workers, work)
    try:
        for params in (p for ps in groups.values() for p in ps):   # warm both workers
            timed(base, params)
            timed(base, params)
        times: dict[str, list[float]] = {name: [] for name in groups}
        returned = 0
        for _round in range(args.rounds):
            for name, requests in groups.items():
                for params in requests:
                    ms, count = timed(base, params)
                    times[name].append(ms)
                    returned += count
        memory = rss_kb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    with RecordStore(home.store_path) as store:
        records = sum(c["records"] for c in store.counts().values())
    print(f"home {home.path}: {records} records;"
          f" {args.workers} workers, {args.rounds} rounds, one request at a time")
    print(f"{'group':<18}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    everything = []
    result = {"groups": {}}
    for name, values in times.items():
        everything += values
        row = {"n": len(values), "p50": round(statistics.median(values), 1),
               "p95": round(pct(values, 0.95), 1), "max": round(max(values), 1)}
        result["groups"][name] = row
        print(f"{name:<18}{row['n']:>6}{row['p50']:>10}{row['p95']:>10}{row['max']:>10}")
    result["all"] = {"n": len(everything), "p50": round(statistics.median(everything), 1),
                     "p95": round(pct(everything, 0.95), 1), "max": round(max(everything), 1)}
    result["server_rss_mb"] = round(memory / 1024, 1)
    result["records_or_terms_returned"] = returned
    print(f"{'all':<18}{result['all']['n']:>6}{result['all']['p50']:>10}"
          f"{result['all']['p95']:>10}{result['all']['max']:>10}")
    print(f"server memory (resident, master and workers): {result['server_rss_mb']} MB;"
          f" {returned} records and terms returned")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
