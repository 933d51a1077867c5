"""The record store: outcome counts, byte-for-byte storage, tombstones and change-sequence paging."""

from __future__ import annotations

import pymarc
import pytest

from harvest.records import ImportSummary, RawRecord
from harvest.store import RecordStore

from ..support import FIXTURES, iso2709_records


def raw(data: bytes) -> RawRecord:
    """A RawRecord for real ISO 2709 bytes; the local id is read with pymarc, not with Sheaf."""
    record = pymarc.Record(data, to_unicode=True, force_utf8=data[9:10] == b"a",
                           file_encoding="iso8859-1")
    return RawRecord(local_id=record["001"].data.strip(), format="marc21", data=data)


def tombstone(local_id: str) -> RawRecord:
    return RawRecord(local_id=local_id, format="marc21", data=b"", deleted=True)


@pytest.fixture
def store(tmp_path):
    with RecordStore(tmp_path / "store.sqlite") as s:
        yield s


@pytest.fixture(scope="module")
def chinese():
    return [raw(d) for d in iso2709_records(FIXTURES / "chinese_880_traditional.mrc")]


@pytest.fixture(scope="module")
def vietnamese():
    return [raw(d) for d in iso2709_records(FIXTURES / "vietnamese_nfd_titles.mrc")]


def test_new_records_are_counted_and_kept_byte_for_byte(store, chinese):
    summary = store.put_many("loc", chinese)

    assert summary.as_dict() == {"read": 4, "new": 4, "changed": 0, "unchanged": 0,
                                 "deleted": 0, "skipped": 0}
    for rec in chinese:
        stored = store.get("loc", rec.local_id)
        assert stored.data == rec.data
        assert stored.id == f"loc:{rec.local_id}"
        assert stored.deleted is False
    assert [r.local_id for r in chinese] == ["00409590", "00409591", "00409592", "00409593"]


def test_importing_the_same_bytes_twice_changes_nothing(store, chinese):
    store.put_many("loc", chinese)
    before = {r.local_id: store.get("loc", r.local_id) for r in chinese}

    summary = store.put_many("loc", chinese)

    assert (summary.new, summary.changed, summary.unchanged, summary.deleted) == (0, 0, 4, 0)
    after = {r.local_id: store.get("loc", r.local_id) for r in chinese}
    assert after == before  # same seq, same last_changed, same bytes
    assert store.counts() == {"loc": {"records": 4, "deleted": 0}}


# regression: every batch took a new change sequence even when no row changed, so
# re-importing identical bytes made `sheaf status` report the index behind
def test_a_no_op_import_leaves_the_change_sequence_alone(store, chinese):
    store.put_many("loc", chinese)
    seq = store.max_seq()
    store.put_many("loc", chinese)
    assert store.max_seq() == seq


def test_changed_bytes_replace_the_row_and_move_it_to_a_later_seq(store):
    # The same catalogue record (001 u6080510) sent twice by marc4j's corpus: first with
    # damaged MARC-8 CJK bytes, then repaired. Same id, different bytes.
    damaged = raw(iso2709_records(FIXTURES / "marc8_eacc_mangled_chinese.mrc")[0])
    repaired = raw(iso2709_records(FIXTURES / "marc8_eacc_chinese.mrc")[0])
    assert damaged.local_id == repaired.local_id == "u6080510"
    assert damaged.data != repaired.data

    store.put_many("m8", [damaged])
    first = store.get("m8", "u6080510")
    summary = store.put_many("m8", [repaired])
    second = store.get("m8", "u6080510")

    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 0)
    assert second.data == repaired.data
    assert second.seq > first.seq
    assert second.first_seen == first.first_seen
    assert store.counts() == {"m8": {"records": 1, "deleted": 0}}


def test_deletion_keeps_a_tombstone(store, chinese):
    store.put_many("loc", chinese)
    seq_before = store.get("loc", "00409591").seq

    summary = store.put_many("loc", [tombstone("00409591")])

    assert (summary.deleted, summary.new, summary.changed, summary.unchanged) == (1, 0, 0, 0)
    gone = store.get("loc", "00409591")
    assert gone.deleted is True
    assert gone.data is None
    assert gone.seq > seq_before
    assert store.counts() == {"loc": {"records": 3, "deleted": 1}}


def test_deleting_twice_or_deleting_an_unknown_id_is_unchanged(store, chinese):
    store.put_many("loc", chinese)
    store.put_many("loc", [tombstone("00409591")])

    again = store.put_many("loc", [tombstone("00409591"), tombstone("no-such-id")])

    assert (again.deleted, again.unchanged) == (0, 2)
    assert store.get("loc", "no-such-id") is None
    assert store.counts() == {"loc": {"records": 3, "deleted": 1}}


def test_a_deleted_record_sent_again_comes_back_as_changed(store, chinese):
    store.put_many("loc", chinese)
    store.put_many("loc", [tombstone("00409590")])

    summary = store.put_many("loc", chinese[:1])

    assert (summary.changed, summary.new) == (1, 0)
    back = store.get("loc", "00409590")
    assert back.deleted is False and back.data == chinese[0].data


def test_one_summary_accumulates_across_calls(store, chinese, vietnamese):
    summary = ImportSummary()
    store.put_many("loc", chinese, summary)
    store.put_many("vn", vietnamese, summary)
    assert (summary.read, summary.new) == (14, 14)


def test_iter_records_pages_across_chunk_and_batch_boundaries(store, vietnamese):
    # batch=4 gives the ten records seqs 1,1,1,1,2,2,2,2,3,3; chunk=3 cuts pages through them.
    store.put_many("vn", vietnamese, batch=4)
    assert store.max_seq() == 3
    file_order = [r.local_id for r in vietnamese]
    assert file_order == sorted(file_order)  # so (seq, local_id) order is file order

    paged = list(store.iter_records(chunk=3))
    assert [r.local_id for r in paged] == file_order
    assert [r.seq for r in paged] == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    assert [r.data for r in paged] == [r.data for r in vietnamese]

    after_first = list(store.iter_records(after_seq=1, chunk=3))
    assert [r.local_id for r in after_first] == file_order[4:]
    assert list(store.iter_records(after_seq=3, chunk=3)) == []


def test_iter_records_filters_by_source_and_deletion(store, chinese, vietnamese):
    store.put_many("loc", chinese)
    store.put_many("vn", vietnamese, batch=3)
    store.put_many("loc", [tombstone("00409592")])

    loc = list(store.iter_records(source="loc", chunk=3))
    assert [r.local_id for r in loc] == ["00409590", "00409591", "00409593", "00409592"]
    assert loc[-1].deleted is True

    live = list(store.iter_records(source="loc", include_deleted=False, chunk=2))
    assert [r.local_id for r in live] == ["00409590", "00409591", "00409593"]

    everything = list(store.iter_records(chunk=3))
    assert len(everything) == 14
    assert len({r.id for r in everything}) == 14
    keys = [(r.seq, r.source, r.local_id) for r in everything]
    assert keys == sorted(keys)


def test_counts_per_source(store, chinese, vietnamese):
    store.put_many("loc", chinese)
    store.put_many("vn", vietnamese)
    store.put_many("vn", [tombstone(vietnamese[0].local_id), tombstone(vietnamese[1].local_id)])
    assert store.counts() == {"loc": {"records": 4, "deleted": 0},
                              "vn": {"records": 8, "deleted": 2}}


def test_the_store_survives_reopening(tmp_path, chinese):
    with RecordStore(tmp_path / "s.sqlite") as first:
        first.put_many("loc", chinese)
        seq = first.max_seq()
    with RecordStore(tmp_path / "s.sqlite") as second:
        assert second.max_seq() == seq
        assert second.get("loc", "00409593").data == chinese[3].data
