"""The JSON API for partner sites and scripts; documented at ``/api/openapi.json``.

Errors have one shape, built in :func:`error_response`:
``{"error": {"status", "type", "message"}}`` with a 4xx status for a bad
parameter (5xx only when the index is missing or something broke).
Every GET answer allows any origin (CORS), carries an ETag (a repeated
request with ``If-None-Match`` gets a 304) and a Cache-Control; there is no
JSONP: a ``callback`` argument is ignored and answers stay JSON.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from discovery.budget import SearchTimeout
from discovery.errors import IndexUnavailable, QueryError, out_of_range, unknown_choice
from discovery.results import UI_LANGUAGES
from discovery.service import SUGGEST_KINDS

from . import openapi
from .common import (backend, choice_arg, error_text, home, int_arg, records, search_from_args,
                     text_arg, unavailable_kind)
from .libraries import member_libraries
from .records import cluster_dict

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_AGE = {"api.search": 60, "api.record": 300, "api.suggest": 300, "api.libraries": 300,
           "api.openapi_document": 3600}


def is_api_path() -> bool:
    return request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")


def error_response(status: int, kind: str, message: str):
    response = jsonify(error={"status": status, "type": kind, "message": message})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(QueryError)
def bad_query(exc):
    return error_response(400, "bad_request", error_text(exc))


@bp.errorhandler(SearchTimeout)
def too_slow(exc):
    return error_response(503, "search_timeout", error_text(exc))


@bp.errorhandler(IndexUnavailable)
def no_index(exc):
    return error_response(503, unavailable_kind(exc), error_text(exc))


@bp.errorhandler(Exception)
def unexpected(exc):
    if isinstance(exc, HTTPException):
        return error_response(exc.code or 500, exc.name.lower().replace(" ", "_"),
                              exc.description or exc.name)
    from flask import current_app
    current_app.logger.exception("API error on %s", request.full_path)
    return error_response(500, "internal_error", "something went wrong on our side")


@bp.after_request
def headers(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
        return response
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if response.status_code == 200 and request.method in ("GET", "HEAD"):
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE.get(request.endpoint, 60)}"
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.get("/search")
def search():
    return jsonify(search_from_args().to_dict())


@bp.get("/record/<path:record_id>")
def record(record_id: str):
    marc = choice_arg(request.args, "marc", ("none", "xml"), "none")
    view = records().cluster(record_id[:500])
    if view is None:
        return error_response(404, "not_found", f"no record {record_id[:100]!r}")
    return jsonify(cluster_dict(view, with_marcxml=marc == "xml"))


@bp.get("/suggest")
def suggest():
    typed = text_arg(request.args, "q")
    # as the document's pattern says: kind names, comma separated, nothing else
    kinds = tuple(request.args.get("kinds", ",".join(SUGGEST_KINDS)).split(","))
    for kind in kinds:
        if kind not in SUGGEST_KINDS:
            raise unknown_choice("kind", kind, SUGGEST_KINDS)
    limit = int_arg(request.args, "limit", 10)
    if not 1 <= limit <= 50:
        raise out_of_range("limit", 1, 50)
    found = backend().suggest(typed, tuple(dict.fromkeys(kinds)), limit) if typed.strip() else []
    return jsonify(query=typed, suggestions=[{"text": s["text"], "kind": s["kind"]} for s in found])


@bp.get("/libraries")
def libraries():
    lang = choice_arg(request.args, "lang", UI_LANGUAGES, "en")
    out = [{"code": lib.code, "name": lib.name, "titles": lib.titles,
            "search_url": url_for("pages.search", filter=f"library:{lib.code}",
                                  _external=True),
            "catalog_url": lib.catalog_url}
           for lib in member_libraries(lang)]
    return jsonify(libraries=out)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(url_for("api.search", _external=True).rsplit("/", 1)[0],
                                    home().settings, sorted(home().sources)))
