"""The browse tests' home: four member libraries whose call numbers stand on all three
shelves, and what the store says the browse lists and shelves must hold.

* ``loc``: LC records with Han 880s and the 50-record multilingual sample (LCC from 050)
* ``vn``: LC Vietnamese records (Vietnamese headings, LCC)
* ``umich``: traject's UMich records, 852 holdings in LCC and in Dewey
* ``hust``: the constructed CNMARC records, CLC call numbers in 905

The expectations are worked out here from the stored records, mapped, and the
cluster store: the engines are not asked.
"""

from __future__ import annotations

from collections import defaultdict

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from indexer.callnumbers import SCHEMES, scheme_of, shelf_key, shelf_value
from indexer.cluster_store import ClusterStore
from indexer.generations import IndexDir
from indexer.mapping import map_stored
from discovery.engines import open_index

from .support import FIXTURES

BROWSE_SOURCES = {
    "loc": ("Library of Congress", ["chinese_880_traditional.mrc",
                                    "chinese_880_simplified.mrc", "multilingual_lc_50.mrc"]),
    "vn": ("Thư viện Quốc gia Việt Nam", ["vietnamese_nfd_titles.mrc"]),
    "umich": ("University of Michigan Library", ["umich_852_lcc_and_dewey.mrc"]),
    "hust": ("华中科技大学图书馆", ["cnmarc_utf8.mrc"]),
}


def build_browse_home(home: Home) -> Home:
    for code, (name, files) in BROWSE_SOURCES.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=str(FIXTURES / files[0])))
    with RecordStore(home.store_path) as store:
        for code, (_name, files) in BROWSE_SOURCES.items():
            summary = import_files(home, store, code, [str(FIXTURES / f) for f in files])
            assert summary.rejected == [], summary.rejected
        report = build.rebuild(home, store, open_index(home))
    assert report.failed == [], report.failed
    return Home.load(home.path)


class Expected:
    """Each cluster's mapped member records, read from the store and the cluster store."""

    def __init__(self, home: Home):
        self.clusters: dict[str, list[dict]] = defaultdict(list)
        with RecordStore(home.store_path) as store, \
                ClusterStore(IndexDir(home.index_path).current().clusters_path) as clusters:
            for rec in store.iter_records(include_deleted=False):
                mapped = map_stored(rec.data, rec.format, source=rec.source,
                                    local_id=rec.local_id, on_warning=lambda m: None)
                self.clusters[clusters.cluster_of(rec.id) or rec.id].append(mapped)

    def clusters_with(self, key: str) -> dict[str, int]:
        """value -> clusters having it (a mapped list field, members' values united)."""
        out: dict[str, int] = defaultdict(int)
        for members in self.clusters.values():
            for value in {v for m in members for v in m.get(key, [])}:
                out[value] += 1
        return dict(out)

    def shelf(self, scheme: str) -> list[tuple[str, str]]:
        """(shelf value, call number) of every cluster on a scheme's shelf, in shelf order:
        each cluster at its first call number in the scheme."""
        out = []
        for cluster_id, members in self.clusters.items():
            placed = []
            for m in members:
                classes = {s: m.get(s, []) for s in SCHEMES}
                for h in m.get("holdings", []):
                    call = h.get("call_number")
                    if call and scheme_of(call, classes, h.get("scheme")) == scheme:
                        placed.append((shelf_key(scheme, call), call))
            if placed:
                key, call = min(placed)
                out.append((shelf_value(key, cluster_id), call))
        return sorted(out)
