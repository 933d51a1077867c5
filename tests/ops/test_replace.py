"""``sheaf import --replace``: a member's full re-export replaces its records, on real records."""

from __future__ import annotations

import json

import pytest

from harvest.config import Home
from harvest.replace import EmptyExport, plan_replace
from harvest.store import RecordStore
from discovery.engines.whoosh.index import open_index as open_whoosh

from ..support import FIXTURES, iso2709_records
from .helpers import build_home as make_home, ok, sheaf

LC50 = FIXTURES / "multilingual_lc_50.mrc"          # 50 LC records
TRADITIONAL = FIXTURES / "chinese_880_traditional.mrc"  # 4 more LC records


def local_id(record: bytes) -> str:
    """The 001 of an ISO 2709 record, read with nothing but the directory."""
    base = int(record[12:17])
    directory = record[24:record.index(b"\x1e")]
    for i in range(0, len(directory), 12):
        if directory[i:i + 3] == b"001":
            length, start = int(directory[i + 3:i + 7]), int(directory[i + 7:i + 12])
            return record[base + start:base + start + length - 1].decode().strip()
    raise AssertionError("no 001")


def retitled(record: bytes) -> bytes:
    """The same record with the first letter of its 245 $a in the other case (same length)."""
    base = int(record[12:17])
    directory = record[24:record.index(b"\x1e")]
    for i in range(0, len(directory), 12):
        if directory[i:i + 3] == b"245":
            start = base + int(directory[i + 7:i + 12])
            at = record.index(b"\x1fa", start) + 2
            while not chr(record[at]).isalpha():
                at += 1
            return record[:at] + bytes([record[at] ^ 0x20]) + record[at + 1:]
    raise AssertionError("no 245")


@pytest.fixture
def export(tmp_path):
    """The member's new export: 45 of its 50 records (3 of them edited), 4 new ones."""
    old = iso2709_records(LC50)
    kept = old[:45]
    changed_at = (3, 17, 30)
    for n in changed_at:
        kept[n] = retitled(kept[n])
    path = tmp_path / "full-export-2.mrc"
    path.write_bytes(b"".join(kept + iso2709_records(TRADITIONAL)))
    return {"path": path,
            "dropped": {local_id(r) for r in old[45:]},
            "changed": {local_id(old[n]) for n in changed_at},
            "new": {local_id(r) for r in iso2709_records(TRADITIONAL)}}


def indexed_ids(home) -> set[str]:
    """Record ids the live index holds (every holding of every cluster document)."""
    from indexer.generations import IndexDir

    ix = open_whoosh(IndexDir(home / "index").current().path)
    try:
        with ix.searcher() as s:
            return {h["record_id"] for f in s.all_stored_fields() for h in f["display"]["holdings"]}
    finally:
        ix.close()


def test_replace_says_what_it_will_do_asks_and_then_does_it(tmp_path, export):
    home = make_home(tmp_path / "home", {"lc": ("Library of Congress", LC50)})
    assert len(indexed_ids(home)) == 50

    # answered no: nothing changes
    proc = sheaf(home, "import", "--source", "lc", "--replace", str(export["path"]), input="n\n")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == (
        "lc: the new export holds 49 records: new 4, changed 3, unchanged 42, marked deleted 0;"
        " 5 records in the store are not in it and will be deleted")
    assert proc.stderr == "sheaf: error: not confirmed: nothing was changed (--yes confirms in scripts)\n"
    with RecordStore(home / "store.sqlite") as store:
        assert store.counts() == {"lc": {"records": 50, "deleted": 0}}
    assert not list((home / "tmp").glob("*"))  # no staging left behind

    # answered yes
    proc = sheaf(home, "import", "--source", "lc", "--replace", str(export["path"]), input="y\n")
    lines = ok(proc).splitlines()
    assert lines[1] == "Delete 5 records of lc and apply the export? [y/N] "
    assert lines[2] == "lc: read 49, new 4, changed 3, unchanged 42, deleted 5, skipped 0"
    with RecordStore(home / "store.sqlite") as store:
        assert store.counts() == {"lc": {"records": 49, "deleted": 5}}
        assert {r.local_id for r in store.iter_records() if r.deleted} == export["dropped"]
        history = store.import_history("lc", limit=1)[0]
        assert (history["kind"], history["new"], history["changed"], history["deleted"]) == \
            ("replace", 4, 3, 5)

    # the next index applies exactly that: the changes, with their clusters
    report = ok(sheaf(home, "index"))
    assert report.startswith("index updated (gen-")
    assert " 7 records mapped " in report and " 5 removed," in report
    ids = indexed_ids(home)
    assert ids == {f"lc:{i}" for i in
                   {local_id(r) for r in iso2709_records(LC50)} - export["dropped"] | export["new"]}

    # the same export again: nothing to do, nothing asked
    proc = sheaf(home, "import", "--source", "lc", "--replace", str(export["path"]))
    assert ok(proc).splitlines()[:2] == [
        "lc: the new export holds 49 records: new 0, changed 0, unchanged 49, marked deleted 0;"
        " 0 records in the store are not in it and will be deleted",
        "lc: read 49, new 0, changed 0, unchanged 49, deleted 0, skipped 0"]


def test_yes_answers_for_scripts(tmp_path, export):
    home = make_home(tmp_path / "home", {"lc": ("Library of Congress", LC50)}, index=False)
    proc = sheaf(home, "import", "--source", "lc", "--replace", "--yes", str(export["path"]))
    assert ok(proc).splitlines()[1] == \
        "lc: read 49, new 4, changed 3, unchanged 42, deleted 5, skipped 0"
    status = json.loads(ok(sheaf(home, "status", "--json")))
    assert status["sources"]["lc"]["records"] == 49


def test_an_export_with_no_readable_record_deletes_nothing(tmp_path):
    home = make_home(tmp_path / "home", {"lc": ("Library of Congress", LC50)}, index=False)
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    with RecordStore(home / "store.sqlite") as store:
        with pytest.raises(EmptyExport, match="no readable record of lc; nothing replaced"):
            plan_replace(Home.load(home), store, "lc", [str(empty)])
        assert store.counts() == {"lc": {"records": 50, "deleted": 0}}


def test_strict_refuses_a_replace_whose_export_had_unreadable_records(tmp_path):
    home = make_home(tmp_path / "home", {"lc": ("Library of Congress", LC50)}, index=False)
    broken = FIXTURES / "truncated_last_record.mrc"  # one good record, one cut off
    proc = sheaf(home, "import", "--source", "lc", "--replace", "--yes", "--strict", str(broken))
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == \
        "sheaf: error: nothing replaced: 1 records could not be read (--strict)"
    with RecordStore(home / "store.sqlite") as store:
        assert store.counts()["lc"] == {"records": 50, "deleted": 0}
