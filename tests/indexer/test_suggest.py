"""The autocomplete store: a rebuild's workers write parts, updates write the store itself."""

from __future__ import annotations

from indexer.suggest import SuggestStore, part_paths


def display(title: str, authors=(), subjects=()) -> dict:
    return {"title": title, "authors": list(authors), "subjects": list(subjects)}


def test_parts_and_updates_are_read_as_one_store(tmp_path):
    path = tmp_path / "suggest.sqlite"
    with SuggestStore(f"{path}.part0", part=True) as part:
        part.add(display("Thư viện Quốc gia Việt Nam", ["Nguyễn, Văn A"]), 1)
        part.add(display("Thư viện và xã hội"), 1)
    with SuggestStore(f"{path}.part1", part=True) as part:
        part.add(display("Thư viện Quốc gia Việt Nam"), 3)   # the same title, held three times
        part.add(display("Thứ tự"), 1)
    (tmp_path / "suggest.sqlite.part1-wal").write_bytes(b"")   # not a part
    assert [p.name for p in part_paths(path)] == ["suggest.sqlite.part0", "suggest.sqlite.part1"]

    with SuggestStore(path) as store:
        store.add(display("Thư viện số"), 2)                       # an update's row
    with SuggestStore(path) as store:
        texts = [s["text"] for s in store.suggest("thu vien")]
        # each text once, the most widely held first
        assert texts == ["Thư viện Quốc gia Việt Nam", "Thư viện số", "Thư viện và xã hội"]
        assert [s["text"] for s in store.suggest("quoc gia")] == ["Thư viện Quốc gia Việt Nam"]
        assert store.suggest("nguyen", kinds=("author",)) == [{"text": "Nguyễn, Văn A",
                                                               "kind": "author"}]
        # accented spellings counted over every part and the store
        assert store.accented("vien") == ("viện", 4)
        assert store.accented("thu") == ("thư", 4)
        assert store.accented("nowhere") is None
