"""Real harvesters we did not write, and a second Sheaf, harvest the provider of a real
``sheaf serve`` process (two workers, pages of 7, so tokens cross workers).

Sickle and pyoai's client page through every verb; a second Sheaf harvests the first
(``sheaf harvest`` over HTTP) and holds the same records with the same MARC fields;
the deletions of an ``import --replace`` reach it as deleted headers; a resumption
token taken before a restart of the server and an index switch is still good after them.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from lxml import etree
from sickle import Sickle

from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.oai.protocol import safe_parser
from harvest.store import RecordStore
from indexer.export import record_of

from ..support import FIXTURES, running_server
from .oai_support import (NS, fields, fixture_ids, marcxml_record, oai_id, pymarc_records,
                          pyoai_client)

pytestmark = pytest.mark.slow

SOURCES = {
    "loc": ("Library of Congress", ["multilingual_lc_50.mrc", "chinese_880_traditional.mrc"]),
    "legacy": ("MARC-8 collection", ["marc8_eacc_chinese.mrc", "marc8_cyrillic.mrc",
                                     "marc8_french_diacritics.mrc", "marcxml_chabon.xml"]),
    "it": ("Biblioteca SBN", ["unimarc_italian_sbn.mrc"]),
}
PAGE = 7


def make_home(path) -> Home:
    home = Home.init(path)
    config = home.config_path.read_text(encoding="utf-8")
    config, n = re.subn(r"^oai_list_size = 200$", f"oai_list_size = {PAGE}", config, flags=re.M)
    assert n == 1
    home.config_path.write_text(config, encoding="utf-8")
    for code, (name, files) in SOURCES.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=str(FIXTURES / files[0]),
                               flavour="unimarc" if code == "it" else "marc21"))
    with RecordStore(home.store_path) as store:
        for code, (_name, files) in SOURCES.items():
            summary = import_files(home, store, code, [str(FIXTURES / f) for f in files])
            assert summary.rejected == []
    return Home.load(path)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = tmp_path_factory.mktemp("oai-first")
    home = make_home(path / "home")
    with running_server(home.path, path, workers=2) as base:
        yield base + "/oai", home


def sheaf(home_path, *args, status: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "cli", "--home", str(home_path), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == status, done.stdout + done.stderr
    return done


def sheaf_fields(record) -> list[tuple]:
    """Sheaf's decoded record as the tuples of :func:`oai_support.fields`."""
    return [(f.tag, f.data) if f.is_control else
            (f.tag, f.ind1, f.ind2, tuple(tuple(s) for s in f.subfields)) for f in record.fields]


def test_sickle_harvests_every_record_and_verb(served):
    url, home = served
    sickle = Sickle(url)
    expected = fixture_ids(SOURCES)

    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert {s.setSpec for s in sickle.ListSets()} == {"library"} | {f"library:{c}"
                                                                    for c in SOURCES}
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == \
        ["marc21", "unimarc", "oai_dc"]

    records = list(sickle.ListRecords(metadataPrefix="marc21"))
    assert sorted(r.header.identifier for r in records) == sorted(oai_id(i) for i in expected)
    by_id = {r.header.identifier: r for r in records}
    for name in ("multilingual_lc_50.mrc", "marc8_cyrillic.mrc", "marcxml_chabon.xml"):
        code = next(c for c, (_, files) in SOURCES.items() if name in files)
        for original in pymarc_records(name):
            record = by_id[oai_id(f"{code}:{original['001'].data.strip()}")]
            xml = etree.fromstring(record.raw.encode("utf-8"), safe_parser())
            assert fields(marcxml_record(xml.find(".//m:record", NS))) == fields(original)

    unimarc = list(sickle.ListIdentifiers(metadataPrefix="unimarc"))
    assert sorted(h.identifier for h in unimarc) == sorted(oai_id(i) for i in expected
                                                           if i.startswith("it:"))
    one = sickle.GetRecord(identifier=oai_id(next(iter(expected))), metadataPrefix="oai_dc")
    assert one.metadata["title"]


def test_pyoai_harvests_oai_dc_and_headers(served):
    url, home = served
    client = pyoai_client(url)
    expected = fixture_ids(SOURCES)

    identify = client.identify()
    assert identify.deletedRecord() == "persistent"
    assert identify.granularity() == "YYYY-MM-DDThh:mm:ssZ"
    client.updateGranularity()
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    assert sorted(h.identifier() for h, _m, _a in records) == sorted(oai_id(i) for i in expected)
    assert all(m.getField("title") for _h, m, _a in records)
    headers = list(client.listIdentifiers(metadataPrefix="marc21", set="library:legacy"))
    assert sorted(h.identifier() for h in headers) == sorted(
        oai_id(i) for i in expected if i.startswith("legacy:"))
    assert {tuple(h.setSpec()) for h in headers} == {("library:legacy",)}
    assert {spec for spec, _name, _d in client.listSets()} == {"library"} | {
        f"library:{c}" for c in SOURCES}


def test_a_second_sheaf_harvests_the_first_and_loses_nothing(served, tmp_path):
    url, home = served
    second = Home.init(tmp_path / "second")
    sheaf(second.path, "source", "add", "first", "--name", "The first Sheaf", "--oai", url,
          "--prefix", "marc21")
    check = sheaf(second.path, "source", "check", "first", "--json").stdout
    sheaf(second.path, "harvest")

    assert "marc21" in check and "library:loc" in check
    with RecordStore(home.store_path) as first_store:
        first = {oai_id(r.id): sheaf_fields(record_of(r.data, r.format,
                                                      home.sources[r.source].encoding,
                                                      r.local_id))
                 for r in first_store.iter_records(include_deleted=False)}
    with RecordStore(second.store_path) as second_store:
        got = {r.local_id: fields(marcxml_record(etree.fromstring(r.data, safe_parser())))
               for r in second_store.iter_records(source="first", include_deleted=False)}
    assert len(got) == len(first) == len(fixture_ids(SOURCES))
    assert got.keys() == first.keys()
    for identifier, original in first.items():
        assert got[identifier] == original, identifier


def test_replace_deletions_reach_the_second_sheaf_as_deleted_headers(tmp_path):
    home = make_home(tmp_path / "first")
    kept = fixture_ids({"loc": ("", ["chinese_880_traditional.mrc"])})
    gone = fixture_ids({"loc": ("", ["multilingual_lc_50.mrc"])})
    with running_server(home.path, tmp_path, workers=1) as base:
        second = Home.init(tmp_path / "second")
        sheaf(second.path, "source", "add", "first", "--name", "First", "--oai", base + "/oai",
              "--prefix", "marc21", "--set", "library:loc")
        sheaf(second.path, "harvest")
        sheaf(home.path, "import", str(FIXTURES / "chinese_880_traditional.mrc"),
              "--source", "loc", "--replace", "--yes", "--allow-deletions")

        # 50 of 54 records arrive deleted, 7 headers a page: the deletion guard stops the
        # run before the page that takes it past a quarter of the source, and again on retry
        refusals = [sheaf(second.path, "harvest", status=3) for _ in range(2)]
        with RecordStore(second.store_path) as store:
            early = {r.local_id for r in store.iter_records(source="first") if r.deleted}
            run = store.harvest_history("first", 1)[0]
        sheaf(second.path, "harvest", "--allow-deletions")

        headers = list(Sickle(base + "/oai").ListIdentifiers(metadataPrefix="marc21",
                                                            set="library:loc"))
    live_before = len(kept) + len(gone)
    for refused in refusals:
        assert re.search(r"ALERT first refused: deleted headers of this harvest would delete"
                         rf" \d+ of the {live_before} records of first", refused.stderr)
    assert run.status == "refused" and run.token
    # the pages before the refused one are kept: only deletions are new since the first
    # harvest, a full page of them each, as many pages as stay within the guard's share
    assert early < {oai_id(i) for i in gone}
    assert len(early) == PAGE * (int(0.25 * live_before) // PAGE)
    deleted = {h.identifier for h in headers if h.deleted}
    assert deleted == {oai_id(i) for i in gone}
    assert {h.identifier for h in headers if not h.deleted} == {oai_id(i) for i in kept}
    with RecordStore(second.store_path) as store:
        dead = {r.local_id for r in store.iter_records(source="first") if r.deleted}
        live = {r.local_id for r in store.iter_records(source="first", include_deleted=False)}
    assert dead == {oai_id(i) for i in gone}
    assert live == {oai_id(i) for i in kept}


def test_a_token_survives_a_restart_of_the_server_and_an_index_switch(served, tmp_path):
    _url, home = served
    expected = sorted(oai_id(i) for i in fixture_ids(SOURCES))
    with running_server(home.path, tmp_path, workers=1) as base:
        first_page = Sickle(base + "/oai")
        response = first_page.harvest(verb="ListIdentifiers", metadataPrefix="marc21")
        root = etree.fromstring(response.raw.encode("utf-8"), safe_parser())
        seen = [h.findtext("o:identifier", namespaces=NS) for h in root.iterfind(".//o:header", NS)]
        token = root.findtext(".//o:resumptionToken", namespaces=NS)
    assert len(seen) == PAGE and token
    sheaf(home.path, "index")   # the home's first index generation goes live
    with running_server(home.path, tmp_path, workers=1) as base:
        rest = Sickle(base + "/oai").ListIdentifiers(resumptionToken=token)
        seen += [h.identifier for h in rest]
    assert sorted(seen) == expected
