"""Lists without accounts in a real browser, in English and Chinese at desktop and phone
widths: two records marked on the results page, the list they make, its URL opened in
another reader's browser (nothing shared but the URL), its RIS export downloaded, a mark
kept on the record page, printing and clearing the list.

The records are real LC records with 880s (tests/lists_support.py)."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from web.exports import MAX_EXPORT_IDS

from ..conftest import engine_home
from ..lists_support import HE, MIYI, build_lists_home, linked
from ..support import running_server
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

WORDS = {"en": {"my_list": "My list", "heading": "Marked records", "empty": "No records"},
         "zh": {"my_list": "我的列表", "heading": "已标记的记录", "empty": "还没有标记任何记录"}}
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


@pytest.fixture(scope="module")
def site(tmp_path_factory, engine, request):
    path = tmp_path_factory.mktemp(f"lists-browser-{engine}")
    home = build_lists_home(engine_home(path / "home", engine, request), path)
    with running_server(home.path, tmp_path_factory.mktemp("lists-browser-server")) as base:
        yield base


def start(page, site: str, lang: str, viewport: dict):
    """The reader's browser at ``viewport``, speaking ``lang``, with an empty list."""
    p = page.page
    p.set_viewport_size(viewport)
    p.context.add_cookies([{"name": "sheaf_lang", "value": lang, "url": site}])
    p.goto(site + "/")
    p.evaluate("window.localStorage.clear()")
    return p


def ris_ids(text: str) -> list[str]:
    """The ID lines of a RIS file, every line read by the spec's format (CRLF ends)."""
    lines = text.split("\r\n")
    assert lines[-1] == "" and lines[0] == "TY  - BOOK"
    tags = [RIS_LINE.fullmatch(line).groups() for line in lines[:-1]]
    return [value for tag, value in tags if tag == "ID"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_marked_results_make_a_list_to_share_and_export(page, fresh_page, site, lang,
                                                            viewport):
    p = start(page, site, lang, viewport)
    words = WORDS[lang]
    p.goto(site + "/?filter=library:loc&sort=title")
    link = p.locator("header.site a.my-list")
    assert link.is_visible() and words["my_list"] in link.inner_text()
    assert link.locator(".list-size").inner_text() == "0"
    for rid in (MIYI, HE):
        p.locator(f"li.hit input.mark-record[value='{rid}']").check()
    assert link.locator(".list-size").inner_text() == "2"
    assert p.evaluate("JSON.parse(localStorage.getItem('sheaf.list'))") == [MIYI, HE]
    if viewport is PHONE:
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.shot(f"results-marked-{lang}-{'phone' if viewport is PHONE else 'desktop'}")

    # the mark is kept on the record's own page
    p.goto(f"{site}/record/{MIYI}")
    assert p.locator("article.record input.mark-record").is_checked()

    link.click()
    p.wait_for_selector("ol.list-records")
    assert p.locator("h1").inner_text() == words["heading"]
    assert p.locator("li.list-record").evaluate_all(
        "els => els.map(e => e.dataset.id)") == [MIYI, HE]
    assert linked(MIYI, "245", "a")[0] in p.locator("ol.list-records").inner_text()
    share = p.locator("#share-url").input_value()
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(share).query)["id"] == [MIYI, HE]
    assert p.locator("a.mail-list").get_attribute("href").startswith("mailto:?subject=")
    if viewport is PHONE:
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.shot(f"list-{lang}-{'phone' if viewport is PHONE else 'desktop'}")

    # the RIS export of the list downloads both records
    with p.expect_download() as download:
        p.locator("p.export-links a[data-format='ris']").click()
    assert ris_ids(open(download.value.path(), encoding="utf-8", newline="").read()) == [MIYI, HE]

    # another reader's browser: the same list from the URL alone, nothing marked there
    other = fresh_page.page
    other.set_viewport_size(viewport)
    other.goto(share)
    assert other.locator("li.list-record").evaluate_all(
        "els => els.map(e => e.dataset.id)") == [MIYI, HE]
    assert other.evaluate("localStorage.getItem('sheaf.list')") is None
    assert other.locator("a.my-list .list-size").inner_text() == "0"


def test_a_bare_list_url_goes_to_the_readers_marks_and_clearing_empties_it(page, site):
    p = start(page, site, "en", DESKTOP)
    p.goto(f"{site}/record/{HE}")
    p.locator("article.record input.mark-record").check()
    p.goto(site + "/list")
    p.wait_for_url(re.compile(r"/list\?id="))
    assert p.locator("li.list-record").evaluate_all("els => els.map(e => e.dataset.id)") == [HE]
    # unmarking on the list page takes the record out of the reader's list
    p.locator("li.list-record input.mark-record").uncheck()
    assert p.evaluate("JSON.parse(localStorage.getItem('sheaf.list'))") == []
    p.locator("li.list-record input.mark-record").check()
    p.locator("button.clear-list").click()
    p.wait_for_selector("p.list-empty")
    assert WORDS["en"]["empty"] in p.locator("p.list-empty").inner_text()
    assert p.evaluate("JSON.parse(localStorage.getItem('sheaf.list'))") == []
    assert p.locator("a.my-list .list-size").inner_text() == "0"


def test_printing_a_list_or_a_record_leaves_out_the_site_and_gives_full_urls(page, site):
    p = start(page, site, "en", DESKTOP)
    p.goto(f"{site}/list?id={MIYI}&id={HE}")
    p.emulate_media(media="print")
    hidden = ["header.site", "footer.site", "p.export-links", "label.mark"]
    for selector in hidden:
        assert p.locator(selector).first.evaluate("e => getComputedStyle(e).display") == "none"
    assert not p.locator("a.my-list").is_visible() and not p.locator("button").first.is_visible()
    after = p.locator("li.list-record h2 a").first.evaluate(
        "e => getComputedStyle(e, '::after').content")
    assert f"{site}/record/{MIYI}" in after
    page.shot("list-print")
    p.goto(f"{site}/record/{MIYI}")
    for selector in ("header.site", "form.search", "ul.exports", "label.mark"):
        assert p.locator(selector).first.evaluate("e => getComputedStyle(e).display") == "none"
    assert p.locator("#cite-gbt").is_visible() and p.locator("#permalink").is_visible()
    page.shot("record-print")
    p.emulate_media(media="screen")
    assert p.locator("header.site").is_visible()


def test_a_full_list_refuses_another_mark_and_says_so(page, site):
    p = start(page, site, "en", DESKTOP)
    p.evaluate("n => localStorage.setItem('sheaf.list',"
               " JSON.stringify(Array.from({length: n}, (_, i) => 'vn:' + i)))", MAX_EXPORT_IDS)
    p.goto(site + "/?filter=library:loc")
    assert p.locator("a.my-list .list-size").inner_text() == str(MAX_EXPORT_IDS)
    box = p.locator("li.hit input.mark-record").first
    box.click()
    assert not box.is_checked()
    assert f"at most {MAX_EXPORT_IDS} records" in p.locator(".list-full").inner_text()
    assert p.evaluate("JSON.parse(localStorage.getItem('sheaf.list')).length") == MAX_EXPORT_IDS
