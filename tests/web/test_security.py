"""Escaping, security headers, no inline script or style, no open redirect, and fuzzing
every endpoint's parameters: no malformed parameter gives a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from web.display import safe_url

from .conftest import HOSTILE, Tree, tree

PAGES = ["/", "/?q=Taiwan", "/?q=Caoshn", "/advanced", "/record/loc:00409591",
         "/staff/loc:00409591", "/embed?q=Taiwan", "/record/nope", "/?sort=bad",
         "/list?id=loc:00409591&id=nope", "/list"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_csp_and_referrer_policy(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    framing = directives["frame-ancestors"]
    assert framing == ("*" if url.startswith("/embed") else "'self'")


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style(client, url):
    page = tree(client.get(url))
    for el in page.elements:
        assert el["tag"] != "style", url
        if el["tag"] == "script":
            assert el["attrs"].get("src") and not el["text"].strip(), url
        assert "style" not in el["attrs"], (url, el)
        assert not [a for a in el["attrs"] if a.startswith("on")], (url, el)
        for attr in ("href", "src", "action"):
            assert not (el["attrs"].get(attr) or "").lower().startswith("javascript:"), (url, el)


def test_a_hostile_record_shows_as_text(web_client):
    for url in ("/?q=alert", f"/record/{HOSTILE['id']}", f"/staff/{HOSTILE['id']}",
                "/embed?q=alert", f"/list?id={HOSTILE['id']}"):
        response = web_client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        for key in ("title", "author", "subject", "summary"):
            assert HOSTILE[key] not in html, (url, key)
        page = Tree(html)
        assert not [el for el in page.elements if el["tag"] in ("img", "svg") and "onerror" in el["attrs"]]
        assert [el for el in page.elements if el["tag"] == "script"] == \
            [el for el in page.elements if el["tag"] == "script" and el["attrs"].get("src")]
        text = " ".join(el["text"] for el in page.elements if el["tag"] == "body")
        assert HOSTILE["title"] in text, url  # shown, as text
    page = tree(web_client.get(f"/record/{HOSTILE['id']}"))
    hrefs = [a["attrs"].get("href", "") for a in page.find("a")]
    assert HOSTILE["good_url"] in hrefs
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert HOSTILE["bad_url"] not in " ".join(page.texts())  # dropped by the mapping
    assert "<b>Evil</b> & Co" in " ".join(page.texts("th"))
    # the APA reference's italics are the only markup in it: the title inside is text
    italic = [el for el in page.elements if el["tag"] == "i"]
    assert [el["text"] for el in italic] == [HOSTILE["title"]]
    assert HOSTILE["title"] in " ".join(page.texts("p", id="cite-apa"))
    mail = next(a for a in tree(web_client.get(f"/list?id={HOSTILE['id']}")).find("a")
                if a["attrs"].get("class") == "mail-list")["attrs"]["href"]
    assert mail.startswith("mailto:?subject=") and not set(mail) & set("<>\" \n")


def test_highlight_markup_in_a_hostile_title_is_escaped(web_client):
    data = web_client.get("/api/search?q=alert title").get_json()
    [hit] = data["results"]
    assert hit["highlights"]["title"]
    html = web_client.get("/?q=alert title").get_data(as_text=True)
    assert "<mark>alert</mark>(&#34;<mark>title</mark>&#34;)" in html or \
        "<mark>alert</mark>(&quot;<mark>title</mark>&quot;)" in html
    assert "&lt;script&gt;" in html


def test_hostile_values_in_the_feed_and_exports_are_escaped(web_client):
    from lxml import etree
    feed = web_client.get("/feed.atom?q=alert")
    root = etree.fromstring(feed.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.xpath("//a:entry/a:title/text()", namespaces=ns) == [HOSTILE["title"]]
    bib = web_client.get(f"/export/bibtex/{HOSTILE['id']}").get_data(as_text=True)
    assert bib.count("{") - bib.count(r"\{") == bib.count("}") - bib.count(r"\}")


@pytest.mark.parametrize("url, expected", [
    ("https://example.org/a", "https://example.org/a"),
    ("http://x.y", "http://x.y"),
    (" HTTPS://example.org ", "HTTPS://example.org"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,<script>", None),
    ("//evil.example/x", None),
    ("https:/nohost", None),
    ("http://[bad", None),
    ("", None),
])
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize("target, where", [
    ("/?q=x", "/?q=x"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("", "/"),
    # issue 17: browsers strip tab, CR and LF, so "/<TAB>/evil" was "//evil"
    ("/\t/evil.example.org", "/"),
    ("/\r\n/evil.example.org", "/"),
    ("/\r\nSet-Cookie: x=1", "/"),
    ("/%0d%0aSet-Cookie:x", "/"),
    ("/%09/evil.example.org", "/"),
    ("/%2F/evil.example.org", "/"),
    ("/%2f%2fevil.example.org", "/"),
    ("/%5Cevil.example.org", "/"),
    ("/%252F/evil.example.org", "/"),
    ("\\/evil.example.org", "/"),
    ("https://evil.example.org/", "/"),
    ("HTTPS:evil.example.org", "/"),
    (" /evil", "/"),
    ("/\u3000/evil.example.org", "/"),
    ("/\u2028/evil.example.org", "/"),
    ("/\u00a0/evil.example.org", "/"),
    ("/\u200b/evil.example.org", "/"),
    ("/\x00/evil", "/"),
    ("/record/loc%3A00409591?q=H%C3%A0%20N%E1%BB%99i",
     "/record/loc%3A00409591?q=H%C3%A0%20N%E1%BB%99i"),
    ("/advanced?lang=zh#top", "/advanced?lang=zh#top"),
])
def test_language_switch_never_redirects_off_site(client, target, where):
    response = client.get("/lang/vi", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == where
    assert response.headers["Set-Cookie"].startswith("sheaf_lang=vi;")


def test_the_language_links_on_a_page_come_back_to_it(client):
    """The page's own link (the path quoted) passes the check: the switch comes back."""
    page = client.get("/record/loc:00409591")
    links = [el["attrs"]["href"] for el in tree(page).elements
             if el["tag"] == "a" and el["attrs"].get("hreflang") == "zh-Hans"]
    assert len(links) == 1
    response = client.get(links[0])
    assert response.status_code == 303
    assert response.headers["Location"] == "/record/loc%3A00409591"
    assert client.get(response.headers["Location"]).status_code == 200


# -- fuzzing ---------------------------------------------------------------------

PARAMS = ["q", "field", "filter", "year_from", "year_to", "sort", "page", "limit", "facets",
          "facet_limit", "facet_search", "row_field", "row_op", "row_text", "lang", "marc",
          "kinds", "next", "callback", "x", "id", "format"]
ENDPOINTS = ["/", "/advanced", "/embed", "/feed.atom", "/api/search", "/api/suggest",
             "/api/libraries", "/opensearch/suggest", "/record/{id}", "/staff/{id}",
             "/export/ris/{id}", "/export/marc/{id}", "/api/record/{id}", "/lang/{id}",
             "/export/{id}", "/export", "/list"]

values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "1", "999999999999", "1e3", "１２", "١٢", "AND", "NOT",
                     "language:vie", "year:1990-", "year:-", "library:-", ":", "-", "title:(",
                     "\"", "(", ")", "*", "?", "%", "\x00", "x" * 1200, "subject:Japan",
                     "loc:00409591", "vi", "zh", "xml", "title,author", "marcxml", "gbt7714"]),
    st.integers(-10**12, 10**12).map(str),
)
args = st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=6)
path_ids = st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(
    ["loc:00409591", "vn:00280610", "loc:", ":", "a/b", "..", "%2F", "x" * 600]))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=args, record_id=path_ids)
def test_no_parameter_gives_a_500(client, endpoint, query, record_id):
    path = endpoint.replace("{id}", quote(record_id, safe=""))
    response = client.get(path, query_string=query)
    assert response.status_code < 500, \
        (path, query, response.status_code, response.get_data(as_text=True)[:500])
    if path.startswith("/api/") and response.status_code >= 400:
        error = response.get_json()["error"]
        assert set(error) == {"status", "type", "message"}
        assert error["status"] == response.status_code
