"""Reading MARCXML: collections and lone records, namespaced or not, BOMs, no prolog, broken files.

Variants of marcxml_chabon.xml (a BOM, no prolog, no namespace, a prefix) are made from
its real bytes in each test; the broken files are ruby-marc's and Evergreen's.
"""

from __future__ import annotations

import codecs
import io
import re

import pymarc
import pytest

from harvest.marcfile import read_file
from harvest.marcxml import read_marcxml
from harvest.records import Rejected

from ..support import FIXTURES

CHABON = (FIXTURES / "marcxml_chabon.xml").read_bytes()
SLIM = b' xmlns="http://www.loc.gov/MARC21/slim"'


def read_bytes(data: bytes):
    rejected, warnings = [], []
    records = list(read_marcxml(io.BytesIO(data), "mem", rejected.append,
                                on_warning=warnings.append))
    return records, rejected, warnings


def ids(records) -> list[str]:
    return [r.local_id for r in records]


def test_marcxml_records_are_read_one_element_at_a_time():
    path = FIXTURES / "marcxml_chabon.xml"
    expected = [r["001"].data for r in pymarc.parse_xml_to_array(str(path))]
    second_at = CHABON.index(b"<record", CHABON.index(b"</record>"))

    rejected = []
    records = list(read_file(path, None, rejected.append))

    assert rejected == []
    assert ids(records) == expected == ["11939876", "12883376"]
    assert all(r.format == "marcxml" and not r.deleted for r in records)
    # each stored element stands alone: pymarc can parse it without the collection around it
    for rec, local_id in zip(records, expected):
        alone = pymarc.parse_xml_to_array(io.BytesIO(rec.data))
        assert [r["001"].data for r in alone] == [local_id]
    line = CHABON[:second_at].count(b"\n") + 1
    assert records[1].position == f"record 2 at byte {second_at} (line {line})"


@pytest.mark.parametrize("variant", ["bom", "no prolog", "no namespace", "prefixed", "utf-16",
                                     "latin-1 prolog", "lone record"])
def test_every_shape_of_marcxml_file_reads_the_same(variant):
    body = CHABON[CHABON.index(b"<collection"):]
    if variant == "bom":
        data = codecs.BOM_UTF8 + CHABON
    elif variant == "no prolog":
        data = body
    elif variant == "no namespace":
        data = body.replace(SLIM, b"")
    elif variant == "prefixed":
        data = (body.replace(SLIM, b' xmlns:marc="http://www.loc.gov/MARC21/slim"')
                .replace(b"<", b"<marc:").replace(b"<marc:/", b"</marc:"))
    elif variant == "utf-16":
        data = body.decode("utf-8").encode("utf-16")
    elif variant == "latin-1 prolog":
        data = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + body.replace(
            b"Kavalier", "Kavaliér".encode("latin-1"))
    else:
        first = body[body.index(b"<record"):body.index(b"</record>") + 9]
        data = first.replace(b"<record", b"<record" + SLIM, 1)
    records, rejected, warnings = read_bytes(data)
    assert (rejected, warnings) == ([], [])
    assert ids(records) == (["11939876"] if variant == "lone record" else ["11939876", "12883376"])
    for rec in records:                      # stored as UTF-8 elements that stand alone
        assert pymarc.parse_xml_to_array(io.BytesIO(rec.data))[0]["001"].data == rec.local_id
    if variant == "latin-1 prolog":
        assert "Kavaliér".encode("utf-8") in records[0].data


def test_a_broken_record_is_skipped_and_the_next_one_kept():
    # ruby-marc three-records-second-bad.xml: record 2 has raw non-UTF-8 bytes in a
    # subfield code attribute, so the file is not well-formed XML
    path = FIXTURES / "marcxml_second_record_broken.xml"
    data = path.read_bytes()
    starts = [i for i in range(len(data)) if data.startswith(b"<record", i)]
    assert len(starts) == 3

    rejected = []
    records = list(read_file(path, None, rejected.append))

    own_ids = [re.search(rb'tag="001">([^<]*)<', data[s:]).group(1).decode() for s in starts]
    assert ids(records) == [own_ids[0], own_ids[2]]
    assert len(rejected) == 1
    bad = rejected[0]
    line = data[:starts[1]].count(b"\n") + 1
    assert bad.position == f"record 2 at byte {starts[1]} (line {line})"
    assert bad.reason.startswith("XML is not well formed: invalid character in attribute value")
    # kept for the librarian with the namespaces it relied on copied onto it
    element = data[starts[1]:data.index(b"</record>", starts[1]) + 9]
    assert bad.data.startswith(b'<record xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
                               b' xmlns="http://www.loc.gov/MARC21/slim">')
    assert re.sub(rb' xmlns(:\w+)?="[^"]*"', b"", bad.data) == element


def test_records_after_the_document_element_are_kept_with_a_warning():
    # Evergreen serials_marc21.xml: a <record> document element followed by six more
    # records (junk after the document element); four of the seven have no 001 at all
    path = FIXTURES / "marcxml_not_well_formed_evergreen.xml"
    data = path.read_bytes()
    second = data.index(b"<record>", data.index(b"</record>"))
    rejected, warnings = [], []
    records = list(read_file(path, None, rejected.append, on_warning=warnings.append))
    assert ids(records) == ["21061", "01-0321871", "01-0309208"]
    assert [r.reason for r in rejected] == ["no 001 control number"] * 4
    assert [(w.position.split(" (")[0], w.reason) for w in warnings] == [
        (f"record 2 at byte {second}", "records after the end of the document element (the file"
                                  " is not well-formed XML); they are read anyway")]


def test_marcxml_that_breaks_off_keeps_what_came_before(tmp_path):
    second = CHABON.index(b"<record>", CHABON.index(b"</record>"))
    cut = tmp_path / "cut.xml"
    cut.write_bytes(CHABON[:second + 200])

    rejected = []
    records = list(read_file(cut, None, rejected.append))

    assert ids(records) == ["11939876"]
    assert [(r.where, r.position.split(" (")[0], r.reason) for r in rejected] == [
        (str(cut), f"record 2 at byte {second}",
         "XML is not well formed: the record element is not closed")]
    assert rejected[0].data == CHABON[second:second + 200]


def test_a_record_without_001_is_reported():
    without_001 = CHABON.replace(b'<controlfield tag="001">11939876</controlfield>', b"", 1)
    records, rejected, _ = read_bytes(without_001)
    assert ids(records) == ["12883376"]
    assert [(r.position.split(" (")[0], r.reason) for r in rejected] == [
        (f"record 1 at byte {CHABON.index(b'<record>')}", "no 001 control number")]


def test_marcxml_inside_an_oai_pmh_page_is_found():
    # the OAI <record> wrappers (OAI namespace) are not MARC records; the <marc:record>s are
    page = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
            + b"".join(b"<record><header><identifier>oai:x:" + i + b"</identifier></header>"
                       b"<metadata>" + r.replace(b"<record>", b"<record" + SLIM + b">")
                       + b"</metadata></record>"
                       for i, r in ((b"1", CHABON[CHABON.index(b"<record>"):
                                                  CHABON.index(b"</record>") + 9]),))
            + b"</ListRecords></OAI-PMH>")
    records, rejected, warnings = read_bytes(page)
    assert ids(records) == ["11939876"] and rejected == [] and warnings == []


def test_a_file_with_no_marc_records_says_so():
    records, rejected, warnings = read_bytes(b"<html><body>not a catalogue</body></html>")
    assert records == [] and rejected == []
    assert [(w.position, w.reason) for w in warnings] == [("whole file", "no MARCXML record found")]


def test_deleted_records_are_marked():
    deleted = CHABON.replace(b"<leader>00759cam", b"<leader>00759dam", 1)
    assert deleted != CHABON
    records, _, _ = read_bytes(deleted)
    assert [r.deleted for r in records] == [True, False]


def test_marcxml_memory_stays_flat():
    import tracemalloc

    head = CHABON[:CHABON.index(b"<record>")]
    record = CHABON[CHABON.index(b"<record>"):CHABON.index(b"</record>") + 10]

    class Endless(io.RawIOBase):
        """A 6,000-record collection (about 14 MB) made up as it is read."""

        def __init__(self):
            self.parts = iter([head] + [record] * 6000 + [b"</collection>\n"])
            self.pending = b""

        def readable(self):
            return True

        def readinto(self, buffer):
            while len(self.pending) < len(buffer):
                part = next(self.parts, None)
                if part is None:
                    break
                self.pending += part
            n = min(len(buffer), len(self.pending))
            buffer[:n] = self.pending[:n]
            self.pending = self.pending[n:]
            return n

    tracemalloc.start()
    count = sum(1 for _ in read_marcxml(io.BufferedReader(Endless(), 1 << 16), "endless",
                                        pytest.fail, block=1 << 18))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 6000
    assert peak < 4 << 20, peak


def test_rejects_carry_the_bytes_for_the_librarian():
    broken = CHABON.replace(b'<subfield code="a">Chabon, Michael.</subfield>',
                            b'<subfield code="a">Chabon & Michael.</subfield>', 1)
    assert broken != CHABON
    records, rejected, _ = read_bytes(broken)
    assert ids(records) == ["12883376"]
    assert isinstance(rejected[0], Rejected) and b"Chabon & Michael." in rejected[0].data
