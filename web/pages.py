"""The reader's pages: search and results, advanced search, the language switch."""

from __future__ import annotations

from flask import (Blueprint, abort, make_response, redirect, render_template, request,
                   url_for)

from werkzeug.exceptions import HTTPException

from discovery.errors import IndexUnavailable, QueryError
from discovery.results import SearchRequest

from . import i18n
from .common import (FIELDS, MAX_ROWS, OPERATORS, backend, error_text, home, search_form,
                     unavailable_kind)
from .libraries import home_listing
from .security import same_site_path

bp = Blueprint("pages", __name__)

SEARCH_ARGS = ("filter", "page", "limit", "year_from", "year_to", "sort", "prefer")


def _is_search(args) -> bool:
    return bool(args.get("q", "").strip() or any(t.strip() for t in args.getlist("row_text"))
                or any(args.get(name, "").strip() for name in SEARCH_ARGS))


def render_error(status: int, message: str, template: str = "error.html", **context):
    return render_template(template, error=message, status=status, **context), status


@bp.get("/")
def search():
    lang = i18n.choose()
    if not _is_search(request.args):
        return render_template("search.html", form=None, result=None, error=None,
                               **home_listing(lang))
    try:
        form = search_form(lang=lang)
        result = backend().search(form.request)
    except QueryError as exc:
        return render_error(400, error_text(exc), "search.html", form=None, result=None,
                            typed=request.args.get("q", "")[:1000])
    except IndexUnavailable as exc:
        return render_error(503, error_text(exc), "search.html", form=None, result=None,
                            typed=request.args.get("q", "")[:1000])
    max_page = max(1, int(home().settings["max_results_depth"]) // form.request.limit)
    return render_template("search.html", form=form, result=result, error=None,
                           max_page=max_page)


@bp.get("/advanced")
def advanced():
    """The advanced search form; it sends its rows and limits to the search page."""
    lang = i18n.choose()
    try:
        form = search_form(lang=lang)
        known = backend().search(SearchRequest(query="", limit=1, facets=("language", "format"),
                                               facet_limit=300, lang=lang))
    except QueryError as exc:
        return render_error(400, error_text(exc))
    except IndexUnavailable as exc:
        return render_error(503, error_text(exc))
    shown = ("language", "format", "library", "year")
    chosen = {(f.facet, f.value) for f in form.request.filters if not f.exclude}
    kept = [f"{f.facet}:{f.to_param()}" for f in form.request.filters
            if f.facet not in shown or f.exclude]
    years = form.request.year_ranges()
    return render_template("advanced.html", form=form, fields=FIELDS, operators=OPERATORS,
                           rows=advanced_form_rows(form), kept_filters=kept,
                           max_rows=MAX_ROWS,
                           languages=known.facets.get("language", []),
                           formats=known.facets.get("format", []),
                           libraries=list(home().sources.values()), chosen=chosen,
                           year_from=years[0][0] if years else None,
                           year_to=years[0][1] if years else None)


ROW_FIELDS = ("all", "title", "author", "subject")   # the empty rows' fields, as a hint
SHOWN_ROWS = 4                                       # rows the form has without JavaScript


def advanced_form_rows(form) -> list[tuple[str, str, str]]:
    """The rows the advanced form shows: those of the search it came from (the box's words
    first, as a row of their own), then empty ones up to :data:`SHOWN_ROWS`."""
    rows = list(form.rows)
    q, field = form.box if form.rows else (form.typed, form.field)
    if q.strip():
        rows.insert(0, ("AND", field, q))
    rows = rows[:MAX_ROWS]
    for i in range(len(rows), SHOWN_ROWS):
        rows.append(("AND", ROW_FIELDS[i], ""))
    return rows


def _local(target: str | None) -> str:
    """A same-site path to go back to (never another site: no open redirect)."""
    return same_site_path(target) or url_for("pages.search")


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code not in i18n.LANGUAGES:
        abort(404)
    response = make_response(redirect(_local(request.args.get("next")), code=303))
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_AGE, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response


@bp.app_errorhandler(HTTPException)
def http_error(exc):
    """Errors outside a view's own handling (unknown URL, wrong method, abort):
    API paths answer in the API's error shape, everything else with a page."""
    from .api import error_response, is_api_path
    code = exc.code or 500
    if is_api_path():
        if code == 404:
            return error_response(404, "not_found", "no such API endpoint")
        response = error_response(code, exc.name.lower().replace(" ", "_"),
                                  "the API answers GET requests" if code == 405
                                  else exc.description or exc.name)
        if code == 405:
            response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    response = make_response(render_template("error.html", status=code,
                                             error=exc.description if code == 503 else None))
    response.status_code = code
    for name, value in exc.get_headers():  # Allow, WWW-Authenticate, Retry-After ...
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


@bp.app_errorhandler(QueryError)
def bad_request(exc):
    """A malformed parameter that a view did not handle itself: a 400, never a 500."""
    from .api import error_response, is_api_path
    if is_api_path():
        return error_response(400, "bad_request", error_text(exc))
    return render_error(400, error_text(exc))


@bp.app_errorhandler(IndexUnavailable)
def unavailable(exc):
    from .api import error_response, is_api_path
    if is_api_path():
        return error_response(503, unavailable_kind(exc), error_text(exc))
    return render_error(503, error_text(exc))
