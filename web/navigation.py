"""Moving through a result list: a record's place in the list it was opened from, and the
numbered pages and page sizes of the list itself.

No server session holds the reader's search. A result's link carries the search's own URL
arguments and the hit's position in the list (``pos``, 1 for the first hit of page 1), so a
record page knows its list from its URL alone: the link can be bookmarked, opened in several
tabs, or shared, and each tab walks its own list. The record's neighbours come from one
search of at most a few hits around that position (:func:`neighbour_window`), through the
search service like any other search, so every engine answers it the same way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request, url_for

from discovery.errors import IndexUnavailable, out_of_range
from discovery.results import Hit

from . import i18n
from .common import SearchForm, backend, home, int_arg, search_form
from .display import search_url

POSITION = "pos"              # the hit's place in its list, counted from 1
PAGE_SIZES = (10, 20, 50)     # what the per-page choice offers (capped by max_page_size)
PAGE_WINDOW = 2               # numbered links either side of the current page


def record_url(form: SearchForm, hit_id: str, position: int) -> str:
    """The record page of a hit, carrying its list (the search's arguments, page left out,
    since the position says it) and its position in it."""
    args = form.args(page=None)
    args.add(POSITION, str(position))
    return f"{url_for('records.record', record_id=hit_id)}?{urlencode(list(args.items(True)))}"


def neighbour_window(position: int, max_limit: int, max_depth: int) -> tuple[int, int] | None:
    """(page, limit) of the smallest page holding the hits before, at and after
    ``position`` (the first hit has no hit before it, the last one of ``max_depth`` none
    after): one search fetches all three, whatever page boundaries the reader's list has.
    None when no page of at most ``max_limit`` hits within ``max_depth`` holds them."""
    first = max(0, position - 2)                 # 0-based indexes of the hits wanted
    last = min(position, max_depth - 1)
    for limit in range(last - first + 1, max_limit + 1):
        page = first // limit
        if last // limit == page and (page + 1) * limit <= max_depth:
            return page + 1, limit
    return None


@dataclass(frozen=True)
class RecordNav:
    """A record's place in the list it was opened from: the list's form (the header's
    search box shows its query), the position, the list's total and the neighbours."""
    form: SearchForm
    position: int
    total: int
    back_url: str
    previous: Hit | None = None
    previous_url: str | None = None
    next: Hit | None = None
    next_url: str | None = None


def record_nav(cluster_id: str, deadline=None) -> RecordNav | None:
    """The navigation of a record page opened from a result list (its URL has ``pos``),
    None for a record reached directly; ``deadline``: the page's (its neighbours are
    searched within what the record left of it). A malformed search in the URL is a QueryError (a
    400, as on the search page); a list that no longer has this record at its position
    (the index changed since), or whose search failed, keeps only its way back."""
    if POSITION not in request.args:
        return None
    position = int_arg(request.args, POSITION, 1)
    settings = home().settings
    max_depth = int(settings["max_results_depth"])
    if not 1 <= position <= max_depth:
        raise out_of_range(POSITION, 1, max_depth)
    form = search_form(lang=i18n.choose(), facets=())
    form.request.validate(int(settings["max_page_size"]), max_depth)
    list_page = (position - 1) // form.request.limit + 1
    back = search_url(form.args(page=list_page if list_page > 1 else None))
    window = neighbour_window(position, int(settings["max_page_size"]), max_depth)
    if window is None:
        return RecordNav(form, position, 0, back)
    page, limit = window
    try:
        found = backend().search(dataclasses.replace(form.request, page=page, limit=limit),
                                 deadline)
    except IndexUnavailable:    # past the search deadline, say: the record is still shown
        return RecordNav(form, position, 0, back)
    start = (page - 1) * limit + 1                 # the position of found.hits[0]
    at = {start + i: hit for i, hit in enumerate(found.hits)}
    here = at.get(position)
    if here is None or here.id != cluster_id:
        return RecordNav(form, position, found.total, back)
    before, after = at.get(position - 1), at.get(position + 1)
    return RecordNav(form, position, found.total, back,
                     before, record_url(form, before.id, position - 1) if before else None,
                     after, record_url(form, after.id, position + 1) if after else None)


def page_links(page: int, pages: int, width: int = PAGE_WINDOW) -> list[int | None]:
    """The numbered page links of a list: the first, the pages within ``width`` of the
    current, the last, with None where pages are left out (shown as an ellipsis)."""
    shown = sorted({1, pages, *range(max(1, page - width), min(pages, page + width) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - out[-1] > 1:
            out.append(None if number - out[-1] > 2 else number - 1)
        out.append(number)
    return out


def page_sizes(current: int) -> list[int]:
    """The per-page choices, none above ``max_page_size``; the current size among them
    (a size typed into the URL stays selected)."""
    cap = int(home().settings["max_page_size"])
    return sorted({size for size in PAGE_SIZES if size <= cap} | {current})


def init_app(app) -> None:
    app.jinja_env.globals.update(record_url=record_url, page_links=page_links,
                                 page_sizes=page_sizes)
