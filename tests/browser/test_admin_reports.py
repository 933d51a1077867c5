"""A librarian in a real browser: signs in to the admin pages, reads the data-quality report,
follows a line to its records and a record to its MARC, exports the CSV, and finds the
truncated re-import the deletion guard stopped on the harvest health page."""

from __future__ import annotations

import csv

import pytest

from ..ops.helpers import TOKEN, build_home, set_setting, sheaf
from ..support import FIXTURES, iso2709_records, running_server

pytestmark = pytest.mark.browser

PROBLEMS = FIXTURES / "lc_quality_problems.mrc"
LC50 = FIXTURES / "multilingual_lc_50.mrc"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("admin-reports")
    home = build_home(root / "home", {"lc": ("Library of Congress (sample)", PROBLEMS),
                                      "multi": ("Multilingual library", LC50)})
    set_setting(home, "admin_token", TOKEN)
    # built in this process, so nothing checked the records yet: the next index run does
    assert sheaf(home, "index").returncode == 0
    truncated = root / "multi-truncated.mrc"
    truncated.write_bytes(b"".join(iso2709_records(LC50)[:10]))
    refused = sheaf(home, "import", "--source", "multi", "--replace", "--yes", str(truncated))
    assert refused.returncode == 3, refused.stderr
    with running_server(home, root) as base:
        yield base


def open_report(page, base: str, link: str, path: str):
    """Sign in as a librarian does, then follow the link at the top of the admin page."""
    p = page.page
    p.goto(base + "/admin/login")
    p.fill("input[name=token]", TOKEN)
    p.press("input[name=token]", "Enter")
    p.wait_for_url(base + "/admin/")
    p.click(f"nav.reports >> text={link}")
    p.wait_for_url(base + path)
    return p


def test_the_quality_report_leads_from_a_count_to_the_records(page, admin_server):
    p = open_report(page, admin_server, "Data quality", "/admin/quality")
    line = p.locator("#quality-lc tr[data-check=invalid_isbn]")
    # three LC records with a wrong ISBN check digit (tests/fixtures/PROVENANCE.md)
    assert line.locator("td.count").inner_text() == "3"
    assert p.locator("#quality-lc tr[data-check=unlinked_880] td.count").inner_text() == "2"
    page.shot("admin-quality")

    line.locator("a").first.click()
    p.wait_for_url("**/admin/quality/lc/invalid_isbn")
    records = p.locator("a.record").all_inner_texts()
    assert sorted(records) == ["lc:00290534", "lc:00291068", "lc:00291642"]
    p.click("a.record >> text=lc:00290534")
    p.wait_for_url("**/staff/lc:00290534")
    assert "5900931038" in p.locator("main").inner_text()   # the 020 $a as the library sent it

    p.go_back()
    with p.expect_download() as download:
        p.click("text=CSV of all of them")
    rows = list(csv.reader(open(download.value.path(), encoding="utf-8")))
    assert rows[0] == ["record", "detail"]
    assert sorted(r[1] for r in rows[1:]) == ["5709004725", "5808002934", "5900931038"]


def test_the_health_page_shows_the_refused_truncated_reimport(page, admin_server):
    p = open_report(page, admin_server, "Harvest health", "/admin/health")
    refused = p.locator(".alerts li[data-event=refused]")
    assert refused.count() == 1
    assert "import --replace would delete 40 of the 50 records of multi" in refused.inner_text()
    assert p.locator("#feed-multi td.state-refused").inner_text() == "refused"
    shrunk = p.locator("#feed-multi p[data-event=shrunk]").inner_text()
    assert shrunk == "shrunk: the latest replace read 10 records of the 50 in the store"
    page.shot("admin-health")
