"""Dublin Core (oai_dc) mapping: a real record harvested from a Blacklight OAI provider.

A stored oai_dc record is the <oai_dc:dc> element's bytes, as the harvester keeps it; the
test cuts it out of traject's recorded ListRecords page the same way.
"""

from __future__ import annotations

import pytest
from lxml import etree

from indexer.export import dc_to_marc, write_record
from indexer.mapping import map_stored
from indexer.record import from_iso2709

from ..support import FIXTURES

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def dc_elements(name: str = "oai_dc_listrecords_sciencehistory.xml") -> list[bytes]:
    tree = etree.parse(str(FIXTURES / name), etree.XMLParser(resolve_entities=False,
                                                             no_network=True))
    return [etree.tostring(e) for e in tree.iter(f"{{{OAI_DC}}}dc")]


def test_a_sciencehistory_photograph():
    data = dc_elements()[1]
    # <dc:identifier>https://digital.sciencehistory.org/works/fq977t769</dc:identifier>
    # <dc:title>Spice Storage</dc:title>
    # <dc:rights>http://rightsstatements.org/vocab/NKC/1.0/</dc:rights>
    # <dc:creator>Norda Essential Oil and Chemical Company</dc:creator>
    # <dc:date>1950s</dc:date>
    # <dc:description>Interior view of the spice storage area ... essential oils.</dc:description>
    # <dc:format>image/tiff</dc:format>
    # <dc:subject>Research, Industrial--Laboratories</dc:subject> ... 3 more subjects
    # <dc:type>Image</dc:type>  <dc:type>photographs</dc:type>
    # <dc:identifier>https://digital.sciencehistory.org/download_redirect/9k41zd701/...</dc:identifier>
    # <dpla:originalRecord>, <edm:preview> ...: other namespaces, not Dublin Core
    assert b"<dc:title>Spice Storage</dc:title>" in data
    small = ("https://digital.sciencehistory.org/download_redirect/9k41zd701/dl_small"
             "?no_content_disposition=true")
    mapped = map_stored(data, "oai_dc", local_id="oai:sciencehistoryorg:fq977t769",
                        source="chf", on_warning=pytest.fail)
    assert mapped == {
        "local_id": "oai:sciencehistoryorg:fq977t769",
        "title": "Spice Storage",
        "authors": ["Norda Essential Oil and Chemical Company"],
        "contributors": [{"name": "Norda Essential Oil and Chemical Company", "type": "unknown",
                          "roles": ["cre"], "vernacular": False}],
        "subjects": ["Research, Industrial--Laboratories", "Essences and essential oils industry",
                     "Norda Essential Oil and Chemical Company", "Perfumes industry"],
        "summary": ["Interior view of the spice storage area at the Norda Company plant in"
                    " Boonton, New Jersey, showing sacks of spices used in the manufacture of"
                    " perfumes and essential oils."],
        "year": 1950,                           # "1950s": the decade's first year
        "format": "image",                      # dc:type Image (DCMI type vocabulary)
        "links": [{"url": "https://digital.sciencehistory.org/works/fq977t769",
                   "kind": "resource"}, {"url": small, "kind": "resource"}],
        "online": True,
        "notes": ["http://rightsstatements.org/vocab/NKC/1.0/"],
        "holdings": [{"library": "chf"}],
    }


def test_a_record_with_only_an_identifier_and_a_title():
    data = dc_elements()[0]
    assert map_stored(data, "oai_dc", on_warning=pytest.fail) == {
        "title": "Warehouses",
        "links": [{"url": "https://digital.sciencehistory.org/works/mk61rg92z",
                   "kind": "resource"}],
        "online": True,
    }


def test_languages_identifiers_and_types_are_normalised():
    data = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:title>Truyện Kiều</dc:title><dc:title>Kim Vân Kiều</dc:title>"
            "<dc:creator>Nguyễn Du</dc:creator><dc:contributor>Đào Duy Anh</dc:contributor>"
            "<dc:language>vi</dc:language><dc:language>zh-CN</dc:language>"
            "<dc:language>English</dc:language>"
            "<dc:identifier>urn:isbn:978-604-0-00000-2</dc:identifier>"
            "<dc:identifier>ISSN 1000-4254</dc:identifier>"
            "<dc:type>info:eu-repo/semantics/doctoralThesis</dc:type>"
            "<dc:subject>Thơ; Văn học Việt Nam</dc:subject></oai_dc:dc>").encode()
    mapped = map_stored(data, "oai_dc", on_warning=pytest.fail)
    assert mapped["title"] == "Truyện Kiều" and mapped["title_alt"] == ["Kim Vân Kiều"]
    assert mapped["authors"] == ["Nguyễn Du", "Đào Duy Anh"]
    assert [c["roles"] for c in mapped["contributors"]] == [["cre"], ["ctb"]]
    assert mapped["languages"] == ["vie", "chi", "eng"]
    # 9+21+8+18+0+12 = 68 -> check 2; ISBN-10: 6*10+4*8 = 92 = 8*11+4 -> check 7
    assert mapped["isbns"] == ["9786040000002", "6040000007"]
    assert mapped["issns"] == ["1000-4254"]
    assert mapped["format"] == "thesis"
    assert mapped["subjects"] == ["Thơ", "Văn học Việt Nam"]


def test_dublin_core_crosswalks_to_marc21_for_export():
    record = dc_to_marc(dc_elements()[1], "oai:sciencehistoryorg:fq977t769")
    tags = [f.tag for f in record.fields]
    assert tags == ["001", "245", "260", "520", "540", "653", "653", "653", "653", "655", "655",
                    "720", "856", "856", "856"]
    back = from_iso2709(write_record(record))
    assert [(f.tag, f.data or f.subfields) for f in back.fields] == \
        [(f.tag, f.data or f.subfields) for f in record.fields]
