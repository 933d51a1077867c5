"""Protocol traffic on /status.json and the admin page: the SRU and OAI-PMH requests of
every worker of a real 2-worker server, counted once each."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from lxml import etree

from ..support import running_server

TOKEN = "traffic-admin-token-0123456789"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def protocols(base: str) -> dict:
    status, body = get(base + "/status.json")
    assert status == 200
    return json.loads(body)["protocols"]


@pytest.fixture(scope="module")
def server(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("traffic"), workers=2) as base:
        yield base


def test_every_workers_requests_are_counted_once(server):
    before = protocols(server)
    searches, explains, bad_cql = 9, 3, 4
    for i in range(searches):
        assert get(server + "/sru?" + urllib.parse.urlencode(
            {"operation": "searchRetrieve", "version": "1.2", "query": f"dc.title = t{i}"}))[0] == 200
    for _ in range(explains):
        assert get(server + "/sru")[0] == 200
    for _ in range(bad_cql):   # a query syntax error: SRU diagnostic 10
        status, body = get(server + "/sru?" + urllib.parse.urlencode(
            {"operation": "searchRetrieve", "version": "1.2", "query": "dc.title = (("}))
        assert status == 200 and "info:srw/diagnostic/1/10" in body
    identifies, bad_verbs = 5, 2
    for _ in range(identifies):
        assert get(server + "/oai?verb=Identify")[0] == 200
    for _ in range(bad_verbs):
        status, body = get(server + "/oai?verb=Nonsense")
        assert status == 200 and 'code="badVerb"' in body
    status, body = get(server + "/oai?verb=ListIdentifiers&metadataPrefix=marc21")
    assert status == 200
    headers_sent = len(re.findall(r"<header[ >]", body))
    assert headers_sent > 0

    after = protocols(server)

    def delta(group: dict, prior: dict) -> dict:
        return {k: v - prior.get(k, 0) for k, v in group.items() if v != prior.get(k, 0)}

    assert delta(after["sru"]["operations"], before["sru"]["operations"]) == {
        "searchRetrieve": searches + bad_cql, "explain": explains}
    assert delta(after["sru"]["diagnostics"], before["sru"]["diagnostics"]) == {"10": bad_cql}
    # (a request without a valid verb is counted as "(none)")
    assert delta(after["oai"]["verbs"], before["oai"]["verbs"]) == {
        "Identify": identifies, "ListIdentifiers": 1, "(none)": bad_verbs}
    assert delta(after["oai"]["errors"], before["oai"]["errors"]) == {"badVerb": bad_verbs}
    assert after["oai"]["records"] - before["oai"]["records"] == headers_sent



def test_the_record_page_names_both_endpoints_and_they_answer_for_it(server):
    status, page = get(server + "/record/loc:00292585")
    assert status == 200
    links = dict(re.findall(r'<a href="([^"]+)" data-protocol="(sru|oai)"', page))
    links = {proto: href.replace("&amp;", "&") for href, proto in links.items()}
    assert set(links) == {"sru", "oai"}
    status, sru = get(server + links["sru"])
    root = etree.fromstring(sru.encode("utf-8"), etree.XMLParser(resolve_entities=False,
                                                                   no_network=True))
    assert status == 200
    assert root.findtext("{*}numberOfRecords") == "1"
    controls = root.findall(".//{http://www.loc.gov/MARC21/slim}controlfield[@tag='001']")
    assert [c.text.strip() for c in controls] == ["00292585"]
    status, oai = get(server + links["oai"])
    root = etree.fromstring(oai.encode("utf-8"), etree.XMLParser(resolve_entities=False,
                                                                   no_network=True))
    assert status == 200 and root.find("{*}error") is None
    assert root.findtext(".//{*}header/{*}identifier").endswith(":loc:00292585")
