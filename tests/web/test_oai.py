"""The OAI-PMH 2.0 provider at /oai, verb by verb, over the session home's real records.

Expected values come from the fixtures read with pymarc, from the store read with
SQLite, or from the JSON API, never from the provider itself. The errors table covers
every error code of the protocol and the argument checks of section 3.1.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest

from web import create_app
from web.oai import traffic
from web.oai.tokens import TokenSigner

from ..support import BUILT_SOURCES, expected_counts
from .oai_support import (NS, error_code, fields, fixture_ids, list_all, marcxml_record, oai_id,
                          parse, pymarc_records)

UTF8_SOURCES = {code: BUILT_SOURCES[code] for code in ("loc", "vn")}


@pytest.fixture(scope="module")
def oai_app(whoosh_home):
    app = create_app({"SHEAF_HOME": str(whoosh_home.path), "TESTING": True})
    yield app
    app.extensions["sheaf.search"].close()


@pytest.fixture(scope="module")
def paged_app(whoosh_home):
    """The same home with pages of 7 (the settings of this app only)."""
    app = create_app({"SHEAF_HOME": str(whoosh_home.path), "TESTING": True})
    app.extensions["sheaf.home"].settings["oai_list_size"] = 7
    yield app
    app.extensions["sheaf.search"].close()


@pytest.fixture
def oai(oai_app):
    return oai_app.test_client()


@pytest.fixture(scope="module")
def pymarc_by_id():
    return fixture_ids()


def get(client, **args):
    return parse(client.get("/oai", query_string=args))


def test_identify_says_what_the_store_holds(oai, whoosh_home):
    root = get(oai, verb="Identify")
    ident = root.find("o:Identify", NS)
    db = sqlite3.connect(whoosh_home.store_path)
    earliest = db.execute("SELECT min(last_changed) FROM records").fetchone()[0]
    db.close()

    assert ident.findtext("o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert ident.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert ident.findtext("o:earliestDatestamp", namespaces=NS) == earliest
    assert ident.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert ident.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert ident.findtext("o:adminEmail", namespaces=NS) == \
        whoosh_home.settings["oai_admin_email"]
    assert root.find("o:request", NS).attrib == {"verb": "Identify"}


def test_list_metadata_formats_for_the_repository_and_for_one_record(oai):
    def prefixes(root):
        return [f.findtext("o:metadataPrefix", namespaces=NS)
                for f in root.iterfind(".//o:metadataFormat", NS)]

    assert prefixes(get(oai, verb="ListMetadataFormats")) == ["marc21", "unimarc", "oai_dc"]
    some_id = oai_id(next(iter(fixture_ids(UTF8_SOURCES))))
    assert prefixes(get(oai, verb="ListMetadataFormats", identifier=some_id)) == \
        ["marc21", "oai_dc"]


def test_list_sets_has_one_set_per_member_library(oai, whoosh_home):
    root = get(oai, verb="ListSets")
    sets = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
            for s in root.iterfind(".//o:set", NS)}

    assert sets == {"library": "Member libraries",
                    **{f"library:{code}": name for code, (name, _) in BUILT_SOURCES.items()}}


def test_list_identifiers_pages_through_every_record_with_tokens(paged_app):
    headers, tokens = list_all(paged_app.test_client(), "ListIdentifiers",
                               metadataPrefix="marc21")
    total = sum(expected_counts().values())

    assert sorted(h.findtext("o:identifier", namespaces=NS) for h in headers) == \
        sorted(oai_id(i) for i in fixture_ids())
    assert len(headers) == total
    assert [(c, n) for c, n, _ in tokens] == [(c, total) for c in range(0, total, 7)]
    assert tokens[-1][2] == ""    # the last page's token is empty
    assert all(h.get("status") is None for h in headers)


@pytest.mark.parametrize("code", sorted(BUILT_SOURCES))
def test_a_library_set_lists_that_library_only(paged_app, code):
    headers, _ = list_all(paged_app.test_client(), "ListIdentifiers", metadataPrefix="oai_dc",
                          set=f"library:{code}")
    assert len(headers) == expected_counts()[code]
    assert {h.findtext("o:setSpec", namespaces=NS) for h in headers} == {f"library:{code}"}


def test_list_records_gives_the_marc_fields_as_received(paged_app, pymarc_by_id):
    records, _ = list_all(paged_app.test_client(), "ListRecords", metadataPrefix="marc21",
                          set="library:loc")
    expected = fixture_ids({"loc": BUILT_SOURCES["loc"]})

    assert len(records) == len(expected)
    for rec in records:
        identifier = rec.findtext("o:header/o:identifier", namespaces=NS)
        source_id = next(i for i in expected if oai_id(i) == identifier)
        got = marcxml_record(rec.find("o:metadata/m:record", NS))
        assert fields(got) == fields(expected[source_id])


@pytest.mark.parametrize("name", ["marc8_cyrillic.mrc", "marc8_french_diacritics.mrc"])
def test_marc8_records_come_decoded_to_unicode(oai, name):
    """MARC-8 records (Cyrillic, French diacritics) as MARCXML in Unicode: the fields as
    pymarc decodes the MARC-8, leader/09 'a'."""
    originals = pymarc_records(name)
    assert all(r.leader[9] == " " for r in originals)
    for rec in originals:
        root = get(oai, verb="GetRecord", identifier=oai_id(f"legacy:{rec['001'].data.strip()}"),
                   metadataPrefix="marc21")
        got = marcxml_record(root.find(".//m:record", NS))
        assert got.leader[9] == "a"
        assert fields(got) == fields(rec)


def test_oai_dc_says_what_the_json_api_says(oai):
    for record_id in list(fixture_ids(UTF8_SOURCES))[:10]:
        api = oai.get(f"/api/record/{record_id}").get_json()
        member = next(m for m in api["members"] if m["record_id"] == record_id)["record"]
        root = get(oai, verb="GetRecord", identifier=oai_id(record_id), metadataPrefix="oai_dc")
        dc = root.find(".//oai_dc:dc", NS)
        titles = [t.text for t in dc.iterfind("dc:title", NS)]
        assert titles[0] == member["title"]
        assert [c.text for c in dc.iterfind("dc:creator", NS)][:len(member.get("authors", []))] \
            == member.get("authors", [])
        assert [x.text for x in dc.iterfind("dc:language", NS)] == member.get("languages", [])
        if "year" in member:
            assert dc.findtext("dc:date", namespaces=NS) == str(member["year"])


def test_post_with_form_data_is_answered_like_get(oai):
    some_id = oai_id(next(iter(fixture_ids(UTF8_SOURCES))))
    args = {"verb": "GetRecord", "identifier": some_id, "metadataPrefix": "marc21"}
    by_get = get(oai, **args).find("o:GetRecord", NS)
    by_post = parse(oai.post("/oai", data=args)).find("o:GetRecord", NS)
    assert by_post is not None
    assert by_post.findtext(".//o:identifier", namespaces=NS) == some_id
    assert len(by_post.findall(".//m:datafield", NS)) == len(by_get.findall(".//m:datafield", NS))


def _token(oai, verb="ListIdentifiers"):
    app = oai.application
    app.extensions["sheaf.home"].settings["oai_list_size"] = 7
    try:
        root = get(oai, verb=verb, metadataPrefix="marc21")
    finally:
        app.extensions["sheaf.home"].settings["oai_list_size"] = 200
    return root.find(f".//o:resumptionToken", NS).text


def _expired(oai):
    signer = oai.application.extensions["sheaf.oai.signer"]
    token = _token(oai)
    old = TokenSigner(signer.key, signer.lifetime,
                      clock=lambda: signer.clock() - signer.lifetime - 60)
    return old.issue(signer.read(token, "ListIdentifiers"))[0]


def _forged(oai):
    payload, _, signature = _token(oai).partition(".")
    other = "B" if payload[3] != "B" else "C"
    return f"{payload[:3]}{other}{payload[4:]}.{signature}"


SOME = "oai:sheaf:loc:00409590"
BAD_REQUESTS = [
    ({}, "badVerb"),
    ({"verb": "ListThings"}, "badVerb"),
    ([("verb", "Identify"), ("verb", "Identify")], "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "marc21"}, "badArgument"),
    ([("verb", "GetRecord"), ("identifier", SOME), ("identifier", SOME),
      ("metadataPrefix", "marc21")], "badArgument"),
    ({"verb": "GetRecord", "identifier": SOME}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "colour": "red"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2024-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2024-01-01",
      "until": "2024-02-01T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2024-02-01",
      "until": "2024-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "x" * 10240, "metadataPrefix": "marc21"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": SOME, "metadataPrefix": "unimarc"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:sheaf:loc:nope", "metadataPrefix": "marc21"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere:loc:00409590",
      "metadataPrefix": "marc21"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "urn:x"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2999-01-01"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "marc21", "set": "library:nowhere"},
     "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "unimarc"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "é" * 3000}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": _forged}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": _expired}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": _token}, "badResumptionToken"),
]


@pytest.mark.parametrize("args,code", BAD_REQUESTS,
                         ids=[f"{n}-{code}" for n, (_, code) in enumerate(BAD_REQUESTS)])
def test_bad_requests_get_the_protocols_error(oai, args, code, caplog):
    if isinstance(args, dict):
        args = [(k, v(oai) if callable(v) else v) for k, v in args.items()]
    before = traffic()["errors"].get(code, 0)
    with caplog.at_level(logging.WARNING, logger="web.oai"):
        root = parse(oai.get("/oai", query_string=args))

    assert error_code(root) == code
    assert [e.get("code") for e in root.findall("o:error", NS)] == [code]
    request = root.find("o:request", NS)
    assert request.text == "http://localhost/oai"
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}    # the protocol: the base URL only
    assert traffic()["errors"][code] == before + 1
    assert any(r.name == "web.oai" and code in r.getMessage() for r in caplog.records)


def test_a_repository_without_libraries_has_no_set_hierarchy(tmp_path):
    from harvest.config import Home
    home = Home.init(tmp_path / "empty")
    app = create_app({"SHEAF_HOME": str(home.path), "TESTING": True})
    client = app.test_client()
    try:
        assert error_code(get(client, verb="ListSets")) == "noSetHierarchy"
        assert error_code(get(client, verb="ListRecords", metadataPrefix="marc21",
                              set="library:x")) == "noSetHierarchy"
        assert error_code(get(client, verb="ListRecords", metadataPrefix="marc21")) == \
            "noRecordsMatch"
    finally:
        app.extensions["sheaf.search"].close()


def test_traffic_counts_requests_per_verb(oai):
    before = traffic()
    get(oai, verb="Identify")
    get(oai, verb="ListMetadataFormats")
    after = traffic()
    assert after["requests"]["Identify"] == before["requests"].get("Identify", 0) + 1
    assert after["requests"]["ListMetadataFormats"] == \
        before["requests"].get("ListMetadataFormats", 0) + 1


def test_post_bodies_that_are_not_a_small_form_get_the_protocols_error(oai):
    huge = parse(oai.post("/oai", data={"verb": "ListRecords", "metadataPrefix": "m" * 600_000}))
    assert error_code(huge) == "badArgument"
    json_body = parse(oai.post("/oai", json={"verb": "Identify"}))
    assert error_code(json_body) == "badVerb"


def test_a_domain_name_as_repository_id_is_described_in_identify(whoosh_home):
    app = create_app({"SHEAF_HOME": str(whoosh_home.path), "TESTING": True})
    app.extensions["sheaf.home"].settings["oai_repository_id"] = "union.example.org"
    client = app.test_client()
    try:
        ident = get(client, verb="Identify").find("o:Identify", NS)
        headers = get(client, verb="ListIdentifiers", metadataPrefix="marc21",
                      set="library:vn").iterfind(".//o:header", NS)
        identifiers = sorted(h.findtext("o:identifier", namespaces=NS) for h in headers)
    finally:
        app.extensions["sheaf.search"].close()
    ns = {"i": "http://www.openarchives.org/OAI/2.0/oai-identifier"}
    described = ident.find("o:description/i:oai-identifier", {**NS, **ns})
    assert described.findtext("i:repositoryIdentifier", namespaces=ns) == "union.example.org"
    assert described.findtext("i:sampleIdentifier", namespaces=ns).startswith(
        "oai:union.example.org:")
    assert identifiers == sorted(oai_id(i, "union.example.org")
                                 for i in fixture_ids({"vn": BUILT_SOURCES["vn"]}))
