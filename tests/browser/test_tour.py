"""A reader's tour of everything issue 18 asked for, in a real Chromium, once in each interface
language (en, zh-Hans, zh-Hant, vi, each chosen by the browser's own language as a reader's
browser asks for it) at desktop and at phone width: eight tests, one browser context each.

Each stop asserts what the page does and that it speaks the tour's language (tour.Tour.stop),
and leaves a screenshot, test-artifacts/browser/tour-<lang>-<width>-<stop>.png. The stops:
the home page and a member library's view; a suggestion chosen; a Chinese and a French
record in both scripts, with their citations, exports and holdings; a result line showing
why it matched; a facet's full list by count, A-Z and searched, the author and subject
lists, a shelf from a record and from a typed call number (tests/browser/tour_browsing.py);
a record walked along its result list and back, the query kept; numbered pages, per page
and sort; the year filter; a list made, shared and exported; the zero-result page; the
advanced form's rows; online copies (on the online fixture's site).

The expectations come from the JSON API over the same server, the stored records
(tests/browse_support.py, tests/online_support.py) and the fixtures read with pymarc."""

from __future__ import annotations

import re
import urllib.parse

import pymarc
import pytest

from ..support import FIXTURES, iso2709_records
from .conftest import api
from .test_advanced_rows import ROWS, rows_of
from .tour import LANGS, WIDTHS, Tour
from .tour_browsing import facet_list, headings, online, shelf

pytestmark = pytest.mark.browser

# chinese_880_simplified.mrc: LC 00409616, 黄岗村志 (济南 : 山东人民出版社, 1999)
HUANGGANG = "loc:00409616"
# multilingual_lc_50.mrc: LC 00292600, a French record whose series has a linked 880 (東洋學…)
VATICAN = "loc:00292600"
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")
# per interface: typed in the search box, then the suggestion chosen, of each kind
SUGGESTION = {"en": ("Nguy", "author", "Nguyễn, Văn Thâm"),
              "zh": ("Taiwan", "title", "Taiwan de xin fan dui yun dong : xin min zhu zhi lu"),
              "zh-Hant": ("Taiwan", "subject", "Taiwan"),
              "vi": ("Nguy", "author", "Nguyễn, Văn Thâm")}
# how many lines an element's text takes (distinct tops of its line boxes)
LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"""
# for each word of an element's text (split at spaces), how many lines it takes
WORD_LINES = """el => { const node = el.firstChild, text = node.textContent, out = [];
  let at = 0;
  for (const word of text.split(/\\s+/)) {
    if (!word) continue;
    const start = text.indexOf(word, at); at = start + word.length;
    const r = document.createRange(); r.setStart(node, start); r.setEnd(node, at);
    out.push([word, new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]);
  }
  return out; }"""


def fixture_record(name: str, record_id: str) -> pymarc.Record:
    for data in iso2709_records(FIXTURES / name):
        rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
        if rec["001"].data.strip() == record_id.split(":")[1]:
            return rec
    raise LookupError(record_id)


def linked_880(rec: pymarc.Record, tag: str) -> pymarc.Field:
    return next(f for f in rec.get_fields("880") if f["6"].startswith(tag))


def shown_ids(p) -> list[str]:
    return [urllib.parse.unquote(h).removeprefix("/record/") for h in p.locator(
        "li.hit h3.title a").evaluate_all("els => els.map(a => a.pathname)")]


def here(p) -> str:
    return urllib.parse.unquote(p.evaluate("location.pathname")).removeprefix("/record/")


def ris_ids(text: str) -> list[str]:
    """The ID lines of a RIS file, every line read by the spec's format (CRLF ends)."""
    lines = text.split("\r\n")
    assert lines[-1] == "" and lines[0] == "TY  - BOOK"
    tags = [RIS_LINE.fullmatch(line).groups() for line in lines[:-1]]
    return [value for tag, value in tags if tag == "ID"]


@pytest.fixture
def tour(fresh_browser, request):
    lang, width = request.param
    t = Tour(fresh_browser, lang, width)
    yield t
    t.close()


TOURS = [(lang, width) for lang in LANGS for width in WIDTHS]


@pytest.mark.parametrize("tour", TOURS, ids=[f"{l}-{w}" for l, w in TOURS], indirect=True)
def test_a_readers_tour(tour, fresh_browser, browse_site, browse_expected, online_site):
    site, expected = browse_site, browse_expected
    home_and_library(tour, site)
    suggestion(tour, site)
    parallel_record(tour, site)
    why_it_matched(tour, site)
    facet_list(tour, site, expected)
    headings(tour, site, expected)
    shelf(tour, site, expected)
    along_the_results(tour, site)
    paging_and_sorting(tour, site)
    years(tour, site)
    reader_list(tour, site, fresh_browser)
    nothing_found(tour, site)
    advanced_rows(tour, site)
    online(tour, online_site)


def home_and_library(tour: Tour, site: str) -> None:
    p = tour.page
    counts_by_library = {v["value"]: v["count"] for v in api(
        site, "/api/search", facets="library", facet_limit=1000, limit=1)["facets"]["library"]}
    p.goto(site + "/")
    assert p.locator("form.search button[type=submit]").inner_text() == tour.t("Search")
    assert p.locator("ul.member-list li.member").count() == len(counts_by_library)
    tour.stop("home", "Member libraries")
    p.locator("li.member[data-library=vn] a.library-name").click()
    p.wait_for_url("**/library/vn")
    assert p.locator("h1").inner_text() == "Thư viện Quốc gia Việt Nam"
    assert p.locator(".library-summary").inner_text().startswith(tour.n(
        "%(num)s title in the union catalog", "%(num)s titles in the union catalog",
        counts_by_library["vn"]))
    newest = api(site, "/api/search", filter="library:vn", sort="new", limit=10, facets="")
    arrivals = p.locator("ol.title-list li .title a").evaluate_all(
        "els => els.map(a => decodeURIComponent(a.pathname))")
    assert arrivals == [f"/record/{h['id']}" for h in newest["results"]]
    tour.stop("library", "New arrivals")
    p.fill("form.library-search input#q", "Việt Nam")
    p.press("form.library-search input#q", "Enter")
    p.wait_for_selector("p.summary")
    scoped = api(site, "/api/search", q="Việt Nam", filter="library:vn", facets="")
    assert shown_ids(p)[:len(scoped["results"])] == [h["id"] for h in scoped["results"]]
    assert p.locator("p.library-scope").get_attribute("data-library") == "vn"


def suggestion(tour: Tour, site: str) -> None:
    """A suggestion chosen (by keyboard on a desktop, by a tap on a phone) searches its own
    field; its kind's label stays on one line."""
    p = tour.page
    typed, kind, text = SUGGESTION[tour.lang]
    assert {"text": text, "kind": kind} in api(site, "/api/suggest", q=typed,
                                               limit=8)["suggestions"]
    p.goto(site + "/")
    p.locator("#q").press_sequentially(typed)
    option = p.locator(f"#q-suggestions[data-for='{typed}'] li[data-text='{text}']")
    option.wait_for()
    kinds = p.locator("#q-suggestions li .kind")
    assert option.locator(".kind").inner_text() == tour.t(kind.title())
    assert [kinds.nth(i).evaluate(LINES) for i in range(kinds.count())] == [1] * kinds.count()
    tour.stop("suggestions")
    if tour.width == "desktop":
        shown = p.locator("#q-suggestions li").evaluate_all(
            "els => els.map(li => li.getAttribute('data-text'))")
        for _ in range(shown.index(text) + 1):
            p.keyboard.press("ArrowDown")
        p.keyboard.press("Enter")
    else:
        option.click()
    p.wait_for_url("**field=*")
    args = urllib.parse.parse_qs(urllib.parse.urlsplit(p.url).query)
    assert args["field"] == [kind] and args["q"] == [text]
    assert p.locator("#field").input_value() == kind
    fielded = api(site, "/api/search", q=text, field=kind, limit=100, facets="")
    assert shown_ids(p) == [r["id"] for r in fielded["results"]][:len(shown_ids(p))]


def parallel_record(tour: Tour, site: str) -> None:
    """Both scripts on labelled lines: a Chinese record leads with its Han in every
    interface; a French one with its Latin, except in the Chinese interfaces."""
    p = tour.page
    chinese = tour.lang in ("zh", "zh-Hant")
    rec = fixture_record("chinese_880_simplified.mrc", HUANGGANG)
    publisher, romanized = linked_880(rec, "260")["b"].rstrip(" ,"), rec["260"]["b"].rstrip(" ,")
    p.goto(f"{site}/record/{HUANGGANG}")
    forms = p.locator('dd[data-field="imprint"] .form')
    assert forms.count() == 2
    assert [t.strip() for t in p.locator('dd[data-field="imprint"] .script')
            .all_text_contents()] == [tour.t("Original script"), tour.t("Romanized")]
    first, second = forms.nth(0), forms.nth(1)
    assert publisher in first.inner_text() and romanized in second.inner_text()
    top, below = first.bounding_box(), second.bounding_box()
    assert below["y"] >= top["y"] + top["height"] - 1          # a line of its own, below
    assert linked_880(rec, "245")["a"].rstrip(" /") in p.locator("h1 .title-lead").inner_text()
    # the citations in the record's script, GB/T 7714 first in the Chinese interfaces
    gbt = p.locator("#cite-gbt").inner_text()
    assert publisher in gbt and "[M]" in gbt
    ids = p.locator("p.citation").evaluate_all("els => els.map(e => e.id)")
    assert ids == (["cite-gbt", "cite-apa"] if chinese else ["cite-apa", "cite-gbt"])
    with p.expect_download() as download:
        p.locator("ul.exports a[data-format=ris]").click()
    ris = open(download.value.path(), encoding="utf-8").read()
    assert f"TI  - {linked_880(rec, '245')['a'].rstrip(' /')}" in ris
    # holdings: on a phone each cell says which column it is in
    headers = [h.strip() for h in p.locator("table.holdings thead th").all_inner_texts()]
    assert headers == [tour.t(h) for h in ("Library", "Call number", "Location",
                                          "In its catalog")]
    if tour.width == "phone":
        assert p.locator("table.holdings thead").is_hidden()
        cells = p.locator("tr.holding-row").first.locator("td")
        assert [cells.nth(i).evaluate("el => getComputedStyle(el, '::before').content")
                for i in range(cells.count())] == [f'"{h}: "' for h in headers[1:]]
    else:   # and on a desktop no header breaks inside a word
        heads = p.locator("table.holdings thead th")
        words = [w for i in range(heads.count()) for w in heads.nth(i).evaluate(WORD_LINES)]
        assert words and [w for w, lines in words if lines != 1] == []
    tour.stop("record-chinese", "Details", "Cite", "Export")

    p.goto(f"{site}/record/{VATICAN}")
    series = p.locator('dd[data-field="series"] li:has(.parallel)')
    lead = series.locator(".form").first
    assert ("vernacular-form" in lead.get_attribute("class").split()) == chinese
    assert [t.strip() for t in series.locator(".script").all_text_contents()] == (
        [tour.t("Other script"), tour.t("Latin script")] if chinese
        else [tour.t("Latin script"), tour.t("Other script")])
    tour.stop("record-french", "Series")


def why_it_matched(tour: Tour, site: str) -> None:
    """The result line shows the publisher in both scripts, the query's match marked."""
    p = tour.page
    rec = fixture_record("chinese_880_simplified.mrc", HUANGGANG)
    publisher, romanized = linked_880(rec, "260")["b"].rstrip(" ,"), rec["260"]["b"].rstrip(" ,")
    p.goto(site + "/")
    p.fill("#q", publisher)
    p.press("#q", "Enter")
    p.wait_for_selector("p.summary")
    hit = p.locator("li.hit", has=p.locator(f'h3 a[href^="/record/{HUANGGANG}?"]'))
    shown = hit.locator("span.publisher")
    assert shown.locator("mark").all_inner_texts() == [publisher]
    text = shown.inner_text()
    assert text.index(publisher) < text.index(romanized)
    # the author in both scripts, on the result line and in the author facet
    body, body_880 = rec["710"]["a"].rstrip("."), linked_880(rec, "710")["a"].rstrip(".")
    assert hit.locator("span.author .form").all_inner_texts() == [body_880, body]
    assert f"{body_880} ({body})" in p.locator(
        'section[data-facet="author"] a.facet-value .label').all_inner_texts()
    tour.stop("results-matched", "Sort by", "Refine results")


def along_the_results(tour: Tour, site: str) -> None:
    """A record opened from a list keeps the query, steps across a page boundary and
    goes back to the list's page."""
    p = tour.page
    order = [h["id"] for h in api(site, "/api/search", q="history", sort="year", limit=100,
                                  facets="")["results"]]
    assert len(order) > 8
    p.goto(site + "/?q=history&sort=year&limit=7")
    p.locator("li.hit h3.title a").nth(6).click()              # the last hit of page 1
    p.wait_for_selector("nav.record-nav")
    assert here(p) == order[6]
    assert p.locator(".record-position").inner_text() == tour.t(
        "Result %(num)s of %(total)s", num=7, total=len(order))
    assert p.locator("form.search input#q").input_value() == "history"
    tour.stop("record-in-results", "Back to results", "Next record", "Previous record")
    p.locator("a.next-record").click()                         # onto page 2 of the list
    p.wait_for_url("**pos=8**")
    assert here(p) == order[7]
    p.locator("a.previous-record").click()
    p.wait_for_url("**pos=7**")
    assert here(p) == order[6]
    p.locator("a.next-record").click()
    p.wait_for_url("**pos=8**")
    p.locator("a.back-to-results").click()
    p.wait_for_selector("li.hit")
    assert "page=2" in p.url and shown_ids(p) == order[7:14]


def paging_and_sorting(tour: Tour, site: str) -> None:
    p = tour.page
    total = api(site, "/api/search", limit=1, facets="")["total"]
    p.goto(site + "/?limit=10")
    assert p.locator("form.sort button").is_hidden()           # the script applies the choice
    pages = -(-total // 10)
    numbers = [t.strip() for t in p.locator("ol.page-numbers li").all_inner_texts()]
    assert numbers[0] == "1" and numbers[-1] == str(pages)
    p.locator("ol.page-numbers a", has_text=str(pages)).click()
    p.wait_for_url(f"**page={pages}**")
    assert p.locator("li.hit").count() == total - (pages - 1) * 10
    assert p.locator("ol.page-numbers [aria-current=page]").inner_text() == str(pages)
    tour.stop("last-page", "Sort by")
    p.select_option("#limit", "20")                            # back to page 1, 20 a page
    p.wait_for_url("**limit=20**")
    assert "page=" not in p.url and p.locator("li.hit").count() == min(20, total)
    p.select_option("#sort", "title")
    p.wait_for_url("**sort=title**")
    by_title = api(site, "/api/search", sort="title", limit=20, facets="")
    assert shown_ids(p) == [h["id"] for h in by_title["results"]]
    assert p.locator("#limit").input_value() == "20"


def years(tour: Tour, site: str) -> None:
    """A decade, then a typed range: the range replaces the decade and stays in the form."""
    p = tour.page
    p.goto(site + "/?q=history")
    p.locator("svg.histogram a.decade text.decade-label").first.click()
    p.wait_for_url("**year*")
    assert p.locator("li.chip:not(.clear)").count() == 1
    p.fill("#year_from", "1950")
    p.fill("#year_to", "1999")
    p.locator("form.year-range button").click()
    p.wait_for_url("**year_from=1950**")
    in_range = api(site, "/api/search", q="history", filter="year:1950-1999", facets="")
    assert p.locator("li.chip:not(.clear)").count() == 1
    assert p.locator("#year_from").input_value() == "1950"
    assert p.locator("#year_to").input_value() == "1999"
    assert shown_ids(p) == [h["id"] for h in in_range["results"]]
    assert p.locator("svg.histogram text.decade-count").first.is_visible()
    if tour.width == "phone":       # the results come before the facets
        assert p.locator("section.results").bounding_box()["y"] < \
            p.locator("aside.facets").bounding_box()["y"]
    tour.stop("years", "Clear all filters")


def reader_list(tour: Tour, site: str, browser) -> None:
    """Two results marked make a list, kept on the record page, shared by its URL (another
    reader's browser sees it, marking nothing there), mailed and exported."""
    p = tour.page
    p.goto(site + "/?filter=library:loc&sort=title")     # a new browser: nothing marked yet
    marked = shown_ids(p)[:2]
    link = p.locator("header.site a.my-list")
    assert link.is_visible() and tour.t("My list") in link.inner_text()
    assert link.locator(".list-size").inner_text() == "0"
    for rid in marked:
        p.locator(f"li.hit input.mark-record[value='{rid}']").check()
    assert link.locator(".list-size").inner_text() == "2"
    tour.stop("marked", "Export selected")
    p.goto(f"{site}/record/{marked[0]}")
    assert p.locator("article.record input.mark-record").is_checked()
    link.click()
    p.wait_for_selector("ol.list-records")
    assert p.locator("h1").inner_text() == tour.t("Marked records")
    assert p.locator("li.list-record").evaluate_all("els => els.map(e => e.dataset.id)") == marked
    share = p.locator("#share-url").input_value()
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(share).query)["id"] == marked
    assert p.locator("a.mail-list").get_attribute("href").startswith("mailto:?subject=")
    tour.stop("list")
    with p.expect_download() as download:
        p.locator("p.export-links a[data-format='ris']").click()
    assert ris_ids(open(download.value.path(), encoding="utf-8", newline="").read()) == marked
    other = browser.new_context(viewport=tour.viewport)
    try:
        q = other.new_page()
        q.goto(share)
        assert q.locator("li.list-record").evaluate_all(
            "els => els.map(e => e.dataset.id)") == marked
        assert q.evaluate("localStorage.getItem('sheaf.list')") is None
    finally:
        other.close()


def nothing_found(tour: Tour, site: str) -> None:
    """Zero results: what to try instead, and no sort, facets or feed."""
    p = tour.page
    p.goto(site + "/?q=ngoai+hoi&filter=language:jpn&filter=library:vn")
    assert p.locator("section.no-results a.remove-filter").count() == 2
    assert p.locator("form.sort, aside.facets, p.feed, link[type='application/atom+xml']"
                     ).count() == 0
    tour.stop("nothing-found", "Nothing found. You could try:",
              "the same search without any filter")
    p.locator("a.remove-filters").click()
    p.wait_for_selector("li.hit")
    assert shown_ids(p) == [h["id"] for h in api(site, "/api/search", q="ngoai hoi",
                                                  facets="")["results"]]


def advanced_rows(tour: Tour, site: str) -> None:
    """Rows added and removed; Advanced search from the results shows them again."""
    p = tour.page
    p.goto(site + "/advanced")
    assert len(rows_of(p)) == 4
    p.locator("button.add-row").click()
    assert p.evaluate("document.activeElement.id") == "row_text4"
    p.fill("#row_text0", "history")
    p.select_option("#row_op1", "NOT")
    p.select_option("#row_field1", "subject")
    p.fill("#row_text1", "Japan")
    p.fill("#row_text2", "unwanted")
    p.select_option("#row_op4", "OR")
    p.select_option("#row_field4", "author")
    p.fill("#row_text4", "Chen")
    p.locator(ROWS).nth(2).locator("button.remove-row").click()   # the third row goes
    shown = rows_of(p)
    assert [(r["op"], r["field"], r["text"]) for r in shown] == [
        ("AND", "all", "history"), ("NOT", "subject", "Japan"), ("AND", "subject", ""),
        ("OR", "author", "Chen")]
    assert all(r["labelled"] for r in shown)     # each row's labels name it, ids unique
    tour.stop("advanced", "Add a row")
    p.locator("form.advanced button[type=submit]").click()
    p.wait_for_selector("p.summary")
    p.locator("form.search p.search-links a").click()
    p.wait_for_selector(ROWS)
    assert [(r["op"], r["field"], r["text"]) for r in rows_of(p)] == [
        ("AND", "all", "history"), ("NOT", "subject", "Japan"), ("OR", "author", "Chen"),
        ("AND", "subject", "")]
