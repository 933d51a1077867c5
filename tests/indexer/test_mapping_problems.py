"""MARC 21 mapping of damaged and unusual records: warnings, mending, errors, overrides.

As in test_mapping.py, expectations come from the fields shown in the comments; a data
problem the mapper works around is a warning naming the record, a record it cannot read
at all is a MappingError, and nothing else escapes.
"""

from __future__ import annotations

import pytest

from indexer.errors import MappingError, MappingWarning
from indexer.mapping import map_record, map_stored, parse_marc
from indexer.rules import MarcView, extract_marc, map_with, to_field

from ..support import FIXTURES, iso2709_records
from .test_mapping import quiet, record_bytes


def test_marc8_cyrillic_record():
    data = record_bytes("marc8_cyrillic.mrc")
    assert data[9:10] == b" " and b"\x1b(N" in data
    mapped = quiet(data)
    assert mapped["title_vernacular"] == "Вор, шпион и убийца"
    assert mapped["authors_vernacular"] == ["Буйда, Юрий"]
    assert mapped["title"] == "Vor, shpion i ubiĭt\ufe20s\ufe21a"


def test_marc8_numeric_character_references_are_decoded():
    # regression: LC's lossless MARC-8 escape (&#x8ECA;) used to reach the index as text, and
    # trim_punctuation then cut its final ';' off; marc4j expects both records to read the same
    mapped = quiet(record_bytes("marc8_ncr_escaped_chinese.mrc"))
    assert mapped["title_vernacular"] == "車輪滾滾"
    assert mapped["authors_vernacular"] == quiet(record_bytes("marc8_eacc_chinese.mrc"))[
        "authors_vernacular"]


def test_encoding_override_reads_the_record_as_told():
    data = record_bytes("marc8_cyrillic.mrc")
    assert quiet(data, encoding="marc8") == quiet(data)
    utf8 = record_bytes("chinese_880_traditional.mrc", index=1)
    assert quiet(utf8, encoding="UTF_8") == quiet(utf8)
    # told wrongly, the override still wins: MARC-8 bytes read as Latin-1 are mojibake
    assert quiet(record_bytes("marc8_french_diacritics.mrc"), encoding="latin-1")["title"] \
        == "Les aspirations : po\xe2esies canadiennes"


def test_a_wrong_leader_09_is_a_warning_and_the_bytes_win():
    # ruby-marc marc8_accented_chars.marc: leader/09 'a' but MARC-8 bytes (ANSEL acute 0xE2)
    data = (FIXTURES / "leader09_utf8_but_marc8.mrc").read_bytes()
    assert data[9:10] == b"a"
    # =001  000004951
    # =245  10$aHistoire du "nouveau th\xe2eatre."        (0xE2: MARC-8 acute, before its letter)
    # =852  1\$aMiU$bBUHR$cGRAD$h842 S4817hi
    with pytest.warns(MappingWarning, match="record 000004951: leader/09 says UTF-8 but the"
                                            " bytes are MARC-8"):
        mapped = map_stored(data, "marc21", source="umich")
    assert mapped["title"] == 'Histoire du "nouveau théâtre."'
    # an 852 names the holding library itself: $a institution, $c shelf, $h call number;
    # its first indicator 1 says the call number is a Dewey number
    assert mapped["holdings"] == [{"library": "MiU", "call_number": "842 S4817hi",
                                   "location": "GRAD", "scheme": "ddc"}]
    # pymarc's utf8_without_leader_flag.dat: leader/09 blank, bytes UTF-8
    other = (FIXTURES / "leader09_blank_but_utf8.mrc").read_bytes()
    seen = []
    flagged = map_stored(other, "marc21", on_warning=seen.append)
    assert seen == ["record 2: leader/09 says marc8 but the bytes are UTF-8"]
    assert flagged == quiet(other[:9] + b"a" + other[10:])


def test_a_bad_indicator_is_a_warning_not_a_lost_record():
    # marc4j 185258.mrc: the 082's first indicator is the byte 0xB2, which pymarc cannot decode
    data = record_bytes("marc8_bad_indicator_082.mrc")
    assert b"\x1e\xb2 \x1fa155.4/23" in data
    seen = []
    mapped = map_stored(data, "marc21", on_warning=seen.append)
    assert seen == ["record 185258: field 082: indicators '² ' are not valid;"
                    " read as blanks where wrong"]
    assert (mapped["ddc"], mapped["ddc_facet"]) == (["155.423"], ["100"])


def test_a_record_that_cannot_be_parsed_is_a_mapping_error():
    with pytest.raises(MappingError, match="cannot parse ISO 2709 record: record is only"):
        map_stored(b"00012nam", "marc21")
    with pytest.raises(MappingError, match="no field terminator"):
        map_stored(b"00050nam a2200025   4500" + b"x" * 26, "marc21")


def test_broken_marcxml_is_a_mapping_error():
    with pytest.raises(MappingError, match="not well formed"):
        map_stored(b"<record><leader>00000nam", "marcxml")


def test_a_stored_format_without_rules_is_a_mapping_error():
    with pytest.raises(MappingError, match="cannot decode records stored as 'oai_datacite'"):
        map_stored(b"<resource/>", "oai_datacite")


def test_a_failing_rule_is_named_in_the_error():
    def explode(view):
        raise KeyError("no such thing")

    rules = [to_field("title", extract_marc("245a")), to_field("oops", explode)]
    view = MarcView(parse_marc(record_bytes("chinese_880_traditional.mrc"), "marc21"))
    with pytest.raises(MappingError) as info:
        map_with(rules, view)
    assert "rule for 'oops' (test_mapping_problems.py:" in str(info.value)
    assert "KeyError" in str(info.value)


def test_unknown_flavour_is_a_mapping_error():
    record = parse_marc(record_bytes("chinese_880_traditional.mrc"), "marc21")
    with pytest.raises(MappingError, match="no mapping rules for 'mab2'"):
        map_record(record, "mab2")


def test_random_damage_is_a_mapping_error_or_a_warning_never_a_crash():
    import random

    from indexer.export import to_marcxml

    from ..harvest.test_marcfile import damaged

    rng = random.Random(880)
    records = [r for n in ("chinese_880_traditional.mrc", "marc8_eacc_chinese.mrc",
                           "cnmarc_gb18030.mrc", "unimarc_italian_sbn.mrc")
               for r in iso2709_records(FIXTURES / n)]
    for _ in range(1500):
        data, fmt = damaged(rng.choice(records), rng), rng.choice(["marc21", "unimarc"])
        try:
            quiet(data, fmt)
            to_marcxml(data, fmt)
        except MappingError:
            pass


def test_a_record_with_a_mended_directory_maps_with_roles_and_its_long_field():
    # marc4j bad_oversize_field_bad_directory.mrc record 2: its 520 is 11,242 bytes, too long
    # for a directory entry; the fields are found by their terminators (a warning says so)
    # =001  drd-34891908
    # =007  cr|uuu---uuuuu                        (online)
    # =008  920527s2017       a|||  |||| 00||| und d     (language undetermined: 041 says)
    # =020  \\$a9783863878412$cGebunden
    # =041  \\$ager
    # =700  1\$aPfeffer-Hoffmann, Christian$4edt$eEditor
    # =700  1\$aZiegler, Janine$4edt$eEditor
    # =245  \\$aMuslimfeindlichkeit in Europa$b
    # =250  \\$a1. Aufl.     =260  \\$aBerlin$bMensch & Buch$c2017     =300  \\$a122 S.
    # =520  \\$aKollektive Identität entsteht aus ... abbauen zu helfen.
    data = record_bytes("broken_directory_second_record.mrc", index=1)
    seen = []
    mapped = map_stored(data, "marc21", on_warning=seen.append)
    assert seen == ["record drd-34891908: directory length 217 is not a multiple of 12;"
                    " fields found by their terminators instead"]
    summary = mapped.pop("summary")
    # the directory entry 520 11242 00338: 11,242 bytes less indicators, "\x1fa" and terminator
    assert len(summary) == 1 and len(summary[0].encode()) == 11242 - 5
    assert summary[0].startswith("Kollektive Identität entsteht aus der Betonung")
    editors = [{"name": n, "type": "person", "roles": ["edt"], "vernacular": False}
               for n in ("Pfeffer-Hoffmann, Christian", "Ziegler, Janine")]
    assert mapped == {
        "local_id": "drd-34891908",
        "title": "Muslimfeindlichkeit in Europa",
        "authors": ["Pfeffer-Hoffmann, Christian", "Ziegler, Janine"],
        "contributors": editors,                # $4 edt and $e Editor: one role, once
        "publishers": ["Mensch & Buch"],
        "places": ["Berlin"],
        "year": 2017,
        "edition": "1. Aufl",
        "extent": "122 S.",                     # S. (Seiten) reads as an initial: kept
        "languages": ["ger"],
        "format": "book",
        "online": True,
        "isbns": ["9783863878412", "3863878418"],
    }


def test_bad_eacc_is_a_warning_and_the_rest_of_the_field_is_kept():
    # pymarc's bad_eacc_encoding.dat: the 880's EACC run ends one byte short of a character
    # =245  10$6880-01$aBeikoku no tōchi no shikumi$h[electronic resource].
    # =880  00$6245-01/$1$a<ESC $1>米国の統治の仕組<one byte too few>$h[electronic resource].
    data = (FIXTURES / "marc8_bad_eacc.mrc").read_bytes()
    seen = []
    mapped = map_stored(data, "marc21", on_warning=seen.append)
    assert seen == ["record ocn503001208: MARC-8: Multi-byte position 39 exceeds length of"
                    " marc8 string 38"]
    assert (mapped["title"], mapped["title_vernacular"]) == ("Beikoku no tōchi no shikumi",
                                                            "米国の統治の仕組")
