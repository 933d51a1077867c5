"""The Flask app over the session's real index: the HTML page and the JSON API side by side."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from harvest.config import Home
from web import create_app

VN_NAME = "Thư viện Quốc gia Việt Nam"
VOID = {"meta", "link", "input", "br", "img", "hr"}


class Page(HTMLParser):
    """The parts of the search page a reader sees: hits, holdings, summary, error, pager."""

    def __init__(self, html: str):
        super().__init__()
        self.hits: list[dict] = []
        self.summary = self.error = None
        self.list_start = None
        self.links: dict[str, str] = {}
        self.form_value = None
        self._in: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if tag in VOID:
            if tag == "input" and a.get("name") == "q":
                self.form_value = a.get("value")
            return
        marker = None
        if tag == "li" and cls == "hit":
            self.hits.append({"title": "", "vernacular": None, "holdings": []})
        elif tag == "h3" and cls == "title":
            marker = "title"
        elif tag == "span" and cls == "vernacular" and self.hits:   # not the home's arrivals
            marker = "vernacular"
            self.hits[-1]["vernacular"] = ""
        elif tag == "span" and cls == "holding":
            marker = "holding"
            self.hits[-1]["holdings"].append([a["data-source"], ""])
        elif tag == "p" and cls == "summary":
            marker = "summary"
            self.summary = ""
        elif tag == "p" and cls == "error":
            marker = "error"
            self.error = ""
        elif tag == "ol" and cls == "hits":
            self.list_start = int(a["start"])
        elif tag == "a" and a.get("rel"):
            self.links[a["rel"]] = a["href"]
        self._in.append(marker)

    def handle_endtag(self, tag):
        if tag not in VOID:
            self._in.pop()

    def handle_data(self, data):
        # text belongs to the innermost marked element (links and <mark>s sit inside them)
        where = next((m for m in reversed(self._in) if m), None)
        if where == "title":
            self.hits[-1]["title"] += data
        elif where == "vernacular":
            self.hits[-1]["vernacular"] += data
        elif where == "holding":
            self.hits[-1]["holdings"][-1][1] += data
        elif where == "summary":
            self.summary += data
        elif where == "error":
            self.error += data
        elif "summary" in self._in and self.summary is not None:
            self.summary += data


def page(client, url: str) -> tuple[int, Page]:
    response = client.get(url)
    return response.status_code, Page(response.get_data(as_text=True))


def test_front_page_is_the_search_form(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<form class="search" role="search" method="get" action="/">' in html
    parsed = Page(html)
    assert parsed.form_value == ""
    assert parsed.hits == [] and parsed.summary is None and parsed.error is None
    assert "<title>Sheaf</title>" in html


def test_results_show_titles_and_holding_library_names(client):
    status, parsed = page(client, "/?q=民进党")
    assert status == 200
    assert parsed.summary.split() == ["1", "result", "for", "民进党"]
    assert parsed.form_value == "民进党"
    assert [(h["title"].strip(), h["vernacular"], h["holdings"]) for h in parsed.hits] == [
        ("Caoshan xiao she yu Min jin dang de tou ren men", "草山小蛇與民進黨的頭人們",
         [["loc", "Library of Congress"]]),
    ]


def test_vietnamese_library_name_on_the_page(client):
    status, parsed = page(client, "/?q=ngoại hối")
    assert status == 200
    assert [h["holdings"] for h in parsed.hits] == [[["vn", VN_NAME]]]
    assert parsed.hits[0]["title"].strip() == (
        "Đổi mới và hoàn thiện chính sách quản lý ngoại hối ở Việt Nam")


def test_api_search_json_shape(client):
    response = client.get("/api/search?q=Caoshan")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    # the issue-2 contract's keys, plus what discovery added (README, "Web and API")
    assert set(data) == {"query", "total", "page", "limit", "results", "facets",
                         "sort", "filters", "year_histogram", "suggestion", "partial"}
    assert (data["query"], data["total"], data["page"], data["limit"]) == ("Caoshan", 1, 1, 20)
    [hit] = data["results"]
    assert {k: hit[k] for k in ("id", "title", "title_vernacular", "authors", "year",
                                "languages", "holdings")} == {
        "id": "loc:00409591",
        "title": "Caoshan xiao she yu Min jin dang de tou ren men",
        "title_vernacular": "草山小蛇與民進黨的頭人們",
        "authors": ["Chen, Wanzhen, 1950-"],
        "year": 1997,
        "languages": ["chi"],
        # no 852/952: the holding is the source library, LC's 050 00 its call number
        "holdings": [{"source": "loc", "record_id": "loc:00409591",
                      "name": "Library of Congress", "call_number": "JQ1519.A5747 C446 1997"}],
    }
    # the query word is marked in the title: "Caoshan" is its first 7 characters
    assert hit["highlights"]["title"] == [[0, 7]]
    assert data["facets"]["library"] == [{"value": "loc", "count": 1,
                                          "label": "Library of Congress"}]
    assert data["facets"]["language"] == [{"value": "chi", "count": 1, "label": "Chinese"}]
    assert data["year_histogram"] == [{"start": 1990, "end": 1999, "count": 1}]
    assert "草山小蛇" in response.get_data(as_text=True)  # UTF-8, not \u escapes


@pytest.mark.parametrize("query", ["Hà Nội", "", "year:1999", "Taiwan"])
@pytest.mark.parametrize("pg", [1, 2])
def test_html_and_json_show_the_same_hits_in_the_same_order(client, query, pg):
    # The page shows no record ids, so hits are compared by what both show: title,
    # vernacular title and holding libraries, in order.
    data = client.get("/api/search", query_string={"q": query, "page": pg, "limit": 4}).get_json()
    status, parsed = page(client, f"/?q={query}&page={pg}&limit=4")
    assert status == 200
    from_json = [(r["title"], r["title_vernacular"],
                  [[h["source"], h["name"]] for h in r["holdings"]]) for r in data["results"]]
    from_html = [(h["title"].strip(), h["vernacular"], h["holdings"]) for h in parsed.hits]
    assert from_html == from_json
    if pg == 1:
        assert from_json  # every query here has hits on its first page
    assert parsed.list_start == (pg - 1) * 4 + 1
    assert parsed.summary.split()[0] == str(data["total"])
    if data["total"] > 4 * pg:
        assert parsed.links["next"].startswith("/?")
        assert f"page={pg + 1}" in parsed.links["next"]


@pytest.mark.parametrize("args, message", [
    ({"limit": "abc"}, "limit must be a whole number, not 'abc'"),
    ({"page": "zwei"}, "page must be a whole number, not 'zwei'"),
    ({"page": "0"}, "page must be 1 or more"),
    ({"limit": "0"}, "limit must be between 1 and 100"),
    ({"limit": "1000"}, "limit must be between 1 and 100"),
    ({"page": "501"}, "page 501 is too deep"),
    ({"q": "year:abc"}, "year:abc is not a year; use e.g. year:1997 or year:1990-2000"),
])
def test_api_bad_requests_are_400_with_one_error_shape(client, args, message):
    response = client.get("/api/search", query_string={"q": "x", **args})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"status", "type", "message"}
    assert (error["status"], error["type"]) == (400, "bad_request")
    assert error["message"].startswith(message)


@pytest.mark.parametrize("args, message", [
    ("q=x&page=0", "page must be 1 or more"),
    ("q=x&limit=abc", "limit must be a whole number, not 'abc'"),
    ("q=year:abc", "year:abc is not a year"),
])
def test_page_bad_requests_are_400_with_the_message(client, args, message):
    status, parsed = page(client, f"/?{args}")
    assert status == 400
    assert message in parsed.error
    assert parsed.hits == []


# regression: the 404 handler was registered on the blueprint, which Flask never
# routes an unknown URL to, so /api/nope got an HTML page
def test_unknown_api_endpoint_is_a_json_404(client):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"status": 404, "type": "not_found",
                                             "message": "no such API endpoint"}}


def test_reader_input_is_escaped_in_the_page(client):
    response = client.get("/?q=<script>alert(1)</script>")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_site_name_setting_is_shown(tmp_path):
    home = Home.init(tmp_path)
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text.replace('site_name = "Sheaf"', 'site_name = "联合目录"'),
                                encoding="utf-8")
    app = create_app({"SHEAF_HOME": str(tmp_path), "TESTING": True})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "<title>联合目录</title>" in html


def test_without_an_index_the_api_says_503(tmp_path):
    Home.init(tmp_path)
    client = create_app({"SHEAF_HOME": str(tmp_path), "TESTING": True}).test_client()
    response = client.get("/api/search?q=x")
    assert response.status_code == 503
    assert response.get_json() == {"error": {
        "status": 503, "type": "index_unavailable",
        "message": "there is no index yet: run `sheaf index`"}}
    assert client.get("/?q=x").status_code == 503
    assert client.get("/healthz").status_code == 200
