"""Harvesting a real OAI-PMH server we did not write: pyoai's, as a process on 127.0.0.1,
publishing real Library of Congress and Alma MARC records as MARCXML.

Full harvest, incremental harvest after the repository adds, changes and deletes
records, selective harvest by set, the ListIdentifiers + GetRecord fallback, the
deletion sweep, and ``check_source``.
"""

from __future__ import annotations

import random
import urllib.parse

import pytest

from harvest.config import Home, Source
from harvest.oai import OaiClient, RetryPolicy, check_source, harvest_oai_source
from harvest.store import RecordStore

from .oai_support import (FIXTURES, Catalog, Waits, alma_records, canonical, marcxml_records,
                          pyoai_server)

OLD = "2020-01-01T00:00:{:02d}Z"


@pytest.fixture(scope="module")
def records() -> list[tuple[str, bytes, str]]:
    """(OAI identifier, MARCXML, set) for 50 LC records and 100 Alma records."""
    lc = [(f"oai:loc.gov:{i}", x, "lc")
          for i, x in marcxml_records(FIXTURES / "multilingual_lc_50.mrc")]
    alma = [(f"oai:urm_publish:{i}", x, "alma") for i, x in alma_records()]
    return lc + alma


@pytest.fixture
def catalog(tmp_path, records):
    cat = Catalog(tmp_path / "catalog.sqlite")
    for n, (identifier, xml, set_spec) in enumerate(records):
        cat.put(identifier, xml, sets=set_spec, datestamp=OLD.format(n % 60))
    return cat


@pytest.fixture
def home(tmp_path):
    return Home.init(tmp_path / "home")


def harvest(home, url, **kw):
    options = {k: kw.pop(k) for k in ("set_spec", "sweep_deletions", "max_tries") if k in kw}
    src = Source(code="lc", name="LC", kind="oai", url=url, prefix="marc21", **options)
    waits = Waits()
    client = OaiClient(url, RetryPolicy.for_source(src), sleep=waits.sleep, clock=waits.clock,
                       rng=random.Random(3))
    with RecordStore(home.store_path) as store:
        report = harvest_oai_source(home, store, src, client=client, **kw)
        live = {r.local_id: r for r in store.iter_records(source="lc", include_deleted=False)}
        dead = {r.local_id for r in store.iter_records(source="lc") if r.deleted}
    return report, live, dead


def requests(log) -> list[dict]:
    return [dict(urllib.parse.parse_qsl(line)) for line in log.read_text().splitlines()]


def assert_same_records(live, catalog):
    """The store holds exactly the repository's live records, each the same XML
    (up to the indentation pyoai's server adds when it pretty-prints a page)."""
    expected = catalog.live()
    assert set(live) == set(expected)
    for identifier, xml in expected.items():
        assert live[identifier].format == "marcxml"
        assert canonical(live[identifier].data, blank_text=False) == \
            canonical(xml, blank_text=False)


def test_a_full_harvest_stores_every_record_as_the_server_has_it(catalog, home):
    ticks = []
    with pyoai_server(catalog, batch=20) as (url, log):
        report, live, _ = harvest(home, url, progress=ticks.append)

    assert report.ok and report.new == 150 and report.pages == 8
    assert [t.pages for t in ticks] == list(range(1, 9))
    assert [t.records for t in ticks] == [min(20 * n, 150) for n in range(1, 9)]
    assert ticks[-1].fetched == 150 and ticks[-1].rate > 0 and "150 records" in str(ticks[-1])
    assert_same_records(live, catalog)
    assert report.response_date.endswith("Z") and report.response_date > OLD
    assert sum(1 for r in requests(log) if r["verb"] == "ListRecords") == 8


def test_an_incremental_harvest_picks_up_additions_changes_and_deletions(catalog, home, records):
    with pyoai_server(catalog, batch=20) as (url, log):
        first, _, _ = harvest(home, url)
        added = [(f"oai:loc.gov:copy-{i}", xml) for i, xml, _ in records[:3]]
        for identifier, xml in added:
            catalog.put(identifier, xml, sets="lc")
        changed = [records[10][0], records[60][0]]
        for identifier in changed:
            catalog.put(identifier, records[11][1], sets="lc")
        deleted = [records[20][0], records[70][0]]
        for identifier in deleted:
            catalog.delete(identifier)
        second, live, dead = harvest(home, url)

    assert (second.new, second.changed, second.deleted) == (3, 2, 2)
    assert second.records == 7 and second.window_from == first.response_date
    since = [r for r in requests(log) if r["verb"] == "ListRecords" and "from" in r]
    assert since and since[0]["from"] == first.response_date
    assert dead == set(deleted)
    assert_same_records(live, catalog)


def test_a_set_is_harvested_alone(catalog, home, records):
    with pyoai_server(catalog, batch=20) as (url, log):
        report, live, _ = harvest(home, url, set_spec="lc")

    assert report.ok and set(live) == {i for i, _, s in records if s == "lc"}
    assert all(r.get("set") == "lc" for r in requests(log)
               if r["verb"] == "ListRecords" and "resumptionToken" not in r)


def test_a_broken_list_records_falls_back_to_list_identifiers_and_get_record(catalog, home):
    with pyoai_server(catalog, batch=50, break_list_records=True) as (url, log):
        report, live, _ = harvest(home, url, max_tries=2)

    assert report.ok and report.method == "identifiers" and report.new == 150
    assert any("ListIdentifiers + GetRecord" in m for m in report.messages)
    assert_same_records(live, catalog)
    verbs = [r["verb"] for r in requests(log)]
    assert verbs.count("GetRecord") == 150 and verbs.count("ListRecords") == 2


def test_the_fallback_skips_records_already_stored_at_the_same_datestamp(catalog, home, records):
    with pyoai_server(catalog, batch=50) as (url, _log):
        harvest(home, url)
    catalog.put(records[5][0], records[6][1], sets="lc", datestamp="2021-01-01T00:00:00Z")
    with pyoai_server(catalog, batch=50, break_list_records=True) as (url, log):
        report, live, _ = harvest(home, url, full=True, max_tries=1)

    assert report.ok and report.changed == 1 and report.unchanged == 149
    assert [r["identifier"] for r in requests(log) if r["verb"] == "GetRecord"] == [records[5][0]]
    assert_same_records(live, catalog)


def test_the_deletion_sweep_finds_records_a_server_without_deletions_dropped(catalog, home,
                                                                              records):
    with pyoai_server(catalog, batch=40, deleted_record="no") as (url, log):
        harvest(home, url)
        vanished = [records[1][0], records[77][0], records[149][0]]
        for identifier in vanished:
            catalog.forget(identifier)
        report, live, dead = harvest(home, url, sweep_deletions=True)

    assert report.ok and report.deleted == 3 and dead == set(vanished)
    assert_same_records(live, catalog)
    assert any(r["verb"] == "ListIdentifiers" and "from" not in r for r in requests(log))


def test_check_source_against_the_real_server(catalog):
    with pyoai_server(catalog, batch=1) as (url, _log):
        check = check_source(Source(code="lc", name="LC", kind="oai", url=url, prefix="marc21",
                                    set_spec="alma"))

    assert check.ok, check.problems
    assert [f.prefix for f in check.formats] == ["marc21"]
    assert [s.spec for s in check.sets] == ["alma", "lc"]   # two pages of one set each
    assert check.identify.deleted_record == "persistent"
