"""A year typed beside title words names the edition of that year (issue 16).

Before: ``Mustaqillik 1997`` found nothing, though LC holds Mustaqillik :
kurashlar davri of 1997 and of 1998 (bench/near_duplicates.py, kind ``year``:
success@1 0.111): the year is catalogued as the date of publication (008,
260 $c), not in the title, and every word of a query must match. Real LC records
(``ideographic_space_chinese_880.mrc``, Taiwan's politics of 1997-2000).
"""

from __future__ import annotations

import pymarc
import pytest

from .test_romanization import client_for, ids, read

FIXTURE = "ideographic_space_chinese_880.mrc"


@pytest.fixture(scope="module")
def lc(tmp_path_factory, engine, request):
    return client_for(tmp_path_factory.mktemp(f"years-{engine}"), engine, request,
                      read(FIXTURE))


def by_year(records: list[pymarc.Record], year: str) -> set[str]:
    return {"lib:" + r["001"].data.strip() for r in records if r["008"].data[7:11] == year
            and "taiwan" in r["245"].value().lower()}


def test_a_year_beside_title_words_finds_that_year(lc):
    records = read(FIXTURE)
    of_1997 = by_year(records, "1997")
    assert len(of_1997) == 3
    # every record of 1997 with Taiwan in its title (none has 1997 in its text)
    assert set(ids(lc, "Taiwan 1997")) >= of_1997


@pytest.fixture(scope="module")
def poems(tmp_path_factory, engine, request):
    return client_for(tmp_path_factory.mktemp(f"poems-{engine}"), engine, request,
                      read("poems_1900_lc.mrc"))


def test_the_whole_title_beside_a_year_ranks_first(poems):
    # before: 'Poems 1900' put 'Complete poems of Col. John A. Joyce' first, above the
    # records titled Poems (the exact-title boost looked for the title 'Poems 1900')
    titled = {"lib:" + r["001"].data.strip() for r in read("poems_1900_lc.mrc")
              if r["245"]["a"].rstrip(" ,./:;") == "Poems"}
    assert len(titled) == 4
    assert set(ids(poems, "Poems 1900")[:4]) == titled
