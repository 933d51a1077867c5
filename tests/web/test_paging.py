"""Numbered pages and the per-page choice over HTTP, on a real ``sheaf serve`` over the
session index: the numbers and the hits on each page agree with the JSON API's totals and
order; the sort and per-page forms keep the search when submitted (without JavaScript)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from ..support import running_server
from .pages_support import css, get, ok, submitted


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("paging-server")) as base:
        yield base


def api(site: str, **args) -> dict:
    query = urllib.parse.urlencode({**args, "facets": ""}, doseq=True)
    with urllib.request.urlopen(f"{site}/api/search?{query}", timeout=20) as response:
        return json.load(response)


def numbers(doc) -> list[str]:
    """The numbered pager as shown: numbers, '…' for pages left out."""
    return [" ".join(li.text_content().split()) for li in css(doc, "ol.page-numbers li")]


def current(doc) -> str:
    return css(doc, "ol.page-numbers [aria-current=page]")[0].text_content()


def hit_ids(doc) -> list[str]:
    return [urllib.parse.urlsplit(a.get("href")).path.removeprefix("/record/")
            for a in css(doc, "li.hit h3.title a")]


@pytest.mark.parametrize("limit", [10, 20, 50])
def test_every_page_at_every_size_holds_the_apis_hits_in_order(site, limit):
    everything = api(site, limit=100, filter="language:-vie")
    total = everything["total"]
    pages = -(-total // limit)
    assert pages >= 2
    seen = []
    for page in range(1, pages + 1):
        doc = ok(site, "/", filter="language:-vie", limit=limit, page=page)
        assert current(doc) == str(page)
        assert numbers(doc)[-1] == str(pages)                  # the last page is numbered
        shown = hit_ids(doc)
        assert len(shown) == min(limit, total - (page - 1) * limit)
        seen += shown
    assert seen == [hit["id"] for hit in everything["results"]]


def test_the_numbers_are_the_first_a_window_and_the_last_and_each_leads_to_its_page(site):
    total = api(site, limit=1)["total"]
    pages = -(-total // 5)
    assert pages >= 10
    doc = ok(site, "/", limit=5, page=6)
    assert numbers(doc) == ["1", "…", "4", "5", "6", "7", "8", "…", str(pages)]
    for a in css(doc, "ol.page-numbers a"):
        target = ok(site, a.get("href"))
        assert current(target) == a.text_content()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(a.get("href")).query)
        assert query["limit"] == ["5"]
    first = ok(site, "/", limit=5)
    assert numbers(first) == ["1", "2", "3", "…", str(pages)]
    assert css(first, "nav.pager a[rel=prev]") == []
    last = ok(site, "/", limit=5, page=pages)
    assert numbers(last) == ["1", "…", str(pages - 2), str(pages - 1), str(pages)]
    assert css(last, "nav.pager a[rel=next]") == []


def test_the_per_page_choice_keeps_the_search_and_starts_at_page_one(site):
    doc = ok(site, "/", q="history", sort="year", filter="format:book", page=2, limit=10)
    form = css(doc, "form.per-page")[0]
    assert [o.get("value") for o in css(form, "option")] == ["10", "20", "50"]
    assert [o.get("value") for o in css(form, "option[selected]")] == ["10"]
    url = submitted(form, limit="20")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query) == {
        "q": ["history"], "filter": ["format:book"], "sort": ["year"], "limit": ["20"]}
    again = ok(site, url)
    expected = api(site, q="history", sort="year", filter="format:book", limit=20)
    assert hit_ids(again) == [hit["id"] for hit in expected["results"]]


def test_the_sort_form_keeps_the_search_and_page_size(site):
    doc = ok(site, "/", q="history", filter="format:book", limit=10, page=2)
    url = submitted(css(doc, "form.sort")[0], sort="title")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query) == {
        "q": ["history"], "filter": ["format:book"], "sort": ["title"], "limit": ["10"]}
    expected = api(site, q="history", filter="format:book", limit=10, sort="title")
    assert hit_ids(ok(site, url)) == [hit["id"] for hit in expected["results"]]


def test_a_size_typed_into_the_url_is_offered_and_selected(site):
    doc = ok(site, "/", limit=37)
    options = [o.get("value") for o in css(doc, "form.per-page option")]
    assert options == ["10", "20", "37", "50"]
    assert [o.get("value") for o in css(doc, "form.per-page option[selected]")] == ["37"]
    assert len(hit_ids(doc)) == 37


@pytest.mark.parametrize("limit, reason", [("0", "limit must be between 1 and 100"),
                                           ("101", "limit must be between 1 and 100"),
                                           ("ten", "limit must be a whole number")])
def test_a_bad_page_size_is_a_400_saying_why(site, limit, reason):
    status, doc = get(site, "/", limit=limit)
    assert status == 400
    assert reason in doc.text_content()

