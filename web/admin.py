"""The librarian's admin pages (``/admin``) and the monitoring endpoint (``/status.json``).

``/status.json`` is public and read-only: counts, index generation and
state, last harvest per source, errors (:func:`discovery.monitor.overview`).

``/admin`` exists only when the ``admin_token`` setting is set; otherwise
every ``/admin`` URL is a 404. A browser signs in with the token once (a
form, CSRF-protected) and then carries a signed session cookie that holds a
fingerprint of the token, never the token; scripts may send
``Authorization: Bearer <token>`` instead. Every form carries a CSRF token
tied to the session, and every state-changing request must send it. Wrong
tokens are counted per client address across workers (:mod:`web.signin`):
back-off, then a lockout, answered 429 with ``Retry-After``. The session
cookie is ``HttpOnly``, ``SameSite=Lax``, ``Secure`` on HTTPS requests, and
a sign-in lasts ``admin_session_minutes``. The session key comes from the configuration's home:
``HOME/secret_key``, made (mode 0600) on first use; nothing here has a
default secret.

The pages show every source with its counts, its last harvest or import and
its problems, a chart of record counts over time, and buttons that start a
harvest or a re-index of one source as a background job
(:mod:`discovery.jobs`); a job's page follows its progress.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from datetime import timedelta

from flask import (Blueprint, abort, current_app, has_request_context, jsonify, redirect,
                   render_template, request, session, url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext

from discovery import jobs, monitor
from discovery.errors import EngineUnavailable
from harvest import lock
from harvest.config import Home
from harvest.errors import ConfigError
from harvest.lock import Busy
from harvest.store import RecordStore

from . import security, signin, traffic

bp = Blueprint("admin", __name__)

SECRET_FILE = "secret_key"
STATUS_TTL = 2.0          # seconds /status.json answers from its cache
CHART_DAYS = 90
_status_cache: dict[str, tuple[float, dict]] = {}


def _home() -> Home:
    return current_app.extensions["sheaf.home"]


def _backend():
    return current_app.extensions["sheaf.search"]


def _token() -> str:
    return str(_home().settings.get("admin_token") or "")


def secret_key(home: Home) -> str:
    """The key that signs admin sessions: ``HOME/secret_key``, created 0600 on first use."""
    path = home.path / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()


@bp.record_once
def _configure(state) -> None:
    app = state.app
    home = app.extensions["sheaf.home"]
    if home.settings.get("admin_token") and not app.secret_key:
        app.secret_key = secret_key(home)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.permanent_session_lifetime = timedelta(minutes=_session_minutes(home))
    app.session_interface = _SessionInterface()


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(super().get_cookie_secure(app)
                    or (has_request_context() and request.is_secure))


def _session_minutes(home: Home) -> int:
    return int(home.settings["admin_session_minutes"])


# -- monitoring ---------------------------------------------------------------------

@bp.get("/status.json")
def status_json():
    home = _home()
    ttl = float(current_app.config.get("SHEAF_STATUS_TTL", STATUS_TTL))
    key = str(home.path)
    cached = _status_cache.get(key)
    if cached is None or time.monotonic() - cached[0] >= ttl:
        with RecordStore(home.store_path) as store:
            try:
                data = monitor.public(monitor.overview(home, store, _backend()))
            except EngineUnavailable as exc:   # the index's state needs the engine
                data = _engine_unreachable(home, store, exc)
        cached = _status_cache[key] = (time.monotonic(), data)
    # (not cached: counted by every worker, read from one small file)
    response = jsonify({**cached[1], "protocols": traffic.totals(home)})
    response.headers["Cache-Control"] = "no-store"
    return response


def _engine_unreachable(home: Home, store: RecordStore, exc: Exception) -> dict:
    """``/status.json`` when the search engine does not answer: the store's counts, the
    index "unreachable" and the probe's failure, with the status ``error``."""
    from discovery.engines import engine_name, index_dir
    from discovery.health import probe
    from indexer.errors import IndexerError

    counts = store.counts()
    sources = {code: {"name": s.name, "kind": s.kind,
                      "records": counts.get(code, {}).get("records", 0),
                      "deleted": counts.get(code, {}).get("deleted", 0)}
               for code, s in home.sources.items()}
    try:
        gen = index_dir(home).current()
    except IndexerError:
        gen = None
    message = monitor.mask(f"the search engine ({engine_name(home)}) is unreachable: {exc}")
    holder = lock.holder(home)
    return {
        "status": "error",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "records": sum(s["records"] for s in sources.values()),
        "deleted": sum(s["deleted"] for s in sources.values()),
        "sources": sources,
        "index": {"state": "unreachable", "message": message,
                  "generation": gen.name if gen else None, "store_seq": store.max_seq()},
        "search": probe(_backend()).to_dict(),
        "writer": {"what": holder.what, "since": holder.since} if holder else None,
        "errors": [{"source": None, "kind": "index", "when": None, "status": "unreachable",
                    "errors": 1, "messages": [message]}],
    }


# -- access -------------------------------------------------------------------------

def _fingerprint(token: str) -> str:
    return hmac.new(current_app.secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def _bearer_ok() -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              _token().encode())


def _session_ok() -> bool:
    mark = session.get("admin")
    since = session.get("since")
    if not isinstance(since, (int, float)) or \
            time.time() - since > _session_minutes(_home()) * 60:
        return False   # older than admin_session_minutes (the cookie's own expiry aside)
    return isinstance(mark, str) and hmac.compare_digest(mark, _fingerprint(_token()))


def _client() -> str:
    return request.remote_addr or "unknown"


def _too_many(wait: int):
    """A client that must wait before it tries another admin token: a 429."""
    response = current_app.make_response(_login_page(gettext(
        "Too many wrong admin tokens from your address. Try again in %(seconds)d seconds.",
        seconds=wait), 429))
    response.headers["Retry-After"] = str(wait)
    return response


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    given = request.form.get("csrf", "")
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@bp.before_request
def _guard():
    if not request.path.startswith("/admin"):
        return None
    if not _token():
        abort(404)  # no admin token configured: no admin pages at all
    if request.endpoint == "admin.login":
        return None
    if request.headers.get("Authorization"):
        wait = signin.retry_after(_home(), _client())
        if wait:
            return _too_many(wait)
        if _bearer_ok():
            return None
        signin.failed(_home(), _client())
    if not _session_ok():
        return _login_page("Sign in to the admin pages.", 401)
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _csrf_ok():
        abort(403)   # every state-changing request carries the session's CSRF token
    return None


@bp.after_request
def _headers(response):
    if request.path.startswith("/admin"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        # the site's policy (no inline script or style, no plugins), never framed
        response.headers.setdefault("Content-Security-Policy",
                                    security.CSP.format(ancestors="'none'"))
    return response


def _login_page(message: str, status: int):
    return render_template("admin_login.html", message=message, csrf=_csrf_token()), status


@bp.route("/admin/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return _login_page("Sign in to the admin pages.", 200)
    wait = signin.retry_after(_home(), _client())
    if wait:
        return _too_many(wait)   # the token is not even compared while the client waits
    if not _csrf_ok():
        return _login_page("The form had expired; please sign in again.", 403)
    given = request.form.get("token", "")
    if not hmac.compare_digest(given.encode(), _token().encode()):
        signin.failed(_home(), _client())
        return _login_page("That is not the admin token.", 401)
    signin.succeeded(_home(), _client())
    session.clear()
    session.permanent = True
    session["admin"] = _fingerprint(_token())
    session["since"] = time.time()
    session["csrf"] = secrets.token_urlsafe(32)
    return redirect(url_for("admin.dashboard"), 303)


@bp.post("/admin/logout")
def logout():
    session.clear()
    return redirect(url_for("admin.login"), 303)


# -- pages ----------------------------------------------------------------------------

@bp.get("/admin")
@bp.get("/admin/")
def dashboard():
    return _dashboard()


def _dashboard(message: str | None = None, status: int = 200):
    home = _home()
    with RecordStore(home.store_path) as store:
        data = monitor.overview(home, store, _backend())
        history = store.counts_history(CHART_DAYS)
    recent = jobs.recent(home, limit=5)
    latest = recent[0] if recent else None
    return render_template(
        "admin.html", data=data, chart=chart(history), jobs=recent,
        protocols=traffic.totals(home),
        tail=jobs.log_tail(home, latest.id) if latest else [],
        busy=jobs.busy(home), message=message, csrf=_csrf_token(),
        refresh=any(j.active for j in recent)), status


@bp.post("/admin/jobs")
def start_job():
    action = request.form.get("action", "")
    source = request.form.get("source", "")
    try:
        job = jobs.start(_home(), action, source)
    except Busy as exc:
        return _dashboard(str(exc), 409)
    except ConfigError as exc:
        return _dashboard(str(exc), 400)
    return redirect(url_for("admin.job", job_id=job.id), 303)


@bp.get("/admin/jobs/<job_id>")
def job(job_id: str):
    home = _home()
    found = jobs.get(home, job_id)
    if found is None:
        abort(404)
    return render_template("admin_job.html", job=found, tail=jobs.log_tail(home, job_id, 40),
                           csrf=_csrf_token())


# -- the chart ----------------------------------------------------------------------

def chart(history: list[tuple[str, str, int]], width: int = 640, height: int = 160,
          pad: int = 8) -> dict | None:
    """Record counts over time as SVG polylines: the total and one line per source."""
    days = sorted({day for day, _s, _n in history})
    if not days:
        return None
    by_source: dict[str, dict[str, int]] = {}
    for day, source, n in history:
        by_source.setdefault(source, {})[day] = n
    totals = {day: sum(v.get(day, 0) for v in by_source.values()) for day in days}
    top = max(max(totals.values()), 1)
    step = (width - 2 * pad) / max(len(days) - 1, 1)

    def points(values: dict[str, int]) -> str:
        return " ".join(f"{pad + i * step:.1f},{height - pad - (values[d] / top) * (height - 2 * pad):.1f}"
                        for i, d in enumerate(days) if d in values)

    series = [{"name": "all", "css": "total", "points": points(totals), "last": totals[days[-1]]}]
    for n, source in enumerate(sorted(by_source)):
        series.append({"name": source, "css": f"s{n % 8}", "points": points(by_source[source]),
                       "last": by_source[source].get(days[-1], 0)})
    return {"width": width, "height": height, "first": days[0], "last": days[-1], "top": top,
            "series": series, "single": len(days) == 1}
