"""Per-source maintenance, the version check, generations clean-up, backup and restore, via the CLI."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from harvest.config import Home
from harvest.records import RawRecord
from harvest.store import RecordStore
from indexer.generations import IndexDir
from discovery.engines import open_index
from discovery.engines.whoosh.index import open_index as open_whoosh

from ..support import FIXTURES
from .helpers import build_home, copy_home, ok, sheaf

VN = FIXTURES / "vietnamese_nfd_titles.mrc"          # 10 records
TRADITIONAL = FIXTURES / "chinese_880_traditional.mrc"  # 4 records


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("maintenance") / "home",
                      {"vn": ("Thư viện Quốc gia", VN), "tw": ("Taiwan collection", TRADITIONAL)})


@pytest.fixture
def home(template, tmp_path):
    return copy_home(template, tmp_path / "home")


def status(home) -> dict:
    """What ``sheaf status --json`` says (read in this process)."""
    from indexer import build

    loaded = Home.load(home)
    with RecordStore(loaded.store_path) as store:
        counts = store.counts()
        return {"sources": {code: {"records": counts.get(code, {}).get("records", 0)}
                            for code in loaded.sources},
                "index": build.status(loaded, store, open_index(loaded))}


def holdings(home) -> set[str]:
    ix = open_whoosh(IndexDir(home / "index").current().path)
    try:
        with ix.searcher() as s:
            return {h["record_id"] for f in s.all_stored_fields() for h in f["display"]["holdings"]}
    finally:
        ix.close()


def test_source_remove_takes_records_out_of_store_index_and_config(home):
    (home / "sheaf.toml").write_text("# kept: a librarian's note\n" + (home / "sheaf.toml")
                                     .read_text(encoding="utf-8"), encoding="utf-8")
    proc = sheaf(home, "source", "remove", "tw")  # no answer: nothing happens
    assert proc.returncode == 1 and "not confirmed" in proc.stderr
    assert proc.stdout.startswith("tw: 4 records (and 0 tombstones) will leave the store and"
                                  " the index\nRemove source tw? [y/N] ")
    assert len(holdings(home)) == 14

    out = ok(sheaf(home, "source", "remove", "tw", input="yes\n"))
    assert out.splitlines()[-1] == ("removed source tw: 4 rows left the store;"
                                    " 4 clusters left the index, 0 were rewritten")
    assert {h.split(":")[0] for h in holdings(home)} == {"vn"}
    data = status(home)
    assert set(data["sources"]) == {"vn"} and data["index"]["state"] == "current"
    assert "# kept: a librarian's note" in (home / "sheaf.toml").read_text(encoding="utf-8")
    with RecordStore(home / "store.sqlite") as store:
        assert list(store.iter_records(source="tw")) == []

    line = sheaf(home, "source", "remove", "tw", "--yes").stderr
    assert line == "sheaf: error: unknown source 'tw' (known: vn)\n"


def test_source_edit_keeps_comments_and_says_what_to_run(home):
    config = home / "sheaf.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[sources.vn]", "# Hanoi, contact: the systems office\n[sources.vn]"), encoding="utf-8")
    out = ok(sheaf(home, "source", "edit", "vn", "--name", "Thư viện Quốc gia Việt Nam",
                   "--encoding", "utf-8"))
    assert out.splitlines() == [
        "source vn: name 'Thư viện Quốc gia Việt Nam', encoding 'utf-8'",
        "  run `sheaf index --source vn` to map its records again"]
    assert "# Hanoi, contact: the systems office" in config.read_text(encoding="utf-8")
    edited = Home.load(home).sources["vn"]
    assert (edited.name, edited.encoding, edited.path) == ("Thư viện Quốc gia Việt Nam", "utf-8",
                                                           str(VN))
    ok(sheaf(home, "source", "edit", "vn", "--encoding", ""))
    assert Home.load(home).sources["vn"].encoding is None

    proc = sheaf(home, "source", "edit", "vn")
    assert proc.returncode == 1 and "nothing to change" in proc.stderr
    proc = sheaf(home, "source", "edit", "vn", "--list-method", "sideways")
    assert proc.returncode == 2


def test_index_source_maps_one_sources_records_again(home):
    Home.load(home).edit_source("tw", name="Taiwan")
    out = ok(sheaf(home, "index", "--source", "tw"))
    assert " 4 records mapped into 4 clusters written, 0 removed," in out
    ix = open_whoosh(IndexDir(home / "index").current().path)
    try:
        with ix.searcher() as s:
            names = {h["source"]: h["name"] for f in s.all_stored_fields()
                     for h in f["display"]["holdings"]}
    finally:
        ix.close()
    assert names == {"vn": "Thư viện Quốc gia", "tw": "Taiwan"}
    # with nothing changed, nothing is mapped
    assert " 0 records mapped " in ok(sheaf(home, "index"))


def test_a_version_change_asks_for_a_rebuild(home):
    gen = IndexDir(home / "index").current()
    gen.meta["versions"] = {**gen.meta["versions"], "mapping": -1}
    gen.write_meta()
    proc = sheaf(home, "index")
    assert proc.returncode == 1
    assert proc.stderr.startswith("sheaf: error: the index was built with ")
    assert proc.stderr.endswith("run `sheaf index --rebuild`\n")
    assert status(home)["index"]["state"] == "rebuild-needed"


def test_old_and_unfinished_generations_are_cleaned_up(home):
    from indexer import build

    index = IndexDir(home / "index")
    first = index.current().name
    with RecordStore(home / "store.sqlite") as store:
        build.rebuild(Home.load(home), store, open_index(Home.load(home)))
        second = index.current().name
        # the replaced generation stays for readers still on it
        assert [p.name for p in index.generations()] == [first, second]
        build.rebuild(Home.load(home), store, open_index(Home.load(home)))
        third = index.current().name
    assert [p.name for p in index.generations()] == [second, third]
    # what a killed rebuild leaves (a directory that never went live) goes with the next index
    (home / "index" / "gen-99991231T000000000000").mkdir()
    ok(sheaf(home, "index"))
    assert [p.name for p in index.generations()] == [second, third]


def test_backup_while_writing_and_restore(home, tmp_path):
    """A backup is consistent while another connection writes; restore brings it back."""
    stop = threading.Event()

    def write():
        with RecordStore(home / "store.sqlite") as store:
            n = 0
            while not stop.is_set() and n < 2000:
                store.put_many("busy", [RawRecord(local_id=f"b{n + i}", format="marc21",
                                                  data=b"x" * 500) for i in range(20)])
                n += 20

    writer = threading.Thread(target=write)
    writer.start()
    try:
        backup = tmp_path / "backup-1"
        out = ok(sheaf(home, "backup", str(backup)))
    finally:
        stop.set()
        writer.join(timeout=30)
    assert out.startswith(f"backed up {home} to {backup}: ")
    manifest = json.loads((backup / "backup.json").read_text(encoding="utf-8"))
    copy = sqlite3.connect(backup / "store.sqlite")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # a snapshot: every record up to its change sequence, none after
        seq = int(copy.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0])
        assert seq == manifest["store_seq"]
        assert copy.execute("SELECT max(seq) FROM records").fetchone()[0] == seq
        busy = copy.execute("SELECT count(*) FROM records WHERE source='busy'").fetchone()[0]
    finally:
        copy.close()
    assert busy % 20 == 0  # whole batches only
    assert manifest["sources"]["vn"] == {"records": 10, "deleted": 0}
    assert (backup / "sheaf.toml").stat().st_mode & 0o077 == 0

    proc = sheaf(home, "backup", str(backup))
    assert proc.returncode == 1 and "is not an empty directory" in proc.stderr

    # lose a source, then restore: it is back in the store, the configuration and the index
    with RecordStore(home / "store.sqlite") as store:
        store.purge_source("tw")
    Home.load(home).remove_source("tw")
    out = ok(sheaf(home, "restore", str(backup), "--yes"))
    assert "rebuilding the index from the restored store" in out
    assert "index rebuilt (gen-" in out
    data = status(home)
    assert data["sources"]["tw"]["records"] == 4 and data["index"]["state"] == "current"
    assert {h.split(":")[0] for h in holdings(home)} == {"vn", "tw"}
    assert (home / "sheaf.toml.before-restore").exists()

    # into a new, empty home
    fresh = tmp_path / "elsewhere" / "home"
    fresh.parent.mkdir()
    ok(sheaf(fresh, "restore", str(backup), "--yes"))
    assert status(fresh)["sources"]["tw"]["records"] == 4
    assert {h.split(":")[0] for h in holdings(fresh)} == {"vn", "tw"}
