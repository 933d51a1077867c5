"""Partner embedding (embed.js and the iframe page), OpenSearch and Atom feeds."""

from __future__ import annotations

from lxml import etree

from .conftest import tree

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_embed_js_is_small_cross_origin_and_cached(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert len(response.data) <= 15 * 1024
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=3600" in response.headers["Cache-Control"]
    source = response.get_data(as_text=True)
    # renders into a shadow root and puts data in as text, never as HTML
    assert "attachShadow" in source and "innerHTML" not in source and "eval(" not in source


def test_iframe_page_may_be_framed_and_keeps_its_scope(client):
    response = client.get("/embed?q=Taiwan&filter=library:loc&lang=vi")
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    page = tree(response)
    assert page.find("html")[0]["attrs"]["lang"] == "vi"
    assert [el["attrs"]["value"] for el in page.find("input", type="hidden")] == ["library:loc", "vi"]
    data = client.get("/api/search?q=Taiwan&filter=library:loc").get_json()
    assert len(page.find("li", class_="hit")) == len(data["results"])
    links = [a["attrs"] for a in page.find("a", target="_blank")]
    assert links and all(a["href"].startswith("http://localhost/") and a["rel"] == "noopener"
                         for a in links)


def test_iframe_page_without_a_query_shows_only_the_box(client):
    page = tree(client.get("/embed"))
    assert page.find("input", name="q") and not page.find("li", class_="hit")
    assert client.get("/embed?q=x&sort=nope").status_code == 400


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = etree.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.findtext("os:ShortName", namespaces=ns) == "Sheaf"
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"
    suggest = templates["application/x-suggestions+json"]
    response = client.get(suggest.replace("http://localhost", "").replace("{searchTerms}", "Caosh"))
    typed, completions = response.get_json()
    assert typed == "Caosh" and completions and all(isinstance(c, str) for c in completions)
    # every page points browsers at it
    page = tree(client.get("/"))
    assert page.find("link", rel="search", type="application/opensearchdescription+xml")


def test_atom_feed_of_a_search(client):
    response = client.get("/feed.atom?filter=language:vie&filter=library:vn")
    assert response.mimetype == "application/atom+xml"
    root = etree.fromstring(response.data)
    data = client.get("/api/search?filter=language:vie&filter=library:vn&sort=new").get_json()
    entries = root.findall("a:entry", ATOM)
    assert [e.find("a:link", ATOM).get("href") for e in entries] == [
        f"http://localhost/record/{r['id']}" for r in data["results"]]
    for entry in entries:
        assert entry.findtext("a:id", namespaces=ATOM).startswith("http://localhost/record/")
        assert entry.findtext("a:updated", namespaces=ATOM).endswith("Z")
        assert entry.find("a:author/a:name", ATOM) is not None
    assert root.findtext("a:updated", namespaces=ATOM)
    assert root.find("a:link[@rel='self']", ATOM).get("href").startswith("http://localhost/feed.atom?")
    # newest arrivals first unless asked otherwise: the feed's order is the
    # "new" sort's, and entries carry when each record arrived
    stamps = [e.findtext("a:updated", namespaces=ATOM) for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    by_year = client.get("/feed.atom?filter=language:vie&filter=library:vn&sort=year")
    years = [r["year"] for r in client.get(
        "/api/search?filter=language:vie&filter=library:vn&sort=year").get_json()["results"]
        if r["year"]]
    assert years == sorted(years, reverse=True) and by_year.status_code == 200


def test_search_page_links_its_feed(client):
    page = tree(client.get("/?q=Taiwan"))
    [link] = page.find("link", rel="alternate", type="application/atom+xml")
    assert link["attrs"]["href"] == "/feed.atom?q=Taiwan"
    assert client.get(link["attrs"]["href"]).status_code == 200


def test_feed_limits(client):
    assert client.get("/feed.atom?limit=51").status_code == 400
    assert client.get("/feed.atom?limit=50").status_code == 200
