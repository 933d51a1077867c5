"""Clustering real LC records as several member libraries would export them.

Each test takes a fixture record and makes the copy another library would send
(pymarc edits: its own 001, identifiers dropped, a year or title changed), maps
both with ``map_stored`` and asserts which records ``cluster_all`` puts together.
Expected keys were worked out by hand from the fields quoted in the comments.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pymarc

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer.cluster import MatchKeys, cluster_all, match_keys, richest
from indexer.cluster_keys import author_key, look_alike, title_key, within
from indexer.mapping import map_stored

from ..support import FIXTURES, iso2709_records

TRADITIONAL = "chinese_880_traditional.mrc"     # LC 00409590-00409593
OLD_TONES = "vietnamese_old_tone_hoa.mrc"       # LC 00280633 (hóa), 00280697 (hòa)
MULTILINGUAL = "multilingual_lc_50.mrc"


def record(name: str, index: int) -> pymarc.Record:
    data = iso2709_records(FIXTURES / name)[index]
    return pymarc.Record(data, to_unicode=True, force_utf8=True)


def mapped(rec: pymarc.Record) -> dict:
    return map_stored(rec.as_marc(), "marc21", on_warning=lambda message: None)


def keys(rec: pymarc.Record) -> MatchKeys:
    return match_keys(mapped(rec))


def copy_of(rec: pymarc.Record, local_id: str, drop: tuple[str, ...] = ()) -> pymarc.Record:
    """Another library's export: its own 001, some fields left out."""
    copy = pymarc.Record(rec.as_marc(), to_unicode=True, force_utf8=True)
    copy["001"].data = local_id
    for tag in drop:
        copy.remove_fields(tag)
    return copy


def set_year(rec: pymarc.Record, year: str) -> pymarc.Record:
    """008/07-10 and 260 $c say another year, as a later edition's record would."""
    rec["008"].data = rec["008"].data[:7] + year + rec["008"].data[11:]
    rec["260"]["c"] = year + "."
    return rec


def groups(items: dict[str, MatchKeys]) -> list[list[str]]:
    """cluster_all's clusters as sorted lists of record ids, sorted."""
    out: dict[str, list[str]] = {}
    for rid, cid in cluster_all(items.items()).items():
        out.setdefault(cid, []).append(rid)
    return sorted(sorted(m) for m in out.values())


# -- keys ---------------------------------------------------------------------

def test_title_key_simplifies_han_and_closes_lc_word_spacing():
    # LC's 880 for 00409592 spaces its Han words with U+3000; a Chinese catalogue does not
    assert title_key("台灣\u3000的\u3000新反對\u3000運動") == "台湾的新反对运动"
    assert title_key("台湾的新反对运动") == "台湾的新反对运动"


def test_title_key_places_vietnamese_tones_the_new_way():
    assert title_key("Cộng hòa") == "cộng hoà"
    assert title_key("Cộng hoà") == "cộng hoà"
    assert title_key("Cô\u0323ng ho\u0300a") == "cộng hoà"      # decomposed, as LC stores it


def test_author_key_is_surname_and_initial_or_the_whole_name():
    assert author_key("Chen, Wanzhen, 1950-") == "chen w"
    assert author_key("Mai Hương, 1949-") == "mai huong"
    assert author_key("苏州市  (Jiangsu Sheng, China). 化工局") == "苏州市化工局"
    assert author_key("陳婉真, 1950-") == "陈婉真"


def test_within_counts_edits():
    assert within("kitten", "sitting", 3) is True
    assert within("kitten", "sitting", 2) is False
    assert within("taiwan xin ju", "taiwan xin ju", 0) is True


def test_match_keys_of_an_lc_record_with_880s():
    # =008  020605s1994    ch a     b    000 0 chi d
    # =010  \\$a   00409590      =020  \\$a9571312584
    # =100  1\$6880-01$aYang, Du.         880: 楊渡.
    # =245  10$6880-02$aRi ju shi qi Taiwan xin ju yun dong (1923-1936) /$cYang Du zhu.
    #                               880: 日據時期台灣新劇運動　(一九二三 - 一九三六) /
    # =250  \\$6880-03$aChu ban.      =300  \\$a175 p. :$bill. ;$c22 cm.
    assert keys(record(TRADITIONAL, 0)) == MatchKeys(
        isbns=("9789571312583",), lccn=("00409590",),
        title="ri ju shi qi taiwan xin ju yun dong 1923 1936", author="yang d",
        title_vernacular="日据时期台湾新剧运动一九二三一九三六", author_vernacular="杨渡",
        year=1994, format="book", language="chi", edition="", numbers="1923 1936", pages=175,
        title_pinyin="rijushiqitaiwanxinjuyundong19231936", author_pinyin="yangdu")


# -- what clusters ------------------------------------------------------------

def test_the_same_record_from_two_libraries_is_one_cluster():
    lc = record(TRADITIONAL, 1)
    assert groups({"lc:00409591": keys(lc), "nlc:b42": keys(copy_of(lc, "b42"))}) == [
        ["lc:00409591", "nlc:b42"]]


def test_a_file_imported_by_two_libraries_gives_one_cluster_per_record(tmp_path):
    home = Home.init(tmp_path / "home")
    path = FIXTURES / TRADITIONAL
    for code in ("lc", "tw"):
        home.add_source(Source(code=code, name=code, kind="marc", path=str(path)))
    items = []
    with RecordStore(home.store_path) as store:
        for code in ("lc", "tw"):
            import_files(home, store, code, [str(path)])
        for rec in store.iter_records():
            items.append((rec.id, match_keys(map_stored(rec.data, rec.format))))
    ids = ["00409590", "00409591", "00409592", "00409593"]
    assert cluster_all(items) == {f"{code}:{i}": f"lc:{i}" for code in ("lc", "tw") for i in ids}


def test_a_copy_without_020_and_010_still_clusters_on_title_author_year_format():
    lc = record(TRADITIONAL, 1)
    bare = keys(copy_of(lc, "b42", drop=("010", "020")))
    assert bare.isbns == bare.lccn == ()
    assert groups({"lc:00409591": keys(lc), "nlc:b42": bare}) == [["lc:00409591", "nlc:b42"]]


def test_another_year_stays_apart_even_with_the_same_isbn_and_lccn():
    lc = record(TRADITIONAL, 1)
    later = set_year(copy_of(lc, "b42"), "1998")
    assert keys(later).isbns == keys(lc).isbns
    assert groups({"lc:00409591": keys(lc), "nlc:b42": keys(later)}) == [
        ["lc:00409591"], ["nlc:b42"]]


def test_an_edition_statement_keeps_a_copy_without_ids_apart():
    lc = record(TRADITIONAL, 1)                  # =250  \\$6880-04$aChu ban.
    second = copy_of(lc, "b42", drop=("010", "020", "880"))
    second["250"]["a"] = "Di 2 ban."
    assert groups({"lc:00409591": keys(lc), "nlc:b42": keys(second)}) == [
        ["lc:00409591"], ["nlc:b42"]]


def test_a_different_number_in_the_title_is_another_book_despite_the_tolerance():
    lc = record(TRADITIONAL, 0)                  # ... yun dong (1923-1936) /
    other = copy_of(lc, "b42", drop=("010", "020", "880"))
    other["245"]["a"] = "Ri ju shi qi Taiwan xin ju yun dong (1923-1937) /"
    assert groups({"lc:00409590": keys(lc), "nlc:b42": keys(other)}) == [
        ["lc:00409590"], ["nlc:b42"]]


def test_a_volume_number_the_other_title_lacks_is_another_book():
    lc = record(TRADITIONAL, 1)        # Caoshan xiao she yu Min jin dang de tou ren men /
    volume = copy_of(lc, "b42", drop=("010", "020", "880"))
    volume["245"]["a"] = "Caoshan xiao she yu Min jin dang de tou ren men 2 /"
    assert within(keys(lc).title, keys(volume).title, 2)        # two edits: " 2"
    assert groups({"lc:00409591": keys(lc), "nlc:b42": keys(volume)}) == [
        ["lc:00409591"], ["nlc:b42"]]


def test_a_small_typo_in_a_long_title_is_tolerated():
    lc = record(TRADITIONAL, 0)
    typo = copy_of(lc, "b42", drop=("010", "020", "880"))
    typo["245"]["a"] = "Ri ju shi qi Taiwan xin ju yon dong (1923-1936) /"
    assert groups({"lc:00409590": keys(lc), "nlc:b42": keys(typo)}) == [
        ["lc:00409590", "nlc:b42"]]


def test_conflicting_issns_keep_records_with_the_same_ids_apart():
    lc = record(TRADITIONAL, 1)
    copies = {}
    for rid, issn in (("a:1", "1026-0412"), ("b:1", "0789-7227"), ("c:1", "1026-0412")):
        copy = copy_of(lc, rid[-1])
        copy.add_ordered_field(pymarc.Field("022", [" ", " "], [pymarc.Subfield("a", issn)]))
        copies[rid] = keys(copy)
    assert copies["b:1"].issns == ("0789-7227",)
    assert groups(copies) == [["a:1", "c:1"], ["b:1"]]


def test_traditional_and_simplified_vernacular_titles_match():
    lc = record(TRADITIONAL, 0)                  # 880s in traditional characters
    mainland = copy_of(lc, "c7", drop=("010", "020", "066", "100", "880"))
    mainland["245"]["a"] = "日据时期台湾新剧运动 (一九二三-一九三六) /"
    mainland.add_ordered_field(pymarc.Field("100", ["1", " "], [pymarc.Subfield("a", "杨渡.")]))
    k = keys(mainland)
    assert (k.title, k.author, k.title_vernacular) == ("日据时期台湾新剧运动一九二三一九三六", "杨渡", "")
    assert groups({"lc:00409590": keys(lc), "nlc:c7": k}) == [["lc:00409590", "nlc:c7"]]


def test_vietnamese_old_and_new_tone_placement_match():
    lc = record(OLD_TONES, 0)    # 245 ... sự nghiệp công nghiệp hóa, hiện đại hóa đất nước
    title = lc["245"]["a"]
    assert "ho\u0301a" in title                   # LC: decomposed, tone on the o
    modern = copy_of(lc, "v1", drop=("010",))
    modern["245"]["a"] = title.replace("ho\u0301a", "hoá")     # precomposed, tone on the a
    assert keys(modern).title == keys(lc).title
    assert groups({"lc:00280633": keys(lc), "nlv:v1": keys(modern)}) == [
        ["lc:00280633", "nlv:v1"]]


def test_a_shared_isbn_with_another_title_and_author_is_not_enough():
    # a set or series ISBN on two different books: the second record gets the first's ISBN
    first, second = record(MULTILINGUAL, 2), record(MULTILINGUAL, 4)   # 00292585, 00292587
    second = copy_of(second, "00292587", drop=("010", "020", "300"))  # no extent to compare
    second.add_ordered_field(first["020"])
    k1, k2 = keys(first), keys(second)
    assert k1.isbns == k2.isbns and k1.year != k2.year
    assert look_alike(k1, k2) is False    # Sōzōsareta koten ... / Nihon jidō bungaku ...
    k2 = replace(k2, year=k1.year)        # even in the same year
    assert groups({"lc:00292585": k1, "x:00292587": k2}) == [["lc:00292585"], ["x:00292587"]]


def test_a_shared_isbn_with_another_page_count_is_not_enough():
    first, second = record(MULTILINGUAL, 4), record(MULTILINGUAL, 5)   # 239 p. ; 1039 p.
    second = copy_of(second, "00292588", drop=("010", "020", "100", "245", "880"))
    for tag in ("020", "100", "245"):
        second.add_ordered_field(first[tag])           # the same book but for its extent
    k1, k2 = keys(first), keys(second)
    assert (k1.pages, k2.pages, k1.title == k2.title) == (239, 1039, True)
    assert groups({"lc:00292587": k1, "x:00292588": replace(k2, year=k1.year)}) == [
        ["lc:00292587"], ["x:00292588"]]


def test_vernacular_only_and_romanized_only_copies_meet_through_pinyin():
    lc = record(TRADITIONAL, 1)        # Caoshan xiao she yu Min jin dang de tou ren men
    han = copy_of(lc, "c1", drop=("010", "020", "066", "100", "245", "880"))
    han.add_ordered_field(pymarc.Field("100", ["1", " "], [pymarc.Subfield("a", "陳婉真,"),
                                                          pymarc.Subfield("d", "1950-")]))
    han.add_ordered_field(pymarc.Field("245", ["1", "0"],
                                       [pymarc.Subfield("a", "草山小蛇與民進黨的頭人們 /")]))
    roman = copy_of(lc, "r1", drop=("010", "020", "066", "880"))
    kh, kr = keys(han), keys(roman)
    assert (kh.title_pinyin, kh.author_pinyin) == (
        "caoshanxiaosheyuminjindangdetourenmen", "chenwanzhen")
    assert (kr.title_pinyin, kr.author_pinyin) == (kh.title_pinyin, kh.author_pinyin)
    assert groups({"a:c1": kh, "b:r1": kr}) == [["a:c1", "b:r1"]]


def test_no_chaining_through_a_record_that_matches_two_conflicting_ones():
    # b has no ISSN and shares every id with a and c; a and c have different ISSNs
    lc = record(TRADITIONAL, 1)
    copies = {"b:1": keys(lc)}
    for rid, issn in (("a:1", "1026-0412"), ("c:1", "0789-7227")):
        copy = copy_of(lc, rid)
        copy.add_ordered_field(pymarc.Field("022", [" ", " "], [pymarc.Subfield("a", issn)]))
        copies[rid] = keys(copy)
    assert groups(copies) == [["a:1", "b:1"], ["c:1"]]


def test_complete_linkage_no_chain_of_small_differences():
    # 21 characters allow one edit: A~B and B~C, but A and C are two edits apart
    lc = record(TRADITIONAL, 3)                  # =245  10$6880-02$aJiayi Beihui er er ba /
    titles = {"a:1": "Jiayi Beihui er er ba /", "b:1": "Jiayi Beihui er er bo /",
              "c:1": "Jiayi Beihui er ar bo /"}
    copies = {}
    for rid, title in titles.items():
        copy = copy_of(lc, rid, drop=("010", "020", "066", "880"))
        copy["245"]["a"] = title
        copies[rid] = keys(copy)
    # fuzzy pairs are taken in title order: "...er ar bo" with "...er er bo" comes first
    assert groups(copies) == [["a:1"], ["b:1", "c:1"]]


def test_cluster_ids_are_the_smallest_member_and_input_order_does_not_matter():
    items = []
    for index in range(4):
        lc = record(TRADITIONAL, index)
        items += [(f"lc:{index}", keys(lc)), (f"b:{index}", keys(copy_of(lc, "x", drop=("020",))))]
    expected = {f"{lib}:{i}": f"b:{i}" for i in range(4) for lib in ("lc", "b")}
    assert cluster_all(items) == expected
    random.Random(6).shuffle(items)
    assert cluster_all(items) == expected


def test_richest_is_the_record_with_most_description():
    lc = mapped(record(TRADITIONAL, 0))
    poor = mapped(copy_of(record(TRADITIONAL, 0), "p", drop=("504", "650", "880")))
    assert len(poor) < len(lc)
    assert richest([poor, lc]) == 1
    assert richest([lc, poor]) == 0
    assert richest([lc, dict(lc)]) == 0            # a tie goes to the first
