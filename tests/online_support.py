"""The online-copies fixture (tests/fixtures/online_856.mrc) and what it should show, read
with pymarc, not with Sheaf: an access link is an 856 $u that is http(s) and whose second
indicator is not 2 (related). Shared by tests/web/test_online.py and the browser test."""

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


def oracle(records) -> dict[str, dict]:
    """id -> {'access': [urls], 'related': [urls]} for each record, from pymarc."""
    out = {}
    for rec in records:
        entry = {"access": [], "related": []}
        for f in rec.get_fields("856"):
            for url in f.get_subfields("u"):
                if url.strip().lower().startswith(("http://", "https://")):
                    entry["related" if f.indicators[1] == "2" else "access"].append(url.strip())
        out[f"lc:{rec['001'].data.strip()}"] = entry
    return out


EXPECTED = oracle(marc_records(FIXTURE.read_bytes()))
ONLINE = {rid for rid, e in EXPECTED.items() if e["access"]}


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
