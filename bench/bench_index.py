"""Import and index a MARC file; print records/s for each stage.

    python bench/bench_index.py [MARC_FILE] [--procs N] [--repeat-search N]

The default file is the 10,000-record LC slice in ../shared/data. Stages:

* read    ISO 2709 records cut and checked (no store)
* import  read + written to a fresh SQLite store
* map     decode + mapping rules, from the store
* index   the whole ``rebuild``: map + clustering + Whoosh add_document + commit

It prints numbers only; no test asserts them.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harvest.config import Home, Source  # noqa: E402
from harvest.importer import import_files  # noqa: E402
from harvest.marcfile import read_file  # noqa: E402
from harvest.store import RecordStore  # noqa: E402
from indexer import build  # noqa: E402
from indexer.analysis import warm_up  # noqa: E402
from indexer.mapping import map_stored  # noqa: E402
from discovery.engines import open_index  # noqa: E402

DEFAULT = ROOT.parent / "shared/data/loc-booksall-2016-part01/booksall2016p01_rec080000-089999.mrc"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.0f} records/s  ({n} in {seconds:.2f} s)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--procs", type=int, default=1)
    args = ap.parse_args()
    path = Path(args.file)
    if not path.is_file():
        sys.exit(f"no such file: {path} (pass a MARC file)")

    warm_up()
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-") as tmp:
        home = Home.init(tmp)
        home.add_source(Source(code="lc", name="Library of Congress", kind="marc", path=str(path)))

        t = time.perf_counter()
        n_read = sum(1 for _ in read_file(path, "marc21", lambda r: None))
        print(f"read    {rate(n_read, time.perf_counter() - t)}")

        with RecordStore(home.store_path) as store:
            t = time.perf_counter()
            summary = import_files(home, store, "lc", [str(path)])
            print(f"import  {rate(summary.read, time.perf_counter() - t)}  [{summary}]")

            t = time.perf_counter()
            n = 0
            for rec in store.iter_records(include_deleted=False):
                map_stored(rec.data, rec.format)
                n += 1
            print(f"map     {rate(n, time.perf_counter() - t)}")

            report = build.rebuild(home, store, open_index(home), procs=args.procs)
            print(f"index   {rate(report.records, report.seconds)}  procs={args.procs}"
                  f"  ({report.clusters} clusters)")
            print(f"        of which map {report.map_seconds:.2f} s (workers), cluster "
                  f"{report.cluster_seconds:.2f} s, documents+segments {report.write_seconds:.2f} s"
                  f" (workers), write phase {report.commit_seconds:.2f} s")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS {own:.0f} MiB (largest writer subprocess {children:.0f} MiB)")


if __name__ == "__main__":
    main()
