"""MARC 21 mapping: whole-record literals written from the MARC fields.

Each expected dict was written by reading the record's fields (shown in the comments,
as a breaker dump prints them) and applying the rules in indexer/marc21.py by hand:
ISBD punctuation off the ends, linked 880s after their field, NFC, valid ISBNs as
ISBN-13 then ISBN-10. The pymarc checks at the top of each test tie the literals to
the fixture bytes. Keys the record gives nothing for are absent.
"""

from __future__ import annotations

import re
import unicodedata

import pymarc
import pytest

from harvest.marcfile import read_marcxml
from indexer.mapped import FIELDS
from indexer.mapping import map_record, map_stored

from ..support import FIXTURES, iso2709_records


def record_bytes(name: str, local_id: str | None = None, index: int = 0) -> bytes:
    """One record of a fixture, by position or by its 001 (as pymarc reads it)."""
    records = iso2709_records(FIXTURES / name)
    if local_id is None:
        return records[index]
    matches = [d for d in records if pymarc_utf8(d)["001"].data.strip() == local_id]
    assert len(matches) == 1, local_id
    return matches[0]


def pymarc_utf8(data: bytes) -> pymarc.Record:
    return pymarc.Record(data, to_unicode=True, force_utf8=True)


def quiet(data: bytes, fmt: str = "marc21", **kwargs) -> dict:
    """map_stored with its warnings collected instead of raised as Python warnings."""
    return map_stored(data, fmt, on_warning=lambda message: None, **kwargs)


def test_lc_chinese_record_with_880s():
    data = record_bytes("chinese_880_traditional.mrc", index=1)
    rec = pymarc_utf8(data)
    # =LDR  01293cam a2200361 a 4500
    # =001     00409591
    # =008  010409s1997    ch            000 0 chi d
    # =010  \\$a   00409591
    # =020  \\$a9579724709
    # =050  00$aJQ1519.A5747$bC446 1997
    # =100  1\$6880-01$aChen, Wanzhen,$d1950-
    # =245  10$6880-02$aCaoshan xiao she yu Min jin dang de tou ren men /$cChen Wanzhen zhu.
    # =246  14$6880-03$aXu Xinliang zhu dao tong di mai Tai ji
    # =250  \\$6880-04$aChu ban.
    # =260  \\$6880-05$aTaibei Xian Banqiao Shi :$bChen Wanzhen fu wu chu,$c1997.
    # =300  \\$a11, vii, 463 p. ;$c21 cm.
    # =610  20$6880-06$aMin jin dang (China)
    # =600  10$6880-07$aXu, Xinliang.
    # =651  \0$aTaiwan$xPolitics and government$y1988-2000.
    # =880  1\$6100-01/$1$a陳婉真,$d1950-
    # =880  10$6245-02/$1$a草山小蛇與民進黨的頭人們　/$c陳婉真著．
    # =880  14$6246-03/$1$a許信良主導通敵賣台記
    # =880  \\$6250-04/$1$a初版．
    # =880  \\$6260-05/$1$a台北縣板橋市　:$b陳婉眞服務處,$c1997.
    # =880  24$6610-06/$1$a民進黨　(China)
    # =880  14$6600-07/$1$a許信良.
    assert rec["001"].data.strip() == "00409591"
    assert rec["245"]["a"] == "Caoshan xiao she yu Min jin dang de tou ren men /"
    vernacular_245 = [f for f in rec.get_fields("880") if f["6"].startswith("245")][0]
    assert vernacular_245["a"] == "草山小蛇與民進黨的頭人們\u3000/"
    assert vernacular_245["c"] == "陳婉真著\uff0e"

    assert quiet(data, source="lc") == {
        "local_id": "00409591",
        "title": "Caoshan xiao she yu Min jin dang de tou ren men",
        "title_vernacular": "草山小蛇與民進黨的頭人們",
        "title_alt": ["Xu Xinliang zhu dao tong di mai Tai ji", "許信良主導通敵賣台記"],
        "responsibility": ["Chen Wanzhen zhu", "陳婉真著"],
        "authors": ["Chen, Wanzhen, 1950-"],
        "authors_vernacular": ["陳婉真, 1950-"],
        "contributors": [
            {"name": "Chen, Wanzhen, 1950-", "type": "person", "roles": [], "vernacular": False},
            {"name": "陳婉真, 1950-", "type": "person", "roles": [], "vernacular": True},
        ],
        # 100 $6 880-01 and the 880 $6 100-01 are one name in two scripts
        # 600, 610, 651 in the rules' tag order, each 880 right after the field it links to
        "subjects": ["Xu, Xinliang", "許信良", "Min jin dang (China)", "民進黨\u3000(China)",
                     "Taiwan -- Politics and government -- 1988-2000"],
        # each heading with the 880 linked to it (the browse lists show them as one)
        "name_forms": [{"heading": "Chen, Wanzhen, 1950-", "vernacular": "陳婉真, 1950-"}],
        "subject_forms": [{"heading": "Xu, Xinliang", "vernacular": "許信良"},
                          {"heading": "Min jin dang (China)", "vernacular": "民進黨\u3000(China)"}],
        "publishers": ["Chen Wanzhen fu wu chu", "陳婉眞服務處"],
        "places": ["Taibei Xian Banqiao Shi", "台北縣板橋市"],
        # 245 $c, 250, 260 $a and $b each paired with the 880 their $6 links to
        "responsibility_forms": [{"heading": "Chen Wanzhen zhu", "vernacular": "陳婉真著"}],
        "edition_forms": [{"heading": "Chu ban", "vernacular": "初版"}],
        "place_forms": [{"heading": "Taibei Xian Banqiao Shi", "vernacular": "台北縣板橋市"}],
        "publisher_forms": [{"heading": "Chen Wanzhen fu wu chu", "vernacular": "陳婉眞服務處"}],
        "year": 1997,
        "edition": "Chu ban",
        "extent": "11, vii, 463 p. ; 21 cm",
        "languages": ["chi"],
        "format": "book",                       # leader/06 a, leader/07 m
        # 9579724709: 9*10+5*9+7*8+9*7+7*6+2*5+4*4+7*3+0*2+9 = 352 = 32*11, valid;
        # 978957972470 -> weights 1,3,...: 142 -> check digit 8
        "isbns": ["9789579724708", "9579724709"],
        "lccn": ["00409591"],
        "lcc": ["JQ1519.A5747 C446 1997"],
        "lcc_facet": ["JQ"],                    # JQ: political institutions (Asia ...)
        # no 852/952: the source library holds it, under the LC call number
        "holdings": [{"library": "lc", "call_number": "JQ1519.A5747 C446 1997"}],
    }


def test_lc_vietnamese_record_decomposed_text_comes_out_nfc():
    data = record_bytes("vietnamese_nfd_titles.mrc", index=5)
    rec = pymarc_utf8(data)
    # =001     00280610
    # =008  000224s1999    vm           f000 0 vie
    # =050  00$aHG3973.5$b.N45 1999
    # =100  1\$aNguyễn, Thị Thu Thảo.                     (decomposed in the record)
    # =245  10$aĐổi mới và hoàn thiện chính sách quản lý ngoại hối ở Việt Nam /$cNguyễn Thị Thu Thảo.
    # =260  \\$aHà Nội :$bNhà xuất bản Chính trị quốc gia,$c1999.
    # =300  \\$a178 p. ;$c19 cm.
    # =650  \0$aForeign exchange$xGovernment policy$zVietnam.
    assert rec["001"].data.strip() == "00280610"
    assert not unicodedata.is_normalized("NFC", rec["245"]["a"])
    assert unicodedata.normalize("NFC", rec["260"]["a"]) == "Hà Nội :"

    mapped = quiet(data, source="nlv")

    assert mapped == {
        "local_id": "00280610",
        "title": "Đổi mới và hoàn thiện chính sách quản lý ngoại hối ở Việt Nam",
        "responsibility": ["Nguyễn Thị Thu Thảo"],
        "authors": ["Nguyễn, Thị Thu Thảo"],
        "contributors": [{"name": "Nguyễn, Thị Thu Thảo", "type": "person", "roles": [],
                          "vernacular": False}],
        "subjects": ["Foreign exchange -- Government policy -- Vietnam"],
        "publishers": ["Nhà xuất bản Chính trị quốc gia"],
        "places": ["Hà Nội"],
        "year": 1999,
        "extent": "178 p. ; 19 cm",
        "languages": ["vie"],
        "format": "book",
        "lccn": ["00280610"],
        "lcc": ["HG3973.5 .N45 1999"],
        "lcc_facet": ["HG"],
        "holdings": [{"library": "nlv", "call_number": "HG3973.5 .N45 1999"}],
    }
    for key in ("title", "responsibility", "authors", "publishers", "places"):
        values = mapped[key] if isinstance(mapped[key], list) else [mapped[key]]
        assert all(unicodedata.is_normalized("NFC", v) for v in values), key


def test_evergreen_marc8_record_combining_acute_comes_out_precomposed():
    # Evergreen lul_fre_100 record 2: MARC-8 writes the acute (0xE2) before its letter
    data = record_bytes("marc8_french_diacritics.mrc")
    assert data[9:10] == b" " and b"po\xe2esies" in data and b"r\xe2eunies" in data
    # =001  01-0118948
    # =008  970701s1904    fr           u000 0 fre u
    # =050  00$aPS'9455'H365'A86          (Sirsi's apostrophes: no class letters to facet on)
    # =100  1\$aChapman, W.$q(William),$d1850-1917.
    # =245  04$aLes aspirations :$bpoésies canadiennes /$cW. Chapman.
    # =260  \\$aParis :$bLibrairies-Imprimeries réunies,$c1904.
    # =300  \\$a353 p.
    # =949  \\$aPS 9455 H365 A86$wLC$i30007004049820...   (Sirsi item field: not read)
    assert quiet(data, source="ulaval") == {
        "local_id": "01-0118948",
        "title": "Les aspirations : poésies canadiennes",
        "responsibility": ["W. Chapman"],
        "authors": ["Chapman, W. (William), 1850-1917"],
        "contributors": [{"name": "Chapman, W. (William), 1850-1917", "type": "person",
                          "roles": [], "vernacular": False}],
        "publishers": ["Librairies-Imprimeries réunies"],
        "places": ["Paris"],
        "year": 1904,
        "extent": "353 p.",                     # "p." is an abbreviation: its period stays
        "languages": ["fre"],
        "format": "book",
        "lcc": ["PS'9455'H365'A86"],
        "holdings": [{"library": "ulaval", "call_number": "PS'9455'H365'A86"}],
    }
    assert quiet(data)["title"] == unicodedata.normalize(
        "NFC", "Les aspirations : poe\u0301sies canadiennes")


def ncr_decoded(text: str) -> str:
    """Decode MARC-8 numeric character references (&#xXXXX;) the way LC specifies them."""
    return re.sub(r"&#x([0-9A-Fa-f]{4,6});?", lambda m: chr(int(m.group(1), 16)), text)


def test_marc4j_marc8_eacc_record_decodes_han_script():
    # marc4j's record u6080510, MARC-8 (leader/09 blank) with EACC Han in its 880s. The same
    # record exists with every Han character written as a numeric character reference
    # (marc8_ncr_escaped_chinese.mrc): decoding those references by hand gives the code points
    # the EACC bytes must map to, without trusting any MARC-8 table.
    data = record_bytes("marc8_eacc_chinese.mrc")
    assert data[9:10] == b" " and b"\x1b$1" in data
    ncr = record_bytes("marc8_ncr_escaped_chinese.mrc")
    ncr_245 = re.search(rb"\x1f6245-01/\$1\x1fa([^\x1f]*)", ncr).group(1).decode("ascii")
    assert ncr_decoded(ncr_245) == "車輪滾滾"
    # =LDR  03415cgm  2200745Ia 4500                          g: projected medium -> video
    # =007  vd cvaiz|
    # =008  130612p20031975cc 090            vlchi d
    # =020  \\$a7884085623
    # =020  \\$a9787884085620                                  (the same ISBN twice)
    # =035  \\$a(OCoLC)847786362$z(OCoLC)60658652
    # =050  \4$aPN1995.9.W3$bC45 2003 viedo/d
    # =245  00$6880-01$aChe lun gun gun$h[videorecording] /$cChangchun dian ying zhi pian
    #          chang ; bian ju, Xue Shouxian ; dao yan, Yin Yiqing.
    # =246  1\$iTitle on disc label also in English:$aWheels are rolling
    # =260  \\$6880-02$a[Jinan] :$bQi lu yin xiang chu ban she ;$a[Guangzhou] :$bGuangzhou
    #          qiao jia ren wen hua chuan bo you xian gong si,$c[2003]
    # =300  \\$a1 videodisc (90 min.) :$bsd., col. ;$c4 3/4 in.
    # =490  1\$6880-03$aHan yu =$aChinese, Follow me      =490  1\$6880-04$aZhongguo jing ...
    # =500, =508 (+880), =511 (+880), =538, =546, =520      notes in the rules' tag order
    # =651  \0$aChina$xHistory$yCivil War, 1945-1949$vDrama.   =651  \0$aChina$xMilitia$vDrama.
    # =655  \7$aFeature films.$2lcgft  =655  \7$aFeature films$zChina.$2lcgft
    # =655  \0$aMotion pictures, Chinese.
    # =700  1\$6880-07$aYin, Yiqing,$d1926-   ... 700 Da, Qi. / Li, Yalin. / Lu, Yalin. / Li, Jie.
    # =710  2\$6880-12$aChangchun dian ying zhi pian chang.  ... two more 710s
    # =830  \0$6880-15$aGen wo xue Han yu.  =830  \0$6880-16$aZhongguo jing dian dian ying.
    # =880  00$6245-01/$1$a車輪滾滾$h[videorecording] /$c长春电影制片厂 ; 编剧, 薛寿先；导演, 尹一青.
    # =880  \\$6260-02/$1$a[济南] :$b齐鲁音像出版社 :$b广州俏佳人文化传播有限公司,$c[2003]
    mapped = quiet(data, source="m4j")
    people = ["Yin, Yiqing, 1926-", "Da, Qi", "Li, Yalin", "Lu, Yalin", "Li, Jie"]
    people_han = ["尹一淸", "达奇", "李亚林", "吕亚林", "李颉"]
    bodies = ["Changchun dian ying zhi pian chang", "Qi lu yin xiang chu ban she",
              "Guangzhou qiao jia ren wen hua chuan bo you xian gong si"]
    bodies_han = ["长春电影制片厂", "齐鲁音像出版社", "广州俏佳人文化传播有限公司"]

    def who(names, kind, vernacular):
        return [{"name": n, "type": kind, "roles": [], "vernacular": vernacular} for n in names]

    assert mapped == {
        "local_id": "u6080510",
        "title": "Che lun gun gun",
        "title_vernacular": "車輪滾滾",
        "title_alt": ["Wheels are rolling"],
        "responsibility": [
            "Changchun dian ying zhi pian chang ; bian ju, Xue Shouxian ; dao yan, Yin Yiqing",
            "长春电影制片厂 ; 编剧, 薛寿先；导演, 尹一青"],
        "authors": people + bodies,
        "authors_vernacular": people_han + bodies_han,
        "name_forms": [{"heading": n, "vernacular": v}
                       for n, v in zip(people + bodies, people_han + bodies_han)],
        # 700s, then their 880s, then 710s and theirs (the rules' tag order)
        "contributors": (who(people, "person", False) + who(people_han, "person", True)
                         + who(bodies, "organization", False)
                         + who(bodies_han, "organization", True)),
        # each 700/710 and the 880 its $6 links to (every one has its 880 here)
        "subjects": ["China -- History -- Civil War, 1945-1949 -- Drama",
                     "China -- Militia -- Drama", "Feature films", "Feature films -- China",
                     "Motion pictures, Chinese"],
        "publishers": [bodies[1], bodies[2], bodies_han[1], bodies_han[2]],
        "places": ["Jinan", "Guangzhou", "济南"],
        # one 260 with two places and two publishers; its 880 gives one place
        "place_forms": [{"heading": "Jinan ; Guangzhou", "vernacular": "济南"}],
        "publisher_forms": [{"heading": f"{bodies[1]} : {bodies[2]}",
                             "vernacular": f"{bodies_han[1]} : {bodies_han[2]}"}],
        "responsibility_forms": [{
            "heading": "Changchun dian ying zhi pian chang ; bian ju, Xue Shouxian ; dao yan,"
                       " Yin Yiqing",
            "vernacular": "长春电影制片厂 ; 编剧, 薛寿先；导演, 尹一青"}],
        # the 490s and 830s with their 880s; the 508 and 511 notes with theirs (no final period)
        "series_forms": [
            {"heading": "Han yu = Chinese, Follow me", "vernacular": "汉语 = Chinese, Follow me"},
            {"heading": "Zhongguo jing dian dian ying = Chinese movies",
             "vernacular": "中国经典电影 = Chinese movies"},
            {"heading": "Gen wo xue Han yu", "vernacular": "跟我学汉语"},
            {"heading": "Zhongguo jing dian dian ying", "vernacular": "中国经典电影"}],
        "note_forms": [
            {"heading": "She ying, Wu Guojiang ; zuo qu, Chen Ming",
             "vernacular": "摄影, 吴国疆 ; 作曲, 陈明"},
            {"heading": "Da Qi, Lu Yalin, Ye Zhikang, Zhao Dengfeng, Li Jie",
             "vernacular": "达奇, 吕亚林, 叶志康, 赵登峰, 李颉"}],
        "year": 2003,                           # 008/07-10 (type p: date of release)
        "extent": "1 videodisc (90 min.) : sd., col. ; 4 3/4 in",
        "languages": ["chi"],
        "format": "video",
        "isbns": ["9787884085620", "7884085623"],
        "oclc": ["847786362"],
        "lcc": ["PN1995.9.W3 C45 2003 viedo/d"],
        "lcc_facet": ["PN"],
        "series": ["Han yu = Chinese, Follow me", "Zhongguo jing dian dian ying = Chinese movies",
                   "汉语 = Chinese, Follow me", "中国经典电影 = Chinese movies",
                   "Gen wo xue Han yu", "Zhongguo jing dian dian ying", "跟我学汉语", "中国经典电影"],
        "notes": ["Originally released as a motion picture in 1975.",
                  "She ying, Wu Guojiang ; zuo qu, Chen Ming.", "摄影, 吴国疆 ; 作曲, 陈明.",
                  "Da Qi, Lu Yalin, Ye Zhikang, Zhao Dengfeng, Li Jie.",
                  "达奇, 吕亚林, 叶志康, 赵登峰, 李颉.",
                  "DVD, all region. NTSC.",
                  "In Chinese (Mandarin) with Chinese and English subtitles."],
        "summary": ["This is a story about the volunteer militia that support the red army during"
                    " Huihai Campaign in the Civil War between 1946-1949."],
        "holdings": [{"library": "m4j", "call_number": "PN1995.9.W3 C45 2003 viedo/d"}],
    }


def test_traject_hebrew_record_loses_its_bidi_marks():
    # traject's multi-script set, LC 86207417: the Hebrew 880s carry RLM (U+200F) before and
    # after every subfield and LRE/PDF around "c1984", for display; text needs none of them.
    data = record_bytes("multiscript_880_traject.mrc", local_id="86207417")
    rec = pymarc_utf8(data)
    hebrew_245 = [f for f in rec.get_fields("880") if f["6"].startswith("245")][0]
    assert hebrew_245["a"] == "\u200fשודדי־ים יהודיים :\u200f"
    # =008  930810s1984    is a          000 0 heb
    # =020  \\$a9650101373
    # =041  1\$aheb$heng
    # =050  00$aG535$b.F54 1984
    # =100  1\$6880-01$aFinkel, Chaim Jacob.
    # =240  10$aJewish pirates.$lHebrew
    # =245  10$6880-02$aShodede-yam Yehudiyim :$bsipurim mafliʼim ha-mevusasim ʻal ʻuvdot
    #          hisṭoriyot /$cḤayim Yaʻaḳov Finḳel ; me-Anglit, Ofirah Rahaṭ.
    # =260  \\$6880-03$aYerushalayim :$bDevir,$cc1984.
    # =300  \\$a283 p. :$bill. ;$c22 cm.
    # =500  \\$aTitle on t.p. verso: Jewish pirates.
    # =650  \0$aJewish pirates$vAnecdotes.   =650  \0$aJewish criminals$vAnecdotes.
    # =740  0\$aJewish pirates.
    # =880  1\$6100-01/(2/r$aפינקל, חיים יעקב.   (RLMs left out here and below)
    # =880  10$6245-02/(2/r$aשודדי־ים יהודיים :$bספורים מפליאים המבוססים על עובדות היסטוריות /
    #          $cחיים יעקב פינקל ; מאנגלית, אופירה רהט.
    # =880  \\$6260-03/(2/r$aירושלים :$bדביר,$cc1984.
    assert quiet(data, source="traject") == {
        "local_id": "86207417",
        "title": "Shodede-yam Yehudiyim : sipurim mafliʼim ha-mevusasim ʻal ʻuvdot hisṭoriyot",
        "title_vernacular": "שודדי־ים יהודיים : ספורים מפליאים המבוססים על עובדות היסטוריות",
        "title_alt": ["Jewish pirates. Hebrew", "Jewish pirates"],
        "responsibility": ["Ḥayim Yaʻaḳov Finḳel ; me-Anglit, Ofirah Rahaṭ",
                           "חיים יעקב פינקל ; מאנגלית, אופירה רהט"],
        "authors": ["Finkel, Chaim Jacob"],
        "authors_vernacular": ["פינקל, חיים יעקב"],
        "name_forms": [{"heading": "Finkel, Chaim Jacob", "vernacular": "פינקל, חיים יעקב"}],
        "contributors": [
            {"name": "Finkel, Chaim Jacob", "type": "person", "roles": [], "vernacular": False},
            {"name": "פינקל, חיים יעקב", "type": "person", "roles": [], "vernacular": True}],
        "subjects": ["Jewish pirates -- Anecdotes", "Jewish criminals -- Anecdotes"],
        "publishers": ["Devir", "דביר"],
        "places": ["Yerushalayim", "ירושלים"],
        "responsibility_forms": [{"heading": "Ḥayim Yaʻaḳov Finḳel ; me-Anglit, Ofirah Rahaṭ",
                                  "vernacular": "חיים יעקב פינקל ; מאנגלית, אופירה רהט"}],
        "place_forms": [{"heading": "Yerushalayim", "vernacular": "ירושלים"}],
        "publisher_forms": [{"heading": "Devir", "vernacular": "דביר"}],
        "year": 1984,
        "extent": "283 p. : ill. ; 22 cm",
        "languages": ["heb"],                   # 041 $h (original: English) is not a language of the text
        "format": "book",
        "isbns": ["9789650101374", "9650101373"],
        "lccn": ["86207417"],
        "lcc": ["G535 .F54 1984"],
        "lcc_facet": ["G"],
        "notes": ["Title on t.p. verso: Jewish pirates."],
        "holdings": [{"library": "traject", "call_number": "G535 .F54 1984"}],
    }


def test_traject_korean_record_keeps_han_spacing_as_catalogued():
    # LC 92117465: Han-script 880s spaced with U+3000 and punctuated with full-width
    # solidus, comma and full stop; Han text is kept as in the record, only its ISBD
    # punctuation comes off the ends.
    data = record_bytes("multiscript_880_traject.mrc", local_id="92117465")
    # =008  920805s1990    ko       l    000 0 kor
    # =020  \\$cW300000 (set)                     (a price, no ISBN)
    # =050  00$aKPC13$b.K67 1990                  (KPC is not in lcc.tsv: its main class K is)
    # =110  1\$aKorea (North)
    # =240  10$aLaws, etc.
    # =245  10$6880-01$aPukhan pŏmnyŏngjip /$cchʻaegim pʻyŏnjip Chŏng Kyŏng-mo, Chʻoe Tal-gon.
    # =250  \\$6880-02$aChaepʻan.
    # =260  \\$6880-03$aSŏul Tʻŭkpyŏlsi :$bTaeryuk Yŏnʼguso,$c1990.
    # =300  \\$a5 v. ;$c27 cm.
    # =650  \0$aLaw$zKorea (North)
    # =700  1\$6880-04$aChŏng, Kyŏng-mo,$d1937-    =700  1\$6880-05$aChʻoe, Tal-gon.
    # =880  10$6245-01/$1$a北韓　法令集　／$c責任　編輯　鄭　慶謨，　崔　逹坤．
    # =880  \\$6260-03/$1$a서울　持別市　：$b大陸　研究所，$c1990.
    # =880  1\$6700-04/$1$a鄭　慶謨，$d1937-      =880  1\$6700-05/$1$a崔　逹坤．
    assert quiet(data) == {
        "local_id": "92117465",
        "title": "Pukhan pŏmnyŏngjip",
        "title_vernacular": "北韓\u3000法令集",
        "title_alt": ["Laws, etc."],
        "responsibility": ["chʻaegim pʻyŏnjip Chŏng Kyŏng-mo, Chʻoe Tal-gon",
                           "責任\u3000編輯\u3000鄭\u3000慶謨，\u3000崔\u3000逹坤"],
        "authors": ["Korea (North)", "Chŏng, Kyŏng-mo, 1937-", "Chʻoe, Tal-gon"],
        "authors_vernacular": ["鄭\u3000慶謨， 1937-", "崔\u3000逹坤"],
        # (Korea (North), a 110 without an 880, has no other form)
        "name_forms": [{"heading": "Chŏng, Kyŏng-mo, 1937-", "vernacular": "鄭\u3000慶謨， 1937-"},
                       {"heading": "Chʻoe, Tal-gon", "vernacular": "崔\u3000逹坤"}],
        "contributors": [
            {"name": "Korea (North)", "type": "organization", "roles": [], "vernacular": False},
            {"name": "Chŏng, Kyŏng-mo, 1937-", "type": "person", "roles": [], "vernacular": False},
            {"name": "Chʻoe, Tal-gon", "type": "person", "roles": [], "vernacular": False},
            {"name": "鄭\u3000慶謨， 1937-", "type": "person", "roles": [], "vernacular": True},
            {"name": "崔\u3000逹坤", "type": "person", "roles": [], "vernacular": True}],
        "subjects": ["Law -- Korea (North)"],
        "publishers": ["Taeryuk Yŏnʼguso", "大陸\u3000研究所"],
        "places": ["Sŏul Tʻŭkpyŏlsi", "서울\u3000持別市"],
        "responsibility_forms": [{"heading": "chʻaegim pʻyŏnjip Chŏng Kyŏng-mo, Chʻoe Tal-gon",
                                  "vernacular": "責任\u3000編輯\u3000鄭\u3000慶謨，\u3000崔\u3000逹坤"}],
        "edition_forms": [{"heading": "Chaepʻan", "vernacular": "再版"}],   # (880-02)
        "place_forms": [{"heading": "Sŏul Tʻŭkpyŏlsi", "vernacular": "서울\u3000持別市"}],
        "publisher_forms": [{"heading": "Taeryuk Yŏnʼguso", "vernacular": "大陸\u3000研究所"}],
        "year": 1990,
        "edition": "Chaepʻan",
        "extent": "5 v. ; 27 cm",
        "languages": ["kor"],
        "format": "book",
        "lccn": ["92117465"],
        "lcc": ["KPC13 .K67 1990"],
        "lcc_facet": ["K"],
    }


def test_marcxml_maps_like_iso2709():
    with open(FIXTURES / "marcxml_chabon.xml", "rb") as fh:
        first = next(read_marcxml(fh, "chabon", pytest.fail))
    # =001  11939876
    # =008  000313s2000    nyu           000 1 eng
    # =020  \\$a0679450041 (acid-free paper)
    # =100  1\$aChabon, Michael.
    # =245  14$aThe amazing adventures of Kavalier and Clay :$ba novel /$cMichael Chabon.
    # =260  \\$aNew York :$bRandom House,$cc2000.
    # =300  \\$a639 p. ;$c25 cm.
    # =650 x5, =651 (New York (N.Y.)$vFiction.), =655 \7 x2 ($2gsafd is not read)
    assert quiet(first.data, "marcxml", source="chabon") == {
        "local_id": "11939876",
        "title": "The amazing adventures of Kavalier and Clay : a novel",
        "responsibility": ["Michael Chabon"],
        "authors": ["Chabon, Michael"],
        "contributors": [{"name": "Chabon, Michael", "type": "person", "roles": [],
                          "vernacular": False}],
        "subjects": ["Comic books, strips, etc. -- Authorship -- Fiction",
                     "Heroes in mass media -- Fiction", "Czech Americans -- Fiction",
                     "Young men -- Fiction", "Cartoonists -- Fiction",
                     "New York (N.Y.) -- Fiction", "Humorous stories", "Bildungsromane"],
        "publishers": ["Random House"],
        "places": ["New York"],
        "year": 2000,
        "extent": "639 p. ; 25 cm",
        "languages": ["eng"],
        "format": "book",
        # 0679450041 (acid-free paper) -> 978067945004 + check 7
        "isbns": ["9780679450047", "0679450041"],
        "holdings": [{"library": "chabon"}],
    }


def test_languages_come_from_008_and_041_a_d_only():
    # LC 00103636: 008/35-37 "eng", 041 1\ $avie$hsan$kchi (original Sanskrit via Chinese)
    data = record_bytes("vietnamese_nfd_titles.mrc", index=2)
    rec = pymarc_utf8(data)
    assert rec["008"].data[35:38] == "eng"
    assert [(s.code, s.value) for s in rec["041"].subfields] == [("a", "vie"), ("h", "san"),
                                                                  ("k", "chi")]
    mapped = quiet(data)
    assert mapped["languages"] == ["eng", "vie"]
    assert mapped["isbns"] == ["9780967429519", "096742951X"]


def test_packed_041_codes_are_split_and_deduplicated():
    # LC 00292599: 008 "jpn", 041 0\ $ajpnchi$bjpnchi ($b, a summary language, is not read)
    data = record_bytes("multilingual_lc_50.mrc", local_id="00292599")
    assert quiet(data)["languages"] == ["jpn", "chi"]


def test_year_falls_back_to_260c_when_008_has_none():
    # LC 00292611: 008 date type "b" with blanks for date 1; 260 $c "1999 ."
    data = record_bytes("multilingual_lc_50.mrc", local_id="00292611")
    rec = pymarc_utf8(data)
    assert rec["008"].data[6:11] == "b    "
    assert quiet(data)["year"] == 1999


def test_a_short_pinyin_given_name_loses_its_closing_period():
    # regression: trim_punctuation kept a final period after any capitalised word of up to
    # three letters ("Co."), so LC 00409590's 100 $a 'Yang, Du.' was shown as 'Yang, Du.'
    data = record_bytes("chinese_880_traditional.mrc", index=0)
    assert pymarc_utf8(data)["100"]["a"] == "Yang, Du."
    assert quiet(data)["authors"] == ["Yang, Du"]


def test_map_record_takes_a_pymarc_record_too():
    data = record_bytes("chinese_880_traditional.mrc", index=1)
    assert map_record(pymarc_utf8(data), on_warning=pytest.fail) == quiet(data)


def test_every_mapped_key_is_documented_with_its_shape():
    shapes = {"str": str, "int": int, "bool": bool, "list": list, "list of dict": list}
    for name in ("chinese_880_traditional.mrc", "marc8_eacc_chinese.mrc", "multilingual_lc_50.mrc"):
        for data in iso2709_records(FIXTURES / name):
            for key, value in quiet(data, source="x").items():
                assert key in FIELDS, key
                assert isinstance(value, shapes[FIELDS[key][0]]), key
                if FIELDS[key][0] == "list of dict":
                    assert all(isinstance(v, dict) for v in value), key


def test_links_carry_the_label_to_show_and_their_kind():
    # LC 00055556: =856  42$3Publisher description$uhttp://www.loc.gov/catdir/enhancements/
    #   fy1115/00055556-d.html    =856  42$3Contributor biographical information$u...-b.html
    data = record_bytes("vietnamese_nfd_titles.mrc", local_id="00055556")
    assert quiet(data)["links"] == [
        {"url": "http://www.loc.gov/catdir/enhancements/fy1115/00055556-d.html",
         "label": "Publisher description", "kind": "related"},
        {"url": "http://www.loc.gov/catdir/enhancements/fy1407/00055556-b.html",
         "label": "Contributor biographical information", "kind": "related"}]
    # pymarc's bad_eacc_encoding.dat: =856  40$uhttp://purl.access.gpo.gov/GPO/LPS119031
    #   $zOnline resource  (no $y or $3: the public note is the label; ind2 0: the resource)
    eacc = (FIXTURES / "marc8_bad_eacc.mrc").read_bytes()
    assert quiet(eacc)["links"] == [{"url": "http://purl.access.gpo.gov/GPO/LPS119031",
                                     "label": "Online resource", "kind": "resource"}]
