"""Browsing in a real browser, in English, Chinese and Vietnamese, at desktop and phone
widths: a facet's full list (by count, A-Z, searched), the author and subject lists and
their links, and a shelf from a record and from a typed call number.

The expectations come from the stored records (tests/browse_support.py)."""

from __future__ import annotations

import pytest

from indexer.callnumbers import shelf_key, shelf_start
from indexer.headings import browse_value, typed_prefix

from ..browse_support import Expected
from ..support import running_server
from .conftest import fits_a_phone, in_language

pytestmark = pytest.mark.browser

LANGS = ("en", "zh", "vi")
WORDS = {   # a word of each page in each interface language (web/translations)
    "en": {"az": "A–Z", "authors": "Authors A–Z", "later": "Later on the shelf"},
    "zh": {"az": "按字顺", "authors": "著者浏览（按字顺）", "later": "书架上靠后的"},
    "vi": {"az": "A–Z", "authors": "Tác giả A–Z", "later": "Phía sau trên giá"},
}


@pytest.fixture(scope="module")
def site(browse_home, tmp_path_factory):
    with running_server(browse_home.path, tmp_path_factory.mktemp("browse-browser")) as base:
        yield base


@pytest.fixture(scope="module")
def expected(browse_home) -> Expected:
    return Expected(browse_home)


def labels(p) -> list[str]:
    return [t.strip() for t in p.locator("ol.values li .label").all_inner_texts()]


def counts(p) -> list[int]:
    return [int("".join(c for c in t if c.isdigit()))
            for t in p.locator("ol.values li .count").all_inner_texts()]


@pytest.mark.parametrize("lang", LANGS)
def test_a_facets_full_list_by_count_a_to_z_and_searched(page, site, expected, lang):
    p = in_language(page, site, lang)
    vietnamese = [m for members in expected.clusters.values() for m in members
                  if "vie" in m.get("languages", [])]
    authors: dict[str, int] = {}
    for m in vietnamese:
        for a in set(m.get("authors", [])):
            authors[a] = authors.get(a, 0) + 1
    p.goto(site + "/?filter=language:vie")
    p.locator("a.facet-more[href*='/browse/facet/author']").click()
    p.wait_for_selector("ol.values")
    assert str(len(authors)) in p.locator(".values-total").inner_text()
    assert labels(p) == [a for a, _c in sorted(authors.items(), key=lambda ac: (-ac[1], ac[0]))]
    page.shot(f"browse-facet-count-{lang}")
    p.locator("a.order", has_text=WORDS[lang]["az"]).click()
    p.wait_for_url("**order=az**")
    in_order = sorted(authors, key=browse_value)
    assert labels(p) == in_order
    # Vietnamese order, where code points have it the other way round: o before u
    # (Ngô before Nguyễn), a before u (Trần before Trung)
    assert in_order.index("Ngô, Xuân Bình") < in_order.index("Nguyễn, Khắc Mai")
    assert in_order.index("Trần, Anh Phương") < in_order.index(
        "Trung tâm nghiên cứu Nhật Bản (Vietnam)")
    assert sorted(authors).index("Ngô, Xuân Bình") > sorted(authors).index("Nguyễn, Khắc Mai")
    fits_a_phone(p)
    page.shot(f"browse-facet-az-{lang}")
    # the search box keeps the values containing what was typed
    p.fill("#contains", "nguyễn")
    p.press("#contains", "Enter")
    p.wait_for_url("**contains=**")
    kept = sorted((a for a in authors if "nguyễn" in a.casefold()), key=browse_value)
    assert len(kept) > 1 and labels(p) == kept
    # a value adds its filter to the search, which finds what it counted
    first = kept[0]
    p.locator("ol.values li a.value").first.click()
    p.wait_for_selector("p.summary")
    assert p.locator("li.chip").count() == 3        # language, the author, "clear all"
    assert p.locator("li.hit").count() == authors[first]


@pytest.mark.parametrize("lang, start", [("en", "Chen"), ("zh", "张"), ("vi", "Nguyễn")])
def test_the_author_and_subject_lists_and_their_links(page, site, expected, lang, start):
    p = in_language(page, site, lang)
    authors = expected.clusters_with("authors")
    p.goto(site + "/")
    p.locator("footer a", has_text=WORDS[lang]["authors"]).click()
    p.wait_for_selector("#start")
    p.fill("#start", start)
    p.press("#start", "Enter")
    p.wait_for_url("**start=**")
    wanted = sorted((h for h in authors if browse_value(h).startswith(typed_prefix(start))),
                    key=browse_value)
    assert wanted and labels(p) == wanted[:50]
    assert counts(p) == [authors[h] for h in wanted[:50]]
    if lang == "zh":   # 张 finds the romanized Zhang headings, their 880 form beside them
        assert p.locator("ol.values li .other-form").first.inner_text().startswith("张")
    fits_a_phone(p)
    page.shot(f"browse-authors-{lang}")
    # a subject heading keeps its subdivisions when it is searched
    subjects = expected.clusters_with("subjects")
    heading = "Taiwan -- Politics and government -- 1988-2000"
    p.goto(site + "/browse/subjects?start=Taiwan")
    p.locator("ol.values li a.value", has_text=heading).click()
    p.wait_for_selector("p.summary")
    assert p.locator("li.hit").count() == subjects[heading]
    page.shot(f"browse-subject-heading-{lang}")


@pytest.mark.parametrize("lang, scheme, typed", [("en", "lcc", "PL2265"), ("zh", "clc", "I247"),
                                                 ("vi", "ddc", "895")])
def test_a_shelf_from_a_record_and_from_a_typed_call_number(page, site, expected, lang, scheme,
                                                            typed):
    p = in_language(page, site, lang)
    shelf = expected.shelf(scheme)
    value, _call = shelf[len(shelf) // 2]
    cluster = value.rsplit(" ", 1)[1]
    p.goto(f"{site}/record/{cluster}")
    p.locator(f"a.shelf-link[href*='scheme={scheme}']").first.click()
    here = p.locator("li.shelf-row.here")
    here.wait_for()
    assert here.locator("h2 a").get_attribute("href").endswith(cluster)
    rows = p.locator("li.shelf-row .shelf-call").all_inner_texts()
    keys = [shelf_key(scheme, r.strip()) for r in rows]
    assert keys == sorted(keys)                       # in call-number order
    fits_a_phone(p)
    page.shot(f"browse-shelf-record-{lang}")
    later = p.locator("nav.pager a[rel=next]", has_text=WORDS[lang]["later"])
    if later.count():
        later.click()
        p.wait_for_url("**after=**")
        after = [shelf_key(scheme, r.strip())
                 for r in p.locator("li.shelf-row .shelf-call").all_inner_texts()]
        assert after and after[0] >= keys[-1]
    # a call number typed by a reader: the shelf from where it would stand
    p.select_option("#scheme", scheme)
    p.fill("#from", typed)
    p.press("#from", "Enter")
    p.wait_for_url("**from=**")
    start = shelf_start(typed, scheme)
    rows = [shelf_key(scheme, r.strip())
            for r in p.locator("li.shelf-row .shelf-call").all_inner_texts()]
    wanted = [v.rsplit(" ", 1)[0] for v, _c in shelf]
    at = next((i for i, k in enumerate(wanted) if k >= start), len(wanted))
    assert rows == wanted[max(0, at - 6):max(0, at - 6) + 12]
    page.shot(f"browse-shelf-typed-{lang}")
