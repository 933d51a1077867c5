"""The admin pages and /status.json, through the real app (Flask's test client)."""

from __future__ import annotations

import base64
import re
import stat
import time

import pytest

from harvest.config import Home
from harvest.errors import ConfigError
from harvest.lock import writer_lock
from web import create_app

from ..support import FIXTURES
from .helpers import TOKEN, build_home, copy_home, set_setting

VN = FIXTURES / "vietnamese_nfd_titles.mrc"
TRADITIONAL = FIXTURES / "chinese_880_traditional.mrc"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("admin") / "home",
                      {"vn": ("Thư viện Quốc gia", VN), "tw": ("Taiwan collection", TRADITIONAL)})


@pytest.fixture
def home(template, tmp_path):
    path = copy_home(template, tmp_path / "home")
    set_setting(path, "admin_token", TOKEN)
    return path


def app_for(home):
    app = create_app({"SHEAF_HOME": str(home), "TESTING": True, "SHEAF_STATUS_TTL": 0})
    return app.test_client()


def signed_in(home):
    client = app_for(home)
    page = client.get("/admin/login")
    token = CSRF.search(page.text).group(1)
    response = client.post("/admin/login", data={"token": TOKEN, "csrf": token})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    return client


def test_without_a_token_setting_there_are_no_admin_pages(template):
    client = app_for(template)  # admin_token = "" (the default)
    for path in ("/admin", "/admin/", "/admin/login", "/admin/jobs/x"):
        assert client.get(path).status_code == 404, path
    assert client.post("/admin/jobs", data={"action": "index", "source": "vn"}).status_code == 404
    assert not (template / "secret_key").exists()


def test_the_admin_page_refuses_requests_without_the_credential(home):
    client = app_for(home)
    page = client.get("/admin/")
    assert page.status_code == 401
    assert "Sign in" in page.text and TOKEN not in page.text
    assert client.get("/admin/", headers={"Authorization": "Bearer not-the-token"}).status_code == 401
    assert client.get("/admin/", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert client.post("/admin/jobs", data={"action": "index", "source": "vn"}).status_code == 401
    # a wrong token at the sign-in form, and a right one without the form's CSRF token
    csrf = CSRF.search(client.get("/admin/login").text).group(1)
    assert client.post("/admin/login", data={"token": "x" * 20, "csrf": csrf}).status_code == 401
    assert client.post("/admin/login", data={"token": TOKEN}).status_code == 403
    assert client.get("/admin/").status_code == 401


def test_the_admin_page_accepts_requests_with_the_credential(home):
    page = app_for(home).get("/admin/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status_code == 200
    assert "Thư viện Quốc gia" in page.text and "Taiwan collection" in page.text
    assert '<svg class="chart"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "<script" not in page.text and "style=" not in page.text

    client = signed_in(home)
    page = client.get("/admin/")
    assert page.status_code == 200 and "Re-index" in page.text
    # the browser is sent no secret: not the token, and not in the session cookie either
    cookie = client.get_cookie("session").value
    payload = cookie.split(".")[0] + "=="
    assert TOKEN not in page.text and TOKEN not in base64.urlsafe_b64decode(payload).decode(
        "latin-1")
    # the session key was made for this home, readable by its owner only
    assert stat.S_IMODE((home / "secret_key").stat().st_mode) == 0o600

    # a form without the session's CSRF token is refused
    assert client.post("/admin/jobs", data={"action": "index", "source": "vn"}).status_code == 403
    assert client.post("/admin/logout", data={}).status_code == 403
    csrf = CSRF.search(page.text).group(1)
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/admin/").status_code == 401


def test_a_changed_token_ends_old_sessions(home):
    client = signed_in(home)
    set_setting(home, "admin_token", TOKEN + "-new")
    client.application.extensions["sheaf.home"] = Home.load(home)
    assert client.get("/admin/").status_code == 401


def test_a_job_runs_in_the_background_and_a_second_click_is_busy(home):
    client = signed_in(home)
    csrf = CSRF.search(client.get("/admin/").text).group(1)
    started = client.post("/admin/jobs", data={"action": "index", "source": "tw", "csrf": csrf})
    assert started.status_code == 303
    job_url = started.headers["Location"]
    assert job_url.startswith("/admin/jobs/")

    again = client.post("/admin/jobs", data={"action": "harvest", "source": "vn", "csrf": csrf})
    assert again.status_code == 409
    assert re.search(r"busy: (re-index tw since|index --source tw since)", again.text)

    deadline = time.monotonic() + 60
    while True:
        page = client.get(job_url)
        state = re.search(r'id="job-state">(\w+)<', page.text).group(1)
        if state not in ("starting", "running"):
            break
        assert '<meta http-equiv="refresh"' in page.text  # the page follows the job
        assert time.monotonic() < deadline, page.text
        time.sleep(0.3)
    assert state == "ok", page.text
    assert "$ sheaf index --source tw" in page.text
    assert re.search(r"index updated \(gen-\w+\): 4 records mapped", page.text)
    assert '<meta http-equiv="refresh"' not in page.text


def test_any_writer_makes_the_buttons_busy(home):
    client = signed_in(home)
    csrf = CSRF.search(client.get("/admin/").text).group(1)
    with writer_lock(Home.load(home), "harvest vn"):
        page = client.get("/admin/")
        assert "Writing now: harvest vn since" in page.text
        refused = client.post("/admin/jobs", data={"action": "index", "source": "vn",
                                                   "csrf": csrf})
    assert refused.status_code == 409
    assert re.search(r"busy: harvest vn since \S+ \S+ UTC \(pid \d+\)", refused.text)
    bad = client.post("/admin/jobs", data={"action": "drop", "source": "vn", "csrf": csrf})
    assert bad.status_code == 400


def test_status_json_for_monitoring(home):
    client = app_for(home)
    response = client.get("/status.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {"status", "time", "records", "deleted", "sources", "index", "search",
                         "writer", "errors", "alerts", "protocols"}
    # the live generation was searched as a reader would (discovery.health)
    assert data["search"]["status"] == "ok" and data["search"]["documents"] == 14
    assert (data["status"], data["records"], data["writer"], data["errors"]) == ("ok", 14, None, [])
    assert data["sources"]["vn"]["records"] == 10
    assert data["sources"]["vn"]["last_harvest"]["kind"] == "import"
    assert data["index"]["state"] == "current" and data["index"]["documents"] == 14
    assert data["index"]["generation"].startswith("gen-")
    assert TOKEN not in response.text and str(home) not in response.text
    with writer_lock(Home.load(home), "index --rebuild"):
        assert client.get("/status.json").get_json()["writer"]["what"] == "index --rebuild"


def test_a_short_admin_token_is_refused(home):
    set_setting(home, "admin_token", "short")
    with pytest.raises(ConfigError, match="admin_token must be at least 16 characters"):
        Home.load(home)


def test_the_admin_page_shows_protocol_traffic(home):
    client = signed_in(home)
    assert "SRU (<code>/sru</code>)" in client.get("/admin/").text
    for query in ("dc.title = river", "dc.title = river", "dc.title = (("):
        assert client.get("/sru", query_string={"operation": "searchRetrieve",
                                                "version": "1.2", "query": query}).status_code == 200
    client.get("/oai", query_string={"verb": "Identify"})
    page = client.get("/admin/").text
    sru_row = re.search(r"SRU \(<code>/sru</code>\).*?</tr>", page, re.S).group(0)
    oai_row = re.search(r"OAI-PMH \(<code>/oai</code>\).*?</tr>", page, re.S).group(0)
    assert "searchRetrieve 3" in sru_row and "10 × 1" in sru_row
    assert "Identify 1" in oai_row and "no errors" in oai_row


@pytest.mark.parametrize("lang, locale", [("en", "en"), ("vi", "vi"), ("zh", "zh_Hans"),
                                          ("zh-Hant", "zh_Hant")])
def test_the_admin_pages_write_dates_as_the_interface_language_does(home, lang, locale):
    """Each source's last run on /admin, and the runs on /admin/health, in the reader's
    locale (Babel's medium date and time, UTC), not as the store's ISO 8601 stamp."""
    from datetime import timezone

    from babel.dates import format_datetime
    from lxml import html

    from web.display import store_time
    client = app_for(home)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    runs = {code: s["last_harvest"] for code, s in client.get("/status.json").get_json()[
        "sources"].items()}
    assert set(runs) == {"vn", "tw"}

    def written(stamp: str) -> str:
        return format_datetime(store_time(stamp), "medium", tzinfo=timezone.utc,
                               locale=locale) + " UTC"

    page = html.fromstring(client.get(f"/admin/?lang={lang}", headers=bearer).text)
    for code, run in runs.items():
        [when] = page.xpath(f'//tr[@id="source-{code}"]//span[@class="when"]')
        stamp = run["finished"] or run["started"]
        assert when.text_content() == written(stamp) != stamp
    health = html.fromstring(client.get(f"/admin/health?lang={lang}", headers=bearer).text)
    shown = {td.text_content() for td in health.xpath('//td[@class="when"]')}
    assert {written(run["started"]) for run in runs.values()} <= shown
