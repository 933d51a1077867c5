"""Where a web worker's memory goes under load: tracemalloc in one process serving
bench/load.py's mix.

    python bench/memory.py [--records 50000] [--readers 8] [--rounds 6] [--per-round 400]
                           [--queries 300] [--distinct]

The app (web.create_app over bench_search.py's home, the one bench/load.py serves) runs
in this process and ``--readers`` threads, each with its own Flask test client, send
load.py's requests (search page, JSON API, record page of a hit, from the same query
mix) as a worker's threads would answer them. After a warm-up round and after each of
``--rounds`` rounds of ``--per-round`` requests it prints the memory tracemalloc sees
(after a garbage collection) and the process's RSS, its anonymous part and its resident
file pages (Whoosh mmaps the index's segment files), and at the end the 15 places (file:line) that grew most from the
end of the first round to the end of the last. ``--distinct`` makes every query of a
round new (the mix's words recombined), as a public site's long tail does. Numbers only.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import build, query_mix  # noqa: E402
from load import Reader  # noqa: E402


def rss_mib() -> str:
    """The process's RSS, and of it the anonymous memory (the heap, arrays) and the
    resident pages of files (the index's mmapped segment files)."""
    with open("/proc/self/status", encoding="ascii") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    mib = {k: int(fields[k].split()[0]) // 1024 for k in ("VmRSS", "RssAnon", "RssFile")}
    return f"{mib['VmRSS']} MiB (anonymous {mib['RssAnon']}, files {mib['RssFile']})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=50000)
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--per-round", type=int, default=400)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--distinct", action="store_true")
    ap.add_argument("--root", type=Path, default=Path("/tmp/sheaf-bench-load"))
    args = ap.parse_args()
    sys.argv = sys.argv[:1]
    home, marc = build(args.records, 1, 1, root=args.root)
    queries = [q for _g, q in query_mix(marc, args.queries, seed=args.seed)]
    words = sorted({w for q in queries for w in q.split()})
    os.environ["SHEAF_HOME"] = str(home.path)
    from web import create_app

    app = create_app()
    client = app.test_client()
    ids = []
    for q in queries[:40]:
        found = client.get("/api/search", query_string={"q": q})
        if found.status_code == 200:
            ids += [r["id"] for r in found.get_json()["results"][:3]]
    rng = random.Random(args.seed)
    readers = [Reader("http://127.0.0.1:1", queries, ids, args.seed * 1000 + i,
                      threading.Event()) for i in range(args.readers)]
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def round_(n: int) -> None:
        if args.distinct:
            for r in readers:
                r.queries = [" ".join(rng.sample(words, 2)) for _ in queries]
        share = [n // len(readers)] * len(readers)

        def work(reader, count):
            c = app.test_client()
            for _ in range(count):
                code = c.get(reader.path()).status_code
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1

        threads = [threading.Thread(target=work, args=(r, k)) for r, k in zip(readers, share)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    round_(args.per_round)   # warm-up, untraced
    print(f"{args.records} records, {args.readers} threads; after a warm-up of"
          f" {args.per_round} requests RSS {rss_mib()}", flush=True)
    tracemalloc.start(1)
    first = None
    for n in range(args.rounds):
        t = time.perf_counter()
        round_(args.per_round)
        gc.collect()          # what a round left that is garbage is not growth
        snap = tracemalloc.take_snapshot()
        first = first or snap
        current, _peak = tracemalloc.get_traced_memory()
        print(f"round {n + 1}: {args.per_round} requests in {time.perf_counter() - t:.0f} s;"
              f" traced {current / 2**20:.1f} MiB, RSS {rss_mib()}", flush=True)
    print(f"statuses: {statuses}")
    print("grew most from the end of round 1 to the end of the last:")
    for stat in snap.compare_to(first, "lineno")[:15]:
        print(f"  {stat.size_diff / 2**20:+7.2f} MiB {stat.count_diff:+7d} blocks"
              f"  {stat.traceback[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
