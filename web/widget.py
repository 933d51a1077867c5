"""Partner embedding: the ``embed.js`` widget, its iframe mode and OpenSearch.

A partner pastes two lines::

    <div data-sheaf-search></div>
    <script src="https://catalog.example.org/embed.js" data-sheaf-library="hust nlv" async></script>

and gets a search box and results in a shadow root (isolated from the
page's CSS), in the page's language, scoped as the ``data-sheaf-*``
attributes say. ``data-sheaf-mode="iframe"`` puts ``/embed`` in an iframe
instead; ``/embed`` is a small server-rendered page any site may frame.
"""

from __future__ import annotations

from flask import (Blueprint, Response, current_app, jsonify, render_template, request,
                   send_from_directory, url_for)

from discovery.errors import IndexUnavailable, QueryError

from . import i18n
from .common import backend, error_text, search_form, text_arg
from .security import allow_framing

bp = Blueprint("widget", __name__)


@bp.get("/embed.js")
def embed_js():
    response = send_from_directory(current_app.static_folder, "embed.js",
                                   mimetype="text/javascript", max_age=3600)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/embed")
def frame():
    """The iframe mode: a search box and results, in ``lang``, scoped by ``filter``s."""
    allow_framing()
    lang = i18n.choose()
    scope = [f for f in request.args.getlist("filter")[:20]]
    form = result = error = None
    status = 200
    try:
        form = search_form(lang=lang, facets=())
        if form.typed.strip():
            result = backend().search(form.request)
    except QueryError as exc:
        error, status = error_text(exc), 400
    except IndexUnavailable as exc:
        error, status = error_text(exc), 503
    return render_template("frame.html", form=form, result=result, error=error,
                           scope=scope), status


@bp.get("/opensearch.xml")
def opensearch():
    body = render_template("opensearch.xml", base=url_for("pages.search", _external=True))
    response = Response(body, content_type="application/opensearchdescription+xml; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/opensearch/suggest")
def opensearch_suggest():
    """Search-box suggestions in the OpenSearch suggestions format: [query, [completions]]."""
    try:
        typed = text_arg(request.args, "q")
    except QueryError:
        typed = ""
    found = backend().suggest(typed, limit=8) if typed.strip() else []
    response = jsonify([typed, [s["text"] for s in found]])
    response.content_type = "application/x-suggestions+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
