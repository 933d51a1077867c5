"""The small steps mapping rules are made of, and the data tables behind them."""

from __future__ import annotations

import pytest

from indexer import isbn, tables
from indexer.rules import parse_spec, trim_punctuation
from indexer.steps import (clc_facet, cut_role_word, ddc_facet, ddc_value, language_codes,
                           lcc_facet, lccn, oclc_numbers, role_code)


@pytest.mark.parametrize("value, expected", [
    ("Smith, J.", "Smith, J."),              # an initial keeps its period
    ("Smith, J.,", "Smith, J."),
    ("Smith, J.,", "Smith, J."),
    ("Yang, Du.", "Yang, Du"),               # a short given name does not (LC 00409590)
    ("Li, Jie.", "Li, Jie"),
    ("Random House,", "Random House"),
    ("A. Mondadori Co.", "A. Mondadori Co."),  # abbreviations.tsv
    ("New York (N.Y.)", "New York (N.Y.)"),
    ("Washington, D.C.", "Washington, D.C."),  # dotted abbreviation
    ("Taibei Shi :", "Taibei Shi"),
    ("草山小蛇與民進黨的頭人們\u3000/", "草山小蛇與民進黨的頭人們"),
    ("陳婉真著\uff0e", "陳婉真著"),
    ("[Kyoto] :", "Kyoto"),                  # a bracketed whole loses its brackets
    ("[美]佛瑞斯特·卡特著", "[美]佛瑞斯特·卡特著"),  # brackets inside stay
    ("[S.l. :", "S.l."),
    ("= Second foundation", "Second foundation"),
    ("History.", "History"),
    ("21 cm.", "21 cm"),
    ("", None),
])
def test_trim_punctuation(value, expected):
    assert trim_punctuation([value]) == ([expected] if expected is not None else [])


def test_a_bad_spec_fails_when_the_rule_is_declared():
    with pytest.raises(ValueError, match="bad MARC spec '24a'"):
        parse_spec("245a:24a")
    assert [(s.tag, s.ind2) for s in parse_spec("264|*1|ab:260")] == [("264", "1"), ("260", None)]


# -- ISBN and ISSN ----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("9571312584", ("9789571312583", "9571312584")),
    ("957-13-1258-4", ("9789571312583", "9571312584")),
    ("978-957-13-1258-3", ("9789571312583", "9571312584")),
    ("1880684675 : $15.95", ("9781880684672", "1880684675")),
    ("096742951x (alk. paper)", ("9780967429519", "096742951X")),
    ("8574600040 8574600030", ("9788574600048", "8574600040")),
    # 979 ISBNs have no 10-digit form
    ("979-10-90636-07-1", ("9791090636071", None)),
])
def test_isbn_normalize(text, expected):
    assert isbn.normalize(text) == expected


@pytest.mark.parametrize("text", [
    "9571312585",          # ISBN-10 check digit off by one
    "9789571312584",       # ISBN-13 check digit off by one
    "957131258",           # too short
    "(CStRLIN)DCLP02-B6633",
    "1234567890123",       # a valid EAN-13 check digit, but not a Bookland 978/979 prefix
    "",
])
def test_isbn_invalid_is_rejected(text):
    assert isbn.normalize(text) == (None, None)
    assert isbn.search_forms(text) == []


def test_invalid_isbns_are_kept_as_given():
    assert isbn.invalid_candidates("978-7-5302-1637-5 (pbk.)") == ["978-7-5302-1637-5"]
    assert isbn.invalid_candidates("7-5339-1845-2") == []
    assert isbn.parse_all("7884085623 9787884085620") == [
        ("9787884085620", "7884085623"), ("9787884085620", "7884085623")]


def test_isbn_conversions_round_trip():
    assert isbn.to_isbn13("7209024727") == "9787209024723"
    assert isbn.to_isbn10("9787209024723") == "7209024727"
    assert isbn.to_isbn10("9791090636071") is None
    assert isbn.to_isbn10(isbn.to_isbn13("857388133X")) == "857388133X"


@pytest.mark.parametrize("text, expected", [
    ("1000-4254", "1000-4254"),   # 1*8+4*4+2*3+5*2 = 40 = 3*11+7 -> check 4
    ("0028-0836", "0028-0836"),   # Nature
    ("00280836", "0028-0836"),
    ("1000-4255", None),
    ("1050-124x", "1050-124X"),   # 8+30+4+6+8 = 56 = 5*11+1 -> check 10, written X
])
def test_issn(text, expected):
    assert isbn.issn(text) == expected


def test_lccn_and_oclc_numbers():
    assert lccn(["   00409591 ", "n  79021164 ", "2001-1234", "   61014599/L/r83"]) == [
        "00409591", "n79021164", "2001001234", "61014599"]
    assert oclc_numbers(["(OCoLC)ocm00344054", "(OCoLC)847786362", "(RLIN)MIUG0344054-B"]) == [
        "344054", "847786362"]


# -- languages, classification, roles ------------------------------------------------

def test_language_codes_split_packed_041_and_drop_non_languages():
    assert language_codes(["jpnchi", "ENG", "und", "|||", "zxx", "  "]) == ["jpn", "chi", "eng"]


def test_language_names_come_from_the_table_in_three_languages():
    assert [tables.language_name("vie", lang) for lang in ("en", "zh", "vi")] == [
        "Vietnamese", "越南语", "Tiếng Việt"]
    assert tables.language_name("chi", "vi") == "Tiếng Trung"
    assert tables.language_name("xyz") is None
    assert tables.language_from_iso639_1()["zh"] == "chi"
    assert tables.language_from_iso639_1()["sr"] == "srp"      # the current code, not scc


def test_class_facets_take_the_top_of_each_scheme():
    assert clc_facet(["I247.57", "TP311.12", "G250-53", "W123", "12.3"]) == ["I", "T", "G"]
    assert ddc_facet(["951.24905", "155.423", "005.1", "[Fic]", "B"]) == ["900", "100", "000"]
    assert ddc_value(["155.4/23", "641.5'9"]) == ["155.423", "641.59"]
    # letters listed in lcc.tsv are kept; an unlisted subclass falls back to its main class
    assert lcc_facet(["PL2879.C48", "KPC13 .K67", "QA76.6", "PS'9455'H365", "W 100"]) == [
        "PL", "K", "QA"]
    assert tables.class_caption("clc", "I", "zh") == "文学"
    assert tables.class_caption("ddc", "900", "vi") == "Lịch sử và địa lý"
    assert tables.class_caption("lcc", "PL") == \
        "Languages and literatures of Eastern Asia, Africa, Oceania"


@pytest.mark.parametrize("term, code", [
    ("author.", "aut"), ("Translator,", "trl"), ("aut", "aut"),
    ("http://id.loc.gov/vocabulary/relators/ill", "ill"),
    ("070", "aut"), ("730", "trl"), ("340", "edt"),   # UNIMARC numeric codes
    ("著", "aut"), ("译", "trl"), ("主编", "edt"), ("编著", "aut"), ("譯", "trl"), ("书", "cll"),
    ("photographer (uncredited)", "photographer (uncredited)"),   # no code: kept as given
])
def test_role_codes(term, code):
    assert role_code(term) == code


@pytest.mark.parametrize("name, expected", [
    ("王小波著", ("王小波", "aut")),
    ("严蔚敏编著", ("严蔚敏", "aut")),       # the longest role word wins over 著
    ("李银河主编", ("李银河", "edt")),
    ("姚宏昌 译", ("姚宏昌", "trl")),
    ("钱锺书", ("钱锺书", None)),            # 书 ends real names: never cut
    ("李著", ("李著", None)),                # one character would be left: not cut
    ("Smith, John", ("Smith, John", None)),
])
def test_role_words_cut_off_names(name, expected):
    assert cut_role_word(name) == expected


def test_relator_labels_for_display():
    assert [tables.relator_label("trl", lang) for lang in ("en", "zh", "vi")] == [
        "translator", "译者", "dịch giả"]
    assert tables.relator_label("photographer (uncredited)") == "photographer (uncredited)"


def test_every_table_loads_and_its_rows_are_complete():
    for name in ("languages", "relators", "role_words", "clc", "ddc", "lcc", "formats",
                 "material_types", "abbreviations", "gmd", "dc_types"):
        rows = tables.load(name)
        assert rows, name
    formats = {row["code"] for row in tables.load("formats")}
    used = {row["format"] for name in ("material_types", "gmd", "dc_types")
            for row in tables.load(name)}
    assert used <= formats
    relators = {row["code"] for row in tables.load("relators")}
    assert {row["relator"] for row in tables.load("role_words")} <= relators
    assert len(tables.load("clc")) == 22 and len(tables.load("ddc")) == 10
