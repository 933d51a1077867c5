"""Moving through results in a real browser, in English, Chinese and Vietnamese, at desktop
and phone widths: a record opened from a list and walked across a page boundary and back to
its list, numbered pages and the per-page and sort choices applying as they change, and a
member library's page from the home page.

Expected lists and counts come from the JSON API over the same server."""

from __future__ import annotations

import urllib.parse

import pytest

from .conftest import api, fits_a_phone, in_language

pytestmark = pytest.mark.browser

LANGS = ("en", "zh", "vi")
WORDS = {   # the interface's words in each language (web/translations)
    "en": {"back": "Back to results", "next": "Next record", "previous": "Previous record",
           "at": "Result {num} of {total}", "titles": "{num} titles in the union catalog"},
    "zh": {"back": "返回检索结果", "next": "下一条", "previous": "上一条",
           "at": "第 {num} 条，共 {total} 条", "titles": "联合目录中有 {num} 种"},
    "vi": {"back": "Quay lại kết quả", "next": "Biểu ghi sau", "previous": "Biểu ghi trước",
           "at": "Kết quả {num} trên {total}", "titles": "{num} nhan đề trong mục lục liên hợp"},
}


def shown_ids(p) -> list[str]:
    return [urllib.parse.unquote(h).removeprefix("/record/") for h in p.locator(
        "li.hit h3.title a").evaluate_all("els => els.map(a => a.pathname)")]


def here(p) -> str:
    return urllib.parse.unquote(p.evaluate("location.pathname")).removeprefix("/record/")


@pytest.mark.parametrize("lang", LANGS)
def test_a_record_walks_its_list_across_a_page_and_goes_back(page, server, lang):
    p = in_language(page, server, lang)
    words = WORDS[lang]
    order = [h["id"] for h in api(server, "/api/search", filter="library:loc", sort="year",
                                  limit=100, facets="")["results"]]
    p.goto(server + "/?filter=library:loc&sort=year&limit=7")
    p.locator("li.hit h3.title a").nth(6).click()              # the last hit of page 1
    p.wait_for_selector("nav.record-nav")
    assert here(p) == order[6]
    assert p.locator(".record-position").inner_text() == words["at"].format(
        num=7, total=len(order))
    assert p.locator("form.search input#q").input_value() == ""
    assert p.locator("form.search input[name=filter]").get_attribute("value") == "library:loc"
    fits_a_phone(p)
    page.shot(f"record-nav-{lang}")
    p.locator("a.next-record", has_text=words["next"]).click()  # onto page 2 of the list
    p.wait_for_url("**pos=8**")
    assert here(p) == order[7]
    p.locator("a.previous-record", has_text=words["previous"]).click()
    p.wait_for_url("**pos=7**")
    assert here(p) == order[6]
    p.locator("a.next-record").click()
    p.wait_for_url("**pos=8**")
    p.locator("a.back-to-results", has_text=words["back"]).click()
    p.wait_for_selector("li.hit")
    assert "page=2" in p.url
    assert shown_ids(p) == order[7:14]
    # a record reached directly has no list to move through
    p.goto(f"{server}/record/{order[0]}")
    assert p.locator("nav.record-nav").count() == 0


@pytest.mark.parametrize("lang", LANGS)
def test_the_search_box_of_a_record_keeps_a_query(page, server, lang):
    p = in_language(page, server, lang)
    p.goto(server + "/?q=history&field=subject")
    p.locator("li.hit h3.title a").first.click()
    p.wait_for_selector("nav.record-nav")
    assert p.locator("form.search input#q").input_value() == "history"
    assert p.locator("form.search select#field").input_value() == "subject"
    p.press("form.search input#q", "Enter")                    # searching again: the same list
    p.wait_for_selector("p.summary")
    expected = api(server, "/api/search", q="history", field="subject", facets="")
    assert shown_ids(p) == [h["id"] for h in expected["results"]]


@pytest.mark.parametrize("lang", LANGS)
def test_numbered_pages_and_the_choices_that_apply_as_they_change(page, server, lang):
    p = in_language(page, server, lang)
    total = api(server, "/api/search", limit=1, facets="")["total"]
    p.goto(server + "/?limit=10")
    assert p.locator("form.sort button").is_hidden()           # the script applies the choice
    assert p.locator("form.per-page button").is_hidden()
    pages = -(-total // 10)
    numbers = [t.strip() for t in p.locator("ol.page-numbers li").all_inner_texts()]
    assert numbers[0] == "1" and numbers[-1] == str(pages)
    p.locator("ol.page-numbers a", has_text=str(pages)).click()
    p.wait_for_url(f"**page={pages}**")
    assert p.locator("li.hit").count() == total - (pages - 1) * 10
    assert p.locator("ol.page-numbers [aria-current=page]").inner_text() == str(pages)
    fits_a_phone(p)
    page.shot(f"paging-last-{lang}")
    p.select_option("#limit", "50")                            # back to page 1, 50 a page
    p.wait_for_url("**limit=50**")
    assert "page=" not in p.url
    assert p.locator("li.hit").count() == min(50, total)
    p.select_option("#sort", "title")
    p.wait_for_url("**sort=title**")
    expected = api(server, "/api/search", sort="title", limit=50, facets="")
    assert shown_ids(p) == [h["id"] for h in expected["results"]]
    assert p.locator("#limit").input_value() == "50"
    page.shot(f"paging-sorted-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_library_from_the_home_page(page, server, lang):
    p = in_language(page, server, lang)
    words = WORDS[lang]
    counts = {v["value"]: v["count"] for v in api(
        server, "/api/search", facets="library", facet_limit=1000, limit=1)["facets"]["library"]}
    p.goto(server + "/")
    assert p.locator("ul.member-list li.member").count() == len(counts)
    fits_a_phone(p)
    page.shot(f"home-libraries-{lang}")
    p.locator("li.member[data-library=vn] a.library-name").click()
    p.wait_for_url("**/library/vn")
    assert p.locator("h1").inner_text() == "Thư viện Quốc gia Việt Nam"
    assert p.locator(".library-summary").inner_text().startswith(
        words["titles"].format(num=counts["vn"]))
    newest = api(server, "/api/search", filter="library:vn", sort="new", limit=10, facets="")
    arrivals = p.locator("ol.title-list li .title a").evaluate_all(
        "els => els.map(a => decodeURIComponent(a.pathname))")
    assert arrivals == [f"/record/{h['id']}" for h in newest["results"]]
    fits_a_phone(p)
    page.shot(f"library-page-{lang}")
    p.fill("form.library-search input#q", "Việt Nam")
    p.press("form.library-search input#q", "Enter")
    p.wait_for_selector("p.summary")
    expected = api(server, "/api/search", q="Việt Nam", filter="library:vn", facets="")
    assert shown_ids(p)[:len(expected["results"])] == [h["id"] for h in expected["results"]]
    assert p.locator("p.library-scope").get_attribute("data-library") == "vn"
    p.locator("p.library-scope a.all-libraries").click()
    p.wait_for_load_state()
    assert "library" not in urllib.parse.unquote(p.url)
