"""The real server: ``sheaf serve`` (gunicorn) in its own process, asked over HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.slow

VN_NAME = "Thư viện Quốc gia Việt Nam"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get_content_type(), response.read()


@pytest.fixture(scope="module")
def server(built_home, tmp_path_factory):
    port = free_port()
    logs = tmp_path_factory.mktemp("server")
    env = {k: v for k, v in os.environ.items() if k != "SHEAF_HOME"}
    env["HOME"] = str(logs)  # gunicorn keeps its control socket under $HOME
    out = open(logs / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "discovery.cli", "--home", str(built_home.path), "serve",
         "--port", str(port), "--workers", "1"],
        stdout=out, stderr=subprocess.STDOUT, env=env, cwd=logs)

    def stop():
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        out.close()

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}: "
                            f"{(logs / 'server.log').read_text(errors='replace')}")
            try:
                if get(f"{base}/healthz", timeout=2)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not answer /healthz within 30 s: "
                            f"{(logs / 'server.log').read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        stop()


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
