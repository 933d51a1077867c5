"""Library views over HTTP, on a real ``sheaf serve``: the home page's member libraries with
their titles and new arrivals, ``/library/<code>`` (the union catalog seen from one member),
the search limited to one library naming it, and an unknown library's 404. Every count is
compared with the library facet's count from the JSON API."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from ..support import BUILT_SOURCES, running_server
from .pages_support import api, css, get, ok, submitted


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("library-server")) as base:
        yield base


@pytest.fixture(scope="module")
def web_site(web_home, tmp_path_factory):
    """The web home: ``hust`` has a catalogue (catalog_url), ``evil`` a name with markup."""
    with running_server(web_home.path, tmp_path_factory.mktemp("library-web-server")) as base:
        yield base


def facet_counts(site: str) -> dict[str, int]:
    found = api(site, facets="library", facet_limit=1000, limit=1)
    return {v["value"]: v["count"] for v in found["facets"]["library"]}


def summary_total(doc) -> int:
    return int(css(doc, "p.summary")[0].text_content().split()[0].replace(",", ""))


def record_ids(links) -> list[str]:
    return [urllib.parse.urlsplit(a.get("href")).path.removeprefix("/record/") for a in links]


def test_the_home_page_lists_the_members_with_the_titles_the_facet_counts(site):
    counts = facet_counts(site)
    doc = ok(site, "/")
    members = css(doc, "ul.member-list li.member")
    assert [m.get("data-library") for m in members] == list(BUILT_SOURCES)
    for member in members:
        code = member.get("data-library")
        assert css(member, "a.library-name")[0].text_content() == BUILT_SOURCES[code][0]
        assert css(member, "a.library-name")[0].get("href") == f"/library/{code}"
        titles = css(member, ".titles")[0].text_content()
        assert titles == f"{counts[code]} title{'s' if counts[code] != 1 else ''}"
        arrivals = ok(site, css(member, "a.arrivals")[0].get("href"))
        newest = api(site, filter=f"library:{code}", sort="new", facets="")
        assert summary_total(arrivals) == counts[code] == newest["total"]
        assert record_ids(css(arrivals, "li.hit h3.title a")) == [
            hit["id"] for hit in newest["results"]]


def test_the_home_page_shows_the_newest_titles_of_all_libraries(site):
    doc = ok(site, "/")
    shown = css(doc, "section.new-arrivals ol.title-list li .title a")
    newest = api(site, sort="new", limit=5, facets="")
    assert record_ids(shown) == [hit["id"] for hit in newest["results"]]
    # each opens its record with its place in that list
    second = ok(site, shown[1].get("href"))
    assert record_ids(css(second, "a.previous-record")) == [newest["results"][0]["id"]]
    assert record_ids(css(second, "a.next-record")) == [newest["results"][2]["id"]]


@pytest.mark.parametrize("code", list(BUILT_SOURCES))
def test_a_library_page_counts_searches_and_lists_its_newest_titles(site, code):
    count = facet_counts(site)[code]
    doc = ok(site, f"/library/{code}")
    assert css(doc, "h1")[0].text_content() == BUILT_SOURCES[code][0]
    summary = " ".join(css(doc, ".library-summary")[0].text_content().split())
    assert summary.startswith(f"{count} title{'s' if count != 1 else ''} in the union catalog")
    assert summary_total(ok(site, css(doc, "a.library-all")[0].get("href"))) == count
    newest = api(site, filter=f"library:{code}", sort="new", limit=10, facets="")
    assert record_ids(css(doc, "section.new-arrivals ol.title-list li .title a")) == [
        hit["id"] for hit in newest["results"]]
    # the page's search box searches this library's titles only
    form = css(doc, "form.library-search")[0]
    found = ok(site, submitted(form, q="history"))
    expected = api(site, q="history", filter=f"library:{code}", facets="")
    assert summary_total(found) == expected["total"]
    scope = css(found, "p.library-scope")
    assert scope and scope[0].get("data-library") == code
    assert css(doc, "a.library-catalog") == []            # no catalog_url in this home


def test_a_search_limited_to_one_library_names_it_and_leads_to_all(site):
    doc = ok(site, "/", q="history", filter="library:loc")
    scope = css(doc, "p.library-scope")[0]
    assert BUILT_SOURCES["loc"][0] in scope.text_content()
    assert css(scope, "a.library-page")[0].get("href") == "/library/loc"
    everywhere = ok(site, css(scope, "a.all-libraries")[0].get("href"))
    assert summary_total(everywhere) == api(site, q="history", facets="")["total"]
    both = ok(site, "/", q="history", filter=["library:loc", "library:vn"])
    assert css(both, "p.library-scope") == []
    assert css(ok(site, "/", q="history", filter="library:-loc"), "p.library-scope") == []


@pytest.mark.parametrize("code", ["nowhere", "LOC", "loc:1", "%2e%2e"])
def test_an_unknown_library_is_a_404_page(site, code):
    status, doc = get(site, f"/library/{code}")
    assert status == 404
    assert css(doc, "h1")[0].text_content() == "Page not found"


def test_a_library_with_a_catalogue_links_to_it_and_names_are_text(web_site):
    doc = ok(web_site, "/library/hust")
    assert css(doc, "a.library-catalog")[0].get("href") == "https://opac.example.edu/"
    home = ok(web_site, "/")
    names = {m.get("data-library"): css(m, "a.library-name")[0].text_content()
             for m in css(home, "ul.member-list li.member")}
    assert names["evil"] == "<b>Evil</b> & Co"            # shown as text, not markup
    assert css(home, "ul.member-list b") == []
    assert css(ok(web_site, "/library/evil"), "h1")[0].text_content() == "<b>Evil</b> & Co"


def all_ids(site: str, **args) -> list[str]:
    """Every result's id of an API search, page by page (7 a page: pages that end inside
    one library's group and start inside the other's)."""
    ids, page = [], 1
    while True:
        found = api(site, limit=7, page=page, facets="", **args)
        ids += [hit["id"] for hit in found["results"]]
        if page * 7 >= found["total"]:
            return ids
        page += 1


@pytest.mark.parametrize("code", ["vn", "legacy"])
def test_a_library_page_widens_to_all_libraries_with_its_titles_first(site, code):
    doc = ok(site, f"/library/{code}")
    form = css(doc, "form.library-search")[0]
    assert css(form, "input[type=checkbox][checked]")[0].get("value") == f"library:{code}"
    url = submitted(form, unticked=("filter",), q="")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query == {"prefer": [code]}                    # a shareable URL, no filter
    found = ok(site, url)
    union = api(site, facets="library,language")
    assert summary_total(found) == union["total"]
    # the order: what the library holds (its own search), then the rest (the others' search)
    ours = all_ids(site, filter=f"library:{code}")
    theirs = all_ids(site, filter=f"library:-{code}")
    assert ours and theirs and len(ours) + len(theirs) == union["total"]
    assert all_ids(site, prefer=code) == ours + theirs
    # counts and facets are the union's, and the page marks the library's own titles
    widened = api(site, prefer=code, facets="library,language")
    assert (widened["facets"], widened["prefer"]) == (union["facets"], code)
    hits = css(found, "li.hit")
    marked = [h for h in hits if "ours" in h.get("class").split()]
    assert len(marked) == min(len(ours), len(hits))
    assert all(code in [s.get("data-source") for s in css(h, "span.holding")] for h in marked)
    scope = css(found, "p.library-scope")[0]
    assert (scope.get("data-library"), scope.get("data-mode")) == (code, "first")
    only = ok(site, css(scope, "a.only-library")[0].get("href"))
    assert summary_total(only) == len(ours)
    # and back: the library-only results lead to the widened ones, the same URL
    back = css(css(only, "p.library-scope")[0], "a.ours-first")[0].get("href")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(back).query) == {"prefer": [code]}
    everywhere = css(scope, "a.all-libraries")[0].get("href")   # the home page, for no words
    assert urllib.parse.urlsplit(everywhere).query == ""
    # ?scope=first has the library page's form start unticked
    assert css(ok(site, f"/library/{code}", scope="first"),
               "form.library-search input[type=checkbox][checked]") == []


def test_ours_first_keeps_the_other_filters_and_refuses_an_unknown_library(site):
    narrowed = {"q": "history", "filter": "language:eng"}
    ours = all_ids(site, filter=["language:eng", "library:loc"], q="history")
    theirs = all_ids(site, filter=["language:eng", "library:-loc"], q="history")
    assert all_ids(site, prefer="loc", **narrowed) == ours + theirs
    # a library chosen beside ours: ours first among the two
    both = ["library:loc", "library:vn"]
    assert all_ids(site, prefer="vn", filter=both) == (
        all_ids(site, filter="library:vn") + all_ids(site, filter=["library:loc", "library:-vn"]))
    status, doc = get(site, "/", prefer="nowhere", q="history")
    assert status == 400 and "nowhere" in css(doc, ".error")[0].text_content()
    try:
        api(site, prefer="nowhere")
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
    else:
        raise AssertionError("an unknown library to prefer is a 400")
