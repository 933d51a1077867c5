"""A reader and a partner site in a real browser: searching in Chinese and Vietnamese,
facets and sorting, a record and its exports, the interface language, keyboard use,
and the widget on a partner page from another origin."""

from __future__ import annotations

import pytest
from lxml import etree

from .conftest import api

pytestmark = pytest.mark.browser


def search(page, server: str, text: str) -> None:
    page.goto(server + "/")
    page.fill("#q", text)
    page.press("#q", "Enter")
    page.wait_for_selector("p.summary")


def hit_titles(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator("li.hit h3").all_inner_texts()]


def test_a_traditional_chinese_query_finds_simplified_records(page, server):
    p = page.page
    search(p, server, "蘇州化工志")            # traditional; the record has 苏州化工志
    titles = hit_titles(p)
    assert len(titles) == 1 and "苏州化工志" in titles[0]
    assert p.locator("li.hit .vernacular mark").all_inner_texts() == ["苏州化工志"]
    page.shot("chinese-traditional-query")


def test_a_vietnamese_query_without_diacritics(page, server):
    p = page.page
    search(p, server, "ngoai hoi")
    assert hit_titles(p) == ["Đổi mới và hoàn thiện chính sách quản lý ngoại hối ở Việt Nam"]
    assert p.locator("li.hit mark").all_inner_texts() == ["ngoại", "hối"]
    page.shot("vietnamese-without-diacritics")


def test_clicking_facets_and_sorting(page, server):
    p = page.page
    p.goto(server + "/?q=&page=1")
    everything = api(server, "/api/search")
    japanese = next(v for v in everything["facets"]["language"] if v["value"] == "jpn")
    p.locator("section[data-facet=language] a.facet-value", has_text=japanese["label"]).first.click()
    p.wait_for_url("**filter=language*jpn*")
    assert p.locator("p.summary").inner_text().startswith(f"{japanese['count']} result")
    assert p.locator("li.chip").count() == 2           # the filter and "clear all"
    p.select_option("#sort", "title")             # the choice applies at once (nav.js)
    p.wait_for_url("**sort=title**")
    expected = api(server, "/api/search", filter="language:jpn", sort="title")
    assert len(hit_titles(p)) == len(expected["results"])
    links = p.locator("li.hit h3 a").evaluate_all("els => els.map(a => a.pathname)")
    assert links == [f"/record/{r['id']}" for r in expected["results"]]
    page.shot("facet-and-sort")
    # a second value of the same facet widens the search (OR), its chip removes it again
    korean = next(v for v in everything["facets"]["language"] if v["value"] == "kor")
    p.locator("section[data-facet=language] a.facet-value", has_text=korean["label"]).first.click()
    p.wait_for_url("**language*kor**")
    assert p.locator("p.summary").inner_text().startswith(
        f"{japanese['count'] + korean['count']} result")
    p.locator("li.chip a", has_text=korean["label"]).click()
    p.wait_for_load_state()
    assert "kor" not in p.url and "jpn" in p.url
    # a decade of the histogram is a link too
    p.locator("svg.histogram a").first.click()
    p.wait_for_url("**year*")
    assert p.locator("li.chip").count() == 3


def test_opening_a_record_and_exporting_it(page, server):
    p = page.page
    search(p, server, "Caoshan")
    p.locator("li.hit h3 a").first.click()
    p.wait_for_url("**/record/**")
    assert "Caoshan xiao she yu Min jin dang de tou ren men" in p.locator("h1").inner_text()
    assert p.locator("tr.holding-row").count() == 1
    assert p.locator("#cite-apa").inner_text().startswith("Chen, W. (1997).")
    with p.expect_download() as info:
        p.locator("a[data-format=ris]").click()
    ris = open(info.value.path(), encoding="utf-8").read()
    # in the record's script: the 100's linked 880 (陳婉真, 1950-), the romanized title as J2
    assert ris.startswith("TY  - BOOK") and "AU  - 陳婉真\n" in ris
    assert "J2  - Caoshan xiao she yu Min jin dang de tou ren men\n" in ris
    assert info.value.suggested_filename == "loc-00409591.ris"
    with p.expect_download() as info:
        p.locator("a[data-format=marcxml]").click()
    root = etree.parse(info.value.path()).getroot()
    assert root.tag == "{http://www.loc.gov/MARC21/slim}record"
    page.shot("record")
    p.locator("a", has_text="Staff view").click()
    p.wait_for_url("**/staff/**")
    assert "=245" in p.locator("pre.marc-lines").inner_text()


def test_switching_the_interface_language_is_remembered(page, server):
    p = page.page
    p.goto(server + "/")
    assert p.locator("html").get_attribute("lang") == "en"
    p.locator("nav.languages a", has_text="简体中文").click()
    p.wait_for_load_state()
    assert p.locator("html").get_attribute("lang") == "zh-Hans"
    assert p.locator("form.search button").inner_text() == "检索"
    search(p, server, "ngoai hoi")                    # another page: still Chinese
    assert p.locator("p.summary").inner_text() == "ngoai hoi：1 条结果"
    page.shot("interface-chinese")
    p.locator("nav.languages a", has_text="Tiếng Việt").click()
    p.wait_for_load_state()
    assert p.locator("p.summary").inner_text() == "1 kết quả cho ngoai hoi"
    assert "q=ngoai" in p.url                          # back on the same search
    p.locator("nav.languages a", has_text="繁體中文").click()   # zh-TW/zh-HK readers
    p.wait_for_load_state()
    assert p.locator("html").get_attribute("lang") == "zh-Hant"
    assert p.locator("form.search button").inner_text() == "檢索"
    assert p.locator("p.summary").inner_text() == "ngoai hoi：1 筆結果"
    page.shot("interface-traditional-chinese")


def test_keyboard_autocomplete_and_visible_focus(page, server):
    p = page.page
    p.goto(server + "/advanced")
    p.keyboard.press("Tab")
    skip = p.locator("a.skip")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    assert skip.bounding_box()["y"] >= 0                 # shown when focused
    p.keyboard.press("Enter")
    assert p.evaluate("document.activeElement.id") == "main"
    p.goto(server + "/")
    # the front page starts in the box (autofocus lands once the page has loaded)
    p.wait_for_function("document.activeElement && document.activeElement.id === 'q'",
                        timeout=5000)
    p.keyboard.type("Caosh", delay=30)
    # suggestions for a shorter prefix may show first if typing pauses (a loaded machine):
    # wait for the ones answering the whole word
    options = p.locator("#q-suggestions[data-for='Caosh'] [role=option]")
    options.first.wait_for()
    assert p.locator("#q").get_attribute("aria-expanded") == "true"
    first = options.first.get_attribute("data-text")
    p.keyboard.press("ArrowDown")
    assert p.locator("#q").get_attribute("aria-activedescendant") == "q-suggestions-0"
    p.keyboard.press("Enter")
    p.wait_for_url("**q=**")
    assert p.locator("#q").input_value() == first
    assert p.locator("li.hit").count() >= 1


def test_the_widget_on_a_partner_page(page, server, partner):
    p = page.page
    p.goto(partner)
    host = p.locator("#scoped")
    box = host.locator("input[type=search]")
    box.wait_for()
    # in the page's language (lang="vi"), untouched by the page's CSS
    assert host.locator("button[type=submit]").inner_text() == "Tìm"
    assert box.is_visible()                           # the page hides every input it owns
    assert host.locator("button[type=submit]").evaluate("b => getComputedStyle(b).color") == \
        "rgb(255, 255, 255)"
    # scoped to library vn: the same words search nothing else
    box.fill("history")
    box.press("Enter")
    p.wait_for_function("() => document.querySelector('#scoped').shadowRoot"
                        ".querySelector('.status').textContent.includes('kết quả')")
    scoped = api(server, "/api/search", q="history", filter="library:vn")
    assert api(server, "/api/search", q="history")["total"] > scoped["total"]
    status = host.locator(".status").inner_text()
    assert status == ("Không tìm thấy kết quả." if scoped["total"] == 0
                      else f"{scoped['total']} kết quả" if scoped["total"] > 1 else "1 kết quả")
    box.fill("ngoai hoi")
    box.press("Enter")
    host.locator("ol li").first.wait_for()
    assert host.locator("ol li a").first.inner_text().startswith("Đổi mới và hoàn thiện")
    assert host.locator("ol li mark").all_inner_texts() == ["ngoại", "hối"]
    assert host.locator("ol li a").first.evaluate("a => getComputedStyle(a).fontSize") != "40px"
    # no globals added to the page
    # (numeric keys are the page's frames: window[0] is the iframe below)
    added = p.evaluate("Object.keys(window).filter(k => !window.partnerGlobals.includes(k)"
                       " && k !== 'partnerGlobals' && !/^[0-9]+$/.test(k))")
    assert added == []
    # the iframe mode, on the same page
    frame = p.frame_locator("#framed iframe")
    frame.locator("input[name=q]").fill("ngoai hoi")
    frame.locator("button").click()
    frame.locator("li.hit").first.wait_for()
    assert frame.locator("html").get_attribute("lang") == "vi"
    assert frame.locator("li.hit").count() == 1
    page.shot("partner-widget")
