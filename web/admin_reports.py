"""The librarian's report pages under ``/admin``: data quality per member library and
harvest health.

The routes join the admin blueprint, so its sign-in, CSRF and headers cover
them. Every page sums the store's tables (:mod:`harvest.quality`, written as
records change; :mod:`discovery.feeds`); none decodes a record.

- ``/admin/quality``: per source, a line per check with its count, linking to
  the records; ``/admin/quality.json`` and ``/admin/quality.csv`` export it.
- ``/admin/quality/<source>/<check>``: the records a check found (``detail``
  narrows it, ``page`` pages it, ``format=csv`` exports it), each linked to its
  staff view.
- ``/admin/health``: each source's last good run, recent runs, failures, bad
  pages kept and warnings.
"""

from __future__ import annotations

import csv
import io

from flask import Response, abort, jsonify, render_template, request

from discovery.feeds import alerts, health
from harvest.quality import REJECTED
from harvest.store import RecordStore
from indexer import quality

from .admin import _csrf_token, _home, bp

PAGE_SIZE = 100
MAX_PAGE = 10_000


def _report(codes=None) -> dict:
    home = _home()
    with RecordStore(home.store_path) as store:
        return quality.report(home, store, codes)


def _codes() -> list[str] | None:
    """``?source=CODE`` narrows an export to one source; an unknown one is a 404."""
    code = request.args.get("source")
    if code is None:
        return None
    if code not in _home().sources:
        abort(404)
    return [code]


def _csv(rows, filename: str) -> Response:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/admin/quality")
def quality_page():
    return render_template("admin_quality.html", report=_report(), csrf=_csrf_token())


@bp.get("/admin/quality.json")
def quality_json():
    return jsonify(_report(_codes()))


@bp.get("/admin/quality.csv")
def quality_csv():
    return _csv(quality.csv_rows(_report(_codes())), "sheaf-quality.csv")


@bp.get("/admin/quality/<code>/<check>")
def quality_records(code: str, check: str):
    home = _home()
    if code not in home.sources or check not in quality.CHECKS:
        abort(404)
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 0
    if not 1 <= page <= MAX_PAGE:
        abort(400, "page must be a whole number from 1 to 10000")
    detail = request.args.get("detail") or None
    as_csv = request.args.get("format") == "csv"
    limit = None if as_csv else PAGE_SIZE
    with RecordStore(home.store_path) as store:
        found = store.quality_records(code, check, detail, limit=limit or -1,
                                      offset=0 if as_csv else (page - 1) * PAGE_SIZE)
    if as_csv:
        header = ("where", "position", "reason") if check == REJECTED else \
            ("record", "detail")
        rows = ([r["where"], r["position"], r["detail"]] if check == REJECTED
                else [f"{code}:{r['local_id']}", r["detail"]] for r in found)
        return _csv([header, *rows], f"sheaf-quality-{code}-{check}.csv")
    return render_template("admin_quality_records.html", code=code, check=check,
                           label=quality.CHECKS[check], source=home.sources[code],
                           detail=detail, records=found, page=page, page_size=PAGE_SIZE,
                           rejected=check == REJECTED, csrf=_csrf_token())


@bp.get("/admin/health")
def health_page():
    home = _home()
    with RecordStore(home.store_path) as store:
        feeds = health(home, store)
    return render_template("admin_health.html", feeds=feeds, alerts=alerts(feeds),
                           csrf=_csrf_token())
