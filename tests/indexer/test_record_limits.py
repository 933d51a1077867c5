"""The MARCXML decoder keeps libxml2's limits (review of issue 17: it parsed stored records
with ``huge_tree=True``, which lifts them, while every reader that stores MARCXML keeps
them). Whatever the reader stores, the decoder reads; past the limits a record is a
MappingError with the parser's reason.

The records are ``marcxml_chabon.xml``'s first record (tests/fixtures/PROVENANCE.md) with
a 520 grown to just under and just over libxml2's 10,000,000-byte text limit.
"""

from __future__ import annotations

import io
import re

import pytest

from harvest.marcxml import read_marcxml
from indexer.errors import MappingError
from indexer.record import decode

from ..support import FIXTURES

TEXT_LIMIT = 10_000_000   # libxml2's XML_MAX_TEXT_LENGTH without XML_PARSE_HUGE


def chabon_with_a_summary_of(size: int) -> bytes:
    collection = (FIXTURES / "marcxml_chabon.xml").read_bytes()
    first = re.search(rb"<record>.*?</record>", collection, re.S).group(0)
    summary = b'<datafield tag="520" ind1=" " ind2=" "><subfield code="a">' + \
        b"w" * size + b"</subfield></datafield>"
    record = first.replace(b"</record>", summary + b"</record>")
    return collection[:collection.index(b"<record>")] + record + b"</collection>"


def stored(document: bytes) -> tuple[list, list]:
    refused = []
    records = list(read_marcxml(io.BytesIO(document), "test.xml", refused.append))
    return records, refused


def test_a_record_the_reader_stores_decodes_whole():
    [record], refused = stored(chabon_with_a_summary_of(TEXT_LIMIT - 1000))
    assert refused == []
    decoded = decode(record.data, record.format)
    [summary] = [f for f in decoded.fields if f.tag == "520"]
    assert len(summary.get("a")) == TEXT_LIMIT - 1000
    assert decoded.fields[0].data.strip() == "11939876"


def test_past_the_limit_the_reader_refuses_and_the_decoder_says_why():
    document = chabon_with_a_summary_of(TEXT_LIMIT + 1000)
    records, refused = stored(document)
    assert records == [] and len(refused) == 1
    element = re.search(rb"<record>.*</record>", document, re.S).group(0)
    with pytest.raises(MappingError, match="not well formed.*(limit|huge)"):
        decode(element.replace(b"<record>", b'<record xmlns="http://www.loc.gov/MARC21/slim">'),
               "marcxml")
