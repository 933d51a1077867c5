"""The data-quality checks of one stored record (indexer.quality.check_stored), on real records.

Expectations come from the fields shown in the comments (read from the fixtures, see
PROVENANCE.md); a field the mapping ignores is a finding of its own, left out here
except where it is the point.
"""

from __future__ import annotations

from harvest.marcfile import read_file
from harvest.quality import Finding
from indexer.quality import check_stored

from ..support import FIXTURES, iso2709_records

PROBLEMS = FIXTURES / "lc_quality_problems.mrc"


def problems(data: bytes, fmt: str = "marc21", **kw) -> list[Finding]:
    return [f for f in check_stored(data, fmt, **kw) if f.check != "ignored_field"]


def lc(n: int) -> bytes:
    """Record n (from 1) of the LC quality fixture."""
    return iso2709_records(PROBLEMS)[n - 1]


def test_records_without_a_problem_have_no_finding():
    # 00287359: =008 000724s1999 ... por, =020 $a857388133X (valid), =050 00$aPQ9698.26.A6,
    # =260 $c1999: title, date, language, ISBN, class number all there and in agreement
    for n in (1, 2, 3):
        assert problems(lc(n)) == []


def test_a_shelf_number_in_050_is_not_a_class_number():
    # 00287375: =050 00$aMLCS 2009/41385 (P)  (LC's minimal-level shelf number)
    assert problems(lc(4)) == [Finding("bad_classification", "lcc 050: MLCS 2009/41385 (P)")]


def test_an_unknown_decade_is_no_date():
    # 00287500: =008 000328s199u..., =260 $c199u.
    assert problems(lc(6)) == [Finding("no_date")]


def test_008_dates_that_disagree_with_the_imprint():
    # 00287970: =008 ...r1995    ..., =260 $cc1997.   (neither Date1 nor Date2 is 1997)
    assert Finding("date_conflict", "008 1995 / 1997") in problems(lc(7))
    # 00287978: =008 ...s1996..., =260 $c[1997]; no ISBN on a 1996 book
    assert problems(lc(8)) == [Finding("book_without_isbn", "1996"),
                               Finding("date_conflict", "008 1996 / 1997")]


def test_a_printing_date_in_260_g_is_no_conflict():
    # 00287978 given "$g(1996 printing)" after its 260 $c[1997]: the 008 may give the
    # printing date, which 260 $g then shows, so the dates agree
    import pymarc

    record = next(iter(pymarc.MARCReader(lc(8), to_unicode=True, force_utf8=True)))
    record["260"].add_subfield("g", "(1996 printing)")
    assert Finding("date_conflict", "008 1996 / 1997") not in problems(record.as_marc())


def test_multiple_languages_without_041_is_no_language():
    # 00289995: =008 ...001 0 mul, no 041
    assert problems(lc(9)) == [Finding("no_language", "008 'mul'")]


def test_isbns_with_a_wrong_check_digit():
    # 00290534: =020 $a5900931038 (ISBN-10 check: 5*10+9*9+0*8+0*7+9*6+3*5+1*4+0*3+3*2+8 = 270,
    # not a multiple of 11); =008 s2000, =260 $c1999
    assert problems(lc(11)) == [Finding("invalid_isbn", "5900931038"),
                                Finding("date_conflict", "008 2000 / 1999")]
    # 00291068: =020 $a5709004725, and no 050/082 at all
    assert problems(lc(12)) == [Finding("invalid_isbn", "5709004725"),
                                Finding("no_classification")]


def test_880s_without_a_partner():
    # 00293005: =490 0 $6490-04$a... (the partner should say 880-04), =880 0$6490-04/(3/r$a...
    assert problems(lc(14)) == [Finding("unlinked_880", "490-04")]
    # 00294203: =880 1 $6770-08/$1$a李书权. while the name's field is a 700 with $6 880-08
    assert problems(lc(15)) == [Finding("unlinked_880", "770-08")]
    # every 880 of the traditional-script fixture has its partner
    for data in iso2709_records(FIXTURES / "chinese_880_traditional.mrc"):
        assert not [f for f in problems(data) if f.check == "unlinked_880"]


def test_character_sets_declared_one_way_and_found_another():
    # ruby-marc: leader/09 'a' but MARC-8 bytes; pymarc: leader/09 blank but UTF-8 bytes
    assert Finding("encoding_mismatch", "leader/09 says UTF-8 but the bytes are MARC-8") in \
        problems((FIXTURES / "leader09_utf8_but_marc8.mrc").read_bytes())
    assert problems((FIXTURES / "leader09_blank_but_utf8.mrc").read_bytes()) == [
        Finding("encoding_mismatch", "leader/09 says marc8 but the bytes are UTF-8")]
    # CNMARC whose 100 $a says UTF-8, written in GB 18030
    assert Finding("encoding_mismatch",
                   "field 100 $a/26-29 says UTF-8 but the bytes are GB 18030") in problems(
        (FIXTURES / "cnmarc_mislabelled.mrc").read_bytes(), "unimarc")


def test_decoding_repairs_and_structure_repairs():
    found = problems((FIXTURES / "utf8_invalid_bytes.mrc").read_bytes())
    assert Finding("decoding_repair", "invalid UTF-8 bytes replaced") in found
    mangled = problems((FIXTURES / "marc8_eacc_mangled_chinese.mrc").read_bytes())
    assert [f.check for f in mangled] == ["decoding_repair"]
    assert mangled[0].detail.startswith("MARC-8: ")
    # the same record with sound EACC bytes has nothing to repair
    assert problems((FIXTURES / "marc8_eacc_chinese.mrc").read_bytes()) == []
    # marc4j: directory lengths counted in characters, not bytes; as the importer stores it
    stored = next(iter(read_file(FIXTURES / "directory_lengths_in_characters.mrc", None,
                                 on_reject=None)))
    repaired = problems(stored.data)
    assert [f.check for f in repaired if f.check == "structure_repair"] == ["structure_repair"]
    assert repaired[[f.check for f in repaired].index("structure_repair")].detail.startswith(
        "field 110 does not end where the directory says")
    # marc4j 185258.mrc: the 082's first indicator is the byte 0xB2
    assert problems((FIXTURES / "marc8_bad_indicator_082.mrc").read_bytes()) == [
        Finding("bad_indicators", "082")]


def test_fields_the_mapping_ignores_are_named_by_tag():
    # 00287359 has 040 (cataloging source) and 042; the mapping reads neither; 003/005 are
    # about the record itself and are not listed
    ignored = [f.detail for f in check_stored(lc(1), "marc21") if f.check == "ignored_field"]
    assert "040" in ignored and "245" not in ignored and "005" not in ignored
    assert ignored == sorted(ignored)


def test_a_record_the_mapping_cannot_read_is_one_finding():
    assert check_stored(b"00026nam a2200025   4500\x1e\x1d", "marc21")[0].check == "unreadable"
    assert check_stored(b"not a record at all", "marc21")[0].check == "unreadable"
