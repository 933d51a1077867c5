"""The JSON API. Errors have one shape, built in :func:`error_response`."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from discovery.errors import IndexUnavailable, QueryError

from .common import search_from_args

bp = Blueprint("api", __name__, url_prefix="/api")


def error_response(status: int, kind: str, message: str):
    response = jsonify(error={"status": status, "type": kind, "message": message})
    response.status_code = status
    return response


@bp.errorhandler(QueryError)
def bad_query(exc):
    return error_response(400, "bad_request", str(exc))


@bp.errorhandler(IndexUnavailable)
def no_index(exc):
    return error_response(503, "index_unavailable", str(exc))


@bp.app_errorhandler(404)
def not_found(exc):
    # Flask routes an unknown URL to no blueprint, so this is registered app-wide
    # and answers in the API's shape only for API paths
    if request.path.startswith(bp.url_prefix + "/"):
        return error_response(404, "not_found", "no such API endpoint")
    return exc


@bp.get("/search")
def search():
    return jsonify(search_from_args().to_dict())
