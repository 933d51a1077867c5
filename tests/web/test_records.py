"""The record page, the staff MARC view, exports (RIS, BibTeX, MARCXML, MARC 21) and
citations (APA, GB/T 7714)."""

from __future__ import annotations

import io

import pymarc
import pytest
from lxml import etree

from indexer.mapping import map_stored
from web import bibfiles, citations

from ..support import FIXTURES, iso2709_records
from .conftest import tree

# chinese_880_simplified.mrc record 1: LC 00409609, 苏州化工志, held by loc and hust here
SUZHOU = "loc:00409609"


def fixture_record(name: str, local_id: str) -> bytes:
    for data in iso2709_records(FIXTURES / name):
        if pymarc.Record(data)["001"].data.strip() == local_id:
            return data
    raise LookupError(local_id)


def test_record_page_shows_details_holdings_and_members(web_client):
    page = tree(web_client.get(f"/record/{SUZHOU}"))
    source = pymarc.Record(fixture_record("chinese_880_simplified.mrc", "00409609"))
    vernacular = source.get_linked_fields(source["245"])[0]["a"].rstrip(" /:")
    [heading] = page.find("h1")
    assert vernacular in heading["text"]
    rows = {el["attrs"]["data-source"]: " ".join(el["text"].split())
            for el in page.find("tr", class_="holding-row")}
    assert set(rows) == {"loc", "hust"}
    call_number = " ".join(source["050"].get_subfields("a", "b"))
    assert call_number in rows["loc"] and "华中科技大学图书馆" in rows["hust"]
    members = page.texts("ul", class_="members")[0]
    assert "loc:00409609" in members and "hust:00409609" in members
    assert "Held by 2 libraries" in page.texts("h2")


def test_holding_links_to_its_librarys_own_catalog(web_client):
    page = tree(web_client.get(f"/record/{SUZHOU}"))
    links = [a["attrs"]["href"] for a in page.find("a") if "opac.example.edu" in a["attrs"].get("href", "")]
    assert links == ["https://opac.example.edu/record/00409609"]
    data = web_client.get(f"/api/record/{SUZHOU}").get_json()
    assert {h["source"]: h.get("catalog_url") for h in data["holdings"]} == {
        "loc": None, "hust": "https://opac.example.edu/record/00409609"}


def test_a_member_id_opens_its_cluster_and_the_permalink_is_stable(web_client):
    by_member = tree(web_client.get("/record/hust:00409609"))
    by_cluster = tree(web_client.get(f"/record/{SUZHOU}"))
    assert by_member.texts("h1") == by_cluster.texts("h1")
    [permalink] = by_member.find("input", id="permalink")
    url = permalink["attrs"]["value"]
    assert by_cluster.find("input", id="permalink")[0]["attrs"]["value"] == url
    assert by_member.find("link", rel="canonical")[0]["attrs"]["href"] == url
    # the permanent link names a member record (cluster ids follow membership)
    members = [m["record_id"] for m in web_client.get(f"/api/record/{SUZHOU}").get_json()["members"]]
    assert url.removeprefix("http://localhost/record/") in members
    assert tree(web_client.get(url.removeprefix("http://localhost"))).texts("h1") == by_cluster.texts("h1")


def test_unknown_record_is_a_404_page(client):
    response = client.get("/record/loc:nope")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in tree(response).texts("h1")


def test_similar_items(client):
    page = tree(client.get("/record/loc:00409609"))
    data = client.get("/api/search?q=subject:China").get_json()
    similar = [a["attrs"]["href"] for a in page.find("a")
               if a["attrs"].get("href", "").startswith("/record/") and a["attrs"]["href"] != "/record/loc:00409609"]
    assert similar, "a Chinese local history has similar items in the session index"
    assert all(href.startswith("/record/") for href in similar)
    assert data["total"] >= 1


def test_staff_view_shows_every_member_in_marc(web_client):
    page = tree(web_client.get("/staff/hust:00409609"))
    blocks = page.texts("pre", class_="marc-lines")
    assert len(blocks) == 2
    for block in blocks:
        assert "=001 00409609" in block and "=880" in block


def test_export_marc21_is_the_records_own_bytes(web_client):
    response = web_client.get(f"/export/marc/{SUZHOU}")
    assert response.status_code == 200
    assert response.mimetype == "application/marc"
    assert response.headers["Content-Disposition"] == 'attachment; filename="loc-00409609.mrc"'
    assert response.data == fixture_record("chinese_880_simplified.mrc", "00409609")


def test_export_marcxml_is_the_same_record(web_client):
    response = web_client.get(f"/export/marcxml/{SUZHOU}")
    assert response.mimetype == "application/marcxml+xml"
    [from_xml] = pymarc.parse_xml_to_array(io.BytesIO(response.data))
    original = pymarc.Record(fixture_record("chinese_880_simplified.mrc", "00409609"))
    assert [(f.tag, f.value()) for f in from_xml.fields] == \
        [(f.tag, f.value()) for f in original.fields]


def test_export_ris(web_client):
    text = web_client.get(f"/export/ris/{SUZHOU}").get_data(as_text=True)
    data = web_client.get(f"/api/record/{SUZHOU}").get_json()
    record = next(m["record"] for m in data["members"] if m["record_id"] == SUZHOU)
    lines = text.split("\r\n")
    assert lines[0] == "TY  - BOOK" and lines[-2] == "ER  - " and lines[-1] == ""
    tags = {}
    for line in lines[:-2]:
        tag, sep, value = line.partition("  - ")
        assert sep and len(tag) == 2, line
        tags.setdefault(tag, []).append(value)
    # the title in the record's script, its romanization as the spec's alternate title (J2);
    # TT is a translated title and SP a start page, so neither is written
    assert tags["TI"] == [record["title_vernacular"].rstrip(" /:")]
    assert tags["J2"] == [record["title"].rstrip(" /:")]
    assert "TT" not in tags and "SP" not in tags
    assert tags["PY"] == [str(record["year"])]
    # the record's own page (a member's id is its permanent link)
    assert tags["UR"] == [f"http://localhost/record/{SUZHOU}"]


def test_export_bibtex(web_client):
    response = web_client.get(f"/export/bibtex/{SUZHOU}")
    assert response.mimetype == "application/x-bibtex"
    text = response.get_data(as_text=True)
    assert text.startswith("@book{") and text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    assert "year = {" in text


def test_unknown_export_format_is_a_404(web_client):
    assert web_client.get(f"/export/pdf/{SUZHOU}").status_code == 404
    assert web_client.get("/export/ris/loc:nope").status_code == 404


def test_record_page_offers_every_export_and_both_citations(web_client):
    page = tree(web_client.get(f"/record/{SUZHOU}"))
    formats = [a["attrs"]["data-format"] for a in page.find("a", download=True)]
    assert formats == ["ris", "bibtex", "marcxml", "marc"]
    for fmt in formats:
        href = next(a["attrs"]["href"] for a in page.find("a", download=True)
                    if a["attrs"]["data-format"] == fmt)
        assert web_client.get(href).status_code == 200
    assert page.texts("p", id="cite-apa") and page.texts("p", id="cite-gbt")


# -- citations ---------------------------------------------------------------------

BOOK = {"title": "Caoshan xiao she yu Min jin dang de tou ren men /",
        "title_vernacular": "草山小蛇與民進黨的頭人們 /",
        "authors": ["Chen, Wanzhen, 1950-"], "authors_vernacular": ["陳婉真, 1950-"],
        "publishers": ["Qian wei chu ban she,"], "places": ["Taibei Shi :"],
        "year": 1997, "languages": ["chi"], "format": "book", "edition": "Chu ban."}


def test_apa():
    # Chu ban (初版) is a first edition: APA gives only the others
    assert citations.apa(BOOK) == ("Chen, W. (1997). Caoshan xiao she yu Min jin dang de tou ren"
                                   " men. Qian wei chu ban she.")
    assert citations.apa({**BOOK, "edition": "2nd ed."}).endswith("tou ren men (2nd ed.). Qian"
                                                                  " wei chu ban she.")
    assert citations.apa_html({**BOOK, "title": "Tom & <Jerry>"}) == (
        "Chen, W. (1997). <i>Tom &amp; &lt;Jerry&gt;</i>. Qian wei chu ban she.")
    two = {**BOOK, "authors": ["Smith, John Ronald, 1950-", "Nguyễn, Văn An"], "edition": None}
    assert citations.apa(two).startswith("Smith, J. R., & Nguyễn, V. A. (1997). Caoshan")
    assert citations.apa({"title": "Untitled"}) == "Untitled. (n.d.)."


def test_gbt7714_uses_the_vernacular_for_chinese_records():
    # the names paired by $6 (name_forms); a first edition (初版, Chu ban) is not given (8.3.1)
    chinese = {**BOOK, "name_forms": [{"heading": "Chen, Wanzhen, 1950-",
                                       "vernacular": "陳婉真, 1950-"}],
               "place_forms": [{"heading": "Taibei Shi", "vernacular": "臺北市"}],
               "publisher_forms": [{"heading": "Qian wei chu ban she",
                                    "vernacular": "前衛出版社"}],
               "edition_forms": [{"heading": "Chu ban", "vernacular": "初版"}]}
    assert citations.gbt7714(chinese) == "陳婉真. 草山小蛇與民進黨的頭人們[M]. 臺北市: 前衛出版社, 1997."
    # without 880s for the name and the imprint, their romanized forms
    assert citations.gbt7714(BOOK) == (
        "CHEN W. 草山小蛇與民進黨的頭人們[M]. Taibei Shi: Qian wei chu ban she, 1997.")
    many = {**BOOK, "authors": ["甲", "乙", "丙", "丁"]}
    assert citations.gbt7714(many).startswith("甲, 乙, 丙, 等. ")
    second = [{"heading": "Di 2 ban", "vernacular": "第2版"}]
    assert citations.gbt7714({**chinese, "edition_forms": second}).endswith(
        "[M]. 2版. 臺北市: 前衛出版社, 1997.")
    english = {"title": "Moral hazard", "authors": ["Smith, J."], "year": 2001,
               "format": "serial", "online": True, "languages": ["eng"]}
    assert citations.gbt7714(english) == "SMITH J. Moral hazard[J/OL]. 2001."
    assert citations.gbt7714({**english, "format": "book", "online": False}) == (
        "SMITH J. Moral hazard[M]. [S.l.]: [s.n.], 2001.")


@pytest.mark.parametrize("text, escaped", [
    ("50% & {more} #1 $2 a_b ~c ^d \\e", r"50\% \& \{more\} \#1 \$2 a\_b \~{}c \^{}d \textbackslash{}e"),
])
def test_bibtex_escapes_special_characters(text, escaped):
    assert bibfiles.bibtex_escape(text) == escaped


def test_bibtex_braces_names_without_commas():
    text = bibfiles.bibtex({"title": "T", "authors": ["陳婉真", "Chen, Wanzhen, 1950-"]}, "x:1")
    assert "author = {{陳婉真} and Chen, Wanzhen}" in text


def test_marcxml_export_is_well_formed_for_legacy_records(client):
    # a MARC-8 record (EACC Han) exports as UTF-8 MARCXML
    data = client.get("/api/search", query_string={"filter": "library:legacy", "limit": 10}).get_json()
    for hit in data["results"]:
        response = client.get(f"/export/marcxml/{hit['id']}")
        assert response.status_code == 200
        root = etree.fromstring(response.data)
        assert root.tag.endswith("record")


def test_a_cnmarc_records_pinyin_title_goes_beside_its_han_title():
    # cnmarc_utf8.mrc record 1 (constructed, make_cnmarc.py): 200 $a活着 $9huo zhe, 701 $a余华,
    # 210 $a北京 $c作家出版社 $d2012
    data = iso2709_records(FIXTURES / "cnmarc_utf8.mrc")[0]
    mapped = map_stored(data, "unimarc", on_warning=lambda message: None)
    ris = bibfiles.ris(mapped, "cn:1").split("\r\n")
    assert "TI  - 活着" in ris and "J2  - huo zhe" in ris and "AU  - 余华" in ris
    assert "titleaddon = {huo zhe}" in bibfiles.bibtex(mapped, "cn:1")
    assert citations.gbt7714(mapped) == "余华. 活着[M]. 北京: 作家出版社, 2012."


def test_gbt7714_leaves_out_the_ideographic_spaces_between_chinese_words():
    # ideographic_space_chinese_880.mrc record 3 (LC 00409592): 880 $6245 台灣　的　新反對　運動 :
    # 新民主　之　路 and 880 $6260 $b 唐山　出版社: older LC cataloguing divides Han words
    data = iso2709_records(FIXTURES / "ideographic_space_chinese_880.mrc")[2]
    mapped = map_stored(data, "marc21", on_warning=lambda message: None)
    assert "\u3000" in mapped["title_vernacular"]
    gbt = citations.gbt7714(mapped)
    assert "台灣的新反對運動: 新民主之路[M]. " in gbt and gbt.endswith(": 唐山出版社, 1991.")
    assert "TI  - 台灣的新反對運動 : 新民主之路" in bibfiles.ris(mapped, "loc:00409592")
