"""A record's values paired with their 880 forms for the record page and result lines
(discovery/vernacular.py), on LC records read back with pymarc."""

from __future__ import annotations

import pymarc

from discovery.results import Parallel
from discovery.vernacular import details_of, paired
from indexer.document import Member, cluster_document
from indexer.mapping import map_stored

from ..support import FIXTURES, iso2709_records


def lc(name: str, local_id: str) -> tuple[dict, pymarc.Record]:
    for data in iso2709_records(FIXTURES / name):
        rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
        if rec["001"].data.strip() == local_id:
            return map_stored(data, "marc21", on_warning=lambda m: None), rec
    raise LookupError(local_id)


def linked(rec: pymarc.Record, tag: str) -> pymarc.Field:
    return next(f for f in rec.get_fields("880") if f["6"].startswith(tag))


def test_two_publishers_of_one_260_are_one_pair_and_no_value_repeats_them():
    # LC 00415104: 260 $b Zhonghua shu ju : $b Xin hua shu dian ..., its 880 the same in Han
    mapped, rec = lc("imprints_880_chinese.mrc", "00415104")
    roman = [v.rstrip(" :,") for v in rec["260"].get_subfields("b")]
    han = [v.rstrip(" :,") for v in linked(rec, "260").get_subfields("b")]
    assert sorted(mapped["publishers"]) == sorted(roman + han)   # one value per subfield
    assert paired(mapped["publishers"], mapped["publisher_forms"]) == [
        Parallel(" : ".join(roman), " : ".join(han))]


def test_notes_keep_their_order_with_the_paired_ones_in_place():
    # marc4j u6080510: a 500 without an 880, then 508 and 511 with theirs, then 538 and 546
    data = (FIXTURES / "marc8_eacc_chinese.mrc").read_bytes()
    mapped = map_stored(data, "marc21", on_warning=lambda m: None)
    shown = paired(mapped["notes"], mapped["note_forms"])
    assert [p.vernacular is not None for p in shown] == [False, True, True, False, False]
    assert shown[0].text == mapped["notes"][0]
    # every note is shown once: in its pair or on its own
    assert len(shown) == len(mapped["notes"]) - 2


def test_a_result_line_pairs_only_the_display_records_own_names():
    # a cluster of two records: its display record's name pairs, not the other member's
    miyi, _rec = lc("imprints_880_chinese.mrc", "00409657")
    other, _rec = lc("imprints_880_chinese.mrc", "00409634")
    shown = Member("loc:00409657", "loc", miyi)
    doc = cluster_document("loc:00409657", [shown, Member("loc:00409634", "loc", other)],
                           shown, {})
    assert {p["heading"] for p in doc["display"]["name_forms"]} == set(
        miyi["authors"] + other["authors"])
    details = details_of(doc["display"])
    assert details["authors"] == [Parallel(h, v) for h, v in
                                  ((p["heading"], p["vernacular"]) for p in miyi["name_forms"])]
    assert details["places"] == [Parallel(p["heading"], p["vernacular"])
                                 for p in miyi["place_forms"]]
