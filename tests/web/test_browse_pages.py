"""The browse pages over HTTP, on a real ``sheaf serve``: a facet's values in full, the
author and subject lists, the shelves, the links to them, and bad arguments (400)."""

from __future__ import annotations

import urllib.parse

import pytest

from indexer.callnumbers import shelf_key, shelf_start
from indexer.headings import browse_value, typed_prefix
from indexer.collation import name_key
from indexer.segmenters import to_simplified
from indexer.tables import language_name

from ..browse_support import Expected
from ..support import running_server
from .pages_support import api, css, get, ok


@pytest.fixture(scope="module")
def site(browse_home, tmp_path_factory):
    with running_server(browse_home.path, tmp_path_factory.mktemp("browse-server")) as base:
        yield base


@pytest.fixture(scope="module")
def expected(browse_home) -> Expected:
    return Expected(browse_home)


def entries(doc) -> list[tuple[str, int]]:
    """(label, count) of a value list."""
    return [(css(li, ".label")[0].text_content(),
             int("".join(ch for ch in css(li, ".count")[0].text_content() if ch.isdigit())))
            for li in css(doc, "ol.values li")]


def total_line(doc) -> str:
    return " ".join(css(doc, ".values-total")[0].text_content().split())


def search_total(site: str, href: str) -> int:
    """The number of results a link to the search page finds."""
    doc = ok(site, href)
    summary = css(doc, "p.summary")[0].text_content()
    return int(summary.split()[0].replace(",", ""))


def by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))


def test_a_facets_full_list_pages_by_count_and_says_how_many_values(site, expected):
    authors = by_count(expected.clusters_with("authors"))
    first = ok(site, "/browse/facet/author", limit=20)
    assert entries(first) == authors[:20]
    assert total_line(first) == f"{len(authors)} values"
    second = ok(site, "/browse/facet/author", limit=20, page=2)
    assert entries(second) == authors[20:40]
    # each value adds its filter to the search it came from, whose total is its count
    link = css(first, "ol.values li a.value")[0].get("href")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["filter"] == [
        f"author:{authors[0][0]}"]
    assert search_total(site, link) == authors[0][1]


def test_a_facets_list_a_to_z_in_each_languages_order(site, expected):
    counts = expected.clusters_with("authors")
    in_order = [(h, counts[h]) for h in sorted(counts, key=browse_value)]
    doc = ok(site, "/browse/facet/author", order="az", limit=30, page=2)
    assert entries(doc) == in_order[30:60]
    # a facet without a browse field (languages: few values) sorts by its labels
    languages = expected.clusters_with("languages")
    labels = sorted(((language_name(c, "en") or c, n) for c, n in languages.items()),
                    key=lambda ln: name_key(ln[0]))
    assert entries(ok(site, "/browse/facet/language", order="az")) == labels


def test_a_facets_list_keeps_the_search_and_its_other_filters(site, expected):
    # within the Vietnamese-language records only: their subjects, counted there
    vietnamese = [m for members in expected.clusters.values() for m in members
                  if "vie" in m.get("languages", [])]
    counts: dict[str, int] = {}
    for m in vietnamese:
        for s in {s.split(" -- ")[0] for s in m.get("subjects", [])}:
            counts[s] = counts.get(s, 0) + 1
    doc = ok(site, "/browse/facet/subject", filter="language:vie", limit=100)
    assert entries(doc) == by_count(counts)
    # and the way back to that search
    back = css(doc, "p.back a")[0].get("href")
    assert "filter=language%3Avie" in back or "filter=language:vie" in back


def test_searching_a_facets_values(site, expected):
    counts = expected.clusters_with("authors")
    wanted = by_count({a: c for a, c in counts.items() if "nguyễn" in a.casefold()})
    assert wanted
    doc = ok(site, "/browse/facet/author", contains="Nguyễn")
    assert entries(doc) == wanted
    assert total_line(doc).startswith(f"{len(wanted)} value")
    assert css(doc, "#contains")[0].get("value") == "Nguyễn"


def test_the_author_list_shows_the_880_form_first_as_the_search_pages_facet_does(site):
    facet = api(site, facets="author", facet_limit=1000, limit=1)["facets"]["author"]
    labelled = {v["value"]: v["label"] for v in facet}
    paired = {v: label for v, label in labelled.items() if label != v}
    spaced = {v: " ".join(label.split()) for v, label in labelled.items()}  # as text reads
    assert paired                                         # the 880s pair some names
    shown, page = {}, 1
    while True:
        doc = ok(site, "/browse/facet/author", limit=100, page=page)
        for a in css(doc, "ol.values li a.value"):
            value = urllib.parse.parse_qs(urllib.parse.urlsplit(a.get("href")).query)[
                "filter"][-1].removeprefix("author:")
            shown[value] = " ".join(a.text_content().split()[1:])   # after the check box
        if not css(doc, "a[rel=next]"):
            break
        page += 1
    assert shown == spaced
    # a value is found by its own script's form too, shown in its own span
    value, label = next(iter(paired.items()))
    vernacular = label.removesuffix(f" ({value})")
    found = ok(site, "/browse/facet/author", contains=vernacular)
    assert [(css(li, ".other-form")[0].text_content(), css(li, ".label")[0].text_content())
            for li in css(found, "ol.values li") if css(li, ".other-form")
            ] == [(vernacular, value)]


def test_the_search_page_links_each_long_facet_to_its_full_list(site):
    doc = ok(site, "/", q="history")
    more = {urllib.parse.urlsplit(a.get("href")).path for a in css(doc, "a.facet-more")}
    assert "/browse/facet/subject" in more


def test_the_author_list_by_a_typed_start_with_880_forms_and_consistent_counts(site, expected):
    counts = expected.clusters_with("authors")
    wanted = [(h, counts[h]) for h in sorted(counts, key=browse_value)
              if browse_value(h).startswith(typed_prefix("zhang"))]
    doc = ok(site, "/browse/authors", start="zhang")
    rows = [(css(li, ".label")[0].text_content(), li) for li in css(doc, "ol.values li")]
    assert [label for label, _li in rows] == [h for h, _c in wanted]
    forms = {f["heading"]: to_simplified(f["vernacular"])
             for members in expected.clusters.values() for m in members
             for f in m.get("name_forms", []) if "chi" in m.get("languages", [])}
    for label, li in rows:
        shown = [o.text_content() for o in css(li, ".other-form")]
        assert shown == ([forms[label]] if label in forms else [])
    # the heading's link finds exactly the records the list counts
    label, li = rows[0]
    assert search_total(site, css(li, "a.value")[0].get("href")) == counts[label]


def test_the_subject_list_links_to_the_whole_heading(site, expected):
    counts = expected.clusters_with("subjects")
    heading = "Taiwan -- Politics and government -- 1988-2000"
    doc = ok(site, "/browse/subjects", start="Taiwan -- Politics")
    rows = {css(li, ".label")[0].text_content(): li for li in css(doc, "ol.values li")}
    assert heading in rows and "Taiwan -- Politics and government -- 1975-1988" in rows
    link = css(rows[heading], "a.value")[0].get("href")
    assert search_total(site, link) == counts[heading]
    # the record page's subject links search the heading whole too
    record = css(ok(site, link), "li.hit h3 a")[0].get("href")
    subject_links = {a.text_content(): a.get("href")
                     for a in css(ok(site, record), "dd ul.plain li a")
                     if "heading" in a.get("href", "")}
    assert search_total(site, subject_links[heading]) == counts[heading]


def shelf_keys(doc, scheme: str) -> list[str]:
    """The shelf keys of a shelf page's rows, read from the call numbers it shows."""
    return [shelf_key(scheme, " ".join(p.text_content().split()))
            for p in css(doc, "li.shelf-row .shelf-call")]


def keys_of(rows) -> list[str]:
    """The keys of (shelf value, call number) rows (a cluster's holdings may write one call
    number in two ways, "JN6598.R8 S423" and "JN 6598 .R8 S423": either may be shown)."""
    return [value.rsplit(" ", 1)[0] for value, _call in rows]


def test_a_shelf_around_a_record_with_every_holdings_call_number(site, expected):
    shelf = expected.shelf("lcc")
    middle = len(shelf) // 2
    value, call = shelf[middle]
    cluster = value.rsplit(" ", 1)[1]
    # from the record page's holdings to its shelf
    record = ok(site, f"/record/{cluster}")
    link = css(record, "a.shelf-link")[0].get("href")
    doc = ok(site, link)
    here = [i for i, li in enumerate(css(doc, "li.shelf-row")) if li.get("aria-current")]
    assert here == [6]                       # 12 a page: six before it, then it
    assert shelf_keys(doc, "lcc") == keys_of(shelf[middle - 6:middle + 6])
    holdings = [h.text_content() for h in css(doc, "li.shelf-row.here .shelf-holdings li")]
    assert any(call in h for h in holdings)
    # along the shelf: the next page starts where this one ended, and back again
    later = ok(site, css(doc, "nav.pager a[rel=next]")[0].get("href"))
    assert shelf_keys(later, "lcc") == keys_of(shelf[middle + 6:middle + 18])
    earlier = ok(site, css(later, "nav.pager a[rel=prev]")[0].get("href"))
    assert shelf_keys(earlier, "lcc") == keys_of(shelf[middle - 6:middle + 6])


@pytest.mark.parametrize("scheme, typed", [("ddc", "800"), ("clc", "I247"), ("lcc", "PL2265")])
def test_a_shelf_from_a_typed_call_number(site, expected, scheme, typed):
    shelf = expected.shelf(scheme)
    start = shelf_start(typed, scheme)
    at = next(i for i, (v, _c) in enumerate(shelf) if v >= start)
    doc = ok(site, "/browse/shelf", scheme=scheme, **{"from": typed})
    first = max(0, at - 6)              # six before where it stands (if there are), then on
    assert shelf_keys(doc, scheme) == keys_of(shelf[first:first + 12])


@pytest.mark.parametrize("path, args", [
    ("/browse/facet/author", {"order": "newest"}),
    ("/browse/facet/author", {"page": "0"}),
    ("/browse/facet/author", {"page": "two"}),
    ("/browse/facet/author", {"limit": "5000"}),
    ("/browse/facet/author", {"page": "99999", "limit": "100"}),     # past the depth
    ("/browse/facet/year", {}),                                     # the histogram
    ("/browse/facet/nothing", {}),
    ("/browse/facet/author", {"filter": "nothing:1"}),
    ("/browse/facet/author", {"contains": "x" * 1001}),
    ("/browse/facet/author", {"q": "(" * 600}),
    ("/browse/authors", {"page": "-1"}),
    ("/browse/subjects", {"limit": "0"}),
    ("/browse/subjects", {"start": "x" * 600}),
    ("/browse/shelf", {"scheme": "udc"}),
    ("/browse/shelf", {"scheme": "lcc", "from": "not a call number"}),
    ("/browse/shelf", {"scheme": "ddc", "from": "5490"}),
    ("/browse/shelf", {"before": "nospace"}),
    ("/browse/shelf", {"from": "PL1", "after": "PL!00001 loc:1"}),
    ("/browse/shelf", {"limit": "51"}),
])
def test_bad_arguments_are_a_400_saying_what_is_wrong(site, path, args):
    status, doc = get(site, path, **args)
    assert status == 400, (path, args)
    assert css(doc, ".error") and css(doc, ".error")[0].text_content().strip()


def test_an_unknown_record_has_no_shelf(site):
    assert get(site, "/browse/shelf", record="nowhere:1")[0] == 404


@pytest.mark.parametrize("lang, words", [
    ("zh", ["著者浏览（按字顺）", "个值"]), ("vi", ["Tác giả A–Z", "giá trị"])])
def test_the_pages_speak_the_readers_language(site, lang, words):
    _status, doc = get(site, "/browse/facet/author", lang=lang)
    text = doc.text_content()
    assert all(w in text for w in words), lang


# -- fuzzing: no argument of a browse page is a 500 ------------------------------------

BROWSE_PARAMS = ["q", "filter", "order", "page", "limit", "contains", "start", "scheme",
                 "record", "from", "before", "after", "lang", "sort", "facets"]
BROWSE_PATHS = ["/browse/facet/author", "/browse/facet/{x}", "/browse/authors",
                "/browse/subjects", "/browse/shelf"]


@pytest.fixture(scope="module")
def browse_client(browse_home):
    from web import create_app
    return create_app({"SHEAF_HOME": str(browse_home.path), "TESTING": True}).test_client()


@pytest.mark.parametrize("path", BROWSE_PATHS)
def test_no_argument_of_a_browse_page_is_a_500(browse_client, path):
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    values = st.one_of(
        st.text(max_size=40),
        st.sampled_from(["", "0", "-1", "az", "count", "lcc", "ddc", "clc", "PL2265", "I247",
                         "895", "author:Zhang", "language:vie", "x" * 1200, "\x00", "PL!02265 x",
                         "loc:00409591", " ", "(", '"', "%", "zh"]),
        st.integers(-10**12, 10**12).map(str))

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(query=st.lists(st.tuples(st.sampled_from(BROWSE_PARAMS), values), max_size=5),
           x=st.text(min_size=1, max_size=20))
    @example(query=[], x="/0")   # drawn by the CI run of 628f1c3
    def run(query, x):
        from urllib.parse import quote, unquote
        url = path.replace("{x}", quote(x, safe=""))
        response = browse_client.get(url, query_string=query)
        # a facet name that starts with "/" makes "//" in the path, which the router
        # answers with a redirect to the path with one slash (308): not an error either
        # (the path is decoded before routing, so a quoted %2F is a slash there too)
        allowed = (200, 400, 404, 308) if "//" in unquote(url) else (200, 400, 404)
        assert response.status_code in allowed, \
            (url, query, response.status_code, response.get_data(as_text=True)[:300])

    run()

