"""Online copies over HTTP, against a real ``sheaf serve``: the online facet and filter,
the result line's badge, the record page's "Online access" section, hostile URLs, and an
update that takes a record's 856 away read like a rebuild.

The fixture is tests/fixtures/online_856.mrc (PROVENANCE.md); what each record should
show comes from tests/online_support.py.
"""

from __future__ import annotations

import pytest

from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from indexer.hant import to_hant
from discovery.engines import open_index

from .. import readback
from ..online_support import (EXPECTED, FIXTURE, GONE, ONLINE, WITH_LINKS, make_home,
                              marc_records, oracle, without_856)
from ..support import running_server
from .conftest import Tree

@pytest.fixture(scope="module")
def site(tmp_path_factory, engine, request):
    home = make_home(tmp_path_factory.mktemp("online-home"), engine, request, [FIXTURE])
    with running_server(home.path, tmp_path_factory.mktemp("online-server")) as base:
        yield readback.HttpReader(base)


def page(reader, path, params=None) -> tuple[str, Tree]:
    status, body = reader.get(path, params)
    assert status == 200, (path, params, status, body[:300])
    html = body.decode("utf-8")
    return html, Tree(html)


def test_the_fixture_has_online_and_offline_records():
    # the oracle itself: both kinds present, so the tests below can fail either way
    assert len(ONLINE) >= 5 and len(set(EXPECTED) - ONLINE) >= 3
    assert any(e["related"] and not e["access"] for e in EXPECTED.values())


def test_facet_counts_and_filter_returns_the_records_with_access_links(site):
    found = readback.search_all(site, {"q": "", "facets": "online"})
    assert found["total"] == len(EXPECTED)
    assert found["facets"]["online"] == [
        {"value": "yes", "count": len(ONLINE), "label": "Available online"}]
    online = readback.search_all(site, {"q": "", "filter": "online:yes"})
    assert {h["id"] for h in online["results"]} == ONLINE
    assert {h["id"] for h in online["results"] if h["links"]} == WITH_LINKS
    offline = readback.search_all(site, {"q": "", "filter": "online:-yes"})
    assert {h["id"] for h in offline["results"]} == set(EXPECTED) - ONLINE
    assert all(h["links"] == [] for h in offline["results"])
    # the facet's own page (every value of a facet) counts the same
    _html, tree = page(site, "/browse/facet/online", {"q": ""})
    assert [" ".join(t.split()) for t in tree.texts("span", class_="count")] == [str(len(ONLINE))]


def test_the_api_gives_access_links_in_order_and_related_ones_apart(site):
    for rid, want in EXPECTED.items():
        record = readback.get_json(site, f"/api/record/{rid}")
        kinds = [link["kind"] for link in record["links"]]
        access = [link["url"] for link in record["links"] if link["kind"] != "related"]
        related = [link["url"] for link in record["links"] if link["kind"] == "related"]
        assert (access, related) == (want["access"], want["related"]), rid
        assert kinds == sorted(kinds, key=lambda k: k == "related"), rid   # access first
    iiif = readback.get_json(site, "/api/record/lc:00287360")["links"]
    assert [link["kind"] for link in iiif] == ["iiif"]


def test_result_lines_show_the_first_access_link(site):
    _html, tree = page(site, "/", {"q": "", "limit": 50})
    badges = tree.find("a", class_="online-badge")
    assert sorted(a["attrs"]["href"] for a in badges) == \
        sorted(EXPECTED[rid]["access"][0] for rid in WITH_LINKS)
    assert all("noopener" in a["attrs"]["rel"].split() for a in badges)
    assert [a["text"] for a in badges] == ["Online"] * len(WITH_LINKS)


def test_record_page_lists_every_link_escaped_related_apart(site):
    # Kavalier and Clay: 42 biography, 41 "Sample text", 42 description, all LC's
    # enhancements: related, and so not online although one says 41 (a version)
    html, tree = page(site, "/record/lc:11939876")
    assert not tree.find("section", class_="online-access")
    assert tree.find("section", class_="online-related")
    links = {a["attrs"]["href"]: a for a in tree.find("a") if "noopener" in
             a["attrs"].get("rel", "")}
    assert EXPECTED["lc:11939876"]["access"] == []
    for url in EXPECTED["lc:11939876"]["related"]:
        assert url in links, url
    kinds = [li["attrs"]["data-kind"] for li in tree.find("li", class_="online-link")]
    assert kinds == ["related", "related", "related"]
    _html, getty = page(site, "/record/lc:9933522211901551")   # two 40s: access
    assert [a["attrs"]["href"] for a in getty.find("a") if a["attrs"].get("href") in
            EXPECTED["lc:9933522211901551"]["access"]] == \
        EXPECTED["lc:9933522211901551"]["access"]
    assert getty.find("section", class_="online-access")
    # a label with markup in it is text, not markup
    html, tree = page(site, "/record/lc:00287360")
    assert "Digitised copy &lt;i&gt;&amp; viewer&lt;/i&gt;" in html
    assert "Digitised copy <i>& viewer</i>" in " ".join(tree.texts("li"))
    assert not [el for el in tree.elements if el["tag"] == "i"
                and "viewer" in el.get("text", "")]


def test_hostile_urls_are_dropped_and_the_rest_escaped(site):
    html, tree = page(site, "/record/lc:00287359")
    assert "javascript:" not in html.lower() and "data:text" not in html.lower()
    assert not tree.find("section", class_="online-access")
    [link] = [a for a in tree.find("a") if "catdir/toc" in a["attrs"].get("href", "")]
    assert link["attrs"]["href"] == EXPECTED["lc:00287359"]["related"][0]
    assert "onmouseover" not in link["attrs"]
    assert "<script>" not in html.split("<body", 1)[1].replace("<script src", "")
    _html, hits = page(site, "/", {"q": "potáveis"})
    assert not hits.find("a", class_="online-badge")


def test_an_update_removing_856_reads_like_a_rebuild(tmp_path, engine, request):
    changed = tmp_path / "changed.mrc"
    changed.write_bytes(without_856(GONE))
    live = make_home(tmp_path / "live", engine, request, [FIXTURE])
    with RecordStore(live.store_path) as store:
        assert import_files(live, store, "lc", [str(changed)]).rejected == []
        build.update(live, store, open_index(live))
    twin = make_home(tmp_path / "twin", engine, request, [FIXTURE, changed])
    for name in ("s1", "s2"):
        (tmp_path / name).mkdir()
    with running_server(live.path, tmp_path / "s1") as a, \
            running_server(twin.path, tmp_path / "s2") as b:
        got_reader, want_reader = readback.HttpReader(a), readback.HttpReader(b)
        got = readback.picture(got_reader, ["", "Bowie"], ["online:yes", "online:-yes"], [])
        want = readback.picture(want_reader, ["", "Bowie"], ["online:yes", "online:-yes"], [])
        assert readback.differences(got, want) == []
        online = readback.search_all(got_reader, {"q": "", "filter": "online:yes"})
    # its 007 still says "cr" (a remote electronic resource): online without a link
    assert oracle(marc_records(changed.read_bytes()))[f"lc:{GONE}"] == {
        "access": [], "related": [], "online": True}
    assert {h["id"] for h in online["results"]} == ONLINE
    assert [h["links"] for h in online["results"] if h["id"] == f"lc:{GONE}"] == [[]]
    assert got["search"]["''"]["facets"]["online"] == {"yes": len(ONLINE)}


def test_the_facet_value_is_labelled_in_the_readers_language(site):
    labels = {}
    for lang in ("en", "zh", "zh-Hant", "vi"):
        found = readback.get_json(site, "/api/search", {"q": "", "facets": "online",
                                                        "lang": lang})
        labels[lang] = found["facets"]["online"][0]["label"]
    # the traditional label is derived (indexer.hant, with Taiwan's 線上 for 在线)
    assert labels == {"en": "Available online", "zh": "可在线获取",
                      "zh-Hant": to_hant("可在线获取"), "vi": "Có bản trực tuyến"}
    assert labels["zh-Hant"] != labels["zh"]


def test_the_feed_and_the_iframe_show_the_online_badge(site):
    status, body = site.get("/feed.atom", {"q": "", "limit": 50})
    assert status == 200
    from lxml import etree
    atom = {"a": "http://www.w3.org/2005/Atom"}
    feed = etree.fromstring(body)
    online = {e.findtext("a:id", namespaces=atom).rsplit("/record/", 1)[1]:
              [link.get("href") for link in e.findall("a:link[@rel='related']", atom)]
              for e in feed.findall("a:entry", atom)}
    assert len(online) == len(EXPECTED)
    assert {rid: links for rid, links in online.items() if links} == {
        rid: [EXPECTED[rid]["access"][0]] for rid in WITH_LINKS}
    summaries = [e.findtext("a:summary", namespaces=atom) for e in feed.findall("a:entry", atom)]
    assert sum("Online." in s for s in summaries) == len(WITH_LINKS)
    # the iframe mode: the same badge, opening outside the frame
    hit = next(h for h in readback.search_all(site, {"q": "", "filter": "online:yes"})["results"])
    _html, tree = page(site, "/embed", {"q": hit["title"]})
    badges = tree.find("a", class_="online-badge")
    assert EXPECTED[hit["id"]]["access"][0] in [a["attrs"]["href"] for a in badges]
    assert all(a["attrs"]["target"] == "_blank" for a in badges)
