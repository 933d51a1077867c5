"""Parse and map a MARC file; print records/s.

    python bench/bench_mapping.py [MARC_FILE] [--format marc21] [--repeat 3]

The default file is the 10,000-record LC slice in ../shared/data. Stages,
each the best of ``--repeat`` runs over records already in memory, on one core:

* pymarc    pymarc.Record(data) alone, for comparison (no mapping)
* decode    Sheaf's decoder: ISO 2709 checked and cut, character set chosen, NFC text
* map       map_stored(data, fmt): decode + every mapping rule (the figure that counts)

The target is map >= 5,000 records/s. It prints numbers only; no test asserts them.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pymarc  # noqa: E402

from harvest.marcfile import read_file  # noqa: E402
from indexer.mapping import _READS, map_stored  # noqa: E402
from indexer.record import decode  # noqa: E402

DEFAULT = ROOT.parent / "shared/data/loc-booksall-2016-part01/booksall2016p01_rec080000-089999.mrc"


def best_rate(records: list, fn, repeat: int) -> tuple[float, float]:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for data, fmt in records:
            fn(data, fmt)
        best = min(best, time.perf_counter() - started)
    return len(records) / best, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--format", default=None, help="iso2709, marc21, unimarc or marcxml")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = Path(args.file)
    if not path.is_file():
        sys.exit(f"no such file: {path} (pass a MARC file)")

    rejected = []
    records = [(r.data, r.format) for r in read_file(path, args.format, rejected.append)]
    print(f"{path.name}: {len(records)} records ({len(rejected)} unreadable, left out)")

    def with_pymarc(data, fmt):
        if fmt != "marcxml":
            pymarc.Record(data, to_unicode=True, force_utf8=data[9:10] == b"a")

    def drop(message):
        pass

    stages = (
        ("pymarc", with_pymarc) if any(fmt != "marcxml" for _, fmt in records) else None,
        ("decode", lambda data, fmt: decode(data, fmt, only=_READS)),
        ("map", lambda data, fmt: map_stored(data, fmt, on_warning=drop)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, fn in filter(None, stages):
            rate, seconds = best_rate(records, fn, args.repeat)
            print(f"{label:<7} {rate:9,.0f} records/s  ({len(records)} in {seconds:.2f} s)")


if __name__ == "__main__":
    main()
