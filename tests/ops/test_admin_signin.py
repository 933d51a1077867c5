"""Admin sign-in under attack (issue 17: 200 wrong tokens in 0.3 s, no back-off, no lockout):
wrong tokens counted per client address across workers, back-off then lockout with a 429
and Retry-After; the session cookie's flags, its expiry, and CSRF on every state-changing
request. Through the real app, and real gunicorn workers for the sharing."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from discovery import jobs
from harvest.config import Home
from web import signin

from ..support import running_server
from .helpers import TOKEN, set_setting
from .test_admin import CSRF, app_for, home, signed_in, template  # noqa: F401 - fixtures

WRONG = "w" * 24


def try_token(client, token, **kw):
    csrf = CSRF.search(client.get("/admin/login", **kw).text).group(1)
    return client.post("/admin/login", data={"token": token, "csrf": csrf}, **kw)


def test_the_wait_doubles_after_three_failures_then_locks_out():
    lockout = 15 * 60
    assert [signin.wait_after(n, lockout) for n in range(1, 12)] == [
        0, 0, 0, 1, 2, 4, 8, 16, 32, lockout, lockout]


def test_wrong_tokens_back_off_and_the_wait_is_a_translated_429(home):
    client = app_for(home)
    statuses = [try_token(client, WRONG).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 401]

    refused = try_token(client, TOKEN, headers={"Accept-Language": "zh"})   # the right one
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "输入错误的管理令牌次数过多。请在 1 秒后重试。" in refused.text
    assert client.get("/admin/").status_code == 401            # and nothing was signed in

    time.sleep(1.05)
    assert try_token(client, WRONG).status_code == 401         # the 5th: now wait 2 s
    again = try_token(client, TOKEN)
    assert again.status_code == 429 and again.headers["Retry-After"] == "2"
    assert "Try again in 2 seconds." in again.text


def test_ten_failures_lock_the_client_out_for_the_lockout_setting(home):
    set_setting(home, "admin_lockout_minutes", 30)
    loaded = Home.load(home)
    now = time.time()
    for n in range(10):   # ten failures spread over the last ten minutes
        signin.failed(loaded, "127.0.0.1", now=now - 600 + 60 * n)

    refused = try_token(app_for(home), TOKEN)
    assert refused.status_code == 429
    assert 30 * 60 - 60 <= int(refused.headers["Retry-After"]) <= 30 * 60 - 50
    # another address is not held back by it, and signs in
    other = app_for(home)
    assert try_token(other, TOKEN, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 303


def test_a_right_token_clears_the_count(home):
    client = app_for(home)
    for _ in range(3):
        assert try_token(client, WRONG).status_code == 401
    assert try_token(client, TOKEN).status_code == 303
    for _ in range(3):   # three free failures again, not a wait after the first
        assert try_token(client, WRONG).status_code == 401


def test_wrong_bearer_tokens_count_too(home):
    client = app_for(home)
    for _ in range(4):
        wrong = client.get("/admin/", headers={"Authorization": f"Bearer {WRONG}"})
        assert wrong.status_code == 401
    right = client.get("/admin/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 429 and right.headers["Retry-After"] == "1"


def test_the_count_is_shared_by_the_workers_of_a_real_server(home, tmp_path):
    with running_server(home, tmp_path, workers=2) as base:
        statuses = []
        for _ in range(5):   # a new connection each time: either worker may answer
            jar = CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            with opener.open(f"{base}/admin/login", timeout=10) as page:
                csrf = CSRF.search(page.read().decode()).group(1)
            body = urllib.parse.urlencode({"token": WRONG, "csrf": csrf}).encode()
            try:
                with opener.open(f"{base}/admin/login", data=body, timeout=10) as response:
                    statuses.append((response.status, None))
            except urllib.error.HTTPError as exc:
                statuses.append((exc.code, exc.headers.get("Retry-After")))
                exc.close()
    assert statuses == [(401, None)] * 4 + [(429, "1")]


def set_cookie(response) -> str:
    [cookie] = [v for k, v in response.headers.items() if k == "Set-Cookie"
                and v.startswith("session=")]
    return cookie


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(home):
    plain = set_cookie(try_token(app_for(home), TOKEN))
    secure = set_cookie(try_token(app_for(home), TOKEN, base_url="https://localhost"))

    for cookie in (plain, secure):
        flags = [f.strip().lower() for f in cookie.split(";")]
        assert "httponly" in flags and "samesite=lax" in flags
        assert any(f.startswith("expires=") for f in flags)   # it ends (admin_session_minutes)
    assert "secure" not in [f.strip().lower() for f in plain.split(";")]
    assert "secure" in [f.strip().lower() for f in secure.split(";")]


def test_a_session_older_than_the_setting_must_sign_in_again(home):
    client = signed_in(home)
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:   # an hour and a minute have passed
        session["since"] = time.time() - 61 * 60
    assert client.get("/admin/").status_code == 401


@pytest.mark.parametrize("method, path, data, status", [
    ("post", "/admin/jobs", {"action": "index", "source": "vn"}, 403),
    ("post", "/admin/logout", {}, 403),
    ("post", "/admin/login", {"token": TOKEN}, 403),
    # the other methods reach no view at all
    ("put", "/admin/jobs", {"action": "index", "source": "vn"}, 405),
    ("delete", "/admin/jobs", {}, 405),
    ("patch", "/admin/", {}, 405),
])
def test_every_state_changing_request_needs_the_csrf_token(home, method, path, data, status):
    client = signed_in(home)
    response = getattr(client, method)(path, data=data)
    assert response.status_code == status
    assert client.get("/admin/").status_code == 200            # still signed in
    assert jobs.recent(Home.load(home)) == []                  # and no job was started
