"""Over HTTP on a real ``sheaf serve``: the zero-result page says what to try instead (and
shows no sort, facets or feed), and the advanced form gets back the rows and limits of the
search a results page shows, because every link of that page carries the rows."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from ..support import running_server
from .pages_support import api, css, get, ok


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("review-server")) as base:
        yield base


def args_of(href: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)


def follow(site: str, href: str) -> dict:
    """The API's answer to the search a page's link asks for."""
    return api(site, **args_of(href))


NOTHING = {"q": "ngoai hoi", "filter": ["language:jpn", "library:vn"]}


@pytest.mark.parametrize("lang", ["en", "zh", "vi"])
def test_a_search_that_finds_nothing_shows_no_sort_facets_or_feed(site, lang):
    assert api(site, **NOTHING)["total"] == 0
    doc = ok(site, "/", lang=lang, **NOTHING)
    assert css(doc, "section.no-results")
    for gone in ("form.sort", "aside.facets", "#refine-heading", "a.to-facets", "p.feed",
                 "link[rel=alternate]", "select#per-page"):
        assert css(doc, gone) == [], gone
    heading = css(doc, "#no-results-heading")[0].text_content()
    assert heading and heading.isascii() == (lang == "en")


def test_each_suggested_link_removes_one_filter(site):
    doc = ok(site, "/", **NOTHING)
    links = css(doc, "section.no-results a.remove-filter")
    left = sorted(tuple(args_of(a.get("href")).get("filter", [])) for a in links)
    assert left == [("language:jpn",), ("library:vn",)]
    for a in links:
        assert args_of(a.get("href"))["q"] == ["ngoai hoi"]
    # without the language filter the search finds the Vietnamese record again
    found = {a.get("href"): follow(site, a.get("href"))["total"] for a in links}
    without_language = next(h for h in found if "language:jpn" not in args_of(h)["filter"])
    assert found[without_language] == api(site, q="ngoai hoi", filter="library:vn")["total"]
    assert found[without_language] >= 1
    # each filter is named as the facets name it, though no result carries its value
    facets = api(site)["facets"]
    label = {(name, v["value"]): v["label"] for name in ("language", "library")
             for v in facets[name]}
    assert label[("library", "vn")] != "vn"
    for a in links:
        [removed] = set(NOTHING["filter"]) - set(args_of(a.get("href"))["filter"])
        assert label[tuple(removed.split(":"))] in a.text_content()
    chips = " ".join(a.text_content() for a in css(doc, "ul.chips li.chip a"))
    assert label[("language", "jpn")] in chips and label[("library", "vn")] in chips
    [everything] = css(doc, "section.no-results a.remove-filters")
    assert "filter" not in args_of(everything.get("href"))
    assert follow(site, everything.get("href"))["total"] == api(site, q="ngoai hoi")["total"]


def test_a_fielded_search_that_finds_nothing_offers_every_field(site):
    assert api(site, q="Caoshan", field="subject")["total"] == 0
    doc = ok(site, "/", q="Caoshan", field="subject")
    [link] = css(doc, "section.no-results a.all-fields")
    assert "field" not in args_of(link.get("href"))
    assert follow(site, link.get("href"))["total"] == api(site, q="Caoshan")["total"] > 0


def test_a_misspelt_search_that_finds_nothing_keeps_its_did_you_mean(site):
    data = api(site, q="Caoshn")
    assert data["total"] == 0 and data["suggestion"]
    doc = ok(site, "/", q="Caoshn")
    [link] = css(doc, "p.suggestion a")
    assert args_of(link.get("href"))["q"] == [data["suggestion"]]
    assert css(doc, "section.no-results") and css(doc, "form.sort") == []


def test_a_search_with_results_keeps_its_sort_facets_and_feed(site):
    doc = ok(site, "/", q="ngoai hoi")
    for kept in ("form.sort", "aside.facets", "p.feed", "link[rel=alternate]"):
        assert css(doc, kept), kept
    assert css(doc, "section.no-results") == []


ROWS = [("row_op", "AND"), ("row_field", "all"), ("row_text", "history"),
        ("row_op", "NOT"), ("row_field", "subject"), ("row_text", "Japan"),
        ("row_op", "OR"), ("row_field", "author"), ("row_text", "Chen"),
        ("year_from", "1990"), ("year_to", "1999"), ("filter", "library:loc"),
        ("filter", "language:chi"), ("filter", "subject:-Taiwan"), ("sort", "title")]


def rows_shown(doc) -> list[tuple[str, str, str]]:
    out = []
    for row in css(doc, "form.advanced fieldset.rows div.row"):
        op = row.xpath(".//select[@name='row_op']/option[@selected]/@value") or ["AND"]
        field = row.xpath(".//select[@name='row_field']/option[@selected]/@value")
        text = row.xpath(".//input[@name='row_text']/@value")
        out.append((op[0], field[0], text[0] if text else ""))
    return out


def test_advanced_search_from_a_results_page_restores_rows_and_limits(site):
    status, results = get(site, "/?" + urllib.parse.urlencode(ROWS))
    assert status == 200
    [link] = [a for a in css(results, "form.search p.search-links a")]
    doc = ok(site, urllib.parse.urlsplit(link.get("href")).path, **args_of(link.get("href")))
    assert rows_shown(doc)[:3] == [("AND", "all", "history"), ("NOT", "subject", "Japan"),
                                   ("OR", "author", "Chen")]
    assert [r[2] for r in rows_shown(doc)[3:]] == [""]          # four rows without JS
    assert css(doc, "#year_from")[0].get("value") == "1990"
    assert css(doc, "#year_to")[0].get("value") == "1999"
    assert doc.xpath("//input[@value='library:loc']/@checked") != []
    assert doc.xpath("//option[@value='language:chi']/@selected") != []
    assert doc.xpath("//select[@id='adv-sort']/option[@selected]/@value") == ["title"]
    # a filter the form has no control for rides along as a hidden input
    assert doc.xpath("//form[@class='advanced']/input[@type='hidden'][@name='filter']/@value") \
        == ["subject:-Taiwan"]


def test_links_of_a_results_page_carry_the_rows_and_search_the_same(site):
    asked = api(site, **{k: [v for n, v in ROWS if n == k] for k, _ in ROWS})
    doc = ok(site, "/", **{k: [v for n, v in ROWS if n == k] for k, _ in ROWS})
    assert asked["total"] > 0
    assert css(doc, "#q")[0].get("value") == asked["query"]   # the box shows the query
    sort_form = css(doc, "form.sort")[0]
    hidden = [(i.get("name"), i.get("value")) for i in css(sort_form, "input[type=hidden]")]
    assert [v for n, v in hidden if n == "row_text"] == ["history", "Japan", "Chen"]
    assert [v for n, v in hidden if n == "q"] == []             # not the composed query twice
    hit = css(doc, "li.hit h3.title a")[0]
    assert args_of(hit.get("href"))["row_text"] == ["history", "Japan", "Chen"]
    record = ok(site, hit.get("href").partition("?")[0], **args_of(hit.get("href")))
    [back] = css(record, "a.back-to-results")      # the record's way back to its results
    assert follow(site, back.get("href"))["query"] == asked["query"]
    chip = css(doc, "ul.chips li.chip a")[0]
    again = follow(site, chip.get("href"))
    assert again["query"] == asked["query"]
    assert len(again["filters"]) == len(asked["filters"]) - 1


def test_a_did_you_mean_leaves_the_rows(site):
    doc = ok(site, "/", row_text="Caoshn", row_field="all", row_op="AND")
    [link] = css(doc, "p.suggestion a")
    assert set(args_of(link.get("href"))) == {"q"}


def test_the_advanced_form_of_a_plain_search_puts_its_words_in_row_one(site):
    doc = ok(site, "/advanced", q="Caoshan", field="title")
    assert rows_shown(doc)[0] == ("AND", "title", "Caoshan")
    assert len(rows_shown(doc)) == 4
