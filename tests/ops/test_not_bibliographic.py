"""Authority and holdings records in a member's delivery (issue 19): a library's export that
mixes its authority file into its bibliographic records, and an MFHD holdings file. They are
kept in the store, reported as describing no work, never checked as books (no "without a
title" for a name heading), and never indexed: the catalog is the one the bibliographic
records alone give. Real records: LC's, IISH's authority records and Evergreen's MFHD."""

from __future__ import annotations

import json

import pytest

from discovery.engines import open_search
from discovery.results import SearchRequest
from harvest.config import Home
from harvest.store import RecordStore

from ..support import FIXTURES, iso2709_records
from .helpers import make_home, ok, sheaf

AUTHORITIES = FIXTURES / "authority_records_iish.mrc"
HOLDINGS = FIXTURES / "mfhd_holdings_evergreen.xml"
LC50 = FIXTURES / "multilingual_lc_50.mrc"
QUERIES = ["the", "Arnoldussen", "Hillen"]


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    """The same bibliographic records twice: alone, and with the authority records
    interleaved (one after every second record) and an MFHD file as a second source."""
    root = tmp_path_factory.mktemp("notbib")
    bibs, auths = iso2709_records(LC50)[:20], iso2709_records(AUTHORITIES)
    mixed = []
    for n, bib in enumerate(bibs):
        mixed.append(bib)
        if n % 2 and auths:
            mixed.append(auths.pop(0))
    mixed += auths
    (root / "mixed.mrc").write_bytes(b"".join(mixed))
    (root / "bibs.mrc").write_bytes(b"".join(bibs))
    alone = make_home(root / "alone", {"lib": ("A library", root / "bibs.mrc")})
    both = make_home(root / "mixed", {"lib": ("A library", root / "mixed.mrc"),
                                      "serials": ("Its serials", HOLDINGS)})
    return alone, both


def results(home, query: str) -> list:
    """What a search finds: its total, the titles in order and every facet's counts."""
    backend = open_search(Home.load(home))
    try:
        found = backend.search(SearchRequest(query=query, limit=10))
    finally:
        backend.close()
    return [found.total, [h.title for h in found.hits],
            {name: [(v.value, v.count) for v in values] for name, values in found.facets.items()}]


def test_the_catalog_is_the_one_the_bibliographic_records_give(homes):
    alone, both = homes
    for query in QUERIES:
        assert results(both, query) == results(alone, query), query
    # the authority records' headings are no works of their own
    assert results(both, "Arnoldussen")[0] == 0
    with RecordStore(both / "store.sqlite") as store:
        kept = store.counts()
    assert kept["lib"]["records"] == 20 + len(iso2709_records(AUTHORITIES))
    assert kept["serials"]["records"] == HOLDINGS.read_bytes().count(b"<record")


def test_the_index_run_says_what_it_left_out_and_why(homes, tmp_path):
    _alone, both = homes
    out = sheaf(both, "index", "--rebuild")
    text = ok(out) + out.stderr
    assert "an authority record (leader/06 'z'), not a bibliographic one: not indexed" in text
    assert "a holdings record (leader/06 'y'), not a bibliographic one: not indexed" in text


def test_the_quality_report_counts_them_and_checks_nothing_else_of_them(homes):
    _alone, both = homes
    data = json.loads(ok(sheaf(both, "report", "quality", "--json")))["sources"]
    lines = {code: {c["check"]: c for c in src["checks"]} for code, src in data.items()}
    n_auth = len(iso2709_records(AUTHORITIES))
    n_holdings = HOLDINGS.read_bytes().count(b"<record")
    assert lines["lib"]["not_bibliographic"]["records"] == n_auth
    assert lines["lib"]["not_bibliographic"]["details"] == [
        {"detail": "authority", "records": n_auth}]
    assert lines["serials"]["not_bibliographic"]["records"] == n_holdings
    assert list(lines["serials"]) == ["not_bibliographic"]
    # the bibliographic checks see the twenty LC records only: none counts more than 20,
    # and "no title" (which every name authority would be) finds nothing
    assert "no_title" not in lines["lib"]
    assert all(line["records"] <= 20 for code, line in lines["lib"].items()
               if code != "not_bibliographic")
