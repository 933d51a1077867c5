"""Rebuilds and updates while readers search a real server: no errors, no empty pages.

``sheaf serve`` (gunicorn, two workers) runs on a free loopback port; two
threads search it without pause, one the JSON API and one the HTML page,
while ``sheaf index --rebuild`` runs twice (the second one deletes the
generation the server started on) and an import is indexed incrementally.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from indexer.generations import IndexDir

from ..support import FIXTURES, running_server
from .helpers import build_home, ok, sheaf

# readers search without pause while rebuilds run: on a machine of its own
pytestmark = [pytest.mark.slow, pytest.mark.solo]

API_QUERY = "Việt Nam"          # three titles of the Vietnamese fixture
PAGE_QUERY = "民进党"            # LC 00409591, found by its traditional 880 title
PAGE_TITLE = "草山小蛇與民進黨的頭人們"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("under-load")
    home = build_home(root / "home", {
        "vn": ("Thư viện Quốc gia Việt Nam", FIXTURES / "vietnamese_nfd_titles.mrc"),
        "tw": ("Taiwan collection", FIXTURES / "chinese_880_traditional.mrc"),
        "lc": ("Library of Congress", FIXTURES / "multilingual_lc_50.mrc")})
    with running_server(home, root, workers=2) as base:
        yield home, base


class Searcher(threading.Thread):
    """Asks one URL again and again until stopped; records every failure and the count."""

    def __init__(self, url: str, check):
        super().__init__(daemon=True)
        self.url, self.check = url, check
        self.stop = threading.Event()
        self.requests = 0
        self.failures: list[str] = []

    def run(self):
        deadline = time.monotonic() + 120  # bounded, whatever happens
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=20) as response:
                    problem = self.check(response.status, response.read().decode("utf-8"))
            except (urllib.error.URLError, OSError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            self.requests += 1
            if problem:
                self.failures.append(f"request {self.requests}: {problem}")
            time.sleep(0.02)  # continuous, but leaving the indexer some CPU


def api_check(status, body):
    if status != 200:
        return f"status {status}"
    data = json.loads(body)
    if data["total"] < 3 or not data["results"]:
        return f"empty result: total {data['total']}, {len(data['results'])} results"
    return None


def page_check(status, body):
    if status != 200:
        return f"status {status}"
    if PAGE_TITLE not in re.sub(r"<[^>]+>", "", body):  # highlighting may split it
        return "the result page lacks the expected title"
    return None


def generation_served(base) -> str:
    with urllib.request.urlopen(f"{base}/status.json", timeout=10) as r:
        return json.loads(r.read())["index"]["generation"]


def test_searches_keep_working_through_rebuilds_and_updates(served):
    home, base = served
    index = IndexDir(home / "index")
    started_on = index.current().name
    searchers = [
        Searcher(f"{base}/api/search?{urllib.parse.urlencode({'q': API_QUERY})}", api_check),
        Searcher(f"{base}/?{urllib.parse.urlencode({'q': PAGE_QUERY})}", page_check)]
    for s in searchers:
        s.start()
    try:
        time.sleep(0.5)
        counts = [sum(s.requests for s in searchers)]
        ok(sheaf(home, "index", "--rebuild"))
        first = index.current().name
        ok(sheaf(home, "index", "--rebuild"))  # removes the generation the workers started on
        second = index.current().name
        ok(sheaf(home, "import", "--source", "vn", str(FIXTURES / "vietnamese_old_tone_hoa.mrc")))
        assert " records mapped " in ok(sheaf(home, "index"))
        third = index.current().name  # an update goes live as a generation of its own
        time.sleep(1.5)  # workers look at CURRENT at most once a second
        counts.append(sum(s.requests for s in searchers))
    finally:
        for s in searchers:
            s.stop.set()
        for s in searchers:
            s.join(timeout=30)
    failures = [f for s in searchers for f in s.failures]
    assert failures == []
    assert len({started_on, first, second, third}) == 4
    assert [p.name for p in index.generations()] == [second, third]
    assert generation_served(base) == third
    # the readers were really reading during the switches (the count is printed for reports)
    during = counts[1] - counts[0]
    print(f"requests during the rebuilds and update: {during}"
          f" ({', '.join(f'{s.requests}' for s in searchers)} in all)")
    assert during >= 20, counts
    assert all(s.requests >= 10 for s in searchers)
