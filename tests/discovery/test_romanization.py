"""Wade-Giles and pinyin find each other (issue 16).

Before: ``Mao Tse-tung`` found nothing where ``Mao Zedong`` found LC's records,
and a pinyin query never found what an older record writes in Wade-Giles. Real
LC records: ``ideographic_space_chinese_880.mrc`` (pinyin romanization, Han
880s) and ``wade_giles_lc.mrc`` (Mao Zedong in a 600; a 500 note in Wade-Giles
only; a 700 in Wade-Giles). The ``cn`` home holds two of them recatalogued as
Chinese libraries catalogue (the 880 text in place of the romanized fields), so
only the pinyin of their Han text can answer a romanized query; and
``wade_giles_ascii_apostrophe.mrc``, whose parallel title writes ``Ch'ing`` with
the ASCII apostrophe (a home of its own:
the copy and LC's record would be one cluster).
"""

from __future__ import annotations

from copy import deepcopy

import pymarc
import pytest

from harvest.config import Source
from harvest.records import RawRecord
from harvest.store import RecordStore
from indexer import build, wade_giles
from indexer.pinyin import SYLLABLES
from discovery.engines import open_index
from web import create_app

from ..conftest import engine_home
from ..support import FIXTURES

LC_FILES = ("ideographic_space_chinese_880.mrc", "wade_giles_lc.mrc",
            "wade_giles_ascii_apostrophe.mrc")
HAN_ONLY = ("00415116", "00291232")   # Deng Xiaoping's thought; Mao Zedong and Nixon


def read(name: str) -> list[pymarc.Record]:
    with open(FIXTURES / name, "rb") as fh:
        return list(pymarc.MARCReader(fh, to_unicode=True, force_utf8=True))


def han_only(record: pymarc.Record) -> pymarc.Record:
    """The record with each linked 880 in place of its romanized field, no 880 left."""
    out = deepcopy(record)
    for alt in out.get_fields("880"):
        link = alt.get("6", "")
        tag, _, occurrence = link[:3], link[3:4], link[4:6]
        for field in out.get_fields(tag):
            if field.get("6", "")[4:6] == occurrence:
                field.subfields = [s for s in alt.subfields if s.code != "6"]
        out.remove_field(alt)
    out.remove_fields("066")
    return out


def client_for(path, engine, request, records: list[pymarc.Record]):
    home = engine_home(path, engine, request)
    home.add_source(Source(code="lib", name="lib", kind="marc", path=str(path / "x.mrc")))
    with RecordStore(home.store_path) as store:
        store.put_many("lib", [RawRecord(local_id=r["001"].data.strip(), format="marc21",
                                         data=r.as_marc()) for r in records])
        build.rebuild(home, store, open_index(home))
    return create_app({"SHEAF_HOME": str(path), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def lc(tmp_path_factory, engine, request):
    """LC's records as LC catalogues them."""
    return client_for(tmp_path_factory.mktemp(f"romanized-{engine}"), engine, request,
                      [r for name in LC_FILES for r in read(name)])


@pytest.fixture(scope="module")
def cn(tmp_path_factory, engine, request):
    """Two of them as Chinese libraries catalogue them (Han only), among the others."""
    records = [r for name in LC_FILES for r in read(name)]
    return client_for(tmp_path_factory.mktemp(f"han-only-{engine}"), engine, request,
                      [han_only(r) if r["001"].data.strip() in HAN_ONLY else r
                       for r in records])


def ids(client, q: str) -> list[str]:
    found = client.get("/api/search", query_string={"q": q, "limit": 50}).get_json()
    return [h["id"] for h in found["results"]]


def test_the_han_only_copies_carry_no_romanization():
    for record in read("wade_giles_lc.mrc") + read("ideographic_space_chinese_880.mrc"):
        if record["001"].data.strip() in HAN_ONLY:
            copy = han_only(record)
            assert not copy.get_fields("880")
            assert not any(c.isascii() and c.isalpha() for c in copy["245"].value())


def test_wade_giles_finds_pinyin(lc):
    # 600 Mao, Zedong, 1893-1976 (00291232)
    assert ids(lc, "Mao Tse-tung") == ids(lc, "Mao Zedong") == ["lib:00291232"]
    # Deng Xiaoping de fa si xiang (00415116): Teng is read as Wade-Giles beside a
    # marked word; the aspiration as LC wrote it (ʻ) or typed (')
    assert ids(lc, "Teng Hsiao-pʻing")[0] == "lib:00415116"
    assert ids(lc, "Teng Hsiao-p'ing") == ids(lc, "Teng Hsiao-pʻing")
    # Zhu, Ziqing, 1898-1948 (00415255) as Chu Tzu-chʻing
    assert ids(lc, "Chu Tzu-chʻing")[0] == "lib:00415255"


def test_an_ascii_apostrophe_in_the_record_meets_every_way_of_typing_it(lc):
    # 00505279: 245 $b and 246 "Ch'ing lacquer artifacts" (ASCII ', not LC's ʻ)
    typed = ["Ch'ing lacquer artifacts", "Ch\u02bbing lacquer artifacts",
             "Ching lacquer artifacts", "Ch\u2019ing lacquer"]
    assert [ids(lc, t)[:1] for t in typed] == [["lib:00505279"]] * len(typed)
    # and LC's own ʻ is found by the syllables typed plain: 00291168's 500 note
    # "Yüeh wei tsʻao tʻang pi chi"
    assert ids(lc, "Yueh wei tsao tang pi chi") == ["lib:00291168"]


def test_wade_giles_finds_han_only_records(cn):
    # 毛泽东尼克松在1972 and 划时代的转换 : 邓小平的发展思想 carry no romanization
    assert ids(cn, "Mao Tse-tung") == ["lib:00291232"]
    assert ids(cn, "Teng Hsiao-pʻing")[0] == "lib:00415116"


def test_pinyin_finds_wade_giles(lc):
    # 00291168's 500 names 阅微草堂笔记 only as "Yüeh wei tsʻao tʻang pi chi"
    assert ids(lc, "caotang biji") == ["lib:00291168"]
    assert ids(lc, "Yuewei caotang biji") == ["lib:00291168"]
    # 700 Yü, Hsioa-pʻing (LC's typo) is not Wade-Giles: nothing is made of it
    assert wade_giles.to_pinyin("Hsioa-pʻing") == ()


def test_english_words_are_not_read_as_wade_giles():
    # each is a Wade-Giles syllable and an English word: unmarked, left alone
    for word in ("chang", "sun", "men", "hung", "pen", "to", "so", "Kai-shek", "Tʻangaran"):
        assert not wade_giles.marked(word), word
    for word in ("Tse-tung", "Chʻing", "Ch'ing", "Hsü", "hsin", "shih", "tzu", "Hsiao-pʻing"):
        assert wade_giles.marked(word), word
    # alone, an English word that is one pinyin syllable is not converted either
    assert not wade_giles.distinctly_pinyin("men")
    assert wade_giles.distinctly_pinyin("zedong") and wade_giles.distinctly_pinyin("qing")


def test_the_table_holds_every_pinyin_syllable_both_ways():
    assert wade_giles.to_pinyin("Tse-tung") == (("ze", "dong"),)
    assert wade_giles.to_pinyin("Chʻing") == (("qing",),)
    assert wade_giles.from_pinyin("xiaoping") == (("hsiao", "pʻing"),)
    for syllable in SYLLABLES:
        pinyin = syllable.replace("v", "ü")
        forms = wade_giles.from_pinyin(syllable)
        assert forms, syllable
        assert any(pinyin in reading for reading in wade_giles.to_pinyin(forms[0][0])), syllable
