"""The OpenAPI 3.1 document of the JSON API (served at ``/api/openapi.json``).

Built from the same constants the code validates with (sorts, facets,
languages, mapped record fields), so it cannot drift from them;
``tests/web/test_openapi.py`` checks real responses against it.
"""

from __future__ import annotations

from discovery.results import FACETS, SORTS, UI_LANGUAGES
from indexer.mapped import FIELDS

from discovery.service import SUGGEST_KINDS

from .common import FIELDS as SEARCH_FIELDS, MAX_FILTERS, MAX_PARAM_CHARS, MAX_ROWS

SHAPES = {"str": {"type": "string"}, "int": {"type": "integer"}, "bool": {"type": "boolean"},
          "list": {"type": "array", "items": {"type": "string"}},
          "list of dict": {"type": "array", "items": {"type": "object"}}}
# the mapped *_forms fields: each value of a field paired with its linked 880's
FORMS = {"type": "array", "items": {
    "type": "object", "required": ["heading", "vernacular"], "additionalProperties": False,
    "properties": {"heading": {"type": "string", "description": "the field's own form"},
                   "vernacular": {"type": "string", "description": "its linked 880's"}}}}


def _shape(key: str, shape: str) -> dict:
    return FORMS if key.endswith("_forms") and shape == "list of dict" else SHAPES[shape]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _param(name: str, description: str, schema: dict, *, many: bool = False,
           where: str = "query", required: bool = False, most: int | None = None) -> dict:
    array = {"type": "array", "items": schema, **({"maxItems": most} if most else {})}
    out = {"name": name, "in": where, "description": description, "required": required,
           "schema": array if many else schema}
    if many:
        out.update(style="form", explode=True)
    return out


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "414": {"$ref": "#/components/responses/UriTooLong"},
    "503": {"$ref": "#/components/responses/Unavailable"},
}
KINDS = "^(" + "|".join(SUGGEST_KINDS) + ")(,(" + "|".join(SUGGEST_KINDS) + "))*$"
_FACET = "(" + "|".join(FACETS) + ")"
# what Filter.parse takes: facet:value or facet:-value, a year value a range of ASCII digits
FILTER = ("^((" + "|".join(f for f in FACETS if f != "year") + r"):(-[\s\S]|[^-])[\s\S]*"
          r"|year:-?([0-9]+(-[0-9]*)?|-[0-9]+))$")
# gunicorn's limit on the request line (cli/reading.py): a longer URL is its 414, in HTML
MAX_REQUEST_LINE = 8190

LANG = _param("lang", "language of labels (facet values, library names stay as given)",
              {"type": "string", "enum": list(UI_LANGUAGES), "default": "en"})

SEARCH_PARAMS = [
    _param("q", "the query: words, \"phrases\", AND/OR/NOT, parentheses, title: author:"
                " subject: isbn: year: lang: library: (see the README)",
           {"type": "string", "maxLength": 1000, "default": ""}),
    _param("field", "where q is looked for", {"type": "string", "enum": list(SEARCH_FIELDS),
                                                "default": "all"}),
    _param("filter", "facet:value, repeatable: values of one facet are ORed, facets ANDed;"
                     " facet:-value excludes; year values are ranges (1990-1999, 1990-, -1900)",
           {"type": "string", "pattern": FILTER, "maxLength": MAX_PARAM_CHARS}, many=True,
           most=MAX_FILTERS),
    # strings of digits, not integers: the site's forms send an empty box as year_from=
    _param("year_from", "earliest year (a range replacing any year filter; empty: none)",
           {"type": "string", "pattern": "^[0-9]{0,4}$"}),
    _param("year_to", "latest year (a range replacing any year filter; empty: none)",
           {"type": "string", "pattern": "^[0-9]{0,4}$"}),
    _param("sort", "order of results", {"type": "string", "enum": list(SORTS),
                                        "default": "relevance"}),
    _param("page", "page number (page × limit is at most max_results_depth)",
           {"type": "integer", "minimum": 1, "default": 1}),
    _param("limit", "results per page (the home's page_size by default, at most max_page_size)",
           {"type": "integer", "minimum": 1, "maximum": 100}),
    _param("facets", "facets to count, comma separated (absent: all; empty: none);"
                     f" facets: {', '.join(FACETS)}",
           {"type": "string", "pattern": f"^{_FACET}?(,{_FACET}?)*$"}),
    _param("facet_limit", "values per facet", {"type": "integer", "minimum": 1, "maximum": 1000,
                                               "default": 30}),
    _param("facet_search", "facet:text: only values of that facet containing text",
           {"type": "string", "pattern": f"^{_FACET}:[\\s\\S]*$",
            "maxLength": MAX_PARAM_CHARS}),
    _param("row_field", "advanced search rows: field of each row", {
        "type": "string", "enum": list(SEARCH_FIELDS)}, many=True, most=MAX_ROWS),
    _param("row_op", "advanced search rows: how each row joins the ones before", {
        "type": "string", "enum": ["AND", "OR", "NOT"]}, many=True, most=MAX_ROWS),
    _param("row_text", f"advanced search rows: words of each row (at most {MAX_ROWS} rows)",
           {"type": "string", "maxLength": 1000}, many=True, most=MAX_ROWS),
    _param("prefer", "a library code: the results of every library, those this library holds"
                     " first (each group in the order asked); the total and facets are the"
                     " search's without it", {"type": "string", "maxLength": MAX_PARAM_CHARS}),
    LANG,
]

HOLDING = {"type": "object", "required": ["source", "record_id", "name"],
           "properties": {"source": {"type": "string", "description": "library code"},
                          "record_id": {"type": "string"},
                          "name": {"type": "string", "description": "library name"},
                          "call_number": {"type": "string"},
                          "scheme": {"type": "string", "enum": ["clc", "lcc", "ddc"],
                                     "description": "the classification the call number"
                                                    " shelves by (its shelf: /browse/shelf)"},
                          "location": {"type": "string"},
                          "catalog_url": {"type": "string",
                                          "description": "the record in the library's own catalog"}},
           "additionalProperties": False}

NULLABLE_STR = {"type": ["string", "null"]}
SPANS = {"type": "array", "items": {"type": "array", "items": {"type": "integer", "minimum": 0},
                                    "minItems": 2, "maxItems": 2}}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["status", "type", "message"],
            "additionalProperties": False,
            "properties": {"status": {"type": "integer", "minimum": 400, "maximum": 599},
                           "type": {"type": "string", "examples": ["bad_request", "not_found"]},
                           "message": {"type": "string"}}}},
    },
    "Holding": HOLDING,
    "Link": {
        "type": "object", "required": ["url", "kind"], "additionalProperties": False,
        "description": "an online copy (MARC 856): only http(s) URLs",
        "properties": {"url": {"type": "string", "format": "uri"},
                       "label": {"type": "string", "description": "856 $y, $3 or $z"},
                       "kind": {"type": "string", "enum": ["resource", "version", "iiif",
                                                           "related"]}}},
    "Hit": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "title_vernacular", "authors", "year", "languages",
                     "format", "holdings", "highlights"],
        "properties": {
            "id": {"type": "string", "description": "the cluster's id (a member record's id)"},
            "title": {"type": "string"}, "title_vernacular": NULLABLE_STR,
            "authors": {"type": "array", "items": {"type": "string"}},
            "year": {"type": ["integer", "null"]},
            "languages": {"type": "array", "items": {"type": "string"},
                          "description": "MARC language codes"},
            "format": NULLABLE_STR,
            "holdings": {"type": "array", "items": _ref("Holding")},
            "highlights": {
                "type": "object", "description": "matched character spans [start, end) of"
                                                 " title and title_vernacular",
                "additionalProperties": SPANS},
            "details": {
                "type": "object", "description": "the result line's authors, places,"
                " publishers, edition and series, each value with its form in the"
                " record's other script (its linked 880) and the spans the query matched",
                "additionalProperties": {"type": "array", "items": _ref("Parallel")}},
            "links": {"type": "array", "items": _ref("Link"),
                      "description": "online copies: access links only, never related"}}},
    "Parallel": {
        "type": "object", "required": ["text"], "additionalProperties": False,
        "properties": {"text": {"type": "string", "description": "the field's own form"},
                       "vernacular": {"type": "string", "description": "its linked 880's"},
                       "highlights": SPANS, "vernacular_highlights": SPANS}},
    "FacetValue": {
        "type": "object", "required": ["value", "count", "label"], "additionalProperties": False,
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                       "label": {"type": "string"}, "selected": {"type": "boolean"},
                       "excluded": {"type": "boolean"}}},
    "SearchResult": {
        "type": "object", "additionalProperties": False,
        "required": ["query", "total", "page", "limit", "sort", "filters", "results", "facets",
                     "year_histogram", "suggestion", "partial"],
        "properties": {
            "query": {"type": "string"}, "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1}, "limit": {"type": "integer", "minimum": 1},
            "sort": {"type": "string", "enum": list(SORTS)},
            "filters": {"type": "array", "items": {
                "type": "object", "required": ["facet", "value", "exclude"],
                "additionalProperties": False,
                "properties": {"facet": {"type": "string", "enum": list(FACETS)},
                               "value": {"type": "string"}, "exclude": {"type": "boolean"}}}},
            "results": {"type": "array", "items": _ref("Hit")},
            "facets": {"type": "object", "propertyNames": {"enum": list(FACETS)},
                       "additionalProperties": {"type": "array", "items": _ref("FacetValue")}},
            "year_histogram": {"type": "array", "items": {
                "type": "object", "required": ["start", "end", "count"],
                "additionalProperties": False,
                "properties": {"start": {"type": "integer"}, "end": {"type": "integer"},
                               "count": {"type": "integer", "minimum": 1}}}},
            "suggestion": {"type": ["string", "null"], "description": "did you mean"},
            "partial": {"type": "boolean", "description":
                        "some of the catalogue could not be searched (a SolrCloud shard with no"
                        " live replica): the results may be incomplete"},
            "prefer": {"type": "string", "description": "the library whose results come first"
                                                        " (asked with prefer)"}}},
    "MappedRecord": {
        "type": "object", "additionalProperties": False,
        "description": "a member record as Sheaf reads it (absent values are absent keys)",
        "properties": {key: {**_shape(key, shape), "description": meaning}
                       for key, (shape, meaning) in FIELDS.items()}},
    "ParallelFields": {
        "type": "object", "additionalProperties": False,
        "description": "the main record's fields as its page shows them, each value in the"
                       " field's own form (romanized where the record has an 880) and its"
                       " linked 880's (vernacular); absent values are absent keys",
        "properties": {
            "title": _ref("Parallel"),
            "imprint": {**_ref("Parallel"), "description": "place : publisher, year, one"
                                                           " statement per script"},
            **{name: {"type": "array", "items": _ref("Parallel")}
               for name in ("responsibility", "edition", "series", "notes", "subjects",
                            "places", "publishers")},
            "names": {"type": "array", "items": {
                "type": "object", "required": ["text", "roles"], "additionalProperties": False,
                "properties": {"text": {"type": "string", "description": "the heading"},
                               "vernacular": {"type": "string",
                                              "description": "its linked 880's"},
                               "roles": {"type": "array", "items": {"type": "string"},
                                         "description": "relator codes or terms"}}}}}},
    "Member": {
        "type": "object", "additionalProperties": False,
        "required": ["record_id", "source", "library", "format", "first_seen", "last_changed",
                     "record"],
        "properties": {"record_id": {"type": "string"}, "source": {"type": "string"},
                       "library": {"type": "string"},
                       "format": {"type": "string", "description": "stored format"},
                       "first_seen": {"type": "string"}, "last_changed": {"type": "string"},
                       "record": _ref("MappedRecord"),
                       "marcxml": {"type": "string", "description": "with marc=xml"}}},
    "Record": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "url", "title", "title_vernacular", "authors", "year", "languages",
                     "format", "holdings", "parallel", "members"],
        "properties": {"id": {"type": "string"}, "url": {"type": "string", "format": "uri",
                                                         "description": "permanent link"},
                       "title": {"type": "string"}, "title_vernacular": NULLABLE_STR,
                       "authors": {"type": "array", "items": {"type": "string"}},
                       "year": {"type": ["integer", "null"]},
                       "languages": {"type": "array", "items": {"type": "string"}},
                       "format": NULLABLE_STR,
                       "holdings": {"type": "array", "items": _ref("Holding")},
                       "links": {"type": "array", "items": _ref("Link"),
                                 "description": "every member's online copies, access"
                                                " links first, then related ones"},
                       "parallel": _ref("ParallelFields"),
                       "members": {"type": "array", "items": _ref("Member")}}},
    "Suggestions": {
        "type": "object", "required": ["query", "suggestions"], "additionalProperties": False,
        "properties": {"query": {"type": "string"}, "suggestions": {"type": "array", "items": {
            "type": "object", "required": ["text", "kind"], "additionalProperties": False,
            "properties": {"text": {"type": "string"},
                           "kind": {"type": "string", "enum": list(SUGGEST_KINDS)}}}}}},
    "Libraries": {
        "type": "object", "required": ["libraries"], "additionalProperties": False,
        "properties": {"libraries": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["code", "name", "titles", "search_url", "catalog_url"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                           "titles": {"type": "integer", "minimum": 0,
                                      "description": "results (clusters) the library holds"},
                           "search_url": {"type": "string", "format": "uri"},
                           "catalog_url": {"type": ["string", "null"],
                                           "description": "its catalog's record URL template"}}}}}},
}


def _search_params(settings: dict, libraries: list[str]) -> list[dict]:
    """SEARCH_PARAMS with the home's limits (q's length, the largest limit) and its
    libraries' codes (what ``prefer`` may name)."""
    out = []
    for param in SEARCH_PARAMS:
        if param["name"] == "q":
            param = {**param, "description": param["description"] + "; at most"
                     f" {settings['max_query_words']} words, {settings['max_query_clauses']}"
                     " parts joined by OR or NOT, words of at most"
                     f" {settings['max_token_chars']} characters",
                     "schema": {**param["schema"], "maxLength": int(settings["max_query_chars"])}}
        elif param["name"] == "limit":
            param = {**param, "schema": {**param["schema"],
                                         "maximum": int(settings["max_page_size"])}}
        elif param["name"] == "page":
            param = {**param, "schema": {**param["schema"],
                                         "maximum": int(settings["max_results_depth"])}}
        elif param["name"] == "prefer" and libraries:
            # (empty: no library first, as when prefer is absent)
            param = {**param, "schema": {"type": "string", "enum": ["", *libraries]}}
        out.append(param)
    return out


def document(server: str, settings: dict, libraries: list[str] = ()) -> dict:
    """The document, with the limits ``settings`` (the home's) give and the codes of its
    member ``libraries``."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Sheaf union catalog API", "version": "1",
                 "description": "Search every member library at once. Answers are JSON in"
                                " UTF-8; any origin may call them (CORS); each carries an ETag"
                                " and a Cache-Control. Errors share one shape (Error)."},
        "servers": [{"url": server}],
        "paths": {
            "/search": {"get": {
                "operationId": "search", "summary": "Search the union catalog",
                "parameters": _search_params(settings, libraries),
                "responses": {"200": _json(_ref("SearchResult"), "one page of results"),
                              **ERRORS}}},
            "/record/{id}": {"get": {
                "operationId": "record", "summary": "A record, its holdings and its cluster",
                "parameters": [
                    _param("id", "a record id (library code:local id) or a cluster id",
                           {"type": "string"}, where="path", required=True),
                    _param("marc", "xml: add each member's MARCXML",
                           {"type": "string", "enum": ["none", "xml"], "default": "none"})],
                "responses": {"200": _json(_ref("Record"), "the record"),
                              "404": {"$ref": "#/components/responses/NotFound"}, **ERRORS}}},
            "/suggest": {"get": {
                "operationId": "suggest", "summary": "Autocomplete: titles, authors, subjects",
                "parameters": [
                    _param("q", "what was typed", {"type": "string", "maxLength": 1000}),
                    _param("kinds", "comma separated: title, author, subject",
                           {"type": "string", "pattern": KINDS,
                            "default": ",".join(SUGGEST_KINDS)}),
                    _param("limit", "how many", {"type": "integer", "minimum": 1, "maximum": 50,
                                                 "default": 10})],
                "responses": {"200": _json(_ref("Suggestions"), "suggestions"), **ERRORS}}},
            "/libraries": {"get": {
                "operationId": "libraries", "summary": "The member libraries",
                "parameters": [LANG],
                "responses": {"200": _json(_ref("Libraries"), "the libraries"), **ERRORS}}},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "the OpenAPI document")}}},
        },
        "components": {
            "schemas": SCHEMAS,
            "responses": {
                "BadRequest": _json(_ref("Error"), "a malformed or impossible parameter"),
                "NotFound": _json(_ref("Error"), "no such record"),
                "Unavailable": _json(_ref("Error"), "there is no index yet, or the search ran past"
                                                   " its deadline (type search_timeout)"),
                "UriTooLong": {
                    "description": f"the URL is longer than the server reads ({MAX_REQUEST_LINE}"
                                   " bytes in the request line, percent-encoding included: a"
                                   " character outside ASCII takes 6 to 12): an HTML page from"
                                   " the HTTP server, not the API's JSON",
                    "content": {"text/html": {"schema": {"type": "string"}}}},
            },
        },
    }
