"""SRU at /sru, searched by real peers over HTTP in a real server process: the sruthi
client library, Index Data's yaz-client (Debian's yaz), and plain HTTP for the
diagnostics.

Expected values come from the fixtures or from the site's JSON API, searched
on the same server: an SRU search and the API's search for the same thing
must find the same works in the same order.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request

import hypothesis.strategies as st
import pytest
import sruthi
from hypothesis import HealthCheck, given, settings
from lxml import etree
from werkzeug.datastructures import MultiDict

from harvest.config import Home
from web.sru import traffic

from ..support import running_server

SRW = "http://www.loc.gov/zing/srw/"
SRU2 = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
MARC = "http://www.loc.gov/MARC21/slim"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"srw": SRW, "sru": SRU2, "marc": MARC, "dc": DC,
      "diag": "http://www.loc.gov/zing/srw/diagnostic/"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("sru-server")) as base:
        yield base


@pytest.fixture(scope="module")
def shared_server(web_home, tmp_path_factory):
    """Two libraries holding the same records: clusters with two holdings."""
    with running_server(web_home.path, tmp_path_factory.mktemp("sru-shared")) as base:
        yield base


def fetch(base: str, params=None, method: str = "GET", data: bytes | None = None):
    url = f"{base}/sru" + (f"?{urllib.parse.urlencode(params, doseq=True)}" if params else "")
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, response.headers["Content-Type"], response.read()


def sru(base: str, **params):
    params.setdefault("version", "1.2")
    params.setdefault("operation", "searchRetrieve")
    status, kind, body = fetch(base, params)
    assert status == 200 and kind.startswith("text/xml")
    return etree.fromstring(body, _PARSER)


def api(base: str, **params) -> dict:
    params.setdefault("facets", "")
    url = f"{base}/api/search?{urllib.parse.urlencode(params, doseq=True)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def api_ids(base: str, q: str, **params) -> list[str]:
    return [r["id"] for r in api(base, q=q, limit=100, **params)["results"]]


def dc_ids(root) -> list[str]:
    """The Sheaf id (the last dc:identifier without urn:) of each dc record."""
    out = []
    for rec in root.iterfind(".//srw:record", NS):
        ids = [e.text for e in rec.iterfind(".//dc:identifier", NS)
               if not e.text.startswith("urn:")]
        out.append(ids[-1])
    return out


def diagnostic(root) -> str:
    uris = root.xpath("//*[local-name()='diagnostic']/*[local-name()='uri']/text()")
    assert len(uris) == 1, etree.tostring(root)
    return uris[0]


# -- explain -------------------------------------------------------------------


def test_bare_get_is_an_explain_listing_indexes_schemas_and_limits(server, built_home):
    status, kind, body = fetch(server)
    root = etree.fromstring(body, _PARSER)
    assert status == 200 and kind.startswith("text/xml")
    assert root.tag == f"{{{SRW}}}explainResponse"
    info = sruthi.explain(f"{server}/sru")
    wanted = {"cql": {"serverChoice"},
              "dc": {"title", "creator", "subject", "date", "language", "publisher",
                     "identifier"},
              "bath": {"isbn", "issn"}, "rec": {"identifier"}, "sheaf": {"library"}}
    for set_name, names in wanted.items():
        assert names <= set(info.index[set_name]), set_name
    assert {"marcxml", "dc"} <= set(info.schema)
    assert info.schema["marcxml"]["identifier"] == "info:srw/schema/1/marcxml-v1.1"
    settings = Home.load(built_home.path).settings
    assert info.config["maximumRecords"] == settings["max_page_size"]
    assert info.config["defaults"]["numberOfRecords"] == settings["sru_default_records"]
    assert info.server["port"] == int(server.rsplit(":", 1)[1])


# -- the same searches as the site ----------------------------------------------


@pytest.mark.parametrize("cql, q", [
    ("dc.title = history", "title:history"),
    ("dc.title = kenkyū", "title:kenkyū"),
    ("dc.title = nihon", "title:nihon"),
    ("dc.title = viet", "title:viet"),
    ("dc.subject = history", "subject:history"),
    ("history", "history"),
    ("dc.creator = chabon", "author:chabon"),
    ("dc.language = vie", "lang:vie"),
    ("sheaf.library = legacy", "library:legacy"),
    ('dc.date within "1990 1999"', "year:1990-1999"),
    ("history not dc.language = jpn", "history NOT lang:jpn"),
])
def test_sru_totals_are_the_api_totals(server, cql, q):
    assert sruthi.searchretrieve(f"{server}/sru", query=cql).count == api(server, q=q)["total"]


@pytest.mark.parametrize("cql, args", [
    ("sheaf.class = lcc:PL", {"q": "", "filter": "class:lcc:PL"}),
    ("history and sheaf.class = lcc:DS", {"q": "history", "filter": "class:lcc:DS"}),
    ("history not sheaf.class = lcc:DS", {"q": "history", "filter": "class:-lcc:DS"}),
])
def test_classification_is_the_site_class_filter(server, cql, args):
    expected = api(server, **args)["total"]
    assert expected > 0
    assert sruthi.searchretrieve(f"{server}/sru", query=cql).count == expected


def test_the_compared_searches_find_something(server):
    # so that the comparison above is not only of empty results
    for q in ("title:kenkyū", "title:nihon", "title:viet", "subject:history", "lang:vie"):
        assert api(server, q=q)["total"] > 0, q


@pytest.mark.parametrize("traditional, simplified, expected", [
    # records and queries as in tests/discovery/test_backend.py (LC records with 880s)
    ("黃崗村志", "黄岗村志", "loc:00409616"),
    ("蘇州化工志", "苏州化工志", "loc:00409609"),
    ("民進黨", "民进党", "loc:00409591"),
    ("車輪滾滾", "车轮滚滚", "legacy:u6080510"),   # MARC-8 EACC in the record
])
def test_traditional_and_simplified_han_find_the_same_records(server, traditional, simplified,
                                                              expected):
    for index in ("dc.title", "cql.serverChoice"):
        found = [dc_ids(sru(server, query=f"{index} = {text}", recordSchema="dc"))
                 for text in (traditional, simplified)]
        assert found[0] == found[1] == [expected], index


def test_sruthi_pages_through_every_record_as_the_api_pages(server):
    records = sruthi.searchretrieve(f"{server}/sru", query="dc.subject = history",
                                    record_schema="dc", maximum_records=4)
    got = [[i for i in r["identifier"] if not i.startswith("urn:")][-1]
           if isinstance(r["identifier"], list) else r["identifier"] for r in records]
    total = api(server, q="subject:history")["total"]
    # the API paged the same way (its pages of 4 are what each SRU request asks for)
    expected = [r["id"] for page in range(1, -(-total // 4) + 1)
                for r in api(server, q="subject:history", limit=4, page=page)["results"]]
    assert records.count == total == len(got) > 8
    assert got == expected


def test_start_record_and_maximum_records_are_a_window_of_the_results(server):
    # in year order, so that the window is compared over one well-defined order
    expected = api_ids(server, "history", sort="year_asc")
    query = "history sortBy dc.date/sort.ascending"
    root = sru(server, query=query, startRecord=3, maximumRecords=5, recordSchema="dc")
    assert dc_ids(root) == expected[2:7]
    positions = [int(p) for p in root.xpath("//srw:recordPosition/text()", namespaces=NS)]
    assert positions == [3, 4, 5, 6, 7]
    assert root.findtext("srw:nextRecordPosition", namespaces=NS) == "8"
    last = sru(server, query=query, startRecord=len(expected), maximumRecords=5,
               recordSchema="dc")
    assert dc_ids(last) == expected[-1:]
    assert last.find("srw:nextRecordPosition", NS) is None


def test_maximum_records_zero_gives_only_the_count(server):
    root = sru(server, query="history", maximumRecords=0)
    assert root.findtext("srw:numberOfRecords", namespaces=NS) == str(api(server, q="history")
                                                                     ["total"])
    assert root.find("srw:records", NS) is None


def test_sort_by_and_sort_keys_are_the_site_sorts(server):
    oldest = api_ids(server, "subject:history", sort="year_asc")
    newest = api_ids(server, "subject:history", sort="year")
    by = sru(server, query="dc.subject = history sortBy dc.date/sort.ascending",
             maximumRecords=50, recordSchema="dc")
    keys = sru(server, query="dc.subject = history", sortKeys="dc.date,,0",
               maximumRecords=50, recordSchema="dc")
    assert dc_ids(by) == oldest
    assert dc_ids(keys) == newest
    assert oldest != newest


def test_post_with_form_data_is_the_same_search(server):
    form = urllib.parse.urlencode({"version": "1.2", "operation": "searchRetrieve",
                                   "query": "dc.subject = history", "recordSchema": "dc",
                                   "maximumRecords": "50"}).encode()
    status, _kind, body = fetch(server, method="POST", data=form)
    assert status == 200
    assert dc_ids(etree.fromstring(body, _PARSER)) == api_ids(server, "subject:history")


# -- records --------------------------------------------------------------------


def _marc_records(root):
    return root.xpath("//srw:recordData/marc:record", namespaces=NS)


def test_marcxml_carries_one_852_per_holding_library(shared_server):
    expected = api(shared_server, q="library:hust", limit=100)["results"]
    shared = [r for r in expected if len({h["source"] for h in r["holdings"]}) == 2]
    assert shared, "the web fixtures have records held by loc and hust"
    work = shared[0]
    root = sru(shared_server, query=f"rec.identifier = {work['id']}")
    (record,) = _marc_records(root)
    fields = record.xpath("marc:datafield[@tag='852']", namespaces=NS)
    got = {(f.findtext("marc:subfield[@code='a']", namespaces=NS),
            f.findtext("marc:subfield[@code='b']", namespaces=NS),
            f.findtext("marc:subfield[@code='x']", namespaces=NS)) for f in fields}
    assert got == {(h["source"], h["name"], h["record_id"]) for h in work["holdings"]}
    assert len(fields) == len(work["holdings"])


def test_a_member_record_id_finds_its_work(shared_server):
    work = next(r for r in api(shared_server, q="library:hust", limit=100)["results"]
                if len(r["holdings"]) == 2)
    other = next(h["record_id"] for h in work["holdings"] if h["record_id"] != work["id"])
    assert dc_ids(sru(shared_server, query=f"rec.identifier = {other}",
                      recordSchema="dc")) == [work["id"]]


def test_marc8_record_comes_decoded(server):
    with urllib.request.urlopen(f"{server}/api/record/legacy:u6080510", timeout=30) as r:
        vernacular = json.load(r)["title_vernacular"]
    (record,) = _marc_records(sru(server, query="rec.identifier = legacy:u6080510"))
    texts = record.xpath("marc:datafield[@tag='880']/marc:subfield[@code='a']/text()",
                         namespaces=NS)
    assert any(vernacular in t for t in texts)


def test_record_packing_string_is_the_same_record_escaped(server):
    as_xml = sru(server, query="rec.identifier = loc:00409616")
    as_string = sru(server, query="rec.identifier = loc:00409616", recordPacking="string")
    text = as_string.findtext(".//srw:recordData", namespaces=NS)
    assert as_string.findtext(".//srw:recordPacking", namespaces=NS) == "string"
    assert etree.tostring(etree.fromstring(text.encode(), _PARSER), method="c14n",
                          exclusive=True) == \
        etree.tostring(_marc_records(as_xml)[0], method="c14n", exclusive=True)


def test_sru_2_0_answers_in_its_own_namespace(server):
    root = sru(server, version="2.0", query="history", recordXMLEscaping="string",
               recordSchema="dc")
    assert root.tag == f"{{{SRU2}}}searchRetrieveResponse"
    assert root.findtext("sru:numberOfRecords", namespaces=NS) == str(api(server, q="history")
                                                                     ["total"])
    assert root.findtext(".//sru:recordXMLEscaping", namespaces=NS) == "string"
    assert diagnostic(sru(server, version="2.0", query="x", queryType="searchTerms")) \
        == "info:srw/diagnostic/1/6"


# -- scan -----------------------------------------------------------------------


def test_scan_walks_subjects_from_the_term_with_the_api_counts(server):
    facet = api(server, q="", facets="subject", facet_limit=1000)["facets"]["subject"]
    ordered = sorted(facet, key=lambda v: v["value"].casefold())
    start = next(i for i, v in enumerate(ordered) if v["value"].casefold() >= "h")
    root = sru(server, operation="scan", scanClause="dc.subject = h", maximumTerms=5)
    got = [(t.findtext("srw:value", namespaces=NS), int(t.findtext("srw:numberOfRecords",
                                                                   namespaces=NS)))
           for t in root.iterfind(".//srw:term", NS)]
    assert got == [(v["value"], v["count"]) for v in ordered[start:start + 5]]


# -- what Sheaf refuses: diagnostics, never an error page ------------------------


@pytest.mark.parametrize("params, number", [
    ({"query": "dc.title = (history"}, 10),
    ({"query": "dc.colour = red"}, 16),
    ({"query": "dc.title encloses x"}, 19),
    ({"query": "dc.title =/cql.stem x"}, 20),
    ({"query": "history", "startRecord": "5000"}, 61),
    ({"query": "history", "startRecord": "0"}, 6),
    ({"query": "history", "maximumRecords": "ten"}, 6),
    ({"query": "history", "recordSchema": "info:example/unknown"}, 66),
    ({"query": "history", "recordPacking": "json"}, 71),
    ({"query": "history", "recordXPath": "/record"}, 72),
    ({"query": "history", "stylesheet": "x.xsl"}, 110),
    ({"query": "history", "colour": "red"}, 8),
    ({"query": ["history", "china"]}, 6),
    ({"query": "history " * 300}, 12),    # (a GET line over 4094 bytes is gunicorn's 414)
    ({"operation": "searchRetrieve"}, 7),
    ({"version": "3.0", "query": "history"}, 5),
    ({"operation": "delete"}, 4),
    ({"operation": "scan", "scanClause": "dc.title = h"}, 16),
    ({"query": "history or sheaf.class = lcc:PL"}, 48),
    ({"operation": "scan"}, 7),
    ({"operation": "scan", "scanClause": "dc.subject = h", "maximumTerms": "0"}, 6),
])
def test_bad_requests_get_diagnostics(server, params, number):
    params = {"version": "1.2", "operation": "searchRetrieve", **params}
    status, kind, body = fetch(server, params)
    assert status == 200 and kind.startswith("text/xml")
    root = etree.fromstring(body, _PARSER)
    assert diagnostic(root) == f"info:srw/diagnostic/1/{number}"
    assert b"Traceback" not in body and b"<html" not in body.lower()


def test_a_10_kb_query_posted_gets_its_diagnostic(server):
    form = urllib.parse.urlencode({"version": "1.2", "operation": "searchRetrieve",
                                   "query": "history " * 1300}).encode()
    assert len(form) > 10_000
    status, kind, body = fetch(server, method="POST", data=form)
    assert status == 200 and kind.startswith("text/xml")
    assert diagnostic(etree.fromstring(body, _PARSER)) == "info:srw/diagnostic/1/12"


def test_first_record_out_of_range_still_says_how_many_there_are(server):
    root = sru(server, query="history", startRecord=5000)
    assert root.findtext("srw:numberOfRecords", namespaces=NS) == str(api(server, q="history")
                                                                     ["total"])


def test_other_http_methods_get_a_diagnostic(server):
    status, kind, body = fetch(server, {"query": "x"}, method="PUT", data=b"")
    assert status == 200 and kind.startswith("text/xml")
    assert diagnostic(etree.fromstring(body, _PARSER)) == "info:srw/diagnostic/1/4"


def test_sruthi_reports_the_diagnostic(server):
    with pytest.raises(sruthi.errors.SruError, match="info:srw/diagnostic/1/16"):
        sruthi.searchretrieve(f"{server}/sru", query="dc.colour = red").count


def test_control_characters_in_a_query_get_a_diagnostic_not_a_crash(server):
    # regression: a term with U+0001 went into the diagnostic's details, which XML cannot hold
    root = sru(server, query="dc.date = \x01")
    assert diagnostic(root) == "info:srw/diagnostic/1/36"


SRU_PARAMS = ["operation", "version", "query", "startRecord", "maximumRecords", "recordSchema",
              "recordPacking", "recordXMLEscaping", "sortKeys", "resultSetTTL", "scanClause",
              "responsePosition", "maximumTerms", "queryType", "x-extra", "stylesheet", "zz"]
SRU_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "1", "2.0", "1.2", "3", "searchRetrieve", "scan", "explain",
                     "dc.title = x", "dc.subject = h", "(", ")", '"', "\\", "*", "^", "\x00",
                     "\x01", "x" * 2500, "dc", "marcxml", "string", "xml", "dc.date,,0",
                     "a sortby dc.date/sort.descending", "sheaf.class = lcc:PL or a",
                     "rec.identifier = loc:00409591", "999999999999"]),
)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=st.lists(st.tuples(st.sampled_from(SRU_PARAMS), SRU_VALUES), max_size=6),
       post=st.booleans())
def test_any_request_gets_an_sru_response(client, query, post):
    if post:
        response = client.post("/sru", data=MultiDict(query))
    else:
        response = client.get("/sru", query_string=query)
    assert response.status_code == 200, (query, response.get_data(as_text=True)[:300])
    root = etree.fromstring(response.get_data(), _PARSER)
    assert etree.QName(root).localname in ("explainResponse", "searchRetrieveResponse",
                                           "scanResponse")
    assert not root.xpath("//*[local-name()='uri' and text()='info:srw/diagnostic/1/1']"), query


# -- counted and logged -----------------------------------------------------------


def test_requests_are_counted_by_operation_and_diagnostic_and_logged(client, caplog):
    before = traffic()
    client.get("/sru")
    client.get("/sru", query_string={"version": "1.2", "operation": "searchRetrieve",
                                     "query": "history"})
    with caplog.at_level("WARNING", logger="web.sru"):
        client.get("/sru", query_string={"version": "1.2", "operation": "searchRetrieve",
                                         "query": "dc.colour = red"})
    after = traffic()

    def grew(kind, key):
        return after[kind].get(key, 0) - before[kind].get(key, 0)

    assert grew("operations", "explain") == 1
    assert grew("operations", "searchRetrieve") == 2
    assert grew("diagnostics", "16") == 1
    assert [r.name for r in caplog.records if "diagnostic 16" in r.getMessage()] == ["web.sru"]


# -- yaz-client ----------------------------------------------------------------------


def yaz(base: str, *commands: str, mode: str = "sru get 1.2") -> str:
    if shutil.which("yaz-client") is None:
        pytest.skip("yaz-client is not installed (Debian package yaz; scripts/setup.sh)")
    script = "\n".join([mode, f"open {base}/sru", *commands, "quit"]) + "\n"
    done = subprocess.run(["yaz-client"], input=script.encode(), capture_output=True,
                          timeout=60)
    return done.stdout.decode("utf-8", "replace")


@pytest.mark.parametrize("mode", ["sru get 1.2", "sru post 1.2", "sru get 2.0"])
def test_yaz_client_finds_shows_and_scans(server, mode):
    out = yaz(server, "find dc.subject=history", "show 1", "scan dc.language=a", mode=mode)
    assert f"Number of hits: {api(server, q='subject:history')['total']}" in out
    first = api(server, q="subject:history", limit=1)["results"][0]
    assert "schema=info:srw/schema/1/marcxml-v1.1" in out
    assert f'<subfield code="x">{first["holdings"][0]["record_id"]}</subfield>' in out
    languages = api(server, q="", facets="language", facet_limit=1000)["facets"]["language"]
    for v in languages:   # yaz shows "display term: count value"
        line = (f"{v['label']}: {v['count']} {v['value']}" if v["label"] != v["value"]
                else f"{v['value']}: {v['count']}")
        assert line in out.splitlines()


def test_yaz_client_sees_the_diagnostic(server):
    out = yaz(server, "find dc.colour=red")
    assert "SRW diagnostic info:srw/diagnostic/1/16" in out
    assert "Details: dc.colour" in out
