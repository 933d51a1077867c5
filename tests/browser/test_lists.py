"""Lists without accounts in a real browser, beyond what the reader's tour does with one
(tests/browser/test_tour.py: records marked, the list shared, mailed and exported in every
interface language and width): a bare list URL, unmarking and clearing, printing a list or a
record, and a full list refusing another mark.

The records are real LC records with 880s (tests/lists_support.py)."""

from __future__ import annotations

import re

import pytest

from web.exports import MAX_EXPORT_IDS

from ..conftest import engine_home
from ..lists_support import HE, MIYI, build_lists_home
from ..support import running_server
from .conftest import DESKTOP

pytestmark = pytest.mark.browser

EMPTY = "No records"


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
    assert EMPTY in p.locator("p.list-empty").inner_text()
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
