"""SRU at ``/sru``: explain, searchRetrieve and scan over the site's search service.

SRU 1.2 (and 1.1) by default, SRU 2.0 when ``version=2.0`` (or a 2.0-only
parameter such as ``queryType`` comes without a version); GET, or POST with
form data. Queries are CQL (:mod:`discovery.cql`), compiled to the site's
query tree (:mod:`discovery.cql_tree`), so an SRU search finds what the same
search on the site finds. One record per work (cluster), in ``marcxml`` or
``dc`` (:mod:`.sru_records`).

Every answer is an SRU response with HTTP 200: what Sheaf cannot or will not
do is a diagnostic (``info:srw/diagnostic/1/N``) in it, never an HTML page
or a 5xx. No result sets are kept, so no ``resultSetId`` is ever returned
(``resultSetTTL`` is checked and otherwise has no effect).

Every request answered is counted by operation and by diagnostic
(:func:`traffic`, per worker process); every diagnostic is logged on the
``web.sru`` logger.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from discovery.budget import QueryTooLarge
from discovery.cql import CqlError, parse as parse_cql
from discovery.cql_tree import index_named, sort_by, sort_for, to_search
from discovery.errors import IndexUnavailable
from discovery.results import Filter, SearchRequest

from . import sru_xml as x
from .common import backend, home, records
from .sru_records import SCHEMA_NAMES, SCHEMAS, render

bp = Blueprint("sru", __name__)
log = logging.getLogger(__name__)

MAX_PARAM_CHARS = 2000
MAX_SCAN_TERMS = 100
SCAN_FACETS = {"dc.subject": "subject", "dc.creator": "author", "dc.language": "language",
               "sheaf.library": "library", "sheaf.class": "class"}
SCAN_DEPTH = 1000   # facet values a scan walks (the most frequent ones)
# the query budget's caps (discovery.budget) as SRU diagnostics: 38 too many boolean
# operators, 29 masked words too short, 48 query feature unsupported
BUDGET_DIAGNOSTICS = {"words": 38, "clauses": 38, "prefix": 29}
COMMON = {"operation", "version", "stylesheet", "extraRequestData", "recordPacking",
          "recordXMLEscaping", "httpAccept", "responseType"}
PARAMETERS = {
    "explain": COMMON,
    "searchRetrieve": COMMON | {"query", "queryType", "startRecord", "maximumRecords",
                                "recordSchema", "recordXPath", "resultSetTTL", "sortKeys",
                                "renderedBy"},
    "scan": COMMON | {"scanClause", "responsePosition", "maximumTerms"},
}


class Traffic:
    """Requests answered, by operation and by diagnostic number; safe across threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._operations: Counter = Counter()
        self._diagnostics: Counter = Counter()

    def add(self, operation: str, diagnostics: list[x.Diagnostic]) -> None:
        with self._lock:
            self._operations[operation] += 1
            for d in diagnostics:
                self._diagnostics[d.code] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {"operations": dict(self._operations),
                    "diagnostics": {str(k): v for k, v in sorted(self._diagnostics.items())}}


TRAFFIC = Traffic()


def traffic() -> dict:
    """This worker's SRU counts: ``{"operations": {name: n}, "diagnostics": {code: n}}``."""
    return TRAFFIC.snapshot()


@bp.route("/sru", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def sru():
    values = MultiDict(request.args)
    too_large = None
    if request.method == "POST":
        try:
            for key, value in request.form.items(multi=True):
                values.add(key, value)
        except HTTPException as exc:   # a form over werkzeug's limits
            too_large = x.Diagnostic(6, "", f"the form cannot be read: {exc.description}")
    fl, operation, diags = _flavour_and_operation(values)
    if too_large is not None:
        diags.insert(0, too_large)
    if request.method not in ("GET", "POST", "HEAD"):
        diags.insert(0, x.Diagnostic(4, request.method, f"the HTTP method {request.method} is"
                                     " not supported: use GET or POST"))
    try:
        if diags:
            raise diags[0]
        _check_parameters(values, operation)
        body = OPERATIONS[operation](fl, values, diags)
    except x.Diagnostic as exc:
        diags = [exc]
        body = _failed(fl, operation, diags)
    except QueryTooLarge as exc:
        diags = [x.Diagnostic(BUDGET_DIAGNOSTICS.get(exc.limit, 48),
                              exc.details or str(exc.value), str(exc))]
        body = _failed(fl, operation, diags)
    except IndexUnavailable as exc:   # the deadline of a search (discovery.budget) too
        diags = [x.Diagnostic(2, "", f"System temporarily unavailable: {exc}")]
        body = _failed(fl, operation, diags)
    except Exception:   # never a traceback or a 5xx: SRU's general error
        log.exception("SRU %s failed on %s", operation, request.full_path[:300])
        diags = [x.Diagnostic(1, "", "General system error")]
        body = _failed(fl, operation, diags)
    TRAFFIC.add(operation, diags)
    for d in diags:
        log.warning("SRU %s diagnostic %d (%s) %s: %s", operation, d.code, d.details[:100],
                    str(d)[:200], request.full_path[:300])
    response = Response(body, content_type="text/xml; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store" if diags else "public, max-age=60"
    return response


def _failed(fl: x.Flavour, operation: str, diags: list) -> bytes:
    """The response of a request that a fatal diagnostic ended."""
    if operation == "searchRetrieve":
        return x.search_response(fl, None, diags)
    if operation == "scan":
        return x.scan_response(fl, [], diags)
    return x.explain_failure(fl, diags)


def _one(values: MultiDict, name: str, default: str | None = None) -> str | None:
    found = values.getlist(name)
    if len(found) > 1:
        raise x.Diagnostic(6, name, f"the parameter {name} is repeated")
    if not found:
        return default
    if len(found[0]) > MAX_PARAM_CHARS:
        code = 12 if name in ("query", "scanClause") else 6
        raise x.Diagnostic(code, name if code == 6 else str(MAX_PARAM_CHARS),
                           f"{name} is longer than {MAX_PARAM_CHARS} characters")
    return found[0]


def _flavour_and_operation(values: MultiDict):
    diags = []
    versions = values.getlist("version")
    version = versions[0] if len(versions) == 1 else None
    if version is None and not versions and ("queryType" in values
                                             or "recordXMLEscaping" in values):
        version = "2.0"
    fl = x.FLAVOURS.get(version or "1.2")
    if fl is None:
        fl = x.FLAVOURS["1.2"]
        diags.append(x.Diagnostic(5, "2.0", f"unsupported version {version[:20]!r}"
                                  " (1.1, 1.2 and 2.0 are supported)"))
    elif len(versions) > 1:
        diags.append(x.Diagnostic(6, "version", "the parameter version is repeated"))
    operations = values.getlist("operation")
    operation = operations[0] if len(operations) == 1 else None
    if operation is None:
        operation = "searchRetrieve" if "query" in values else (
            "scan" if "scanClause" in values else "explain")
        if len(operations) > 1:
            diags.append(x.Diagnostic(6, "operation", "the parameter operation is repeated"))
    if operation not in PARAMETERS:
        diags.append(x.Diagnostic(4, operation[:40], f"unsupported operation {operation[:40]!r}"
                                  " (explain, searchRetrieve, scan)"))
        operation = "explain"
    return fl, operation, diags


def _check_parameters(values: MultiDict, operation: str) -> None:
    for name in values:
        if name not in PARAMETERS[operation] and not name.startswith("x-"):
            raise x.Diagnostic(8, name[:40], f"unsupported parameter {name[:40]!r}")
    if values.get("stylesheet"):
        raise x.Diagnostic(110, "", "stylesheets are not supported")
    if values.get("recordXPath"):
        raise x.Diagnostic(72, "", "XPath retrieval is not supported")


def _int(values: MultiDict, name: str, default: int, low: int = 0) -> int:
    raw = (_one(values, name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < low:
        raise x.Diagnostic(6, name, f"{name} must be a whole number of at least {low},"
                           f" not {raw[:20]!r}")
    return int(raw)


def _packing(fl: x.Flavour, values: MultiDict) -> str:
    if fl.version == "2.0":
        if (_one(values, "recordPacking") or "packed") != "packed":
            raise x.Diagnostic(71, "", "only packed records are supported")
        name = "recordXMLEscaping"
    else:
        name = "recordPacking"
    packing = _one(values, name) or "xml"
    if packing not in ("xml", "string"):
        raise x.Diagnostic(71, packing[:40], f"{name} is xml or string, not {packing[:40]!r}")
    return packing


def _cql(text: str):
    try:
        return parse_cql(text)
    except CqlError as exc:
        raise x.Diagnostic(exc.code, exc.details, str(exc)) from None


def _settings() -> tuple[int, int, int]:
    s = home().settings
    return int(s["sru_default_records"]), int(s["max_page_size"]), int(s["max_results_depth"])


# -- operations ----------------------------------------------------------------


def explain(fl: x.Flavour, values: MultiDict, diags: list) -> bytes:
    default, most, depth = _settings()
    host, _sep, port = request.host.rpartition(":")
    if not _sep or not port.isdigit():
        host, port = request.host, "443" if request.scheme == "https" else "80"
    info = x.ServerInfo(host=host, port=int(port), database="sru",
                        title=home().settings["site_name"], default_records=min(default, most),
                        max_records=most, max_depth=depth,
                        scan_indexes=tuple(SCAN_FACETS))
    return x.explain_response(fl, info, _packing(fl, values), diags)


def search_retrieve(fl: x.Flavour, values: MultiDict, diags: list) -> bytes:
    default, most, depth = _settings()
    text = _one(values, "query")
    if text is None or not text.strip():
        raise x.Diagnostic(7, "query", "the query parameter is missing")
    if (_one(values, "queryType") or "cql").lower() != "cql":
        raise x.Diagnostic(6, "queryType", "only queryType=cql is supported")
    start = _int(values, "startRecord", 1, low=1)
    wanted = _int(values, "maximumRecords", default)
    _int(values, "resultSetTTL", 0)   # checked; no result sets are kept
    name = _one(values, "recordSchema") or "marcxml"
    schema = SCHEMA_NAMES.get(name) or SCHEMA_NAMES.get(name.lower())
    if schema is None:
        raise x.Diagnostic(66, name[:100], f"unknown record schema {name[:100]!r} (schemas: "
                           + ", ".join(s.name for s in SCHEMAS) + ")")
    packing = _packing(fl, values)
    if len(text) > service_limits().chars:
        raise QueryTooLarge("chars", service_limits().chars,
                            f"the query is too long: at most {service_limits().chars} characters")
    query = _cql(text)
    try:
        sort = sort_by(query.sort) if query.sort else _sort_keys(_one(values, "sortKeys"))
        tree, found = to_search(query, resolve=_cluster_of)
    except CqlError as exc:
        raise x.Diagnostic(exc.code, exc.details, str(exc)) from None
    if start > depth:
        raise x.Diagnostic(61, str(start), f"results are available up to number {depth}")
    wanted = min(wanted, most, depth - start + 1)
    filters = tuple(Filter(facet, value, exclude) for facet, value, exclude in found)
    total, hits = _window(tree, filters, sort, start, wanted, most, depth)
    if total and start > total:
        diags.append(x.Diagnostic(61, str(start), f"startRecord {start} is past the last"
                                  f" record ({total})"))
        return x.search_response(fl, x.Found(total=total), diags)
    found = x.Found(total=total, schema_id=schema.identifier, packing=packing)
    store_views = records()
    for offset, hit in enumerate(hits):
        view = store_views.cluster(hit.id)
        found.records.append((start + offset, render(view, schema) if view else None))
    last = start + len(hits) - 1
    if hits and last < total and last < depth:
        found.next_position = last + 1
    return x.search_response(fl, found, diags)


def service_limits():
    return backend().limits


def _cluster_of(record_id: str) -> str | None:
    found = backend().cluster(record_id[:500])
    return found.id if found else None


def _sort_keys(raw: str | None) -> str:
    """SRU 1.2's ``sortKeys``: ``path,schema,ascending,...`` keys separated by spaces."""
    if not raw or not raw.strip():
        return "relevance"
    keys = []
    for key in raw.split():
        parts = key.split(",")
        ascending = len(parts) < 3 or parts[2] in ("", "1", "true")
        if len(parts) >= 3 and parts[2] not in ("", "0", "1", "true", "false"):
            raise CqlError(90, f"unsupported sort direction {parts[2][:20]!r}", parts[2][:20])
        if len(parts) >= 4 and parts[3] not in ("", "0"):
            raise CqlError(91, "only case-insensitive sorting is supported", parts[3][:20])
        if len(parts) >= 5 and parts[4] not in ("",):
            raise CqlError(92, "missing values always sort last", parts[4][:20])
        keys.append((parts[0], ascending))
    return sort_for(keys)


def _window(tree, filters: tuple, sort: str, start: int, wanted: int, most: int, depth: int):
    """Hits ``start`` .. ``start + wanted - 1`` with the site's paged search (one request
    when a page size holds the whole window, else two), and the total."""
    service = backend()

    def page(number: int, limit: int):
        req = SearchRequest(query="", page=number, limit=limit, sort=sort, filters=filters,
                            facets=())
        return service.search_tree(req, tree)

    if wanted <= 0:
        return page(1, 1).total, []
    first = start - 1
    for limit in range(wanted, most + 1):
        number = first // limit
        if (first + wanted - 1) // limit == number and (number + 1) * limit <= depth:
            result = page(number + 1, limit)
            skip = first - number * limit
            return result.total, result.hits[skip:skip + wanted]
    number = first // wanted
    one = page(number + 1, wanted)
    hits = one.hits[first - number * wanted:]
    if len(hits) < wanted and (number + 2) * wanted <= depth and one.total > first + len(hits):
        hits += page(number + 2, wanted).hits
    return one.total, hits[:wanted]


def scan(fl: x.Flavour, values: MultiDict, diags: list) -> bytes:
    clause_text = _one(values, "scanClause")
    if clause_text is None or not clause_text.strip():
        raise x.Diagnostic(7, "scanClause", "the scanClause parameter is missing")
    position = _int(values, "responsePosition", 1)
    wanted = min(_int(values, "maximumTerms", 20, low=1), MAX_SCAN_TERMS)
    root = _cql(clause_text).root
    if not hasattr(root, "term") or root.index is None:
        raise x.Diagnostic(10, "", "scanClause is one index, a relation and a term,"
                           " e.g. dc.subject = history")
    try:
        index = index_named(root.index, root.prefixes)
    except CqlError as exc:
        raise x.Diagnostic(exc.code, exc.details, str(exc)) from None
    facet = SCAN_FACETS.get(index.name)
    if facet is None:
        raise x.Diagnostic(16, index.name, f"{index.name} cannot be scanned (scan: "
                           + ", ".join(SCAN_FACETS) + ")")
    if (root.relation or "=") not in ("=", "==", "exact"):
        raise x.Diagnostic(19, root.relation, "scan takes the relation =")
    result = backend().search(SearchRequest(query="", limit=1, facets=(facet,),
                                            facet_limit=SCAN_DEPTH))
    terms = sorted(result.facets.get(facet, []), key=lambda v: v.value.casefold())
    at = next((i for i, v in enumerate(terms) if v.value.casefold() >= root.term.casefold()),
              len(terms))
    first = max(0, at - max(position - 1, 0))
    if position == 0:
        first = at + 1
    chosen = terms[first:first + wanted]
    return x.scan_response(fl, [(v.value, v.count, v.label) for v in chosen], diags)


OPERATIONS = {"explain": explain, "searchRetrieve": search_retrieve, "scan": scan}
