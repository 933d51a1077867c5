"""Request handling shared by the pages, the API, the widget and the feeds.

One place turns query-string arguments into a :class:`SearchRequest` (and
back into canonical URL arguments), so every rendering of a search reads
the same parameters the same way:

``q``            the query (the reader's query language, see the README)
``field``        all, title, author, subject, isbn: where ``q`` is looked for
``row_field``, ``row_op``, ``row_text``
                 advanced search rows (repeated, in order): field, AND/OR/NOT, words
``filter``       ``facet:value`` (repeated); ``facet:-value`` excludes the value
``year_from``, ``year_to``
                 a year range, replacing any ``filter=year:FROM-TO`` (excluded years stay)
``sort``         relevance, year, year_asc, title, author, new
``page``, ``limit``
``facets``       facet names to count, comma separated (absent: all; empty: none)
``facet_limit``  values per facet
``facet_search`` ``facet:text``: only that facet's values containing text
``lang``         en, zh, vi: the language of labels
``prefer``       a library code: all libraries' results, that library's first
                 (:mod:`discovery.preferred`)

Anything malformed raises :class:`QueryError`, which every blueprint turns
into a 400 (the API in its one error shape).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from discovery.service import SearchService
from indexer.fields import FORM_FIELDS
from discovery.budget import QueryTooLarge, SearchTimeout
from discovery.errors import N_, IndexUnreadable, QueryError, unknown_choice
from discovery.results import FACETS, SORTS, UI_LANGUAGES, Filter, SearchRequest, SearchResult
from harvest.config import Home

FIELDS = FORM_FIELDS   # what the search box and the advanced rows offer (indexer.fields)
OPERATORS = ("AND", "OR", "NOT")
MAX_FILTERS = 50
MAX_ROWS = 10
MAX_PARAM_CHARS = 1000
_GROUPING = re.compile(r"[()]")


def home() -> Home:
    return current_app.extensions["sheaf.home"]


def backend() -> SearchService:
    return current_app.extensions["sheaf.search"]


def records():
    return current_app.extensions["sheaf.records"]


def error_text(exc: Exception) -> str:
    """What an error says to the reader: the query budget's errors (discovery.budget) in
    the interface language, a damaged index as :func:`unavailable_message` says it, any
    other as it was raised."""
    if isinstance(exc, IndexUnreadable):
        return unavailable_message(exc)
    if isinstance(exc, SearchTimeout):
        return gettext("The search took longer than %(seconds)s seconds and was stopped."
                       " Try fewer or more specific words.", seconds=format(exc.seconds, "g"))
    if not isinstance(exc, QueryTooLarge):
        template = getattr(exc, "template", None)
        return gettext(template, **exc.params) if template else str(exc)
    limit = exc.value
    messages = {
        "chars": gettext("The query is too long: at most %(limit)s characters.", limit=limit),
        "words": gettext("The query has too many words: at most %(limit)s.", limit=limit),
        "clauses": gettext("The query has too many parts joined by OR or NOT: at most"
                           " %(limit)s.", limit=limit),
        "token": gettext("A word of the query is too long: at most %(limit)s characters.",
                         limit=limit),
        "prefix": gettext("Type at least %(limit)s letters before * to truncate a word.",
                          limit=limit),
        "prefix_terms": gettext("The words truncated with * match too many words (at most"
                                " %(limit)s): type more letters before *.", limit=limit),
    }
    return messages.get(exc.limit, str(exc))


def too_long(name: str) -> QueryError:
    return QueryError(N_("%(name)s is too long (at most %(limit)s characters)"), name=name,
                      limit=MAX_PARAM_CHARS)


def text_arg(args, name: str, default: str = "") -> str:
    raw = args.get(name, default)
    if len(raw) > MAX_PARAM_CHARS:
        raise too_long(name)
    return raw


def int_arg(args, name: str, default: int) -> int:
    """A whole number; ``default`` when absent (``limit=`` or `` 5`` is refused, as the
    OpenAPI document's integer type says)."""
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 9:
        raise QueryError(N_("%(name)s must be a whole number, not %(value)s"), name=name,
                         value=repr(raw[:20]))
    return int(raw)


def choice_arg(args, name: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` exactly, as the OpenAPI enum says; ``default`` when absent (an
    empty or padded value is refused, not read as the default: schemathesis found
    ``lang=`` and ``field=`` accepted although the document's enums do not list them)."""
    raw = args.get(name)
    if raw is None:
        return default
    if raw not in choices:
        raise unknown_choice(name, raw, choices)
    return raw


def fielded(field: str, text: str) -> str:
    """Words looked for in one field, as the query language writes it."""
    text = " ".join(_GROUPING.sub(" ", text).split())
    if not text:
        return ""
    if field == "all":
        return text
    return f"{field}:({text})"


def compose_rows(rows: list[tuple[str, str, str]]) -> str:
    """Advanced search rows (operator, field, words) as one query, read left to right."""
    query, parts = "", 0
    for op, field, text in rows:
        part = fielded(field, text)
        if not part:
            continue
        if not parts:
            query = f"NOT ({part})" if op == "NOT" else f"({part})"
        else:
            left = f"({query})" if parts > 1 or query.startswith("NOT") else query
            query = f"{left} {op} ({part})"
        parts += 1
    return query


def advanced_rows(args) -> list[tuple[str, str, str]]:
    fields, ops, texts = (args.getlist(n) for n in ("row_field", "row_op", "row_text"))
    if max(len(fields), len(ops), len(texts)) > MAX_ROWS:
        raise QueryError(N_("at most %(limit)s search rows"), limit=MAX_ROWS)
    # every value given is checked, also those of rows without words (the document's enums)
    for field in fields:
        if field not in FIELDS:
            raise unknown_choice("row_field", field, FIELDS)
    for op in ops:
        if op not in OPERATORS:
            raise unknown_choice("row_op", op, OPERATORS)
    rows = []
    for i, text in enumerate(texts):
        field = fields[i] if i < len(fields) else "all"
        op = ops[i] if i < len(ops) else "AND"
        if len(text) > MAX_PARAM_CHARS:
            raise too_long("row_text")
        rows.append((op, field, text))
    return rows


def _year(args, name: str) -> int | None:
    """A year bound of up to four ASCII digits; empty is no bound (the forms' empty boxes)."""
    raw = args.get(name, "")
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise QueryError(N_("%(name)s must be a year such as 1990, not %(value)s"), name=name,
                         value=repr(raw[:20]))
    return int(raw)


def parse_filters(args) -> tuple[Filter, ...]:
    raw = args.getlist("filter")
    if len(raw) > MAX_FILTERS:
        raise QueryError(N_("at most %(limit)s filters"), limit=MAX_FILTERS)
    out = []
    for item in raw:
        if len(item) > MAX_PARAM_CHARS:
            raise too_long("filter")
        facet, sep, value = item.partition(":")
        if not sep:
            raise QueryError(N_("filter %(value)s must look like facet:value,"
                                " e.g. language:vie or library:-loc"), value=repr(item[:40]))
        out.append(Filter.parse(facet, value))
    lo, hi = _year(args, "year_from"), _year(args, "year_to")
    if lo is not None or hi is not None:
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        # the range typed replaces the years chosen before, as the form shows it (ORed with
        # them, a narrower range typed would find as much as before)
        out = [f for f in out if f.facet != "year" or f.exclude]
        out.append(Filter.parse("year", f"{'' if lo is None else lo}-{'' if hi is None else hi}"))
    return tuple(dict.fromkeys(out))


def parse_facets(args) -> tuple[str, ...]:
    if "facets" not in args:
        return FACETS
    names = [n for n in args.get("facets", "").split(",") if n]
    for name in names:
        if name not in FACETS:
            raise unknown_choice("facet", name, FACETS)
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class SearchForm:
    """What the reader asked, as the search box shows it, and the request it makes."""

    typed: str          # what the search box shows
    field: str          # the field selector
    request: SearchRequest
    # the advanced rows (op, field, words) and the box's own q and field beside them: links
    # carry the rows themselves, so that the advanced form can show them again
    rows: tuple[tuple[str, str, str], ...] = ()
    box: tuple[str, str] = ("", "all")

    def args(self, **changes) -> MultiDict:
        """Canonical URL arguments for this search, with some changed (None drops one)."""
        req = self.request
        q, field = self.box if self.rows else (self.typed, self.field)
        values = {"q": q, "field": field if field != "all" else None,
                  "row_op": [r[0] for r in self.rows] or None,
                  "row_field": [r[1] for r in self.rows] or None,
                  "row_text": [r[2] for r in self.rows] or None,
                  "filter": [f"{f.facet}:{f.to_param()}" for f in req.filters],
                  "sort": req.sort if req.sort != "relevance" else None,
                  "limit": req.limit if req.limit != default_limit() else None,
                  "page": req.page if req.page != 1 else None,
                  "prefer": req.prefer or None}
        values.update(changes)
        out = MultiDict()
        for key, value in values.items():
            if value is None or value == "" or value == []:
                continue
            for v in value if isinstance(value, list) else [value]:
                out.add(key, str(v))
        return out

    def replaced(self, query: str) -> MultiDict:
        """Arguments for another query in the box (a did-you-mean): no rows, every field."""
        return self.args(q=query, field=None, row_op=None, row_field=None, row_text=None,
                         page=None)

    def toggled(self, facet: str, value: str, exclude: bool = False) -> MultiDict:
        """Arguments with one filter added, or removed when it is there (back to page 1)."""
        current = [f"{f.facet}:{f.to_param()}" for f in self.request.filters]
        item = f"{facet}:{'-' if exclude else ''}{value}"
        opposite = f"{facet}:{'' if exclude else '-'}{value}"
        if item in current:
            current.remove(item)
        else:
            current = [c for c in current if c != opposite] + [item]
        return self.args(filter=current, page=None)

    def with_years(self, value: str | None) -> MultiDict:
        """Arguments with the year range replaced by ``value`` (``1990-1999``), or with none
        (None); excluded years stay. Back to page 1."""
        kept = [f"{f.facet}:{f.to_param()}" for f in self.request.filters
                if f.facet != "year" or f.exclude]
        return self.args(filter=kept + ([f"year:{value}"] if value else []), page=None)


def default_limit() -> int:
    return int(home().settings["page_size"])


def search_form(args=None, lang: str = "en", facets: tuple[str, ...] | None = None) -> SearchForm:
    """Read a search from URL arguments (a :class:`QueryError` if anything is malformed)."""
    args = request.args if args is None else args
    typed = text_arg(args, "q")
    field = choice_arg(args, "field", FIELDS, "all")
    box = (typed, field)
    rows = tuple(r for r in advanced_rows(args) if r[2].strip())
    if rows:
        composed = compose_rows(list(rows))
        typed = " ".join(x for x in (fielded(field, typed), composed) if x)
        field = "all"
    query = fielded(field, typed) if field != "all" else typed
    facet_search = None
    if "facet_search" in args:
        name, sep, text = text_arg(args, "facet_search").partition(":")
        if not sep or name not in FACETS:
            raise QueryError(N_("facet_search must look like facet:text, e.g. subject:history"))
        facet_search = (name, text)
    req = SearchRequest(
        query=query,
        page=int_arg(args, "page", 1),
        limit=int_arg(args, "limit", default_limit()),
        sort=choice_arg(args, "sort", SORTS, "relevance"),
        filters=parse_filters(args),
        facets=parse_facets(args) if facets is None else facets,
        facet_limit=int_arg(args, "facet_limit", 30),
        facet_search=facet_search,
        lang=lang,
        prefer=text_arg(args, "prefer"),
    )
    return SearchForm(typed=typed, field=field, request=req, rows=rows, box=box)


def api_lang(args) -> str:
    return choice_arg(args, "lang", UI_LANGUAGES, "en")


def search_from_args() -> SearchResult:
    """The API's search: labels in ``lang`` (English unless asked)."""
    return backend().search(search_form(lang=api_lang(request.args)).request)


def unavailable_message(exc: Exception) -> str:
    """What a reader is told when there is no index to search: a damaged index in the
    reader's language (the file and the fix are for the staff: ``sheaf status``)."""
    if isinstance(exc, IndexUnreadable):
        return gettext("The catalog's index cannot be read: a file of it is damaged. Searching"
                       " works again once the catalog's staff rebuild the index from the"
                       " records (sheaf index --rebuild).")
    return str(exc)


def unavailable_kind(exc: Exception) -> str:
    """The API error type of a 503 for ``exc``."""
    if isinstance(exc, SearchTimeout):
        return "search_timeout"
    return "index_unreadable" if isinstance(exc, IndexUnreadable) else "index_unavailable"
