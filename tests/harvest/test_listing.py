"""The store listed by last-changed time (what the OAI-PMH provider publishes), and the
migration that adds the indexes those listings walk to stores made before them."""

from __future__ import annotations

import sqlite3

import pytest

from harvest.listing import Selection
from harvest.records import RawRecord
from harvest.store import MIGRATIONS, SCHEMA, RecordStore

from ..support import FIXTURES, iso2709_records
from .test_store import raw, tombstone

# (source, local id) -> the last-changed time the test gives it
STAMPS = {
    ("loc", "00409590"): "2024-01-01T00:00:00Z",
    ("loc", "00409591"): "2024-01-02T00:00:00Z",
    ("loc", "00409592"): "2024-01-02T00:00:00Z",
    ("loc", "00409593"): "2024-03-01T12:00:00Z",
}


ITALIAN = [r for r in iso2709_records(FIXTURES / "unimarc_italian_sbn.mrc")
           if len(r) > 24]   # the file ends with a newline after its last record
IT = [("it", f"it{n}") for n in range(len(ITALIAN))]


@pytest.fixture
def store(tmp_path):
    chinese = [raw(d) for d in iso2709_records(FIXTURES / "chinese_880_traditional.mrc")]
    italian = [RawRecord(local_id=i, format="unimarc", data=d) for (_, i), d in zip(IT, ITALIAN)]
    with RecordStore(tmp_path / "store.sqlite") as s:
        s.put_many("loc", chinese)
        s.put_many("it", italian)
        s.put_many("xml", [RawRecord(local_id="x1", format="marcxml", data=b"<record/>")])
        s.put_many("loc", [tombstone("00409593")])
        for (source, local_id), stamp in STAMPS.items():
            s.db.execute("UPDATE records SET last_changed=? WHERE source=? AND local_id=?",
                         (stamp, source, local_id))
        s.db.execute("UPDATE records SET last_changed='2024-01-02T00:00:00Z'"
                     " WHERE source IN ('it', 'xml')")
        yield s


def keys(rows):
    return [(r.source, r.local_id) for r in rows]


def test_every_record_is_listed_in_last_changed_then_source_then_id_order(store):
    rows = store.list_changed(Selection(), limit=100)

    expected = sorted([(stamp, s, i) for (s, i), stamp in STAMPS.items()]
                      + [("2024-01-02T00:00:00Z", s, i) for s, i in IT]
                      + [("2024-01-02T00:00:00Z", "xml", "x1")])
    assert [r.key for r in rows] == expected
    assert store.count_listed(Selection()) == len(expected)


def test_a_tombstone_is_listed_without_data(store):
    rows = {(r.source, r.local_id): r for r in store.list_changed(Selection(), limit=100)}

    assert rows[("loc", "00409593")].deleted is True
    assert rows[("loc", "00409593")].data is None
    assert rows[("loc", "00409590")].data == store.get("loc", "00409590").data


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_after_a_key_give_the_same_list_as_one_page(store, limit):
    for selection in (Selection(), Selection(sources=("loc",))):
        whole = store.list_changed(selection, limit=100)
        paged, key = [], None
        while True:
            page = store.list_changed(selection, key, limit)
            paged += page
            if len(page) < limit:
                break
            key = page[-1].key
        assert keys(paged) == keys(whole)
        assert keys(store.iter_listed(selection, chunk=limit)) == keys(whole)


def test_the_window_is_inclusive_at_both_ends(store):
    selection = Selection(after="2024-01-02T00:00:00Z", until="2024-01-02T00:00:00Z")

    assert keys(store.list_changed(selection)) == [
        *IT, ("loc", "00409591"), ("loc", "00409592"), ("xml", "x1")]
    assert store.count_listed(Selection(after="2024-03-01T12:00:01Z")) == 0


def test_sources_and_formats_select(store):
    assert keys(store.list_changed(Selection(sources=("loc",)))) == [
        ("loc", i) for i in ("00409590", "00409591", "00409592", "00409593")]
    assert store.count_listed(Selection(sources=())) == 0
    # UNIMARC: the records stored as UNIMARC, and MARCXML of a source said to be UNIMARC
    assert keys(store.list_changed(Selection(formats=("unimarc",)))) == IT
    assert keys(store.list_changed(Selection(formats=("unimarc",),
                                             marcxml_sources=("xml",)))) == [*IT, ("xml", "x1")]


@pytest.mark.parametrize("selection,index", [
    (Selection(after="2024-01-02T00:00:00Z"), "records_changed"),
    (Selection(sources=("loc",)), "records_source_changed")])
def test_listings_walk_an_index_from_the_key_on(store, selection, index):
    """A page after a key starts the index range at the key (a regression: with the key
    only filtering, a page near the end of 250,000 records took half a second)."""
    key = ("2024-01-02T00:00:00Z", "loc", "00409591")
    for after_key, start in ((None, "last_changed>?"), (key, "(last_changed,")):
        where, params = selection.where(after_key)
        plan = store.db.execute(
            f"EXPLAIN QUERY PLAN SELECT source FROM records WHERE {where}"
            f" ORDER BY {selection.order} LIMIT 5", params).fetchall()
        details = " ".join(row[-1] for row in plan)
        assert f"INDEX {index} (" in details, details
        assert start in details.split(f"INDEX {index} (")[1], details
        assert "TEMP B-TREE" not in details, details


def test_a_store_made_before_the_listing_indexes_gets_them_when_opened(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)    # the schema alone is what an older Sheaf made
    db.execute("INSERT INTO records (source, local_id, format, data, deleted, first_seen,"
               " last_changed, seq) VALUES ('loc', '1', 'marc21', x'00', 0,"
               " '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', 1)")
    db.commit()
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    db.close()

    with RecordStore(path) as store:
        indexes = {row[0] for row in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"records_changed", "records_source_changed"} <= indexes
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert store.earliest_change() == "2020-01-01T00:00:00Z"
        assert store.get("loc", "1").data == b"\x00"
    with RecordStore(path) as store:     # opening again changes nothing
        assert store.migrate() == len(MIGRATIONS)
