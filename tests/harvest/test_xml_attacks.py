"""XML attacks through every way XML enters Sheaf: a MARCXML file given to ``sheaf import``
(the real command, as a librarian runs it) and OAI-PMH pages harvested from a server on
127.0.0.1. Billion laughs, external general and parameter entities, an external DTD,
XInclude, a huge attribute and deep nesting are each refused with a reason, nothing
they name is fetched or read (a canary server counts requests, a secret file is looked
for everywhere in the home), and the good records around the bad one are kept.

An attack inside a record refuses that record; one that breaks the whole document (an
OAI-PMH page the parser cannot read) refuses the page, after the pages before it are kept.
"""

from __future__ import annotations

import random
import re

import pytest

from harvest.config import Home, Source
from harvest.oai import OaiClient, RetryPolicy, harvest_oai_source
from harvest.store import RecordStore

from ..support import FIXTURES
from ..test_cli import run
from .oai_support import Reply, ReplayServer, Waits, fixture

SECRET = "TOP-SECRET-CANARY"
MARC_NS = b"http://www.loc.gov/MARC21/slim"
LAUGHS = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 12))


def attacks(canary: str, secret_uri: str) -> dict[str, tuple[str, bytes]]:
    """name -> (DOCTYPE before the document element, markup put inside the bad record)."""
    return {
        "billion_laughs": (f'<!DOCTYPE ROOT [<!ENTITY e0 "lol">{LAUGHS}]>',
                           b'<subfield code="a">&e11;</subfield>'),
        "external_entity": (f'<!DOCTYPE ROOT [<!ENTITY x SYSTEM "{secret_uri}">'
                            f'<!ENTITY y SYSTEM "{canary}/general">]>',
                            b'<subfield code="a">&x;&y;</subfield>'),
        "parameter_entity": (f'<!DOCTYPE ROOT [<!ENTITY % p SYSTEM "{canary}/parameter"> %p;]>',
                             b""),
        "external_dtd": (f'<!DOCTYPE ROOT SYSTEM "{canary}/dtd">', b""),
        "xinclude": ("", f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude"'
                         f' href="{secret_uri}" parse="text"/>'
                         f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude"'
                         f' href="{canary}/xinclude"/>'.encode()),
        "huge_attribute": ("", b'<subfield code="a" x="' + b"A" * (11 << 20) + b'">t</subfield>'),
        "deep_nesting": ("", b"<d>" * 50_000 + b"</d>" * 50_000),
    }


# what each attack does to the record it is in (None: the record is good and kept, the
# DOCTYPE naming the outside is never read)
IN_A_FILE = {
    "billion_laughs": "XML is not well formed: Entity 'e11' not defined",
    "external_entity": "XML is not well formed: Entity 'x' not defined",
    "parameter_entity": None,
    "external_dtd": None,
    "xinclude": "XInclude <include> in the record (Sheaf never fetches what it names)",
    "huge_attribute": "XML is not well formed: Resource limit exceeded",
    "deep_nesting": "XML is not well formed: Excessive depth in document: 256",
}


@pytest.fixture
def canary():
    """A server that answers nothing and logs every request: what an attack would fetch."""
    with ReplayServer() as server:
        yield server


@pytest.fixture
def secret_uri(tmp_path) -> str:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path.as_uri()


def alma_records() -> tuple[bytes, list[bytes], bytes]:
    """The real Alma ListRecords page as (head, OAI record elements, tail)."""
    page = fixture("alma_marc21_list_records_100.xml")
    end = b"</metadata></record>"
    start = page.index(b"<record>")
    records, at = [], start
    while (stop := page.find(end, at)) >= 0:
        records.append(page[at:stop + len(end)])
        at = stop + len(end)
    return page[:start], records, page[at:]


def with_inside(record: bytes, markup: bytes) -> bytes:
    """``markup`` put inside the record's first datafield."""
    at = record.index(b"</datafield>")
    return record[:at] + markup + record[at:]


def marc_ids(data: bytes) -> list[str]:
    return re.findall(r'<controlfield tag="001">([^<]+)<', data.decode("utf-8"))


def nothing_leaked(canary: ReplayServer, home) -> None:
    assert canary.requests == []
    for path in home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_a_marcxml_import_refuses_each_attack_and_keeps_the_records_around_it(
        tmp_path, canary, secret_uri):
    _head, records, _tail = alma_records()
    marc = [r[r.index(b"<record xmlns"):r.index(b"</metadata>")] for r in records]
    files, expected_kept = [], set()
    for n, (name, (doctype, markup)) in enumerate(attacks(canary.url, secret_uri).items()):
        good_before, bad, good_after = marc[3 * n:3 * n + 3]
        path = tmp_path / f"{name}.xml"
        path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>'
                         + doctype.replace("ROOT", "collection").encode()
                         + b'<collection xmlns="' + MARC_NS + b'">' + good_before
                         + with_inside(bad, markup) + good_after + b"</collection>")
        files.append(path)
        expected_kept |= set(marc_ids(good_before) + marc_ids(good_after))
        if IN_A_FILE[name] is None:
            expected_kept |= set(marc_ids(bad))
    home = tmp_path / "home"
    assert run(home, "init").returncode == 0
    assert run(home, "source", "add", "m", "--name", "M", "--marc", str(files[0])).returncode == 0

    proc = run(home, "import", "--source", "m", *map(str, files))

    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    skipped = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"sheaf: skipped (.+?\.xml): record 2 at byte \d+ \(line \d+\): (.*)", line)
        if m:
            skipped[m.group(1).rsplit("/", 1)[1].removesuffix(".xml")] = m.group(2)
    assert set(skipped) == {name for name, reason in IN_A_FILE.items() if reason}, proc.stderr
    for name, reason in skipped.items():
        assert reason.startswith(IN_A_FILE[name]), (name, reason)
    with RecordStore(home / "store.sqlite") as store:
        kept = {r.local_id for r in store.iter_records(source="m")}
    assert kept == expected_kept
    nothing_leaked(canary, home)


def page(head: bytes, records: list[bytes], tail: bytes, token: str | None) -> bytes:
    tail = re.sub(rb"<resumptionToken>[^<]*</resumptionToken>",
                  b"<resumptionToken>" + (token or "").encode() + b"</resumptionToken>", tail)
    return head + b"".join(records) + tail


# an attack in the document's DOCTYPE or beyond the parser's limits makes the page
# unreadable; one inside a record refuses that record
PAGE_REFUSED = {"billion_laughs": "Maximum entity amplification factor exceeded",
                "huge_attribute": "Buffer size limit exceeded",
                "deep_nesting": "Excessive depth in document"}
RECORD_REFUSED = {"external_entity": "entity reference &x; in the record",
                  "xinclude": "XInclude <include> in the record"}


@pytest.mark.parametrize("name", list(IN_A_FILE))
def test_an_oai_harvest_refuses_each_attack_and_keeps_the_records_around_it(
        tmp_path, canary, secret_uri, name):
    doctype, markup = attacks(canary.url, secret_uri)[name]
    head, records, tail = alma_records()
    first, second, third = records[:3], records[3:6], records[6:9]
    second = [second[0], with_inside(second[1], markup), second[2]]
    head = head.replace(b"?>", b"?>" + doctype.replace("ROOT", "OAI-PMH").encode(), 1)
    with ReplayServer() as server:
        server.route(Reply(fixture("zenodo_identify.xml")), verb="Identify")
        server.route(Reply(page(head, first, tail, "p2")), verb="ListRecords",
                     resumptionToken=None)
        server.route(Reply(page(head, second, tail, "p3")), verb="ListRecords",
                     resumptionToken="p2")
        server.route(Reply(page(head, third, tail, None)), verb="ListRecords",
                     resumptionToken="p3")
        home = Home.init(tmp_path / "home")
        source = Source(code="alma", name="Alma", kind="oai", url=server.url, prefix="marc21")
        waits = Waits()
        client = OaiClient(source.url, RetryPolicy.for_source(source), sleep=waits.sleep,
                           clock=waits.clock, rng=random.Random(1))
        with RecordStore(home.store_path) as store:
            report = harvest_oai_source(home, store, source, client=client)
            kept = {r.local_id for r in store.iter_records(source="alma")}

    identifiers = [re.search(rb"<identifier>([^<]+)<", r).group(1).decode()
                   for r in first + second + third]
    if name in PAGE_REFUSED:
        assert report.status == "failed"
        assert any(PAGE_REFUSED[name] in m for m in report.messages), report.messages
        assert kept == set(identifiers[:3])          # the page before it is kept
    elif name in RECORD_REFUSED:
        assert report.ok and report.pages == 3
        [rejected] = report.rejected
        assert rejected.reason.startswith(f"{identifiers[4]}: {RECORD_REFUSED[name]}")
        assert kept == set(identifiers) - {identifiers[4]}
    else:                                             # the DOCTYPE is never read
        assert report.ok and report.pages == 3 and report.rejected == []
        assert kept == set(identifiers)
    nothing_leaked(canary, home.path)
