"""Importing files for a source: formats chosen per file, skipped records kept for the librarian."""

from __future__ import annotations

import pytest

from harvest.config import Home, Source
from harvest.errors import ConfigError
from harvest.importer import harvest_marc_source, import_files
from harvest.store import RecordStore

from ..support import FIXTURES, iso2709_records


@pytest.fixture
def home(tmp_path):
    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="m4j", name="marc4j corpus", kind="marc",
                           path=str(FIXTURES / "truncated_last_record.mrc")))
    home.add_source(Source(code="hust", name="华中科技大学图书馆", kind="marc",
                           path=str(FIXTURES / "cnmarc_*.mrc"), flavour="unimarc"))
    return home


def rejects(home, suffix: str):
    return sorted((home.path / "rejects").glob(f"*{suffix}")) if (home.path / "rejects").exists() \
        else []


def test_a_skipped_record_is_written_to_the_reject_files(home):
    seen = []
    with RecordStore(home.store_path) as store:
        summary = harvest_marc_source(home, store, home.source("m4j"), on_reject=seen.append)
        assert store.counts() == {"m4j": {"records": 1, "deleted": 0}}

    assert (summary.read, summary.new, summary.skipped) == (1, 1, 1)
    assert seen == summary.rejected
    assert summary.reasons() == [("record is truncated (no record terminator)", 1)]
    [txt], [mrc] = rejects(home, ".txt"), rejects(home, ".mrc")
    assert summary.reject_files == [txt, mrc]
    assert txt.name.startswith("m4j-")
    assert txt.read_text(encoding="utf-8") == f"{summary.rejected[0]}\n"
    # the raw file holds the skipped record's bytes exactly, ready to fix and re-import
    data = (FIXTURES / "truncated_last_record.mrc").read_bytes()
    assert mrc.read_bytes() == data[data.index(b"\x1d") + 1:]


def test_rejected_marcxml_is_kept_as_a_collection_that_can_be_fixed_and_imported(home):
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, "m4j",
                               [str(FIXTURES / "marcxml_second_record_broken.xml")])
        assert (summary.read, summary.skipped) == (2, 1)
        [xml] = rejects(home, ".xml")
        text = xml.read_bytes()
        assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<collection')
        assert text.endswith(b"</record>\n</collection>\n")
        # the librarian mends the bad subfield code (a BEL control character, 0x07, which
        # XML does not allow) and imports the file again
        assert text.count(b'code="\x07"') == 1
        fixed = xml.with_name("fixed.xml")
        fixed.write_bytes(text.replace(b'code="\x07"', b'code="h"'))
        again = import_files(home, store, "m4j", [str(fixed)])
    assert (again.read, again.skipped) == (1, 0), again.rejected


def test_nothing_is_written_to_rejects_when_all_is_well(home):
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, "m4j", [str(FIXTURES / "chinese_880_*.mrc")])
    assert (summary.read, summary.new, summary.skipped) == (6, 6, 0)
    assert summary.reject_files == [] and not (home.path / "rejects").exists()


def test_summary_counts_new_changed_unchanged_and_deleted(home):
    originals = iso2709_records(FIXTURES / "chinese_880_traditional.mrc")
    with RecordStore(home.store_path) as store:
        first = import_files(home, store, "m4j", [str(FIXTURES / "chinese_880_traditional.mrc")])
        # the same file again, except that record 2 changed and record 3 is now deleted
        changed = originals[1].replace(b"Chen Wanzhen zhu.", b"Chen Wanzhen zhu!")
        deleted = originals[2][:5] + b"d" + originals[2][6:]
        path = home.path / "second.mrc"
        path.write_bytes(originals[0] + changed + deleted + originals[3])
        second = import_files(home, store, "m4j", [str(path)])
    assert first.as_dict() == {"read": 4, "new": 4, "changed": 0, "unchanged": 0, "deleted": 0,
                               "skipped": 0}
    assert second.as_dict() == {"read": 4, "new": 0, "changed": 1, "unchanged": 2, "deleted": 1,
                                "skipped": 0}
    assert str(second) == "read 4, new 0, changed 1, unchanged 2, deleted 1, skipped 0"


def test_warnings_are_counted_but_records_kept(home):
    warned = []
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, "m4j",
                               [str(FIXTURES / "leader09_utf8_but_marc8.mrc"),
                                str(FIXTURES / "broken_directory_second_record.mrc")],
                               on_warning=warned.append)
    assert (summary.read, summary.skipped) == (6, 0)
    assert warned == summary.warnings
    assert [w.reason.split(";")[0] for w in summary.warnings] == [
        "leader/09 says UTF-8 but the bytes are MARC-8",
        "directory length 217 is not a multiple of 12"]
    assert str(summary).endswith("skipped 0 (2 warnings)")


def test_unimarc_source_and_its_encodings(home):
    with RecordStore(home.store_path) as store:
        summary = harvest_marc_source(home, store, home.source("hust"))
        formats = {(r.local_id, r.format) for r in store.iter_records()}
    # cnmarc_gb18030.mrc, cnmarc_mislabelled.mrc and cnmarc_utf8.mrc: 12 + 1 + 12 records,
    # 12 distinct ids (the mislabelled one is record 1 again)
    assert (summary.read, summary.skipped) == (25, 0)
    assert {f for _, f in formats} == {"unimarc"} and len(formats) == 12
    assert [w.reason for w in summary.warnings] == [
        "field 100 $a/26-29 says UTF-8 but the bytes are GB 18030"]


def test_the_encoding_setting_overrides_the_record(tmp_path):
    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="gb", name="GB library", kind="marc", flavour="unimarc",
                           encoding="gbk", path=str(FIXTURES / "cnmarc_mislabelled.mrc")))
    with RecordStore(home.store_path) as store:
        summary = harvest_marc_source(home, store, home.source("gb"))
    assert (summary.read, summary.warnings) == (1, [])
    # an import can override the source's setting in turn
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, "gb", [str(FIXTURES / "cnmarc_mislabelled.mrc")],
                               encoding="utf-8")
    assert [w.reason for w in summary.warnings] == ["bytes that are not valid utf-8 were replaced"]


def test_marcxml_and_iso2709_files_in_one_import(home):
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, "m4j", [str(FIXTURES / "marcxml_chabon.xml"),
                                                    str(FIXTURES / "marc8_cyrillic.mrc")])
        formats = {r.local_id: r.format for r in store.iter_records()}
    assert summary.new == 3
    assert formats == {"11939876": "marcxml", "12883376": "marcxml", "u6015439": "marc21"}


def test_import_for_an_unknown_source_format_or_flavour_is_a_config_error(home):
    with RecordStore(home.store_path) as store:
        with pytest.raises(ConfigError, match="unknown source 'nope'"):
            import_files(home, store, "nope", [str(FIXTURES / "marc8_cyrillic.mrc")])
        with pytest.raises(ConfigError, match="unknown format 'mods'"):
            import_files(home, store, "m4j", [str(FIXTURES / "marc8_cyrillic.mrc")], fmt="mods")
        with pytest.raises(ConfigError, match="unknown flavour 'mab2'"):
            import_files(home, store, "m4j", [str(FIXTURES / "marc8_cyrillic.mrc")],
                         flavour="mab2")
        assert store.counts() == {}


def test_an_import_of_every_broken_file_never_crashes_and_keeps_the_good_records(home):
    names = ["bad_leaders_and_directories.mrc", "broken_directory_second_record.mrc",
             "truncated_last_record.mrc", "marcxml_second_record_broken.xml",
             "marcxml_not_well_formed_evergreen.xml", "oversize_offsets_past_99999.mrc",
             "oversize_directory_widened_entries.mrc", "directory_lengths_in_characters.mrc",
             "utf8_invalid_bytes.mrc", "marc8_bad_eacc.mrc", "marc8_bad_indicator_082.mrc"]
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, "m4j", [str(FIXTURES / n) for n in names])
        stored = store.counts()["m4j"]["records"]
    # kept: 5 + 1 + 2 + 3 + 3 + 1 + 1 + 1 + 1 + 1 (pymarc's bad_records: none); ruby-marc's
    # two good records are the same record twice, so the second changes nothing
    assert (summary.read, summary.new, summary.unchanged) == (19, 18, 1)
    assert stored == 18
    assert summary.skipped == 9 + 1 + 1 + 4
    assert dict(summary.reasons())["no 001 control number"] == 5 + 4
