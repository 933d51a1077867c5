"""The reader's tour's stops through the browse pages and the online copies
(tests/browser/test_tour.py): a facet's full list, the author and subject lists, shelves,
and the Online facet, badges and access links."""

from __future__ import annotations

from indexer.callnumbers import shelf_key, shelf_start
from indexer.headings import browse_value, typed_prefix

from ..online_support import EXPECTED as ONLINE_LINKS, ONLINE
from .tour import Tour

# per interface: a heading start the reader types, and a shelf with a call number on it
AUTHOR_START = {"en": "Chen", "zh": "张", "zh-Hant": "Zhang", "vi": "Nguyễn"}
SHELF = {"en": ("lcc", "PL2265"), "zh": ("clc", "I247"), "zh-Hant": ("clc", "I247"),
         "vi": ("ddc", "895")}


def labels(p) -> list[str]:
    return [t.strip() for t in p.locator("ol.values li .label").all_inner_texts()]


def counts(p) -> list[int]:
    return [int("".join(c for c in t if c.isdigit()))
            for t in p.locator("ol.values li .count").all_inner_texts()]


def facet_list(tour: Tour, site: str, expected) -> None:
    """"All values" of the author facet: by count, A-Z in the language's order, searched."""
    p = tour.page
    authors: dict[str, int] = {}
    for members in expected.clusters.values():
        if any("vie" in m.get("languages", []) for m in members):
            for a in {a for m in members if "vie" in m.get("languages", [])
                      for a in m.get("authors", [])}:
                authors[a] = authors.get(a, 0) + 1
    p.goto(site + "/?filter=language:vie")
    p.locator("a.facet-more[href*='/browse/facet/author']").click()
    p.wait_for_selector("ol.values")
    assert p.locator(".values-total").inner_text() == tour.n(
        "%(num)s value", "%(num)s values", len(authors))
    assert labels(p) == [a for a, _c in sorted(authors.items(), key=lambda ac: (-ac[1], ac[0]))]
    tour.stop("facet-by-count", "Most records first", "Find a value")
    p.locator("a.order", has_text=tour.catalog.gettext("A–Z")).click()
    p.wait_for_url("**order=az**")
    assert labels(p) == sorted(authors, key=browse_value)     # Ngô before Nguyễn
    p.fill("#contains", "nguyễn")
    p.press("#contains", "Enter")
    p.wait_for_url("**contains=**")
    kept = sorted((a for a in authors if "nguyễn" in a.casefold()), key=browse_value)
    assert len(kept) > 1 and labels(p) == kept
    tour.stop("facet-a-z-searched", "Back to the search")
    p.locator("ol.values li a.value").first.click()
    p.wait_for_selector("p.summary")
    assert p.locator("li.chip").count() == 3        # language, the author, "clear all"
    assert p.locator("li.hit").count() == authors[kept[0]]


def headings(tour: Tour, site: str, expected) -> None:
    """The author list from the footer; a subject heading searched with its subdivisions."""
    p = tour.page
    start = AUTHOR_START[tour.lang]
    authors = expected.clusters_with("authors")
    p.locator("footer a", has_text=tour.t("Authors A–Z")).click()
    p.wait_for_selector("#start")
    p.fill("#start", start)
    p.press("#start", "Enter")
    p.wait_for_url("**start=**")
    wanted = sorted((h for h in authors if browse_value(h).startswith(typed_prefix(start))),
                    key=browse_value)
    assert wanted and labels(p) == wanted[:50]
    assert counts(p) == [authors[h] for h in wanted[:50]]
    tour.stop("authors", "Starts with")
    heading = "Taiwan -- Politics and government -- 1988-2000"
    p.goto(site + "/browse/subjects?start=Taiwan")
    p.locator("ol.values li a.value", has_text=heading).click()
    p.wait_for_selector("p.summary")
    assert p.locator("li.hit").count() == expected.clusters_with("subjects")[heading]


def shelf(tour: Tour, site: str, expected) -> None:
    """A shelf from a record's call number, then from one the reader types."""
    p = tour.page
    scheme, typed = SHELF[tour.lang]
    on_shelf = expected.shelf(scheme)
    value, _call = on_shelf[len(on_shelf) // 2]
    cluster = value.rsplit(" ", 1)[1]
    p.goto(f"{site}/record/{cluster}")
    p.locator(f"a.shelf-link[href*='scheme={scheme}']").first.click()
    row = p.locator("li.shelf-row.here")
    row.wait_for()
    assert row.locator("h2 a").get_attribute("href").endswith(cluster)
    keys = [shelf_key(scheme, r.strip())
            for r in p.locator("li.shelf-row .shelf-call").all_inner_texts()]
    assert keys == sorted(keys)
    tour.stop("shelf-from-record", "Shelves")
    p.select_option("#scheme", scheme)
    p.fill("#from", typed)
    p.press("#from", "Enter")
    p.wait_for_url("**from=**")
    rows = [shelf_key(scheme, r.strip())
            for r in p.locator("li.shelf-row .shelf-call").all_inner_texts()]
    wanted = [v.rsplit(" ", 1)[0] for v, _c in on_shelf]
    at = next((i for i, k in enumerate(wanted) if k >= shelf_start(typed, scheme)), len(wanted))
    assert rows == wanted[max(0, at - 6):max(0, at - 6) + 12]


def online(tour: Tour, site: str) -> None:
    """The Online facet, the result lines' badges and a record's access links."""
    p = tour.page
    p.goto(f"{site}/?q=&limit=20")
    facet = p.locator('section.facet[data-facet="online"] a.facet-value')
    assert facet.count() == 1 and facet.locator(".count").inner_text() == str(len(ONLINE))
    facet.click()
    p.wait_for_url("**filter=online%3Ayes**")
    badges = p.locator("li.hit a.online-badge")
    assert p.locator("li.hit").count() == badges.count() == len(ONLINE)
    assert {badges.nth(i).get_attribute("href") for i in range(badges.count())} == \
        {ONLINE_LINKS[rid]["access"][0] for rid in ONLINE}
    assert badges.first.inner_text() == tour.t("Online")
    if tour.width == "phone":
        assert badges.first.bounding_box()["height"] >= 44     # big enough to tap
    tour.stop("online-results")
    p.goto(f"{site}/record/lc:9933522211901551")    # Getty: two 856 40, the work online
    access = p.locator("section.online-access a")
    assert [access.nth(i).get_attribute("href") for i in range(access.count())] == \
        ONLINE_LINKS["lc:9933522211901551"]["access"]
    assert "noopener" in access.first.get_attribute("rel").split()
    if tour.width == "phone":
        assert access.first.bounding_box()["height"] >= 44
    tour.stop("online-access")
    # Kavalier and Clay: its 856 41 and two 42s are about the work, not the work online
    p.goto(f"{site}/record/lc:11939876")
    related = p.locator("section.online-related a")
    assert p.locator("section.online-access").count() == 0
    assert sorted(related.nth(i).get_attribute("href") for i in range(related.count())) == \
        sorted(ONLINE_LINKS["lc:11939876"]["related"])
    tour.stop("online-record")
