"""``kill -9`` during indexing on SolrCloud: the live collection and alias stay usable, and
the next ``sheaf index`` finishes the work, with the same clusters as a rebuild."""

from __future__ import annotations

import json

import pytest

from discovery.engines import open_index, open_search
from discovery.engines.solr.client import SolrClient
from discovery.results import SearchRequest
from harvest.config import Home
from harvest.store import RecordStore
from indexer import build
from indexer.generations import IndexDir

from ..engines import SOLR_URL, use_engine
from ..support import FIXTURES, iso2709_records
from .helpers import DEMO, build_home, ok, popen_sheaf, sheaf
from .test_kill import kill_when

# it kills the SolrCloud's nodes: no other test may search it meanwhile
pytestmark = [pytest.mark.slow, pytest.mark.solo]

LATER = 150


def _home(tmp_path, solr_cloud):
    later = tmp_path / "intl-150.mrc"
    later.write_bytes(b"".join(iso2709_records(DEMO / "intl.mrc")[:LATER]))
    path = build_home(tmp_path / "home", {
        "vn": ("Thư viện Quốc gia Việt Nam", FIXTURES / "vietnamese_nfd_titles.mrc"),
        "intl": ("International Research Library", later)}, index=False)
    use_engine(Home.load(path), "solr", solr_cloud, index_procs=1)
    return path, later


def partition(home) -> set[frozenset[str]]:
    """The index's clusters as sets of record ids, as the engine answers them."""
    search = open_search(Home.load(home))
    try:
        found = search.search(SearchRequest(limit=100, facets=()))
        assert found.total <= 1000
        hits = [h for page in range(1, found.pages + 1)
                for h in search.search(SearchRequest(limit=100, page=page, facets=())).hits]
        return {frozenset(h.record_id for h in hit.holdings) for hit in hits}
    finally:
        search.close()


def total(home, query: str) -> int:
    search = open_search(Home.load(home))
    try:
        return search.search(SearchRequest(query=query)).total
    finally:
        search.close()


def _collection(gen_path) -> str | None:
    try:
        return json.loads((gen_path / "solr.json").read_text())["collection"]
    except (FileNotFoundError, ValueError):
        return None


def test_kill_during_a_solr_rebuild_leaves_the_live_collection_alone(tmp_path, solr_cloud):
    home, _later = _home(tmp_path, solr_cloud)
    ok(sheaf(home, "index"))
    index = IndexDir(home / "index")
    live = index.current()
    alias = Home.load(home).settings["solr_alias"]
    client = SolrClient(SOLR_URL, 60)
    before = total(home, "Việt Nam")
    assert before > 0

    proc = popen_sheaf(home, "index", "--rebuild")
    # killed once the new collection exists and documents are being written to it
    kill_when(proc, lambda: any(_collection(p) for p in index.generations()
                                if p != live.path), "sheaf index --rebuild", timeout=120)
    orphan = next(_collection(p) for p in index.generations() if p != live.path)
    assert client.aliases()[alias] == _collection(live.path)
    assert index.current().name == live.name
    assert total(home, "Việt Nam") == before

    out = ok(sheaf(home, "index", "--rebuild"))
    assert out.startswith("index rebuilt (gen-"), out
    names = set(client.collection_names())
    assert orphan not in names            # the killed run's collection is dropped
    assert client.aliases()[alias] == _collection(index.current().path)
    assert total(home, "Việt Nam") == before


def test_kill_during_a_solr_update_then_the_next_run_completes_it(tmp_path, solr_cloud):
    home, later = _home(tmp_path, solr_cloud)
    with RecordStore(home / "store.sqlite") as store:
        store.purge_source("intl")
    ok(sheaf(home, "index"))
    ok(sheaf(home, "import", "--source", "intl", str(later)))
    index = IndexDir(home / "index")
    gen = index.current()
    before = total(home, "Việt Nam")

    proc = popen_sheaf(home, "index")
    kill_when(proc, lambda: len(index.generations()) > 1, "sheaf index", timeout=120)
    assert index.current().name == gen.name
    assert total(home, "Việt Nam") == before

    out = ok(sheaf(home, "index"))
    assert out.startswith("index updated (gen-") and f" {LATER} records mapped" in out, out
    finished = partition(home)
    assert len({rid for cluster in finished for rid in cluster}) == 10 + LATER
    with RecordStore(home / "store.sqlite") as store:
        build.rebuild(Home.load(home), store, open_index(Home.load(home)))
    assert partition(home) == finished
