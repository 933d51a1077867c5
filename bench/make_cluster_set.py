"""Build the clustering evaluation set in bench/cluster_set/ from real LC records.

    python bench/make_cluster_set.py [--data DIR] [--out DIR]

Four pretend member libraries get overlapping slices of one pool of Library
of Congress records and export them the way real systems differ: their own
001, identifiers dropped, 9XX/852 holdings added, MARC-8 instead of UTF-8.
A few "other editions" (year or edition statement changed, identifiers
removed) must not merge with their originals. ``truth.tsv`` gives every
record's true edition. PROVENANCE.md in the output folder says exactly how;
the run is deterministic (one seeded random generator).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from marc_bytes import (NotEncodable, build, get, join_subfields, marc8_copy,  # noqa: E402
                        parse, split_records, subfields)

DATA = ROOT.parent / "shared/data/loc-booksall-2016-part01"
SEED = 6                       # issue 6

# -- the pool of LC records -----------------------------------------------------

FILES = {"rec": "booksall2016p01_rec080000-089999.mrc",
         "chi": "booksall2016p01_chi_880_sample.mrc",
         "vie": "booksall2016p01_vie.mrc"}


def lc_id(fields: list[list]) -> str:
    return get(fields, "001")[0][1].decode().strip()


def _first(fields: list[list], tag: str, code: bytes) -> str:
    for _tag, data in get(fields, tag):
        for c, value in subfields(data)[1]:
            if c == code:
                return value.decode()
    return ""


def _isbn_stems(fields: list[list]) -> set[str]:
    """020 $a as digits (9 significant digits, so ISBN-10 and -13 forms meet)."""
    out = set()
    for _tag, data in get(fields, "020"):
        for c, value in subfields(data)[1]:
            digits = re.sub(r"[^0-9Xx]", "", value.decode().split(" ")[0])
            if len(digits) == 13:
                out.add(digits[3:12])
            elif len(digits) == 10:
                out.add(digits[:9])
    return out


def pool(data: Path) -> list[tuple[str, int, bytes]]:
    """(file key, position, record): every 11th record of the 10,000-record slice, every
    record there that shares an ISBN or a 245 $a + 100 $a with another one (real
    different records that look alike), every 6th of the Chinese sample, all Vietnamese."""
    chosen: dict[str, tuple[str, int, bytes]] = {}
    rec = split_records((data / FILES["rec"]).read_bytes())
    by_isbn, by_title = {}, {}
    for i, r in enumerate(rec):
        fields = parse(r)[1]
        for stem in _isbn_stems(fields):
            by_isbn.setdefault(stem, []).append(i)
        title = (_first(fields, "245", b"a").lower(), _first(fields, "100", b"a").lower())
        by_title.setdefault(title, []).append(i)
    alike = {i for group in (*by_isbn.values(), *by_title.values()) if len(group) > 1
             for i in group}
    for i, r in enumerate(rec):
        if i % 11 == 0 or i in alike:
            chosen.setdefault(lc_id(parse(r)[1]), ("rec", i, r))
    for key, step in (("chi", 6), ("vie", 1)):
        for i, r in enumerate(split_records((data / FILES[key]).read_bytes())):
            if i % step == 0:
                chosen.setdefault(lc_id(parse(r)[1]), (key, i, r))
    return [chosen[k] for k in sorted(chosen)]


# -- how each library exports ------------------------------------------------------

LIBRARIES = {
    "alpha": "keeps LC's 001, 010, 020 and 035; adds Koha 952 items; UTF-8",
    "beta": "own 001 (bt + number), LC's 001 in 035 (DLC); 020 dropped from 25% of copies;"
            " catalogues in the original script (fields linked to 880s take the 880's text,"
            " the 880s go); Koha 952 items; UTF-8",
    "gamma": "own 001 (g + number); MARC-8 with leader/09 blank whenever the text can be"
             " encoded; 010 dropped from 40% and 020 from 20% of copies; 852 holdings and"
             " 949 local item fields",
    "delta": "own 001 (d + number); 010 and (OCoLC) 035 always dropped, 020 from 50% of"
             " copies; no alternate script (880s and 066 dropped); 852 holdings and Koha-style"
             " 999 $c/$d",
}


def slices(n: int) -> dict[str, set[int]]:
    """Overlapping slices of the shuffled pool: every record is held at least once."""
    return {"alpha": set(range(0, int(.55 * n))),
            "beta": set(range(int(.35 * n), int(.85 * n))),
            "gamma": set(range(int(.70 * n), n)) | set(range(0, int(.15 * n))),
            "delta": set(range(0, n, 3))}


def call_number(fields: list[list]) -> bytes:
    for tag in ("050", "090", "082"):
        for _tag, data in get(fields, tag):
            subs = dict(subfields(data)[1])
            if b"a" in subs:
                return (subs[b"a"] + (b" " + subs[b"b"] if b"b" in subs else b"")).strip()
    return b"LOCAL"


def _drop(fields: list[list], tag: str, test=lambda data: True) -> list[list]:
    return [f for f in fields if not (f[0] == tag and test(f[1]))]


def _put(fields: list[list], tag: str, data: bytes) -> list[list]:
    """Replace the field (or insert it in tag order)."""
    fields = [f for f in fields if f[0] != tag]
    position = next((i for i, f in enumerate(fields) if f[0] > tag), len(fields))
    return fields[:position] + [[tag, data]] + fields[position:]


LINK = re.compile(rb"^(\d{3})-(\d\d)")


def vernacular_primary(fields: list[list]) -> list[list]:
    """The record as a library cataloguing in the original script keeps it: each field
    linked to an 880 takes the 880's text, and the 880s and 066 go."""
    linked = {}
    for _tag, data in get(fields, "880"):
        indicators, subs = subfields(data)
        m = LINK.match(dict(subs).get(b"6", b""))
        if m and m.group(2) != b"00":
            linked[(m.group(1).decode(), m.group(2))] = join_subfields(
                indicators, [(c, v) for c, v in subs if c != b"6"])
    out = []
    for tag, data in fields:
        if tag in ("880", "066"):
            continue
        m = LINK.match(dict(subfields(data)[1]).get(b"6", b"")) if tag >= "010" else None
        out.append([tag, linked.get((tag, m.group(2)), data) if m else data])
    return out


def _add(fields: list[list], tag: str, data: bytes) -> list[list]:
    """Insert after the last field whose tag is not greater."""
    position = next((i for i, f in enumerate(fields) if f[0] > tag), len(fields))
    return fields[:position] + [[tag, data]] + fields[position:]


def export(library: str, number: int, fields: list[list], rnd: random.Random,
           variations: list[str], edition: bool = False) -> list[list]:
    """One library's copy of a record: its own ids and holdings, identifiers it drops."""
    lc = lc_id(fields)
    call = call_number(fields)
    barcode = b"3%07d" % number
    oclc = lambda d: b"(OCoLC)" in d  # noqa: E731
    if library != "alpha" or edition:
        prefix = {"alpha": "ae", "beta": "bt"}.get(library, library[0])
        fields = _put(fields, "001", f"{prefix}{number:07d}".encode())
        fields = _put(fields, "003", library.upper().encode())
        variations.append("own001")
    if library == "beta":
        fields = _add(fields, "035", join_subfields(b"  ", [(b"a", b"(DLC)" + lc.encode())]))
    drop_010 = {"gamma": .4, "delta": 1.0}.get(library, 0.0)
    drop_020 = {"beta": .25, "gamma": .2, "delta": .5}.get(library, 0.0)
    if get(fields, "010") and rnd.random() < drop_010:
        fields = _drop(fields, "010")
        variations.append("no010")
    if get(fields, "020") and rnd.random() < drop_020:
        fields = _drop(fields, "020")
        variations.append("no020")
    if library == "delta" and any(oclc(d) for _t, d in get(fields, "035")):
        fields = _drop(fields, "035", oclc)
        variations.append("no035")
    if library == "beta" and get(fields, "880"):
        fields = vernacular_primary(fields)
        variations.append("vernacular245")
    if library == "delta" and get(fields, "880"):
        fields = [f for f in fields if f[0] not in ("880", "066")]
        variations.append("no880")
    code = library.upper().encode()
    if library in ("alpha", "beta"):
        fields.append(["952", join_subfields(b"  ", [(b"a", code), (b"b", code), (b"o", call),
                                                    (b"p", barcode), (b"y", b"BK")])])
        variations.append("952")
    else:
        fields.append(["852", join_subfields(b"0 ", [(b"a", code), (b"h", call), (b"p", barcode)])])
        if library == "gamma":
            fields.append(["949", join_subfields(b"  ", [(b"a", call), (b"i", barcode),
                                                        (b"l", b"stacks"), (b"t", b"1")])])
        else:
            fields.append(["999", join_subfields(b"  ", [(b"c", b"%d" % number),
                                                        (b"d", b"%d" % number)])])
        variations.append("852")
    return fields


# -- other editions: look alike, must stay apart -------------------------------------

LINKED_IMPRINT = re.compile(b"^..\x1f626[04]-")


def other_edition(fields: list[list], rnd: random.Random, same_year: bool) -> list[list] | None:
    """A later edition: 008 and 260/264 $c year moved on (unless ``same_year``), 250
    "2nd ed." (always when the year stays), 010, 020 and 035 gone."""
    date = get(fields, "008")[0][1]
    if not date[7:11].isdigit():
        return None
    fields = [f for f in fields if f[0] not in ("010", "020", "035")]
    if not same_year:
        old = date[7:11]
        new = b"%d" % (int(old) + rnd.randint(1, 8))
        fields = [[t, (d[:7] + new + d[11:]) if t == "008" else
                   d.replace(old, new) if t in ("260", "264") or LINKED_IMPRINT.search(d)
                   and t == "880" else d] for t, d in fields]
    if same_year or rnd.random() < .5:
        fields = [f for f in fields if not (f[0] == "880" and b"\x1f6250-" in f[1])]
        fields = _put(fields, "250", join_subfields(b"  ", [(b"a", b"2nd ed.")]))
    return fields


# -- the set ----------------------------------------------------------------------

def make(data: Path, out: Path) -> dict:
    rnd = random.Random(SEED)
    records = pool(data)
    rnd.shuffle(records)
    n = len(records)
    held = slices(n)
    picked = rnd.sample(range(n), 70)
    editions = {pos: i >= 50 for i, pos in enumerate(picked)}   # 50 later years, 20 same year
    numbers = Counter()
    files = {lib: bytearray() for lib in LIBRARIES}
    truth, stats = [], Counter()

    def emit(library: str, leader: bytes, fields: list[list], edition: str, origin: tuple,
             variations: list[str]) -> None:
        numbers[library] += 1
        fields = export(library, numbers[library], fields, rnd, variations,
                        edition=edition.endswith("+ed2"))
        if library == "gamma":
            try:
                leader, fields = marc8_copy(leader, fields)
                variations.append("marc8")
            except NotEncodable:
                variations.append("utf8")
        files[library] += build(leader, fields)
        local_id = get(fields, "001")[0][1].decode().strip()
        truth.append((f"{library}:{local_id}", edition, library, origin[2], origin[0],
                      origin[1], ",".join(variations)))
        stats.update(variations)
        stats[library] += 1

    for pos, (key, i, raw) in enumerate(records):
        leader, fields = parse(raw)
        lc = lc_id(fields)
        for library in LIBRARIES:
            if pos in held[library]:
                emit(library, leader, fields, lc, (key, i, lc), [])
        if pos in editions:
            library = rnd.choice(sorted(LIBRARIES))
            same_year = editions[pos]
            later = other_edition(fields, rnd, same_year)
            if later is not None:
                emit(library, leader, later, lc + "+ed2", (key, i, lc),
                     ["edition-same-year" if same_year else "edition-later-year"])
    out.mkdir(parents=True, exist_ok=True)
    for library, data_bytes in files.items():
        (out / f"{library}.mrc").write_bytes(bytes(data_bytes))
    with open(out / "truth.tsv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(["record_id", "edition", "library", "lc_001", "file", "position",
                         "variations"])
        writer.writerows(sorted(truth))
    stats["pool"] = n
    stats["records"] = len(truth)
    stats["editions"] = len({row[1] for row in truth})
    (out / "PROVENANCE.md").write_text(provenance(stats, out), encoding="utf-8")
    return stats


def provenance(stats: Counter, out: Path) -> str:
    files = "\n".join(
        f"| `{p.name}` | {p.stat().st_size} | `{hashlib.sha256(p.read_bytes()).hexdigest()[:16]}` |"
        for p in sorted(out.glob("*.mrc")) + [out / "truth.tsv"])
    libraries = "\n".join(f"- **{code}** ({stats[code]} records): {text}."
                           for code, text in LIBRARIES.items())
    return PROVENANCE.format(files=files, libraries=libraries, **{
        k: stats[k] for k in ("pool", "records", "editions", "marc8", "utf8", "no010", "no020",
                              "no035", "no880", "vernacular245", "edition-later-year",
                              "edition-same-year")}).replace("{{", "{").replace("}}", "}")


PROVENANCE = """# Clustering evaluation set: where it comes from

Written by `bench/make_cluster_set.py` (run it again to check: the output is the same
byte for byte; it uses one `random.Random(6)`). Used by `bench/cluster_eval.py`.

## Source records

Real Library of Congress records from the shared collection
`loc-booksall-2016-part01/` (see its PROVENANCE.md: LC's "Books All 2016" MARC Open-Access
records, UTF-8, found in the pymarc 5.4.0 sdist; LC's terms govern the records). The pool
of {pool} distinct LC records (by 001) is:

- `rec` = `booksall2016p01_rec080000-089999.mrc`: every 11th record (positions 0, 11, 22
  ...), plus every record of that file that shares an ISBN (020 $a, compared on its
  9 significant digits) or the same 245 $a and 100 $a with another record there: real
  different records that look alike (set ISBNs, a second edition of the same year);
- `chi` = `booksall2016p01_chi_880_sample.mrc`: every 6th record;
- `vie` = `booksall2016p01_vie.mrc`: all 92 records.

The pool is shuffled; "libraries" get overlapping slices of it: alpha the first 55%,
beta 35-85%, gamma 70-100% and 0-15%, delta every third record. Every pool record is
held at least once; {records} records in all.

## How each library's export differs from LC's record

{libraries}

Fields are copied as bytes; the leader and directory are rebuilt. Per copy: 010 dropped
from {no010}, 020 from {no020}, (OCoLC) 035 from {no035}, 880s dropped from {no880},
vernacular moved into the linked fields in {vernacular245}.

**MARC-8.** pymarc has no Unicode to MARC-8 encoder, so the script inverts pymarc's own
decoding tables (`pymarc.marc8_mapping.CODESETS`): ANSEL as G1 for diacritics and special
Latin letters, and the G0 sets basic Latin, basic Cyrillic (`ESC ( N`), Greek (`ESC ( S`),
basic Hebrew (`ESC ( 2`), basic Arabic (`ESC ( 3`) and EACC (`ESC $ 1`). Text is taken in
NFC; a character the tables lack is decomposed (letter, then its combining marks, which
MARC-8 writes before the letter; o/u + horn become ANSEL ơ/ư). Every subfield starts and
ends in ASCII. Bidi marks (U+200E, U+200F, U+202A-U+202E), which MARC-8 has no code for,
are left out. Leader/09 becomes blank and 066 $c names the G0 sets used. Every encoded
subfield is decoded again with pymarc's `MARC8ToUnicode` and must give the same text
(after Sheaf's NFC); a copy with any character that cannot be encoded (extended Arabic
letters, ZWNJ ...) stays UTF-8. gamma: {marc8} copies in MARC-8, {utf8} left in UTF-8.

## Other editions (must not cluster with their original)

70 pool records are sampled (50 to get a later year, 20 the same year); each whose
008/07-10 holds a year gets another edition, held by one randomly chosen library: 010,
020 and 035 removed, own 001; {edition-later-year} with the year moved on by 1 to 8
(008/07-10 and the year in 260/264 and their 880s), about half of them also with 250
"2nd ed."; {edition-same-year} with the same year and 250 "2nd ed." (its 880 dropped).
Their true edition is `<LC 001>+ed2`. With the real look-alikes above, {editions}
editions in all.

## truth.tsv

One row per record: `record_id` (`<library>:<001 as exported>`, the id Sheaf's importer
gives it), `edition` (the LC 001, or `<LC 001>+ed2`), `library`, `lc_001`, `file` (`rec`,
`chi` or `vie` as above), `position` (0-based record number in that file) and
`variations` (what the export changed: own001, no010, no020, no035, no880,
vernacular245, 952, 852, marc8, utf8, edition-later-year, edition-same-year).

## Files

| file | bytes | sha256 (first 16) |
|---|---|---|
{files}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA), help="the shared LC folder")
    ap.add_argument("--out", default=str(ROOT / "bench/cluster_set"))
    args = ap.parse_args()
    stats = make(Path(args.data), Path(args.out))
    for key, value in sorted(stats.items()):
        print(f"{key:22} {value}")


if __name__ == "__main__":
    main()
