"""Searching the session's small real index through the Whoosh backend."""

from __future__ import annotations

import re
import unicodedata

import pymarc
import pytest

from discovery.engines import open_search
from discovery.errors import IndexUnavailable, QueryError
from discovery.results import Filter, SearchRequest
from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from discovery.engines import open_index
from discovery.engines.whoosh import search as whoosh_search
from discovery.engines.whoosh.index import open_index as open_whoosh

from ..support import BUILT_SOURCES, FIXTURES, expected_counts, rebuild_then_update

TOTAL = sum(expected_counts().values())


@pytest.fixture(scope="module")
def backend(built_home):
    b = open_search(built_home)
    yield b
    b.close()


def search(backend, query="", page=1, limit=100):
    return backend.search(SearchRequest(query=query, page=page, limit=limit))


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def fixture_years() -> dict[str, int | None]:
    """Publication year of every record in the session index, read with pymarc alone:
    008/07-10 when it is four digits, else the first four-digit number in 260/264 $c."""
    years = {}
    for code, (_name, files) in BUILT_SOURCES.items():
        for name in files:
            path = FIXTURES / name
            if name.endswith(".xml"):
                records = pymarc.parse_xml_to_array(str(path))
            else:
                with open(path, "rb") as fh:
                    records = list(pymarc.MARCReader(fh, to_unicode=True,
                                                     file_encoding="iso8859-1"))
            for rec in records:
                date1 = rec["008"].data[7:11]
                year = int(date1) if date1.isdigit() else None
                if year is None:
                    for f in rec.get_fields("260", "264"):
                        m = re.search(r"\d{4}", f["c"] or "")
                        if m:
                            year = int(m.group())
                            break
                years[f"{code}:{rec['001'].data.strip()}"] = year
    return years


def test_empty_query_returns_every_record(backend):
    result = search(backend, "")
    assert result.total == TOTAL == 71
    assert len(result.hits) == 71


def test_library_facet_counts_and_names(backend):
    facets = search(backend, "").facets
    assert [(v.value, v.count, v.label) for v in facets["library"]] == [
        ("loc", 56, "Library of Congress"),
        ("vn", 10, "Thư viện Quốc gia Việt Nam"),
        ("legacy", 5, "旧系统 MARC-8 馆藏"),
    ]


def test_total_is_exact_and_pages_cover_every_record_once(backend):
    seen = []
    for page in range(1, 12):                      # 71 results, 7 a page: 10 full pages and 1
        result = search(backend, "", page=page, limit=7)
        assert result.total == 71
        assert result.pages == 11
        assert len(result.hits) == (7 if page < 11 else 1)
        seen.extend(ids(result))
    assert len(seen) == len(set(seen)) == 71
    beyond = search(backend, "", page=12, limit=7)
    assert (beyond.total, beyond.hits) == (71, [])


def test_total_counts_beyond_the_first_page_of_a_text_query(backend):
    # "Hà Nội" is the 260 $a place of vietnamese_nfd_titles.mrc records 4-10 (7 records)
    first = search(backend, "Hà Nội", limit=2)
    assert first.total == 7
    assert len(first.hits) == 2
    every = ids(search(backend, "Hà Nội", limit=7))
    assert set(every) == {"vn:00236597", "vn:00280608", "vn:00280610", "vn:00280611",
                          "vn:00280612", "vn:00280613", "vn:00280614"}


def test_year_range(backend):
    years = fixture_years()
    expected = {rid for rid, y in years.items() if y is not None and 1990 <= y <= 2000}
    result = search(backend, "year:1990-2000")
    assert result.total == len(expected)
    assert set(ids(result)) == expected
    assert all(1990 <= h.year <= 2000 for h in result.hits)


def test_year_up_to(backend):
    years = fixture_years()
    expected = {rid for rid, y in years.items() if y is not None and y <= 1990}
    assert set(ids(search(backend, "year:-1990"))) == expected
    # the Evergreen record of 1904, LC's 1981 Mite pests and 1988 Suzhou gazetteer among them
    assert {"legacy:01-0118948", "loc:00292614", "loc:00409609"} <= expected


def test_single_year(backend):
    assert ids(search(backend, "year:1981")) == ["loc:00292614"]


def test_year_abc_is_a_query_error(backend):
    with pytest.raises(QueryError, match="year:abc"):
        search(backend, "year:abc")


@pytest.mark.parametrize("query", ["isbn:7-209-02472-7", "isbn:978-7-209-02472-3",
                                   "isbn:7209024727", "7209024727"])
def test_isbn_with_or_without_hyphens_finds_the_record(backend, query):
    # LC 00409616 (chinese_880_simplified.mrc) has 020 $a 7209024727
    assert ids(search(backend, query)) == ["loc:00409616"]


def test_isbn_with_a_wrong_check_digit_finds_nothing(backend):
    assert search(backend, "isbn:7-209-02472-8").total == 0


@pytest.mark.parametrize("query, expected", [
    # traditional query, simplified 880 in the record (黄岗村志, 苏州化工志)
    ("黃崗村志", "loc:00409616"),
    ("蘇州化工志", "loc:00409609"),
    # simplified query, traditional 880 in the record (民進黨, 車輪滾滾 from MARC-8 EACC)
    ("民进党", "loc:00409591"),
    ("车轮滚滚", "legacy:u6080510"),
    # the same words as they stand in the records
    ("民進黨", "loc:00409591"),
    ("黄岗村志", "loc:00409616"),
])
def test_traditional_and_simplified_find_each_other(backend, query, expected):
    assert ids(search(backend, query)) == [expected]


def test_english_title_word_and_vernacular_title_find_the_same_record(backend):
    assert ids(search(backend, "Caoshan")) == ids(search(backend, "草山小蛇")) == ["loc:00409591"]


def test_vietnamese_typed_composed_or_decomposed(backend):
    typed = ids(search(backend, "ngoại hối"))
    decomposed = ids(search(backend, unicodedata.normalize("NFD", "ngoại hối")))
    assert typed == decomposed == ["vn:00280610"]
    # title of 00280610 and 00280611, publisher of 00103636; 00055556's series
    # "Voices from Viet Nam" matches too, as a folded (diacritic-free) match, and
    # 00280613 and 00236597 by their English subject headings' "Vietnam" (the joined
    # name, issue 16)
    found = ids(search(backend, "Việt Nam"))
    assert set(found) == {"vn:00280610", "vn:00280611", "vn:00103636", "vn:00055556",
                          "vn:00280613", "vn:00236597"}
    # the records with both words as typed rank above the others
    assert set(found[:3]) == {"vn:00280610", "vn:00280611", "vn:00103636"}


@pytest.mark.parametrize("query, expected", [
    ("убийца", "legacy:u6015439"),         # MARC-8 Cyrillic
    ("poésies", "legacy:01-0118948"),      # MARC-8 combining acute
    ("Kavalier", "legacy:11939876"),       # MARCXML
])
def test_legacy_encodings_are_searchable(backend, query, expected):
    assert ids(search(backend, query)) == [expected]


def test_hits_carry_display_fields_and_holding_library(backend):
    hit = search(backend, "ngoại hối").hits[0]
    assert hit.title == "Đổi mới và hoàn thiện chính sách quản lý ngoại hối ở Việt Nam"
    assert hit.authors == ["Nguyễn, Thị Thu Thảo"]
    assert (hit.year, hit.languages) == (1999, ["vie"])
    assert [(h.source, h.record_id, h.name) for h in hit.holdings] == [
        ("vn", "vn:00280610", "Thư viện Quốc gia Việt Nam")]

    chinese = search(backend, "民进党").hits[0]
    assert (chinese.title, chinese.title_vernacular) == (
        "Caoshan xiao she yu Min jin dang de tou ren men", "草山小蛇與民進黨的頭人們")


def test_fielded_language_and_library(backend):
    # 008/35-37 "vie": vietnamese_nfd_titles.mrc records 4-10; 041 $a vie: 00103636
    assert set(ids(search(backend, "lang:vie"))) == {
        "vn:00103636", "vn:00236597", "vn:00280608", "vn:00280610", "vn:00280611",
        "vn:00280612", "vn:00280613", "vn:00280614"}
    assert search(backend, "library:vn").total == 10
    assert search(backend, "library:legacy Kavalier").total == 1
    assert search(backend, "library:vn Kavalier").total == 0


# regression: Han text was indexed with jieba's coarsest cut only, so a word jieba
# keeps whole hid its parts (长春电影制片厂 in the MARC-8 record u6080510 and the
# city 长春); the CJK n-gram fields find it now
def test_a_han_word_inside_a_longer_dictionary_word_is_found(backend):
    assert "legacy:u6080510" in ids(search(backend, "长春"))


@pytest.mark.parametrize("page, limit, message", [
    (0, 20, "page must be 1 or more"),
    (-1, 20, "page must be 1 or more"),
    (1, 0, "limit must be between 1 and 100"),
    (1, 101, "limit must be between 1 and 100"),
    (501, 20, "page 501 is too deep"),
])
def test_page_and_limit_are_validated(backend, page, limit, message):
    with pytest.raises(QueryError, match=message):
        search(backend, "", page=page, limit=limit)


def test_deepest_allowed_page_is_answered(backend):
    result = search(backend, "", page=500, limit=20)     # 500 x 20 = 10000, the maximum depth
    assert (result.total, result.hits) == (71, [])


# -- a backend over an index that changes under it -------------------------------

@pytest.fixture
def small_home(tmp_path):
    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="m", name="Member", kind="marc",
                           path=str(FIXTURES / "chinese_880_traditional.mrc")))
    return home


def test_no_index_is_index_unavailable(small_home):
    backend = open_search(small_home, check_interval=0)
    try:
        with pytest.raises(IndexUnavailable, match="no index yet"):
            search(backend, "")
    finally:
        backend.close()


def test_backend_follows_updates_and_rebuilds(small_home):
    with RecordStore(small_home.store_path) as store:
        import_files(small_home, store, "m", [str(FIXTURES / "chinese_880_traditional.mrc")])
        build.rebuild(small_home, store, open_index(small_home))
        backend = open_search(small_home, check_interval=0)
        try:
            assert search(backend, "").total == 4
            first_generation = backend.generation

            import_files(small_home, store, "m", [str(FIXTURES / "chinese_880_simplified.mrc")])
            report = build.update(small_home, store, open_index(small_home))
            assert search(backend, "").total == 6
            assert ids(search(backend, "黄岗村志")) == ["m:00409616"]
            # an update goes live as a new generation (a clone of the live one, changed)
            assert backend.generation == report.generation != first_generation
            updated = backend.generation

            build.rebuild(small_home, store, open_index(small_home))
            assert search(backend, "").total == 6
            assert backend.generation not in (first_generation, updated)
        finally:
            backend.close()


def test_subject_and_author_facets_of_a_segment_an_update_wrote(small_home):
    # those facets have no terms: a segment written by an update (Whoosh's own
    # writer, no facet files) has its facet values read from the column
    from collections import Counter

    from discovery.engines.whoosh import facetfiles
    from indexer.document import HAN_OR_KANA
    from indexer.generations import IndexDir

    rebuild_then_update(small_home)
    gen = IndexDir(small_home.index_path).current()
    with open_whoosh(gen.path).reader() as reader:
        segment_ids = [leaf.segment().segment_id() for leaf, _o in reader.leaf_readers()]
        displays = [fields["display"] for fields in reader.all_stored_fields()]
    assert any(facetfiles.read(gen.path, s, "author_facet") is None for s in segment_ids)
    expected_authors = Counter(a for d in displays for a in dict.fromkeys(d["authors"]))
    # subject headings in Han script are searched, not faceted (indexer.document)
    expected_subjects = Counter(s for d in displays
                                for s in dict.fromkeys(x.split(" -- ")[0] for x in d["subjects"]
                                                       if not HAN_OR_KANA.search(x)))
    assert expected_authors and expected_subjects

    backend = open_search(small_home, check_interval=0)
    try:
        result = backend.search(SearchRequest(query="", limit=10, facet_limit=1000))
        assert result.total == 6
        assert {v.value: v.count for v in result.facets["author"]} == expected_authors
        assert {v.value: v.count for v in result.facets["subject"]} == expected_subjects
        author, count = expected_authors.most_common(1)[0]
        by_author = backend.search(SearchRequest(
            query="", limit=10, filters=(Filter.parse("author", author),)))
        assert by_author.total == count
    finally:
        backend.close()
    assert all(facetfiles.read(gen.path, s, "author_facet") is not None for s in segment_ids)


PAGED_QUERIES = ["subject:history", "history", "china", "Hà Nội", "中国", "library", "a"]


def _pages_read_as_one(backend, query, limit):
    whole = search(backend, query, limit=100)
    assert whole.total <= 100, "the query's results should fit one page of 100"
    paged = []
    for page in range(1, whole.total // limit + 2):
        paged.extend(ids(search(backend, query, page=page, limit=limit)))
    assert paged == ids(whole)


@pytest.mark.parametrize("query", PAGED_QUERIES)
@pytest.mark.parametrize("limit", [1, 3, 4])
def test_relevance_pages_cut_one_order(backend, query, limit):
    """Paging by relevance walks one order: equal scores at a page's edge are broken the
    same way (holdings, then the record) however deep the request, so no work is shown
    twice or skipped, and the pages read as the one long page does."""
    _pages_read_as_one(backend, query, limit)


@pytest.mark.parametrize("query", PAGED_QUERIES)
def test_relevance_pages_cut_one_order_when_whoosh_walks_the_query(whoosh_home, query,
                                                                   monkeypatch):
    """The same on Whoosh's other way of scoring (walking the query, with its pruning,
    instead of being led through the known matches, as for large result sets)."""
    monkeypatch.setattr(whoosh_search, "CANDIDATES_LED", 0)
    backend = open_search(whoosh_home)
    try:
        for limit in (1, 3, 4):
            _pages_read_as_one(backend, query, limit)
    finally:
        backend.close()
