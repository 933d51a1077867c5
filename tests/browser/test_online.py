"""Online copies in a real browser, at desktop and phone widths: the Online facet narrows
the results to the records with access links, each result line's badge opens its first
one, and the record page's Online access section lists them apart from related links,
nothing wider than the screen and the links big enough to tap."""

from __future__ import annotations

import pytest

from ..online_support import EXPECTED, FIXTURE, ONLINE, make_home
from ..support import running_server
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def online_site(tmp_path_factory, engine, request):
    home = make_home(tmp_path_factory.mktemp("online-browser"), engine, request, [FIXTURE])
    with running_server(home.path, tmp_path_factory.mktemp("online-browser-server")) as base:
        yield base


def fits(p) -> bool:
    return p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_online_facet_badges_and_record_page(page, online_site):
    p = page.page
    for viewport in (DESKTOP, PHONE):
        p.set_viewport_size(viewport)
        p.goto(f"{online_site}/?q=&limit=20")   # (the limit makes it a search)
        facet = p.locator('section.facet[data-facet="online"] a.facet-value')
        assert facet.count() == 1
        assert facet.locator(".count").inner_text() == str(len(ONLINE))
        if viewport is PHONE:
            p.locator("a.to-facets").click()
        facet.click()
        p.wait_for_url("**filter=online%3Ayes**")
        badges = p.locator("li.hit a.online-badge")
        assert p.locator("li.hit").count() == badges.count() == len(ONLINE)
        hrefs = {badges.nth(i).get_attribute("href") for i in range(badges.count())}
        assert hrefs == {EXPECTED[rid]["access"][0] for rid in ONLINE}
        assert fits(p)
        if viewport is PHONE:
            assert badges.first.bounding_box()["height"] >= 44
        page.shot(f"online-results-{viewport['width']}")

        p.goto(f"{online_site}/record/lc:9933522211901551")   # Getty: two 856 40
        access = p.locator("section.online-access a")
        assert [access.nth(i).get_attribute("href") for i in range(access.count())] == \
            EXPECTED["lc:9933522211901551"]["access"]
        assert "noopener" in access.first.get_attribute("rel").split()
        assert access.first.is_visible() and fits(p)
        if viewport is PHONE:
            assert access.first.bounding_box()["height"] >= 44

        # Kavalier and Clay: its 41 and two 42s are about the work, not the work online
        p.goto(f"{online_site}/record/lc:11939876")
        related = p.locator("section.online-related a")
        assert p.locator("section.online-access").count() == 0
        assert sorted(related.nth(i).get_attribute("href") for i in range(related.count())) \
            == sorted(EXPECTED["lc:11939876"]["related"])
        assert related.first.is_visible() and fits(p)
