"""The librarian's reports through the CLI as a user runs it, and over HTTP from a real
``sheaf serve``: data quality per member library, harvest health, the deletion guard that
stops a truncated re-import, and the ALERT lines and ``/status.json`` alerts it leaves.

The LC records of ``lc_quality_problems.mrc`` were chosen for their problems, listed in
tests/fixtures/PROVENANCE.md; the expected counts below are that list.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request

import pytest

from harvest.store import RecordStore

from ..support import FIXTURES, iso2709_records, running_server
from .helpers import TOKEN, make_home, ok, set_setting, sheaf

PROBLEMS = FIXTURES / "lc_quality_problems.mrc"
LC50 = FIXTURES / "multilingual_lc_50.mrc"
# check -> LC control numbers, as PROVENANCE.md describes the fixture
EXPECTED = {
    "no_date": {"00287500"},
    "no_language": {"00289995", "00289997"},
    "book_without_isbn": {"00287978"},
    "invalid_isbn": {"00290534", "00291068", "00291642"},
    "date_conflict": {"00287970", "00287978", "00290534"},
    "unlinked_880": {"00293005", "00294203"},
    "no_classification": {"00291068"},
    "bad_classification": {"00287375", "00287453", "00289997"},
}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Two member libraries harvested with the CLI, not indexed (the reports need no index)."""
    path = make_home(tmp_path_factory.mktemp("quality") / "home",
                     {"lc": ("Library of Congress (sample)", PROBLEMS),
                      "multi": ("Multilingual library", LC50)}, index=False)
    set_setting(path, "admin_token", TOKEN)
    return path


def get(base: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_report_quality_counts_each_problem_and_the_pages_list_the_records(home, tmp_path):
    data = json.loads(ok(sheaf(home, "report", "quality", "lc", "--json")))
    lc = data["sources"]["lc"]
    counts = {line["check"]: line["records"] for line in lc["checks"]}
    assert {k: v for k, v in counts.items() if k != "ignored_field"} == \
        {check: len(ids) for check, ids in EXPECTED.items()}
    # every LC record carries an 040 (cataloging source), which the mapping does not read
    ignored = next(line for line in lc["checks"] if line["check"] == "ignored_field")
    assert {"detail": "040", "records": 15} in ignored["details"]
    assert lc["records"] == 15 and not data["behind"]

    text = ok(sheaf(home, "report", "quality", "lc"))
    assert "      3  ISBNs with a wrong check digit or length (020 $a) [invalid_isbn]" in text
    assert "      2  880 fields without a partner field [unlinked_880]" in text
    rows = list(csv.reader(io.StringIO(ok(sheaf(home, "report", "quality", "--csv")))))
    assert rows[0] == ["source", "check", "meaning", "detail", "records"]
    assert ["lc", "invalid_isbn", "ISBNs with a wrong check digit or length (020 $a)", "",
            "3"] in rows
    assert {r[0] for r in rows[1:]} == {"lc", "multi"}

    with running_server(home, tmp_path) as base:
        # each line of the page links to the records it counts, and each lists exactly them
        status, page = get(base, "/admin/quality")
        assert status == 200
        for check, ids in EXPECTED.items():
            assert f'href="/admin/quality/lc/{check}"' in page.decode()
            status, listed = get(base, f"/admin/quality/lc/{check}?format=csv")
            assert status == 200
            assert {row[0] for row in csv.reader(io.StringIO(listed.decode()))
                    if row[0] != "record"} == {f"lc:{i}" for i in ids}
        status, body = get(base, "/admin/quality/lc/invalid_isbn?detail=5900931038")
        assert status == 200 and body.decode().count('class="record"') == 1
        status, body = get(base, "/admin/quality.json?source=lc")
        assert status == 200 and json.loads(body)["sources"]["lc"]["checks"] == lc["checks"]
        # bad input is a clear 4xx, never a 500
        assert get(base, "/admin/quality/lc/no_such_check")[0] == 404
        assert get(base, "/admin/quality/nosuch/no_date")[0] == 404
        assert get(base, "/admin/quality/lc/no_date?page=zero")[0] == 400
        assert get(base, "/admin/quality.csv?source=nosuch")[0] == 404
        # behind the admin token like every admin page
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/admin/quality.csv", timeout=10)
        assert refused.value.code == 401


def test_findings_follow_the_records_and_the_trend_shows_the_change(home):
    # the member sends its catalog again without its two records with broken 880 links
    # (2 of 15, within the deletion guard): only those two records are checked again
    fixed = home.parent / "lc-fixed.mrc"
    fixed.write_bytes(b"".join(iso2709_records(PROBLEMS)[:13]))
    ok(sheaf(home, "import", "--source", "lc", "--replace", "--yes", str(fixed)))
    log = (home / "logs" / "sheaf.log").read_text(encoding="utf-8").splitlines()
    assert [line.split(" INFO ")[1] for line in log[-2:]] == [
        "quality: 2 records checked (lc)",
        "lc: read 13, new 0, changed 0, unchanged 13, deleted 2, skipped 0"]

    data = json.loads(ok(sheaf(home, "report", "quality", "lc", "--json")))["sources"]["lc"]
    counts = {line["check"]: line["records"] for line in data["checks"]}
    assert "unlinked_880" not in counts and counts["invalid_isbn"] == 3
    first, last = data["trend"][0], data["trend"][-1]
    # records with a problem: the union of EXPECTED, then without the two 880 records
    with_problems = set().union(*EXPECTED.values())
    assert (first["live"], first["problem_records"]) == (15, len(with_problems))
    assert (last["live"], last["problem_records"]) == (13, len(with_problems) - 2)
    assert first["checks"]["unlinked_880"] == 2 and "unlinked_880" not in last["checks"]


def test_the_deletion_guard_stops_a_truncated_reimport(home, tmp_path):
    truncated = tmp_path / "multi-truncated.mrc"
    truncated.write_bytes(b"".join(iso2709_records(LC50)[:20]))   # the export lost 30 of 50

    proc = sheaf(home, "import", "--source", "multi", "--replace", "--yes", str(truncated))

    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    reason = ("import --replace would delete 30 of the 50 records of multi (60%;"
              " delete_guard_share allows 25%): nothing deleted. If the member really withdrew"
              " them, run it again with --allow-deletions")
    assert proc.stderr.splitlines() == [f"sheaf: ALERT multi refused: {reason}"]
    assert (home / "logs" / "sheaf.log").read_text(encoding="utf-8").splitlines()[-1] \
        .endswith(f" ERROR ALERT multi refused: {reason}")
    with RecordStore(home / "store.sqlite") as store:
        assert store.counts()["multi"] == {"records": 50, "deleted": 0}

    status = json.loads(sheaf(home, "status", "--json").stdout)
    refusal = next(a for a in status["alerts"] if a["event"] == "refused")
    assert (refusal["source"], refusal["message"]) == ("multi", reason)
    assert {"source": "multi", "event": "shrunk", "when": None,
            "message": "the latest replace read 20 records of the 50 in the store"} \
        in status["alerts"]
    text = ok(sheaf(home, "status"))
    assert f"refused: replace {refusal['when']}: {reason}" in text
    assert "WARNING shrunk: the latest replace read 20 records" in text

    with running_server(home, tmp_path) as base:
        status_code, body = get(base, "/status.json")
        public = json.loads(body)
        assert status_code == 200 and public["status"] == "error"
        assert [a for a in public["alerts"] if a["source"] == "multi"] == \
            [a for a in status["alerts"] if a["source"] == "multi"]
        status_code, page = get(base, "/admin/health")
        assert status_code == 200 and reason in page.decode()

    # the librarian checked: the member really withdrew them
    allowed = sheaf(home, "import", "--source", "multi", "--replace", "--yes",
                    "--allow-deletions", str(truncated))
    assert ok(allowed).splitlines()[-1] == \
        "multi: read 20, new 0, changed 0, unchanged 20, deleted 30, skipped 0"
    with RecordStore(home / "store.sqlite") as store:
        assert store.counts()["multi"] == {"records": 20, "deleted": 30}
    assert not [a for a in json.loads(sheaf(home, "status", "--json").stdout)["alerts"]
                if a["event"] == "refused"]
    bad = sheaf(home, "import", "--source", "multi", "--allow-deletions", str(truncated))
    assert bad.returncode == 1 and bad.stderr.startswith("sheaf: error: --allow-deletions")
