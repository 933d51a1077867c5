"""Browsing: a facet's values in full, the author and subject lists, and the shelves.

Each page is one plain object built here from what the engine answers
(:meth:`discovery.engine.SearchEngine.values_page`, ``values_between``,
``shelf``) and rendered by the site and the API alike. Every request is held
to the search budget: a page holds at most ``max_page_size`` entries, reaches
at most ``max_results_depth`` entries deep, and its query is checked as a
search's is (:mod:`discovery.budget`). Anything malformed is a
:class:`BrowseError`, a 400.

* **Facet values** (:func:`facet_values`): the values of one facet over a search,
  most frequent first or A-Z. A-Z reads a facet's alphabetical field where it
  has one (authors, subjects: pinyin order for Han, Vietnamese order for
  Vietnamese) and otherwise sorts the few values by their labels in the same
  orders. Searching the values (``contains``) reads at most ``max_results_depth``
  of them, most frequent first, and keeps those whose value or label contains it.
* **Headings** (:func:`headings`): every author or subject heading of the union,
  A-Z with its clusters, each with its form in the other script; a typed start
  (in any script) narrows the list to the headings that start with it.
* **Shelves** (:func:`shelf`): the clusters next to a record, or to a typed call
  number, in one scheme's call-number order, with every holding's call number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from indexer.callnumbers import shelf_key, shelf_start, shelf_value
from indexer.collation import name_key
from indexer.fields import (ALPHABETICAL_FIELDS, BROWSE_FIELDS, FACET_FIELDS, FORM_FIELDS_OF,
                            SHELF_FIELDS)
from indexer.headings import forms_range, read_value, typed_prefix

from .budget import check_tree
from .errors import N_, QueryError, out_of_range, unknown_choice
from .labels import facet_label
from .query import MatchAll
from .results import Hit, SearchRequest

ORDERS = ("count", "az")
LISTED_FACETS = tuple(FACET_FIELDS)          # every facet but the year histogram
SHELF_LIMIT = 50


class BrowseError(QueryError):
    """A browse request that cannot be answered as asked (a 400, saying why)."""


@dataclass(frozen=True)
class Entry:
    value: str               # what a filter (or a heading search) says
    label: str               # what the reader sees
    count: int
    others: tuple[str, ...] = ()   # the heading's forms in another script
    selected: bool = False

    def to_dict(self) -> dict:
        out = {"value": self.value, "label": self.label, "count": self.count}
        if self.others:
            out["others"] = list(self.others)
        if self.selected:
            out["selected"] = True
        return out


@dataclass
class ValuesList:
    """One page of a facet's values or of a heading list."""
    name: str                # the facet, or "author" / "subject"
    order: str
    page: int
    limit: int
    typed: str               # the search box (facets: contains; headings: starts with)
    total: int               # values there are (with what was typed)
    entries: list[Entry] = field(default_factory=list)
    at_least: bool = False   # a search of the values read only the most frequent ones
    depth: int = 10_000      # the deepest entry a page may reach (max_results_depth)

    @property
    def pages(self) -> int:
        """The pages there are, down to the deepest a page may reach."""
        return max(1, min(-(-self.total // self.limit), self.depth // self.limit))

    def to_dict(self) -> dict:
        return {"name": self.name, "order": self.order, "page": self.page,
                "limit": self.limit, "typed": self.typed, "total": self.total,
                "at_least": self.at_least, "pages": self.pages,
                "entries": [e.to_dict() for e in self.entries]}


def _settings(service) -> tuple[int, int]:
    settings = service.home.settings
    return int(settings["max_page_size"]), int(settings["max_results_depth"])


def _check_page(service, page: int, limit: int) -> int:
    """The offset of a page, once its size and depth are within the budget."""
    max_limit, max_depth = _settings(service)
    if page < 1:
        raise BrowseError(N_("page must be 1 or more"))
    if not 1 <= limit <= max_limit:
        raise out_of_range("limit", 1, max_limit, BrowseError)
    if page * limit > max_depth:
        raise BrowseError(N_("page %(page)s is too deep: lists go down to entry %(depth)s;"
                             " type the start of what you are looking for instead"),
                          page=page, depth=max_depth)
    return (page - 1) * limit


def _typed(text: str, service) -> str:
    text = " ".join((text or "").split())
    if len(text) > service.limits.chars:
        raise BrowseError(N_("the text is too long: at most %(limit)s characters"),
                          limit=service.limits.chars)
    return text


def facet_values(service, request: SearchRequest, facet: str, order: str = "count",
                 page: int = 1, limit: int = 50, contains: str = "") -> ValuesList:
    """The values of ``facet`` over the search ``request`` (its filters applied, the
    facet's own left out, as the search page counts them), one page of them."""
    if facet not in LISTED_FACETS:
        raise unknown_choice("facet", facet, LISTED_FACETS, BrowseError)
    if order not in ORDERS:
        raise unknown_choice("order", order, ORDERS, BrowseError)
    offset = _check_page(service, page, limit)
    contains = _typed(contains, service)
    _max_limit, max_depth = _settings(service)
    tree = service.parse(request.query)
    check_tree(tree, service.limits)
    if not isinstance(tree, MatchAll):
        # the query held to the whole search budget first (the words its prefixes stand
        # for, the deadline): one search of one hit and no facets, which costs little
        service.search_tree(SearchRequest(query=request.query, filters=request.filters,
                                          limit=1, facets=(), lang=request.lang), tree)
    selected = {f.value for f in request.filters if f.facet == facet and not f.exclude}

    def entry(value: str, count: int, label: str | None = None) -> Entry:
        return Entry(value, label or facet_label(service.home, facet, value, request.lang),
                     count, selected=value in selected)

    alphabetical = ALPHABETICAL_FIELDS.get(facet)
    if not contains and (order == "count" or alphabetical):
        field_name = FACET_FIELDS[facet] if order == "count" else alphabetical
        found = service.values_page(request, tree, field_name,
                                    "count" if order == "count" else "index",
                                    offset, limit, own_facet=facet)
        entries = _in_both_scripts(service, facet, [entry(_plain(value, field_name), count)
                                                    for value, count in found.values])
        return ValuesList(facet, order, page, limit, contains, found.total, entries,
                          depth=max_depth)
    # a search of the values, or A-Z by label: the most frequent values, sorted here
    found = service.values_page(request, tree, FACET_FIELDS[facet], "count", 0, max_depth,
                                own_facet=facet)
    entries = _in_both_scripts(service, facet, [entry(value, count)
                                                for value, count in found.values])
    if contains:
        needle = contains.casefold()
        entries = [e for e in entries
                   if needle in e.value.casefold() or needle in e.label.casefold()
                   or any(needle in o.casefold() for o in e.others)]
    if order == "az":
        entries.sort(key=lambda e: (name_key(e.label), e.value))
    return ValuesList(facet, order, page, limit, contains, len(entries),
                      entries[offset:offset + limit],
                      at_least=bool(contains) and found.total > len(found.values),
                      depth=max_depth)


def _in_both_scripts(service, facet: str, entries: list[Entry]) -> list[Entry]:
    """Authors with their name in its own script, which the page shows first, as the search
    page's author facet labels them (楊渡 (Yang, Du): :func:`discovery.hits.facet_values`)."""
    if facet != "author" or not entries:
        return entries
    others = service.vernacular_names([e.value for e in entries])
    return [replace(e, others=(others[e.value],)) if e.value in others else e
            for e in entries]


def _plain(value: str, field_name: str) -> str:
    """A value as its facet's filter says it (a browse field's value without its key)."""
    return read_value(value)[0] if field_name in ALPHABETICAL_FIELDS.values() else value


def headings(service, kind: str, start: str = "", page: int = 1,
             limit: int = 50) -> ValuesList:
    """The author or subject headings of the whole union, A-Z, starting with ``start``."""
    if kind not in BROWSE_FIELDS:
        raise unknown_choice("list", kind, BROWSE_FIELDS, BrowseError)
    offset = _check_page(service, page, limit)
    start = _typed(start, service)
    browse_field = BROWSE_FIELDS[kind]
    found = service.values_page(SearchRequest(), MatchAll(), browse_field, "index", offset,
                                limit, typed_prefix(start))
    others: dict[str, list[str]] = {}
    if found.values:
        low, high = forms_range(found.values[0][0], found.values[-1][0])
        for value in service.values_between(FORM_FIELDS_OF[browse_field], low, high,
                                            4 * limit):
            heading, other = read_value(value)
            if other and other not in others.setdefault(heading, []):
                others[heading].append(other)
    entries = []
    for value, count in found.values:
        heading = read_value(value)[0]
        entries.append(Entry(heading, heading, count, tuple(others.get(heading, ()))))
    return ValuesList(kind, "az", page, limit, start, found.total, entries,
                      depth=_settings(service)[1])


# -- shelves -------------------------------------------------------------------

@dataclass(frozen=True)
class ShelfRow:
    value: str               # the cluster's place on the shelf (key and id)
    call_number: str         # the call number that places it there
    hit: Hit
    here: bool = False       # the record the shelf was opened from

    def to_dict(self) -> dict:
        return {"call_number": self.call_number, "here": self.here, **self.hit.to_dict()}


@dataclass
class ShelfPage:
    scheme: str
    rows: list[ShelfRow]
    typed: str = ""              # the call number typed, if the shelf starts from one
    record: str | None = None    # the cluster the shelf was opened from
    earlier: str | None = None   # where the page before ends (a row's value), if any
    later: str | None = None     # where the page after starts

    def to_dict(self) -> dict:
        return {"scheme": self.scheme, "typed": self.typed, "record": self.record,
                "earlier": self.earlier, "later": self.later,
                "rows": [r.to_dict() for r in self.rows]}


def _call_number_on(hit: Hit, scheme: str, value: str) -> str:
    """The holding's call number that puts the cluster at ``value`` on the shelf."""
    key = value.rsplit(" ", 1)[0]
    for h in hit.holdings:
        if h.call_number and shelf_key(scheme, h.call_number) == key:
            return h.call_number
    return next((h.call_number for h in hit.holdings if h.call_number), "")


def shelf(service, scheme: str, record: str | None = None, typed: str = "",
          before: str | None = None, after: str | None = None,
          limit: int = 10) -> ShelfPage:
    """A page of a shelf: around a record (``record``: any member or cluster id), around
    a typed call number, or the page before or after a row's value (``before``,
    ``after``: the paging links)."""
    if scheme not in SHELF_FIELDS:
        raise unknown_choice("scheme", scheme, SHELF_FIELDS, BrowseError)
    if not 1 <= limit <= SHELF_LIMIT:
        raise out_of_range("limit", 1, SHELF_LIMIT, BrowseError)
    given = [name for name, v in (("record", record), ("from", typed), ("before", before),
                                  ("after", after)) if v]
    if len(given) > 1:
        raise BrowseError(f"give one of record, from, before and after, not {' and '.join(given)}")
    field_name = SHELF_FIELDS[scheme]
    here = None
    if before or after:
        for name, value in (("before", before), ("after", after)):
            if value and (len(value) > 300 or " " not in value):
                raise BrowseError(f"{name} must be a shelf position from a shelf page")
        if before:
            rows = list(reversed(service.shelf(field_name, before, False, limit)))
        else:   # (a space sorts after the value and before any longer one)
            rows = service.shelf(field_name, after + " ", True, limit)
        return _page(service, scheme, field_name, rows, typed, None, limit)
    if record:
        cluster = service.cluster(record[:300])
        if cluster is None:
            raise LookupError(record)
        key = cluster.display.get("shelves", {}).get(scheme)
        here = cluster.id
        if key is None:
            return ShelfPage(scheme, [], record=here)
        start = shelf_value(key, cluster.id)
    else:
        typed = _typed(typed, service)
        start = shelf_start(typed, scheme) if typed else ""
        if start is None:
            raise BrowseError(f"{typed[:60]!r} is not a call number of the {scheme.upper()}"
                              " scheme")
    half = limit // 2 if (record or typed) else 0
    rows = list(reversed(service.shelf(field_name, start, False, half))) if half else []
    rows += service.shelf(field_name, start, True, limit - len(rows))
    return _page(service, scheme, field_name, rows, typed, here, limit)


def _page(service, scheme: str, field_name: str, rows, typed: str, here: str | None,
          limit: int) -> ShelfPage:
    out = [ShelfRow(value, _call_number_on(hit, scheme, value), hit, hit.id == here)
           for value, hit in rows]
    earlier = later = None
    if out and service.shelf(field_name, out[0].value, False, 1):
        earlier = out[0].value
    if out and service.shelf(field_name, out[-1].value + " ", True, 1):
        later = out[-1].value
    return ShelfPage(scheme, out, typed, here, earlier, later)
