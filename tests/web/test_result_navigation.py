"""Moving through result lists over HTTP, on a real ``sheaf serve`` over the session index:
a record opened from a list walks the list (previous/next across page boundaries) in the
order the JSON API gives it, goes back to the same page of the same list, and keeps the
query in its search box; a record reached directly has none of this."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from lxml import html

from web.navigation import neighbour_window

from ..support import running_server
from .pages_support import css, get, ok

# lists that cross several page boundaries: (search arguments, hits per page)
LISTS = [
    ({"filter": "library:loc", "sort": "year"}, 7),
    ({"q": "viet", "sort": "title"}, 2),
    ({"filter": ["format:book", "language:-eng"]}, 4),    # relevance, the default
]


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("nav-server")) as base:
        yield base


def api_ids(site: str, args: dict) -> list[str]:
    """The list's cluster ids in order, as the JSON API gives them (one page of them all)."""
    query = urllib.parse.urlencode({**args, "limit": 100, "facets": ""}, doseq=True)
    with urllib.request.urlopen(f"{site}/api/search?{query}", timeout=20) as response:
        found = json.load(response)
    assert found["total"] <= 100
    return [hit["id"] for hit in found["results"]]


def hit_links(doc) -> list[str]:
    return [a.get("href") for a in css(doc, "li.hit h3.title a")]


def cluster_of(href: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(href).path.removeprefix("/record/"))


def link(doc, selector: str) -> str | None:
    found = css(doc, selector)
    return found[0].get("href") if found else None


@pytest.mark.parametrize("args, limit", LISTS)
def test_next_walks_the_whole_list_in_its_order_across_pages(site, args, limit):
    order = api_ids(site, args)
    assert len(order) > 2 * limit            # at least three pages to cross
    href = hit_links(ok(site, "/?" + urllib.parse.urlencode({**args, "limit": limit},
                                                            doseq=True)))[0]
    walked = []
    while href:
        doc = ok(site, href)
        walked.append(cluster_of(href))
        position = " ".join(css(doc, ".record-position")[0].text_content().split())
        assert position == f"Result {len(walked)} of {len(order)}"
        href = link(doc, "nav.record-nav a.next-record")
    assert walked == order


@pytest.mark.parametrize("args, limit", LISTS[:2])
def test_previous_walks_it_back_from_the_last_page(site, args, limit):
    order = api_ids(site, args)
    last_page = -(-len(order) // limit)
    doc = ok(site, "/?" + urllib.parse.urlencode({**args, "limit": limit, "page": last_page},
                                                 doseq=True))
    href = hit_links(doc)[-1]
    walked = []
    while href:
        walked.append(cluster_of(href))
        href = link(ok(site, href), "nav.record-nav a.previous-record")
    assert walked == order[::-1]


@pytest.mark.parametrize("args, limit", LISTS)
def test_back_to_results_is_the_same_page_of_the_same_list(site, args, limit):
    listed = "/?" + urllib.parse.urlencode({**args, "limit": limit, "page": 2}, doseq=True)
    page = ok(site, listed)
    for href in hit_links(page):
        back = link(ok(site, href), "a.back-to-results")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(back).query) == \
            urllib.parse.parse_qs(urllib.parse.urlsplit(listed).query)
        assert hit_links(ok(site, back)) == hit_links(page)


def test_the_search_box_on_the_record_keeps_the_query_filters_and_sort(site):
    args = {"q": "viet", "field": "title", "filter": "library:vn", "sort": "year"}
    doc = ok(site, "/?" + urllib.parse.urlencode(args))
    record = ok(site, hit_links(doc)[0])
    box = css(record, "form.search")[0]
    assert css(box, "input#q")[0].get("value") == "viet"
    assert [o.get("value") for o in css(box, "select#field option[selected]")] == ["title"]
    hidden = {(i.get("name"), i.get("value")) for i in css(box, "input[type=hidden]")}
    assert hidden == {("filter", "library:vn"), ("sort", "year")}


def test_a_record_reached_directly_has_no_list_to_move_through(site):
    doc = ok(site, "/?filter=library:vn")
    direct = urllib.parse.urlsplit(hit_links(doc)[0]).path
    record = ok(site, direct)
    assert css(record, "nav.record-nav") == []
    assert css(record, "form.search input#q")[0].get("value") == ""


def test_a_list_that_changed_keeps_only_its_way_back(site):
    """A record whose position in the list holds another record now (the index changed, or
    the link was edited): no neighbours, which would belong to another place in the list."""
    doc = ok(site, "/?filter=library:vn")
    first, second = hit_links(doc)[:2]
    moved = urllib.parse.urlsplit(first).path + "?" + urllib.parse.urlsplit(second).query
    record = ok(site, moved)
    assert link(record, "a.back-to-results") == "/?filter=library%3Avn"
    assert css(record, "a.next-record") == [] and css(record, "a.previous-record") == []


@pytest.mark.parametrize("query, reason", [
    ("pos=0", "pos must be between 1 and 10000"),
    ("pos=x", "pos must be a whole number"),
    ("pos=10001", "pos must be between 1 and 10000"),
    ("pos=3&limit=0", "limit must be between 1 and 100"),
    ("pos=3&sort=sideways", "unknown sort"),
])
def test_a_malformed_list_in_the_link_is_a_400_saying_why(site, query, reason):
    doc = ok(site, "/?filter=library:vn")
    status, page = get(site, urllib.parse.urlsplit(hit_links(doc)[0]).path + "?" + query)
    assert status == 400
    assert reason in page.text_content()


@pytest.mark.parametrize("position", [1, 2, 3, 7, 100, 2520, 9999, 10000])
def test_one_page_holds_a_position_and_its_neighbours(position):
    page, limit = neighbour_window(position, 100, 10000)
    first = (page - 1) * limit + 1
    wanted = range(max(1, position - 1), min(position + 1, 10000) + 1)
    assert first <= wanted[0] and wanted[-1] < first + limit
    assert limit <= 100 and page * limit <= 10000


def test_a_neighbour_search_past_its_deadline_still_shows_the_record(client, app):
    """The record was found without searching; a list search that times out costs only the
    neighbours, not the page (a 503 would hide a record that is there)."""
    settings = app.extensions["sheaf.home"].settings
    before = settings["search_deadline"]
    settings["search_deadline"] = 1e-9   # the real search, on the real index, is slower
    try:
        page = client.get("/record/vn:00280611", query_string={"q": "viet", "pos": "1"})
    finally:
        settings["search_deadline"] = before
    assert page.status_code == 200
    doc = html.fromstring(page.get_data(as_text=True))
    assert css(doc, "a.back-to-results")[0].get("href") == "/?q=viet"
    assert css(doc, "a.next-record") == [] and css(doc, ".record-position") == []
    assert css(doc, "form.search input#q")[0].get("value") == "viet"


def test_the_neighbours_are_searched_within_the_record_pages_deadline(app):
    """The record page has one deadline for all it searches (the record, its neighbours in
    the list, similar records): the neighbour search, given a deadline the record used up,
    stops and keeps only the way back, whatever ``search_deadline`` itself allows."""
    from discovery.budget import Deadline
    from discovery.results import SearchRequest
    from web.navigation import record_nav

    args = {"q": "viet", "pos": "1"}
    with app.test_request_context("/record/x", query_string=args):
        first = app.extensions["sheaf.search"].search(
            SearchRequest(query="viet", limit=2)).hits[0].id
        walked = record_nav(first, app.extensions["sheaf.search"].deadline())
        used_up = record_nav(first, Deadline(-1))
    assert walked.total > 1 and walked.next is not None
    assert used_up.total == 0 and used_up.next is None and used_up.back_url == walked.back_url
