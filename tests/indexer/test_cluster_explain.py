"""The merge report's facts and the librarians' decisions, on real LC records as four
libraries export them (tests/fixtures/clusters_*.mrc, cut from bench/cluster_set).

Which records are the same edition comes from the set's truth.tsv (see
tests/fixtures/PROVENANCE.md); each link or near miss is checked against the
records' own mapped fields, not against printed output.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.overrides import Decisions
from harvest.store import RecordStore
from indexer.cluster import cluster_all, cluster_sorted, match_keys
from indexer.cluster_explain import explain
from indexer.cluster_keys import within
from indexer.cluster_store import ClusterStore
from indexer.mapping import map_stored

from ..support import FIXTURES

LIBRARIES = ("alpha", "beta", "gamma", "delta")


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> dict[str, dict]:
    """record id -> mapped record, imported with Sheaf's importer."""
    home = Home.init(tmp_path_factory.mktemp("explain") / "home")
    out = {}
    with RecordStore(home.store_path) as store:
        for code in LIBRARIES:
            path = FIXTURES / f"clusters_{code}.mrc"
            home.add_source(Source(code=code, name=code, kind="marc", path=str(path)))
            import_files(home, store, code, [str(path)])
        for rec in store.iter_records(include_deleted=False):
            out[rec.id] = map_stored(rec.data, rec.format, source=rec.source,
                                     on_warning=lambda w: None)
    return out


@pytest.fixture(scope="module")
def keys(records):
    return {rid: match_keys(m) for rid, m in records.items()}


def link_between(exp, a: str, b: str) -> dict:
    found = [link for link in exp.links[exp.assignment[a]] if {link["a"], link["b"]} == {a, b}]
    assert len(found) == 1, exp.links[exp.assignment[a]]
    return found[0]


def near_between(exp, a: str, b: str) -> dict:
    found = [n for n in exp.near[exp.assignment[a]] if n["record"] == a and n["other"] == b]
    assert len(found) == 1, exp.near[exp.assignment[a]]
    return found[0]


def test_tracing_does_not_change_what_clusters(keys):
    ids = sorted(keys)
    plain = cluster_sorted(ids, [keys[r] for r in ids])[0]
    assert explain(keys.items()).assignment == plain == cluster_all(keys.items())


def test_a_shared_isbn_is_named_as_the_evidence(records, keys):
    # LC 00298823 held by alpha (LC's own record) and delta (own 001, no 010, no 035)
    exp = explain(keys.items())
    assert exp.assignment["delta:d0000107"] == "alpha:00298823"
    link = link_between(exp, "alpha:00298823", "delta:d0000107")
    assert link["evidence"] == "ISBN"
    assert link["key"] in records["alpha:00298823"]["isbns"]
    assert link["key"] in records["delta:d0000107"]["isbns"]


def test_an_lccn_is_named_when_the_scripts_differ(records, keys):
    # beta catalogues LC 00293554 in Arabic script, gamma keeps the romanized 245
    exp = explain(keys.items())
    link = link_between(exp, "beta:bt0000509", "gamma:g0000260")
    assert link["evidence"] == "LCCN"
    assert [link["key"]] == records["beta:bt0000509"]["lccn"] == records["gamma:g0000260"]["lccn"]


def test_a_fuzzy_pinyin_title_gives_its_edit_distance(keys):
    # LC 00415017: beta in Han characters (pypinyin "de"), delta romanized by LC ("di")
    exp = explain(keys.items())
    link = link_between(exp, "beta:bt0000285", "delta:d0000242")
    assert link["evidence"] == "fuzzy pinyin title"
    t1, t2 = keys["beta:bt0000285"].title_pinyin, keys["delta:d0000242"].title_pinyin
    assert t1 != t2 and link["score"]["edits"] == 1 <= link["score"]["allowed"]
    assert within(t1, t2, 1) and not within(t1, t2, 0)


def test_near_misses_name_the_guard_that_kept_them_apart(records, keys):
    exp = explain(keys.items())
    # a later edition of LC 00291762 (alpha's ae0000516): same title and author, other year
    later = near_between(exp, "alpha:00291762", "alpha:ae0000516")
    assert later["guard"] == "year" and later["evidence"] == "same title"
    assert records["alpha:00291762"]["year"] != records["alpha:ae0000516"]["year"]
    # a second edition of the same year: met on the exact title key, refused on its 250
    second = near_between(exp, "alpha:00298823", "alpha:ae0000309")
    assert second["guard"] == "edition statement" and second["evidence"] == "title"
    assert records["alpha:ae0000309"]["edition"] != records["alpha:00298823"].get("edition")
    # two editions sharing a set ISBN: the page counts differ
    pages = near_between(exp, "beta:bt0000509", "gamma:g0000412")
    assert pages["guard"] == "pages" and pages["evidence"] == "ISBN"
    assert pages["key"] in records["beta:bt0000509"]["isbns"]
    assert pages["key"] in records["gamma:g0000412"]["isbns"]


def test_a_split_keeps_a_record_out_even_of_identical_copies(keys):
    # alpha and beta hold LC 00287670 with identical match keys (one node in clustering)
    assert keys["alpha:00287670"] == keys["beta:bt0000108"]
    split = Decisions(splits=((frozenset({"beta:bt0000108"}),
                               frozenset({"alpha:00287670", "delta:d0000179"})),))
    out = cluster_all(keys.items(), split)
    assert out["beta:bt0000108"] == "beta:bt0000108"
    assert out["delta:d0000179"] == "alpha:00287670"
    exp = explain(keys.items(), split)
    assert near_between(exp, "beta:bt0000108", "alpha:00287670")["guard"] == "split"
    # everything else clusters as without the decision
    plain = cluster_all(keys.items())
    assert {r: c for r, c in out.items() if r != "beta:bt0000108"} == \
        {r: c for r, c in plain.items() if r != "beta:bt0000108"}


def test_a_join_merges_a_missed_pair_and_a_split_beats_it(keys):
    # LC 00288806 in alpha and delta: no year in 008, so title evidence cannot meet
    assert cluster_all(keys.items())["delta:d0000138"] == "delta:d0000138"
    join = Decisions(joins=(("alpha:00288806", "delta:d0000138"),))
    assert cluster_all(keys.items(), join)["delta:d0000138"] == "alpha:00288806"
    assert link_between(explain(keys.items(), join), "alpha:00288806",
                        "delta:d0000138")["evidence"] == "join"
    both = Decisions(splits=((frozenset({"delta:d0000138"}), frozenset({"alpha:00288806"})),),
                     joins=join.joins)
    assert cluster_all(keys.items(), both)["delta:d0000138"] == "delta:d0000138"


def test_a_decision_naming_a_missing_record_is_left_out(keys):
    join = Decisions(joins=(("alpha:00288806", "gone:1", "delta:d0000138"),))
    assert cluster_all(keys.items(), join)["delta:d0000138"] == "alpha:00288806"


def test_the_cluster_store_honours_decisions_in_regional_updates(tmp_path, keys):
    split = Decisions(splits=((frozenset({"delta:d0000176"}),
                               frozenset({"alpha:00291762", "beta:bt0000098"})),))
    with ClusterStore(tmp_path / "clusters.sqlite") as store:
        store.load(keys.items())
        assert store.cluster_of("delta:d0000176") == "alpha:00291762"
        store.decisions = split
        touched = store.reconsider(["delta:d0000176", "alpha:00291762", "beta:bt0000098"])
        assert touched == {"alpha:00291762", "delta:d0000176"}
        assert store.members("alpha:00291762") == ["alpha:00291762", "beta:bt0000098"]
        # the record changes (a new page count): its region is re-clustered, still apart
        store.add_or_update("delta:d0000176", replace(keys["delta:d0000176"], pages=300))
        assert store.cluster_of("delta:d0000176") == "delta:d0000176"
        fresh = cluster_all(store.items(), split)
        assert {r: c for c, members in store.clusters() for r in members} == fresh
