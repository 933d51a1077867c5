"""The member libraries as readers meet them: the home page's list (each library with the
titles it holds and a way to its new arrivals) and ``/library/<code>``, the union catalog
seen from one member, so that a district library can link its readers to "our books in the
provincial catalog".

A library's titles are the library facet's count (the clusters holding one of its
records), counted by one search of every library at once, the same number a search
filtered to it finds and ``/api/libraries`` gives. Names and catalogue links come from the
sources of ``sheaf.toml`` (:class:`harvest.config.Source`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from discovery.errors import IndexUnavailable
from discovery.results import SearchRequest

from . import i18n
from .common import backend, home, search_form
from .display import safe_url

bp = Blueprint("libraries", __name__)

ARRIVALS = 10           # the newest titles a library's page shows
HOME_ARRIVALS = 5       # the newest titles of the whole catalog on the home page


@dataclass(frozen=True)
class Library:
    code: str
    name: str
    titles: int | None             # clusters holding a record of this library
    catalog_url: str | None        # the source's record link template, as configured
    catalog_home: str | None       # the front page of its own catalogue (the template's site)


def catalog_home(template: str | None) -> str | None:
    """The library's own catalogue, for readers to go to: the site of its record link
    template (``https://opac.example.edu/record/{local_id}`` -> ``https://opac.example.edu/``),
    since a source names no separate front page."""
    parts = urlsplit(template or "")
    return safe_url(f"{parts.scheme}://{parts.netloc}/") if parts.netloc else None


def member_libraries(lang: str) -> list[Library]:
    """Every member library in ``sheaf.toml``'s order, with its titles (one search)."""
    counted = backend().search(SearchRequest(query="", limit=1, facets=("library",),
                                             facet_limit=1000, lang=lang)).facets["library"]
    held = {v.value: v.count for v in counted}
    return [Library(code, source.name, held.get(code, 0), source.catalog_url or None,
                    catalog_home(source.catalog_url))
            for code, source in home().sources.items()]


def arrivals_args(code: str | None = None) -> MultiDict:
    """The search of the newest titles (of one library): what "new arrivals" links to."""
    args = MultiDict({"sort": "new"})
    if code:
        args.add("filter", f"library:{code}")
    return args


def newest(code: str | None, limit: int, lang: str):
    """The search form and result of the newest titles (of one library), for lists whose
    record links carry their place in that search (web/navigation.py)."""
    args = arrivals_args(code)
    args["limit"] = str(limit)
    form = search_form(args, lang=lang, facets=())
    return form, backend().search(form.request)


def home_listing(lang: str) -> dict:
    """What the home page shows of the libraries: each with its titles, and the newest
    titles of all; before there is an index to count in, the libraries alone."""
    try:
        form, arrivals = newest(None, HOME_ARRIVALS, lang)
        return {"libraries": member_libraries(lang), "arrivals": arrivals,
                "arrivals_form": form}
    except IndexUnavailable:
        return {"libraries": [Library(code, source.name, None, source.catalog_url or None,
                                      catalog_home(source.catalog_url))
                              for code, source in home().sources.items()]}


def scope_of(request: SearchRequest) -> dict | None:
    """The one library a search is about, as its results page names it: the library it is
    limited to (a single library filter, not excluded; ``only``), or else the library whose
    records it puts first (``prefer``, :mod:`discovery.preferred`; ``first``); None for a
    search of several libraries or all, in the order of relevance alone."""
    chosen = [f.value for f in request.filters if f.facet == "library" and not f.exclude]
    mode, code = ("only", chosen[0]) if len(chosen) == 1 else ("first", request.prefer)
    source = home().sources.get(code) if code else None
    if source is None or (mode == "first" and chosen):
        return None
    return {"code": source.code, "name": source.name, "mode": mode,
            "catalog_home": catalog_home(source.catalog_url)}


def library_name(code: str) -> str:
    """A member library's name for its code (the code itself for one not in the home), for
    a filter shown where the facet gives no label (a search that found nothing)."""
    source = home().sources.get(code)
    return source.name if source is not None and source.name else code


def init_app(app) -> None:
    app.jinja_env.globals.update(arrivals_args=arrivals_args, library_scope=scope_of)
    app.jinja_env.filters.update(library_name=library_name)


@bp.get("/library/<code>")
def library(code: str):
    """One member's view of the union catalog: its name, how many titles it holds, a search
    of its records only or of all libraries with its records first (``?scope=first`` has
    the page's form start with the latter), its newest titles, and its own catalogue."""
    if code not in home().sources:
        abort(404)
    lang = i18n.choose()
    here = next(lib for lib in member_libraries(lang) if lib.code == code)
    form, arrivals = newest(code, ARRIVALS, lang)
    return render_template("library.html", library=here, form=form, arrivals=arrivals,
                           all_url=url_for("pages.search", filter=f"library:{code}"),
                           ours_first=request.args.get("scope") == "first")
