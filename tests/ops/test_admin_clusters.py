"""The merge report's admin pages over HTTP from a real ``sheaf serve``: the report, one
cluster, their JSON, bad input, and a split, join and undo that run as background jobs
and show in search afterwards."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from ..support import FIXTURES, running_server
from .helpers import TOKEN, build_home, copy_home, set_setting
from .test_admin import CSRF, signed_in

LIBRARIES = ("alpha", "beta", "gamma", "delta")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = build_home(tmp_path_factory.mktemp("admin-clusters") / "home", {
        code: (f"Library {code}", FIXTURES / f"clusters_{code}.mrc") for code in LIBRARIES})
    set_setting(path, "admin_token", TOKEN)
    return path


@pytest.fixture(scope="module")
def site(template, tmp_path_factory):
    root = tmp_path_factory.mktemp("admin-clusters-site")
    home = copy_home(template, root / "home")
    with running_server(home, root) as base:
        yield base, home


def call(base: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
    """(status, body, Location) of a GET, or a POST of ``form``, with the admin token."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(base + path, data=data,
                                     headers={"Authorization": f"Bearer {TOKEN}"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers.get("Location")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers.get("Location")


def finished(base: str, job_url: str) -> str:
    """The job page once the job has ended (it runs ``sheaf clusters ...``)."""
    deadline = time.monotonic() + 120
    while True:
        _status, page, _loc = call(base, job_url)
        state = re.search(r'id="job-state">(\w+)<', page).group(1)
        if state not in ("starting", "running"):
            assert state == "ok", page
            return page
        assert time.monotonic() < deadline, page
        time.sleep(0.5)


def hits(base: str, query: str) -> dict[str, list[str]]:
    status, body, _loc = call(base, "/api/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200
    return {h["id"]: sorted({x["record_id"] for x in h["holdings"]})
            for h in json.loads(body)["results"]}


def test_the_report_page_and_its_json_say_why_records_merged(site):
    base, _home = site
    status, page, _ = call(base, "/admin/clusters")
    assert status == 200
    section = re.search(r'<section class="cluster" id="cluster-alpha:00291762".*?</section>',
                        page, re.S).group(0)
    assert 'data-evidence="LCCN"' in section and 'data-guard="year"' in section
    status, body, _ = call(base, "/admin/clusters.json")
    data = json.loads(body)
    entry = next(e for e in data["entries"] if e["id"] == "alpha:00291762")
    assert {link["evidence"] for link in entry["links"]} == {"LCCN", "title"}
    assert str(data["merged"]) in re.search(r'id="merged">(\d+)<', page).group(0)
    status, page, _ = call(base, "/admin/clusters?source=gamma")
    assert status == 200 and "cluster-alpha:00291762" not in page
    assert call(base, "/admin/clusters?source=nosuch")[0] == 404
    assert 'rel="next"' not in page          # 11 clusters: one page of 100
    for bad in ("0", "x", "100001"):
        status, body, _ = call(base, f"/admin/clusters?page={bad}")
        assert status == 400 and "page must be a whole number" in body
    status, page, _ = call(base, "/admin/clusters?page=2")
    assert status == 200 and 'class="cluster"' not in page and 'rel="prev"' in page


def test_one_cluster_page_offers_a_split_per_member(site):
    base, _home = site
    status, page, _ = call(base, "/admin/clusters/beta:bt0000098")
    assert status == 200 and "<h1>Cluster alpha:00291762</h1>" in page
    assert len(re.findall(r'<form method="post" action="/admin/clusters/split"', page)) == 3
    assert call(base, "/admin/clusters/nosuch:1")[0] == 404


def test_bad_decisions_are_400s_with_a_message(site):
    base, _home = site
    for path, form, message in (
            ("/admin/clusters/split", {"record": "nosuch:1"}, "no record"),
            ("/admin/clusters/split", {}, "a record id is needed"),
            ("/admin/clusters/join", {"record": "alpha:00288806", "other": "alpha:00288806"},
             "a different record"),
            ("/admin/clusters/undo", {"id": "x"}, "the number of a decision"),
            ("/admin/clusters/undo", {"id": "99"}, "no active decision #99"),
            ("/admin/clusters/split", {"record": "alpha:00291762", "reason": "x" * 501},
             "at most 500")):
        status, body, _ = call(base, path, form)
        assert status == 400, (path, form, status)
        assert message in body, (path, body[:500])


def test_a_form_without_the_csrf_token_is_refused(template, tmp_path):
    client = signed_in(copy_home(template, tmp_path / "home"))
    assert client.post("/admin/clusters/split",
                       data={"record": "delta:d0000176"}).status_code == 403
    csrf = CSRF.search(client.get("/admin/clusters").text).group(1)
    assert client.post("/admin/clusters/split",
                       data={"record": "nosuch:1", "csrf": csrf}).status_code == 400


def test_split_join_and_undo_run_as_jobs_and_show_in_search(site):
    base, _home = site
    status, _body, job = call(base, "/admin/clusters/split",
                              {"record": "delta:d0000176", "reason": "a reprint"})
    assert status == 303 and job.startswith("/admin/jobs/")
    page = finished(base, job)
    assert "$ sheaf clusters split delta:d0000176 --reason=a reprint" in page
    assert hits(base, "shiba ryotaro")["delta:d0000176"] == ["delta:d0000176"]

    status, _body, job = call(base, "/admin/clusters/join",
                              {"record": "alpha:00288806", "other": "delta:d0000138"})
    assert status == 303
    finished(base, job)
    assert hits(base, "sampurna") == {"alpha:00288806": ["alpha:00288806", "delta:d0000138"]}

    _status, page, _ = call(base, "/admin/clusters")
    rows = re.findall(r'<tr data-decision="(\d+)" data-kind="(\w+)">', page)
    assert sorted(set(rows)) == [("1", "split"), ("2", "join")]
    status, _body, job = call(base, "/admin/clusters/undo", {"id": "1"})
    assert status == 303
    finished(base, job)
    assert "delta:d0000176" not in hits(base, "shiba ryotaro")
    _status, body, _ = call(base, "/admin/clusters.json")
    assert [(d["id"], d["active"]) for d in json.loads(body)["decisions"]] == [(1, False),
                                                                              (2, True)]


def test_no_argument_of_the_merge_report_pages_is_a_500(template):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from web import create_app

    client = create_app({"SHEAF_HOME": str(template), "TESTING": True}).test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    values = st.one_of(st.text(max_size=40), st.integers(-10**12, 10**12).map(str),
                       st.sampled_from(["", "alpha", "alpha:00291762", "%", "_", "\\", "\x00",
                                        "x" * 1200, "--reason=x", "-1", "1"]))
    forms = st.dictionaries(st.sampled_from(["record", "other", "reason", "id"]), values,
                            max_size=4)

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(ident=st.text(min_size=1, max_size=30), source=values, page=values, form=forms,
           action=st.sampled_from(["split", "join", "undo"]))
    def run(ident, source, page, form, action):
        from urllib.parse import quote
        for response in (
                client.get(f"/admin/clusters/{quote(ident, safe='')}", headers=headers),
                client.get("/admin/clusters", query_string={"source": source, "page": page},
                           headers=headers)):
            assert response.status_code in (200, 400, 404), response.status_code
        if form.get("record") != "alpha:00291762":    # a valid form would start a real job
            posted = client.post(f"/admin/clusters/{action}", data=form, headers=headers)
            assert posted.status_code in (400, 409), (action, form, posted.status_code)

    run()
