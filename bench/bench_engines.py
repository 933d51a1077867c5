"""Whoosh beside SolrCloud: build, size, latency, memory, and a node lost under load.

    python bench/bench_engines.py [--records 250000] [--libraries 1] [--queries 300]
                                  [--engines whoosh,solr] [--no-fault] [--procs 2]
                                  [--solr-shards 2]

In one run, for each engine: the first N records of LC's "Books All 2016"
part 1 (``bench/bench_search.py`` fetches it into ``bench/data/``), imported
under L member libraries (``--libraries 4`` at 250,000: 1,000,000 holdings,
every work held four times), are indexed by ``indexer.build.rebuild`` with
``--procs`` worker processes, and the query mix of ``bench_search.py``
(title words, author surnames, subject words, Chinese fragments, Vietnamese
with and without diacritics) is run as full search requests (every facet and
the year histogram, 20 hits with highlighting, as the site asks).

Whoosh is the embedded engine; Solr is the local 2-node SolrCloud of
``scripts/solr.sh`` (started if it is not up; never stopped), a collection of
``--solr-shards`` shards (1, the setting's default) x 2 replicas behind an alias
of this run's own (``bench<hex>``), which is deleted with its collections at the
end.

Printed, one table each:

* build: seconds, records/s, and the rebuild's stages;
* index size: Whoosh, the generation directory, split into Whoosh's own files
  and Sheaf's stores (``clusters.sqlite``, ``suggest.sqlite`` with its
  per-worker ``.partN`` files, the meta files), which every engine keeps; Solr,
  the cores of the collection on each node that holds a replica
  (``/admin/cores?action=STATUS`` ``index.sizeInBytes``: all four replicas, and
  one copy), plus the same Sheaf stores in its generation directory;
* latency: p50/p95/max per query group and overall, the first search, the
  median hits, and how many queries the two engines count differently;
* memory: the RSS (and anonymous memory) of the Python process that ran the
  searches: a fresh one per engine, so an engine's figure is what a search
  worker holds and not what the build or the other engine left behind; and
  the RSS of each Solr JVM after the Solr searches (they also hold any other
  collection of the cluster);
* fault (Solr, unless ``--no-fault``): one thread searches the mix without
  pause; after ~2 s node 8984 is stopped (``scripts/solr.sh stop-node 8984``;
  8983 holds the embedded ZooKeeper and is never stopped), ~5 s later
  ``scripts/solr.sh start`` restarts it, and the stream goes on until both
  nodes are live, every replica of the collection is active and full answers
  come again. Per phase: searches, failed ones, partial answers
  (``result.partial``), answers whose total differs from the healthy one
  (and how many of those did not say they were partial), latency; and the
  recovery times from the restart command. The node is restarted in a
  ``finally`` whatever happens (SIGTERM included: it is turned into an exit
  that runs the ``finally`` blocks; SIGKILL is not, and then
  ``scripts/solr.sh start`` and a DELETEALIAS of ``bench<hex>`` are left to do).
  ``solr_sh_start_returned_s`` is longer than the collection's recovery: the
  script waits for every collection of the cluster, and a node loads every core
  directory it has on disk before it says it is ready.

The last line, ``RESULT {...}``, has the numbers as JSON. Numbers only;
nothing asserts them. Temporary homes live in a temporary directory that is
removed at the end (the corpus slice ``bench/data/lc-N.mrc`` stays).

Examples:

    python bench/bench_engines.py --records 10000 --queries 100
    python bench/bench_engines.py --records 250000                 # 250,000 holdings
    python bench/bench_engines.py --records 250000 --libraries 4   # 1,000,000 holdings
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_search  # noqa: E402  (fetch_corpus, slice_corpus, query_mix)

SOLR_URL = "http://127.0.0.1:8983/solr"
SOLR_PORTS = (8983, 8984)
FAULT_PORT = 8984          # 8983 runs the embedded ZooKeeper: never stopped
SOLR_SH = ROOT / "scripts" / "solr.sh"
SOLR_BASE = Path(os.environ.get("SHEAF_SOLR_HOME", ROOT / "var" / "solr"))
MIB = 2 ** 20


# ---------------------------------------------------------------- small helpers

def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def status_kib(name: str, pid: int | str = "self") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def table(title: str, header: list[str], rows: list[list], widths: list[int] | None = None):
    widths = widths or [max(len(str(x)) for x in col) + 2
                        for col in zip(header, *rows)]
    print(f"\n== {title}")
    print("".join(f"{h:<{w}}" if i == 0 else f"{h:>{w}}"
                  for i, (h, w) in enumerate(zip(header, widths))))
    for row in rows:
        print("".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                      for i, (c, w) in enumerate(zip(row, widths))))


def fmt(x: float, digits: int = 1) -> str:
    return "-" if x is None or x != x else f"{x:.{digits}f}"


def solr_sh(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SOLR_SH), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def set_settings(home_path: Path, **values) -> None:
    import tomlkit

    config = home_path / "sheaf.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    for name, value in values.items():
        doc["settings"][name] = value
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")


def solr_client(timeout: float = 60):
    from discovery.engines.solr.client import SolrClient
    return SolrClient(SOLR_URL, timeout)


def node_url(node_name: str) -> str:
    return "http://" + node_name.replace("_solr", "/solr")


# ---------------------------------------------------------------- the homes

def import_base(tmp: Path, n: int, libraries: int) -> tuple[Path, Path, dict]:
    """One home with the records imported under ``libraries`` sources (copied per engine)."""
    from harvest.config import Home, Source
    from harvest.importer import import_files
    from harvest.store import RecordStore

    marc = bench_search.slice_corpus(n)
    path = tmp / "base"
    home = Home.init(path)
    for i in range(libraries):
        home.add_source(Source(code=f"lib{i}", name=f"Library {i}", kind="marc", path=str(marc)))
    home = Home.load(path)
    t = time.perf_counter()
    with RecordStore(home.store_path) as store:
        for code in home.sources:
            import_files(home, store, code, [str(marc)])
    took = time.perf_counter() - t
    print(f"import: {n * libraries} holdings ({n} records x {libraries} libraries) in "
          f"{took:.1f} s ({n * libraries / took:.0f}/s), shared by the engines")
    return path, marc, {"import_seconds": round(took, 1)}


def engine_home(tmp: Path, base: Path, engine: str, alias: str | None, shards: int = 1):
    from harvest.config import Home

    path = tmp / engine
    shutil.copytree(base, path)
    if engine == "solr":
        set_settings(path, engine="solr", solr_url=SOLR_URL, solr_alias=alias,
                     solr_shards=shards, solr_replicas=2)
    else:
        set_settings(path, engine="whoosh")
    return Home.load(path)


# ---------------------------------------------------------------- build and size

def build(home, procs: int) -> dict:
    from discovery.engines import open_index
    from harvest.store import RecordStore
    from indexer import build as index_build

    with RecordStore(home.store_path) as store:
        report = index_build.rebuild(home, store, open_index(home), procs=procs,
                                     on_warning=lambda m: None)
    print(f"[{home.settings['engine']}] build: {report}")
    return {"build_seconds": round(report.seconds, 1), "records": report.records,
            "clusters": report.clusters, "failed": len(report.failed),
            "records_per_s": round(report.records / report.seconds),
            "map_seconds": round(report.map_seconds, 1),
            "cluster_seconds": round(report.cluster_seconds, 1),
            "write_seconds": round(report.write_seconds, 1),
            "commit_seconds": round(report.commit_seconds, 1)}


def live_generation(home) -> Path:
    from discovery.engines import index_dir
    return index_dir(home).current().path


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def solr_collection(home) -> str:
    from discovery.engines.solr.index import collection_of
    return collection_of(live_generation(home))


def solr_replicas(collection: str) -> list[dict]:
    """The replicas CLUSTERSTATUS names for ``collection``: core, node, shard, state."""
    state = solr_client().collections(action="CLUSTERSTATUS", collection=collection)
    shards = state.get("cluster", {}).get("collections", {}).get(collection, {}).get("shards", {})
    return [{"core": r.get("core"), "node": r.get("node_name"), "shard": shard,
             "state": r.get("state")}
            for shard, s in sorted(shards.items()) for r in s.get("replicas", {}).values()]


def solr_cores(collection: str) -> list[dict]:
    """Every replica's core of ``collection``, asked of each node that holds one."""
    cores = {}
    for node in sorted({r["node"] for r in solr_replicas(collection)}):
        try:   # this node only (SolrClient would fail over to another node)
            with urllib.request.urlopen(node_url(node) + "/admin/cores?action=STATUS&wt=json",
                                        timeout=60) as resp:
                status = json.loads(resp.read())
        except Exception as exc:  # noqa: BLE001 - said below, as a replica not measured
            print(f"[solr] cores of {node} not read: {exc}")
            continue
        for name, core in status.get("status", {}).items():
            if core.get("cloud", {}).get("collection") != collection:
                continue
            index = core.get("index", {})
            cores[name] = {"core": name, "node": node, "shard": core["cloud"].get("shard"),
                           "bytes": int(index.get("sizeInBytes", 0)),
                           "docs": int(index.get("numDocs", 0)),
                           "segments": int(index.get("segmentCount", 0))}
    return sorted(cores.values(), key=lambda c: (c["shard"], c["node"]))


def index_size(home, engine: str) -> dict:
    from indexer.generations import CLUSTERS_NAME, META_NAME, SUGGEST_NAME

    gen = live_generation(home)
    gen_bytes = dir_bytes(gen)
    # Sheaf's own stores in the generation, beside the engine's index (on every engine):
    # clusters, autocomplete with its per-worker parts (suggest.sqlite.partN), meta, solr.json
    own = sum(p.stat().st_size for p in gen.iterdir() if p.is_file() and p.name.startswith(
        (CLUSTERS_NAME, SUGGEST_NAME, META_NAME, "solr.json")))
    sizes = {"generation_mib": round(gen_bytes / MIB, 1), "sheaf_stores_mib": round(own / MIB, 1)}
    if engine == "whoosh":
        print(f"[whoosh] index size: generation directory {gen_bytes / MIB:.1f} MiB ({gen}), of"
              f" which Sheaf's stores {own / MIB:.1f} MiB")
        engine_mib = round((gen_bytes - own) / MIB, 1)
        return {**sizes, "index_mib": engine_mib, "one_copy_mib": engine_mib, "replicas": 1}
    collection = solr_collection(home)
    if not wait_healthy(collection):
        print(f"[solr] WARNING: measuring a collection that is not healthy:"
              f" {collection_health(collection)[2]}")
    replicas = solr_replicas(collection)
    cores = solr_cores(collection)
    total = sum(c["bytes"] for c in cores)
    one_copy = {}
    for c in cores:   # the largest replica of each shard: one copy of the index
        one_copy[c["shard"]] = max(one_copy.get(c["shard"], 0), c["bytes"])
    placed = Counter(r["node"] for r in replicas)
    print(f"[solr] {collection}: {len(replicas)} replicas, "
          + ", ".join(f"{n} on {node}" for node, n in sorted(placed.items())))
    if len(placed) < len(SOLR_PORTS):
        print("[solr] WARNING: every replica is on one node (the other was down when the"
              " collection was made): losing the other node loses nothing; the fault run"
              " means little")
    missing = [r for r in replicas if r["core"] not in {c["core"] for c in cores}]
    for r in missing:
        print(f"[solr] WARNING: replica {r['core']} on {r['node']} ({r['state']}) not measured")
    for c in cores:
        print(f"[solr] core {c['core']} on {c['node']}: {c['bytes'] / MIB:.1f} MiB,"
              f" {c['docs']} docs, {c['segments']} segments")
    return {**sizes, "index_mib": round(total / MIB, 1), "placement": dict(placed),
            "unmeasured_replicas": len(missing),
            "one_copy_mib": round(sum(one_copy.values()) / MIB, 1), "replicas": len(cores),
            "collection": collection, "docs_per_shard": {c["shard"]: c["docs"] for c in cores}}


# ---------------------------------------------------------------- searching (child process)

def search_child(spec_path: str) -> None:
    """Run in a fresh process: time the query mix, write the figures as JSON."""
    from discovery.engines import open_search
    from discovery.results import SearchRequest
    from harvest.config import Home

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    home = Home.load(spec["home"])
    queries = spec["queries"]
    backend = open_search(home)
    t = time.perf_counter()
    backend.search(SearchRequest(query="history"))
    first = (time.perf_counter() - t) * 1000
    for _group, q in queries[:20]:
        backend.search(SearchRequest(query=q))
    rows = []
    for group, q in queries:
        t = time.perf_counter()
        try:
            result = backend.search(SearchRequest(query=q))
            rows.append({"group": group, "ms": (time.perf_counter() - t) * 1000,
                         "total": result.total, "partial": result.partial})
        except Exception as exc:  # noqa: BLE001 - counted, and shown
            rows.append({"group": group, "ms": (time.perf_counter() - t) * 1000,
                         "total": None, "partial": False,
                         "error": f"{type(exc).__name__}: {exc}"[:300]})
    out = {"first_search_ms": round(first, 1), "rows": rows,
           "rss_mib": round((status_kib("VmRSS") or 0) / 1024, 1),
           "anon_mib": round((status_kib("RssAnon") or 0) / 1024, 1),
           # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec
           "peak_rss_mib": round((status_kib("VmHWM") or 0) / 1024, 1)}
    backend.close()
    Path(spec["out"]).write_text(json.dumps(out), encoding="utf-8")


def run_searches(tmp: Path, home, queries) -> dict:
    engine = home.settings["engine"]
    spec = tmp / f"search-{engine}.json"
    out = tmp / f"search-{engine}.out.json"
    spec.write_text(json.dumps({"home": str(home.path), "queries": queries, "out": str(out)}),
                    encoding="utf-8")
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--search-child",
                           str(spec)], cwd=ROOT)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"the search process for {engine} failed (exit {proc.returncode})")
    found = json.loads(out.read_text(encoding="utf-8"))
    rows = found["rows"]
    errors = Counter(r["error"] for r in rows if r.get("error"))
    for message, count in errors.most_common(5):
        print(f"[{engine}] {count} searches failed: {message}")
    times: dict[str, list[float]] = {}
    for r in rows:
        times.setdefault(r["group"], []).append(r["ms"])
    every = [r["ms"] for r in rows]
    totals = sorted(r["total"] for r in rows if r["total"] is not None)
    groups = {g: {"queries": len(v), "p50_ms": round(pct(v, 50), 1),
                  "p95_ms": round(pct(v, 95), 1), "max_ms": round(max(v), 1)}
              for g, v in sorted(times.items())}
    groups["all"] = {"queries": len(every), "p50_ms": round(pct(every, 50), 1),
                     "p95_ms": round(pct(every, 95), 1), "max_ms": round(max(every), 1)}
    return {"first_search_ms": found["first_search_ms"], "groups": groups,
            "failed": sum(errors.values()), "partial": sum(1 for r in rows if r["partial"]),
            "median_hits": totals[len(totals) // 2] if totals else None,
            "totals": [r["total"] for r in rows],
            "search_rss_mib": found["rss_mib"], "search_anon_mib": found["anon_mib"],
            "search_peak_rss_mib": found["peak_rss_mib"]}


def node_pid(port: int) -> int | None:
    try:
        return int((SOLR_BASE / f"node-{port}" / "node.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def solr_jvms() -> dict[int, dict]:
    """RSS of each Solr node's JVM (its pid from ``var/solr/node-PORT/node.pid``)."""
    out = {}
    for port in SOLR_PORTS:
        pid = node_pid(port)
        if pid is None or status_kib("VmRSS", pid) is None:
            found = subprocess.run(["pgrep", "-f", f"SolrNode {port} "], capture_output=True,
                                   text=True).stdout.split()
            pid = int(found[0]) if found else None
        rss = status_kib("VmRSS", pid) if pid else None
        out[port] = {"pid": pid, "rss_mib": round(rss / 1024, 1) if rss else None}
    return out


# ---------------------------------------------------------------- the fault run

def collection_health(collection: str) -> tuple[int, bool, str]:
    """(live nodes, every replica of ``collection`` active, a short description)."""
    try:
        state = solr_client(5).cluster_status()
    except Exception as exc:  # noqa: BLE001 - the cluster does not answer yet
        return 0, False, f"CLUSTERSTATUS failed: {exc}"[:200]
    live = state.get("live_nodes", [])
    shards = state.get("collections", {}).get(collection, {}).get("shards", {})
    states = [r.get("state") for s in shards.values() for r in s.get("replicas", {}).values()]
    ok = bool(states) and all(s == "active" for s in states)
    # a replica of a node that is not live can still read "active" in the state: not healthy
    nodes = {r.get("node_name") for s in shards.values() for r in s.get("replicas", {}).values()}
    ok = ok and nodes <= set(live)
    return len(live), ok, f"{len(live)} live nodes, replicas {Counter(states)}"


def wait_healthy(collection: str | None = None, timeout: float = 300.0) -> bool:
    """Wait until both nodes are live (and every replica of ``collection`` is active)."""
    deadline = time.monotonic() + timeout
    said = False
    while True:
        if collection:
            live, ok, desc = collection_health(collection)
        else:
            try:
                live = len(solr_client(5).cluster_status().get("live_nodes", []))
            except Exception:  # noqa: BLE001 - not answering yet
                live = 0
            ok, desc = True, f"{live} live nodes"
        if live >= len(SOLR_PORTS) and ok:
            return True
        if time.monotonic() > deadline:
            return False
        if not said:
            print(f"[solr] waiting for the cluster ({desc}) ...")
            said = True
        time.sleep(1.0)


def fault_run(home, queries, healthy: list, stop_after: float = 2.0, down_for: float = 5.0,
              max_wait: float = 300.0) -> dict:
    from discovery.engines import open_search
    from discovery.results import SearchRequest

    collection = solr_collection(home)
    if not wait_healthy(collection):
        raise RuntimeError(f"the cluster is not healthy before the fault run:"
                           f" {collection_health(collection)[2]}")
    pairs = [(g, q, t) for (g, q), t in zip(queries, healthy) if t is not None]
    backend = open_search(home)
    backend.search(SearchRequest(query="history"))
    events: list[dict] = []
    done = threading.Event()
    clock0 = time.monotonic()

    def now() -> float:
        return time.monotonic() - clock0

    def stream():
        i = 0
        while not done.is_set():
            group, q, expected = pairs[i % len(pairs)]
            i += 1
            start = now()
            event = {"start": start, "group": group}
            try:
                result = backend.search(SearchRequest(query=q))
                event.update(ok=True, partial=bool(result.partial),
                             differs=result.total != expected)
            except Exception as exc:  # noqa: BLE001 - a failed search is what is counted
                event.update(ok=False, partial=False, differs=False,
                             error=f"{type(exc).__name__}: {exc}"[:240])
            event["ms"] = (now() - start) * 1000
            events.append(event)

    marks: dict[str, float] = {}
    restarted_pid = None
    health_log = []
    worker = threading.Thread(target=stream, daemon=True)
    restart = None
    restart_log = tempfile.TemporaryFile()   # not a pipe: nothing reads it while it runs
    try:
        worker.start()
        time.sleep(stop_after)
        marks["stop_command"] = now()
        stopped = solr_sh("stop-node", str(FAULT_PORT), timeout=120)
        marks["stopped"] = now()
        if stopped.returncode != 0:
            print(stopped.stdout + stopped.stderr)
        time.sleep(down_for)
        marks["restart_command"] = now()
        restart = subprocess.Popen(["bash", str(SOLR_SH), "start"], cwd=ROOT,
                                   stdout=restart_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            if "start_returned" not in marks and restart.poll() is not None:
                marks["start_returned"] = now()
            live, ok, desc = collection_health(collection)
            if not health_log or health_log[-1][1] != desc:
                health_log.append((round(now() - marks["restart_command"], 2), desc))
            if live >= len(SOLR_PORTS) and "both_live" not in marks:
                marks["both_live"] = now()
            if ok and live >= len(SOLR_PORTS) and "healthy" not in marks:
                marks["healthy"] = now()
                restarted_pid = node_pid(FAULT_PORT)
            if "healthy" in marks and live < len(SOLR_PORTS):
                marks.setdefault("lost_again", now())   # not this run's doing
            if "healthy" in marks and "start_returned" in marks \
                    and now() - max(marks["healthy"], marks["start_returned"]) > 2.0:
                break
            time.sleep(0.2)
        if restart.poll() is None:
            restart.wait(timeout=max(1, deadline - time.monotonic()))
            marks.setdefault("start_returned", now())
        time.sleep(1.0)
    finally:
        done.set()
        worker.join(timeout=60)
        if restart is not None and restart.poll() is None:
            restart.wait()
        # whatever happened above: the node comes back (a no-op when both nodes are up)
        again = solr_sh("start")
        if again.returncode != 0:
            print("scripts/solr.sh start failed after the fault run:\n" + again.stdout[-2000:]
                  + again.stderr[-2000:])
        backend.close()
    interference = []
    if "lost_again" in marks:
        interference.append(f"node {FAULT_PORT} went down again"
                            f" {marks['lost_again'] - marks['restart_command']:.1f} s after the"
                            " restart command, after it had recovered (not stopped by this run)")
    if restarted_pid is not None and node_pid(FAULT_PORT) != restarted_pid:
        interference.append(f"node {FAULT_PORT} is now pid {node_pid(FAULT_PORT)}, not the"
                            f" pid {restarted_pid} this run restarted: someone else stopped or"
                            " restarted it during the run")
    for line in interference:
        print(f"[solr] WARNING: {line}")
    restart_log.seek(0)
    output = restart_log.read().decode("utf-8", "replace")
    restart_log.close()
    if restart is not None:
        if restart.returncode != 0:
            print(f"scripts/solr.sh start exited {restart.returncode}:\n{output[-2000:]}")
    t_restart = marks["restart_command"]

    def phase(e) -> str:
        if e["start"] < marks["stop_command"]:
            return "1 healthy"
        if e["start"] < marks["stopped"]:
            return "2 stopping node"
        if e["start"] < t_restart:
            return "3 node down"
        if e["start"] < marks.get("healthy", float("inf")):
            return "4 restarting"
        return "5 recovered"

    def full(e) -> bool:
        return e["ok"] and not e["partial"] and not e["differs"]

    phases = {}
    for e in events:
        phases.setdefault(phase(e), []).append(e)
    by_phase = {}
    for name, es in sorted(phases.items()):
        ms = [e["ms"] for e in es]
        by_phase[name] = {"searches": len(es), "failed": sum(not e["ok"] for e in es),
                          "partial": sum(e["partial"] for e in es),
                          "differ": sum(e["differs"] for e in es),
                          "differ_not_flagged": sum(e["differs"] and not e["partial"]
                                                    for e in es),
                          "p50_ms": round(pct(ms, 50), 1), "max_ms": round(max(ms), 1)}
    errors = Counter(e["error"] for e in events if not e["ok"])
    after = [e for e in events if e["start"] >= t_restart]
    first_full = next((e["start"] for e in after if full(e)), None)
    bad = [e for e in events if not full(e)]
    since = {k: round(v - t_restart, 2) for k, v in marks.items()
             if k in ("both_live", "healthy", "start_returned")}
    out = {
        "collection": collection, "stop_node": FAULT_PORT,
        "stop_seconds": round(marks["stopped"] - marks["stop_command"], 2),
        "down_seconds": round(t_restart - marks["stopped"], 2),
        "searches": len(events), "failed": sum(not e["ok"] for e in events),
        "partial": sum(e["partial"] for e in events),
        "differ": sum(e["differs"] for e in events),
        "differ_not_flagged": sum(e["differs"] and not e["partial"] for e in events),
        "phases": by_phase,
        "recovery": {
            "both_nodes_live_s": since.get("both_live"),
            "all_replicas_active_s": since.get("healthy"),
            "solr_sh_start_returned_s": since.get("start_returned"),
            "first_full_answer_s": round(first_full - t_restart, 2) if first_full is not None
            else None,
            # the last answer that was not full, from the restart (negative: before it)
            "last_bad_answer_s": round(bad[-1]["start"] - t_restart, 2) if bad else None},
        "errors": dict(errors.most_common(5)),
        "interference": interference,
        "health_log": health_log[:20],
    }
    return out


# ---------------------------------------------------------------- cleanup

def drop_solr(alias: str) -> None:
    try:
        client = solr_client(120)
        try:
            client.collections(action="DELETEALIAS", name=alias)
        except Exception:  # noqa: BLE001 - never made, or already gone
            pass
        for name in client.collection_names():
            if name.startswith(alias + "_"):
                client.collections(action="DELETE", name=name)
                print(f"[solr] deleted collection {name}")
    except Exception as exc:  # noqa: BLE001 - said, not hidden
        print(f"[solr] cleanup of alias {alias} failed: {exc}")


# ---------------------------------------------------------------- the report

def print_tables(results: dict, engines: list[str], queries) -> None:
    table("build (indexer.build.rebuild)", ["engine", "records", "clusters", "build s",
                                            "records/s", "map s", "cluster s", "write s",
                                            "commit s"],
          [[e, r["records"], r["clusters"], fmt(r["build_seconds"]), r["records_per_s"],
            fmt(r["map_seconds"]), fmt(r["cluster_seconds"]), fmt(r["write_seconds"]),
            fmt(r["commit_seconds"])] for e, r in ((e, results[e]) for e in engines)])
    table("index size (MiB): the engine's index (Solr: every replica's core on both nodes),"
          " and Sheaf's own stores in the generation directory (clusters, autocomplete)",
          ["engine", "index, all copies", "one copy", "copies", "Sheaf stores",
           "generation dir"],
          [[e, fmt(r["index_mib"]), fmt(r["one_copy_mib"]), r["replicas"],
            fmt(r["sheaf_stores_mib"]), fmt(r["generation_mib"])]
           for e, r in ((e, results[e]) for e in engines)])
    groups = sorted({g for e in engines for g in results[e]["groups"]} - {"all"}) + ["all"]
    header = ["group", "queries"]
    for e in engines:
        header += [f"{e} p50", f"{e} p95", f"{e} max"]
    rows = []
    for g in groups:
        row = [g, max(results[e]["groups"].get(g, {}).get("queries", 0) for e in engines)]
        for e in engines:
            s = results[e]["groups"].get(g)
            row += [fmt(s["p50_ms"]), fmt(s["p95_ms"]), fmt(s["max_ms"])] if s else ["-"] * 3
        rows.append(row)
    table("search latency (ms), full requests: every facet + year histogram", header, rows)
    table("searches", ["engine", "first ms", "median hits", "failed", "partial"],
          [[e, fmt(results[e]["first_search_ms"], 0), results[e]["median_hits"],
            results[e]["failed"], results[e]["partial"]] for e in engines])
    if len(engines) > 1:
        a, b = (results[e]["totals"] for e in engines[:2])
        differ = [(queries[i], x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
        print(f"queries whose total differs between {engines[0]} and {engines[1]}:"
              f" {len(differ)} of {len(a)}")
        for (group, q), x, y in differ[:8]:
            print(f"    {group:<18} {q!r}: {x} vs {y}")
        results["totals_differ"] = len(differ)
    rows = []
    for e in engines:
        rows.append([f"{e}: search process", fmt(results[e]["search_rss_mib"], 0),
                     fmt(results[e]["search_anon_mib"], 0),
                     fmt(results[e]["search_peak_rss_mib"], 0)])
    if "solr" in engines:
        for port, j in results["solr"]["jvms"].items():
            rows.append([f"solr: JVM node {port} (pid {j['pid']})", fmt(j["rss_mib"], 0), "-", "-"])
    rows.append(["this bench process (imports, builds)",
                 fmt((status_kib("VmRSS") or 0) / 1024, 0),
                 fmt((status_kib("RssAnon") or 0) / 1024, 0),
                 fmt(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)])
    table("memory (MiB) after the searches", ["process", "RSS", "anon", "peak RSS"], rows)
    fault = results.get("solr", {}).get("fault")
    if fault:
        rows = [[name, p["searches"], p["failed"], p["partial"], p["differ"],
                 p["differ_not_flagged"], fmt(p["p50_ms"]), fmt(p["max_ms"])]
                for name, p in fault["phases"].items()]
        rows.append(["all", fault["searches"], fault["failed"], fault["partial"], fault["differ"],
                     fault["differ_not_flagged"], "", ""])
        table(f"fault run: node {fault['stop_node']} stopped for {fault['down_seconds']} s "
              f"(stop-node took {fault['stop_seconds']} s)",
              ["phase", "searches", "failed", "partial", "differ", "unflagged", "p50 ms",
               "max ms"], rows)
        table("recovery, seconds from the restart command",
              ["event", "s"], [[k, fmt(v, 2)] for k, v in fault["recovery"].items()])
        for message, count in fault["errors"].items():
            print(f"    failed {count}x: {message}")
        print("    the collection's state, seconds from the restart command:")
        for t, desc in fault["health_log"]:
            print(f"    +{t:6.2f} s  {desc}")
        for line in fault["interference"]:
            print(f"    WARNING: {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=250_000)
    ap.add_argument("--libraries", type=int, default=1)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--engines", default="whoosh,solr")
    ap.add_argument("--no-fault", action="store_true", help="skip the Solr fault run")
    ap.add_argument("--procs", type=int, default=2, help="rebuild worker processes (2)")
    ap.add_argument("--solr-shards", type=int, default=1,
                    help="shards of the Solr collection (1, the setting's default; each with"
                         " 2 replicas)")
    ap.add_argument("--search-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.search_child:
        search_child(args.search_child)
        return

    def terminated(signum, _frame):
        # SIGTERM as an exception: the finally blocks restart the node, drop the collections
        # and remove the temporary homes
        raise SystemExit(f"terminated by signal {signum}")

    # the rebuild's forked workers must not inherit the handler: their pool terminates them
    # with SIGTERM, and a worker blocked in a lock with a Python handler can stay alive
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    signal.signal(signal.SIGTERM, terminated)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"whoosh", "solr"}
    if unknown or not engines:
        sys.exit(f"--engines: whoosh and/or solr, not {', '.join(sorted(unknown)) or 'nothing'}")

    bench_search.fetch_corpus()
    alias = "bench" + secrets.token_hex(3)
    results: dict = {"records": args.records, "libraries": args.libraries,
                     "holdings": args.records * args.libraries, "procs": args.procs,
                     "solr_shards": args.solr_shards, "solr_replicas": 2}
    if "solr" in engines:
        if solr_sh("status").returncode != 0:
            print("SolrCloud is not up: scripts/solr.sh start")
            started = solr_sh("start")
            if started.returncode != 0:
                sys.exit("scripts/solr.sh start failed:\n" + started.stderr[-3000:])
        if not wait_healthy(timeout=180):
            print("SolrCloud has fewer than 2 live nodes: scripts/solr.sh start")
            started = solr_sh("start")
            if started.returncode != 0 or not wait_healthy(timeout=60):
                sys.exit("the SolrCloud does not have its 2 nodes:\n" + started.stderr[-3000:])
        results["solr_alias"] = alias
    tmp = Path(tempfile.mkdtemp(prefix="sheaf-bench-engines-"))
    try:
        base, marc, imported = import_base(tmp, args.records, args.libraries)
        results.update(imported)
        queries = bench_search.query_mix(marc, args.queries)
        print(f"query mix: {len(queries)} queries, "
              + ", ".join(f"{g} {n}" for g, n in sorted(Counter(g for g, _ in queries).items())))
        for engine in engines:
            home = engine_home(tmp, base, engine, alias if engine == "solr" else None,
                               args.solr_shards)
            if engine == "solr":
                print(f"[solr] collection: {args.solr_shards} shard(s) x 2 replicas")
            r = results[engine] = {}
            r.update(build(home, args.procs))
            r.update(index_size(home, engine))
            r.update(run_searches(tmp, home, queries))
            print(f"[{engine}] searches: p50 {r['groups']['all']['p50_ms']} ms, p95 "
                  f"{r['groups']['all']['p95_ms']} ms, max {r['groups']['all']['max_ms']} ms")
            if engine == "solr":
                r["jvms"] = solr_jvms()
                if not args.no_fault:
                    print(f"[solr] fault run: stopping node {FAULT_PORT} after 2 s ...")
                    r["fault"] = fault_run(home, queries, r["totals"])
            else:
                shutil.rmtree(live_generation(home).parent, ignore_errors=True)  # disk, early
        print_tables(results, engines, queries)
    finally:
        if "solr" in engines:
            drop_solr(alias)
        shutil.rmtree(tmp, ignore_errors=True)
    for e in engines:
        results.get(e, {}).pop("totals", None)
    print("RESULT " + json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
