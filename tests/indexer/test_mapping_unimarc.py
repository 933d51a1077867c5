"""UNIMARC and CNMARC mapping: pymarc's Italian record and the constructed CNMARC set.

The CNMARC records are built by tests/fixtures/make_cnmarc.py from the field examples of
the CNMARC manuals (its RECORDS text is the breaker dump of every record), once in UTF-8
and once in GB 18030; both files must map to the same dicts. Expected values were written
from those fields and the rules in indexer/unimarc.py: ISBD punctuation between 200's
subfields, role words cut off names and kept as relator codes, CLC's first letter as facet.
"""

from __future__ import annotations

import pymarc
import pytest

from harvest.marcfile import read_file
from indexer.errors import MappingWarning
from indexer.mapping import map_stored

from ..support import FIXTURES, iso2709_records


def cnmarc(index: int, name: str = "cnmarc_utf8.mrc") -> bytes:
    return iso2709_records(FIXTURES / name)[index]


def quiet(data: bytes, fmt: str = "unimarc", **kwargs) -> dict:
    return map_stored(data, fmt, on_warning=pytest.fail, **kwargs)


def person(name: str, *roles: str) -> dict:
    return {"name": name, "type": "person", "roles": list(roles), "vernacular": False}


def test_both_cnmarc_files_hold_the_same_records_in_two_encodings():
    utf8 = iso2709_records(FIXTURES / "cnmarc_utf8.mrc")
    gb = iso2709_records(FIXTURES / "cnmarc_gb18030.mrc")
    assert len(utf8) == len(gb) == 12
    for a, b in zip(utf8, gb):
        assert a != b
        # pymarc cannot read GB 18030, but the 001s (ASCII) agree
        assert pymarc.Record(a, force_utf8=True)["001"].data == b[b.index(b"\x1e") + 1:][:12].decode()
        assert quiet(a) == quiet(b)


def test_the_character_set_comes_from_100_a_26_29():
    utf8, gb = cnmarc(0), cnmarc(0, "cnmarc_gb18030.mrc")
    assert b"\x1fa20240315d2012    em y0chiy50      ea" in utf8
    assert b"\x1fa20240315d2012    em y0chiy0120    ea" in gb
    assert "活着".encode("gb18030") in gb and "活着".encode("utf-8") not in gb


def test_cnmarc_book():
    # =001  012012000101
    # =010  \\$a978-7-5063-6543-7$dCNY20.00
    # =100  \\$a20240315d2012    em y0chiy50      ea
    # =101  0\$achi
    # =200  1\$a活着$9huo zhe$f余华著
    # =210  \\$a北京$c作家出版社$d2012
    # =215  \\$a191页$d21cm
    # =330  \\$a本书讲述了农村人福贵悲惨的人生遭遇。
    # =606  0\$a长篇小说$y中国$z当代
    # =690  \\$aI247.57$v5
    # =701  \0$a余华$9yu hua$4著
    # =905  \\$aHUST$bA0012345$dI247.57$e1123
    assert quiet(cnmarc(0), source="hust") == {
        "local_id": "012012000101",
        "title": "活着",
        "title_romanized": "huo zhe",
        "responsibility": ["余华著"],
        "authors": ["余华"],
        "authors_romanized": ["yu hua"],
        "contributors": [person("余华", "aut")],          # $4 著 -> aut
        "subjects": ["长篇小说 -- 中国 -- 当代"],
        "publishers": ["作家出版社"],
        "places": ["北京"],
        "year": 2012,                                   # 100 $a/9-12
        "extent": "191页 ; 21cm",
        "languages": ["chi"],
        "format": "book",                               # leader/06 a, /07 m
        # 978750636543 -> check 7 (valid); ISBN-10 7506365437... -> 750636543X
        "isbns": ["9787506365437", "750636543X"],
        "clc": ["I247.57"],
        "clc_facet": ["I"],                             # I: 文学 (literature)
        "summary": ["本书讲述了农村人福贵悲惨的人生遭遇。"],
        # CNMARC 905: library $a, call number $d/$e, barcode $b
        "holdings": [{"library": "HUST", "call_number": "I247.57/1123", "barcode": "A0012345"}],
    }


def test_cnmarc_translated_book():
    # dp2's published record (DigitalPlatform/dp2#190), fields as given there:
    # =010  \\$a7-5339-1845-2$dCNY18.00
    # =101  1\$achi$ceng                                  (translated from English)
    # =200  1\$a少年小树之歌$9shao nian xiao shu zhi ge$f[美]佛瑞斯特·卡特著$g姚宏昌译
    # =210  \\$a杭州$c浙江文艺出版社$d2005
    # =215  \\$a206页$c图$d21cm
    # =305  \\$a经小知堂文化事业有限公司授权出版。
    # =510  1\$aThe education of Little Tree$zeng
    # =606  0\$a长篇小说$y美国$z现代
    # =690  \\$aI712.45$v4
    # =701  \0$c(美)$a卡特$9ka te$c(Carter, Forrest)$4著    ($c (美): nationality, not a name)
    # =702  \0$a姚宏昌$9yao hong chang$4译
    assert quiet(cnmarc(1), source="tjl") == {
        "local_id": "012005000102",
        "title": "少年小树之歌",
        "title_romanized": "shao nian xiao shu zhi ge",
        "title_alt": ["The education of Little Tree"],
        # the statement of responsibility stays as transcribed, brackets and all
        "responsibility": ["[美]佛瑞斯特·卡特著 ; 姚宏昌译"],
        "authors": ["卡特 (Carter, Forrest)", "姚宏昌"],
        "authors_romanized": ["ka te", "yao hong chang"],
        "contributors": [person("卡特 (Carter, Forrest)", "aut"), person("姚宏昌", "trl")],
        "subjects": ["长篇小说 -- 美国 -- 现代"],
        "publishers": ["浙江文艺出版社"],
        "places": ["杭州"],
        "year": 2005,
        "extent": "206页 : 图 ; 21cm",
        "languages": ["chi"],                           # 101 $c (original language) is not one
        "format": "book",
        # 7533918452: 7*10+5*9+3*8+3*7+9*6+1*5+8*4+4*3+5*2+2 = 275 = 25*11
        "isbns": ["9787533918453", "7533918452"],
        "clc": ["I712.45"],
        "clc_facet": ["I"],
        "notes": ["经小知堂文化事业有限公司授权出版。"],
        # no 905/995: the source library, under the 690 CLC class number
        "holdings": [{"library": "tjl", "call_number": "I712.45", "scheme": "clc"}],
    }


def test_cnmarc_multi_volume_set_and_its_volumes():
    # the set:
    # =200  1\$a鲁迅全集$9lu xun quan ji$f鲁迅著    =205  \\$a2005年版    =215  \\$a18册$d24cm
    # =327  0\$a第1卷. 坟 热风 呐喊$a第2卷. 彷徨 野草 朝花夕拾 故事新编
    # =606  0\$a鲁迅著作$j全集    =701  \0$a鲁迅$f(1881-1936)$9lu xun$4著
    the_set = quiet(cnmarc(2))
    assert the_set == {
        "local_id": "012005000103",
        "title": "鲁迅全集",
        "title_romanized": "lu xun quan ji",
        "responsibility": ["鲁迅著"],
        "authors": ["鲁迅 (1881-1936)"],
        "authors_romanized": ["lu xun"],
        "contributors": [person("鲁迅 (1881-1936)", "aut")],
        "subjects": ["鲁迅著作 -- 全集"],
        "publishers": ["人民文学出版社"],
        "places": ["北京"],
        "year": 2005,
        "edition": "2005年版",
        "extent": "18册 ; 24cm",
        "languages": ["chi"],
        "format": "book",
        "isbns": ["9787020050338", "7020050336"],
        "clc": ["I210.1"],
        "clc_facet": ["I"],
        "contents": ["第1卷. 坟 热风 呐喊 -- 第2卷. 彷徨 野草 朝花夕拾 故事新编"],
    }
    # a volume: 200 $h number of part, $i name of part; 461 links to the set (embedded 200)
    # =LDR  00000nam0 2200000 2 45               (leader/08 2: below the top of the hierarchy)
    # =200  1\$a鲁迅全集$h第1卷$i坟 热风 呐喊$f鲁迅著
    # =461  \0$1001012005000103$12001 $a鲁迅全集$v第1卷
    assert quiet(cnmarc(3)) == {
        "local_id": "012005000104",
        "title": "鲁迅全集. 第1卷, 坟 热风 呐喊",
        "responsibility": ["鲁迅著"],
        "authors": ["鲁迅 (1881-1936)"],
        "contributors": [person("鲁迅 (1881-1936)", "aut")],
        "publishers": ["人民文学出版社"],
        "places": ["北京"],
        "year": 2005,
        "extent": "593页 ; 24cm",
        "languages": ["chi"],
        "format": "book",
        "isbns": ["9787020050345", "7020050344"],
        "clc": ["I210.1"],
        "clc_facet": ["I"],
        "series": ["鲁迅全集"],
    }


def test_cnmarc_conference_proceedings():
    # =200  1\$a中国图书馆学会年会论文集$h2010年卷$f中国图书馆学会编
    # =225  2\$a中国图书馆学会年会论文集          =410  \0$12001 $a中国图书馆学会年会论文集
    # =606  0\$a图书馆学$j学术会议$j文集            =690  \\$aG250-53$v5
    # =710  12$a中国图书馆学会$b年会$d(2010$e苏州)   (ind1 1: a meeting)
    # =712  02$a中国图书馆学会$4编
    assert quiet(cnmarc(5)) == {
        "local_id": "012010000106",
        "title": "中国图书馆学会年会论文集. 2010年卷",
        "responsibility": ["中国图书馆学会编"],
        "authors": ["中国图书馆学会. 年会 (2010 ; 苏州)", "中国图书馆学会"],
        "contributors": [
            {"name": "中国图书馆学会. 年会 (2010 ; 苏州)", "type": "meeting", "roles": [],
             "vernacular": False},
            {"name": "中国图书馆学会", "type": "organization", "roles": ["edt"],
             "vernacular": False}],
        "subjects": ["图书馆学 -- 学术会议 -- 文集"],
        "publishers": ["国家图书馆出版社"],
        "places": ["北京"],
        "year": 2010,
        "extent": "612页 : 图 ; 26cm",
        "languages": ["chi"],
        "format": "book",
        "isbns": ["9787501343898", "7501343896"],
        "clc": ["G250-53"],
        "clc_facet": ["G"],
        "series": ["中国图书馆学会年会论文集"],       # 225 and 410 say the same
    }


def test_role_words_are_cut_off_names_and_kept_as_roles():
    # =010  \\$a978-7-5302-1637-5           (check digit should be 8: a bad ISBN, kept apart)
    # =701  \0$a王小波著                     (role word in the name, no $4)
    # =702  \0$a李银河编
    mapped = quiet(cnmarc(7))
    assert mapped["authors"] == ["王小波", "李银河"]
    assert mapped["contributors"] == [person("王小波", "aut"), person("李银河", "edt")]
    assert mapped["isbns_invalid"] == ["978-7-5302-1637-5"] and "isbns" not in mapped
    # $4 编著 (compiled and written) -> aut; a cancelled ISBN in 010 $z is kept apart too
    textbook = quiet(cnmarc(6))
    assert textbook["contributors"] == [person("严蔚敏", "aut"), person("吴伟民", "aut")]
    assert textbook["isbns_invalid"] == ["978-7-302-14751-3"]


def test_koha_995_items_are_holdings():
    # =995  \\$bMAIN$cMAIN$eSTACKS$fB20070001$kTP311.12/Y19$rBOOK
    # =995  \\$bLAW$cLAW$fB20070002$kTP311.12/Y19 c.2$rBOOK
    assert quiet(cnmarc(6), source="hust")["holdings"] == [
        {"library": "MAIN", "call_number": "TP311.12/Y19", "location": "STACKS",
         "barcode": "B20070001"},
        {"library": "LAW", "call_number": "TP311.12/Y19 c.2", "barcode": "B20070002"}]


def test_cnmarc_serial_and_electronic_resource():
    serial = quiet(cnmarc(9))            # leader nas, 011 $a1000-4254
    assert (serial["format"], serial["issns"]) == ("serial", ["1000-4254"])
    online = quiet(cnmarc(10))           # 200 $b电子资源, 856 $u
    assert (online["format"], online["online"]) == ("software", True)
    # UNIMARC leaves 856's second indicator undefined: the link is the resource
    assert online["links"] == [{"url": "http://read.nlc.cn/thematDataSearch/toGujiIndex",
                                "kind": "resource"}]


def test_western_book_in_cnmarc_uses_numeric_relator_codes_and_other_schemes():
    # =700  \1$aCormen$b, Thomas H.$4070    =701  \1$aLeiserson$bCharles E.$4070
    # =702  \1$aStein$bClifford$4340        (070 author, 340 editor)
    # =676  \\$a005.1$v22   =680  \\$aQA76.6$b.C662 2009   =690  \\$aTP301.6$v4
    mapped = quiet(cnmarc(11))
    assert mapped["contributors"] == [person("Cormen, Thomas H.", "aut"),
                                      person("Leiserson, Charles E.", "aut"),
                                      person("Stein, Clifford", "edt")]
    assert (mapped["ddc"], mapped["ddc_facet"]) == (["005.1"], ["000"])
    assert (mapped["lcc"], mapped["lcc_facet"]) == (["QA76.6 .C662 2009"], ["QA"])
    assert (mapped["clc"], mapped["clc_facet"]) == (["TP301.6"], ["T"])
    assert (mapped["title"], mapped["edition"]) == ("Introduction to algorithms", "3rd ed.")


def test_a_mislabelled_character_set_is_detected_and_reported():
    # the record of cnmarc_utf8.mrc #1, its bytes GB 18030, its 100 $a/26-29 still "50"
    data = (FIXTURES / "cnmarc_mislabelled.mrc").read_bytes()
    assert b"y50      ea" in data and "活着".encode("gb18030") in data
    with pytest.warns(MappingWarning, match="100 \\$a/26-29 says UTF-8 but the bytes are GB 18030"):
        mapped = map_stored(data, "unimarc")
    assert mapped == quiet(cnmarc(0))
    # the source's encoding setting wins over the record, and then nothing is reported
    assert map_stored(data, "unimarc", encoding="GBK", on_warning=pytest.fail) == mapped


def test_pymarc_unimarc_record():
    # pymarc's testunimarc.dat (ICCU/SBN, Italy): UTF-8 ("50" in 100 $a/26-29) with the
    # non-sorting markers U+0088/U+0089 around "L'" and "Il ", and 4XX with embedded fields.
    data = (FIXTURES / "unimarc_italian_sbn.mrc").read_bytes()
    assert "\x88L'\x89altra".encode() in data
    # =001  IT\ICCU\ANA\0019370
    # =010  \\$a88-04-40682-8
    # =100  \\$a19961119d1996    ||||0itac50      ba
    # =101  \\$aita
    # =200  1\$a<NSB>L'<NSE>altra faccia della spirale$fIsaac Asimov$gtraduzione di Cesare
    #          Scaglia$gintroduzione di Fruttero & Lucentini
    # =210  \\$aMilano$cA. Mondadori$d1996
    # =215  \\$aV, 201 p.$d20 cm.
    # =410  \0$1001IT\ICCU\CFI\0012751$12001 $aBestsellers$v641
    # =410  \0$1001IT\ICCU\RMS\1881044$12001 $a<NSB>Il <NSE>ciclo delle fondazioni$fIsaac Asimov$v4
    # =454  \0$1001IT\ICCU\RAV\0005061$12001 $aSecond foundation.$1700 1$aAsimov$b, Isaac...
    # =700  \1$aAsimov$b, Isaac$3IT\ICCU\CFIV\007327$4070
    # =702  \1$aFruttero$b, Carlo$3...   =702  \1$aLucentini$b, Franco$3...
    # =702  \1$aScaglia$b, Cesare$3...
    # =790  \1$aAzimov$b, Ajzek$3...$zAsimov, Isaac       (a see-reference: not indexed)
    # =899 x44 (SBN library codes: not holdings fields Sheaf reads)
    assert map_stored(data, "unimarc", source="sbn", on_warning=pytest.fail) == {
        "local_id": "IT\\ICCU\\ANA\\0019370",
        "title": "L'altra faccia della spirale",
        "title_alt": ["Second foundation"],                      # 454: translation of
        "responsibility": ["Isaac Asimov ; traduzione di Cesare Scaglia ; introduzione di"
                           " Fruttero & Lucentini"],
        "authors": ["Asimov, Isaac", "Fruttero, Carlo", "Lucentini, Franco", "Scaglia, Cesare"],
        "contributors": [person("Asimov, Isaac", "aut"), person("Fruttero, Carlo"),
                         person("Lucentini, Franco"), person("Scaglia, Cesare")],
        "publishers": ["A. Mondadori"],
        "places": ["Milano"],
        "year": 1996,
        "extent": "V, 201 p. ; 20 cm",
        "languages": ["ita"],
        "format": "book",
        # 8804406828: 8*10+8*9+0+4*7+4*6+0+6*4+8*3+2*2+8 = 264 = 24*11
        "isbns": ["9788804406822", "8804406828"],
        "series": ["Bestsellers", "Il ciclo delle fondazioni"],
        "holdings": [{"library": "sbn"}],
    }


def test_unimarc_records_are_recognised_in_a_file():
    records = list(read_file(FIXTURES / "cnmarc_gb18030.mrc", None, pytest.fail,
                             default_flavour="unimarc", on_warning=pytest.fail))
    assert {r.format for r in records} == {"unimarc"}
    warned = []
    list(read_file(FIXTURES / "unimarc_italian_sbn.mrc", None, pytest.fail,
                   on_warning=warned.append))
    assert [w.reason for w in warned] == [
        "the source's flavour is marc21 but this file holds unimarc records;"
        " they are read as unimarc"]
