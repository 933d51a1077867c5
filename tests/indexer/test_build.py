"""Building and updating index generations from the record store."""

from __future__ import annotations

import json

import pytest
from whoosh.query import Term

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.records import RawRecord
from harvest.store import RecordStore
from indexer import build, generations
from indexer.errors import IndexerError, RebuildNeeded
from discovery.engines import open_index
from discovery.engines.whoosh.index import open_index as open_whoosh

from ..support import FIXTURES

# the record u6080510, sent first with damaged MARC-8 CJK, later repaired
DAMAGED, REPAIRED = "marc8_eacc_mangled_chinese.mrc", "marc8_eacc_chinese.mrc"
TRADITIONAL_IDS = {"00409590", "00409591", "00409592", "00409593"}


@pytest.fixture
def home(tmp_path):
    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="m", name="Member", kind="marc", path=str(FIXTURES / DAMAGED)))
    return home


@pytest.fixture
def store(home):
    with RecordStore(home.store_path) as s:
        yield s


def load(home, store, *names, source="m"):
    return import_files(home, store, source, [str(FIXTURES / n) for n in names])


# a record that cannot be read at all (the MARC-8 record 185258 with a bad 082
# indicator maps, with a warning): MARCXML cut off in the middle of a field
BROKEN = RawRecord(local_id="broken-1", format="marcxml",
                   data=b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam')


def holdings(home, cluster_id: str) -> list[str]:
    return [h["record_id"] for h in index_contents(home)[cluster_id]["holdings"]]


def index_contents(home) -> dict[str, dict]:
    """Live documents of the current generation: id -> stored display fields."""
    ix = open_whoosh(generations.IndexDir(home.index_path).current().path)
    try:
        with ix.searcher() as s:
            return {fields["id"]: fields["display"] for fields in s.all_stored_fields()}
    finally:
        ix.close()


def title_hits(home, text: str) -> set[str]:
    """Ids whose title field holds every word the index's own analyzer makes of ``text``."""
    ix = open_whoosh(generations.IndexDir(home.index_path).current().path)
    words = [t.text for t in ix.schema["title"].analyzer(text, mode="query")]
    try:
        with ix.searcher() as s:
            found = None
            for word in words:
                ids = {hit["id"] for hit in s.search(Term("title", word), limit=None)}
                found = ids if found is None else found & ids
            return found or set()
    finally:
        ix.close()


def test_status_before_any_index_is_missing(home, store):
    load(home, store, "chinese_880_traditional.mrc")
    st = build.status(home, store, open_index(home))
    assert st["state"] == "missing"
    assert st["store_seq"] == store.max_seq() == 1


def test_rebuild_indexes_everything_and_reports_the_record_it_cannot_map(home, store):
    load(home, store, DAMAGED, "chinese_880_traditional.mrc", "marc8_bad_indicator_082.mrc")
    store.put_many("m", [BROKEN])
    seen = []

    report = build.rebuild(home, store, open_index(home), on_failure=lambda rid, why: seen.append((rid, why)))

    assert report.rebuilt is True
    assert (report.records, report.clusters) == (6, 6)
    assert [rid for rid, _ in report.failed] == ["m:broken-1"]
    assert "MARCXML" in report.failed[0][1]
    assert seen == report.failed
    assert report.warnings >= 1  # 185258's bad 082 indicator
    assert set(index_contents(home)) == ({f"m:{i}" for i in TRADITIONAL_IDS}
                                         | {"m:u6080510", "m:185258"})
    st = build.status(home, store, open_index(home))
    assert (st["state"], st["documents"], st["indexed_seq"]) == ("current", 6, store.max_seq())


def test_update_adds_new_replaces_changed_and_removes_deleted(home, store):
    load(home, store, DAMAGED, "chinese_880_traditional.mrc")
    first = build.rebuild(home, store, open_index(home))
    assert index_contents(home)["m:u6080510"]["title_vernacular"] != "車輪滾滾"
    assert title_hits(home, "車輪滾滾") == set()
    assert title_hits(home, "日據時期") == {"m:00409590"}

    load(home, store, REPAIRED, "chinese_880_simplified.mrc")
    store.put_many("m", [RawRecord(local_id="00409590", format="marc21", data=b"", deleted=True)])
    assert build.status(home, store, open_index(home))["state"] == "behind"

    report = build.update(home, store, open_index(home))

    assert report.rebuilt is False
    # the update went live as a new generation, a changed clone of the first
    assert report.generation != first.generation
    assert generations.IndexDir(home.index_path).current().name == report.generation
    # 3 records mapped; their 3 clusters written and the deleted record's removed
    assert (report.records, report.clusters, report.removed, report.failed) == (3, 3, 1, [])
    docs = index_contents(home)
    assert set(docs) == ({f"m:{i}" for i in TRADITIONAL_IDS - {"00409590"}}
                         | {"m:u6080510", "m:00409609", "m:00409616"})
    assert docs["m:u6080510"]["title_vernacular"] == "車輪滾滾"
    assert title_hits(home, "車輪滾滾") == {"m:u6080510"}
    assert title_hits(home, "日據時期") == set()
    assert title_hits(home, "黃崗村志") == {"m:00409616"}
    st = build.status(home, store, open_index(home))
    assert (st["state"], st["documents"]) == ("current", 6)


def test_update_with_nothing_new_does_nothing(home, store):
    load(home, store, "chinese_880_traditional.mrc")
    first = build.rebuild(home, store, open_index(home))
    report = build.update(home, store, open_index(home))
    assert (report.records, report.clusters, report.removed, report.generation) == \
        (0, 0, 0, first.generation)


def test_a_mapping_failure_in_update_is_reported_and_the_rest_indexed(home, store):
    load(home, store, "chinese_880_traditional.mrc")
    build.rebuild(home, store, open_index(home))
    load(home, store, "chinese_880_simplified.mrc")
    store.put_many("m", [BROKEN])
    seen = []

    report = build.update(home, store, open_index(home), on_failure=lambda rid, why: seen.append(rid))

    assert seen == ["m:broken-1"] == [rid for rid, _ in report.failed]
    assert report.records == 2
    assert "m:broken-1" not in index_contents(home)
    assert len(index_contents(home)) == 6


def test_the_same_record_from_two_libraries_is_one_result_with_two_holdings(home, store):
    home.add_source(Source(code="n", name="Other member", kind="marc",
                           path=str(FIXTURES / "chinese_880_traditional.mrc")))
    load(home, store, "chinese_880_traditional.mrc")
    build.rebuild(home, store, open_index(home))
    assert holdings(home, "m:00409591") == ["m:00409591"]

    load(home, store, "chinese_880_traditional.mrc", source="n")
    report = build.update(home, store, open_index(home))

    # the four records again, from a second library: same clusters, a holding more each
    assert (report.records, report.clusters, report.removed) == (4, 4, 0)
    docs = index_contents(home)
    assert set(docs) == {f"m:{i}" for i in TRADITIONAL_IDS}
    assert holdings(home, "m:00409591") == ["m:00409591", "n:00409591"]

    # the first library withdraws its copy: the cluster's id moves to the remaining member
    store.put_many("m", [RawRecord(local_id="00409591", format="marc21", data=b"", deleted=True)])
    report = build.update(home, store, open_index(home))
    assert (report.clusters, report.removed) == (1, 1)
    docs = index_contents(home)
    assert "m:00409591" not in docs
    assert holdings(home, "n:00409591") == ["n:00409591"]


def test_a_killed_update_is_finished_by_the_next(home, store, monkeypatch):
    load(home, store, "chinese_880_traditional.mrc")
    build.rebuild(home, store, open_index(home))
    load(home, store, "chinese_880_simplified.mrc")

    def die(*args, **kwargs):
        raise KeyboardInterrupt  # stands for the process dying before the index commit

    monkeypatch.setattr(build, "_document", die)
    with pytest.raises(KeyboardInterrupt):
        build.update(home, store, open_index(home))
    monkeypatch.undo()
    assert build.status(home, store, open_index(home))["state"] == "behind"

    report = build.update(home, store, open_index(home))
    # the clusters the killed run had already put in the cluster store are written now
    assert report.clusters == 2
    assert {"m:00409609", "m:00409616"} <= set(index_contents(home))
    assert build.status(home, store, open_index(home))["state"] == "current"


def test_update_without_an_index_builds_one(home, store):
    load(home, store, "chinese_880_traditional.mrc")
    report = build.update(home, store, open_index(home))
    assert report.rebuilt is True
    assert set(index_contents(home)) == {f"m:{i}" for i in TRADITIONAL_IDS}


def test_rebuild_switches_generation_and_keeps_only_the_one_it_replaced(home, store):
    # The replaced generation stays one more round for workers still reading it.
    load(home, store, "chinese_880_traditional.mrc")
    first = build.rebuild(home, store, open_index(home))
    second = build.rebuild(home, store, open_index(home))
    third = build.rebuild(home, store, open_index(home))

    assert len({first.generation, second.generation, third.generation}) == 3
    assert (home.index_path / "CURRENT").read_text(encoding="utf-8").strip() == third.generation
    assert sorted(p.name for p in home.index_path.glob("gen-*")) == [second.generation,
                                                                     third.generation]
    assert set(index_contents(home)) == {f"m:{i}" for i in TRADITIONAL_IDS}


def test_an_index_built_with_other_versions_needs_a_rebuild(home, store):
    load(home, store, "chinese_880_traditional.mrc")
    report = build.rebuild(home, store, open_index(home))
    meta_path = home.index_path / report.generation / generations.META_NAME
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["versions"] = {**meta["versions"], "analysis": meta["versions"]["analysis"] - 1}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    load(home, store, "chinese_880_simplified.mrc")

    assert build.status(home, store, open_index(home))["state"] == "rebuild-needed"
    with pytest.raises(RebuildNeeded, match="sheaf index --rebuild"):
        build.update(home, store, open_index(home))
    build.rebuild(home, store, open_index(home))
    assert build.status(home, store, open_index(home))["state"] == "current"


def test_a_current_pointer_to_a_missing_generation_is_damaged(home, store):
    load(home, store, "chinese_880_traditional.mrc")
    build.rebuild(home, store, open_index(home))
    (home.index_path / "CURRENT").write_text("gen-gone\n", encoding="utf-8")

    st = build.status(home, store, open_index(home))

    assert st["state"] == "damaged"
    assert "gen-gone" in st["message"]
    with pytest.raises(IndexerError):
        build.update(home, store, open_index(home))


def test_rebuild_writes_facet_values_beside_each_segment(home, store):
    # what searchers load instead of reading every facet term's postings
    from discovery.engines.whoosh.facets import from_segment
    from discovery.engines.whoosh import facetfiles
    from discovery.engines.whoosh.schema import FACET_FIELDS

    load(home, store, "chinese_880_traditional.mrc", "chinese_880_simplified.mrc")
    report = build.rebuild(home, store, open_index(home), procs=2)
    folder = home.index_path / report.generation
    ix = open_whoosh(generations.IndexDir(home.index_path).current().path)
    with ix.reader() as reader:
        leaves = list(reader.leaf_readers())
        assert len(leaves) == 2  # one segment per worker
        for leaf, _offset in leaves:
            for field in FACET_FIELDS:
                docs, labels, values = facetfiles.read(folder, leaf.segment().segment_id(), field)
                p_docs, p_labels, p_values = from_segment(leaf, field)
                assert {(int(d), labels[v]) for d, v in zip(docs, values)} == \
                    {(int(d), p_labels[v]) for d, v in zip(p_docs, p_values)}
                # (the Chinese fixtures have no 856: no online copies)
                assert len(docs) > 0 or field in ("class_facet", "subject_facet", "online")


def test_a_worker_starts_another_segment_when_its_postings_fill_up(home, store, monkeypatch):
    from discovery.engines.whoosh import index as whoosh_index_side

    load(home, store, "chinese_880_traditional.mrc", "chinese_880_simplified.mrc",
         "multilingual_lc_50.mrc")
    build.rebuild(home, store, open_index(home), procs=2)
    whole = index_contents(home)
    monkeypatch.setattr(whoosh_index_side, "SEGMENT_POSTINGS", 400)
    report = build.rebuild(home, store, open_index(home), procs=2)
    ix = open_whoosh(generations.IndexDir(home.index_path).current().path)
    with ix.reader() as reader:
        leaves = list(reader.leaf_readers())
        assert len(leaves) > 4
        for leaf, _offset in leaves:   # each segment has its facet files
            assert (home.index_path / report.generation /
                    f"facets-{leaf.segment().segment_id()}-source.npz").exists()
    ix.close()
    assert index_contents(home) == whole
