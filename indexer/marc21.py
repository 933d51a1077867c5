"""Mapping rules for MARC 21 bibliographic records.

Read top to bottom: each line says which index field gets what, from
where, through which steps. Linked 880 fields (the vernacular script) are
part of every field they link to unless a rule says otherwise.
"""

from __future__ import annotations

from .isbn import normalize as normalize_isbn
from .rules import (control_field, control_slice, extract_marc, first, first_of, lower, nfc, strip,
                    to_field, trim_punctuation, unique, year)

MAPPING_VERSION = 1


def isbns(values: list) -> list:
    out = []
    for v in values:
        isbn13, isbn10 = normalize_isbn(v)
        out.extend(x for x in (isbn13, isbn10) if x)
    return out


def date1_from_008(view) -> list:
    """008/07-10 when it is a real year (not "19uu" or blanks)."""
    date1 = view.control("008")[7:11]
    return [date1] if date1.isdigit() and date1 != "0000" else []


def language_codes(values: list) -> list:
    """MARC language codes (three letters each; 041 may run several together)."""
    out = []
    for v in values:
        v = v.strip().lower()
        out.extend(v[i:i + 3] for i in range(0, len(v) - 2, 3) if v[i:i + 3].isalpha())
    return [c for c in out if c not in ("und", "zxx", "mul", "   ")]


RULES = (
    to_field("local_id", control_field("001"), strip, first),
    # titles: the romanized/transcribed 245 for display, its 880 beside it
    to_field("title", extract_marc("245abnp", alternate_script=False), nfc, trim_punctuation, first),
    to_field("title_vernacular", extract_marc("245abnp", alternate_script="only"),
             nfc, trim_punctuation, first),
    to_field("title_alt", extract_marc("130adfgklmnoprst:240adfgklmnoprs:246abnp:730adfgklmnoprst:740anp"),
             nfc, trim_punctuation, unique),
    to_field("responsibility", extract_marc("245c"), nfc, trim_punctuation),
    to_field("authors", extract_marc("100abcdq:110abcdn:111acdn:700abcdq:710abcdn:711acdn",
                                     alternate_script=False), nfc, trim_punctuation, unique),
    to_field("authors_vernacular", extract_marc("100abcdq:110abcdn:111acdn:700abcdq:710abcdn:711acdn",
                                                alternate_script="only"),
             nfc, trim_punctuation, unique),
    to_field("subjects", extract_marc("600abcdfgklmnopqrstvxyz:610abcdfgklmnoprstvxyz:"
                                      "611acdefgklnpqstvxyz:630adfgklmnoprstvxyz:648avxyz:"
                                      "650abcdvxyz:651avxyz:653a:655avxyz", separator=" -- "),
             nfc, trim_punctuation, unique),
    to_field("publishers", extract_marc("260b:264b"), nfc, trim_punctuation, unique),
    to_field("places", extract_marc("260a:264a"), nfc, trim_punctuation, unique),
    to_field("year", first_of(date1_from_008, extract_marc("260c:264c")), year),
    to_field("languages", control_slice("008", 35, 38), lower, language_codes),
    to_field("languages", extract_marc("041ad", alternate_script=False), language_codes),
    to_field("isbns", extract_marc("020a", alternate_script=False), isbns, unique),
    to_field("notes", extract_marc("500a:505agrt:520ab"), nfc),
)
