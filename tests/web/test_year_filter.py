"""The year facet over HTTP, on a real ``sheaf serve`` over the session index: a range typed
or a decade picked replaces the years chosen before (never ORed with them), the range form
shows the range in force, and excluded years stay excluded."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from ..support import running_server
from .pages_support import css, ok, submitted


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("year-server")) as base:
        yield base


def api_total(site: str, **args) -> int:
    query = urllib.parse.urlencode({**args, "facets": "", "limit": 1}, doseq=True)
    with urllib.request.urlopen(f"{site}/api/search?{query}", timeout=20) as response:
        return json.load(response)["total"]


def summary_total(doc) -> int:
    return int(css(doc, "p.summary")[0].text_content().split()[0].replace(",", ""))


def year_box(doc) -> tuple[str, str]:
    return (css(doc, "input#year_from")[0].get("value"), css(doc, "input#year_to")[0].get("value"))


def filters_of(url: str) -> list[str]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("filter", [])


def test_a_typed_range_replaces_the_decade_chosen_before(site):
    decade = ok(site, "/", filter=["year:1990-1999", "language:-eng"])
    assert year_box(decade) == ("1990", "1999")
    url = submitted(css(decade, "form.year-range")[0], year_from="2000", year_to="2009")
    after = ok(site, url)
    assert summary_total(after) == api_total(site, filter=["language:-eng", "year:2000-2009"])
    assert summary_total(after) != api_total(
        site, filter=["language:-eng", "year:2000-2009", "year:1990-1999"])
    assert year_box(after) == ("2000", "2009")
    chips = [" ".join(c.text_content().split()) for c in css(after, "li.chip")]
    assert [c for c in chips if c.startswith("Year")] == ["Year: 2000-2009 ×"]


def test_the_api_reads_year_from_and_year_to_as_a_replacement_too(site):
    both = api_total(site, filter="year:1990-1999", year_from="2000", year_to="2009")
    assert both == api_total(site, filter="year:2000-2009")
    assert both < api_total(site, filter=["year:1990-1999", "year:2000-2009"])


def test_an_open_range_is_shown_open(site):
    doc = ok(site, "/", year_from="2000")
    assert year_box(doc) == ("2000", "")
    assert summary_total(doc) == api_total(site, filter="year:2000-")


def test_a_decade_replaces_the_range_and_the_chosen_decade_removes_itself(site):
    doc = ok(site, "/", filter=["year:1995-2005", "format:book"])
    links = {a.get("aria-label").partition("(")[2].rstrip(")"): a.get("href")
             for a in css(doc, "svg.histogram a.decade")}
    nineties = links["1990–1999"]
    assert filters_of(nineties) == ["format:book", "year:1990-1999"]
    picked = ok(site, nineties)
    assert summary_total(picked) == api_total(site, filter=["format:book", "year:1990-1999"])
    selected = css(picked, "svg.histogram a.selected")
    assert [a.get("aria-label").partition("(")[2].rstrip(")") for a in selected] == ["1990–1999"]
    assert filters_of(selected[0].get("href")) == ["format:book"]


def test_excluded_years_stay_when_a_range_is_chosen(site):
    doc = ok(site, "/", filter="year:-1990-1999")
    url = submitted(css(doc, "form.year-range")[0], year_from="1980", year_to="2009")
    assert filters_of(url) == ["year:-1990-1999"]
    after = ok(site, url)
    assert summary_total(after) == api_total(site, filter=["year:-1990-1999", "year:1980-2009"])
    assert year_box(after) == ("1980", "2009")
