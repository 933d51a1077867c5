"""The online-copies fixture (tests/fixtures/online_856.mrc) and what it should show, read
with pymarc, not with Sheaf: an access link is an 856 $u that is http(s), whose second
indicator is not 2 (related) and that is not about the work (a table of contents, a
sample); a record is online with one, or by its 007 "cr" or 008 form of item "o". Shared
by tests/web/test_online.py and the browser test."""

from __future__ import annotations

import pymarc

from harvest.config import Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from discovery.engines import open_index

from .conftest import engine_home
from .support import FIXTURES

FIXTURE = FIXTURES / "online_856.mrc"
GONE = "kan1222221"          # the record an update takes the 856 from


def marc_records(data: bytes) -> list[pymarc.Record]:
    return [r for r in pymarc.MARCReader(data, to_unicode=True, force_utf8=True)]


# what LC labels its links about a work with, and where it keeps them (LC's enhancements)
ABOUT_THE_WORK = ("table of contents", "sample text", "publisher description",
                  "contributor biographical information")


def about_the_work(field: pymarc.Field, url: str) -> bool:
    labels = field.get_subfields("3", "y", "z")
    return "loc.gov/catdir/" in url or any(
        label.strip().lower().startswith(ABOUT_THE_WORK) for label in labels)


def flagged_online(rec: pymarc.Record) -> bool:
    """007/00-01 "cr" (remote electronic resource), or 008 form of item "o"."""
    data = rec["008"].data if rec["008"] else ""
    at = 29 if rec.leader[6] in "efgkor" else 23
    return any(f.data.startswith("cr") for f in rec.get_fields("007")) or data[at:at + 1] == "o"


def oracle(records) -> dict[str, dict]:
    """id -> {'access': [urls], 'related': [urls], 'online': bool} for each record, from
    pymarc: an access link is an http(s) 856 $u whose second indicator is not 2 (related)
    and that is not about the work (LC's 856 41 "Sample text", its catdir pages); a record
    is online with an access link or by its 007/008."""
    out = {}
    for rec in records:
        entry = {"access": [], "related": []}
        for f in rec.get_fields("856"):
            for url in f.get_subfields("u"):
                url = url.strip()
                if url.lower().startswith(("http://", "https://")):
                    related = f.indicators[1] == "2" or about_the_work(f, url)
                    entry["related" if related else "access"].append(url)
        entry["online"] = bool(entry["access"]) or flagged_online(rec)
        out[f"lc:{rec['001'].data.strip()}"] = entry
    return out


EXPECTED = oracle(marc_records(FIXTURE.read_bytes()))
ONLINE = {rid for rid, e in EXPECTED.items() if e["online"]}
WITH_LINKS = {rid for rid, e in EXPECTED.items() if e["access"]}


def without_856(local_id: str) -> bytes:
    """The fixture's record ``local_id`` with its 856 fields removed (a library's later
    export of it), written by pymarc."""
    for rec in marc_records(FIXTURE.read_bytes()):
        if rec["001"].data.strip() == local_id:
            rec.remove_fields("856")
            return rec.as_marc()
    raise KeyError(local_id)


def make_home(path, engine, request, files):
    home = engine_home(path, engine, request)
    home.add_source(Source(code="lc", name="Library of Congress", kind="marc",
                           path=str(files[0])))
    with RecordStore(home.store_path) as store:
        for name in files:
            assert import_files(home, store, "lc", [str(name)]).rejected == []
        assert build.rebuild(home, store, open_index(home)).failed == []
    return home
