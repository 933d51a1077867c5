"""The merge report and librarians' splits and joins, through the command line as a
librarian runs it, and every read of the site afterwards compared with a rebuild.

Four libraries hold real LC records (tests/fixtures/clusters_*.mrc, cut from
bench/cluster_set; which copies are one edition is the set's truth.tsv).
"""

from __future__ import annotations

import json

import pymarc
import pytest

from web import create_app

from .. import readback
from ..support import FIXTURES, iso2709_records
from .helpers import build_home, copy_home, ok, sheaf

LIBRARIES = ("alpha", "beta", "gamma", "delta")
QUERIES = ["", "shiba ryotaro", "sampurna", "chopin", "dantas"]
FILTERS = ["library:delta", "library:alpha"]
PREFIXES = ["shiba", "sam"]
# LC 00291762: alpha (LC's record), beta (Japanese script), delta (no 010): one cluster
SHIBA = ("alpha:00291762", "beta:bt0000098", "delta:d0000176")
# LC 00288806 in alpha and delta: no year in 008, so clustering cannot see they are one
SAMPURNA = ("alpha:00288806", "delta:d0000138")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("decisions") / "home", {
        code: (f"Library {code}", FIXTURES / f"clusters_{code}.mrc") for code in LIBRARIES})


@pytest.fixture
def home(template, tmp_path):
    return copy_home(template, tmp_path / "home")


def picture(home) -> dict:
    app = create_app({"SHEAF_HOME": str(home), "TESTING": True})
    try:
        return readback.picture(readback.ClientReader(app.test_client()), QUERIES, FILTERS,
                                PREFIXES)
    finally:
        app.extensions["sheaf.search"].close()


def search(home, query: str, **params) -> dict:
    app = create_app({"SHEAF_HOME": str(home), "TESTING": True})
    try:
        return readback.search_all(readback.ClientReader(app.test_client()),
                                   {"q": query, **params})
    finally:
        app.extensions["sheaf.search"].close()


def holdings(answer: dict) -> dict[str, list[str]]:
    """Per hit: its member records (a record may give several holdings, one per item)."""
    return {h["id"]: sorted({x["record_id"] for x in h["holdings"]}) for h in answer["results"]}


def library_facet(answer: dict) -> dict[str, int]:
    return {v["value"]: v["count"] for v in answer["facets"]["library"]}


def rebuilt_matches(home, before: dict) -> None:
    """``sheaf index --rebuild`` keeps the decisions: every read answers as before."""
    ok(sheaf(home, "index", "--rebuild"))
    assert readback.differences(before, picture(home)) == []


def show(home, ident: str) -> dict:
    return json.loads(ok(sheaf(home, "clusters", "show", ident, "--json")))


def test_show_explains_a_cluster_by_its_evidence(template):
    entry = show(template, "delta:d0000176")     # any member's id names the cluster
    assert entry["id"] == "alpha:00291762"
    assert [m["id"] for m in entry["members"]] == list(SHIBA)
    evidence = {(link["a"], link["b"]): link["evidence"] for link in entry["links"]}
    assert evidence[("alpha:00291762", "beta:bt0000098")] == "LCCN"
    assert evidence[("alpha:00291762", "delta:d0000176")] == "title"   # delta has no 010
    later = [n for n in entry["near_misses"] if n["other"] == "alpha:ae0000516"]
    assert [n["why"] for n in later] == ["different years"]
    text = ok(sheaf(template, "clusters", "show", "alpha:00291762"))
    assert "alpha:00291762 + beta:bt0000098: LCCN 00291762" in text
    assert "kept apart: different years" in text


def test_the_report_lists_every_merged_cluster_and_narrows_to_a_library(template):
    data = json.loads(ok(sheaf(template, "clusters", "report", "--json")))
    merged = {e["id"]: [m["id"] for m in e["members"]] for e in data["entries"]
              if len(e["members"]) > 1}
    assert merged["alpha:00291762"] == list(SHIBA)
    assert all(e["links"] for e in data["entries"] if len(e["members"]) > 1)
    assert data["merged"] == len(merged)
    gamma = json.loads(ok(sheaf(template, "clusters", "report", "gamma", "--json")))
    assert {e["id"] for e in gamma["entries"]} < {e["id"] for e in data["entries"]}
    assert all(any(m["source"] == "gamma" for m in e["members"]) for e in gamma["entries"])
    bad = sheaf(template, "clusters", "report", "nosuch")
    assert bad.returncode == 1 and "nosuch" in bad.stderr and "Traceback" not in bad.stderr


def test_a_split_shows_in_search_facets_and_sorts_and_survives_a_rebuild(home):
    before = search(home, "shiba ryotaro")
    assert holdings(before)["alpha:00291762"] == sorted(SHIBA)
    out = ok(sheaf(home, "clusters", "split", "delta:d0000176", "--reason", "not the same"))
    assert "#1 split delta:d0000176 apart from alpha:00291762, beta:bt0000098" in out
    assert "index updated" in out
    after = search(home, "shiba ryotaro")
    assert holdings(after) == {"alpha:00291762": ["alpha:00291762", "beta:bt0000098"],
                               "delta:d0000176": ["delta:d0000176"],
                               **{k: v for k, v in holdings(before).items()
                                  if k != "alpha:00291762"}}
    assert after["total"] == before["total"] + 1
    # each library still holds one result of the query; delta's is now its own
    assert library_facet(after) == library_facet(before)
    assert set(holdings(search(home, "shiba ryotaro", filter="library:delta"))) == {
        "delta:d0000176"}
    by_year = search(home, "shiba ryotaro", sort="year_asc")["results"]
    assert [h["year"] for h in by_year] == sorted(h["year"] for h in by_year)
    entry = show(home, "delta:d0000176")
    assert [m["id"] for m in entry["members"]] == ["delta:d0000176"]
    assert [d["reason"] for d in entry["decisions"]] == ["not the same"]
    rebuilt_matches(home, picture(home))
    assert holdings(search(home, "shiba ryotaro"))["delta:d0000176"] == ["delta:d0000176"]


def test_a_join_shows_in_search_and_survives_a_rebuild(home):
    assert set(holdings(search(home, "sampurna"))) == set(SAMPURNA)
    out = ok(sheaf(home, "clusters", "join", *SAMPURNA, "--reason", "same microfiche"))
    assert "#1 join alpha:00288806 + delta:d0000138" in out
    after = search(home, "sampurna")
    assert holdings(after) == {"alpha:00288806": list(SAMPURNA)}
    assert library_facet(after) == {"alpha": 1, "delta": 1}
    link = show(home, "delta:d0000138")["links"]
    assert [(x["a"], x["b"], x["evidence"]) for x in link] == [(*SAMPURNA, "join")]
    rebuilt_matches(home, picture(home))
    assert holdings(search(home, "sampurna")) == {"alpha:00288806": list(SAMPURNA)}


def test_a_reimported_member_keeps_the_decisions(home, tmp_path):
    original = picture(home)
    ok(sheaf(home, "clusters", "split", "delta:d0000176", "--no-index"))
    ok(sheaf(home, "clusters", "join", *SAMPURNA, "--no-index"))
    status = json.loads(ok(sheaf(home, "status", "--json")))
    assert status["index"]["state"] == "behind"       # recorded, not applied yet
    assert readback.differences(picture(home), original) == []
    ok(sheaf(home, "index"))
    decided = picture(home)
    assert holdings(search(home, "sampurna")) == {"alpha:00288806": list(SAMPURNA)}
    # delta sends both records again, changed (a local note): an incremental update
    changed = []
    for data in iso2709_records(FIXTURES / "clusters_delta.mrc"):
        rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
        if rec["001"].data in ("d0000176", "d0000138"):
            rec.add_field(pymarc.Field(tag="590", indicators=pymarc.Indicators(" ", " "),
                                       subfields=[pymarc.Subfield("a", "Re-sent.")]))
            changed.append(rec.as_marc())
    path = tmp_path / "delta-changed.mrc"
    path.write_bytes(b"".join(changed))
    ok(sheaf(home, "import", "--source", "delta", str(path)))
    assert "2 records mapped" in ok(sheaf(home, "index"))
    assert holdings(search(home, "shiba ryotaro"))["delta:d0000176"] == ["delta:d0000176"]
    assert holdings(search(home, "sampurna")) == {"alpha:00288806": list(SAMPURNA)}
    updated = picture(home)
    assert readback.differences(updated, decided) == []
    rebuilt_matches(home, updated)


def test_undo_gives_back_the_clustering_without_the_decision(home):
    original = picture(home)
    ok(sheaf(home, "clusters", "split", "delta:d0000176"))
    assert readback.differences(picture(home), original) != []
    listed = json.loads(ok(sheaf(home, "clusters", "overrides", "--json")))
    assert [(d["id"], d["kind"], d["active"]) for d in listed] == [(1, "split", True)]
    ok(sheaf(home, "clusters", "undo", "1"))
    assert readback.differences(picture(home), original) == []
    assert "[undone]" in ok(sheaf(home, "clusters", "overrides"))
    again = sheaf(home, "clusters", "undo", "1")
    assert again.returncode == 1 and "already undone" in again.stderr


def test_a_decision_on_a_record_that_disappears_is_reported(home, tmp_path):
    ok(sheaf(home, "clusters", "join", *SAMPURNA))
    kept = [d for d in iso2709_records(FIXTURES / "clusters_delta.mrc")
            if pymarc.Record(d, to_unicode=True, force_utf8=True)["001"].data != "d0000138"]
    assert len(kept) == len(iso2709_records(FIXTURES / "clusters_delta.mrc")) - 1
    path = tmp_path / "delta-without.mrc"
    path.write_bytes(b"".join(kept))
    ok(sheaf(home, "import", "--source", "delta", "--replace", "--yes", "--allow-deletions",
             str(path)))
    ok(sheaf(home, "index"))
    listed = ok(sheaf(home, "clusters", "overrides"))
    assert "no longer in the index: delta:d0000138" in listed
    assert holdings(search(home, "sampurna")) == {"alpha:00288806": ["alpha:00288806"]}
    ok(sheaf(home, "index", "--rebuild"))
    assert "no longer in the index: delta:d0000138" in ok(sheaf(home, "clusters", "overrides"))


def test_impossible_decisions_are_one_line_errors(home):
    for args, message in ((("split", "nosuch:1"), "no record 'nosuch:1' in the index"),
                          (("split", "alpha:ae0000516"), "alone in its cluster already"),
                          (("join", *SHIBA[:2]), "one cluster already"),
                          (("join", "alpha:00288806"), "two or more record ids")):
        proc = sheaf(home, "clusters", *args)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(ok(sheaf(home, "clusters", "overrides", "--json"))) == []
