"""``kill -9`` during indexing: the index stays usable and the next ``sheaf index`` finishes the work."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

from discovery.engines import open_search
from discovery.results import SearchRequest
from harvest.config import Home
from harvest.lock import holder
from harvest.store import RecordStore
from indexer import build
from indexer.generations import IndexDir
from discovery.engines import open_index
from discovery.engines.whoosh.index import open_index as open_whoosh

from ..support import FIXTURES, iso2709_records
from .helpers import DEMO, build_home, copy_home, ok, popen_sheaf, set_setting, sheaf

pytestmark = pytest.mark.slow

LATER = 150  # records of the demo's research library imported after the first index


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill")
    later = root / "intl-150.mrc"
    later.write_bytes(b"".join(iso2709_records(DEMO / "intl.mrc")[:LATER]))
    home = build_home(root / "home", {
        "vn": ("Thư viện Quốc gia Việt Nam", FIXTURES / "vietnamese_nfd_titles.mrc"),
        "intl": ("International Research Library", later)})
    set_setting(home, "index_procs", 1)
    return home, later


def search_total(home, query: str) -> int:
    """Hits of a search, by a fresh backend (as a restarted web worker would open it)."""
    backend = open_search(Home.load(home))
    try:
        return backend.search(SearchRequest(query=query)).total
    finally:
        backend.close()


def index_state(home) -> str:
    with RecordStore(home / "store.sqlite") as store:
        return build.status(Home.load(home), store, open_index(Home.load(home)))["state"]


def kill_when(proc, ready, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"{what}: finished before it could be killed: " \
                                    f"{proc.communicate()}"
        assert time.monotonic() < deadline, f"{what}: never got under way"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def dirty(gen_path) -> int:
    try:
        db = sqlite3.connect(f"file:{gen_path / 'clusters.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT count(*) FROM dirty").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0  # not created yet


def partition(home) -> set[frozenset[str]]:
    """The index's clusters as sets of record ids."""
    ix = open_whoosh(IndexDir(home / "index").current().path)
    try:
        with ix.searcher() as s:
            return {frozenset(h["record_id"] for h in f["display"]["holdings"])
                    for f in s.all_stored_fields()}
    finally:
        ix.close()


def test_kill_during_an_incremental_update(template, tmp_path):
    template_home, later = template
    home = copy_home(template_home, tmp_path / "home")
    # start from an index of the Vietnamese records only, then import the other library
    with RecordStore(home / "store.sqlite") as store:
        store.purge_source("intl")
        build.rebuild(Home.load(home), store, open_index(Home.load(home)))
    ok(sheaf(home, "import", "--source", "intl", str(later)))
    gen = IndexDir(home / "index").current()
    before = search_total(home, "Việt Nam")

    proc = popen_sheaf(home, "index")
    index = IndexDir(home / "index")

    def clone_dirty() -> int:
        # an update works on a clone of the live generation, never on the live one
        clones = [p for p in index.generations() if p.name > gen.name]
        return dirty(clones[-1]) if clones else 0

    kill_when(proc, lambda: clone_dirty() >= 10, "sheaf index")

    # the live generation is untouched, the lock is free, and the index knows it is behind
    assert holder(Home.load(home)) is None
    assert index.current().name == gen.name
    assert dirty(gen.path) == 0
    assert search_total(home, "Việt Nam") == before
    assert index_state(home) == "behind"

    out = ok(sheaf(home, "index"))
    assert out.startswith("index updated (gen-") and f" {LATER} records mapped" in out, out
    live = index.current()
    assert live.name != gen.name and live.name in out
    # the killed run's clone is gone; the generation the update replaced stays a round
    assert [p.name for p in index.generations()] == [gen.name, live.name]
    assert dirty(live.path) == 0
    assert index_state(home) == "current"
    finished = partition(home)
    assert len({rid for cluster in finished for rid in cluster}) == 10 + LATER

    # what a rebuild from the store makes of the same records
    with RecordStore(home / "store.sqlite") as store:
        build.rebuild(Home.load(home), store, open_index(Home.load(home)))
    assert partition(home) == finished


def test_kill_during_a_rebuild_leaves_the_live_index_alone(template, tmp_path):
    template_home, _later = template
    home = copy_home(template_home, tmp_path / "home")
    index = IndexDir(home / "index")
    live = index.current().name
    before = search_total(home, "Việt Nam")

    proc = popen_sheaf(home, "index", "--rebuild")
    kill_when(proc, lambda: len(index.generations()) > 1, "sheaf index --rebuild")

    assert index.current().name == live
    assert (home / "index" / "CURRENT").read_text().strip() == live
    assert search_total(home, "Việt Nam") == before
    assert len(index.generations()) == 2  # the unfinished generation, until the next index run

    ok(sheaf(home, "index"))
    assert [p.name for p in index.generations()] == [live]
    with RecordStore(home / "store.sqlite") as store:
        build.rebuild(Home.load(home), store, open_index(Home.load(home)))
    assert index.current().name != live
    assert search_total(home, "Việt Nam") == before
