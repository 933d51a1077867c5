"""Harvest marc21 pages from a local OAI-PMH server into a fresh store; print records/s and memory.

    python bench/bench_oai.py [MARC_FILE] [--sizes 1000,100000] [--page-size 300]

The server (a separate process on 127.0.0.1) publishes the records of
MARC_FILE (by default the 10,000-record LC slice in ../shared/data),
converted once to MARCXML with pymarc, as ListRecords pages of
``--page-size`` records with resumption tokens; a feed larger than the file
repeats its records under new identifiers. Each size is harvested by a fresh
process into a fresh home, through the real client, HTTP, parsing and store,
and reports:

* records/s over the whole harvest (Identify included);
* peak RSS of the harvesting process, and its RSS sampled along the way
  (flat memory: the 100,000-record harvest should peak where the 1,000 does).

It prints numbers only; no test asserts them.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT.parent / "shared/data/loc-booksall-2016-part01/booksall2016p01_rec080000-089999.mrc"
OAI_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/'
            b'OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><responseDate>'
            b'2024-01-01T00:00:00Z</responseDate><request>http://127.0.0.1/oai</request>')
IDENTIFY = OAI_HEAD + (
    b"<Identify><repositoryName>bench</repositoryName><baseURL>http://127.0.0.1/oai</baseURL>"
    b"<protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail>"
    b"<earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent"
    b"</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>")


def to_marcxml(path: Path, out: Path) -> int:
    """Write the MARCXML records (pymarc's serialisation), NUL-separated (NUL is never in XML)."""
    import pymarc
    n = 0
    with open(path, "rb") as fh, open(out, "wb") as dst:
        for record in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True):
            if record is None:
                continue
            dst.write(pymarc.record_to_xml(record, namespace=True) + b"\0")
            n += 1
    return n


def serve(records_file: str, page_size: int, ready) -> None:
    """The OAI-PMH server process: ListRecords pages over ``total`` records."""
    import urllib.parse
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    records = Path(records_file).read_bytes().split(b"\0")[:-1]

    def page(start: int, total: int) -> bytes:
        parts = [OAI_HEAD, b"<ListRecords>"]
        for i in range(start, min(start + page_size, total)):
            parts += [b"<record><header><identifier>oai:bench:", str(i).encode(),
                      b"</identifier><datestamp>2020-01-01T00:00:00Z</datestamp></header>"
                      b"<metadata>", records[i % len(records)], b"</metadata></record>"]
        following = start + page_size
        if following < total:
            parts.append(f"<resumptionToken cursor='{start}' completeListSize='{total}'>"
                         f"{following}:{total}</resumptionToken>".encode())
        parts.append(b"</ListRecords></OAI-PMH>")
        return b"".join(parts)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            if q.get("verb") == "Identify":
                body = IDENTIFY
            elif "resumptionToken" in q:
                start, total = map(int, q["resumptionToken"].split(":"))
                body = page(start, total)
            else:   # the set is the feed size: ListRecords&set=100000
                body = page(0, int(q.get("set", "1000")))
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ready.put(httpd.server_address[1])
    httpd.serve_forever()


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def harvest(url: str, size: int, result) -> None:
    """One harvest in a fresh process and home: (records, seconds, peak MB, samples)."""
    try:
        _harvest(url, size, result)
    except BaseException as exc:
        result.put(exc)
        raise


def _harvest(url: str, size: int, result) -> None:
    from harvest.config import Home, Source
    from harvest.oai import harvest_oai_source
    from harvest.store import RecordStore
    samples = []
    step = max(size // 5, 1)

    def progress(p):
        if p.records >= step * (len(samples) + 1):
            samples.append((p.records, round(rss_mb(), 1)))

    with tempfile.TemporaryDirectory(prefix="sheaf-bench-oai-") as tmp:
        home = Home.init(tmp)
        source = Source(code="bench", name="bench", kind="oai", url=url, prefix="marc21",
                        set_spec=str(size))
        with RecordStore(home.store_path) as store:
            started = time.perf_counter()
            report = harvest_oai_source(home, store, source, progress=progress)
            seconds = time.perf_counter() - started
            stored = store.counts()["bench"]["records"]
    assert report.ok and stored == size == report.new, (report, stored)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.put((report.records, seconds, peak, samples, report.pages))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--page-size", type=int, default=300)
    args = ap.parse_args()
    path = Path(args.file)
    if not path.is_file():
        sys.exit(f"no such file: {path} (pass a MARC file)")
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-xml-") as tmp:
        xml = Path(tmp) / "records.xml"
        n = to_marcxml(path, xml)
        print(f"{n} records of {path.name} as MARCXML, {args.page_size} a page", flush=True)
        ready = ctx.Queue()
        server = ctx.Process(target=serve, args=(str(xml), args.page_size, ready), daemon=True)
        server.start()
        url = f"http://127.0.0.1:{ready.get(timeout=60)}/oai"
        try:
            for size in (int(s) for s in args.sizes.split(",")):
                result = ctx.Queue()
                child = ctx.Process(target=harvest, args=(url, size, result))
                child.start()
                outcome = result.get(timeout=3600)
                child.join()
                if isinstance(outcome, BaseException):
                    raise SystemExit(f"the {size}-record harvest failed: {outcome!r}")
                records, seconds, peak, samples, pages = outcome
                along = ", ".join(f"{r}: {m} MB" for r, m in samples)
                print(f"{size:>7} records  {records / seconds:8.0f} records/s  ({records} in"
                      f" {pages} pages, {seconds:.2f} s)  peak RSS {peak:.1f} MB"
                      f"  [RSS along the way: {along}]", flush=True)
        finally:
            server.terminate()
            server.join()


if __name__ == "__main__":
    main()
