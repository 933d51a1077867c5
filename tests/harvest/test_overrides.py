"""Librarians' cluster decisions in the record store (harvest.overrides): migration 3,
the later decision superseding the one it contradicts, undo, and store change numbers."""

from __future__ import annotations

import sqlite3

import pytest

from harvest.errors import StoreError
from harvest.overrides import OVERRIDES_SCHEMA
from harvest.store import MIGRATIONS, RecordStore


def test_a_store_at_version_2_gets_the_decisions_table(tmp_path):
    path = tmp_path / "store.sqlite"
    with RecordStore(path):
        pass
    db = sqlite3.connect(path)      # as a Sheaf before migration 3 left it
    db.execute("DROP TABLE cluster_overrides")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with RecordStore(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 3
        assert store.overrides() == []
        store.add_override("join", ["a:1", "b:2"])
        assert [o.records for o in store.overrides()] == [("a:1", "b:2")]
    assert "cluster_overrides" in OVERRIDES_SCHEMA


def test_a_decision_takes_a_store_change_and_names_its_records(tmp_path):
    with RecordStore(tmp_path / "s.sqlite") as store:
        before = store.max_seq()
        split = store.add_override("split", ["lc:1"], ["lc:2", "lc:3"], reason="two books")
        assert store.max_seq() == before + 1
        assert store.overrides_changed(before) == {"lc:1", "lc:2", "lc:3"}
        assert store.overrides_changed(store.max_seq()) == set()
        decisions = store.cluster_decisions()
        assert decisions.splits == ((frozenset({"lc:1"}), frozenset({"lc:2", "lc:3"})),)
        assert decisions.records() == {"lc:1", "lc:2", "lc:3"}
        assert store.override(split.id).reason == "two books"


def test_the_later_decision_supersedes_the_one_it_contradicts(tmp_path):
    with RecordStore(tmp_path / "s.sqlite") as store:
        join = store.add_override("join", ["lc:1", "nlv:9"])
        other = store.add_override("join", ["lc:5", "lc:6"])
        split = store.add_override("split", ["nlv:9"], ["lc:1", "lc:4"])
        assert not store.override(join.id).active
        assert store.override(join.id).undone_why == f"superseded by #{split.id}"
        assert store.override(other.id).active        # says nothing about these records
        assert store.cluster_decisions().joins == (("lc:5", "lc:6"),)


def test_undo_keeps_the_decision_as_history(tmp_path):
    with RecordStore(tmp_path / "s.sqlite") as store:
        split = store.add_override("split", ["lc:1"], ["lc:2"])
        seq = store.max_seq()
        undone = store.undo_override(split.id)
        assert not undone.active and undone.undone_why == "undone"
        assert store.overrides_changed(seq) == {"lc:1", "lc:2"}
        assert not store.cluster_decisions()
        with pytest.raises(StoreError, match="already undone"):
            store.undo_override(split.id)
        with pytest.raises(StoreError, match="no cluster decision #99"):
            store.undo_override(99)


def test_malformed_decisions_are_refused(tmp_path):
    with RecordStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(StoreError, match="too few"):
            store.add_override("join", ["lc:1"])
        with pytest.raises(StoreError, match="from itself"):
            store.add_override("split", ["lc:1"], ["lc:1", "lc:2"])
        with pytest.raises(StoreError, match="unknown"):
            store.add_override("merge", ["lc:1", "lc:2"])
        assert store.overrides() == []
