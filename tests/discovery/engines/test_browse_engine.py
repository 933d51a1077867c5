"""The engines' browsing (values_page, values_between, shelf) and the heading search, on
every engine, against what the stored records say (tests/browse_support.py)."""

from __future__ import annotations

import pytest

from discovery.engines import open_search
from discovery.query import MatchAll
from discovery.results import Filter, SearchRequest
from indexer.fields import SHELF_FIELDS
from indexer.headings import browse_value, forms_range, read_value, typed_prefix
from indexer.segmenters import to_simplified

from ...browse_support import Expected


@pytest.fixture(scope="module")
def service(browse_home):
    s = open_search(browse_home)
    yield s
    s.close()


@pytest.fixture(scope="module")
def expected(browse_home) -> Expected:
    return Expected(browse_home)


def by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))


def test_a_facets_values_most_clusters_first_page_by_page(service, expected):
    authors = by_count(expected.clusters_with("authors"))
    assert len(authors) > 40
    for offset in (0, 10, len(authors) - 3):
        page = service.values_page(SearchRequest(), MatchAll(), "author_facet", "count",
                                   offset, 10)
        assert page.values == authors[offset:offset + 10]
        assert page.total == len(authors)


def test_a_browse_field_lists_its_headings_alphabetically_and_by_a_typed_start(service,
                                                                              expected):
    counts = expected.clusters_with("authors")
    in_order = sorted((browse_value(h), c) for h, c in counts.items())
    page = service.values_page(SearchRequest(), MatchAll(), "author_browse", "index", 5, 7)
    assert page.values == in_order[5:12]
    assert page.total == len(in_order)
    # what a reader typed, in any script: "zhang" also finds the headings written 张
    for typed in ("zhang", "nguyễn", "Chen, W"):
        starting = [vc for vc in in_order if vc[0].startswith(typed_prefix(typed))]
        assert starting, typed
        found = service.values_page(SearchRequest(), MatchAll(), "author_browse", "index", 0,
                                    50, typed_prefix(typed))
        assert found.values == starting and found.total == len(starting)


def test_a_facets_own_filters_are_left_out_of_its_list_the_others_kept(service, expected):
    everyone = by_count(expected.clusters_with("authors"))
    chosen = "Zhang, Yanxian"
    request = SearchRequest(filters=(Filter("author", chosen),))
    # as the search page counts a facet: every author of the search stays choosable
    own = service.values_page(request, MatchAll(), "author_facet", "count", 0, 1000,
                              own_facet="author")
    assert own.values == everyone
    # counted under the filter: only the chosen author's clusters and their co-authors
    theirs = [m for members in expected.clusters.values() for m in members
              if chosen in m.get("authors", [])]
    narrowed = service.values_page(request, MatchAll(), "author_facet", "count", 0, 1000)
    assert {v for v, _c in narrowed.values} == {a for m in theirs for a in m["authors"]}
    assert dict(narrowed.values)[chosen] == len(theirs)


def test_the_other_script_forms_of_a_page_of_headings(service, expected):
    page = service.values_page(SearchRequest(), MatchAll(), "author_browse", "index", 0, 1000,
                               typed_prefix("zhang"))
    headings = {read_value(v)[0] for v, _c in page.values}
    low, high = forms_range(page.values[0][0], page.values[-1][0])
    found = {read_value(v) for v in service.values_between("author_forms", low, high, 100)}
    # the 880 of each heading, in simplified characters for a Chinese record
    wanted = {(f["heading"], to_simplified(f["vernacular"]) if "chi" in m.get("languages", [])
               else f["vernacular"])
              for members in expected.clusters.values() for m in members
              for f in m.get("name_forms", []) if f["heading"] in headings}
    assert wanted and found == wanted


@pytest.mark.parametrize("scheme", sorted(SHELF_FIELDS))
def test_a_shelf_in_call_number_order_forward_and_back(service, expected, scheme):
    shelf = expected.shelf(scheme)
    assert len(shelf) >= 5, scheme
    field = SHELF_FIELDS[scheme]
    middle = len(shelf) // 2
    start = shelf[middle][0]
    forward = service.shelf(field, start, True, 4)
    assert [v for v, _hit in forward] == [v for v, _call in shelf[middle:middle + 4]]
    back = service.shelf(field, start, False, 3)
    assert [v for v, _hit in back] == [v for v, _call in reversed(shelf[max(0, middle - 3):middle])]
    # each row is its cluster, with the holding's call number that put it there
    for value, hit in forward:
        assert value.rsplit(" ", 1)[1] == hit.id
        assert dict(shelf)[value] in [h.call_number for h in hit.holdings]
    # past either end: nothing more
    assert service.shelf(field, shelf[-1][0] + " ", True, 3) == []
    assert service.shelf(field, shelf[0][0], False, 3) == []


def test_a_heading_search_finds_that_heading_whole_not_its_first_part(service, expected):
    counts = expected.clusters_with("subjects")
    heading = "Taiwan -- Politics and government -- 1988-2000"
    # the fixture has this heading, and others that begin with the same words
    assert counts[heading] >= 1
    assert counts["Taiwan -- Politics and government -- 1975-1988"] >= 1
    found = service.search(SearchRequest(query=f'heading:"{heading}"', limit=50))
    assert found.total == counts[heading]
    # case, accents and punctuation aside, the heading typed is the heading
    assert service.search(SearchRequest(
        query='sh:"taiwan -- politics and government -- 1988 2000"')).total == counts[heading]
    first_part = service.search(SearchRequest(query='heading:"Taiwan"')).total
    assert first_part == counts.get("Taiwan", 0)


def test_a_facet_lists_query_is_held_to_the_search_budget(browse_home):
    from harvest.config import Home
    from discovery import browse
    from discovery.budget import QueryTooLarge

    home = Home.load(browse_home.path)
    home.settings["max_prefix_terms"] = 1      # "tai*" stands for taiwan and more
    service = open_search(home)
    try:
        with pytest.raises(QueryTooLarge) as raised:
            browse.facet_values(service, SearchRequest(query="tai*"), "subject")
        assert raised.value.limit == "prefix_terms"
    finally:
        service.close()
