"""The reader's HTML pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from discovery.errors import IndexUnavailable, QueryError

from .common import search_from_args

bp = Blueprint("pages", __name__)


@bp.get("/")
def search():
    query = request.args.get("q", "")
    if not query.strip() and "page" not in request.args:
        return render_template("search.html", query="", result=None, error=None)
    try:
        result = search_from_args()
    except QueryError as exc:
        return render_template("search.html", query=query, result=None, error=str(exc)), 400
    except IndexUnavailable as exc:
        return render_template("search.html", query=query, result=None, error=str(exc)), 503
    return render_template("search.html", query=query, result=result, error=None)
