"""Exports of records an ISO 2709 directory cannot describe (issue 17: ``/export/marc/<id>``
was a 500 for a record with a field over 9,999 bytes or over 99,999 bytes in all).

Two real records (tests/fixtures/PROVENANCE.md), stored as MARCXML the way a harvest
stores them: record 1 of ``oversize_offsets_past_99999.mrc`` (123,375 bytes) and record 2
of ``broken_directory_second_record.mrc`` (a 520 of 11,242 bytes). The same files read as
ISO 2709 are served byte for byte, as received.
"""

from __future__ import annotations

import pytest
from lxml import etree

from discovery.engines import open_index
from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from indexer.export import to_marcxml
from indexer.record import MARCXML_NS
from web import create_app

from ..support import FIXTURES, iso2709_records
from .conftest import tree

BIG = FIXTURES / "oversize_offsets_past_99999.mrc"
LONG_FIELD = FIXTURES / "broken_directory_second_record.mrc"
RECORDS = {"xml:360944": iso2709_records(BIG)[0],
           "xml:drd-34891908": iso2709_records(LONG_FIELD)[1]}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("oversize-exports")
    collection = path / "oversize.xml"
    collection.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="' + MARCXML_NS.encode()
        + b'">' + b"".join(to_marcxml(raw, "marc21") for raw in RECORDS.values())
        + b"</collection>")
    home = Home.init(path / "home")
    home.add_source(Source(code="xml", name="Harvested as MARCXML", kind="marc",
                           path=str(collection)))
    home.add_source(Source(code="iso", name="Read as ISO 2709", kind="marc", path=str(BIG)))
    with RecordStore(home.store_path) as store:
        assert import_files(home, store, "xml", [str(collection)]).rejected == []
        assert import_files(home, store, "iso", [str(BIG)]).rejected == []
        assert store.get("xml", "360944").format == "marcxml"
        assert build.rebuild(home, store, open_index(home)).failed == []
    app = create_app({"SHEAF_HOME": str(home.path), "TESTING": True})
    yield app.test_client()
    app.extensions["sheaf.search"].close()


def long_fields(xml: bytes) -> list[int]:
    """Byte lengths of the data fields over 9,999 bytes in a MARCXML document."""
    root = etree.fromstring(xml)
    out = []
    for field in root.iter(f"{{{MARCXML_NS}}}datafield"):
        size = len("".join(field.itertext()).encode("utf-8"))
        if size > 9999:
            out.append(size)
    return out


@pytest.mark.parametrize("record_id", list(RECORDS))
def test_a_record_too_long_for_iso_2709_is_a_422_offering_marcxml(client, record_id):
    response = client.get(f"/export/marc/{record_id}")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    page = tree(response)
    assert any("more than a MARC (ISO 2709) file can describe" in t for t in page.texts("p"))
    [link] = page.find("a", **{"class": "export-instead"})
    assert link["attrs"]["href"] == f"/export/marcxml/{record_id}"
    marcxml = client.get(link["attrs"]["href"])
    assert marcxml.status_code == 200 and marcxml.mimetype == "application/marcxml+xml"
    assert etree.fromstring(marcxml.data).find(f"{{{MARCXML_NS}}}controlfield").text == \
        record_id.partition(":")[2]


def test_the_refusal_speaks_the_reader_s_language(client):
    zh = tree(client.get("/export/marc/xml:360944?lang=zh"))
    vi = tree(client.get("/export/marc/xml:360944?lang=vi"))

    assert "导出为 MARCXML" in zh.texts("a")
    assert "Xuất dạng MARCXML" in vi.texts("a")


def test_the_long_field_is_whole_in_marcxml(client):
    marcxml = client.get("/export/marcxml/xml:drd-34891908").data
    assert long_fields(marcxml) and min(long_fields(marcxml)) > 9999


def test_a_record_read_as_iso_2709_is_exported_byte_for_byte(client):
    response = client.get("/export/marc/iso:360944")

    assert response.status_code == 200
    assert response.data == RECORDS["xml:360944"]


def test_oai_marc21_and_sru_marcxml_carry_the_long_record(client):
    oai = client.get("/oai", query_string={"verb": "GetRecord", "metadataPrefix": "marc21",
                                           "identifier": "oai:sheaf:xml:drd-34891908"})
    sru = client.get("/sru", query_string={"operation": "searchRetrieve", "version": "1.2",
                                           "query": 'rec.identifier = "xml:drd-34891908"',
                                           "recordSchema": "marcxml"})

    for response in (oai, sru):
        assert response.status_code == 200
        root = etree.fromstring(response.data)
        assert root.findall(".//{*}error") == [] and root.findall(".//{*}diagnostic") == []
        assert long_fields(response.data) and min(long_fields(response.data)) > 9999
