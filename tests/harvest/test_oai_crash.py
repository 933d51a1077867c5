"""Crash safety: a harvesting process killed with SIGKILL mid-harvest, restarted,
loses no record and stores none twice (real processes, real server, real store)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse

from harvest.config import Home, Source
from harvest.oai import harvest_oai_source
from harvest.store import RecordStore

from .oai_support import HERE, Catalog, alma_records, canonical, pyoai_server

PAGES = 15   # 150 records, 10 a page


def committed_pages(home: Home) -> int:
    db = sqlite3.connect(home.store_path, timeout=30)
    try:
        row = db.execute("SELECT pages FROM harvests ORDER BY id DESC LIMIT 1").fetchone()
        return row[0] if row else 0
    finally:
        db.close()


def kill_when(home: Home, pages: int) -> int:
    """Start a harvest process, SIGKILL it once ``pages`` pages are committed."""
    child = subprocess.Popen([sys.executable, str(HERE / "harvest_child.py"), str(home.path), "lc"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while committed_pages(home) < pages:
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline, "the harvest made no progress"
        time.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return committed_pages(home)


def test_kill_9_mid_harvest_then_restart_loses_nothing_and_duplicates_nothing(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    for n, (control, xml) in enumerate(alma_records()):
        stamp = f"2020-01-01T00:{n // 60:02d}:{n % 60:02d}Z"
        catalog.put(f"oai:alma:{control}", xml, datestamp=stamp)
    for n, (control, xml) in enumerate(alma_records()[:50]):
        catalog.put(f"oai:alma:copy-{control}", xml, datestamp=f"2020-01-02T00:00:{n:02d}Z")
    home = Home.init(tmp_path / "home")
    RecordStore(home.store_path).close()   # as `sheaf init` does

    with pyoai_server(catalog, batch=10, delay=0.05) as (url, log):
        home.add_source(Source(code="lc", name="Alma", kind="oai", url=url, prefix="marc21"))
        first_kill = kill_when(home, 3)
        second_kill = kill_when(home, first_kill + 4)
        with RecordStore(home.store_path) as store:
            report = harvest_oai_source(home, store, home.source("lc"))
            live = {r.local_id: r.data for r in store.iter_records(source="lc")}
            runs = store.harvest_history("lc")

    assert 3 <= first_kill < second_kill < PAGES
    assert report.ok and report.resumed and len(runs) == 1
    # every page counted once: all new, none seen twice, none skipped
    assert (report.pages, report.records, report.new, report.unchanged) == (PAGES, 150, 150, 0)
    expected = catalog.live()
    assert set(live) == set(expected)
    assert all(canonical(live[i], blank_text=False) == canonical(x, blank_text=False)
               for i, x in expected.items())
    # the restarts resumed at the saved token: the listing was started only once
    asked = [dict(urllib.parse.parse_qsl(line)) for line in log.read_text().splitlines()]
    listing = [a for a in asked if a["verb"] == "ListRecords"]
    assert sum("resumptionToken" not in a for a in listing) == 1
    assert len(listing) <= PAGES + 2   # at most the two pages in flight at the kills again
