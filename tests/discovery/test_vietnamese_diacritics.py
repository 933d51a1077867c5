"""Diacritics a reader types count (issue 16).

Before: ``thư viện`` put records with neither word first (they matched ``thứ``
and ``viên``), ``nỗi`` found every ``Hà Nội`` record as well as ``Nỗi``. Now the
records with every word as typed rank first; the same letters catalogued
without diacritics (a member whose system lost them) and other diacritics (a
missing tone mark) are still found, after them. A word typed without
diacritics matches every spelling alike. In a phrase, typed diacritics are
exact; phrases work on folded text too. Real LC records (``vietnamese_nfd_titles.mrc``,
``vietnamese_old_tone_hoa.mrc``), searched through the JSON API.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pymarc
import pytest

from harvest.config import Home, Source
from harvest.records import RawRecord
from harvest.store import RecordStore
from indexer import build
from indexer.textnorm import fold, normalize
from web import create_app
from discovery.engines import open_index

from ..support import FIXTURES

FILES = ("vietnamese_nfd_titles.mrc", "vietnamese_old_tone_hoa.mrc")


def records() -> list[pymarc.Record]:
    out = []
    for name in FILES:
        with open(FIXTURES / name, "rb") as fh:
            out += list(pymarc.MARCReader(fh, to_unicode=True, force_utf8=True))
    return out


def without_diacritics(record: pymarc.Record) -> pymarc.Record:
    """The record as a library system that lost every diacritic would send it."""
    out = deepcopy(record)
    for field in out.fields:
        if not field.is_control_field():
            field.subfields = [pymarc.Subfield(s.code, fold(normalize(s.value)))
                               for s in field.subfields]
    return out


def client_for(path, by_source: dict[str, list[pymarc.Record]]):
    home = Home.init(path)
    for code in by_source:
        home.add_source(Source(code=code, name=code, kind="marc", path=str(path / "x.mrc")))
    home = Home.load(path)
    with RecordStore(home.store_path) as store:
        for code, recs in by_source.items():
            store.put_many(code, [RawRecord(local_id=r["001"].data.strip(), format="marc21",
                                            data=r.as_marc()) for r in recs])
        build.rebuild(home, store, open_index(home))
    return create_app({"SHEAF_HOME": str(path), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return client_for(tmp_path_factory.mktemp("vi"), {"vn": records()})


def ids(client, q: str, limit: int = 100) -> list[str]:
    found = client.get("/api/search", query_string={"q": q, "limit": limit}).get_json()
    return [h["id"] for h in found["results"]]


def test_the_typed_spelling_ranks_first_and_other_spellings_are_still_found(client):
    # thơ (poetry: 00280612, 00280614) before Thọ (Long Thọ, the author of 00103636)
    tho = ids(client, "thơ")
    assert sorted(tho[:2]) == ["vn:00280612", "vn:00280614"] and "vn:00103636" in tho[2:]
    assert "vn:00103636" in ids(client, "tho")
    # Vân (Khánh Vân, 00280613) before Văn (Nguyễn Văn Thâm, Văn hóa, Phạm Văn Trà)
    van = ids(client, "Vân")
    assert van[0] == "vn:00280613" and {"vn:00280608", "vn:00280633"} <= set(van[1:])
    # every word as typed beats a better field match with other diacritics: Thơ Chế Lan
    # Viên is first for "thơ viên", before the records with thọ or viện
    assert ids(client, "thơ viên")[0] == "vn:00280612"


def test_a_word_typed_without_diacritics_finds_every_spelling(client):
    assert set(ids(client, "doi moi")) >= {"vn:00280610"}
    assert set(ids(client, "ha noi")) == set(ids(client, "Hà Nội"))


def test_phrases_on_folded_and_on_exact_text(client):
    # author Nguyễn Thị Thu Thảo of 00280610
    assert ids(client, '"thu thao"') == ["vn:00280610"]
    assert ids(client, '"Thu Thảo"') == ["vn:00280610"]
    assert ids(client, '"thu thảo"') == ["vn:00280610"]
    assert ids(client, '"thư thảo"') == []


def test_typed_diacritics_still_find_a_record_catalogued_without_them(tmp_path):
    plain = without_diacritics(next(r for r in records() if r["001"].data.strip() == "00280608"))
    assert plain["245"]["a"].startswith("huong dan ky thuat")
    client = client_for(tmp_path / "plain", {"old": [plain]})
    assert ids(client, "Hướng dẫn kỹ thuật") == ["old:00280608"]
    assert ids(client, "huong dan") == ["old:00280608"]


def test_the_exact_spelling_ranks_above_the_catalogued_without_diacritics(tmp_path):
    source = next(r for r in records() if r["001"].data.strip() == "00280613")  # Thời trẻ ...
    plain = without_diacritics(source)
    plain["001"].data = "plain00001"
    plain.remove_fields("010", "020", "035")
    plain["100"]["a"] = "Nobody, A."     # another work for clustering, same title words
    client = client_for(tmp_path / "both", {"vn": [source], "old": [plain]})
    assert ids(client, "Thời trẻ của một đại tướng") == ["vn:00280613", "old:plain00001"]


def test_joined_and_split_names_find_each_other(client):
    # readers join Vietnamese names (hanoi, vietnam); catalogues write them apart, and
    # English text joins them too ("25 years Vietnam-Japan relations")
    hanoi = set(ids(client, "hanoi"))
    assert len(hanoi) >= 8 and hanoi == set(ids(client, "Hà Nội")) == set(ids(client, "ha noi"))
    vietnam = set(ids(client, "vietnam"))
    assert len(vietnam) >= 4 and vietnam == set(ids(client, "Việt Nam"))


def test_split_syllables_of_joined_names():
    from indexer.textnorm import split_folded_syllables

    assert split_folded_syllables("hanoi") == (("ha", "noi"),)
    assert split_folded_syllables("saigon") == (("sai", "gon"),)
    assert split_folded_syllables("vietnam") == (("viet", "nam"),)
    assert split_folded_syllables("history") == ()


@pytest.mark.parametrize("query, first", [("thơ", {"vn:00280612", "vn:00280614"}),
                                          ("Vân", {"vn:00280613"}),
                                          ("thơ viên", {"vn:00280612"})])
def test_the_typed_spelling_is_first_on_a_one_result_page(client, query, first):
    # a one-result page is ranked with Whoosh's shortcuts where they are allowed: the
    # typed spelling must still come first
    assert set(ids(client, query, limit=1)) <= first and ids(client, query, limit=1)


def test_the_typed_spelling_is_first_among_many_pinyin_twins(tmp_path):
    # "báo" is in one Vietnamese title (LC 00280643) and, as "bao", in many romanized
    # Chinese ones (matches without diacritics) and in the stems of bảo. At 10,000
    # records bench/vi_minimal_pairs.py found the Vietnamese record below them (the
    # exact-spelling tier then held stem and pinyin clauses); this smaller set checks
    # the same ranking, it does not reproduce that failure
    demo = Path(__file__).resolve().parents[2] / "demo"
    by_source = {}
    for code in ("vnlib", "hanlib"):
        with open(demo / f"{code}.mrc", "rb") as fh:
            by_source[code] = list(pymarc.MARCReader(fh, to_unicode=True, force_utf8=True))
    client = client_for(tmp_path / "demo", by_source)
    assert ids(client, "báo", limit=1) == ["vnlib:00280643"]
    assert ids(client, "báo", limit=5)[0] == "vnlib:00280643"
