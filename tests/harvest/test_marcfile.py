"""Reading ISO 2709 files: records cut at terminators, broken ones reported, damaged ones mended.

Expected ids and offsets are worked out here with pymarc and plain byte arithmetic,
not taken from Sheaf's own output. The broken files are the real ones from the marc4j,
pymarc and ruby-marc test suites (tests/fixtures/PROVENANCE.md).
"""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest

from harvest.errors import ConfigError, SourceUnreadable
from harvest.iso2709 import read_layout, write_layout
from harvest.marcfile import detect_format, expand_paths, read_file, read_iso2709
from harvest.records import Rejected

from ..support import FIXTURES, iso2709_records


def pymarc_ids(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        return [r["001"].data.strip()
                for r in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True) if r]


def read_all(path: Path, fmt: str | None = None, **kwargs):
    rejected: list[Rejected] = []
    warnings: list = []
    records = list(read_file(path, fmt, rejected.append, on_warning=warnings.append, **kwargs))
    return records, rejected, warnings


@pytest.mark.parametrize("name, count", [
    ("chinese_880_traditional.mrc", 4),
    ("chinese_880_simplified.mrc", 2),
    ("vietnamese_nfd_titles.mrc", 10),
    ("multilingual_lc_50.mrc", 50),
])
def test_iso2709_ids_and_bytes_match_pymarc(name, count):
    path = FIXTURES / name
    records, rejected, warnings = read_all(path)

    assert rejected == [] and warnings == []
    assert len(records) == count
    assert [r.local_id for r in records] == pymarc_ids(path)
    assert b"".join(r.data for r in records) == path.read_bytes()
    assert all(r.format == "marc21" and not r.deleted for r in records)


def test_positions_give_ordinal_and_byte_offset():
    path = FIXTURES / "multilingual_lc_50.mrc"
    data = path.read_bytes()
    # offsets from the leaders' own record lengths (LC's data is well formed)
    offsets, at = [], 0
    while at < len(data):
        offsets.append(at)
        at += int(data[at:at + 5])

    records, _, _ = read_all(path)

    assert [r.position for r in records] == [
        f"record {n} at byte {off}" for n, off in enumerate(offsets, start=1)]


class Trickle(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes per read, as pipes and sockets may."""

    def __init__(self, data: bytes, step: int):
        self._buf = io.BytesIO(data)
        self._step = step

    def readable(self):
        return True

    def read(self, size=-1):
        return self._buf.read(self._step if size < 0 else min(size, self._step))


def test_records_split_across_short_reads_are_reassembled():
    path = FIXTURES / "chinese_880_traditional.mrc"
    expected, _, _ = read_all(path)

    got = list(read_iso2709(Trickle(path.read_bytes(), 97), str(path), "marc21", pytest.fail))

    assert [(r.local_id, r.data, r.position) for r in got] == \
        [(r.local_id, r.data, r.position) for r in expected]


def test_a_truncated_last_record_is_reported_not_kept():
    path = FIXTURES / "truncated_last_record.mrc"
    data = path.read_bytes()
    first_len = data.index(b"\x1d") + 1
    assert int(data[:5]) == first_len          # the first record is whole
    assert int(data[first_len:first_len + 5]) > len(data) - first_len  # the second is cut short

    records, rejected, _ = read_all(path)

    assert [r.data for r in records] == [data[:first_len]]
    assert [(r.where, r.position, r.data) for r in rejected] == [
        (str(path), f"record 2 at byte {first_len}", data[first_len:])]
    assert rejected[0].reason == "record is truncated (no record terminator)"
    assert str(rejected[0]) == (f"{path}: record 2 at byte {first_len}:"
                                " record is truncated (no record terminator)")


def test_pymarc_bad_records_are_each_reported_with_their_reason():
    # pymarc's bad_records.mrc: nine 127-byte records, each broken in its own way
    path = FIXTURES / "bad_leaders_and_directories.mrc"
    raw = path.read_bytes()
    fourth = raw[381:509]
    assert fourth[12:17] == b"00038" and fourth.index(b"\x1e") == 37   # 13 directory bytes

    records, rejected, _ = read_all(path)

    assert records == []
    assert [(r.position, r.reason) for r in rejected] == [
        ("record 1 at byte 0", "no 001 control number"),
        ("record 2 at byte 127", "no 001 control number"),      # base address 99937: mended
        ("record 3 at byte 254", "no 001 control number"),      # base address 00000: mended
        ("record 4 at byte 381", "directory length 13 is not a multiple of 12"),
        ("record 5 at byte 509", "directory length 13 is not a multiple of 12"),
        ("record 6 at byte 637", "no 001 control number"),
        ("record 7 at byte 764", "record has no fields"),
        ("record 8 at byte 790", "no 001 control number"),
        ("record 9 at byte 917", "record is truncated (no record terminator)"),
    ]
    assert b"".join(r.data for r in rejected) == raw      # every byte is kept for the librarian


def test_an_oversize_field_is_read_from_its_terminators_and_its_neighbours_kept():
    # marc4j's bad_oversize_field_bad_directory.mrc, record 2: its 520 is 11,242 bytes, one
    # more digit than a directory entry has room for, so the entry is 13 characters long and
    # the directory 217 bytes. pymarc gives up on the record; the field terminators still
    # say where every field is.
    path = FIXTURES / "broken_directory_second_record.mrc"
    raw = iso2709_records(path)
    with open(path, "rb") as fh:
        reader = pymarc.MARCReader(fh, permissive=True, to_unicode=True, force_utf8=True)
        assert [r is None for r in reader] == [False, True, False, False, False]
    second = raw[1]
    directory = second[24:second.index(b"\x1e")]
    assert len(directory) == 217 and b"5201124200338" in directory
    body = second[second.index(b"\x1e") + 1:-1].split(b"\x1e")[:-1]

    records, rejected, warnings = read_all(path)

    assert rejected == []
    assert [r.data for r in records] == raw
    assert [(w.position, w.reason) for w in warnings] == [
        (f"record 2 at byte {len(raw[0])} (id drd-34891908)",
         "directory length 217 is not a multiple of 12; fields found by their terminators instead")]
    layout = read_layout(second)
    assert [v for _, v in layout.fields] == body
    assert [t for t, _ in layout.fields][-3:] == ["300", "520", "935"]
    assert len(layout.first("520")) == 11241


def test_records_longer_than_99999_bytes_are_read():
    # marc4j bad_too_long_plus_2.mrc: record 1 is 123,375 bytes; its leader says 23375 and
    # its directory's offsets past 99,999 lost their first digit (100011 -> 00011)
    path = FIXTURES / "oversize_offsets_past_99999.mrc"
    first = iso2709_records(path)[0]
    assert len(first) == 123375 and first[:5] == b"23375"
    assert b"991006500011" in first[24:first.index(b"\x1e")]

    records, rejected, warnings = read_all(path)

    assert rejected == [] and [r.local_id for r in records] == ["360944", "360945", "360946"]
    assert [w.reason for w in warnings] == [
        "field 991 does not end where the directory says; fields found by their terminators"
        " instead"]
    fields = read_layout(first).fields
    assert len(fields) == first[first.index(b"\x1e") + 1:].count(b"\x1e")


def test_directory_entries_widened_past_12_bytes_are_read():
    # marc4j datos-20161010-slice.mrc: 989 fields in 215 KB; once offsets pass 99,999 the
    # entries grow to 13 bytes (a 6-digit start), and the leader's base address is wrong
    path = FIXTURES / "oversize_directory_widened_entries.mrc"
    data = path.read_bytes()
    first_ft = data.index(b"\x1e")
    assert data[12:17] == b"11893" and first_ft == 12449
    assert (first_ft - 24 - 989 * 12) == 557          # 557 entries have a 13th byte

    records, rejected, warnings = read_all(path)

    assert rejected == [] and [r.local_id for r in records] == ["u101755"]
    assert len(warnings) == 1 and "fields found by their terminators" in warnings[0].reason
    assert len(read_layout(data).fields) == 989


def test_directory_lengths_counted_in_characters_are_mended():
    # ruby-marc marc_with_bad_utf8.utf8.marc: an exporter counted characters, not bytes
    path = FIXTURES / "directory_lengths_in_characters.mrc"
    records, rejected, warnings = read_all(path)
    assert rejected == [] and [r.local_id for r in records] == ["178448"]
    assert [w.reason for w in warnings] == [
        "field 110 does not end where the directory says; fields found by their terminators"
        " instead"]


def test_a_wrong_leader_09_is_reported_when_the_bytes_contradict_it():
    records, _, warnings = read_all(FIXTURES / "leader09_utf8_but_marc8.mrc")
    assert [w.reason for w in warnings] == ["leader/09 says UTF-8 but the bytes are MARC-8"]
    records, _, warnings = read_all(FIXTURES / "leader09_blank_but_utf8.mrc")
    assert [w.reason for w in warnings] == ["leader/09 says marc8 but the bytes are UTF-8"]
    # MARC-8 with EACC escapes and a blank leader/09 agree: nothing to say
    assert read_all(FIXTURES / "marc8_eacc_chinese.mrc")[2] == []
    # the source's encoding setting is taken as the truth
    assert read_all(FIXTURES / "leader09_blank_but_utf8.mrc", encoding="utf-8")[2] == []


def test_invalid_utf8_is_reported():
    records, _, warnings = read_all(FIXTURES / "utf8_invalid_bytes.mrc")
    assert [r.local_id for r in records] == ["000039829"]
    assert [w.reason for w in warnings] == ["invalid UTF-8 bytes replaced"]


def test_an_unknown_encoding_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown encoding 'klingon'"):
        read_all(FIXTURES / "marc8_cyrillic.mrc", encoding="klingon")


def test_flavour_is_recognised_per_record_and_can_be_forced():
    records, _, _ = read_all(FIXTURES / "cnmarc_utf8.mrc", default_flavour="unimarc")
    assert {r.format for r in records} == {"unimarc"}
    records, _, warnings = read_all(FIXTURES / "cnmarc_utf8.mrc", flavour="marc21")
    assert {r.format for r in records} == {"marc21"}
    # read as MARC 21 (as told), their blank leader/09 contradicts their UTF-8 bytes
    assert {w.reason for w in warnings} == {"leader/09 says marc8 but the bytes are UTF-8"}
    records, _, _ = read_all(FIXTURES / "cnmarc_utf8.mrc", "unimarc")      # --format unimarc
    assert {r.format for r in records} == {"unimarc"}


def test_line_breaks_between_records_are_not_records(tmp_path):
    raw = iso2709_records(FIXTURES / "chinese_880_simplified.mrc")
    path = tmp_path / "crlf.mrc"
    path.write_bytes(raw[0] + b"\r\n" + raw[1] + b"\r\n")
    records, rejected, _ = read_all(path)
    assert rejected == [] and [r.data for r in records] == raw
    assert records[1].position == f"record 2 at byte {len(raw[0]) + 2}"


def test_write_layout_builds_what_read_layout_reads():
    fields = [("001", b"x1"), ("245", b"10\x1faTitle /\x1fcSomeone.")]
    data = write_layout(b"00000nam a2200000 a 4500", fields)
    assert int(data[:5]) == len(data) and data[12:17] == b"00049"
    assert read_layout(data).fields == fields
    assert pymarc.Record(data)["245"]["a"] == "Title /"


def test_detect_format():
    assert detect_format(FIXTURES / "marcxml_chabon.xml") == "marcxml"
    assert detect_format(FIXTURES / "marc8_cyrillic.mrc") == "iso2709"


def test_expand_paths_glob_directory_and_file(tmp_path):
    assert expand_paths(str(FIXTURES / "chinese_880_*.mrc")) == [
        FIXTURES / "chinese_880_simplified.mrc", FIXTURES / "chinese_880_traditional.mrc"]
    assert expand_paths(str(FIXTURES / "marc8_cyrillic.mrc")) == [FIXTURES / "marc8_cyrillic.mrc"]
    (tmp_path / "b.mrc").write_bytes(b"")
    (tmp_path / "a.mrc").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    assert expand_paths(str(tmp_path)) == [tmp_path / "a.mrc", tmp_path / "b.mrc"]


@pytest.mark.parametrize("pattern", ["no-such-*.mrc", "no-such-file.mrc", "empty-dir"])
def test_expand_paths_errors_when_nothing_matches(tmp_path, pattern):
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(SourceUnreadable) as info:
        expand_paths(str(tmp_path / pattern))
    assert str(tmp_path / pattern) in str(info.value)


def test_read_file_on_a_missing_file_is_source_unreadable(tmp_path):
    with pytest.raises(SourceUnreadable):
        list(read_file(tmp_path / "gone.mrc", "marc21", pytest.fail))


def test_unknown_format_or_flavour_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown format 'mods'"):
        read_all(FIXTURES / "marc8_cyrillic.mrc", "mods")
    with pytest.raises(ConfigError, match="unknown flavour 'mab2'"):
        read_all(FIXTURES / "marc8_cyrillic.mrc", flavour="mab2")


def test_iso2709_memory_stays_flat(tmp_path):
    import tracemalloc

    record = iso2709_records(FIXTURES / "chinese_880_traditional.mrc")[1]

    class Endless(io.RawIOBase):
        """8,000 copies of one record (about 10 MB) without ever holding them."""

        def __init__(self):
            self.left = 8000

        def readable(self):
            return True

        def readinto(self, buffer):
            if not self.left:
                return 0
            n = min(len(buffer) // len(record), self.left) or 1
            chunk = record * n
            buffer[:len(chunk)] = chunk
            self.left -= n
            return len(chunk)

    tracemalloc.start()
    count = sum(1 for _ in read_iso2709(io.BufferedReader(Endless(), 1 << 16), "endless",
                                        None, pytest.fail))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 8000
    assert peak < 4 << 20, peak


def damaged(data: bytes, rng) -> bytes:
    """``data`` with a few random bytes changed, cut out or put in (terminators favoured)."""
    d = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not d:
            break
        at, op = rng.randrange(len(d)), rng.random()
        if op < 0.5:
            d[at] = rng.randrange(256)
        elif op < 0.7:
            del d[at:at + rng.randint(1, 40)]
        elif op < 0.9:
            d[at:at] = bytes(rng.choice(b"\x1d\x1e\x1f\x1b<>&") for _ in range(rng.randint(1, 3)))
        else:
            del d[at:]
    return bytes(d)


def test_random_damage_is_reported_never_raised():
    # regression for "an import never crashes": seeded damage to real files, ISO 2709 and XML
    import random

    from harvest.marcxml import read_marcxml

    rng = random.Random(2709)
    sources = [(FIXTURES / n).read_bytes() for n in (
        "chinese_880_traditional.mrc", "marc8_eacc_chinese.mrc", "cnmarc_gb18030.mrc")]
    xml = (FIXTURES / "marcxml_chabon.xml").read_bytes()
    for i in range(600):
        if i % 3:
            data = damaged(rng.choice(sources), rng)
            records = list(read_iso2709(io.BytesIO(data), "f", None, lambda r: None,
                                        on_warning=lambda w: None))
        else:
            data = damaged(xml, rng)
            records = list(read_marcxml(io.BytesIO(data), "f", lambda r: None,
                                        on_warning=lambda w: None))
        assert all(r.local_id and r.data for r in records)
