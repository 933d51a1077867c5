"""Web fixtures: the app over the session index, and a second small home made for the
web tests: two libraries holding the same records (clusters with several members)
and records written to attack the pages (markup and script URLs in every field)."""

from __future__ import annotations

from html.parser import HTMLParser

import pymarc
import pytest

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from web import create_app
from discovery.engines import open_index

from ..conftest import engine_home
from ..support import FIXTURES

# The hostile record's values: each must reach the page as text, never as markup.
HOSTILE = {
    "id": "evil:x1",
    "title": '<script>alert("title")</script>',
    "author": "<img src=x onerror=alert(1)>",
    "subject": '"><svg onload=alert(2)>',
    "summary": "</textarea><script>alert(3)</script>",
    "bad_url": "javascript:alert(4)",
    "good_url": "https://example.org/ok?a=1&b=2",
}


def hostile_records() -> bytes:
    rec = pymarc.Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    rec.add_field(pymarc.Field(tag="001", data="x1"))
    rec.add_field(pymarc.Field(tag="008", data="990101s1999    xxu           000 0 eng d"))
    sub = pymarc.Subfield
    rec.add_field(pymarc.Field(tag="100", indicators=["1", " "],
                               subfields=[sub("a", HOSTILE["author"])]))
    rec.add_field(pymarc.Field(tag="245", indicators=["1", "0"],
                               subfields=[sub("a", HOSTILE["title"])]))
    rec.add_field(pymarc.Field(tag="520", indicators=[" ", " "],
                               subfields=[sub("a", HOSTILE["summary"])]))
    rec.add_field(pymarc.Field(tag="650", indicators=[" ", "0"],
                               subfields=[sub("a", HOSTILE["subject"])]))
    for url in (HOSTILE["bad_url"], HOSTILE["good_url"]):
        rec.add_field(pymarc.Field(tag="856", indicators=["4", "0"], subfields=[sub("u", url)]))
    return rec.as_marc()


@pytest.fixture(scope="session")
def web_home(tmp_path_factory, engine, request) -> Home:
    path = tmp_path_factory.mktemp(f"web-home-{engine}")
    hostile = path / "hostile.mrc"
    hostile.write_bytes(hostile_records())
    home = engine_home(path / "home", engine, request)
    files = {"loc": ["chinese_880_simplified.mrc", "vietnamese_nfd_titles.mrc"],
             "hust": ["chinese_880_simplified.mrc"]}
    home.add_source(Source(code="loc", name="Library of Congress", kind="marc",
                           path=str(FIXTURES / files["loc"][0])))
    home.add_source(Source(code="hust", name="华中科技大学图书馆", kind="marc",
                           path=str(FIXTURES / files["hust"][0]),
                           catalog_url="https://opac.example.edu/record/{local_id}"))
    home.add_source(Source(code="evil", name="<b>Evil</b> & Co", kind="marc", path=str(hostile)))
    with RecordStore(home.store_path) as store:
        for code, names in files.items():
            summary = import_files(home, store, code, [str(FIXTURES / n) for n in names])
            assert summary.rejected == []
        assert import_files(home, store, "evil", [str(hostile)]).rejected == []
        report = build.rebuild(home, store, open_index(home))
    assert report.failed == []
    return Home.load(home.path)


@pytest.fixture(scope="session")
def app(built_home):
    app = create_app({"SHEAF_HOME": str(built_home.path), "TESTING": True})
    yield app
    app.extensions["sheaf.search"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def web_app(web_home):
    app = create_app({"SHEAF_HOME": str(web_home.path), "TESTING": True})
    yield app
    app.extensions["sheaf.search"].close()


@pytest.fixture
def web_client(web_app):
    return web_app.test_client()


class Tree(HTMLParser):
    """A page as a list of (tag, attrs, text inside) for the elements that matter in tests."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "col", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(el)
        if tag not in self.VOID:
            self._open.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": ""})

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for el in self._open:
            el["text"] += data

    def find(self, tag=None, **attrs) -> list[dict]:
        """Elements with this tag whose attributes include these (class_ for class, as a word)."""
        out = []
        for el in self.elements:
            if tag and el["tag"] != tag:
                continue
            ok = True
            for key, value in attrs.items():
                key = key.rstrip("_").replace("_", "-")
                have = el["attrs"].get(key)
                if key == "class":
                    ok = have is not None and value in have.split()
                elif value is True:
                    ok = key in el["attrs"]
                else:
                    ok = have == value
                if not ok:
                    break
            if ok:
                out.append(el)
        return out

    def texts(self, tag=None, **attrs) -> list[str]:
        return [" ".join(el["text"].split()) for el in self.find(tag, **attrs)]


def tree(response) -> Tree:
    return Tree(response.get_data(as_text=True))
