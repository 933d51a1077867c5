"""The search page: field selector, advanced search, facets and chips, histogram, sort,
highlighting and did-you-mean, each checked against the JSON API for the same search."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from web.common import compose_rows, fielded
from web.display import highlight, histogram_bars

from .conftest import tree


def api(client, **args):
    response = client.get("/api/search", query_string=MultiDict(args))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _hit_links(page) -> list[dict]:
    links, inside = [], False
    for el in page.elements:
        if el["tag"] == "li":
            inside = "hit" in el["attrs"].get("class", "").split()
        if inside and el["tag"] == "a" and el["attrs"].get("href", "").startswith("/record/"):
            links.append(el)
    return links


def _hit_ids(page) -> list[str]:
    """The ids the result list links to (each link also carries its place in the list)."""
    return [a["attrs"]["href"].removeprefix("/record/").partition("?")[0]
            for a in _hit_links(page)]


def test_field_selector_searches_one_field(client):
    everywhere = api(client, q="South Africa")
    in_title = api(client, q="South Africa", field="title")
    in_subject = api(client, q="South Africa", field="subject")
    assert in_title["query"] == "title:(South Africa)"
    assert 0 < in_title["total"] < everywhere["total"]
    for hit in in_subject["results"]:
        subjects = client.get(f"/api/record/{hit['id']}").get_json()["members"][0]["record"]["subjects"]
        assert any("South Africa" in s for s in subjects)
    assert in_subject["total"] < everywhere["total"]
    page = tree(client.get("/?q=South Africa&field=subject"))
    assert page.find("option", value="subject", selected=True)
    assert _hit_ids(page) == [r["id"] for r in in_subject["results"]]


def test_isbn_field(client):
    # LC 00409616 (chinese_880_simplified.mrc) has 020 $a 7209024727; hyphens don't matter
    data = api(client, q="7-209-02472-7", field="isbn")
    assert [r["id"] for r in data["results"]] == ["loc:00409616"]


@pytest.mark.parametrize("rows, expected", [
    ([("AND", "all", "china")], "(china)"),
    ([("AND", "title", "Hà Nội"), ("OR", "subject", "Taiwan")],
     "(title:(Hà Nội)) OR (subject:(Taiwan))"),
    ([("AND", "all", "x"), ("NOT", "author", "Chen (Wanzhen)")],
     "(x) NOT (author:(Chen Wanzhen))"),
    ([("AND", "all", ""), ("AND", "title", "y")], "(title:(y))"),
    ([("NOT", "title", "z")], "NOT (title:(z))"),
])
def test_advanced_rows_compose_a_query(rows, expected):
    assert compose_rows(rows) == expected


def test_fielded_strips_grouping_that_would_escape_the_field():
    assert fielded("title", "a) OR (b") == "title:(a OR b)"
    assert fielded("all", " ") == ""


def test_advanced_search_with_rows_and_limits(client):
    args = MultiDict([("row_op", "AND"), ("row_field", "all"), ("row_text", "history"),
                      ("row_op", "NOT"), ("row_field", "subject"), ("row_text", "Japan"),
                      ("year_from", "1990"), ("year_to", "1999"),
                      ("filter", "library:loc")])
    data = client.get("/api/search", query_string=args).get_json()
    everything = api(client, q="history", filter="library:loc", limit="100")
    subject = api(client, q="Japan", field="subject", limit="100")
    assert data["query"] == "(history) NOT (subject:(Japan))"
    assert {"facet": "year", "value": "1990-1999", "exclude": False} in data["filters"]
    expected = {r["id"] for r in everything["results"] if r["year"] and 1990 <= r["year"] <= 1999}
    expected -= {r["id"] for r in subject["results"]}
    assert {r["id"] for r in data["results"]} == expected
    assert expected  # the search is not empty by accident
    page = tree(client.get("/", query_string=args))
    assert page.find("input", name="q")[0]["attrs"]["value"] == data["query"]


def test_advanced_form_lists_libraries_languages_and_formats(client, built_home):
    page = tree(client.get("/advanced"))
    assert sorted(el["attrs"]["value"] for el in page.find("input", type="checkbox")) == \
        sorted(f"library:{code}" for code in built_home.sources)
    languages = [el["attrs"]["value"] for el in page.find("option")
                 if el["attrs"].get("value", "").startswith("language:")]
    assert "language:vie" in languages and "language:chi" in languages
    assert len(page.find("input", name="row_text")) == 4
    assert all(page.find("label", for_=el["attrs"]["id"]) for el in page.find("input", name="row_text"))


def test_facets_show_counts_and_link_to_filtered_searches(client):
    data = api(client, q="")
    page = tree(client.get("/?q=&page=1"))
    shown = {}
    for section in page.find("section", class_="facet"):
        shown[section["attrs"].get("data-facet")] = section["text"]
    for value in data["facets"]["library"]:
        assert value["label"] in shown["library"] and str(value["count"]) in shown["library"]
    links = [a["attrs"]["href"] for a in page.find("a", class_="facet-value")]
    assert "/?filter=library:vn" in [u.replace("%3A", ":") for u in links]


def test_multi_select_within_a_facet_is_or_and_chips_remove_each(client):
    one = api(client, filter="language:vie")
    both = api(client, filter=["language:vie", "language:chi"])
    chi = api(client, filter="language:chi")
    assert both["total"] == one["total"] + chi["total"] - len(
        {r["id"] for r in one["results"]} & {r["id"] for r in chi["results"]})
    page = tree(client.get("/?filter=language:vie&filter=language:chi"))
    chips = page.find("li", class_="chip")
    assert len(chips) == 3  # two filters and "clear all"
    removes = [a["attrs"]["href"] for a in page.find("a") if a["attrs"].get("aria-label", "").startswith("Remove filter")]
    assert [parse_qs(urlsplit(u).query).get("filter") for u in removes] == [
        ["language:chi"], ["language:vie"]]
    labels = page.texts("li", class_="selected")
    assert any(label.startswith("☑ Vietnamese") for label in labels)
    assert any(label.startswith("☑ Chinese") for label in labels)


def test_excluding_a_value(client):
    everything = api(client)
    without = api(client, filter="library:-loc")
    loc = next(v["count"] for v in everything["facets"]["library"] if v["value"] == "loc")
    assert without["total"] == everything["total"] - loc
    assert {"value": "loc", "count": loc, "label": "Library of Congress", "excluded": True} in \
        without["facets"]["library"]
    page = tree(client.get("/?filter=library:-loc"))
    [value] = [el for el in page.find("li", class_="excluded") if "chip" not in el["attrs"]["class"]]
    assert " ".join(value["text"].split()).startswith("☐ not Library of Congress")


def test_year_histogram_shows_every_decade_and_its_count(client):
    """Every decade from the first to the last, the empty ones too, each with its count
    written out (not only in a tooltip); the decades with results link to their years."""
    data = api(client)
    counts = {b["start"]: b["count"] for b in data["year_histogram"]}
    decades = range(min(counts), max(counts) + 1, 10)
    assert len(decades) > len(counts)          # the session index has empty decades
    page = tree(client.get("/?q=&page=1"))
    rows = [el for el in page.find() if el["tag"] in ("a", "g")
            and "decade" in el["attrs"].get("class", "").split()]
    assert [r["attrs"]["aria-label"] for r in rows] == [
        f"{d}: {counts.get(d, 0)} ({d}–{d + 9})" for d in decades]
    assert [" ".join(r["text"].split()) for r in rows] == [
        f"{d} {counts.get(d, 0)}" for d in decades]
    assert [r["tag"] for r in rows] == ["a" if counts.get(d) else "g" for d in decades]
    widths = [float(b["attrs"]["width"]) for b in page.find("rect")]
    tallest = max(data["year_histogram"], key=lambda b: b["count"])
    assert widths.index(max(widths)) == data["year_histogram"].index(tallest)


def test_histogram_geometry():
    bars = histogram_bars([(1990, 1999, 10), (2010, 2019, 5)], width=100, row=10, label=20,
                          room=20)
    assert [(b["start"], b["count"], b["x"], b["width"], b["y"], b["height"], b["text_y"],
             b["count_x"]) for b in bars] == [
        (1990, 10, 20, 60, 2, 6, 5, 84), (2000, 0, 20, 0, 12, 6, 15, 24),
        (2010, 5, 20, 30, 22, 6, 25, 54)]


@pytest.mark.parametrize("sort", ["year", "year_asc", "title", "author"])
def test_sort_options_order_results_like_the_api(client, sort):
    data = api(client, sort=sort, limit="10")
    page = tree(client.get(f"/?q=&sort={sort}&limit=10"))
    assert _hit_ids(page) == [r["id"] for r in data["results"]]
    assert page.find("option", value=sort, selected=True)
    years = [r["year"] for r in data["results"] if r["year"]]
    if sort == "year":
        assert years == sorted(years, reverse=True)
    if sort == "year_asc":
        assert years == sorted(years)


def test_pager_keeps_filters_and_sort(client):
    page = tree(client.get("/?filter=library:loc&sort=title&limit=5"))
    next_link = page.find("a", rel="next")[0]["attrs"]["href"]
    args = parse_qs(urlsplit(next_link).query)
    assert args == {"filter": ["library:loc"], "sort": ["title"], "limit": ["5"], "page": ["2"]}


def test_matches_are_marked_in_titles(client):
    data = api(client, q="ngoại hối")
    [hit] = data["results"]
    start, end = hit["highlights"]["title"][0]
    page = tree(client.get("/?q=ngoại hối"))
    assert page.texts("mark")[0] == hit["title"][start:end]


def test_a_vietnamese_query_without_diacritics_finds_and_marks(client):
    page = tree(client.get("/?q=ngoai hoi"))
    titles = page.texts("h3", class_="title")
    assert titles == ["Đổi mới và hoàn thiện chính sách quản lý ngoại hối ở Việt Nam"]
    assert page.texts("mark") == ["ngoại", "hối"]


def test_highlight_escapes_text_and_adds_only_its_own_marks():
    assert str(highlight("<b>Hà</b> & Nội", [(3, 5), (12, 15)])) == \
        "&lt;b&gt;<mark>Hà</mark>&lt;/b&gt; &amp; <mark>Nội</mark>"
    # spans out of range or overlapping never cut the text or repeat it
    assert str(highlight("abc", [(1, 9), (0, 2), (5, 7)])) == "<mark>ab</mark><mark>c</mark>"
    assert str(highlight(None, [(0, 1)])) == ""


def test_did_you_mean_links_to_the_better_query(client):
    data = api(client, q="Caoshn")
    assert data["total"] == 0 and data["suggestion"]
    page = tree(client.get("/?q=Caoshn"))
    [box] = page.find("p", class_="suggestion")
    link = [a for a in page.find("a") if a["text"] == data["suggestion"]][0]
    assert parse_qs(urlsplit(link["attrs"]["href"]).query)["q"] == [data["suggestion"]]
    assert data["suggestion"] in box["text"]
    followed = api(client, q=data["suggestion"])
    assert followed["total"] > 0


def test_each_result_shows_format_year_and_library_count(web_client):
    page = tree(web_client.get("/?q=苏州化工志"))
    [hit] = page.find("li", class_="hit")
    assert "Held by 2 libraries:" in hit["text"]
    assert sorted(el["attrs"]["data-source"] for el in page.find("span", class_="holding")) == \
        ["hust", "loc"]
    assert page.texts("span", class_="format") == ["Book"]


def test_front_page_lists_member_libraries(client, built_home):
    page = tree(client.get("/"))
    names = page.texts("ul", class_="libraries")[0]
    for source in built_home.sources.values():
        assert source.name in names
