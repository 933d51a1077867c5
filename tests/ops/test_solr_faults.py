"""Faults of the SolrCloud engine (issue 14), on the project's real local SolrCloud.

* one node of two down, every shard replicated: every search answers in full, also
  when the node the home's ``solr_url`` names is the one down (the client fails over
  to the live nodes it learned);
* one node of two down, one replica per shard: searches answer with the shards that
  are left, marked partial (``SearchResult.partial``, the API's ``"partial": true``,
  a notice on the page in each interface language);
* SolrCloud unreachable: the API's 503 error shape, a 503 page, ``/status.json`` and
  ``sheaf status`` saying so, never a 500 or a traceback; and the site answers again
  by itself, the same app, once Solr can be reached.

The node stopped is 8984, never 8983 (it runs the embedded ZooKeeper); it is started
again (``scripts/solr.sh start``) when the module ends, whatever happened. Everything
is real: the cluster, the Flask app (``test_client``), ``sheaf`` as a process, and a
TCP forwarder standing in for a Solr that comes back at its address.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from discovery.engines import open_index, open_search
from discovery.engines.solr.client import SolrClient
from discovery.results import Filter, SearchRequest
from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from web import create_app

from ..engines import SOLR_URL, solr_sh, use_engine
from ..support import FIXTURES, count_records
from .helpers import set_setting, sheaf

# it stops and hangs the SolrCloud's nodes: no other test may search it meanwhile
pytestmark = pytest.mark.solo

DOWN_PORT = 8984                      # the node stopped; 8983 hosts ZooKeeper
DOWN_NODE = f"127.0.0.1:{DOWN_PORT}_solr"
LIVE_NODE = "127.0.0.1:8983_solr"
SOURCES = {"loc": ("Library of Congress", "chinese_880_simplified.mrc"),
           "vn": ("Thư viện Quốc gia Việt Nam", "vietnamese_nfd_titles.mrc")}
NOTICE = {"en": "Part of the catalog did not answer just now",
          "zh": "部分目录暂时没有响应",
          "vi": "Một phần mục lục hiện không phản hồi"}
# searches asked before and during the outage: (query, filters, sort)
SEARCHES = [("", (), "relevance"), ("hà nội", (), "relevance"), ("", (), "year"),
            ("thơ", (), "title"), ("", (("library", "vn"),), "relevance")]


def _request(query: str, filters, sort: str) -> SearchRequest:
    return SearchRequest(query=query, sort=sort, limit=50,
                         filters=tuple(Filter(f, v) for f, v in filters))


def _api_args(query: str, filters, sort: str) -> dict:
    return {"q": query, "sort": sort, "limit": 50,
            "filter": [f"{f}:{v}" for f, v in filters]}


def _home(path: Path, cloud, **settings) -> Home:
    """A home of two small member libraries, indexed on the SolrCloud."""
    home = use_engine(Home.init(path), "solr", cloud, **settings)
    for code, (name, file) in SOURCES.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=str(FIXTURES / file)))
    with RecordStore(home.store_path) as store:
        for code, (_name, file) in SOURCES.items():
            assert import_files(home, store, code, [str(FIXTURES / file)]).rejected == []
        report = build.rebuild(home, store, open_index(home))
    assert report.failed == []
    return Home.load(home.path)


def _replicas(client: SolrClient, alias: str) -> dict[str, list[str]]:
    """shard -> the nodes holding an active replica of it, for the alias's collection."""
    collection = client.aliases()[alias]
    state = client.collections(action="CLUSTERSTATUS", collection=collection)
    shards = state["cluster"]["collections"][collection]["shards"]
    return {name: sorted(r["node_name"] for r in shard["replicas"].values()
                         if r["state"] == "active")
            for name, shard in shards.items()}


def _one_shard_per_node(client: SolrClient, alias: str) -> str:
    """Place the two single-replica shards one on each node, always the same way (a
    document's shard follows from its id, so the documents that survive are always the
    same); the shard left alive."""
    collection = client.aliases()[alias]
    layout = {"shard1": DOWN_NODE, "shard2": LIVE_NODE}
    for shard, target in layout.items():
        now = _replicas(client, alias)[shard]
        if now != [target]:
            client.collections(action="MOVEREPLICA", collection=collection, shard=shard,
                               sourceNode=now[0], targetNode=target)
    assert _replicas(client, alias) == {s: [n] for s, n in layout.items()}
    return "shard2"


def _ids_on(client: SolrClient, alias: str, shard: str) -> set[str]:
    collection = client.aliases()[alias]
    found = client.get(f"/{collection}/select", {"q": "*:*", "fl": "id", "rows": 1000,
                                                 "shards": shard, "wt": "json"})
    return {doc["id"] for doc in found["response"]["docs"]}


def _app(home: Home):
    return create_app({"SHEAF_HOME": str(home.path), "TESTING": True, "SHEAF_STATUS_TTL": 0})


def _search_page(client, query: str = "", lang: str = "en", **args):
    return client.get("/", query_string={"q": query, "lang": lang, "sort": "title", **args})


# -- the homes and the outage ----------------------------------------------------------

@pytest.fixture(scope="module")
def cluster(solr_cloud):
    """Both nodes up before the homes are made (a run that was cut short may have left
    8984 down); both up again, every replica active, when the module ends."""
    proc = solr_sh("start")
    assert proc.returncode == 0, proc.stderr[-2000:]
    try:
        yield solr_cloud
    finally:
        proc = solr_sh("start")
        assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def replicated(cluster, tmp_path_factory) -> Home:
    """Two shards, two replicas each, the home pointed at node 8984 (the one to stop)."""
    home = _home(tmp_path_factory.mktemp("faults-replicated"), cluster,
                 solr_url=f"http://127.0.0.1:{DOWN_PORT}/solr", solr_replicas=2)
    placed = _replicas(SolrClient(SOLR_URL), home.settings["solr_alias"])
    assert all(nodes == [LIVE_NODE, DOWN_NODE] for nodes in placed.values()), placed
    return home


@pytest.fixture(scope="module")
def single(cluster, tmp_path_factory) -> dict:
    """Two shards, one replica each, one shard on each node; which documents survive."""
    home = _home(tmp_path_factory.mktemp("faults-single"), cluster, solr_replicas=1)
    client = SolrClient(SOLR_URL)
    alias = home.settings["solr_alias"]
    alive = _one_shard_per_node(client, alias)
    survivors = _ids_on(client, alias, alive)
    assert survivors and _ids_on(client, alias, "shard1")   # each shard holds some
    return {"home": home, "survivors": survivors}


@pytest.fixture(scope="module")
def outage(replicated, single):
    """Node 8984 stopped, once for the module, after every search was asked once with
    the cluster whole; what those searches answered then."""
    apps = {"replicated": _app(replicated), "single": _app(single["home"])}
    before = {}
    for name, app in apps.items():
        client = app.test_client()
        for search in SEARCHES:
            response = client.get("/api/search", query_string=_api_args(*search))
            assert response.status_code == 200
            assert response.json["partial"] is False
            before[name, search] = response.json
    started = time.monotonic()
    proc = solr_sh("stop-node", str(DOWN_PORT))
    assert proc.returncode == 0, proc.stderr
    stopped = time.monotonic() - started
    try:
        yield {"apps": apps, "before": before, "stop_seconds": stopped}
    finally:
        for app in apps.values():
            app.extensions["sheaf.search"].close()
        proc = solr_sh("start")
        assert proc.returncode == 0, proc.stderr[-2000:]


# -- a closed port, and a Solr coming back at it ---------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Forwarder:
    """A TCP forwarder 127.0.0.1:port -> node 8983: Solr "at" a port that can close."""

    def __init__(self, port: int, target: tuple[str, int] = ("127.0.0.1", 8983)):
        self.port, self.target = port, target
        self.server: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return   # closed
            upstream = socket.create_connection(self.target)
            self.sockets += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass
        self.sockets = []


def _pointed_at(home: Home, path: Path, url: str) -> Home:
    """A copy of ``home`` (the same collections) whose ``solr_url`` is ``url``."""
    shutil.copytree(home.path, path, ignore=shutil.ignore_patterns("*.lock", "logs"))
    set_setting(path, "solr_url", url)
    return Home.load(path)


# -- SolrCloud unreachable (no node stopped: the home names a closed port) -------------

def test_an_unreachable_solr_is_the_one_503_everywhere(replicated, tmp_path):
    home = _pointed_at(replicated, tmp_path / "home", "http://127.0.0.1:1/solr")
    app = _app(home)
    try:
        client = app.test_client()
        response = client.get("/api/search", query_string={"q": "hà nội"})
        assert response.status_code == 503
        error = response.json["error"]
        assert (error["status"], error["type"]) == (503, "index_unavailable")
        assert error["message"].startswith("SolrCloud does not answer (")
        assert "127.0.0.1:1" not in error["message"]   # no internal address for readers
        assert response.headers["Cache-Control"] == "no-store"

        page = _search_page(client, "hà nội")
        assert page.status_code == 503
        text = page.get_data(as_text=True)
        assert "SolrCloud does not answer" in text and "Traceback" not in text
        for url in ("/advanced", "/record/vn:00280613", "/api/record/vn:00280613",
                    "/embed?q=thơ", "/feed.atom?q=thơ", "/staff/vn:00280613"):
            shown = client.get(url)
            assert shown.status_code == 503, url
            assert "Traceback" not in shown.get_data(as_text=True)
        assert client.get("/healthz?deep=1").status_code == 503

        status = client.get("/status.json")
        assert status.status_code == 200
        data = status.json
        assert data["status"] == "error"
        assert data["index"]["state"] == "unreachable"
        assert data["index"]["message"].startswith(
            "the search engine (solr) is unreachable: SolrCloud does not answer")
        assert data["search"]["status"] == "error"
        assert data["records"] == sum(count_records(FIXTURES / f) for _n, f in SOURCES.values())
        assert set(data["sources"]) == {"loc", "vn"}
        assert [e["status"] for e in data["errors"]] == ["unreachable"]
    finally:
        app.extensions["sheaf.search"].close()

    proc = sheaf(home.path, "status")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "index: unreachable: the search engine (solr) is unreachable: SolrCloud does not" \
        " answer (" in proc.stdout
    assert "search: search fails" in proc.stdout
    proc = sheaf(home.path, "status", "--json")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["index"]["state"] == "unreachable"
    assert shown["search"]["status"] == "error"
    assert shown["sources"]["vn"]["records"] == count_records(FIXTURES / SOURCES["vn"][1])
    proc = sheaf(home.path, "search", "hà nội")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "SolrCloud does not answer" in proc.stderr


def test_the_site_answers_again_by_itself_when_solr_comes_back(replicated, tmp_path):
    port = _free_port()
    home = _pointed_at(replicated, tmp_path / "home", f"http://127.0.0.1:{port}/solr")
    app = _app(home)
    solr = Forwarder(port)
    args = _api_args("hà nội", (), "relevance")
    try:
        client = app.test_client()
        assert client.get("/api/search", query_string=args).status_code == 503
        assert client.get("/status.json").json["index"]["state"] == "unreachable"

        solr.start()   # Solr is back at the address the home names: the same app answers
        started = time.monotonic()
        response = client.get("/api/search", query_string=args)
        recovered = time.monotonic() - started
        assert response.status_code == 200, response.json
        assert response.json["total"] == 7 and response.json["partial"] is False
        assert recovered < 2.0
        assert _search_page(client, "hà nội").status_code == 200
        assert client.get("/status.json").json["status"] == "ok"

        # the address closes again: the nodes learned from the cluster still answer
        solr.stop()
        response = client.get("/api/search", query_string=args)
        assert response.status_code == 200 and response.json["total"] == 7
    finally:
        solr.stop()
        app.extensions["sheaf.search"].close()


# -- one node of two down -------------------------------------------------------------

def test_with_two_replicas_every_search_is_complete_with_the_base_node_down(outage):
    """The home's solr_url is node 8984, stopped: the client fails over to 8983."""
    client = outage["apps"]["replicated"].test_client()
    for search in SEARCHES:
        started = time.monotonic()
        response = client.get("/api/search", query_string=_api_args(*search))
        took = time.monotonic() - started
        assert response.status_code == 200, (search, response.json)
        assert response.json == outage["before"]["replicated", search], search
        assert took < 2.0, (search, took)
    page = _search_page(client, "hà nội")
    assert page.status_code == 200
    assert NOTICE["en"] not in page.get_data(as_text=True)
    assert client.get("/record/vn:00280613").status_code == 200
    assert client.get("/status.json").json["status"] == "ok"


def test_a_process_started_with_the_first_node_down_reaches_the_next_one(outage, replicated,
                                                                        tmp_path):
    """A new process knows no live nodes yet: with solr_url naming only the stopped node it
    cannot search; naming a second node after it, it searches as before the outage."""
    want = outage["before"]["replicated", ("hà nội", (), "relevance")]
    for name, url in (("one", f"http://127.0.0.1:{DOWN_PORT}/solr"),
                      ("two", f"http://127.0.0.1:{DOWN_PORT}/solr, {SOLR_URL}")):
        home = tmp_path / name
        shutil.copytree(replicated.path, home)   # the same alias: read only
        set_setting(home, "solr_url", url)
        found = sheaf(home, "search", "hà nội", "--json", "--limit", "50")
        if name == "one":
            assert found.returncode != 0 and "SolrCloud does not answer" in found.stderr, found
            assert "Traceback" not in found.stderr
        else:
            assert found.returncode == 0, found.stderr
            result = json.loads(found.stdout)
            assert result["total"] == want["total"]
            assert [h["id"] for h in result["results"]] == [h["id"] for h in want["results"]]


def test_with_two_replicas_the_search_service_is_complete(outage, replicated):
    """A new service of the same process knows the live nodes the app's client learned."""
    service = open_search(replicated)
    try:
        for search in SEARCHES:
            found = service.search(_request(*search))
            before = outage["before"]["replicated", search]
            assert found.partial is False
            assert found.total == before["total"]
            assert [h.id for h in found.hits] == [h["id"] for h in before["results"]]
    finally:
        service.close()


def test_with_one_replica_searches_answer_partial(outage, single):
    client = outage["apps"]["single"].test_client()
    survivors = single["survivors"]
    lost = 0
    for search in SEARCHES:
        before = outage["before"]["single", search]
        expected = [h["id"] for h in before["results"] if h["id"] in survivors]
        started = time.monotonic()
        response = client.get("/api/search", query_string=_api_args(*search))
        took = time.monotonic() - started
        assert response.status_code == 200, (search, response.json)
        found = response.json
        assert found["partial"] is True
        assert [h["id"] for h in found["results"]] == expected, search
        assert found["total"] == len(expected) <= before["total"]
        lost += before["total"] - found["total"]
        assert took < 2.0, (search, took)
        if not search[1]:   # the library facet counts the works the live shard holds
            library = {v["value"]: v["count"] for v in found["facets"]["library"]}
            held = Counter(s for h in before["results"] if h["id"] in survivors
                           for s in {x["source"] for x in h["holdings"]})
            assert library == dict(held), search

    assert lost > 0

    service = open_search(single["home"])
    try:
        found = service.search(_request("", (), "relevance"))
        assert found.partial is True and found.total > 0
        assert found.to_dict()["partial"] is True
    finally:
        service.close()


@pytest.mark.parametrize("lang", ["en", "zh", "vi"])
def test_the_page_of_a_partial_answer_says_so(outage, lang):
    client = outage["apps"]["single"].test_client()
    page = _search_page(client, "", lang=lang)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert NOTICE[lang] in text
    assert 'class="error partial" role="alert"' in text


def test_status_says_what_a_shard_without_replica_means(outage, single):
    client = outage["apps"]["single"].test_client()
    data = client.get("/status.json").json
    assert data["status"] == "error"
    assert data["index"]["state"] == "unreachable"
    assert "no active servers hosting shard" in data["index"]["message"]
    proc = sheaf(single["home"].path, "status")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "index: unreachable:" in proc.stdout
    assert "no active servers hosting shard" in proc.stdout


# -- regressions: did-you-mean and record pages asked Solr without shards.tolerant ----

def test_a_search_with_few_results_answers_partial_too(outage):
    client = outage["apps"]["single"].test_client()
    response = client.get("/api/search", query_string={"q": "zzzqqq"})
    assert response.status_code == 200 and response.json["partial"] is True


def test_the_record_of_a_partial_hit_opens(outage):
    client = outage["apps"]["single"].test_client()
    hit = client.get("/api/search").json["results"][0]
    assert client.get(f"/record/{hit['id']}").status_code == 200


# -- a node that takes connections and never answers ------------------------------------

class BlackHole:
    """127.0.0.1:port accepts connections and reads them, and never answers: a Solr node
    hung in a long GC pause, or a dead host behind a firewall that keeps the port open."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


def test_a_hung_node_costs_a_search_its_deadline_not_the_engine_timeout(replicated, tmp_path):
    hole = BlackHole()
    home = _pointed_at(replicated, tmp_path / "home", f"http://127.0.0.1:{hole.port}/solr")
    set_setting(home.path, "engine_timeout", 30.0)
    set_setting(home.path, "search_deadline", 1.0)
    app = _app(Home.load(home.path))
    try:
        started = time.monotonic()
        response = app.test_client().get("/api/search", query_string={"q": "hà nội"})
        took = time.monotonic() - started
    finally:
        app.extensions["sheaf.search"].close()
        hole.close()
    assert response.status_code == 503
    assert response.json["error"]["type"] == "search_timeout"
    # the 30 s each HTTP attempt may take never comes into it: the 1 s deadline does
    assert took < 10, took
