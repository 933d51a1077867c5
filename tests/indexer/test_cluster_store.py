"""Keeping clusters current record by record (ClusterStore) on real LC records."""

from __future__ import annotations

import random
from dataclasses import replace

import pymarc
import pytest

from indexer.cluster import cluster_all
from indexer.cluster_store import ClusterStore, dump_keys, load_keys

from ..support import FIXTURES, iso2709_records
from .test_cluster import MULTILINGUAL, TRADITIONAL, copy_of, keys, record, set_year


@pytest.fixture
def store(tmp_path):
    with ClusterStore(tmp_path / "clusters.sqlite") as s:
        yield s


def clusters(store: ClusterStore) -> list[list[str]]:
    return sorted(members for _cid, members in store.clusters())


def with_issn(rec: pymarc.Record, issn: str) -> pymarc.Record:
    rec.add_ordered_field(pymarc.Field("022", [" ", " "], [pymarc.Subfield("a", issn)]))
    return rec


def test_load_and_read_back(store):
    lc = record(TRADITIONAL, 1)
    items = {"lc:00409591": keys(lc), "nlc:b42": keys(copy_of(lc, "b42", drop=("020",))),
             "lc:00409590": keys(record(TRADITIONAL, 0))}
    assignment = store.load(items.items())
    assert assignment == {"lc:00409591": "lc:00409591", "nlc:b42": "lc:00409591",
                          "lc:00409590": "lc:00409590"}
    assert len(store) == 3
    assert store.cluster_of("nlc:b42") == "lc:00409591"
    assert store.cluster_of("nlc:none") is None
    assert store.members("lc:00409591") == ["lc:00409591", "nlc:b42"]
    assert list(store.clusters()) == [("lc:00409590", ["lc:00409590"]),
                                      ("lc:00409591", ["lc:00409591", "nlc:b42"])]
    assert store.keys_of("nlc:b42") == items["nlc:b42"]


def test_keys_survive_the_round_trip_through_the_store():
    for name in (TRADITIONAL, MULTILINGUAL, "vietnamese_nfd_titles.mrc"):
        for index in range(len(iso2709_records(FIXTURES / name))):
            k = keys(record(name, index))
            assert load_keys(dump_keys(k)) == k


def test_a_changed_year_leaves_the_cluster_and_changing_back_rejoins(store):
    lc = record(TRADITIONAL, 1)
    store.load([("lc:00409591", keys(lc)), ("nlc:b42", keys(copy_of(lc, "b42"))),
                ("x:z", keys(copy_of(lc, "z", drop=("020",))))])
    later = keys(set_year(copy_of(lc, "b42"), "1998"))
    assert store.add_or_update("nlc:b42", later) == {"lc:00409591", "nlc:b42"}
    assert store.members("lc:00409591") == ["lc:00409591", "x:z"]
    assert store.cluster_of("nlc:b42") == "nlc:b42"
    assert store.add_or_update("nlc:b42", keys(copy_of(lc, "b42"))) == {"lc:00409591", "nlc:b42"}
    assert store.members("lc:00409591") == ["lc:00409591", "nlc:b42", "x:z"]


def test_unchanged_keys_report_only_their_cluster(store):
    lc = record(TRADITIONAL, 1)
    store.load([("lc:00409591", keys(lc)), ("nlc:b42", keys(copy_of(lc, "b42")))])
    assert store.add_or_update("nlc:b42", keys(copy_of(lc, "b42"))) == {"lc:00409591"}


def test_a_deleted_record_shrinks_its_cluster_and_hands_the_id_on(store):
    lc = record(TRADITIONAL, 1)
    store.load([("lc:00409591", keys(lc)), ("nlc:b42", keys(copy_of(lc, "b42"))),
                ("x:z", keys(copy_of(lc, "z")))])
    assert store.remove("lc:00409591") == {"lc:00409591", "nlc:b42"}
    assert store.members("lc:00409591") == []
    assert store.members("nlc:b42") == ["nlc:b42", "x:z"]
    assert store.remove("x:z") == {"nlc:b42"}
    assert store.members("nlc:b42") == ["nlc:b42"]
    assert store.remove("x:z") == set()


def test_removing_a_record_lets_one_it_kept_out_join(store):
    # a:1 and c:1 carry different ISSNs; b:1 has none and shares every id with both
    lc = record(TRADITIONAL, 1)
    store.load([("a:1", keys(with_issn(copy_of(lc, "1"), "1026-0412"))), ("b:1", keys(lc)),
                ("c:1", keys(with_issn(copy_of(lc, "2"), "0789-7227")))])
    assert clusters(store) == [["a:1", "b:1"], ["c:1"]]
    assert store.remove("a:1") == {"a:1", "b:1", "c:1"}
    assert clusters(store) == [["b:1", "c:1"]]


def bridge_records() -> dict[str, pymarc.Record]:
    """00292585 three ways: LCCN only; ISBN only with its subtitle and 880s cut (so the
    two do not meet on title); and LC's own record, which has both ids."""
    lc = record(MULTILINGUAL, 2)          # Sōzōsareta koten : kanon keisei, kokumin ...
    short = copy_of(lc, "q", drop=("010", "880"))
    short["245"].delete_subfield("b")
    return {"p": copy_of(lc, "p", drop=("020",)), "q": short, "r": lc}


def test_a_record_bridging_two_clusters_merges_them_and_its_removal_splits_them(store):
    recs = bridge_records()
    p, q, r = keys(recs["p"]), keys(recs["q"]), keys(recs["r"])
    assert not (set(p.lccn) & set(q.lccn) or set(p.isbns) & set(q.isbns))
    assert p.title != q.title
    store.load([("a:p", p), ("b:q", q)])
    assert clusters(store) == [["a:p"], ["b:q"]]
    assert store.add_or_update("c:r", r) == {"a:p", "b:q"}
    assert clusters(store) == [["a:p", "b:q", "c:r"]]
    assert cluster_all([("a:p", p), ("b:q", q), ("c:r", r)]) == {
        "a:p": "a:p", "b:q": "a:p", "c:r": "a:p"}
    assert store.remove("c:r") == {"a:p", "b:q"}
    assert clusters(store) == [["a:p"], ["b:q"]]


def test_a_bridge_between_conflicting_clusters_joins_the_stronger_evidence(store):
    # the LCCN side carries one series ISSN and the ISBN side another; the record with
    # both ids joins the LCCN side (LCCN evidence comes before ISBN), though "a:q" is smaller
    recs = bridge_records()
    p = keys(with_issn(recs["p"], "1026-0412"))
    q = keys(with_issn(recs["q"], "0789-7227"))
    r = keys(recs["r"])
    expected = {"a:q": "a:q", "b:p": "b:p", "c:r": "b:p"}
    assert cluster_all([("a:q", q), ("b:p", p), ("c:r", r)]) == expected
    store.load([("a:q", q), ("b:p", p)])
    assert store.add_or_update("c:r", r) == {"b:p"}
    assert {rid: cid for cid, members in store.clusters() for rid in members} == expected


def test_incremental_updates_end_where_a_rebuild_would():
    rng = random.Random(6)
    originals = [record(name, i) for name in (TRADITIONAL, "chinese_880_simplified.mrc",
                                              "vietnamese_old_tone_hoa.mrc", MULTILINGUAL)
                 for i in range(len(iso2709_records(FIXTURES / name)))]

    def variant(rec: pymarc.Record, rid: str):
        roll = rng.random()
        if roll < .3:
            return keys(copy_of(rec, rid, drop=("010", "020")))
        if roll < .4:
            return replace(keys(rec), year=(keys(rec).year or 0) + 1)
        return keys(rec)

    current = {f"{lib}:{i}": variant(rec, str(i)) for lib in ("a", "b", "c")
               for i, rec in enumerate(originals) if rng.random() < .6}
    with ClusterStore(":memory:") as s:
        s.load(current.items())
        for _ in range(150):
            lib, i = rng.choice("abcd"), rng.randrange(len(originals))
            rid = f"{lib}:{i}"
            if rid in current and rng.random() < .4:
                s.remove(rid)
                del current[rid]
            else:
                current[rid] = variant(originals[i], str(i))
                s.add_or_update(rid, current[rid])
        incremental = {rid: cid for cid, members in s.clusters() for rid in members}
    rebuilt = cluster_all(current.items())
    assert len(set(rebuilt.values())) < len(rebuilt)          # there is something to cluster
    assert incremental == rebuilt
