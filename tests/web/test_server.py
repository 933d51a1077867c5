"""The real server: ``sheaf serve`` (gunicorn) in its own process, asked over HTTP."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from ..support import running_server

pytestmark = pytest.mark.slow

VN_NAME = "Thư viện Quốc gia Việt Nam"


def get(url: str, timeout: float = 10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get_content_type(), response.read()


@pytest.fixture(scope="module")
def server(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("server")) as base:
        yield base


def test_healthz(server):
    status, ctype, body = get(f"{server}/healthz")
    assert (status, ctype, json.loads(body)) == (200, "application/json", {"status": "ok"})


def test_api_search_over_http(server):
    query = urllib.parse.urlencode({"q": "ngoại hối"})
    status, ctype, body = get(f"{server}/api/search?{query}")
    assert (status, ctype) == (200, "application/json")
    data = json.loads(body.decode("utf-8"))
    assert (data["query"], data["total"]) == ("ngoại hối", 1)
    assert [(r["id"], r["holdings"]) for r in data["results"]] == [
        ("vn:00280610", [{"source": "vn", "record_id": "vn:00280610", "name": VN_NAME,
                          "call_number": "HG3973.5 .N45 1999"}])]  # its 050 00


def test_api_error_over_http(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        get(f"{server}/api/search?q=x&limit=abc")
    assert info.value.code == 400
    assert json.loads(info.value.read())["error"]["message"] == \
        "limit must be a whole number, not 'abc'"


def test_search_page_over_http(server):
    status, ctype, body = get(f"{server}/?{urllib.parse.urlencode({'q': '民进党'})}")
    assert (status, ctype) == (200, "text/html")
    # the query's words are marked in the title: compare the text without the <mark>s
    assert "草山小蛇與民進黨的頭人們" in re.sub(r"</?mark>", "", body.decode("utf-8"))
