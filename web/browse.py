"""The reader's browse pages: a facet's values in full, author and subject lists, shelves.

``/browse/facet/<facet>``  every value of a facet over a search (the search's own
                           arguments), ``order`` count or az, ``contains``, ``page``
``/browse/authors``, ``/browse/subjects``
                           the union's headings A-Z, ``start`` (what they start
                           with, any script), ``page``
``/browse/shelf``          a shelf in ``scheme`` (clc, lcc, ddc) around ``record``
                           or a typed call number (``from``); ``before`` / ``after``
                           page along it

The pages are rendered from :mod:`discovery.browse`'s objects; a malformed
argument is a 400 saying which (the app's QueryError handler), an unknown
record a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext

from discovery import browse
from indexer.fields import SHELVES

from . import i18n
from .common import backend, choice_arg, int_arg, search_form, text_arg

bp = Blueprint("browse", __name__, url_prefix="/browse")

KINDS = {"authors": "author", "subjects": "subject"}   # the URL's word -> the list
FACET_PAGE = 50
HEADINGS_PAGE = 50
SHELF_PAGE = 12


@bp.get("/facet/<facet>")
def facet(facet: str):
    lang = i18n.choose()
    form = search_form(lang=lang, facets=())
    order = choice_arg(request.args, "order", browse.ORDERS, "count")
    listed = browse.facet_values(backend(), form.request, facet, order,
                                 int_arg(request.args, "page", 1),
                                 int_arg(request.args, "limit", FACET_PAGE),
                                 text_arg(request.args, "contains"))
    return render_template("browse_facet.html", form=form, listed=listed)


@bp.get("/<any(authors, subjects):kind>")
def headings(kind: str):
    i18n.choose()
    listed = browse.headings(backend(), KINDS[kind], text_arg(request.args, "start"),
                             int_arg(request.args, "page", 1),
                             int_arg(request.args, "limit", HEADINGS_PAGE))
    return render_template("browse_headings.html", kind=kind, listed=listed)


@bp.get("/shelf")
def shelf():
    i18n.choose()
    args = request.args
    record = text_arg(args, "record").strip() or None
    scheme = args.get("scheme", "").strip()
    if not scheme and record:
        scheme = _scheme_of(record)
    # no scheme (a typed call number alone) is LC's shelf, not an unknown scheme ''
    scheme = choice_arg({"scheme": scheme} if scheme else {}, "scheme",
                        tuple(s.scheme for s in SHELVES), "lcc")
    try:
        page = browse.shelf(backend(), scheme, record=record, typed=text_arg(args, "from"),
                            before=text_arg(args, "before") or None,
                            after=text_arg(args, "after") or None,
                            limit=int_arg(args, "limit", SHELF_PAGE))
    except LookupError:
        abort(404)
    return render_template("browse_shelf.html", page=page,
                           scheme_names={s.scheme: gettext(s.label) for s in SHELVES})


def _scheme_of(record: str) -> str:
    """The first shelf a record stands on (CLC, then LCC, then DDC), else LCC."""
    cluster = backend().cluster(record[:300])
    shelves = cluster.display.get("shelves", {}) if cluster else {}
    return next((s.scheme for s in SHELVES if s.scheme in shelves), "lcc")
