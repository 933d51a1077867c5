"""Citations and exports in the record's script, exports of several records at once, and
lists without accounts, over HTTP on a real ``sheaf serve`` (issue 18).

The records are real LC records with 880s (tests/lists_support.py); what a citation or
file must say is read from their 880 fields with pymarc. The files are read with
parsers that are not Sheaf's: pymarc for MARC and MARCXML, bibtexparser for BibTeX,
and RIS by the spec's own line format (``TY  - `` first, ``ER  - `` last, CRLF).
"""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.parse
import urllib.request

import bibtexparser
import pymarc
import pytest
from bibtexparser import middlewares
from lxml import etree, html

from web.exports import MAX_EXPORT_IDS

from ..conftest import engine_home
from ..lists_support import (HE, LING, MIYI, TOO_BIG, build_lists_home, linked, romanized,
                             vietnamese_ids)
from ..support import running_server

UNKNOWN = "loc:no-such-record"
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


@pytest.fixture(scope="module")
def site(tmp_path_factory, engine, request):
    path = tmp_path_factory.mktemp(f"lists-{engine}")
    home = build_lists_home(engine_home(path / "home", engine, request), path)
    with running_server(home.path, tmp_path_factory.mktemp("lists-server")) as base:
        yield base


def get(site: str, path: str, lang: str = "en", **args):
    """(status, headers, body) of a GET; ``args`` values may be lists (repeated)."""
    query = urllib.parse.urlencode(args, doseq=True)
    req = urllib.request.Request(f"{site}{path}{'?' + query if query else ''}",
                                 headers={"Accept-Language": lang})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def page(site: str, path: str, lang: str = "en", **args) -> html.HtmlElement:
    status, _headers, body = get(site, path, lang, **args)
    assert status == 200, body[:500]
    return html.fromstring(body.decode("utf-8"))


def ris_records(text: str) -> list[dict[str, list[str]]]:
    """RIS read strictly: every line a tag line, CRLF ends, TY first and ER last."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    out, current = [], None
    for line in text.split("\r\n")[:-1]:
        tag, value = RIS_LINE.fullmatch(line).groups()
        if current is None:
            assert tag == "TY", line
            current = {}
        current.setdefault(tag, []).append(value)
        if tag == "ER":
            out.append(current)
            current = None
    assert current is None
    return out


# -- citations in the record's script ---------------------------------------------------

def test_gbt7714_of_a_chinese_record_is_built_from_its_880s(site):
    # 880 $6245-01 米易县志 ; $6250-02 第1版. ; $6260-03 成都市 : 四川辞书出版社, 1999. ;
    # $6710-05 四川省米易县志编纂委员会. A first edition is not given (GB/T 7714-2015 8.3.1).
    [body] = linked(MIYI, "710", "a")
    [title] = linked(MIYI, "245", "a")
    [place], [publisher] = linked(MIYI, "260", "a"), linked(MIYI, "260", "b")
    expected = f"{body}. {title}[M]. {place}: {publisher}, 1999."
    assert expected == "四川省米易县志编纂委员会. 米易县志[M]. 成都市: 四川辞书出版社, 1999."

    doc = page(site, f"/record/{MIYI}")
    assert doc.get_element_by_id("cite-gbt").text_content() == expected
    status, _headers, text = get(site, "/export/gbt7714", id=[MIYI])
    assert status == 200 and text.decode("utf-8") == f"[1] {expected}\n"


def test_gbt7714_gives_a_later_edition_and_three_names_then_deng(site):
    # 中国绘画史要: 880 $6250-03 第2版 (cited 2版), 260 [天津] : two publishers (the first)
    [he] = linked(HE, "100", "a")
    assert page(site, f"/record/{HE}").get_element_by_id("cite-gbt").text_content() == (
        f"{he}. 中国绘画史要[M]. 2版. 天津: {linked(HE, '260', 'b')[0]}, 1998.")
    # 淩鴻勛先生訪問紀錄: the 100 and three 700s, each with its 880; 再版 is a second edition
    names = linked(LING, "100", "a") + linked(LING, "700", "a")
    assert len(names) == 4
    gbt = page(site, f"/record/{LING}").get_element_by_id("cite-gbt").text_content()
    assert gbt.startswith(f"{names[0]}, {names[1]}, {names[2]}, 等. {linked(LING, '245', 'a')[0]}"
                          f"[M]. 再版. {linked(LING, '260', 'a')[0]}: ")


def test_apa_romanizes_and_puts_the_title_in_italics(site):
    cite = page(site, f"/record/{MIYI}").get_element_by_id("cite-apa")
    [italic] = cite.findall("i")
    assert italic.text == romanized(MIYI, "245", "a")[0] == "Miyi xian zhi"
    assert cite.text_content() == (
        "Sichuan Sheng Miyi Xian zhi bian zuan wei yuan hui. (1999). Miyi xian zhi."
        " Sichuan ci shu zhu ban she.")   # Di 1 ban: APA gives editions after the first


# -- RIS, BibTeX, MARC, MARCXML of several records ---------------------------------------

def test_ris_of_several_records_in_their_script_and_the_missing_id_reported(site):
    ids = [MIYI, LING, UNKNOWN, HE]
    status, headers, body = get(site, "/export/ris", id=ids)

    assert status == 200
    assert headers["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    refs = ris_records(body.decode("utf-8"))
    assert [r["ID"] for r in refs] == [[MIYI], [LING], [HE]]
    assert headers["Sheaf-Exported"] == "3" and headers["Sheaf-Missing"] == UNKNOWN
    miyi = refs[0]
    assert miyi["TY"] == ["BOOK"]
    assert miyi["TI"] == linked(MIYI, "245", "a") and miyi["J2"] == romanized(MIYI, "245", "a")
    assert miyi["AU"] == linked(MIYI, "710", "a")
    assert miyi["CY"] == linked(MIYI, "260", "a") and miyi["PB"] == linked(MIYI, "260", "b")
    assert miyi["ET"] == linked(MIYI, "250", "a") == ["第1版"]
    # TT is a translated title, SP a start page: neither is what these records hold
    assert not any("TT" in r or "SP" in r for r in refs)
    assert refs[1]["AU"] == linked(LING, "100", "a") + linked(LING, "700", "a")
    assert all(r["UR"] == [f"{site}/record/{r['ID'][0]}"] for r in refs)


def test_bibtex_of_several_records_reads_back_with_a_real_parser(site):
    ids = [MIYI, HE, *vietnamese_ids()[:2]]
    status, headers, body = get(site, "/export/bibtex", id=ids)

    assert status == 200 and headers["Sheaf-Exported"] == "4" and "Sheaf-Missing" not in headers
    library = bibtexparser.parse_string(body.decode("utf-8"), append_middleware=[
        middlewares.SeparateCoAuthors(), middlewares.LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    entries = library.entries
    assert len(entries) == len(ids) and len({e.key for e in entries}) == len(ids)
    he = entries[1].fields_dict
    assert he["title"].value == linked(HE, "245", "a")[0]
    assert he["titleaddon"].value == romanized(HE, "245", "a")[0]
    # braced, so that BibTeX does not split a Han name into given and family names
    assert he["author"].value == ["{" + linked(HE, "100", "a")[0] + "}"]
    assert he["edition"].value == "第2版" and he["address"].value == "天津"
    # a record without 880s: its title as it is, no second one
    viet = entries[2].fields_dict
    assert "titleaddon" not in viet and viet["title"].value


def test_marc_of_several_records_is_one_iso_2709_file(site):
    ids = [MIYI, *vietnamese_ids(), UNKNOWN]
    status, headers, body = get(site, "/export/marc", id=ids)

    assert status == 200 and headers["Content-Type"] == "application/marc"
    read = list(pymarc.MARCReader(io.BytesIO(body), to_unicode=True))
    assert ["loc:" + read[0]["001"].data.strip()] + \
        ["vn:" + r["001"].data.strip() for r in read[1:]] == ids[:-1]
    assert headers["Sheaf-Missing"] == UNKNOWN


def test_marcxml_of_several_records_is_one_collection(site):
    ids = [HE, LING, MIYI]
    status, headers, body = get(site, "/export/marcxml", id=ids)

    assert status == 200
    assert etree.fromstring(body).tag == "{http://www.loc.gov/MARC21/slim}collection"
    assert headers["Content-Disposition"] == 'attachment; filename="sheaf-3-records.xml"'
    records = pymarc.parse_xml_to_array(io.BytesIO(body))
    assert ["loc:" + r["001"].data.strip() for r in records] == ids


def test_a_record_too_long_for_iso_2709_is_refused_and_the_others_exported(site):
    status, headers, body = get(site, "/export/marc", id=[TOO_BIG, MIYI])

    assert status == 200
    assert [r["001"].data.strip() for r in pymarc.MARCReader(io.BytesIO(body))] == ["00409657"]
    assert headers["Sheaf-Refused"] == TOO_BIG and headers["Sheaf-Exported"] == "1"
    status, _headers, body = get(site, "/export/marcxml", id=[TOO_BIG, MIYI])
    assert status == 200 and len(pymarc.parse_xml_to_array(io.BytesIO(body))) == 2
    # alone, it is the single export's 422, offering the MARCXML export of the same ids
    status, _headers, body = get(site, "/export/marc", id=[TOO_BIG, UNKNOWN])
    assert status == 422
    [link] = html.fromstring(body.decode("utf-8")).find_class("export-instead")
    status, _headers, body = get(site, link.get("href"))
    assert status == 200 and len(pymarc.parse_xml_to_array(io.BytesIO(body))) == 1


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "marcxml", "marc", "apa", "gbt7714"])
def test_every_format_exports_as_many_records_as_ids(site, fmt):
    ids = vietnamese_ids() + [MIYI, LING, HE]
    status, headers, body = get(site, f"/export/{fmt}", id=ids)

    assert status == 200 and headers["Sheaf-Exported"] == str(len(ids))
    counts = {"ris": lambda: len(ris_records(body.decode("utf-8"))),
              "bibtex": lambda: len(bibtexparser.parse_string(body.decode("utf-8")).entries),
              "marcxml": lambda: len(pymarc.parse_xml_to_array(io.BytesIO(body))),
              "marc": lambda: len(list(pymarc.MARCReader(io.BytesIO(body)))),
              "apa": lambda: len(body.decode("utf-8").splitlines()),
              "gbt7714": lambda: len(re.findall(r"^\[\d+\] ", body.decode("utf-8"), re.M))}
    assert counts[fmt]() == len(ids)


def test_bad_export_requests_are_400s_and_nothing_found_a_404(site):
    too_many = [f"vn:{n}" for n in range(MAX_EXPORT_IDS + 1)]
    for path, args in (("/export/ris", {}), ("/export/ris", {"id": too_many}),
                       ("/export", {"format": "pdf", "id": [MIYI]}), ("/list", {"id": too_many})):
        status, headers, body = get(site, path, **args)
        assert status == 400, (path, body[:300])
        assert headers["Content-Type"].startswith("text/html")
        message = html.fromstring(body.decode("utf-8")).find_class("error")[0].text_content()
        assert message
    status, _headers, body = get(site, "/export/bibtex", id=[UNKNOWN, "x" * 600])
    assert status == 404 and UNKNOWN in body.decode("utf-8")
    status, headers, _body = get(site, "/export/ris", id=[f"{MIYI}\r\nSet-Cookie: x=1", MIYI])
    assert status == 200 and headers.get("Set-Cookie") is None
    assert headers["Sheaf-Missing"] == "loc:00409657%0D%0ASet-Cookie:%20x%3D1"


# -- the results page and the list page ------------------------------------------------

def test_the_results_page_exports_itself_and_the_marked_records(site):
    doc = page(site, "/", filter="library:vn", limit=5)
    # a hit's link is /record/ID?<its list> (web/navigation.py)
    hits = [a.get("href").split("?")[0].rsplit("/", 1)[1]
            for a in doc.xpath("//li[@class='hit']//h3/a")]
    boxes = doc.xpath("//input[contains(@class, 'mark-record')]")
    assert [b.get("value") for b in boxes] == hits and len(hits) == 5
    assert {b.get("form") for b in boxes} == {"export-selected"}
    [form] = doc.xpath("//form[@id='export-selected']")
    assert form.get("action") == "/export"
    [link] = doc.xpath("//section[@class='export-page']//a[@data-format='ris']")
    status, _headers, body = get(site, link.get("href"))
    assert [r["ID"][0] for r in ris_records(body.decode("utf-8"))] == hits
    # what the form sends when two boxes are ticked
    status, _headers, body = get(site, "/export", format="gbt7714", id=hits[:2])
    assert status == 200 and len(body.decode("utf-8").splitlines()) == 2


def test_the_list_page_shows_its_ids_and_lists_the_missing(site):
    ids = [HE, UNKNOWN, MIYI]
    doc = page(site, "/list", id=ids)

    lines = doc.xpath("//li[@class='list-record']")
    assert [li.get("data-id") for li in lines] == [HE, MIYI]
    assert [c.text for c in doc.xpath("//ul[@class='missing']/li/code")] == [UNKNOWN]
    share = doc.get_element_by_id("share-url").get("value")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(share).query)["id"] == ids
    exports = {a.get("data-format"): a.get("href")
               for a in doc.xpath("//p[@class='export-links']/a")}
    assert set(exports) == {"ris", "bibtex", "marcxml", "marc", "apa", "gbt7714"}
    for fmt, href in exports.items():
        status, headers, _body = get(site, href)
        assert status == 200 and headers["Sheaf-Exported"] == "2", fmt


def test_the_list_mails_its_titles_and_its_url(site):
    doc = page(site, "/list", id=[MIYI, LING])
    [mail] = doc.xpath("//a[@class='mail-list']")
    scheme, _sep, rest = mail.get("href").partition(":?")
    assert scheme == "mailto"
    message = {k: v[0] for k, v in urllib.parse.parse_qs(rest).items()}
    assert message["subject"].endswith("2 records")
    for rid in (MIYI, LING):
        [title] = linked(rid, "245", "a")
        assert title in message["body"] and f"{site}/record/{rid}" in message["body"]
    assert doc.get_element_by_id("share-url").get("value") in message["body"]


def test_the_list_page_speaks_chinese_and_vietnamese(site):
    zh = page(site, "/list", lang="zh", id=[MIYI])
    vi = page(site, "/list", lang="vi", id=[MIYI])
    assert zh.xpath("//h1")[0].text_content() == "已标记的记录"
    assert vi.xpath("//h1")[0].text_content() == "Biểu ghi đã đánh dấu"
    assert "米易县志" in zh.xpath("//li[@class='list-record']//h2")[0].text_content()
