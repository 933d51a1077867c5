"""856 as online copies (indexer/online.py) on the records of tests/fixtures/online_856.mrc
(PROVENANCE.md): kind by the second indicator, the label's precedence, IIIF manifests,
and the URLs a reader must never be given."""

from __future__ import annotations

import pytest

from indexer.online import http_url, is_iiif

from .test_mapping import quiet, record_bytes

FIXTURE = "online_856.mrc"


def links(local_id: str) -> list[dict]:
    return quiet(record_bytes(FIXTURE, local_id=local_id)).get("links", [])


def test_lc_record_links_by_second_indicator():
    # =856  42$3Contributor biographical information$u.../bios/random052/00029063.html
    # =856  41$3Sample text$u.../samples/random044/00029063.html
    # =856  42$3Publisher description$u.../description/random0411/00029063.html
    got = links("11939876")
    assert [(e["kind"], e["label"]) for e in got] == [
        ("related", "Contributor biographical information"), ("version", "Sample text"),
        ("related", "Publisher description")]
    assert got[1]["url"] == "http://www.loc.gov/catdir/samples/random044/00029063.html"


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
