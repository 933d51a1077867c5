"""What an incremental update costs now that it goes live as a probed clone.

    python bench/bench_update.py [MARC_FILE] [--rounds 5] [--changes 100]

Imports the file (default: the 10,000-record LC slice in ../shared/data) into
a fresh home, rebuilds, then runs ``--rounds`` updates, each after retitling
``--changes`` records in the store, exactly as ``sheaf index`` runs them (the
same probe before the switch). Prints, per round: the update's seconds, the
part spent cloning the live generation, the probe's seconds, the new bytes the
clone holds (files not shared by hard link with the generation it replaced),
and the segments after the commit. It prints numbers only; no test asserts them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discovery.health import check_generation  # noqa: E402
from harvest.config import Home, Source  # noqa: E402
from harvest.importer import import_files  # noqa: E402
from harvest.records import RawRecord  # noqa: E402
from harvest.store import RecordStore  # noqa: E402
from indexer import build  # noqa: E402
from indexer.generations import IndexDir  # noqa: E402
from discovery.engines import open_index  # noqa: E402

DEFAULT = ROOT.parent / "shared/data/loc-booksall-2016-part01/booksall2016p01_rec080000-089999.mrc"


def own_bytes(path: Path) -> int:
    """Bytes of the files in a generation that no other directory links to."""
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file() and p.stat().st_nlink == 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--changes", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sheaf-bench-update-") as tmp:
        home = Home.init(Path(tmp) / "home")
        home.add_source(Source(code="lc", name="LC", kind="marc", path=args.file))
        home = Home.load(home.path)

        def verify(gen, report):
            return check_generation(home, gen, tuple(report.written_ids),
                                    tuple(report.removed_ids)).problems

        with RecordStore(home.store_path) as store:
            import_files(home, store, "lc", [args.file])
            t = time.perf_counter()
            report = build.rebuild(home, store, open_index(home), procs=int(home.settings["index_procs"]),
                                   verify=verify)
            print(f"rebuild: {report.records} records in {time.perf_counter() - t:.1f} s"
                  f" (probe {report.verify_seconds * 1000:.0f} ms)")
            records = [r for r in store.iter_records(include_deleted=False)]
            index = IndexDir(home.index_path)
            print("round  changed  update_s  clone_s  probe_ms  new_MiB  segments")
            for round_no in range(args.rounds):
                batch = records[round_no * args.changes:(round_no + 1) * args.changes]
                store.put_many("lc", [RawRecord(local_id=r.local_id, format=r.format,
                                                data=_retitled(r.data, round_no))
                                      for r in batch])
                t = time.perf_counter()
                report = build.update(home, store, open_index(home), verify=verify)
                seconds = time.perf_counter() - t
                gen = index.current()
                segments = open_index(home).describe(gen.path).get("segments", "-")
                print(f"{round_no + 1:>5}  {report.records:>7}  {seconds:8.2f}  {report.clone_seconds:7.3f}"
                      f"  {report.verify_seconds * 1000:8.0f}  {own_bytes(gen.path) / 2**20:7.1f}"
                      f"  {segments:>8}")


def _retitled(data: bytes, round_no: int) -> bytes:
    """The record with a word added to its 245 $a (same length rules: pymarc rewrites it)."""
    import pymarc

    record = next(iter(pymarc.MARCReader(data, to_unicode=True, force_utf8=True)))
    if record["245"] is not None and record["245"]["a"]:
        record["245"]["a"] = f"{record['245']['a']} round{round_no}"
    return record.as_marc()


if __name__ == "__main__":
    main()
