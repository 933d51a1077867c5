"""How build time, index size, query latency and memory grow with the collection.

    python bench/bench_growth.py [--sizes 25000,50000,100000,250000] [--libraries 1]

For each size, ``bench/bench_search.py`` builds the index in one process
(``--rebuild``) and then times the query mix in a fresh one, so the memory
figure is a search process's own. Prints one table row per size, plus each
figure's growth factor against the first size. Numbers only; nothing
asserts them. ``--sizes 250000 --libraries 4`` is the 1,000,000-record run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent / "bench_search.py"


def run(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, str(BENCH), *args], check=True, text=True,
                         capture_output=True).stdout
    sys.stderr.write(out)
    line = next(line for line in reversed(out.splitlines()) if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="25000,50000,100000,250000")
    ap.add_argument("--libraries", type=int, default=1)
    ap.add_argument("--procs", type=int, default=2)
    args = ap.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        common = ["--records", str(n), "--libraries", str(args.libraries),
                  "--procs", str(args.procs)]
        built = run(common + ["--rebuild"])
        searched = run(common)
        rows.append({**searched, **{k: built[k] for k in
                                    ("build_seconds", "records_per_s", "clusters")}})
    columns = [("records", "records"), ("clusters", "clusters"), ("build_seconds", "build s"),
               ("records_per_s", "rec/s"), ("index_mib", "index MiB"), ("p50_ms", "p50 ms"),
               ("p95_ms", "p95 ms"), ("max_ms", "max ms"), ("first_search_ms", "1st ms"),
               ("anon_mib", "anon MiB")]
    print("".join(f"{title:>11}" for _k, title in columns))
    for row in rows:
        print("".join(f"{row[k]:>11}" for k, _t in columns))
    if len(rows) > 1:
        base = rows[0]
        print("growth against the first size:")
        for row in rows[1:]:
            print("".join(f"{row[k] / base[k]:>10.2f}x" if base[k] else f"{'-':>11}"
                          for k, _t in columns))
    for row in rows:
        print(f"{row['records']}: p95 by group {row['p95_by_group']}")


if __name__ == "__main__":
    main()
