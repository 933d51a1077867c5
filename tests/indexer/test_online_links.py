"""856 as online copies (indexer/online.py) on the records of tests/fixtures/online_856.mrc
(PROVENANCE.md): kind by the second indicator, links about the work (LC's tables of
contents and samples) related whatever it says, the label's precedence, IIIF manifests,
the URLs a reader must never be given, and the online flag (007 cr, 008 form o)."""

from __future__ import annotations

import pytest

from indexer.online import about_the_work, http_url, is_iiif

from .test_mapping import quiet, record_bytes

FIXTURE = "online_856.mrc"


def links(local_id: str) -> list[dict]:
    return quiet(record_bytes(FIXTURE, local_id=local_id)).get("links", [])


def test_lc_enhancement_links_are_related_whatever_the_indicator():
    # =856  42$3Contributor biographical information$u.../bios/random052/00029063.html
    # =856  41$3Sample text$u.../samples/random044/00029063.html
    # =856  42$3Publisher description$u.../description/random0411/00029063.html
    # LC's 41 "Sample text" is a sample of the novel, not a copy of it: related
    got = links("11939876")
    assert [(e["kind"], e["label"]) for e in got] == [
        ("related", "Contributor biographical information"), ("related", "Sample text"),
        ("related", "Publisher description")]
    assert got[1]["url"] == "http://www.loc.gov/catdir/samples/random044/00029063.html"


@pytest.mark.parametrize("url, labels, about", [
    # the fixture's links: by a label's start (any case), or by LC's enhancements' URL
    ("http://www.getty.edu/publications/virtuallibrary/0892364882.html", ["Sample text"], True),
    ("http://www.getty.edu/publications/virtuallibrary/0892364882.html",
     ["TABLE OF CONTENTS ONLY"], True),
    ("http://www.loc.gov/catdir/toc/ecip0719/2007020969.html", [], True),
    ("http://www.getty.edu/publications/virtuallibrary/0892364882.html",
     ["Getty Publications Virtual Library version"], False),
    ("http://virginia.kanopystreaming.com/node/222222", ["A Kanopy streaming video"], False),
    ("http://www.loc.gov/item/2021667891/", ["Table of the Sun"], False),
])
def test_a_link_about_the_work_by_its_label_or_its_url(url, labels, about):
    assert about_the_work(url, labels) is about


def test_label_is_3_before_z_and_blank_indicators_are_the_resource():
    # getty: =856  40$3Getty Publications Virtual Library version$u...
    assert [e["label"] for e in links("9933522211901551")] == [
        "Getty Publications Virtual Library version",
        "HathiTrust Digital Library, Limited view (search only)"]
    # =856  40$zAccess restricted; personal registration may be required:$u... (the
    # trailing colon is punctuation, trimmed)
    [ebook] = links("004284915")
    assert (ebook["kind"], ebook["label"]) == (
        "resource", "Access restricted; personal registration may be required")
    # =856  $uhttp://www.gowin.com.tw$z三久出版社$2http (blank indicators)
    assert links("100797272") == [{"url": "http://www.gowin.com.tw", "kind": "resource",
                                   "label": "三久出版社"}]
    assert links("12883376") == []


def test_hostile_urls_are_dropped_and_iiif_is_recognised():
    hostile = links("00287359")   # javascript: and data: in 40 and 41, an http URL in 42
    assert [e["kind"] for e in hostile] == ["related"]
    assert hostile[0]["url"].startswith("http://www.loc.gov/catdir/toc/")
    [iiif] = links("00287360")
    assert (iiif["kind"], iiif["label"]) == ("iiif", "Digitised copy <i>& viewer</i>")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:,x",
                                 "vbscript:x", "http://", "//example.org/x", "ftp://loc.gov/x",
                                 "http://example.org/a\nb", "", None])
def test_only_http_urls_with_a_host(url):
    assert http_url(url) is None


def test_iiif_by_its_url_or_a_subfield():
    assert is_iiif("https://www.loc.gov/item/2021667891/manifest.json")
    assert is_iiif("https://iiif.bodleian.ox.ac.uk/iiif/manifest/abc/manifest")
    assert is_iiif("https://example.org/viewer", ["IIIF Presentation API 3"])
    assert not is_iiif("http://www.loc.gov/catdir/toc/ecip0719/2007020969.html")


def test_the_online_flag_is_007_cr_or_008_form_o():
    """Checked against pymarc's reading of each fixture record: 007/00-01 "cr", or 008 form
    of item (29 for visual materials and maps, else 23) "o"; "s" (electronic) is not online."""
    import pymarc

    from ..support import FIXTURES
    with open(FIXTURES / FIXTURE, "rb") as fh:
        records = list(pymarc.MARCReader(fh, to_unicode=True, force_utf8=True))
    flags = {}
    for rec in records:
        data = rec["008"].data
        at = 29 if rec.leader[6] in "efgkor" else 23
        want = any(f.data.startswith("cr") for f in rec.get_fields("007")) or data[at:at + 1] == "o"
        local_id = rec["001"].data.strip()
        flags[local_id] = (quiet(record_bytes(FIXTURE, local_id=local_id)).get(
            "online", False), want)
    assert all(got == want for got, want in flags.values()), flags
    assert sum(want for _got, want in flags.values()) == 3 < len(flags)
    # 004284915's 008 says form "s" (electronic) beside its 007 cr: online by its 007
    assert flags["004284915"] == (True, True)
