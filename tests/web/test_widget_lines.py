"""The widget (embed.js, in real Chromium) shows the result line's fields as the results
page does: authors, place : publisher, edition and series in both scripts, and the online
badge. Its oracle is ``/embed``, the server-rendered line that tests/web/test_parallel_scripts.py
holds to the results page; the records are LC's (the web home, tests/web/conftest.py).

One browser and one page for the module; the partner page comes from a plain HTTP server on
another port (another origin than the catalog's, as a partner's is)."""

from __future__ import annotations

import http.server
import os
import threading
from urllib.parse import unquote

import pytest

from ..support import running_server
from .pages_support import api, css, ok

CHROMIUM = os.environ.get("SHEAF_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(web_home, tmp_path_factory):
    with running_server(web_home.path, tmp_path_factory.mktemp("widget-server")) as base:
        yield base


class _Partner(http.server.BaseHTTPRequestHandler):
    page = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def widget(site, request):
    """Search the widget of a partner page (zh) for some words: the lines it shows."""
    pytest.importorskip("playwright.sync_api")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    playwright = request.getfixturevalue("playwright")
    page_html = (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>p</title>'
                 f'</head><body><div id="box" data-sheaf-search data-sheaf-limit="20"></div>'
                 f'<script src="{site}/embed.js" async></script></body></html>')
    handler = type("Partner", (_Partner,), {"page": page_html.encode("utf-8")})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    partner = f"http://127.0.0.1:{httpd.server_address[1]}/"
    with httpd:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.goto(partner)

        def search(words: str) -> list[dict]:
            host = page.locator("#box")
            box = host.locator("input[type=search]")
            box.fill(words)
            box.press("Enter")
            host.locator("ol li").first.wait_for(timeout=15_000)
            page.wait_for_function("() => !document.querySelector('#box').shadowRoot"
                                   ".querySelector('.status').textContent.endsWith('…')")
            return host.locator("ol li").evaluate_all("""items => items.map(li => ({
                href: li.querySelector('a').href,
                meta: li.querySelector('.m') ? li.querySelector('.m').textContent : '',
                imprint: (li.querySelector('.m.i') || {}).textContent || '',
                edition: (li.querySelector('.m.e') || {}).textContent || '',
                series: (li.querySelector('.m.s') || {}).textContent || '',
                online: [...li.querySelectorAll('a.o')].map(a => [a.href, a.target,
                                                                  a.textContent])}))""")

        yield search
        browser.close()
        httpd.shutdown()


def text(el) -> str:
    return " ".join(el.text_content().split()) if el is not None else ""


def frame_lines(site: str, words: str) -> dict[str, dict]:
    doc = ok(site, "/embed", q=words, lang="zh")
    out = {}
    for li in css(doc, "li.hit"):
        one = lambda sel: text(next(iter(css(li, sel)), None))   # noqa: E731
        year = one("span.meta")
        out[unquote(css(li, "a")[0].get("href"))] = {
            "meta": " · ".join(x for x in (one("p.authors"), year) if x),
            "imprint": one("span.imprint"), "edition": one("span.edition"),
            "series": one("span.series"),
            "online": [[a.get("href"), "_blank", text(a)] for a in css(li, "a.online-badge")]}
    return out


def test_the_widget_shows_the_result_lines_fields_in_both_scripts(site, widget):
    found = api(site, q="", filter="language:chi", limit=100, facets="")["results"]
    hit = next(h for h in found
               if any(p.get("vernacular") for p in h["details"].get("publishers", [])))
    expected = frame_lines(site, hit["title"])
    shown = {unquote(line.pop("href")): {k: " ".join(v.split()) if isinstance(v, str) else v
                                for k, v in line.items()} for line in widget(hit["title"])}
    assert shown == expected
    line = expected[f"{site}/record/{hit['id']}"]
    assert " = " in line["imprint"]                       # both scripts, as the page shows


def test_the_widget_shows_the_online_badge(site, widget):
    shown = widget("alert")                               # the web home's hostile record
    badges = [b for line in shown for b in line["online"]]
    assert badges == [["https://example.org/ok?a=1&b=2", "_blank", "在线资源"]]
