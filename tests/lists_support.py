"""The home of the export and list tests (tests/web/test_lists_exports.py and
tests/browser/test_lists.py), and what its records say, read with pymarc.

Three LC Chinese records whose 880s give the title, names, edition and imprint
(``editions_880_chinese.mrc``), ten Vietnamese records without 880s, and
record 1 of ``oversize_offsets_past_99999.mrc`` stored as MARCXML, the way a harvest
stores it: 123,375 bytes, more than one ISO 2709 record can hold.
"""

from __future__ import annotations

import io
from pathlib import Path

import pymarc

from discovery.engines import open_index
from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from indexer.export import to_marcxml
from indexer.record import MARCXML_NS

from .support import FIXTURES, iso2709_records

CHINESE = FIXTURES / "editions_880_chinese.mrc"
VIETNAMESE = FIXTURES / "vietnamese_nfd_titles.mrc"
BIG = FIXTURES / "oversize_offsets_past_99999.mrc"
MIYI, LING, HE = "loc:00409657", "loc:00415041", "loc:00415243"
TOO_BIG = "xml:360944"


def build_lists_home(home: Home, workdir: Path) -> Home:
    collection = workdir / "oversize.xml"
    collection.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="'
                           + MARCXML_NS.encode() + b'">'
                           + to_marcxml(iso2709_records(BIG)[0], "marc21") + b"</collection>")
    sources = {"loc": ("Library of Congress", [CHINESE]),
               "vn": ("Thư viện Quốc gia Việt Nam", [VIETNAMESE]),
               "xml": ("Harvested as MARCXML", [collection])}
    for code, (name, files) in sources.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=str(files[0])))
    with RecordStore(home.store_path) as store:
        for code, (_name, files) in sources.items():
            assert import_files(home, store, code, [str(f) for f in files]).rejected == []
        assert build.rebuild(home, store, open_index(home)).failed == []
    return Home.load(home.path)


def lc_record(record_id: str) -> pymarc.Record:
    """The fixture's record with this id, as pymarc reads it."""
    for rec in pymarc.MARCReader(io.BytesIO(CHINESE.read_bytes()), to_unicode=True):
        if "loc:" + rec["001"].data.strip() == record_id:
            return rec
    raise KeyError(record_id)


def linked(record_id: str, tag: str, code: str) -> list[str]:
    """The $``code`` values of the 880s linked to ``tag`` ($6 tag-nn), ISBD punctuation cut."""
    rec = lc_record(record_id)
    return [v.strip().rstrip(" /:;,.．").strip("[] ") for f in rec.get_fields("880")
            if (f.get("6") or "").startswith(tag + "-") for v in f.get_subfields(code)]


def romanized(record_id: str, tag: str, code: str) -> list[str]:
    rec = lc_record(record_id)
    return [v.strip().rstrip(" /:;,.").strip("[] ") for f in rec.get_fields(tag)
            for v in f.get_subfields(code)]


def vietnamese_ids() -> list[str]:
    return ["vn:" + pymarc.Record(data=raw, to_unicode=True, force_utf8=True)["001"].data.strip()
            for raw in iso2709_records(VIETNAMESE)]
