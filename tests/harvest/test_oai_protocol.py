"""OAI-PMH responses parsed from real recorded pages: entities, errors by code, repair of
broken pages, refusal of hostile XML, and datestamps at the server's granularity."""

from __future__ import annotations

import time

import pytest
from lxml import etree

from harvest.oai import errors
from harvest.oai.protocol import DAY, SECONDS, NotOaiXml, datestamp, parse_page, sanitize

from .oai_support import OAI_FIXTURES, canonical, fixture

MARC_NS = "http://www.loc.gov/MARC21/slim"
DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def plain(name: str):
    """A fixture read with a plain lxml parser: the independent view tests compare with."""
    return etree.fromstring(fixture(name))


def test_identify_reads_granularity_deletions_and_earliest_datestamp():
    zenodo = parse_page(fixture("zenodo_identify.xml")).identify()
    sickle = parse_page(fixture("sickle_identify_day_granularity.xml")).identify()

    assert zenodo.repository_name == "Zenodo"
    assert zenodo.granularity == SECONDS
    assert zenodo.deleted_record == "no"
    assert zenodo.earliest_datestamp == "2014-02-03T14:41:33Z"
    assert sickle.granularity == DAY
    assert sickle.deleted_record == "persistent"


ERROR_PAGES = sorted(p.name for p in OAI_FIXTURES.glob("sickle_error_*.xml")) + [
    "zenodo_bad_resumption_token_422.xml", "zenodo_no_records_match_422.xml",
    "zenodo_bad_argument_422.xml", "zenodo_id_does_not_exist_422.xml",
    "vufind_bad_resumption_token.xml", "vufind_unknown_error_code.xml"]


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_every_error_code_raises_the_class_named_after_it(name):
    code = plain(name).find("{*}error").get("code")
    page = parse_page(fixture(name), url="http://example.org/oai")

    with pytest.raises(errors.OaiError) as caught:
        page.raise_for_error()

    assert caught.value.code == code
    expected = errors.ERRORS_BY_CODE.get(code, errors.UnknownOaiError)
    assert type(caught.value) is expected
    assert caught.value.response_date == plain(name).findtext("{*}responseDate")
    assert code in str(caught.value) and "http://example.org/oai" in str(caught.value)


def test_a_marc21_page_gives_each_marcxml_record_element_as_received():
    name = "alma_marc21_list_records_100.xml"
    page = parse_page(fixture(name))
    records = list(page.records())
    originals = plain(name).findall(".//{*}metadata")

    assert len(records) == len(originals) == 100
    for record, original in zip(records, originals):
        assert record.metadata_format("marc21") == "marcxml"
        data = record.metadata_bytes()
        assert etree.QName(etree.fromstring(data)).namespace == MARC_NS
        assert canonical(data) == etree.tostring(original[0], method="c14n", exclusive=True)
    assert records[0].header.identifier == "oai:urm_publish:9925821506101791"
    assert records[0].header.set_specs == ("TESTING_DIGI_TEST", "TESTING_DIGI")
    assert page.token("ListRecords").value == "fakeresumptiontoken"


def test_an_oai_dc_page_gives_the_dc_element():
    page = parse_page(fixture("zenodo_list_records_oai_dc_50.xml"))
    records = list(page.records())

    assert len(records) == 50
    for record in records:
        assert record.metadata_format("oai_dc") == "oai_dc"
        root = etree.fromstring(record.metadata_bytes())
        assert (etree.QName(root).namespace, etree.QName(root).localname) == (DC_NS, "dc")
        assert root.find("{http://purl.org/dc/elements/1.1/}title") is not None
    token = page.token("ListRecords")
    assert token.cursor == 0 and token.complete_list_size and token.expiration_date


def test_deleted_headers_are_marked_even_when_zenodo_sends_metadata_with_them():
    records = list(parse_page(fixture("zenodo_list_records_page2_deleted.xml")).records())
    originals = plain("zenodo_list_records_page2_deleted.xml").findall(".//{*}header")

    deleted = [r for r in records if r.header.deleted]
    assert [r.header.identifier for r in deleted] == [
        h.findtext("{*}identifier") for h in originals if h.get("status") == "deleted"]
    assert len(deleted) == 1
    assert all(r.metadata is not None for r in records if not r.header.deleted)


def test_a_page_without_the_oai_namespace_reads_like_one_with_it():
    with_ns = list(parse_page(fixture("traject_list_records.xml")).records())
    without = list(parse_page(fixture("traject_list_records_no_namespace.xml")).records())

    assert [r.header for r in without] == [r.header for r in with_ns]
    assert len(without) == 10


def test_an_empty_resumption_token_ends_the_list():
    first = parse_page(fixture("traject_one_record_first.xml"))
    last = parse_page(fixture("traject_one_record_last_empty_token.xml"))

    assert first.token("ListRecords").value == "dummy_resumption"
    assert last.token("ListRecords") is None


def test_sets_and_metadata_formats():
    sets = list(parse_page(fixture("sickle_list_sets_131.xml")).sets())
    formats = list(parse_page(fixture("zenodo_list_metadata_formats.xml")).metadata_formats())

    assert len(sets) == len(plain("sickle_list_sets_131.xml").findall(".//{*}set")) == 131
    assert all(s.spec for s in sets)
    assert [f.prefix for f in formats] == [
        e.text for e in plain("zenodo_list_metadata_formats.xml").iter("{*}metadataPrefix")]


@pytest.mark.parametrize("name", ["httpbun_html_not_oai.xml", "sickle_broken_not_xml.xml",
                                  "pyoai_identify_mismatched_tag.xml",
                                  "pyoai_identify_undefined_entity.xml"])
def test_pages_that_are_not_oai_xml_are_refused(name):
    with pytest.raises(NotOaiXml):
        parse_page(fixture(name))


def test_a_truncated_page_is_refused_not_half_read():
    raw = fixture("alma_marc21_list_records_100.xml")

    with pytest.raises(NotOaiXml):
        parse_page(raw[:len(raw) // 2])


def test_invalid_xml_characters_and_broken_utf8_are_repaired_and_reported():
    raw = fixture("alma_marc21_list_records_100.xml")
    title = b"Der Soldat, oder, Abhandlung vom Kriegs-Stand"
    assert raw.find(title) < raw.find(b"</record>")   # in the first record
    broken = raw.replace(
        title, b"Der Soldat\x0b, oder\x01, Abh\xffandlung &#x1B;vom Kriegs-Stand", 1)

    page = parse_page(broken)
    records = list(page.records())

    assert len(records) == 100
    assert len(page.fixes) == 3
    text = records[0].metadata_bytes().decode("utf-8")
    assert "Der Soldat, oder, Abh\ufffdandlung vom Kriegs-Stand" in text
    # the other 99 records are exactly as in the untouched page
    clean = list(parse_page(raw).records())
    assert [canonical(r.metadata_bytes()) for r in records[1:]] == \
        [canonical(r.metadata_bytes()) for r in clean[1:]]


def test_sanitize_rewrites_a_legacy_declaration_to_utf8():
    raw = ('<?xml version="1.0" encoding="ISO-8859-1"?>'
           '<OAI-PMH>caf\xe9\x07</OAI-PMH>').encode("latin-1")

    repaired, fixes = sanitize(raw)

    assert repaired == '<?xml version="1.0" encoding="UTF-8"?><OAI-PMH>caf\xe9</OAI-PMH>'.encode()
    assert fixes == ["1 characters not allowed in XML removed"]


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD")
    raw = fixture("zenodo_list_records_page3_last.xml")
    head, rest = raw.split(b"?>", 1)
    hostile = (head + b"?><!DOCTYPE OAI-PMH [<!ENTITY xxe SYSTEM \"" + secret.as_uri().encode()
               + b"\">]>" + rest.replace(b"<dc:title>", b"<dc:title>&xxe;", 1))

    page = parse_page(hostile)
    stored = b"".join(r.metadata_bytes() for r in page.records())

    assert b"TOP-SECRET" not in stored
    assert b"TOP-SECRET" not in etree.tostring(page.root)


def test_entity_expansion_bombs_are_refused_quickly():
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 12))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY e0 "lol">{entities}]>'
            f'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>&e11;'
            f'</responseDate></OAI-PMH>').encode()
    started = time.perf_counter()

    try:
        page = parse_page(bomb)
    except NotOaiXml:
        page = None

    assert time.perf_counter() - started < 2
    if page is not None:   # parsed without expanding: the text holds no laughs
        assert "lol" not in (page.response_date or "")


@pytest.mark.parametrize("value, granularity, end_of_day, expected", [
    ("2024-05-01", DAY, False, "2024-05-01"),
    ("2024-05-01T10:20:30Z", DAY, False, "2024-05-01"),
    ("2024-05-01", SECONDS, False, "2024-05-01T00:00:00Z"),
    ("2024-05-01", SECONDS, True, "2024-05-01T23:59:59Z"),
    ("2024-05-01T10:20:30Z", SECONDS, False, "2024-05-01T10:20:30Z"),
    ("2023-03-30T16:02:12+05:45", SECONDS, False, "2023-03-30T10:17:12Z"),
    ("2024-05-01T10:20:30.75Z", SECONDS, False, "2024-05-01T10:20:30Z"),
])
def test_datestamps_are_trimmed_to_the_server_granularity(value, granularity, end_of_day, expected):
    assert datestamp(value, granularity, end_of_day=end_of_day) == expected


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-05-01T25:00:00Z", ""])
def test_a_bad_datestamp_is_refused(value):
    with pytest.raises(ValueError):
        datestamp(value)


@pytest.mark.parametrize("name", ["zenodo_get_record_oai_dc.xml", "sickle_get_record_han.xml"])
def test_get_record_gives_the_record_with_its_text_intact(name):
    record = parse_page(fixture(name)).record()
    original = plain(name).find(".//{*}record")

    assert record.header.identifier == original.findtext(".//{*}identifier")
    assert canonical(record.metadata_bytes()) == etree.tostring(
        original.find("{*}metadata")[0], method="c14n", exclusive=True)


def test_a_dspace_page_marks_exactly_its_deleted_headers():
    name = "pyoai_dspace_list_records_2_deleted.xml"
    records = list(parse_page(fixture(name)).records())
    headers = plain(name).findall(".//{*}header")

    assert len(records) == len(headers) == 81
    assert [r.header.deleted for r in records] == [h.get("status") == "deleted" for h in headers]
    assert sum(r.header.deleted for r in records) == 2
    assert all(r.metadata is not None for r in records if not r.header.deleted)


def test_metadata_formats_of_a_second_repository():
    formats = list(parse_page(fixture("sickle_list_metadata_formats.xml")).metadata_formats())
    original = plain("sickle_list_metadata_formats.xml").findall(".//{*}metadataFormat")

    assert [(f.prefix, f.schema, f.namespace) for f in formats] == [
        (m.findtext("{*}metadataPrefix"), m.findtext("{*}schema"),
         m.findtext("{*}metadataNamespace")) for m in original]
