"""The two forms of a name that one record's 880 pairs find each other in other records
(issue 16).

LC names ``Yang, Du`` beside the 880 ``楊渡``, and ``Gavriʼel, Daṿid`` beside
``גבריאל, דוד``. A library that catalogues only the romanization (its 880s
dropped) or only the vernacular (the 880s in place of their fields, as Chinese
and Israeli libraries catalogue) gives one form; a reader who types the other
must still find its books. ``paired_names.mrc`` holds two real LC works by each
author: one stays as LC catalogued it and pairs the forms, the other is
recatalogued with one form only. A home without the pairing record is the
control: there the other form finds nothing, so what is found comes from the
pair and not from pinyin or a shared word.
"""

from __future__ import annotations

from copy import deepcopy

import pymarc
import pytest

from harvest.records import RawRecord
from harvest.store import RecordStore
from indexer import build
from discovery.engines import open_index
from web import create_app

from .test_romanization import client_for, han_only, ids, read

PAIRING = ("00409590", "00290141")   # as LC catalogued them: name and 880
ROMANIZED_ONLY = "00409738"          # Yang, Du without 楊渡
VERNACULAR_ONLY = "00291899"         # גבריאל, דוד without Gavriʼel, Daṿid


def romanized_only(record: pymarc.Record) -> pymarc.Record:
    """The record as a library that keeps no vernacular catalogues it: no 880, no 066."""
    out = deepcopy(record)
    out.remove_fields("880", "066")
    return out


def recatalogued() -> list[pymarc.Record]:
    by_id = {r["001"].data.strip(): r for r in read("paired_names.mrc")}
    return [romanized_only(by_id[ROMANIZED_ONLY]), han_only(by_id[VERNACULAR_ONLY])]


def pairing() -> list[pymarc.Record]:
    return [r for r in read("paired_names.mrc") if r["001"].data.strip() in PAIRING]


@pytest.fixture(scope="module")
def union(tmp_path_factory, engine, request):
    return client_for(tmp_path_factory.mktemp(f"paired-{engine}"), engine, request,
                      pairing() + recatalogued())


@pytest.fixture(scope="module")
def unpaired(tmp_path_factory, engine, request):
    return client_for(tmp_path_factory.mktemp(f"unpaired-{engine}"), engine, request,
                      recatalogued())


def test_the_fixture_is_what_it_says():
    one_form = recatalogued()
    assert not one_form[0].get_fields("880") and one_form[0]["100"]["a"].startswith("Yang")
    assert not one_form[1].get_fields("880") and one_form[1]["100"]["a"].startswith("גבריאל")
    assert all(r.get_fields("880") and r["100"]["6"].startswith("880-") for r in pairing())


@pytest.mark.parametrize("typed", ["楊渡", "杨渡"])
def test_a_vernacular_name_finds_the_record_that_gives_only_its_romanization(
        union, unpaired, typed):
    assert f"lib:{ROMANIZED_ONLY}" not in ids(unpaired, typed)
    found = ids(union, typed)
    assert f"lib:{ROMANIZED_ONLY}" in found
    # the record that writes the name as typed ranks above the one found through the pair
    assert found.index("lib:00409590") < found.index(f"lib:{ROMANIZED_ONLY}")


@pytest.mark.parametrize("typed", ["Gavriel David", "Gavriʼel, Daṿid", "david gavriel"])
def test_a_romanized_name_finds_the_record_that_gives_only_its_vernacular(
        union, unpaired, typed):
    # no pinyin bridges Hebrew: only the pair can
    assert f"lib:{VERNACULAR_ONLY}" not in ids(unpaired, typed)
    found = ids(union, typed)
    if typed == "david gavriel":
        # the words in another order are not the heading: nothing is added for them
        assert f"lib:{VERNACULAR_ONLY}" not in found
        return
    assert f"lib:{VERNACULAR_ONLY}" in found and "lib:00290141" in found


def test_a_name_in_the_hebrew_alphabet_finds_the_romanized_form_it_pairs_with(union):
    found = ids(union, "גבריאל דוד")
    assert "lib:00290141" in found and f"lib:{VERNACULAR_ONLY}" in found


def test_a_pair_whose_only_record_is_deleted_no_longer_joins_the_forms(
        tmp_path, engine, request, unpaired):
    """The pair is counted per record: an update that deletes the pairing record takes it
    back, and the home then answers as one built without it."""
    client = client_for(tmp_path, engine, request, pairing() + recatalogued())
    assert f"lib:{ROMANIZED_ONLY}" in ids(client, "楊渡")
    from harvest.config import Home
    home = Home.load(tmp_path)
    with RecordStore(home.store_path) as store:
        store.put_many("lib", [RawRecord(local_id=i, format="marc21", data=b"", deleted=True)
                               for i in PAIRING])
        report = build.update(home, store, open_index(home))
    assert report.failed == []
    client = create_app({"SHEAF_HOME": str(tmp_path), "TESTING": True}).test_client()
    for typed in ("楊渡", "Gavriel David"):
        assert ids(client, typed) == ids(unpaired, typed), typed
