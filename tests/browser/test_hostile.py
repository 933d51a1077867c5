"""Hostile records in a real browser: every page that shows them runs nothing.

Two real LC records carry a payload in every shown field (tests/hostile_records.py).
They are imported and indexed beside the 50-record LC sample, and Chromium opens every
reader page that shows them (results, record, citations, exports, staff view, feeds,
OpenSearch, SRU and OAI, the widget in shadow DOM and in its iframe, the browse pages
and the admin's quality pages), and pages that echo hostile query text back. On every
one: no dialog opens, no Content-Security-Policy violation is reported, no request
leaves for another origin, and every HTML response carries the site's CSP.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore

from ..hostile_records import (LINKS, LONG_WORD, PAYLOADS, RLO, SOURCE_CODE,
                               SOURCE_NAME, hostile_ids, hostile_marc)
from ..ops.helpers import TOKEN, set_setting, sheaf
from ..support import FIXTURES, running_server
from .conftest import PHONE, partner_page, partner_site

pytestmark = pytest.mark.browser

JAPANESE, ENGLISH = hostile_ids()
# what a reader could type: reflected back in the search box, the summary, the browse forms
TYPED = '"><script>alert(31)</script><img src=x onerror=alert(32)>'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``sheaf serve`` over the hostile records and the LC sample, quality checked."""
    root = tmp_path_factory.mktemp("hostile")
    marc = root / "hostile.mrc"
    marc.write_bytes(hostile_marc())
    home = Home.init(root / "home")
    home.add_source(Source(code=SOURCE_CODE, name=SOURCE_NAME, kind="marc", path=str(marc)))
    home.add_source(Source(code="loc", name="Library of Congress", kind="marc",
                           path=str(FIXTURES / "multilingual_lc_50.mrc")))
    with RecordStore(home.store_path) as store:
        assert import_files(home, store, SOURCE_CODE, [str(marc)]).rejected == []
        assert import_files(home, store, "loc", [home.sources["loc"].path]).rejected == []
    set_setting(home.path, "admin_token", TOKEN)
    indexed = sheaf(home.path, "index")     # the CLI's index run, which checks quality too
    assert indexed.returncode == 0, indexed.stderr
    with running_server(home.path, root) as base:
        yield base


class Guard:
    """What a page did that hostile text must never make it do."""

    def __init__(self, page, site: str, allowed: set[str]):
        self.page = page
        self.site = site
        self.allowed = allowed
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        self.foreign: list[str] = []
        self.without_csp: list[str] = []
        self.html: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        page.on("response", self._response)
        page.expose_function("__sheafViolation", lambda text: self.violations.append(text))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__sheafViolation(e.violatedDirective + ' ' + e.blockedURI));")
        # nothing leaves for another site, whatever a page asks for
        page.route(re.compile(r"^(?!(https?://127\.0\.0\.1[:/]|data:|about:))"),
                   lambda route: route.abort())

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "about:")):
            return
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" not in self.allowed:
            self.foreign.append(url)

    def _response(self, response) -> None:
        if not response.url.startswith(self.site + "/"):
            return                      # the partner's own page is the partner's business
        if not response.headers.get("content-type", "").startswith("text/html"):
            return
        self.html.append(response.url)
        csp = response.headers.get("content-security-policy", "")
        if "script-src 'self'" not in csp or "unsafe-inline" in csp \
                or "object-src 'none'" not in csp:
            self.without_csp.append(f"{response.url}: {csp!r}")

    def assert_inert(self) -> None:
        assert self.dialogs == []
        assert self.violations == []
        assert self.foreign == []
        assert self.without_csp == []


def guarded(page, site: str, *origins: str) -> tuple:
    return page.page, Guard(page.page, site, {site, *origins})


def open_all(p, base: str, paths) -> None:
    for path in paths:
        response = p.goto(base + path, wait_until="load")
        assert response.status < 400, (path, response.status)
        p.wait_for_timeout(50)   # an onload or onerror handler has had its turn


def open_refused(page, base: str, paths) -> None:
    """Pages that answer a 4xx (a hostile id, argument or query): each is the site's
    error page, and the console's "failed to load" for it is the only message."""
    for path in paths:
        response = page.page.goto(base + path, wait_until="load")
        assert 400 <= response.status < 500, (path, response.status)
        page.page.wait_for_timeout(50)
    expected = [e for e in page.errors if re.fullmatch(
        r"Failed to load resource: the server responded with a status of 4\d\d .*", e)]
    assert len(expected) == len(paths)
    page.errors[:] = [e for e in page.errors if e not in expected]


def test_search_results_and_facets(page, site):
    p, guard = guarded(page, site)
    open_all(p, site, ["/?q=hostile", "/?q=alert", "/?q=Supercalifragilistic",
                       f"/?q=hostile&filter=library:{SOURCE_CODE}&sort=title",
                       "/?q=" + quote(TYPED), "/advanced?q=" + quote(TYPED)])
    p.goto(site + "/?q=hostile")
    titles = p.locator("li.hit h3").all_inner_texts()
    assert len([t for t in titles if PAYLOADS[("245", "a")].strip() in t]) == 2  # shown as text
    assert p.locator("li.hit script, li.hit img, li.hit svg, aside.facets svg script").count() == 0
    page.shot("hostile-results")
    guard.assert_inert()
    assert len(guard.html) >= 7


def test_pages_that_refuse_hostile_arguments(page, site):
    p, guard = guarded(page, site)
    open_refused(page, site, ["/record/" + quote(TYPED, safe=""),
                              "/staff/" + quote(TYPED, safe=""),
                              "/export/marc/" + quote(TYPED, safe=""),
                              "/?q=" + quote(TYPED) + "&sort=" + quote(TYPED),
                              "/browse/facet/" + quote(TYPED, safe=""),
                              f"/browse/shelf?scheme=lcc&record={quote(TYPED)}",
                              "/browse/shelf?from=" + quote(TYPED),
                              f"/admin/quality/{SOURCE_CODE}/" + quote(TYPED, safe="")])
    guard.assert_inert()
    assert len(guard.html) == 8


def test_the_record_page_its_citations_and_exports(page, site):
    p, guard = guarded(page, site)
    for record_id in (JAPANESE, ENGLISH):
        p.goto(f"{site}/record/{record_id}")
        text = p.locator("main").inner_text()
        for field in (("100", "a"), ("260", "b"), ("520", "a"), ("650", "a"), ("490", "a")):
            assert PAYLOADS[field].strip() in text, field        # as text, not as markup
        # only the one real URL of the 856s is a link; the others are listed as text
        hrefs = p.locator("main a").evaluate_all("els => els.map(a => a.href)")
        assert LINKS[-1] in hrefs
        assert [h for h in hrefs if not h.startswith(site + "/")] == [LINKS[-1]]
        assert p.locator("#cite-apa").inner_text().strip()
        assert p.locator("#cite-gbt").inner_text().strip()
        for fmt in ("ris", "bibtex", "marcxml", "marc"):
            with p.expect_download() as download:
                p.click(f"ul.exports a[data-format={fmt}]")
            assert download.value.suggested_filename.endswith((".ris", ".bib", ".xml", ".mrc"))
        # the long word wraps: the page never scrolls sideways on a phone
        p.set_viewport_size(PHONE)
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        p.set_viewport_size({"width": 1280, "height": 900})
    page.shot("hostile-record")
    guard.assert_inert()


def test_a_right_to_left_override_stays_in_its_field(page, site):
    """A 245 $b that opens U+202E and never closes it: the mapping drops the override
    (a format character), so the reader's pages show the title's words in their stored
    order and the year after the title still follows it; the staff view shows the
    field as the library sent it, on a line of its own (a line ends the override)."""
    p, guard = guarded(page, site)
    p.goto(f"{site}/?q=hostile&filter=library:{SOURCE_CODE}")
    hit = p.locator("li.hit").first
    title = hit.locator("h3").evaluate("h => h.textContent")
    assert RLO not in title and "gpj.exe" in title
    box = hit.locator("h3 a").bounding_box()
    after = hit.locator("h3").evaluate(
        "h => { const r = document.createRange(); const a = h.querySelector('a');"
        " r.setStartAfter(a); r.setEndAfter(h.lastChild); const b = r.getBoundingClientRect();"
        " return b.width ? b.left : null; }")
    if after is not None:   # text after the title in the same heading: it follows it
        assert after >= box["x"] + box["width"] - 1
    p.goto(f"{site}/staff/{ENGLISH}")
    lines = p.locator("pre.marc-lines").first.evaluate("e => e.textContent").splitlines()
    assert [line for line in lines if RLO in line] == \
        [line for line in lines if line.startswith(("=245", "=650"))]
    guard.assert_inert()


def test_the_staff_view_and_the_protocols(page, site):
    p, guard = guarded(page, site)
    for record_id in (JAPANESE, ENGLISH):
        p.goto(f"{site}/staff/{record_id}")
        assert PAYLOADS[("245", "a")] in p.locator("pre.marc-lines").first.inner_text()
        p.goto(f"{site}/record/{record_id}")
        for protocol in ("sru", "oai"):
            p.goto(site + p.locator(f"a[data-protocol={protocol}]").get_attribute("href"))
            assert "alert(1)" in p.content()        # the XML, as text in the viewer
            p.go_back()
    with p.expect_download():           # the description is for browsers to install
        p.evaluate("url => { location.href = url; }", site + "/opensearch.xml")
    open_all(p, site, ["/feed.atom?q=hostile", "/opensearch/suggest?q=hos",
                       "/api/search?q=hostile", f"/api/record/{JAPANESE}?marc=xml",
                       "/api/suggest?q=hos", "/api/libraries"])
    guard.assert_inert()


def test_the_browse_pages(page, site):
    p, guard = guarded(page, site)
    open_all(p, site, ["/browse/facet/subject?q=hostile", "/browse/facet/author?q=hostile",
                       "/browse/facet/library", f"/browse/facet/subject?contains={quote(TYPED)}",
                       "/browse/authors?start=%3C", "/browse/subjects?start=%22",
                       "/browse/authors?start=" + quote(TYPED), "/browse/shelf?from=QK76",
                       f"/browse/shelf?record={ENGLISH}&scheme=lcc"])
    p.goto(f"{site}/browse/shelf?record={ENGLISH}&scheme=lcc")
    assert "onerror=alert(15)" in p.locator("main").inner_text()   # the 050 $b, as text
    p.goto(site + "/browse/authors?start=%3C")
    assert PAYLOADS[("100", "a")] in p.locator("main").inner_text()
    page.shot("hostile-browse")
    guard.assert_inert()


def test_the_widget_in_shadow_dom_and_in_its_iframe(page, site, tmp_path):
    with partner_site(tmp_path, partner_page(site, SOURCE_CODE)) as partner:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(partner))
        p, guard = guarded(page, site, origin)
        p.goto(partner)
        host = p.locator("#scoped")
        box = host.locator("input[type=search]")
        box.fill("hostile")
        box.press("Enter")
        host.locator("ol li").first.wait_for()
        assert host.locator("ol li").count() == 2
        assert PAYLOADS[("245", "a")].strip() in host.locator("ol").inner_text()
        frame = p.frame_locator("#framed iframe")
        frame.locator("input[name=q]").fill("hostile")
        frame.locator("button").click()
        frame.locator("li.hit").first.wait_for()
        assert frame.locator("li.hit").count() == 2
        p.wait_for_timeout(100)
        page.shot("hostile-widget")
        guard.assert_inert()
    open_all(p, site, ["/embed?q=hostile", "/embed?q=" + quote(TYPED)])
    guard.assert_inert()


def test_the_admin_quality_pages(page, site):
    p, guard = guarded(page, site)
    p.goto(site + "/admin/login")
    p.fill("input[name=token]", TOKEN)
    p.press("input[name=token]", "Enter")
    p.wait_for_url(site + "/admin/")
    open_all(p, site, ["/admin/quality", "/admin/health", "/admin/"])
    p.goto(site + "/admin/quality")
    line = p.locator(f"#quality-{SOURCE_CODE} tr[data-check=bad_classification]")
    assert line.locator("td.count").inner_text() == "2"
    line.locator("a").first.click()
    p.wait_for_url(f"**/admin/quality/{SOURCE_CODE}/bad_classification")
    # the 082 as the check reads it (DDC's segmentation mark / dropped), as text
    assert "ddc 082: <script>alert(14)<script>" in p.locator("main").inner_text()
    assert sorted(p.locator("a.record").all_inner_texts()) == sorted(hostile_ids())
    page.shot("hostile-admin-quality")
    guard.assert_inert()


def test_the_long_word_is_kept_whole(page, site):
    """Wrapping is the page's business: the 4,000 letters reach the reader unbroken."""
    p, guard = guarded(page, site)
    p.goto(f"{site}/record/{ENGLISH}")
    assert LONG_WORD in p.locator("main").inner_text()
    guard.assert_inert()
