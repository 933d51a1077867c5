"""How responses travel, over HTTP from a real ``sheaf serve`` (issue 18): HTML, CSS and
JavaScript gzipped for clients that accept it (the same bytes once decompressed, with
``Vary: Accept-Encoding``), and static files at fingerprinted URLs cached for a year."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from web import create_app

from ..support import running_server

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
YEAR = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("delivery-server")) as base:
        yield base


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    """Status, headers and body as sent (urllib does not decompress)."""
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def vary(headers) -> set[str]:
    return {v.strip().lower() for v in (headers.get("Vary") or "").split(",")}


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def test_pages_styles_and_scripts_are_gzipped_for_clients_that_accept_it(site):
    _, _, page = get(f"{site}/?q=history")
    css = next(u for u in static_urls(page.decode("utf-8")) if "/sheaf.css" in u)
    for path in ("/?q=history", "/advanced", css, "/embed.js", "/record/nope"):
        status, plain_headers, plain = get(site + path)
        status_gz, headers, body = get(site + path, **{"Accept-Encoding": "gzip, br"})
        assert status == status_gz and plain_headers.get("Content-Encoding") is None
        assert headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(body) == plain and len(body) < len(plain) / 2, path
        assert int(headers["Content-Length"]) == len(body)
        assert "accept-encoding" in vary(headers) and "accept-encoding" in vary(plain_headers)
    # a client that refuses gzip gets the bytes as they are
    _, headers, body = get(f"{site}/?q=history", **{"Accept-Encoding": "gzip;q=0, identity"})
    assert headers.get("Content-Encoding") is None and b"<html" in body


def test_what_is_not_html_css_or_javascript_is_left_as_it_is(site):
    for path in ("/api/search?q=history", "/feed.atom?q=history", "/static/favicon.svg"):
        status, headers, body = get(site + path, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") is None, path
        assert body[:2] != b"\x1f\x8b"


def test_static_urls_carry_their_files_hash_and_are_cached_for_a_year(site):
    _, _, page = get(f"{site}/")
    urls = static_urls(page.decode("utf-8"))
    assert any("/sheaf.css" in u for u in urls) and any("/sheaf.js" in u for u in urls)
    for url in urls:
        path, _, version = url.partition("?v=")
        assert version == digest((STATIC / path.removeprefix("/static/")).read_bytes()), url
        status, headers, _ = get(site + url)
        assert status == 200 and headers["Cache-Control"] == YEAR, url
        # the same file without its fingerprint, or with another, may change: a short while
        for other in (path, f"{path}?v=000000000000"):
            status, headers, _ = get(site + other)
            assert status == 200 and headers["Cache-Control"] == "public, max-age=300", other


def test_a_files_new_bytes_give_it_a_new_url(built_home, tmp_path):
    """The fingerprint follows the file's bytes: an edited style sheet has another URL, and
    the old URL is no longer cached for a year."""
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    app = create_app({"SHEAF_HOME": str(built_home.path), "TESTING": True})
    app.static_folder = str(folder)
    try:
        client = app.test_client()

        def sheet_url() -> str:
            html = client.get("/").get_data(as_text=True)
            return next(u for u in static_urls(html) if "/sheaf.css" in u)

        before = sheet_url()
        assert before.endswith(digest((folder / "sheaf.css").read_bytes()))
        with open(folder / "sheaf.css", "ab") as sheet:
            sheet.write(b"\n.changed { color: #000; }\n")
        after = sheet_url()
        assert after != before and after.endswith(digest((folder / "sheaf.css").read_bytes()))
        assert client.get(after).headers["Cache-Control"] == YEAR
        assert client.get(before).headers["Cache-Control"] == "public, max-age=300"
        assert client.get(after).data.endswith(b".changed { color: #000; }\n")
    finally:
        app.extensions["sheaf.search"].close()
