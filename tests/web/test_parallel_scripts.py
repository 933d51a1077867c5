"""Records in two scripts as their readers read them (issue 18): the record page's
labelled parallel lines, the result line's place, publisher, edition and series with what
matched marked, and the author facet in the name's own script.

The records are LC's, read here with pymarc for what each page must show: Miyi xian zhi
(成都市 : 四川辞书出版社), gazetteers published by 中華書局 / 中华书局, a Hebrew record,
and Vietnamese records most of whose "Hà Nội" is only their place of publication.
"""

from __future__ import annotations

import unicodedata

import pymarc
import pytest
from lxml import etree, html

from harvest.config import Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build
from discovery.engines import open_index
from web import create_app

from ..conftest import engine_home
from ..support import FIXTURES, iso2709_records

IMPRINTS = "imprints_880_chinese.mrc"
FILES = [IMPRINTS, "vietnamese_nfd_titles.mrc", "multiscript_880_traject.mrc"]
ATOM = {"a": "http://www.w3.org/2005/Atom"}
CNMARC = "cnmarc_utf8.mrc"    # constructed CNMARC records (see PROVENANCE.md)
MIYI = "00409657"
HEBREW = "86207417"
SUB = pymarc.Subfield
# a record whose imprint, in both scripts, is markup: it must reach every page as text
HOSTILE_PLACE = '<script>alert("place")</script>'
HOSTILE_PUBLISHER = '<img src=x onerror=alert("publisher")>'


def hostile_imprint() -> bytes:
    rec = pymarc.Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    rec.add_field(pymarc.Field(tag="001", data="imprint1"))
    rec.add_field(pymarc.Field(tag="008", data="990101s1999    cc            000 0 chi d"))
    rec.add_field(pymarc.Field(tag="245", indicators=["0", "0"],
                               subfields=[SUB("a", "Xiang cun zhi")]))
    rec.add_field(pymarc.Field(tag="260", indicators=[" ", " "], subfields=[
        SUB("6", "880-01"), SUB("a", HOSTILE_PLACE + " :"), SUB("b", "Zhonghua shu ju,")]))
    rec.add_field(pymarc.Field(tag="880", indicators=[" ", " "], subfields=[
        SUB("6", "260-01/$1"), SUB("a", "北京 :"), SUB("b", HOSTILE_PUBLISHER + "中華書局,")]))
    return rec.as_marc()


@pytest.fixture(scope="session")
def scripts_client(tmp_path_factory, engine, request):
    path = tmp_path_factory.mktemp(f"scripts-home-{engine}")
    hostile = path / "hostile_imprint.mrc"
    hostile.write_bytes(hostile_imprint())
    home = engine_home(path / "home", engine, request)
    home.add_source(Source(code="loc", name="Library of Congress", kind="marc",
                           path=str(FIXTURES / IMPRINTS)))
    home.add_source(Source(code="evil", name="Evil", kind="marc", path=str(hostile)))
    home.add_source(Source(code="hust", name="HUST", kind="marc", flavour="unimarc",
                           path=str(FIXTURES / CNMARC)))
    with RecordStore(home.store_path) as store:
        assert import_files(home, store, "loc", [str(FIXTURES / f) for f in FILES]).rejected == []
        assert import_files(home, store, "hust", [str(FIXTURES / CNMARC)]).rejected == []
        assert import_files(home, store, "evil", [str(hostile)]).rejected == []
        assert build.rebuild(home, store, open_index(home)).failed == []
    app = create_app({"SHEAF_HOME": str(path / "home"), "TESTING": True})
    yield app.test_client()
    app.extensions["sheaf.search"].close()


def lc_record(name: str, local_id: str) -> pymarc.Record:
    for data in iso2709_records(FIXTURES / name):
        rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
        if rec["001"].data.strip() == local_id:
            return rec
    raise LookupError(local_id)


def linked(rec: pymarc.Record, tag: str) -> pymarc.Field:
    return next(f for f in rec.get_fields("880") if f["6"].startswith(tag))


def imprints(rec: pymarc.Record) -> tuple[str, str]:
    """(romanized, vernacular) imprint statements of the record's 260 and its 880."""
    def statement(f) -> str:
        return f"{f['a'].rstrip(' :')} : {f['b'].rstrip(' ,')}, {f['c'].rstrip('.')}"
    return statement(rec["260"]), statement(linked(rec, "260"))


def page_of(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.get_data(as_text=True))


def text(el) -> str:
    return " ".join(el.text_content().split())


def form_lines(container) -> list[tuple[str, str, str | None]]:
    """(script label, text, lang) of each form a container shows, in page order."""
    out = []
    for form in container.xpath('.//span[contains(concat(" ", @class, " "), " form ")]'):
        label = form.xpath('./span[@class="script"]')
        body = form.xpath('./span[@class="text"]')[0]
        out.append((text(label[0]) if label else "", text(body), body.get("lang")))
    return out


def field(doc, name: str):
    [dd] = doc.xpath(f'//dl[@class="details"]/dd[@data-field="{name}"]')
    return dd


# -- the record page ------------------------------------------------------------------

def test_the_record_page_in_chinese_leads_each_field_with_its_880_on_labelled_lines(
        scripts_client):
    rec = lc_record(IMPRINTS, MIYI)
    romanized, vernacular = imprints(rec)
    doc = page_of(scripts_client, f"/record/loc:{MIYI}?lang=zh")
    assert form_lines(field(doc, "imprint")) == [("原文", vernacular, "zh"),
                                                 ("罗马字转写", romanized, "zh-Latn")]
    edition = linked(rec, "250")["a"].rstrip(".")
    assert form_lines(field(doc, "edition")) == [
        ("原文", edition, "zh"), ("罗马字转写", rec["250"]["a"].rstrip("."), "zh-Latn")]
    title = [text(s) for s in doc.xpath("//h1/span")]
    assert title == [linked(rec, "245")["a"].rstrip(" /"), rec["245"]["a"].rstrip(" /")]
    name = linked(rec, "710")["a"].rstrip(".")
    names = form_lines(field(doc, "names"))
    assert names[0] == ("原文", name, "zh") and names[1][0] == "罗马字转写"
    # the page no longer runs the two scripts together in one statement
    assert f"{rec['260']['a'].rstrip(' :')}; {linked(rec, '260')['a'].rstrip(' :')}" \
        not in text(doc)


def test_the_record_page_in_english_leads_with_the_records_own_script(scripts_client):
    rec = lc_record(IMPRINTS, MIYI)
    romanized, vernacular = imprints(rec)
    doc = page_of(scripts_client, f"/record/loc:{MIYI}?lang=en")
    assert form_lines(field(doc, "imprint")) == [("Original script", vernacular, "zh"),
                                                 ("Romanized", romanized, "zh-Latn")]
    # each subject once, its 880 beside it, both searchable
    subjects = form_lines(field(doc, "subjects"))
    assert [s[0] for s in subjects] == ["Original script", "Romanized"]
    links = [a.get("href") for a in field(doc, "subjects").xpath(".//a")]
    assert len(links) == 2 and all(h.startswith("/?q=heading:") for h in links)


def test_a_hebrew_record_leads_with_hebrew_in_every_interface(scripts_client):
    rec = lc_record("multiscript_880_traject.mrc", HEBREW)
    hebrew_place = linked(rec, "260")["a"].replace("\u200f", "").rstrip(" :")
    for lang, labels in (("en", ("Original script", "Romanized")),
                         ("vi", ("Chữ gốc", "Chuyển tự Latinh"))):
        doc = page_of(scripts_client, f"/record/loc:{HEBREW}?lang={lang}")
        shown = form_lines(field(doc, "imprint"))
        assert [(label, lang_attr) for label, _t, lang_attr in shown] == [
            (labels[0], "he"), (labels[1], "he-Latn")]
        assert shown[0][1].startswith(hebrew_place)
        assert shown[1][1].startswith(rec["260"]["a"].rstrip(" :"))
        responsibility = form_lines(doc.xpath('//p[@class="responsibility"]')[0])
        assert [label for label, _t, _l in responsibility] == list(labels)


def test_a_record_without_880s_shows_its_fields_on_one_unlabelled_line(scripts_client):
    rec = lc_record("vietnamese_nfd_titles.mrc", "00280608")
    doc = page_of(scripts_client, "/record/loc:00280608?lang=zh")
    place = unicodedata.normalize("NFC", rec["260"]["a"]).rstrip(" :")
    [(label, shown, lang)] = form_lines(field(doc, "imprint"))
    assert label == "" and shown.startswith(place) and lang == "vi"
    assert doc.xpath('//dd[@data-field="title"]') == []   # no second form: no Title row


def test_a_cnmarc_title_shows_its_pinyin_as_the_romanized_line(scripts_client):
    # record 1 of cnmarc_utf8.mrc: 200 $a 活着 $9 huo zhe
    rec = pymarc.Record(iso2709_records(FIXTURES / CNMARC)[0], to_unicode=True,
                        force_utf8=True)
    title, pinyin = rec["200"]["a"], rec["200"]["9"]
    found = scripts_client.get(f"/api/search?q={title}&filter=library:hust").get_json()
    [hit] = [h for h in found["results"] if h["title"] == title]
    for lang, labels in (("zh", ("原文", "罗马字转写")), ("en", ("Original script", "Romanized"))):
        doc = page_of(scripts_client, f"/record/{hit['id']}?lang={lang}")
        assert form_lines(field(doc, "title")) == [(labels[0], title, "zh"),
                                                   (labels[1], pinyin, "zh-Latn")]


# -- result lines ---------------------------------------------------------------------

def hit_of(doc, local_id: str):
    [hit] = [li for li in doc.xpath('//li[@class="hit"]')
             if li.xpath(f'.//h3/a[starts-with(@href, "/record/loc:{local_id}?")]')]
    return hit


def test_a_publisher_search_shows_the_publisher_on_the_result_line_marked(scripts_client):
    doc = page_of(scripts_client, "/?q=中華書局&lang=en")
    hits = doc.xpath('//li[@class="hit"]')
    published_by = [rec for rec in (pymarc.Record(d, to_unicode=True, force_utf8=True)
                                    for d in iso2709_records(FIXTURES / IMPRINTS))
                    if "書局" in linked(rec, "260")["b"] or "书局" in linked(rec, "260")["b"]]
    assert len(hits) >= len(published_by) == 4
    for rec in published_by:
        hit = hit_of(doc, rec["001"].data.strip())
        [publisher] = hit.xpath('.//span[@class="publisher"]')
        # the vernacular first (the record's own script), then its romanization beside it
        forms = [text(s) for s in publisher.xpath('./span[contains(@class, "form")]')]
        assert forms[0].startswith(linked(rec, "260")["b"].split(" :")[0].rstrip(" ,"))
        assert forms[1].startswith(rec["260"]["b"].rstrip(" :,"))
        # (the query's bigrams also mark 华书 in 新华书店, a second publisher of 00415104)
        marked = [text(m) for m in publisher.xpath(".//mark")]
        assert marked[0] in ("中華書局", "中华书局")
        [place] = hit.xpath('.//span[@class="place"]')
        assert text(place).startswith(linked(rec, "260")["a"].rstrip(" :"))
    # the JSON API gives the same line: the publisher's 880 form and where it matched
    first = scripts_client.get("/api/search?q=中華書局").get_json()["results"][0]
    [publisher] = first["details"]["publishers"]
    start, end = publisher["vernacular_highlights"][0]
    assert publisher["vernacular"][start:end] in ("中華書局", "中华书局")


def test_a_place_only_match_shows_the_place_marked(scripts_client):
    doc = page_of(scripts_client, "/?q=Hà Nội&lang=vi")
    place_only = []
    for data in iso2709_records(FIXTURES / "vietnamese_nfd_titles.mrc"):
        rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
        marc = unicodedata.normalize("NFC", str(rec))
        place = unicodedata.normalize("NFC", rec["260"]["a"])
        if "Hà Nội" in place and marc.count("Hà Nội") == 1:
            place_only.append(rec["001"].data.strip())
    assert len(place_only) >= 3
    for local_id in place_only:
        hit = hit_of(doc, local_id)
        assert [text(m) for m in hit.xpath('.//span[@class="place"]//mark')] == ["Hà", "Nội"]
        assert hit.xpath(".//h3//mark") == []     # the title did not match


def test_the_author_facet_and_result_authors_show_the_vernacular_name(scripts_client):
    rec = lc_record(IMPRINTS, "00409634")
    heading = rec["710"]["a"].rstrip(".")
    vernacular = linked(rec, "710")["a"].rstrip(".")
    found = scripts_client.get("/api/search?q=中華書局").get_json()
    labels = {v["value"]: v["label"] for v in found["facets"]["author"]}
    assert labels[heading] == f"{vernacular} ({heading})"
    doc = page_of(scripts_client, "/?q=中華書局&lang=zh")
    facet = doc.xpath('//section[@data-facet="author"]')[0]
    assert f"{vernacular} ({heading})" in [text(s) for s in facet.xpath('.//span[@class="label"]')]
    authors = hit_of(doc, "00409634").xpath('.//p[@class="authors"]/span[@class="author"]')
    assert [text(s) for s in authors[0].xpath("./span")] == [vernacular, "=", heading]


def test_hostile_imprints_reach_the_pages_as_text(scripts_client):
    body = scripts_client.get("/?q=中華書局").get_data(as_text=True)
    assert HOSTILE_PLACE not in body and HOSTILE_PUBLISHER not in body
    doc = html.fromstring(body)
    [hit] = [li for li in doc.xpath('//li[@class="hit"]')
             if li.xpath('.//h3/a[starts-with(@href, "/record/evil:imprint1?")]')]
    assert text(hit.xpath('.//span[@class="place"]')[0]).startswith("北京 = " + HOSTILE_PLACE)
    [publisher] = hit.xpath('.//span[@class="publisher"]')
    assert [text(m) for m in publisher.xpath(".//mark")] == ["中華書局"]
    assert text(publisher).startswith(HOSTILE_PUBLISHER + "中華書局")
    assert doc.xpath("//script[not(@src)]") == [] and doc.xpath("//img") == []
    record = scripts_client.get("/record/evil:imprint1").get_data(as_text=True)
    assert HOSTILE_PLACE not in record and HOSTILE_PUBLISHER not in record
    assert "&lt;script&gt;" in record


# -- the record API ---------------------------------------------------------------------

def record_schema_validator(client):
    """A validator of the record API's answers against the OpenAPI document's Record."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
    spec = client.get("/api/openapi.json").get_json()
    registry = Registry().with_resource("urn:sheaf-api", Resource(spec, DRAFT202012))
    return jsonschema.Draft202012Validator({"$ref": "urn:sheaf-api#/components/schemas/Record"},
                                           registry=registry)


def test_the_record_api_gives_the_record_pages_fields_in_both_scripts(scripts_client):
    rec = lc_record(IMPRINTS, MIYI)
    romanized, vernacular = imprints(rec)
    answer = scripts_client.get(f"/api/record/loc:{MIYI}").get_json()
    validator = record_schema_validator(scripts_client)
    assert [e.message for e in validator.iter_errors(answer)] == []
    parallel = answer["parallel"]
    assert parallel["imprint"] == {"text": romanized, "vernacular": vernacular}
    assert parallel["title"] == {"text": rec["245"]["a"].rstrip(" /"),
                                 "vernacular": linked(rec, "245")["a"].rstrip(" /")}
    assert parallel["edition"] == [{"text": rec["250"]["a"].rstrip("."),
                                    "vernacular": linked(rec, "250")["a"].rstrip(".")}]
    assert parallel["places"] == [{"text": rec["260"]["a"].rstrip(" :"),
                                   "vernacular": linked(rec, "260")["a"].rstrip(" :")}]
    assert parallel["publishers"] == [{"text": rec["260"]["b"].rstrip(" ,"),
                                       "vernacular": linked(rec, "260")["b"].rstrip(" ,")}]
    body = linked(rec, "710")["a"].rstrip(".")
    name = [n for n in parallel["names"] if n.get("vernacular") == body]
    assert len(name) == 1 and name[0]["text"] == rec["710"]["a"].rstrip(".")
    # the member's mapped *_forms, which these come from, in the shape the document says
    mapped = answer["members"][0]["record"]
    assert {"heading": rec["260"]["a"].rstrip(" :"),
            "vernacular": linked(rec, "260")["a"].rstrip(" :")} in mapped["place_forms"]
    # a record without 880s: each field in its one form
    plain = scripts_client.get("/api/record/loc:00280608").get_json()
    assert [e.message for e in validator.iter_errors(plain)] == []
    assert plain["parallel"]["title"]["text"] and all(
        "vernacular" not in value for values in plain["parallel"].values()
        for value in (values if isinstance(values, list) else [values]))


# -- the partner side: the iframe, the feed ---------------------------------------------

def result_lines(doc, hit_path: str, link_path: str) -> dict[str, dict[str, str]]:
    """record id -> the text of each result-line field (authors, place, publisher, edition,
    series) of the hits of a page."""
    out = {}
    for li in doc.xpath(hit_path):
        href = li.xpath(link_path)[0].get("href")
        rid = href.split("/record/")[1].split("?")[0]
        out[rid] = {name: [text(s) for s in li.xpath(f'.//*[@class="{name}"]')]
                    for name in ("author", "place", "publisher", "field edition",
                                 "field series")}
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_iframe_and_the_feed_show_the_result_lines_fields_in_both_scripts(
        scripts_client, lang):
    query = f"q=中華書局&lang={lang}&sort=new"
    page = result_lines(page_of(scripts_client, f"/?{query}"), '//li[@class="hit"]', ".//h3/a")
    frame = result_lines(page_of(scripts_client, f"/embed?{query}"), '//li[@class="hit"]', "./a")
    assert frame == page and len(page) >= 4
    assert any(f["publisher"] and " = " in f["publisher"][0] for f in page.values())
    feed = etree.fromstring(scripts_client.get(f"/feed.atom?{query}").data)
    summaries = {e.findtext("a:id", namespaces=ATOM).split("/record/")[1]:
                 e.findtext("a:summary", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)}
    authors = {e.findtext("a:id", namespaces=ATOM).split("/record/")[1]:
               [n.text for n in e.findall("a:author/a:name", ATOM)]
               for e in feed.findall("a:entry", ATOM)}
    assert set(summaries) == set(page)
    for rid, fields in page.items():
        for name in ("place", "publisher", "field edition", "field series"):
            for shown in fields[name]:
                assert shown in summaries[rid]            # the series with its label
        if fields["author"]:
            assert authors[rid] == fields["author"]
