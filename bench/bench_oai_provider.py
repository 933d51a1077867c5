"""The OAI-PMH provider at scale: a harvester pages through a 250,000-record store.

    python bench/bench_oai_provider.py [MARC_FILE] [--records N] [--workers 2]
        [--formats marc21,oai_dc] [--verbs ListRecords,ListIdentifiers] [--limit N]
        [--page-size 200] [--dir /tmp/sheaf-bench-oai] [--rebuild]

MARC_FILE defaults to LC's first 250,000 records, ``bench/data/lc-250000.mrc``
(cut from the pymarc 5.4.0 source distribution, which ``bench_search.py`` fetches
from PyPI when it is missing). The first run imports them into a home
under ``--dir`` (``--rebuild`` imports again); no index is needed, the
provider serves the store. Then ``sheaf serve`` (gunicorn, ``--workers``)
runs on a free port and a harvester in this process asks for every page of
each verb and format over HTTP, following resumption tokens (it counts the
``<record>`` or ``<header>`` elements of each page and reads the token with
a regular expression, so nearly all the time measured is the server's).

Printed per list: records, pages, seconds, records/s, the p50/p95 of a page,
and the memory of the server's processes (RssAnon, MB: private memory of the
master and each worker) sampled at 10 % steps of the list: flat memory means
the last sample is where the first was. Numbers only; nothing asserts them.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
import bench_search  # noqa: E402  (fetches LC's "Books All 2016" part 1 when it is missing)
TOKEN = re.compile(rb"<resumptionToken[^>]*?(?:/>|>([^<]*)</resumptionToken>)")
SIZE = re.compile(rb'completeListSize="(\d+)"')


def build_home(path: Path, marc: Path, records: int | None, rebuild: bool) -> int:
    """The benchmark's home: the MARC file imported once (``records`` first ones)."""
    from harvest.config import Home, Source
    from harvest.importer import import_files
    from harvest.store import RecordStore

    home_path = path / "home"
    if home_path.exists() and not rebuild:
        home = Home.load(home_path)
        with RecordStore(home.store_path) as store:
            live = store.counts().get("lc", {}).get("records", 0)
        print(f"store: {live} records already in {home.store_path}", flush=True)
        return live
    subprocess.run(["rm", "-rf", str(home_path)], check=True)
    home = Home.init(home_path)
    source_file = marc
    if records is not None:
        source_file = path / f"first-{records}.mrc"
        with open(marc, "rb") as src, open(source_file, "wb") as out:
            n, buf = 0, b""
            while n < records:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                buf += chunk
                while n < records and (end := buf.find(b"\x1d")) >= 0:
                    out.write(buf[:end + 1])
                    buf = buf[end + 1:]
                    n += 1
    home.add_source(Source(code="lc", name="Library of Congress", kind="marc",
                           path=str(source_file)))
    t0 = time.perf_counter()
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, "lc", [str(source_file)])
    seconds = time.perf_counter() - t0
    print(f"store: imported {summary.new} records in {seconds:.1f} s"
          f" ({summary.new / seconds:,.0f} records/s), {len(summary.rejected)} skipped",
          flush=True)
    return summary.new


def set_page_size(home_path: Path, page_size: int) -> None:
    config = home_path / "sheaf.toml"
    text = re.sub(r"^oai_list_size = \d+$", f"oai_list_size = {page_size}",
                  config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def rss_anon_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory(server: int) -> str:
    return "+".join(f"{rss_anon_mb(p):.0f}" for p in sorted(process_tree(server)))


def harvest(base: str, verb: str, prefix: str, limit: int | None, server: int) -> None:
    element = b"<record>" if verb == "ListRecords" else b"<header"
    query = {"verb": verb, "metadataPrefix": prefix}
    records = pages = 0
    page_times, samples = [], []
    size = next_sample = None
    t0 = time.perf_counter()
    while True:
        url = f"{base}/oai?{urllib.parse.urlencode(query)}"
        t = time.perf_counter()
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
        page_times.append(time.perf_counter() - t)
        pages += 1
        records += body.count(element)
        if size is None:
            found = SIZE.search(body)
            size = int(found.group(1)) if found else records
            size = min(size, limit) if limit else size
            next_sample = 0
        while next_sample is not None and records >= next_sample and next_sample <= size:
            samples.append(f"{100 * next_sample // max(size, 1)}%: {memory(server)}")
            next_sample += max(size // 10, 1)
        token = TOKEN.search(body)
        if token is None or not token.group(1) or (limit and records >= limit):
            break
        query = {"verb": verb, "resumptionToken": token.group(1).decode("ascii")}
    seconds = time.perf_counter() - t0
    samples.append(f"end: {memory(server)}")
    p50 = statistics.median(page_times)
    p95 = sorted(page_times)[int(0.95 * (len(page_times) - 1))]
    print(f"{verb} {prefix}: {records:,} records, {pages} pages in {seconds:.1f} s ="
          f" {records / seconds:,.0f} records/s; page p50 {p50 * 1000:.0f} ms,"
          f" p95 {p95 * 1000:.0f} ms", flush=True)
    print(f"    server memory, RssAnon MB (master+workers): {'; '.join(samples)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("marc", nargs="?", type=Path, default=None,
                        help="default: LC's first 250,000 records (bench/data/lc-250000.mrc)")
    parser.add_argument("--records", type=int, default=None,
                        help="import only the first N records of the file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--formats", default="marc21,oai_dc")
    parser.add_argument("--verbs", default="ListRecords,ListIdentifiers")
    parser.add_argument("--limit", type=int, default=None,
                        help="stop each list after about N records")
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/sheaf-bench-oai"))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.marc is None:
        bench_search.fetch_corpus()
        args.marc = bench_search.slice_corpus(250_000)

    args.dir.mkdir(parents=True, exist_ok=True)
    build_home(args.dir, args.marc, args.records, args.rebuild)
    home_path = args.dir / "home"
    set_page_size(home_path, args.page_size)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SHEAF_HOME"}
    env["HOME"] = str(args.dir)
    log = open(args.dir / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "cli", "--home", str(home_path), "serve",
                               "--port", str(port), "--workers", str(args.workers)],
                              stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        print(f"server: {args.workers} workers, pages of {args.page_size}; memory before"
              f" harvesting (RssAnon MB): {memory(server.pid)}", flush=True)
        for prefix in args.formats.split(","):
            for verb in args.verbs.split(","):
                if verb == "ListIdentifiers" and prefix != args.formats.split(",")[0]:
                    continue    # headers are the same for every format
                harvest(base, verb, prefix, args.limit, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
