"""Call numbers as shelf keys (indexer.callnumbers): each scheme's own shelving order."""

from __future__ import annotations

import pytest

from harvest.marcfile import read_file
from indexer.callnumbers import scheme_of, shelf_key, shelf_start, shelf_value
from indexer.mapping import map_stored

from ..support import FIXTURES


def shelved(scheme: str, calls: list[str]) -> list[str]:
    return sorted(calls, key=lambda c: shelf_key(scheme, c))


@pytest.mark.parametrize("expected", [
    # LC reads the class number as a number: PL9 before PL10 (as strings, PL10 would lead)
    ["PL9 .A2", "PL10 .A2", "PL100"],
    # ... its extension as a decimal fraction: .12 is less than .5 (a natural-number sort
    # would put PL2265.5 first), and no extension before any
    ["PL2265 .Z9", "PL2265.12", "PL2265.5 .A2", "PL2265.51"],
    # cutters are decimals too: .A12 < .A2; a second cutter after the first's end
    ["QA76.73 .A12", "QA76.73 .A2", "QA76.73 .A2 B3", "QA76.73 .A3"],
    # one class's letters before a longer one's: P, then PA, then PL
    ["P160 .C77 1969", "PA47 .C45 1970", "PL714 .S69 1999"],
    # dates and volumes as numbers: v.2 before v.10
    ["HV4194 .D26 v.2", "HV4194 .D26 v.10", "HV4194 .D27"],
])
def test_lcc_keys_shelve_as_lc_does(expected):
    assert shelved("lcc", list(reversed(expected))) == expected


def test_lcc_call_numbers_spaced_as_libraries_type_them_key_the_same():
    # traject's UMich records write "PA 47 .C592d 1969" with a space after the letters
    assert shelf_key("lcc", "PA 47 .C592d 1969") == shelf_key("lcc", "PA47 .C592D 1969")
    assert shelf_key("lcc", "MT 330 L35 1978") == shelf_key("lcc", "MT330 .L35 1978")
    # ... and one of them "P Z7 .F5768 H3", with a space inside the class letters
    assert shelf_key("lcc", "P Z7 .F5768 H3") == shelf_key("lcc", "PZ7 .F5768 H3")


def test_ddc_keys_read_the_number_as_a_decimal():
    # Dewey numbers of the Vietnamese fixtures' 082s and the UMich 852s
    expected = ["385.0973", "398.209174927", "828 V288mn, 1971", "842 S4817hi",
                "895.92211", "895.922334"]
    assert shelved("ddc", list(reversed(expected))) == expected
    # prime marks are only where a number may be cut: 895.92/2334 is 895.922334
    assert shelf_key("ddc", "895.92/2334") == shelf_key("ddc", "895.922334")


def test_clc_keys_read_the_class_digits_as_one_fraction_then_the_book_number():
    # the dots only group the digits: I24 < I247 < I247.5 < I247.57 < I25
    expected = ["I24", "I247", "I247.5/12", "I247.5/112", "I247.57/1123", "I25", "TP311.12/Y19"]
    assert shelved("clc", list(reversed(expected))) == expected


def test_what_is_not_a_call_number_of_a_scheme_has_no_key():
    # accession numbers and notes from real holdings (evergreen jazz_1k, marc4j Koha)
    for call in ("5490", "3489 V.96", "ACQUISITION IN PROCESS", ""):
        assert scheme_of(call) is None
    assert shelf_key("ddc", "5490") is None
    assert shelf_key("clc", "L123/4") is None       # L is no CLC class


def test_a_holdings_scheme_comes_from_the_field_then_the_record_then_the_shape():
    assert scheme_of("842 S4817hi", given="ddc") == "ddc"
    # K825.6/123 could be LCC or CLC: the record's 084 CLC number decides
    assert scheme_of("K825.6/123", {"clc": ["K825.6"]}) == "clc"
    assert scheme_of("K825.6 .A2", {"lcc": ["K825.6"]}) == "lcc"
    assert scheme_of("I247.57/1123") == "clc"        # a book number after "/"
    assert scheme_of("895.1 L71") == "ddc"
    assert scheme_of("PL2265.5 .A2") == "lcc"


def test_the_real_umich_holdings_are_on_the_lc_and_dewey_shelves_their_852_names():
    schemes = {}
    for rec in read_file(FIXTURES / "umich_852_lcc_and_dewey.mrc", None, on_reject=print):
        mapped = map_stored(rec.data, rec.format, source="umich", on_warning=lambda m: None)
        for h in mapped.get("holdings", []):
            if h.get("call_number"):
                schemes[h["call_number"]] = (h.get("scheme"), scheme_of(h["call_number"],
                                                                       given=h.get("scheme")))
    assert schemes["828 V288mn, 1971"] == ("ddc", "ddc")
    assert schemes["PA 47 .C592d 1969"] == ("lcc", "lcc")
    # each 852 that names a scheme holds a call number of it
    assert all(given == found for given, found in schemes.values() if given)


def test_a_typed_call_number_starts_the_shelf_where_its_class_stands():
    start = shelf_start("PL2265", "lcc")
    assert shelf_key("lcc", "PL2264.9 .Z9") < start <= shelf_key("lcc", "PL2265 .A1")
    assert shelf_start("pl", "lcc") < shelf_key("lcc", "PL1")     # letters alone
    assert shelf_start("not a call number", "lcc") is None
    # the id after the key: equal keys in id order, and a key's values before the next key
    assert shelf_value("PL!02265", "b") < shelf_value("PL!02265", "c") < shelf_value(
        "PL!02265!1", "a")
