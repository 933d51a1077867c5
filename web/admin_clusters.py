"""The merge report under ``/admin``: why records are one cluster, near misses, and the
librarians' splits and joins.

The pages render :mod:`indexer.cluster_report` (the data ``sheaf clusters``
prints). A split, join or undo is not done by the web worker: the form starts
the ``sheaf clusters`` command as a background job (:mod:`discovery.jobs`),
which holds the writer lock, records the decision in the store and updates
the index; the browser is sent to the job's page.

- ``/admin/clusters`` (``?source=CODE`` narrows it, ``page`` pages it, 100 clusters
  a page) and ``/admin/clusters.json`` (all of it);
- ``/admin/clusters/<id>``: one cluster by its id or a member's record id;
- POST ``/admin/clusters/split`` (``record``, ``reason``), ``/admin/clusters/join``
  (``record``, ``other``, ``reason``), ``/admin/clusters/undo`` (``id``).
"""

from __future__ import annotations

from flask import (abort, jsonify, make_response, redirect, render_template, request,
                   url_for)

from discovery import jobs
from harvest.errors import ConfigError
from harvest.lock import Busy
from harvest.store import RecordStore
from indexer.cluster_report import ClusterNotFound, live_clusters, report, show
from indexer.errors import IndexerError

from .admin import _csrf_token, _home, bp

MAX_REASON = 500
PAGE_SIZE = 100           # clusters on a page of the report
MAX_PAGE = 100_000


def _refuse(message: str, status: int = 400):
    """End the request with an admin page saying what was wrong with the form."""
    abort(make_response(render_template("admin_message.html", message=message, status=status,
                                        csrf=_csrf_token()), status))


def _report():
    home = _home()
    code = request.args.get("source") or None
    if code is not None and code not in home.sources:
        abort(404)
    with RecordStore(home.store_path) as store:
        try:
            return report(home, store, code)
        except IndexerError as exc:      # no index yet: nothing to report on
            _refuse(str(exc), 503)


@bp.get("/admin/clusters")
def clusters_page():
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 0
    if not 1 <= page <= MAX_PAGE:
        _refuse("page must be a whole number from 1 to 100000")
    data = _report()
    shown = data["entries"][(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    return render_template("admin_clusters.html", report=data, entries=shown, page=page,
                           more=len(data["entries"]) > page * PAGE_SIZE, csrf=_csrf_token(),
                           sources=_home().sources)


@bp.get("/admin/clusters.json")
def clusters_json():
    return jsonify(_report())


@bp.get("/admin/clusters/<path:ident>")
def cluster_page(ident: str):
    home = _home()
    with RecordStore(home.store_path) as store:
        try:
            entry = show(home, store, ident)
        except ClusterNotFound:
            abort(404)
        except IndexerError as exc:
            _refuse(str(exc), 503)
    return render_template("admin_cluster.html", entry=entry, csrf=_csrf_token())


def _form_record(name: str) -> str:
    """A record id from the form, which must be in the live index (else a 400)."""
    rid = request.form.get(name, "").strip()
    if not rid:
        _refuse(f"{name}: a record id is needed")
    try:
        with live_clusters(_home()) as clusters:
            found = clusters.cluster_of(rid)
    except IndexerError as exc:
        _refuse(str(exc), 503)
    if found is None:
        _refuse(f"{name}: no record {rid!r} in the index")
    return rid


def _reason() -> list[str]:
    reason = " ".join(request.form.get("reason", "").split())
    if len(reason) > MAX_REASON:
        _refuse(f"reason: at most {MAX_REASON} characters")
    return [f"--reason={reason}"] if reason else []


def _start(action: str, args: list[str]):
    try:
        job = jobs.start(_home(), action, args=args)
    except Busy as exc:
        _refuse(str(exc), 409)
    except ConfigError as exc:
        _refuse(str(exc))
    return redirect(url_for("admin.job", job_id=job.id), 303)


@bp.post("/admin/clusters/split")
def cluster_split():
    return _start("split", [_form_record("record"), *_reason()])


@bp.post("/admin/clusters/join")
def cluster_join():
    first, other = _form_record("record"), _form_record("other")
    if first == other:
        _refuse("other: a different record is needed")
    return _start("join", [first, other, *_reason()])


@bp.post("/admin/clusters/undo")
def cluster_undo():
    given = request.form.get("id", "")
    if not given.isdigit():
        _refuse("id: the number of a decision is needed")
    with RecordStore(_home().store_path) as store:
        found = store.override(int(given))
    if found is None or not found.active:
        _refuse(f"id: no active decision #{given}")
    return _start("undo", [given])
