"""The provider's MARCXML writer gives what lxml builds from the same decoded record."""

from __future__ import annotations

import pytest
from lxml import etree

from harvest.oai.protocol import safe_parser
from indexer.export import record_element, record_of
from indexer.record import Field, Record
from web.oai.formats import marcxml_bytes

from ..support import FIXTURES, iso2709_records

FILES = ["multilingual_lc_50.mrc", "chinese_880_traditional.mrc", "marc8_eacc_chinese.mrc",
         "marc8_cyrillic.mrc", "marc8_french_diacritics.mrc", "unimarc_italian_sbn.mrc",
         "cnmarc_gb18030.mrc", "vietnamese_nfd_titles.mrc", "utf8_invalid_bytes.mrc"]


def c14n(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml, safe_parser()), method="c14n")


def lxml_built(record: Record) -> bytes:
    return etree.tostring(record_element(record), encoding="utf-8")


@pytest.mark.parametrize("name", FILES)
def test_the_text_writer_equals_the_tree_for_real_records(name):
    records = [r for r in iso2709_records(FIXTURES / name) if len(r) > 24]   # not a trailing newline
    fmt = "unimarc" if name.startswith(("unimarc", "cnmarc")) else "marc21"
    assert records
    for data in records:
        record = record_of(data, fmt)
        assert c14n(marcxml_bytes(record)) == c14n(lxml_built(record))


def test_markup_quotes_line_ends_and_forbidden_characters_survive_the_text_writer():
    record = Record("00000nam a2200000 a 4500", [
        Field("001", data="a&b<c>\r\n"),
        Field("245", '"', "\t", [("a", 'Tom & "Jerry" <b>\r\nline\x01\ud800'), ("&", "x")]),
    ])
    written = marcxml_bytes(record)
    assert c14n(written) == c14n(lxml_built(record))
    elem = etree.fromstring(written, safe_parser())
    ns = {"m": "http://www.loc.gov/MARC21/slim"}
    assert elem.findtext("m:controlfield", namespaces=ns) == "a&b<c>\r\n"
    assert elem.find("m:datafield", ns).get("ind1") == '"'
    assert elem.find("m:datafield", ns).get("ind2") == "\t"
    assert elem.findtext("m:datafield/m:subfield", namespaces=ns) == \
        'Tom & "Jerry" <b>\r\nline\ufffd\ufffd'


def test_a_stored_record_that_cannot_be_read_is_left_out_and_logged(tmp_path, caplog):
    """Pages of one record: the page holding the unreadable one reads on to the next."""
    from harvest.config import Home, Source
    from harvest.importer import import_files
    from harvest.store import RecordStore
    from web import create_app

    from .oai_support import NS, error_code, list_all, oai_id, parse

    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="loc", name="LC", kind="marc",
                           path=str(FIXTURES / "chinese_880_traditional.mrc")))
    with RecordStore(home.store_path) as store:
        import_files(home, store, "loc", [str(FIXTURES / "chinese_880_traditional.mrc")])
        ids = sorted(r.local_id for r in store.iter_records())
        store.db.execute("UPDATE records SET data=? WHERE source='loc' AND local_id=?",
                         (b"not a MARC record", ids[1]))
    app = create_app({"SHEAF_HOME": str(home.path), "TESTING": True})
    app.extensions["sheaf.home"].settings["oai_list_size"] = 1
    client = app.test_client()
    try:
        with caplog.at_level("WARNING", logger="web.oai"):
            records, _ = list_all(client, "ListRecords", metadataPrefix="marc21")
            one = parse(client.get("/oai", query_string={
                "verb": "GetRecord", "metadataPrefix": "oai_dc",
                "identifier": oai_id(f"loc:{ids[1]}")}))
        headers, _ = list_all(client, "ListIdentifiers", metadataPrefix="marc21")
    finally:
        app.extensions["sheaf.search"].close()

    assert sorted(r.findtext("o:header/o:identifier", namespaces=NS) for r in records) == \
        sorted(oai_id(f"loc:{i}") for i in ids if i != ids[1])
    assert len(headers) == len(ids)     # the header is listed: only its metadata fails
    assert error_code(one) == "cannotDisseminateFormat"
    messages = [r.getMessage() for r in caplog.records if r.name == "web.oai"]
    assert [m for m in messages if f"loc:{ids[1]} left out" in m] != []
    assert [m for m in messages if f"GetRecord loc:{ids[1]} as oai_dc" in m] != []
