"""MARC 21 year: which of 008 date 1 and 264/260 $c is shown, sorted and cited.

Real records from the demo files; the comments give the fields the rule reads
(indexer/marc21.py publication_year), as a breaker dump prints them.
"""

from __future__ import annotations

from pathlib import Path

import pymarc
import pytest

from indexer.mapping import map_stored

DEMO = Path(__file__).resolve().parents[2] / "demo"


def demo_record(name: str, local_id: str) -> bytes:
    chunks = [c + b"\x1d" for c in (DEMO / name).read_bytes().split(b"\x1d") if c.strip()]
    matches = [d for d in chunks
               if pymarc.Record(d, to_unicode=True, force_utf8=True)["001"].data.strip() == local_id]
    assert len(matches) == 1, local_id
    return matches[0]


def year_of(data: bytes) -> int | None:
    return map_stored(data, "marc21", on_warning=lambda message: None).get("year")


def test_century_placeholder_in_008_gives_way_to_the_concrete_260c_year():
    # vnlib 00280637 "Bách khoa thư Hà Nội."
    # =008  000225m19009999vm ab         000 0 vie
    #       (type m, multiple dates: date 1 "1900", date 2 "9999", still going on)
    # =260  \\$aHà Nội :$bNhà xuất bản Từ điển bách khoa,$c<1999-2010>
    # 1900 is "19--"; $c's first year, 1999, is later in that century.
    data = demo_record("vnlib.mrc", "00280637")
    rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
    assert rec["008"].data[6:15] == "m19009999"
    assert rec["260"]["c"] == "<1999-2010>"
    assert year_of(data) == 1999


def test_a_single_date_in_008_wins_over_a_different_260c_year():
    # hanlib 00415041 "Ling Hongxun xian sheng fang wen ji lu"
    # =008  010713s1997    ch           f001 0achi
    # =260  \\$6880-04$a...$cMin guo 71 [1982]   (880: $c民國71 [1982])
    # type s, date 1 "1997" is a real year and not a century: the 008 stands.
    data = demo_record("hanlib.mrc", "00415041")
    rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
    assert rec["008"].data[6:11] == "s1997"
    assert year_of(data) == 1997


@pytest.mark.parametrize("name, local_id, date008, expected", [
    # hanlib 00409620 "Henan Sheng Xuchang Xian di ming zhi"
    # =008  000921s2000    cc ab         000 0 chi d
    # =260  \\$6880-03$aXi'an :$bShanxi ren min chu ban she,$c1989.
    # 2000 ends in "00" but 1989 is before it, not later in its century: 008 stands.
    ("hanlib.mrc", "00409620", "s2000", 2000),
    # intl 00287668 "O povo e a linguagem de Sergipe"
    # =008  000801q20001993bl       b    000 0 por
    # =260  \\$a[Brazil :$bs.n.,$cbetween 1993 and 2000]
    # type q (questionable); $c's first year, 1993, is before 2000: 008 stands.
    ("intl.mrc", "00287668", "q2000", 2000),
])
def test_a_century_date1_stays_when_260c_is_not_later_in_its_century(name, local_id, date008,
                                                                      expected):
    data = demo_record(name, local_id)
    rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
    assert rec["008"].data[6:11] == date008
    assert year_of(data) == expected
