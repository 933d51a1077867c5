"""Property: any sequence of adds, changes and deletions applied through incremental
updates reads exactly as a rebuild of the same store (issue 13).

Hypothesis draws the sequences over real LC records (and retitled copies, and
copies of one library's record sent by another, which join its cluster); an
``index`` step may come anywhere and always comes last. After the sequence a
second home gets a copy of the store and a rebuild, and every read through
the Flask app (:mod:`tests.readback`) must agree. Every update goes through
the same probe the CLI uses before a generation goes live.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from copy import deepcopy
from pathlib import Path

import pymarc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discovery.health import check_generation
from harvest.config import Home, Source
from harvest.records import RawRecord
from harvest.store import RecordStore
from indexer import build
from web import create_app
from discovery.engines import open_index

from .. import readback
from ..support import FIXTURES

EXAMPLES = int(os.environ.get("SHEAF_PROPERTY_EXAMPLES", "12"))
QUERIES = ["", "history", "中国", "viet nam", "title:edition"]
FILTERS = ["library:a"]
PREFIXES = ["hist", "viet", "zh", "edition"]
FIRST = 8   # records of library a indexed by the first rebuild


def _records() -> list[pymarc.Record]:
    out = []
    for name in ("multilingual_lc_50.mrc", "chinese_880_traditional.mrc",
                 "vietnamese_nfd_titles.mrc"):
        with open(FIXTURES / name, "rb") as fh:
            out += list(pymarc.MARCReader(fh, to_unicode=True, force_utf8=True))
    return out[:20] + out[50:54] + out[54:60]


POOL = _records()


def _raw(record: pymarc.Record, title: str | None = None) -> RawRecord:
    if title is not None:
        record = deepcopy(record)
        record["245"]["a"] = title
    return RawRecord(local_id=record["001"].data.strip(), format="marc21",
                     data=record.as_marc())


def _tombstone(record: pymarc.Record) -> RawRecord:
    return RawRecord(local_id=record["001"].data.strip(), format="marc21", data=b"",
                     deleted=True)


operation = st.one_of(
    st.tuples(st.just("put"), st.sampled_from("ab"), st.integers(0, len(POOL) - 1)),
    st.tuples(st.just("retitle"), st.sampled_from("ab"), st.integers(0, len(POOL) - 1),
              st.sampled_from(["History of the second edition", "中国历史", "Việt Nam"])),
    st.tuples(st.just("delete"), st.sampled_from("ab"), st.integers(0, len(POOL) - 1)),
    st.tuples(st.just("index"),),
)


def _home(path: Path) -> Home:
    home = Home.init(path)
    home.add_source(Source(code="a", name="Library A", kind="marc", path=str(path / "a.mrc")))
    home.add_source(Source(code="b", name="Thư viện B", kind="marc", path=str(path / "b.mrc")))
    return Home.load(path)


def _verify(home: Home):
    def verify(gen, report):
        return check_generation(home, gen, tuple(report.written_ids),
                                tuple(report.removed_ids)).problems
    return verify


def _picture(path: Path) -> dict:
    app = create_app({"SHEAF_HOME": str(path), "TESTING": True})
    try:
        return readback.picture(readback.ClientReader(app.test_client()), QUERIES, FILTERS,
                                PREFIXES)
    finally:
        app.extensions["sheaf.search"].close()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=8))
def test_updates_read_as_a_rebuild(operations):
    root = Path(tempfile.mkdtemp(prefix="sheaf-property-"))
    try:
        home = _home(root / "live")
        with RecordStore(home.store_path) as store:
            store.put_many("a", [_raw(r) for r in POOL[:FIRST]])
            build.rebuild(home, store, open_index(home), verify=_verify(home))
            for op in operations:
                if op[0] == "put":
                    store.put_many(op[1], [_raw(POOL[op[2]])])
                elif op[0] == "retitle":
                    store.put_many(op[1], [_raw(POOL[op[2]], op[3])])
                elif op[0] == "delete":
                    store.put_many(op[1], [_tombstone(POOL[op[2]])])
                else:
                    build.update(home, store, open_index(home), verify=_verify(home))
            build.update(home, store, open_index(home), verify=_verify(home))
        twin = _home(root / "twin")
        shutil.copyfile(home.store_path, twin.store_path)
        with RecordStore(twin.store_path) as store:
            build.rebuild(twin, store, open_index(twin))
        got, want = _picture(home.path), _picture(twin.path)
        assert got["records"] or not want["records"]
        diffs = readback.differences(got, want)
        assert not diffs, f"after {operations}:\n" + "\n".join(diffs)
    finally:
        shutil.rmtree(root, ignore_errors=True)
