"""A librarian in a real browser reads the merge report, opens a cluster, splits a record
off it through the form and finds it apart in search once the job has run."""

from __future__ import annotations

import pytest

from ..ops.helpers import TOKEN, build_home, set_setting
from ..support import FIXTURES, running_server
from .test_admin_reports import open_report

pytestmark = pytest.mark.browser

LIBRARIES = ("alpha", "beta", "gamma", "delta")


@pytest.fixture(scope="module")
def clusters_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("admin-clusters-browser")
    home = build_home(root / "home", {
        code: (f"Library {code}", FIXTURES / f"clusters_{code}.mrc") for code in LIBRARIES})
    set_setting(home, "admin_token", TOKEN)
    with running_server(home, root) as base:
        yield base


def test_the_merge_report_explains_and_a_split_through_the_page_applies(page, clusters_server):
    base = clusters_server
    p = open_report(page, base, "Merge report", "/admin/clusters")
    # LC 00291762 held by alpha, beta (Japanese script) and delta (no LCCN)
    cluster = p.locator("section.cluster[id='cluster-alpha:00291762']")
    assert cluster.get_attribute("data-members") == "3"
    assert cluster.locator("li[data-evidence=LCCN]").count() == 1
    assert "different years" in cluster.locator("li[data-guard=year] .why").inner_text()
    page.shot("admin-merge-report")

    cluster.locator("h2 a").click()
    p.wait_for_url("**/admin/clusters/alpha:00291762")
    row = p.locator("tr[data-record='delta:d0000176']")
    row.locator("input[name=reason]").fill("a different printing")
    row.locator("button", has_text="Split off").click()
    p.wait_for_url("**/admin/jobs/*")
    p.wait_for_selector("#job-state.state-ok", timeout=90_000)   # the page refreshes itself
    assert "$ sheaf clusters split delta:d0000176" in p.locator("pre.log").inner_text()

    p.goto(base + "/admin/clusters/delta:d0000176")
    assert p.locator("section.cluster").get_attribute("data-members") == "1"
    assert "a different printing" in p.locator("tr[data-kind=split]").inner_text()
    page.shot("admin-cluster-split")
    p.goto(base + "/?q=shiba+ryotaro")
    links = p.locator("h3.title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    records = [link.split("?")[0] for link in links]    # a hit's link carries its list
    assert "/record/delta:d0000176" in records and "/record/alpha:00291762" in records


def test_a_join_through_the_report_page_makes_one_work_of_two(page, clusters_server):
    # LC 00288806 in alpha and delta: no year in 008, so clustering cannot see they are one
    base = clusters_server
    p = open_report(page, base, "Merge report", "/admin/clusters")
    p.goto(base + "/?q=sampurna")
    before = p.locator("h3.title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(before) == 2
    p.goto(base + "/admin/clusters")
    join = p.locator("section.join form")
    join.locator("input[name=record]").fill("alpha:00288806")
    join.locator("input[name=other]").fill("delta:d0000138")
    join.locator("input[name=reason]").fill("the same microfiche")
    join.locator("button", has_text="Join").click()
    p.wait_for_url("**/admin/jobs/*")
    p.wait_for_selector("#job-state.state-ok", timeout=90_000)
    log = p.locator("pre.log").inner_text()
    assert "$ sheaf clusters join alpha:00288806 delta:d0000138" in log

    p.goto(base + "/admin/clusters/delta:d0000138")
    assert p.locator("section.cluster").get_attribute("data-members") == "2"
    assert "the same microfiche" in p.locator("tr[data-kind=join]").inner_text()
    page.shot("admin-cluster-join")
    p.goto(base + "/?q=sampurna")
    hits = p.locator("li.hit")
    assert hits.count() == 1
    # one work, held by both libraries
    held = hits.first.locator(".holding").evaluate_all(
        "els => els.map(e => e.dataset.source)")
    assert sorted(held) == ["alpha", "delta"]
