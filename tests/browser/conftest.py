"""Browser tests: Playwright drives Debian's Chromium against a real ``sheaf serve``.

The server runs over the session index on a free port; a partner page is served
by a plain ``http.server`` on another port. Chromium comes from the system
(``scripts/setup.sh`` installs it with apt); without it these tests skip and
say why. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ..browse_support import Expected
from ..online_support import FIXTURE, make_home
from ..support import running_server

CHROMIUM = os.environ.get("SHEAF_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


def _why_not() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (run scripts/setup.sh)"
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"no Chromium at {CHROMIUM}: scripts/setup.sh installs Debian's chromium"
                " with apt-get (apt was not available here)")
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_not()
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def engine() -> str:
    """The browser tests read pages, which are the same whichever engine answered: they run
    on the embedded engine only. What each engine answers is tested over HTTP on every one
    (tests/web), and the Solr pages in one browser would only repeat those."""
    return "whoosh"


@pytest.fixture(scope="session")
def server(built_home, tmp_path_factory):
    """``sheaf serve`` (gunicorn, one worker) over the session index: its base URL."""
    with running_server(built_home.path, tmp_path_factory.mktemp("browser-server")) as base:
        yield base


@pytest.fixture(scope="session")
def browse_site(browse_home, tmp_path_factory):
    """``sheaf serve`` over the browse home (tests/browse_support.py: four libraries, every
    shelf, Chinese, Vietnamese and French records with 880s): its base URL."""
    with running_server(browse_home.path, tmp_path_factory.mktemp("browse-browser")) as base:
        yield base


@pytest.fixture(scope="session")
def browse_expected(browse_home) -> Expected:
    return Expected(browse_home)


@pytest.fixture(scope="session")
def online_site(tmp_path_factory, engine, request):
    """``sheaf serve`` over the online fixture's records (tests/online_support.py)."""
    home = make_home(tmp_path_factory.mktemp("online-browser"), engine, request, [FIXTURE])
    with running_server(home.path, tmp_path_factory.mktemp("online-browser-server")) as base:
        yield base


PARTNER_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thư viện đối tác</title>
<link rel="icon" href="data:,">
<style>
  /* a partner's CSS that would wreck any widget it reached */
  * {{ color: rgb(255, 0, 0) !important; font-family: serif !important; }}
  input, button {{ display: none !important; }}
  ol, li, a {{ font-size: 40px !important; }}
</style>
<script>window.partnerGlobals = Object.keys(window);</script>
</head>
<body>
<h1>Thư viện đối tác</h1>
<p>Tìm sách trong mục lục chung:</p>
<div id="scoped" data-sheaf-search></div>
<div id="framed" data-sheaf-search data-sheaf-mode="iframe" data-sheaf-height="360"></div>
<script src="{base}/embed.js" data-sheaf-library="{library}" data-sheaf-limit="3" async></script>
</body>
</html>
"""


@contextlib.contextmanager
def partner_site(root: Path, page: str):
    """``page`` served as ``index.html`` by a plain HTTP server on another port (another
    origin than the catalog's): its URL."""
    (root / "index.html").write_text(page, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def partner_page(base: str, library: str = "vn") -> str:
    """The partner's page embedding the widget of the server at ``base`` for ``library``."""
    return PARTNER_PAGE.format(base=base, library=library)


@pytest.fixture(scope="session")
def partner(server, tmp_path_factory):
    """A partner's page, from another origin (a second port), embedding the widget."""
    with partner_site(tmp_path_factory.mktemp("partner"), partner_page(server)) as url:
        yield url


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser_context(playwright, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        timeout=30_000, viewport=DESKTOP, locale="en-US", accept_downloads=True,
        downloads_path=str(downloads))
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def fresh_browser(playwright):
    """A second Chromium whose contexts share nothing with ``browser_context`` (no storage,
    no cookies): another reader's browser, for links one reader sends another."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True, timeout=30_000)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def fresh_page(fresh_browser):
    """A page in a new, empty context of :func:`fresh_browser`; no script error allowed."""
    context = fresh_browser.new_context(viewport=DESKTOP, locale="en-US", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    watched = Watched(context.new_page())
    yield watched
    context.close()
    assert watched.errors == []


class Watched:
    """A page with its console errors and uncaught exceptions collected."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def shot(self, name: str) -> None:
        """Screenshots at desktop and phone widths, in test-artifacts/browser/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(viewport)
            self.page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"),
                                 full_page=label == "desktop", timeout=TIMEOUT_MS)
        self.page.set_viewport_size(size)


@pytest.fixture
def page(browser_context):
    browser_context.clear_cookies()
    pg = browser_context.new_page()
    pg.set_viewport_size(DESKTOP)
    watched = Watched(pg)
    yield watched
    pg.close()
    # no script error and no Content-Security-Policy violation on any page a test opened
    assert watched.errors == []


def api(server: str, path: str, **args) -> dict:
    query = urllib.parse.urlencode(args, doseq=True)
    with urllib.request.urlopen(f"{server}{path}?{query}", timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def in_language(page, site: str, lang: str):
    """The page's browser speaks ``lang`` from now on (the language switch's cookie)."""
    page.page.context.add_cookies([{"name": "sheaf_lang", "value": lang, "url": site}])
    return page.page


def fits_a_phone(p) -> None:
    """At phone width the page scrolls only down: nothing sticks out to the side."""
    p.set_viewport_size(PHONE)
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    p.set_viewport_size(DESKTOP)
